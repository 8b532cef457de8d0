"""Two people, two browsers, two accounts, one real server: nothing of one is visible to, or
changeable by, the other on any diary, report or plan route; a form on another site cannot
write into anyone's diary; the pages and /docs run under the strict CSP without violations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from support.browser import DESKTOP, live_server, register

pytestmark = pytest.mark.browser

SECRET = "HIV positive and pregnant"
ID = r"[A-Za-z0-9_-]{32}"


@pytest.fixture(scope="module")
def base_url(filled_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import shutil

    from druginfo.interfaces.app import create_app
    from druginfo.service import Service

    # A private copy of the filled store: accounts made here stay out of other tests.
    db = tmp_path_factory.mktemp("privacy") / "druginfo.db"
    shutil.copyfile(filled_db_url.removeprefix("sqlite:///"), db)
    service = Service.open(f"sqlite:///{db}")
    try:
        with live_server(create_app(service)) as url:
            yield url
    finally:
        service.close()


def new_person(browser: Any) -> tuple[Any, Any, list[str]]:
    """A separate browser context (its own cookies), a page, and the CSP violations seen."""
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return context, page, violations


def add_diary_entry(page: Any, base_url: str, reaction: str) -> str:
    page.goto(f"{base_url}/diary")
    page.fill("#d-drug", "Kineret")
    page.fill("#d-reaction", reaction)
    page.fill("#d-started", "2026-01-05")
    page.select_option("#d-severity", "severe")
    page.click("form.diary-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/diary\?added=" + ID))
    found = re.search(r"added=(" + ID + ")", page.url)
    assert found
    return found.group(1)


def csrf_of(page: Any) -> str:
    return str(page.locator("input[name=csrf_token]").first.get_attribute("value"))


def test_two_people_never_see_or_change_each_others_records(browser: Any, base_url: str) -> None:
    a_ctx, a, a_violations = new_person(browser)
    b_ctx, b, b_violations = new_person(browser)
    try:
        # Without an account there is no diary to write in, and nothing shared to read.
        a.goto(f"{base_url}/diary")
        assert a.locator("form.diary-form").count() == 0
        assert a.locator("a[href='/account/sign-in']").first.is_visible()

        register(a, base_url, "alice")
        entry_id = add_diary_entry(a, base_url, SECRET)
        assert SECRET in a.locator("ol.entries").inner_text()
        a.goto(f"{base_url}/plan?drug=anakinra")
        a.fill("#f-age_years", "30")
        a.fill("#f-weight", "61")
        a.click("form.plan-form button[type=submit].primary")
        a.wait_for_url(re.compile(re.escape(base_url) + "/plan/" + ID + "$"))
        plan_url = a.url
        # Only the random id: no answer (and no query string) in the address.
        assert re.fullmatch(re.escape(base_url) + "/plan/" + ID, plan_url)

        # B, not signed in: every route of A's records is closed.
        entry_routes = [
            f"/diary/report.html?entry={entry_id}",
            f"/diary/report.json?entry={entry_id}",
            f"/diary/report.pdf?entry={entry_id}",
            "/diary/report.pdf",
            "/diary/report.json",
            f"/api/diary/{entry_id}",
            "/api/diary",
            "/api/account/export",
            "/account/export.json",
        ]
        plan_path = plan_url.removeprefix(base_url)
        plan_routes = [
            plan_path,
            f"{plan_path}.ics",
            f"{plan_path}/edit",
            f"{plan_path}/advice/fever",
        ]
        b.goto(f"{base_url}/diary")
        assert SECRET not in b.content()
        for path in entry_routes:
            r = b.request.get(f"{base_url}{path}")
            assert r.status == 401, (path, r.status)
            assert SECRET not in r.text()
        for path in plan_routes:
            r = b.request.get(f"{base_url}{path}")
            assert r.status == 404, (path, r.status)
            assert "61 kg" not in r.text()

        # B with an account of their own: still nothing of A's, by any route or method.
        register(b, base_url, "bob")
        b.goto(f"{base_url}/diary")
        assert SECRET not in b.content()
        assert b.locator("ol.entries li").count() == 0
        for path in entry_routes:
            r = b.request.get(f"{base_url}{path}")
            assert SECRET not in r.text(), path
            if "entry=" in path or path.startswith("/api/diary/") or path.endswith(".pdf"):
                assert r.status == 404, (path, r.status)
        assert b.request.get(f"{base_url}/api/diary").json() == []
        for path in plan_routes:
            assert b.request.get(f"{base_url}{path}").status == 404, path
        token = csrf_of(b)
        forged = [
            (f"/diary/{entry_id}/delete", {}),
            (f"{plan_path}/delete", {}),
            ("/diary/report.json", {"entry": entry_id}),
            ("/diary/report.pdf", {"entry": entry_id}),
        ]
        for path, form in forged:
            r = b.request.post(f"{base_url}{path}", form={**form, "csrf_token": token})
            assert r.status == 404, (path, r.status)
            assert SECRET not in r.text()
        r = b.request.delete(f"{base_url}/api/diary/{entry_id}")
        assert r.status == 404
        b_entry = add_diary_entry(b, base_url, "bob's own headache")
        assert SECRET not in b.locator("ol.entries").inner_text()

        # A still has exactly their entry; B's is not theirs to see either.
        a.goto(f"{base_url}/diary")
        assert SECRET in a.locator("ol.entries").inner_text()
        assert "bob's own headache" not in a.content()
        assert a.request.get(f"{base_url}/diary/report.json?entry={b_entry}").status == 404
        report = a.request.get(f"{base_url}/diary/report.json?entry={entry_id}")
        assert report.status == 200 and SECRET in report.text()
        pdf = a.request.get(f"{base_url}/diary/report.pdf")
        assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
        a.goto(plan_url)
        assert a.locator("p.dose-main").count() + a.locator("section.dose").count() > 0

        # Export holds A's data only; deleting it removes it for good.
        exported = a.request.get(f"{base_url}/account/export.json").json()
        assert [e["reaction"] for e in exported["diary"]] == [SECRET]
        assert exported["account"]["username"] == "alice"
        a.goto(f"{base_url}/diary")
        a.click(f"#entry-{entry_id} form button")
        a.wait_for_url(f"{base_url}/diary")
        assert SECRET not in a.content()

        # Signing out ends the session on the server: the old cookie opens nothing.
        cookies = {c["name"]: c["value"] for c in a_ctx.cookies()}
        a.goto(f"{base_url}/account")
        a.click("form[action='/account/sign-out'] button")
        a.wait_for_url(f"{base_url}/")
        replay = browser.new_context()
        replay.add_cookies(
            [{"name": "druginfo_session", "value": cookies["druginfo_session"], "url": base_url}]
        )
        assert replay.request.get(f"{base_url}/api/diary").status == 401
        replay.close()

        assert a_violations == [] and b_violations == []
    finally:
        a_ctx.close()
        b_ctx.close()


def attacker_site(target: str) -> Starlette:
    """Another site that submits a form to druginfo as soon as it loads, and frames /plan."""

    def page(request: Request) -> HTMLResponse:
        return HTMLResponse(
            f"""<!doctype html><html><body>
