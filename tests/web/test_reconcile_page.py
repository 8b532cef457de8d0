"""The reconcile page: coloured statuses, quotes and dates side by side, a status filter."""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from support.web_client import BrowserClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reconcile"))

from handmade import anakinra, etanercept, resolve

from druginfo.errors import UnknownDrug
from druginfo.interfaces.web.reconcile import build_reconcile_router
from druginfo.reconcile import ReconcileReport, reconcile_facts
from druginfo.sources.curated import load_curated
from druginfo.store.private import PrivateRecords
from druginfo.store.sqlite import SqliteStore

AS_OF = dt.date(2026, 11, 29)


class ReconcileOnly:
    """The one service call the page makes, answered from hand-written fact sets (and the
    private records every page reads the signed-in person from)."""

    def __init__(self) -> None:
        self.private = PrivateRecords(SqliteStore(":memory:"))

    def reconcile(self, name: str) -> ReconcileReport:
        if name in ("anakinra", "Kineret"):
            return reconcile_facts(
                "anakinra",
                anakinra(),
                today=AS_OF,
                resolve=resolve,
                curated=[load_curated("anakinra")],
            )
        if name == "etanercept":
            return reconcile_facts("etanercept", etanercept(), today=AS_OF)
        raise UnknownDrug(name, ["anakinra"])


@pytest.fixture()
def client() -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(build_reconcile_router(ReconcileOnly()))  # type: ignore[arg-type]
    with TestClient(app) as c:
        yield c


def test_page_shows_statuses_quotes_and_dates(client: TestClient) -> None:
    r = client.get("/drugs/anakinra/reconcile")
    assert r.status_code == 200
    html = r.text
    assert 'data-status="conflict"' in html and "rc-conflict" in html
    assert "take it as soon as you remember" in html  # Healthline's words
    assert "contact your doctor to discuss" in html  # the EU leaflet's words
    assert "2015-05-26" in html and "2022-02-16" in html
    assert "Editor notes" in html and 'href="#missed-dose"' in html


def test_filter_by_status(client: TestClient) -> None:
    html = client.get("/drugs/anakinra/reconcile", params={"status": "agree"}).text
    assert 'data-status="agree"' in html
    assert 'data-status="conflict"' not in html
    assert 'value="agree" checked' in html
    both = client.get("/drugs/anakinra/reconcile?status=agree&status=error").text
    assert 'data-status="error"' in both and 'data-status="agree"' in both


def test_biosimilars_side_by_side(client: TestClient) -> None:
    html = client.get("/drugs/etanercept/reconcile", params={"status": "conflict"}).text
    assert "up to 30 °C for up to 31 days" in html and "up to 25 °C for up to 28 days" in html
    assert "Benepali" in html and "Erelzi" in html and "Nepexto" in html


def test_bad_status_and_unknown_medicine(client: TestClient) -> None:
    assert client.get("/drugs/anakinra/reconcile", params={"status": "maybe"}).status_code == 422
    r = client.get("/drugs/anakinrra/reconcile")
    assert r.status_code == 404 and "/drugs/anakinra/reconcile" in r.text


def test_a_plan_marks_the_alert_whose_sources_disagree(filled_db_url: str) -> None:
    from druginfo.interfaces.app import create_app
    from druginfo.service import Service

    service = Service.open(filled_db_url)
    try:
        # A browser-like client: the plan form's posts carry the page's CSRF token.
        with BrowserClient(create_app(service), base_url="http://druginfo.test") as c:
            form = {
                "drug": "anakinra",
                "age_years": "30",
                "weight": "60",
                "weight_unit": "kg",
                "indication": "rheumatoid-arthritis",
                "kidney_severe": "no",
                "pregnant": "yes",
                "start_date": "2026-12-01",
            }
            r = c.post("/plan", data=form)
            assert r.status_code == 200, r.text
            marked = re.findall(r'<p class="disputed">(.*?)</p>', r.text, re.S)
            assert marked and "not recommended" in marked[0]
            assert "/drugs/anakinra/reconcile#pregnancy" in marked[0]
            r = c.post("/plan", data={**form, "pregnant": "no"})
            assert 'class="disputed"' not in r.text  # only the disputed advice is marked
            page = c.get("/drugs/anakinra/reconcile")
            assert page.status_code == 200 and 'id="pregnancy"' in page.text
    finally:
        service.close()
