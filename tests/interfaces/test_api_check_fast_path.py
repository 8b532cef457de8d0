"""`POST /api/check` answered by the fast path is the route's own answer, byte for byte.

Each request is sent as raw ASGI (body in one or several messages) to the app as built and to
the same app without the POST fast path (the FastAPI route alone): status, every header in
order and the body must be equal, for valid, invalid (422), unreadable (400), oversized (413)
and odd requests. The fast path must answer the plain valid ones itself and pass every other
one on, with the body the route then reads intact.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from druginfo.interfaces.api_fast import CheckFastPath
from druginfo.interfaces.app import create_app
from druginfo.interfaces.web.security import SECURITY_HEADERS
from druginfo.service import Service
from support.asgi import layer_of
from support.bundled_store import bundled_db_url

Answer = tuple[int, list[tuple[bytes, bytes]], bytes]
JSON = [(b"content-type", b"application/json")]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    svc = Service.open(bundled_db_url(tmp_path_factory.mktemp("post") / "druginfo.db"))
    yield svc
    svc.close()


class Recorder:
    """Stands between the fast path and the rest of the app: what was passed on, and the
    body the route read."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.passed: list[bytes] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        seen: list[bytes] = []

        async def spy() -> Any:
            message = await receive()
            seen.append(message.get("body", b""))
            return message

        try:
            await self.app(scope, spy, send)
        finally:
            self.passed.append(b"".join(seen))


@pytest.fixture(scope="module")
def pair(service: Service) -> tuple[FastAPI, FastAPI, Recorder]:
    fast = create_app(service)
    layer = layer_of(fast, CheckFastPath)
    recorder = Recorder(layer.app)
    layer.app = recorder
    slow = create_app(service)
    slow.user_middleware = [m for m in slow.user_middleware if m.cls is not CheckFastPath]
    slow.middleware_stack = None
    return fast, slow, recorder


