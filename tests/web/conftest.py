"""Fixtures of the web tests: the site over a fake service built from real data, and over the
real Service with the bundled store."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ → `support` package

from web_fakes import FakeService

from druginfo.interfaces.errors import install_error_handlers
from druginfo.interfaces.web import STATIC_DIR, build_site_router, render_error
from druginfo.interfaces.web.security import SecurityMiddleware
from support.browser import chromium_browser, live_server
from support.web_client import BrowserClient


def site_app(service: object) -> FastAPI:
    """Only the web site (with its security layer and error pages): the pages must not depend
    on the API routers being present."""
    app = FastAPI()
    install_error_handlers(app, render_error)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(build_site_router(service))  # type: ignore[arg-type]
    app.add_middleware(SecurityMiddleware)
    return app


@pytest.fixture(scope="session")
def filled_db_url(bundled_db_url: str) -> str:
    """The session's store (tests/conftest.py), filled with the bundled data as on a fresh
    install; filling is idempotent, so suites sharing it pay for it once."""
    from druginfo.store import open_store

    open_store(bundled_db_url, bootstrap=True).close()
    return bundled_db_url


@pytest.fixture()
def fake(data_dir: Path) -> FakeService:
    return FakeService(data_dir)


@pytest.fixture()
def app(fake: FakeService) -> FastAPI:
    return site_app(fake)


@pytest.fixture()
def client(app: FastAPI) -> Iterator[BrowserClient]:
    """A visitor without an account."""
    with BrowserClient(app, base_url="http://druginfo.test") as c:
        yield c


@pytest.fixture()
def member(app: FastAPI) -> Iterator[BrowserClient]:
    """A visitor signed in to an account of their own."""
    with BrowserClient(app, base_url="http://druginfo.test") as c:
        c.register("member-one")
        yield c


# --- the browser tests' real site and chromium (a module may bring its own base_url) ---


@pytest.fixture(scope="module")
def base_url(filled_db_url: str) -> Iterator[str]:
    """The real app over the filled store, served by uvicorn for a browser."""
    from druginfo.interfaces.app import create_app
    from druginfo.service import Service

    service = Service.open(filled_db_url)
    try:
        with live_server(create_app(service)) as url:
            yield url
    finally:
        service.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium_browser() as b:
        yield b


@pytest.fixture(scope="module")
def real_site(filled_db_url: str) -> Iterator[BrowserClient]:
    """The real app over the filled store, through a browser-like client (the plan form's
    posts carry the page's CSRF token)."""
    from druginfo.interfaces.app import create_app
    from druginfo.service import Service

    service = Service.open(filled_db_url)
    try:
        with BrowserClient(create_app(service), base_url="http://druginfo.test") as c:
            yield c
    finally:
        service.close()
