"""A real server's access log, with a person making a plan and searching: no answer of theirs
(weight, age, pregnancy, what they searched for) appears in it."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from druginfo.interfaces.app import create_app
from support.browser import free_port
from support.web_client import TOKEN


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture(scope="module")
def served(filled_db_url: str) -> Iterator[tuple[str, Capture]]:
    import uvicorn

    from druginfo.service import Service

    service = Service.open(filled_db_url)
    capture = Capture()
    access = logging.getLogger("uvicorn.access")
    port = free_port()
    config = uvicorn.Config(
        create_app(service), host="127.0.0.1", port=port, log_level="info", access_log=True
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    access.addHandler(capture)  # after uvicorn configured its loggers
    try:
        yield f"http://127.0.0.1:{port}", capture
    finally:
        access.removeHandler(capture)
        server.should_exit = True
        thread.join(timeout=10)
        service.close()


def test_access_log_holds_no_profile_field(served: tuple[str, Capture]) -> None:
    base, capture = served
    with httpx.Client(base_url=base, follow_redirects=True) as c:
        token = TOKEN.search(c.get("/plan?drug=anakinra").text).group(1)  # type: ignore[union-attr]
        answers = {
            "drug": "anakinra",
            "age_years": "37",
            "weight": "63.5",
            "weight_unit": "kg",
            "pregnant": "yes",
            "medications": "methotrexate",
        }
        result = c.post("/plan", data={**answers, "csrf_token": token})
        assert result.status_code == 200
        plan = result.url.path
        for link in re.findall(r'href="(/plan/[^"]+)"', result.text):
            c.get(link)
        c.get("/search", params={"q": "pregnant methotrexate"})
        c.get("/plan.ics", params=answers)  # an old-style link: refused, and not logged
    time.sleep(0.3)
    log = "\n".join(capture.lines)
    assert plan in log and "POST /plan" in log
    for secret in ("63.5", "pregnant", "methotrexate", "age_years", "weight="):
        assert secret not in log, secret


def test_logs_hold_no_account_or_diary_detail(served: tuple[str, Capture]) -> None:
    """Registering, signing in (and failing to), writing the diary and reading its reports:
    neither the access log nor any other log names the person or what they wrote."""
    base, capture = served
    everything = Capture()
    logging.getLogger().addHandler(everything)
    name = "lena.logcheck"
    reaction = "tongue swelling after the second injection"
    try:
        with httpx.Client(base_url=base, follow_redirects=True) as c:

            def token() -> str:
                return TOKEN.search(c.get("/account/sign-in").text).group(1)  # type: ignore[union-attr]

            password = "a long passphrase"
            form = {"username": name, "password": password, "confirm": password}
            assert (
                c.post("/account/register", data={**form, "csrf_token": token()}).status_code == 200
            )
            c.post("/account/sign-out", data={"csrf_token": token()})
            wrong = {"username": name, "password": "not the password", "csrf_token": token()}
            assert c.post("/account/sign-in", data=wrong).status_code == 401
            right = {"username": name, "password": password, "csrf_token": token()}
            assert c.post("/account/sign-in", data=right).status_code == 200
            entry = {
                "drug": "anakinra",
                "reaction": reaction,
                "started": "2026-01-05",
                "severity": "moderate",
                "csrf_token": token(),
            }
            added = c.post("/diary", data=entry)
            assert added.status_code == 200 and reaction in added.text
            entry_id = added.url.params["added"]
            c.get("/diary", params={"drug": "anakinra"})
            c.get("/diary/report.html", params={"entry": entry_id})
            c.post("/diary/report.pdf", data={"entry": entry_id, "outcomes": "hospitalised"})
            c.get("/account/export.json")
            c.get("/api/diary")
    finally:
        logging.getLogger().removeHandler(everything)
    time.sleep(0.3)
    log = "\n".join(capture.lines + everything.lines)
    assert "POST /account/sign-in" in log and "/diary/report.html" in log
    for secret in (name, "lena", "tongue", "passphrase", entry_id, "drug=", "hospitalised"):
        assert secret not in log, secret
