"""The site's security layer: headers, CSRF, cross-site refusal, body and field limits, sign-in
limits, cookies, safe links and log redaction (over the fake service; no browser)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from druginfo.interfaces.web import TEMPLATES_DIR
from druginfo.interfaces.web.security import (
    CONTENT_SECURITY_POLICY,
    WEB_BODY_LIMIT,
    RedactQueryStrings,
    redact_submitted,
    safe_local_path,
)
from support.web_client import BrowserClient, csrf_token_of

NOMID_CHILD = {
    "drug": "anakinra",
    "age_years": "8",
    "weight": "20",
    "weight_unit": "kg",
    "indication": "nomid",
    "kidney_severe": "no",
}
DIARY = {"drug": "anakinra", "reaction": "rash", "started": "2026-01-01", "severity": "mild"}


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    responses = [
        client.get("/"),
        client.get("/static/site.css"),
        client.get("/no-such-page"),
        client.get("/diary"),
        client.post("/diary", data=DIARY, raw=True),  # type: ignore[call-arg]
        client.post("/feedback", content=b"x" * (WEB_BODY_LIMIT + 1)),
    ]
    for r in responses:
        assert r.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, r.url
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "same-origin"
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert "unsafe-eval" not in CONTENT_SECURITY_POLICY


def test_templates_have_no_inline_script_or_style() -> None:
    for path in Path(TEMPLATES_DIR).glob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path.name
        assert not re.search(r"\son[a-z]+\s*=", text), path.name
        assert not re.search(r"<style|\sstyle\s*=", text), path.name
        assert "javascript:" not in text, path.name


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/plan", NOMID_CHILD),
        ("/diary", DIARY),
        ("/feedback", {"page": "/", "helpful": "yes"}),
        ("/account/register", {"username": "mallory", "password": "x" * 12, "confirm": "x" * 12}),
        ("/account/sign-in", {"username": "member-one", "password": "a long passphrase"}),
        ("/account/sign-out", {}),
        ("/account/delete", {"password": "a long passphrase"}),
        ("/diary/" + "A" * 32 + "/delete", {}),
    ],
)
def test_state_changing_forms_need_this_browsers_token(
    member: BrowserClient, client: BrowserClient, path: str, data: dict[str, str]
) -> None:
    assert member.post(path, data=data, raw=True).status_code == 403  # type: ignore[call-arg]
    wrong = {**data, "csrf_token": "A" * 43}
    assert member.post(path, data=wrong).status_code == 403
    # Another browser's token is not this one's.
    theirs = {**data, "csrf_token": client.csrf_token()}
    assert member.post(path, data=theirs).status_code == 403
    assert member.get("/account").status_code == 200  # still signed in, nothing changed


def test_cross_site_posts_are_refused_before_any_handler(member: BrowserClient) -> None:
    token = member.csrf_token()
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ):
        r = member.post("/diary", data={**DIARY, "csrf_token": token}, headers=headers)
        assert r.status_code == 403, headers
    ok = member.post(
        "/diary",
        data={**DIARY, "csrf_token": token},
        headers={"Origin": "http://druginfo.test", "Sec-Fetch-Site": "same-origin"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert len(re.findall(r'<li id="entry-', member.get("/diary").text)) == 1


def test_body_size_is_limited_before_reading(client: BrowserClient) -> None:
    token = client.csrf_token()
    huge = {"drug": "a" * (1024 * 1024), "csrf_token": token}
    assert client.post("/plan", data=huge).status_code == 413

    def chunks() -> Iterator[bytes]:
        yield b"csrf_token=" + token.encode() + b"&drug="
        for _ in range(20):
            yield b"a" * 8192

    streamed = client.post(
        "/plan",
        content=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert streamed.status_code == 413
    bad = client.post("/plan", content=b"x=1", headers={"Content-Length": "9" * 5000})
    assert bad.status_code == 400


def test_field_lengths_are_limited(client: BrowserClient) -> None:
    for field, value in (
        ("drug", "b" * 201),
        ("indication_other", "c" * 501),
        ("medications", "\n".join(["methotrexate"] * 101)),
        ("medications", "d" * 151),
    ):
        r = client.post("/plan", data={**NOMID_CHILD, field: value})
        assert r.status_code == 422, field
        assert "Keep" in r.text


@pytest.mark.parametrize(
    "weight", ["1" * 401, "1e400", "nan", "inf", "²", "1_000", "0x10", "1" * 5000, "1.2.3"]
)
def test_numbers_of_any_spelling_are_422(client: BrowserClient, weight: str) -> None:
    r = client.post("/plan", data={**NOMID_CHILD, "weight": weight})
    assert r.status_code == 422
    assert "number" in r.text


def test_session_cookie_is_signed_httponly_samesite(app: object) -> None:
    with BrowserClient(app, base_url="http://druginfo.test") as c:  # type: ignore[arg-type]
        token = c.csrf_token()
        r = c.post(
            "/account/register",
            data={"username": "cookie.test", "password": "p" * 12, "confirm": "p" * 12},
            follow_redirects=False,
        )
        assert r.status_code == 303
        header = r.headers["set-cookie"].lower()
        assert "druginfo_session=" in header and "httponly" in header and "samesite=lax" in header
        assert token  # the form token came from the visitor cookie set on first view
        session = c.cookies.get("druginfo_session")
        assert session and "." in session
        assert c.get("/account").status_code == 200
        c.cookies.set("druginfo_session", session[:-2] + "xx", domain="druginfo.test")
        assert c.get("/account", follow_redirects=False).status_code == 303  # signed out


def test_failed_sign_ins_are_limited(client: BrowserClient, member: BrowserClient) -> None:
    statuses = [
        client.post(
            "/account/sign-in", data={"username": "member-one", "password": f"wrong guess {i}"}
        ).status_code
        for i in range(7)
    ]
    assert statuses[:5] == [401] * 5 and statuses[5:] == [429, 429]
    limited = client.post(
        "/account/sign-in", data={"username": "member-one", "password": "a long passphrase"}
    )
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0


def test_registration_checks(client: BrowserClient) -> None:
    def register(name: str, password: str, confirm: str | None = None) -> int:
        data = {"username": name, "password": password, "confirm": confirm or password}
        return int(client.post("/account/register", data=data).status_code)

    assert register("x", "long enough pw") == 422
    assert register("<script>", "long enough pw") == 422
    assert register("okname", "short") == 422
    assert register("okname", "p" * 129) == 422
    assert register("okname", "long enough pw", "different pw!") == 422
    with BrowserClient(client.app, base_url="http://druginfo.test") as other:
        other.register("taken-name")
    assert register("Taken-Name", "long enough pw") == 409


def test_account_page_export_and_delete(member: BrowserClient) -> None:
    token = member.csrf_token()
    member.post("/diary", data={**DIARY, "csrf_token": token})
    exported = member.get("/account/export.json")
    assert exported.headers["cache-control"] == "no-store"
    assert [e["reaction"] for e in exported.json()["diary"]] == ["rash"]
    wrong = member.post("/account/delete", data={"password": "not my password"})
    assert wrong.status_code == 401
    gone = member.post("/account/delete", data={"password": "a long passphrase"})
    assert gone.status_code == 200 and "deleted" in gone.text
    assert member.get("/account/export.json").status_code == 401
    r = member.post(
        "/account/sign-in", data={"username": "member-one", "password": "a long passphrase"}
    )
    assert r.status_code == 401


def test_visitor_plans_belong_to_their_browser(client: BrowserClient, app: object) -> None:
    plan_url = client.post("/plan", data=NOMID_CHILD).url.path
    assert client.get(plan_url).status_code == 200
    with BrowserClient(app, base_url="http://druginfo.test") as stranger:  # type: ignore[arg-type]
        for suffix in ("", ".ics", "/edit", "/advice/fever"):
            assert stranger.get(plan_url + suffix).status_code == 404
        assert stranger.post(plan_url + "/delete", data={}).status_code == 404
    assert client.post(plan_url + "/delete", data={}).status_code == 200
    assert client.get(plan_url).status_code == 404


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/drugs/anakinra", "/drugs/anakinra"),
        ("/search?q=a&lang=da", "/search?q=a&lang=da"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("/\tevil", "/"),
        ("/\n/evil.example", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("drugs/anakinra", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_safe_local_path(text: str | None, expected: str) -> None:
    assert safe_local_path(text) == expected


def test_access_log_lines_lose_their_query_string() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/plan.ics?weight=20&pregnant=yes", "1.1", 200),
        None,
    )
    assert RedactQueryStrings().filter(record)
    line = record.getMessage()
    assert "/plan.ics?" in line and "weight" not in line and "pregnant" not in line


def test_pages_carry_the_token_in_every_post_form(member: BrowserClient) -> None:
    member.post("/diary", data=DIARY)
    for url in ("/diary", "/account", "/plan", "/drugs/anakinra", "/account/sign-in"):
        html = member.get(url).text
        forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", html, re.S)
        assert forms, url
        for body in forms:
            assert csrf_token_of(body), url


@pytest.mark.parametrize(
    ("message", "values", "expected"),
    [
        ("could not read 'abc'; write a number", ["abc"], "could not read (what you entered);"),
        ('unknown outcome "heart attack"', ["heart attack "], "unknown outcome (what you entered)"),
        ("entry: HIV positive is not an id", ["HIV positive"], "entry: (what you entered) is"),
        (
            "could not read 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…; write",
            ["a" * 90],
            "read (what",
        ),
        ("field 'x' is wrong; x means", ["x"], "field (what you entered) is wrong; x means"),
        ("severity: 'sev' is not mild, moderate", ["mild", "sev"], "not mild, moderate"),
    ],
)
def test_error_messages_lose_what_was_submitted(
    message: str, values: list[str], expected: str
) -> None:
    redacted = redact_submitted(message, values)
    assert expected in redacted
    for value in values:
        if len(value.strip()) >= 8:
            assert value.strip()[:8] not in redacted


def test_deleting_an_account_takes_this_browsers_plans_and_name_count(
    app: object, fake: Any
) -> None:
    with (
        BrowserClient(app, base_url="http://druginfo.test") as person,  # type: ignore[arg-type]
        BrowserClient(app, base_url="http://druginfo.test") as guesser,  # type: ignore[arg-type]
    ):
        before = person.post("/plan", data=NOMID_CHILD).url.path  # made before signing up
        person.register("leaving.person")
        kept = person.post("/plan", data=NOMID_CHILD).url.path
        r = guesser.post(
            "/account/sign-in", data={"username": "leaving.person", "password": "wrong guess 1"}
        )
        assert r.status_code == 401
        store = fake.private._store
        names = "SELECT count(*) FROM limited_attempts WHERE bucket = 'sign-in-name'"
        assert store._query(names)[0][0] == 1
        assert person.get(kept).status_code == 200
        assert store._query("SELECT count(*) FROM plans")[0][0] == 2  # a visitor's and an account's
        gone = person.post("/account/delete", data={"password": "a long passphrase"})
        assert gone.status_code == 200
        assert person.get(before).status_code == 404  # signed out again: the visitor's plan is gone
        assert person.get(kept).status_code == 404
        assert store._query(names)[0][0] == 0
        assert store._query("SELECT count(*) FROM plans")[0][0] == 0


def test_health_forms_stay_out_of_the_browsers_autofill(member: BrowserClient) -> None:
    """Ages, weights, conditions and reactions typed on a shared computer must not be offered
    to the next person who types there."""
    from druginfo.interfaces.web.forms import DIARY_FIELDS, PLAN_FIELDS

    personal = (set(PLAN_FIELDS) | set(DIARY_FIELDS)) - {"drug"}
    for url in ("/plan", "/diary"):
        html = member.get(url).text
        assert "=&#34;" not in html, url  # attributes are markup, not escaped text
        for form in re.findall(r"<form\b[^>]*>.*?</form>", html, re.S):
            head = form[: form.index(">")]
            inputs = re.findall(r"<(?:input|textarea)\b[^>]*>", form)
            asks = [i for i in inputs if re.search(r'name="([^"]+)"', i)]
            names = {re.search(r'name="([^"]+)"', i).group(1) for i in asks}  # type: ignore[union-attr]
            if names & personal:
                assert 'autocomplete="off"' in head, (url, head)
