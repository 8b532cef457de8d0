"""One app over a real SQLite store filled with the bundled data, shared by the API tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from druginfo.interfaces.app import create_app
from druginfo.service import Service
from support.bundled_store import bundled_db_url


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    svc = Service.open(bundled_db_url(tmp_path_factory.mktemp("api-store") / "druginfo.db"))
    yield svc
    svc.close()


@pytest.fixture(scope="session")
def app(service: Service) -> FastAPI:
    return create_app(service)


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://druginfo.test") as c:
        yield c
