"""The one ASGI application: web site, REST API, CDS Hooks and FHIR over a single Service.

Everything is built from the Service passed in, so tests and benchmarks can serve any store,
and `druginfo serve` / `uvicorn --factory druginfo.interfaces.app:app_from_env` serve the
configured one.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

import druginfo
from druginfo.interfaces import web
from druginfo.interfaces.api import build_api_router
from druginfo.interfaces.api_fast import CheckFastPath, MonographFastPath
from druginfo.interfaces.cdshooks import build_cds_router
from druginfo.interfaces.errors import install_error_handlers
from druginfo.interfaces.fhir import build_fhir_router
from druginfo.interfaces.private_api import build_private_api_router
from druginfo.interfaces.web.docs import SWAGGER_UI_DIR, build_docs_router
from druginfo.interfaces.web.reconcile import build_reconcile_router
from druginfo.interfaces.web.security import SecurityMiddleware, install_log_redaction

if TYPE_CHECKING:
    from druginfo.service import Service

DESCRIPTION = """\
Drug information as computable, source-cited knowledge.

* `/api/...` — monographs, search, the personal check (`POST /api/check`), event advice and
  reconciliation of sources. Errors are `{"error": ..., "field": ...}` with a 4xx status.
* `/cds-services` — a CDS Hooks 2.0 service for the `order-sign` and `order-select` hooks.
* `/fhir/MedicationKnowledge/{id}` — a medicine as a FHIR R4 MedicationKnowledge.

Every clinical statement carries the quoted words of its source.
"""


def create_app(service: Service, *, close_service_on_shutdown: bool = False) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if close_service_on_shutdown:
            service.close()

    app = FastAPI(
        title="druginfo",
        version=druginfo.__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        # The docs page is our own (local Swagger UI files, no inline script); no ReDoc.
        docs_url=None,
        redoc_url=None,
    )
    app.state.service = service

    install_error_handlers(app, web.render_error)
    app.include_router(build_api_router(service))
    app.include_router(build_private_api_router(service))
    app.include_router(build_cds_router(service))
    app.include_router(build_fhir_router(service))
    app.mount("/static", StaticFiles(directory=web.STATIC_DIR), name="static")
    app.mount("/docs/assets", StaticFiles(directory=SWAGGER_UI_DIR), name="docs-assets")
    app.include_router(build_docs_router())
    app.include_router(web.build_site_router(service))
    app.include_router(build_reconcile_router(service))
    # Innermost first: the fast path answers inside the security headers and limits.
    app.add_middleware(CheckFastPath, service=service)
    app.add_middleware(MonographFastPath, service=service)
    app.add_middleware(SecurityMiddleware)
    install_log_redaction()
    return app


def app_from_env() -> FastAPI:
    """For `uvicorn --factory druginfo.interfaces.app:app_from_env`; DRUGINFO_DB picks the store."""
    from druginfo.service import Service

    service = Service.open(os.environ.get("DRUGINFO_DB") or None)
    return create_app(service, close_service_on_shutdown=True)
