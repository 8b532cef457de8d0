"""The site's private records through HTTP on both store backends: two people, each signed in,
reach only their own diary entries and plans, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from web_fakes import FakeService

from conftest import site_app
from druginfo.store import open_store
from druginfo.store.private import PrivateRecords
from support.postgres import PostgresServer, postgres_server
from support.web_client import BrowserClient

__all__ = ["postgres_server"]

DIARY = {"drug": "Kineret", "reaction": "", "started": "2026-02-01", "severity": "severe"}
PLAN = {"drug": "anakinra", "age_years": "41", "weight": "77", "weight_unit": "kg"}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def people(
    request: pytest.FixtureRequest, data_dir: Path, tmp_path: Path
) -> Iterator[tuple[BrowserClient, BrowserClient]]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'private.db'}"
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url = server.create_database()
    store = open_store(url, bootstrap=False)
    fake = FakeService(data_dir)
    fake.private = PrivateRecords(store)  # type: ignore[arg-type]
    app = site_app(fake)
    try:
        with (
            BrowserClient(app, base_url="http://druginfo.test") as a,
            BrowserClient(app, base_url="http://druginfo.test") as b,
        ):
            a.register("pat")
            b.register("sam")
            yield a, b
    finally:
        store.close()


def test_each_person_reaches_only_their_own_records(
    people: tuple[BrowserClient, BrowserClient],
) -> None:
    a, b = people
    r = a.post(
        "/diary", data={**DIARY, "reaction": "private reaction of pat"}, follow_redirects=False
    )
    assert r.status_code == 303
    found = re.search(r"added=([A-Za-z0-9_-]+)", r.headers["location"])
    assert found
    entry = found.group(1)
    plan_url = a.post("/plan", data=PLAN).url.path

    assert "private reaction of pat" in a.get("/diary").text
    assert "private reaction of pat" not in b.get("/diary").text
    for fmt in ("html", "json", "pdf"):
        assert a.get(f"/diary/report.{fmt}", params={"entry": entry}).status_code == 200
        assert b.get(f"/diary/report.{fmt}", params={"entry": entry}).status_code == 404
    assert b.get("/diary/report.json").status_code == 404  # B has no entry of their own
    for suffix in ("", ".ics", "/edit", "/advice/fever"):
        assert a.get(plan_url + suffix).status_code == 200, suffix
        assert b.get(plan_url + suffix).status_code == 404, suffix
    assert b.post(f"/diary/{entry}/delete", data={}).status_code == 404
    assert b.post(plan_url + "/delete", data={}).status_code == 404
    assert "private reaction of pat" in a.get("/diary").text

    exported = a.get("/account/export.json").json()
    assert [e["id"] for e in exported["diary"]] == [entry]
    assert [p["answers"]["weight"] for p in exported["plans"]] == ["77"]
    assert b.get("/account/export.json").json()["plans"] == []

    assert a.post("/account/delete", data={"password": "a long passphrase"}).status_code == 200
    assert a.get("/account/export.json").status_code == 401
    assert b.get("/account").status_code == 200