def call(
    app: Any,
    body: bytes,
    headers: list[tuple[bytes, bytes]] | None = None,
    *,
    length: bool = True,
    chunks: int = 1,
    query: bytes = b"",
    method: str = "POST",
    path: str = "/api/check",
) -> Answer:
    """One raw ASGI exchange: (status, headers as sent, body)."""
    given = [(b"host", b"druginfo.test"), *(JSON if headers is None else headers)]
    if length:
        given.append((b"content-length", str(len(body)).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": given,
        "client": ("127.0.0.1", 50000),
        "server": ("druginfo.test", 80),
        "state": {},
    }
    size = max(1, -(-len(body) // chunks))
    parts = [body[i : i + size] for i in range(0, len(body), size)] or [b""]
    messages = [
        {"type": "http.request", "body": p, "more_body": i < len(parts) - 1}
        for i, p in enumerate(parts)
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        await asyncio.sleep(3600)  # a real server waits for a disconnect
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    out = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return int(start["status"]), [tuple(h) for h in start["headers"]], out


def _body(drug: str, **profile: Any) -> bytes:
    return json.dumps({"drug": drug, "profile": profile}).encode()


# Valid bodies over other medicines, profiles and spellings than the benchmark's.
VALID = [
    _body("anakinra"),
    _body("Humira", age_years=41, weight_kg="70 kg", sex="female", pregnant=True),
    _body("xeljanz", age_years=72, kidney={"egfr_ml_min_1_73m2": 25}, medications=["ketoconazole"]),
    _body("Enbrel", age_years=9, weight_kg=31.5, planned_vaccines=["MMR"]),
    _body("Simponi", age_years=55, start_date="2026-12-01", allergies=["latex"]),
    _body("RoActemra", age_years=60, weight_kg="176 lb", conditions=["tuberculosis"]),
    json.dumps({"profile": {"drug": "Cimzia", "age_years": 33}}).encode(),
    json.dumps({"drug": "Ilaris", "profile": {"age_years": 4, "weight_kg": 16}}, indent=2).encode(),
    '{"drug":"Kineret","profile":{"indication":"maladie de Still de l’adulte"}}'.encode(),
]
# Every one of these must reach the route, whose answer must not change.
PASSED_ON: list[tuple[bytes, list[tuple[bytes, bytes]] | None]] = [
    (_body("Kinerettt-xyz"), None),  # unknown medicine: 404 with suggestions
    (_body("anakinra", age_years=-3), None),  # the engine refuses: 422
    (_body("anakinra", age_years=True), None),  # strict types: 422
    (_body("anakinra", weight_kg=""), None),
    (_body("anakinra", conditions=["x"] * 201), None),
    (_body("anakinra", shoe_size=44), None),  # unknown field
    (b'{"drug":"anakinra","drug":"humira"}', None),  # a key given twice
    (b'{"drug":"anakinra","profile":{"age_years":' + b"9" * 40 + b"}}", None),
    (b'{"drug":"anakinra","profile":{"age_years":NaN}}', None),
    (b'{"drug":' + b"[" * 30 + b"]" * 30 + b"}", None),  # deep nesting
    (b'{"drug": "anakinra"', None),  # not JSON
    (b"drug: anakinra\n", None),  # YAML
    (b'["anakinra"]', None),
    (b"", None),
    (b"   ", None),
    (b'\xef\xbb\xbf{"drug":"anakinra"}', None),  # a byte-order mark
    (b' {"drug":"anakinra"}', None),  # leading space
    (b'{"drug":"\xff"}', None),  # not UTF-8
    (json.dumps({"profile": {}}).encode(), None),  # no medicine
    (_body("anakinra"), [(b"content-type", b"text/plain")]),
    (_body("anakinra"), [(b"content-type", b"application/json; charset=utf-8")]),
    (_body("anakinra"), []),  # no Content-Type
    (_body("anakinra"), [*JSON, *JSON]),
]


@pytest.mark.parametrize("body", VALID)
@pytest.mark.parametrize("chunks", [1, 3])
def test_a_valid_check_is_answered_by_the_fast_path_as_the_route_would(
    pair: tuple[FastAPI, FastAPI, Recorder], body: bytes, chunks: int
) -> None:
    fast, slow, recorder = pair
    recorder.passed.clear()
    ours = call(fast, body, chunks=chunks)
    assert recorder.passed == [], "the fast path should have answered"
    assert ours == call(slow, body, chunks=chunks)
    status, headers, out = ours
    assert status == 200 and json.loads(out)["drug"]
    names = [k for k, _ in headers]
    assert names[:2] == [b"content-length", b"content-type"]
    assert dict(headers)[b"content-length"] == str(len(out)).encode()
    assert dict(headers)[b"cache-control"] == b"no-store"  # a person's own answer
    for header in SECURITY_HEADERS:
        assert header in headers


@pytest.mark.parametrize(("body", "headers"), PASSED_ON)
def test_anything_else_reaches_the_route_with_its_body(
    pair: tuple[FastAPI, FastAPI, Recorder],
    body: bytes,
    headers: list[tuple[bytes, bytes]] | None,
) -> None:
    fast, slow, recorder = pair
    recorder.passed.clear()
    ours = call(fast, body, headers, chunks=2)
    assert recorder.passed == [body], "the route should have answered, reading the same body"
    assert ours == call(slow, body, headers, chunks=2)


def test_the_errors_keep_their_shapes(pair: tuple[FastAPI, FastAPI, Recorder]) -> None:
    fast, _, _ = pair
    status, headers, out = call(fast, _body("Kinerettt-xyz"))
    assert status == 404 and json.loads(out)["field"] == "drug"
    assert dict(headers)[b"cache-control"] == b"no-store"
    status, _, out = call(fast, _body("anakinra", shoe_size=44))
    assert (status, json.loads(out)["field"]) == (422, "shoe_size")
    status, _, out = call(fast, b'{"drug":"anakinra","drug":"humira"}')
    assert status == 422 and "twice" in json.loads(out)["error"]


@pytest.mark.parametrize(
    ("body", "kwargs"),
    [
        # over the API limit by its Content-Length: refused before either path
        (b'{"drug":"anakinra","profile":{"indication":"' + b"x" * 600_000 + b'"}}', {}),
        # over the API limit without a Content-Length: counted while read, 413 mid-body
        (
            b'{"drug":"anakinra","profile":{"indication":"' + b"x" * 600_000 + b'"}}',
            {"length": False, "chunks": 8},
        ),
        # over the fast path's own bound, under the API limit: the route reads it
        (b'{"drug":"anakinra","profile":{"indication":"' + b"y" * 70_000 + b'"}}', {}),
        (_body("anakinra"), {"length": False}),
        (_body("anakinra"), {"query": b"x=1"}),
        (_body("anakinra"), {"method": "PUT"}),
        (_body("anakinra"), {"path": "/api/check/"}),
    ],
)
def test_oversized_and_odd_requests_answer_as_the_route_does(
    pair: tuple[FastAPI, FastAPI, Recorder], body: bytes, kwargs: dict[str, Any]
) -> None:
    fast, slow, recorder = pair
    recorder.passed.clear()
    ours = call(fast, body, **kwargs)
    refused_first = kwargs == {} and len(body) > 512 * 1024
    assert len(recorder.passed) == (0 if refused_first else 1), "the route should have answered"
    assert ours == call(slow, body, **kwargs)


def test_a_body_over_the_limit_is_413_either_way(pair: tuple[FastAPI, FastAPI, Recorder]) -> None:
    fast, _, _ = pair
    big = b'{"drug":"anakinra","profile":{"indication":"' + b"x" * 600_000 + b'"}}'
    for kwargs in ({}, {"length": False, "chunks": 8}):
        status, _, out = call(fast, big, **kwargs)  # type: ignore[arg-type]
        assert status == 413 and "over" in json.loads(out)["error"]


def test_a_first_check_runs_in_a_thread_and_a_warm_one_on_the_loop(
    service: Service, pair: tuple[FastAPI, FastAPI, Recorder], monkeypatch: pytest.MonkeyPatch
) -> None:
    from druginfo.interfaces import api

    handed: list[str] = []
    real = api.run_in_threadpool

    async def counted(fn: Any, *args: Any) -> Any:
        handed.append(str(args[0]))
        return await real(fn, *args)

    monkeypatch.setattr(api, "run_in_threadpool", counted)
    fast, slow, _ = pair
    service._forget_check_work()  # as after an ingest: nothing of any medicine in memory
    body = _body("Benepali", age_years=47, medications=["methotrexate 10 mg weekly"])
    assert not service.check_ready("Benepali", {"age_years": 47})
    first = call(fast, body)
    assert handed == ["Benepali"]
    assert service.check_ready("Benepali", {"age_years": 47})
    # another person of the same age group: answered on the loop, the same bytes as the route
    other = _body("Benepali", age_years=52, weight_kg="90 kg")
    assert call(fast, other) == call(slow, other)
    assert first == call(slow, body)
    assert handed == ["Benepali"]
    # a child: another leaflet may be chosen, not yet read; an age as text is not guessed
    assert not service.check_ready("Benepali", {"age_years": 8})
    assert not service.check_ready("Benepali", {"age_years": "47 years"})
    assert not service.check_ready("Benepali", {"age_years": True})
    assert not service.check_ready(None, {})
    # the store's generation is due to be asked: that may rebuild the vocabulary, so a thread
    monkeypatch.setattr(service, "_checked", -1e9)
    assert not service.check_ready("Benepali", {"age_years": 47})
    assert call(fast, other) == call(slow, other)
    assert handed[-1] == "Benepali" and len(handed) == 2
    # the route decides the same way (api.run_check): warm again, on the loop
    assert call(slow, body) == first
    assert len(handed) == 2


def test_a_check_on_a_shared_server_store_never_runs_on_the_loop(
    service: Service, pair: tuple[FastAPI, FastAPI, Recorder], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL the interaction-pair query is a network round trip: a warm check still
    goes to the thread pool (the answer is the same either way)."""
    fast, slow, _ = pair
    body = _body("Benepali", age_years=47, medications=["methotrexate 10 mg weekly"])
    first = call(fast, body)
    assert service.check_ready("Benepali", {"age_years": 47})
    monkeypatch.setattr(service, "_store_backend", "postgresql")
    assert not service.check_ready("Benepali", {"age_years": 47})
    assert call(fast, body) == first == call(slow, body)
