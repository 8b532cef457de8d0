"""Fixtures of the web tests: the site over a fake service built from real data, and over the
real Service with the bundled store."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ → `support` package

from web_fakes import FakeService

from druginfo.interfaces.web import STATIC_DIR, build_site_router


def site_app(service: object) -> FastAPI:
    """Only the web site: the pages must not depend on the API routers being present."""
    app = FastAPI()
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(build_site_router(service))  # type: ignore[arg-type]
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
def client(fake: FakeService) -> Iterator[TestClient]:
    with TestClient(site_app(fake), base_url="http://druginfo.test") as c:
        yield c