<form id=f method=post action="{target}/diary">
<input name=drug value=anakinra><input name=reaction value="forged by another site">
<input name=started value=2026-01-01><input name=severity value=mild>
<input name=csrf_token value=guess></form>
<iframe id=frame src="{target}/plan"></iframe>
<script>setTimeout(function () {{ document.getElementById('f').submit(); }}, 300);</script>
</body></html>"""
        )

    return Starlette(routes=[Route("/", page)])


def test_a_form_on_another_site_cannot_write_to_a_diary(browser: Any, base_url: str) -> None:
    context, page, _ = new_person(browser)
    try:
        register(page, base_url, "carol")
        port = base_url.rsplit(":", 1)[1]
        with live_server(attacker_site(f"http://127.0.0.1:{port}")) as evil:
            # "localhost" is another site than "127.0.0.1" for the browser.
            evil_url = evil.replace("127.0.0.1", "localhost")
            responses: list[Any] = []
            page.on(
                "response",
                lambda r: responses.append(r) if r.request.method == "POST" else None,
            )
            page.goto(evil_url)
            page.wait_for_url(f"{base_url}/diary", timeout=10_000)
            assert responses and responses[-1].status == 403
            # The site refused to be framed by it.
            frame = page.frames[-1] if len(page.frames) > 1 else None
            assert frame is None or "Medicine" not in (frame.content() if frame else "")
        exported = context.request.get(f"{base_url}/api/diary").json()
        assert exported == []
    finally:
        context.close()


def test_docs_run_from_local_files_under_the_csp(browser: Any, base_url: str) -> None:
    context, page, violations = new_person(browser)
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(base_url) else None,
    )
    try:
        page.goto(f"{base_url}/docs")
        page.locator(".swagger-ui .info .title").first.wait_for(state="visible")
        assert "druginfo" in page.locator(".swagger-ui .info .title").first.inner_text()
        page.locator(".opblock").first.wait_for(state="visible")
        assert outside == [] and violations == []
        page.goto(f"{base_url}/")
        page.goto(f"{base_url}/drugs/anakinra")
        assert violations == []
    finally:
        context.close()
