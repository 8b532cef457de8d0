"""Privacy audit of the whole app (site, REST API, CDS Hooks, FHIR) over the real service:
private answers are never cached, no link or GET form carries a person's answers, a saved plan's
exports reach only its owner, and error pages do not repeat what was submitted."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi import FastAPI

from druginfo.interfaces.web import TEMPLATES_DIR
from druginfo.interfaces.web.forms import DIARY_FIELDS, PLAN_FIELDS
from support.web_client import BrowserClient

PLAN = {
    "drug": "anakinra",
    "age_years": "41",
    "weight": "77.5",
    "weight_unit": "kg",
    "pregnant": "yes",
    "medications": "methotrexate",
    "conditions": "tuberculosis",
}
DIARY = {"drug": "anakinra", "reaction": "hives on both arms", "started": "2026-01-05"}
# What a link or a GET form may carry: record ids, a medicine's name, a page's language, brand
# or leaflet, search text, a status filter. Never an answer about the person.
PUBLIC_PARAMS = {"entry", "added", "drug", "lang", "brand", "asked", "leaflet", "q", "status"}
PERSONAL_PARAMS = (set(PLAN_FIELDS) | set(DIARY_FIELDS)) - {"drug"}


@pytest.fixture(scope="module")
def app(filled_db_url: str) -> Iterator[FastAPI]:
    from druginfo.interfaces.app import create_app
    from druginfo.service import Service

    service = Service.open(filled_db_url)
    try:
        yield create_app(service)
    finally:
        service.close()


@pytest.fixture()
def member(app: FastAPI) -> Iterator[BrowserClient]:
    with BrowserClient(app, base_url="http://druginfo.test") as c:
        c.register(f"audit.{secrets.token_hex(4)}")
        yield c


def _saved(member: BrowserClient) -> tuple[str, str]:
    plan = member.post("/plan", data=PLAN).url.path
    r = member.post("/diary", data={**DIARY, "severity": "mild"}, follow_redirects=False)
    found = re.search(r"added=([\w-]+)", r.headers["location"])
    assert found
    return plan, found.group(1)


def test_private_answers_are_never_cached(app: FastAPI, member: BrowserClient) -> None:
    plan, entry = _saved(member)
    private_gets = [
        plan,
        plan + ".ics",
        plan + "/edit",
        plan + "/advice/fever",
        "/diary",
        f"/diary/report.html?entry={entry}",
        f"/diary/report.json?entry={entry}",
        f"/diary/report.pdf?entry={entry}",
        "/account",
        "/account/export.json",
        "/api/diary",
        f"/api/diary/{entry}",
        "/api/account/export",
        "/search?q=methotrexate",
        "/drugs/anakinra",  # any page seen signed in
    ]
    for path in private_gets:
        r = member.get(path)
        assert r.status_code == 200, path
        assert r.headers.get("cache-control") == "no-store", path
    posts = [
        member.post("/plan", data=PLAN, follow_redirects=False),
        member.post("/plan.ics", data=PLAN),
        member.post("/diary/report.html", data={"entry": entry}),
        member.post("/api/check", json={"drug": "anakinra", "profile": {"age_years": 41}}),
        member.post("/api/check", json={"drug": "anakinra", "profile": {"age_years": "x"}}),
    ]
    for r in posts:
        assert r.headers.get("cache-control") == "no-store", r.request.url
    with BrowserClient(app, base_url="http://druginfo.test") as visitor:
        # A visitor's pages carry a form token bound to their cookie: never in a shared cache.
        assert visitor.get("/drugs/anakinra").headers["cache-control"] == "private"
        assert visitor.get("/no-such-page").headers["cache-control"] == "no-store"
        # Public files and public API answers stay cacheable.
        assert "cache-control" not in visitor.get("/static/site.css").headers
        assert "cache-control" not in visitor.get("/api/drugs/anakinra").headers


def test_a_saved_plans_exports_reach_only_its_owner(app: FastAPI, member: BrowserClient) -> None:
    plan, _entry = _saved(member)
    plan_id = plan.rsplit("/", 1)[-1]
    own = member.get(plan + ".ics")
    assert own.status_code == 200 and own.text.startswith("BEGIN:VCALENDAR")
    with (
        BrowserClient(app, base_url="http://druginfo.test") as other,
        BrowserClient(app, base_url="http://druginfo.test") as visitor,
    ):
        other.register(f"other.{secrets.token_hex(4)}")
        for client in (other, visitor):
            for suffix in ("", ".ics", "/edit", "/advice/fever"):
                r = client.get(plan + suffix)
                assert r.status_code == 404, (suffix, r.status_code)
                assert "77.5" not in r.text and "methotrexate" not in r.text
            # No FHIR route serves a plan: a plan id is just an unknown resource there.
            r = client.get(f"/fhir/MedicationKnowledge/{plan_id}")
            assert r.status_code == 404 and "77.5" not in r.text


def _links_and_get_forms(html: str) -> list[str]:
    targets = [unescape(h) for h in re.findall(r'href="([^"]*)"', html)]
    for form in re.findall(r"<form\b[^>]*>.*?</form>", html, re.S):
        head = form[: form.index(">")]
        if re.search(r'method="post"', head, re.I):
            continue
        names = re.findall(r'\bname="([^"]+)"', form)
        targets.append("?" + "&".join(f"{n}=" for n in names))
    return targets


def test_no_link_or_get_form_carries_a_persons_answers(member: BrowserClient) -> None:
    plan, entry = _saved(member)
    pages = [plan, plan + "/edit", plan + "/advice/fever", "/diary", "/account", "/plan"]
    pages += [f"/diary/report.html?entry={entry}", "/drugs/anakinra", "/"]
    for page in pages:
        html = member.get(page).text
        for target in _links_and_get_forms(html):
            params = {k for k, _ in parse_qsl(urlsplit(target).query, keep_blank_values=True)}
            assert not params & PERSONAL_PARAMS, (page, target)
            assert params <= PUBLIC_PARAMS, (page, target)
            for value in ("77.5", "methotrexate", "tuberculosis", "hives"):
                assert value not in target, (page, target)


def test_templates_have_no_get_form_with_personal_fields() -> None:
    for path in Path(TEMPLATES_DIR).glob("*.html"):
        text = path.read_text(encoding="utf-8")
        for form in re.findall(r"<form\b[^>]*>.*?</form>", text, re.S):
            head = form[: form.index(">")]
            if re.search(r'method="post"', head, re.I):
                continue
            names = set(re.findall(r'\bname="([^"]+)"', form))
            assert names <= PUBLIC_PARAMS, (path.name, names)


def test_error_pages_do_not_repeat_what_was_submitted(member: BrowserClient) -> None:
    secret = "Xq7 my HIV clinic notes"
    _plan, entry = _saved(member)
    cases = [
        ("/diary/report.html", {"entry": entry, "outcomes": secret}),
        ("/diary/report.html", {"entry": secret}),
        ("/diary/report.pdf", {"entry": entry, "outcomes": secret}),
        ("/diary/report.json", {"entry": entry, "outcomes": secret}),
        ("/diary/report.html", {"entry": entry, "outcomes": "x" * 300}),
    ]
    for path, data in cases:
        r = member.post(path, data=data)
        assert 400 <= r.status_code < 500, (path, r.status_code)
        assert "Xq7" not in r.text, (path, data)
        assert "HIV" not in r.text, (path, data)
        assert "xxxxxxxx" not in r.text, (path, data)
        assert "outcome" in r.text or "entry" in r.text  # the field to fix is still named
