"""Every page of the full app knows who is asking: signed in, the header links to the account;
signed out, it offers "Sign in". The routes are read from the app itself, so a page added later
by any router is visited too (a path parameter nobody here knows how to fill fails the test)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from support.web_client import BrowserClient

ACCOUNT_LINK = re.compile(
    r'<nav aria-label="Main">.*?<a href="/account">Account</a>.*?</nav>', re.S
)
SIGN_IN_LINK = re.compile(
    r'<nav aria-label="Main">.*?<a href="/account/sign-in">Sign in</a>.*?</nav>', re.S
)
PLAN = {"drug": "anakinra", "age_years": "41", "weight": "77", "weight_unit": "kg"}
DIARY = {"drug": "anakinra", "reaction": "itchy skin", "started": "2026-01-05", "severity": "mild"}


@pytest.fixture(scope="module")
def app(filled_db_url: str) -> Iterator[FastAPI]:
    from druginfo.interfaces.app import create_app
    from druginfo.service import Service

    service = Service.open(filled_db_url)
    try:
        yield create_app(service)
    finally:
        service.close()


def _routes(routes: list[Any]) -> Iterator[Any]:
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _routes(inner.routes)
        elif getattr(route, "methods", None):
            yield route


def page_paths(app: FastAPI, values: dict[str, str]) -> list[str]:
    """Every GET route of the site (not the machine interfaces), with its parameters filled."""
    paths = []
    for route in _routes(app.routes):
        if "GET" not in route.methods or route.path.startswith(("/api", "/cds-services", "/fhir")):
            continue
        if route.path in ("/openapi.json", "/docs"):
            continue  # the API's own description and Swagger UI, not pages of the site
        names = re.findall(r"{(\w+)}", route.path)
        missing = [n for n in names if n not in values]
        assert not missing, f"{route.path}: no sample value for {missing}"
        paths.append(re.sub(r"{(\w+)}", lambda m: values[m.group(1)], route.path))
    return paths


def test_every_page_shows_the_account_link_when_signed_in(app: FastAPI) -> None:
    with BrowserClient(app, base_url="http://druginfo.test") as member:
        member.register("header.check")
        plan_id = member.post("/plan", data=PLAN).url.path.rsplit("/", 1)[-1]
        member.post("/diary", data=DIARY)
        values = {"name": "anakinra", "event": "fever", "plan_id": plan_id, "fmt": "html"}
        pages = 0
        for path in page_paths(app, values):
            r = member.get(path)
            assert r.status_code == 200, path
            if not r.headers["content-type"].startswith("text/html"):
                continue  # a calendar, a suggestion list, a JSON export
            pages += 1
            assert ACCOUNT_LINK.search(r.text), path
            assert not SIGN_IN_LINK.search(r.text), path
        assert pages >= 15
        # Error pages too, from the site's own handlers and from the app's.
        for path in ("/no-such-page", "/drugs/no-such-medicine-xyz", "/plan/" + "A" * 32):
            r = member.get(path)
            assert r.status_code == 404 and ACCOUNT_LINK.search(r.text), path
        assert ACCOUNT_LINK.search(member.get("/drugs/anakinra/reconcile?status=bogus").text)


def test_every_page_offers_sign_in_when_signed_out(app: FastAPI) -> None:
    with BrowserClient(app, base_url="http://druginfo.test") as visitor:
        plan_id = visitor.post("/plan", data=PLAN).url.path.rsplit("/", 1)[-1]
        values = {"name": "anakinra", "event": "fever", "plan_id": plan_id, "fmt": "html"}
        pages = 0
        for path in page_paths(app, values):
            r = visitor.get(path)
            if not r.headers["content-type"].startswith("text/html"):
                continue
            pages += 1
            assert SIGN_IN_LINK.search(r.text), path
            assert not ACCOUNT_LINK.search(r.text), path
        assert pages >= 15
