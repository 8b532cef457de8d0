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
