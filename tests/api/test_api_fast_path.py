"""`GET /api/drugs/{name}` answered by the fast path is the route's own answer, byte for byte.

Each request is sent as raw ASGI to the app as built and to the same app without the fast
path (the FastAPI route alone); status, every header (in order) and the body must be equal.
The fast path must answer the plain successful requests itself and pass everything else on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from druginfo import service as service_module
from druginfo.errors import InputError, NoDocument, UnknownDrug
from druginfo.interfaces.api_fast import MonographFastPath
from druginfo.interfaces.app import create_app
from druginfo.interfaces.web.security import SECURITY_HEADERS
from druginfo.model import Identity, Monograph, Section, Source, SourceKind, Topic
from druginfo.service import Service, build_vocab
from druginfo.store import open_store
from support.asgi import layer_of

Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


def _scope(method: str, path: str, query: bytes = b"", root_path: str = "") -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode("utf-8"),
        "query_string": query,
        "root_path": root_path,
        "headers": [(b"host", b"druginfo.test"), (b"accept", b"*/*")],
        "client": ("127.0.0.1", 50000),
        "server": ("druginfo.test", 80),
        "state": {},
    }


def call(app: Any, method: str, path: str, query: bytes = b"", root_path: str = "") -> Answer:
    """One raw ASGI exchange: (status, headers as sent, body)."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(_scope(method, path, query, root_path), receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return int(start["status"]), [tuple(h) for h in start["headers"]], body


class Recorder:
    """Stands between the fast path and the rest of the app: counts what was passed on."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.passed: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.passed.append(scope["path"])
        await self.app(scope, receive, send)


def route_only(service: Service) -> FastAPI:
    """The same app without the fast path: every request goes through the FastAPI route."""
    app = create_app(service)
    app.user_middleware = [m for m in app.user_middleware if m.cls is not MonographFastPath]
    app.middleware_stack = None
    return app


@pytest.fixture(scope="module")
def pair(service: Service) -> Iterator[tuple[FastAPI, FastAPI, Recorder]]:
    fast = create_app(service)
    layer = layer_of(fast, MonographFastPath)
    recorder = Recorder(layer.app)
    layer.app = recorder
    yield fast, route_only(service), recorder


def _a_name_with_a_danish_document(service: Service) -> str:
    for drug in service.list_drugs():
        try:
            if service.monograph(drug.key, "da").language == "da":
                return drug.key
        except UnknownDrug:
            continue
    pytest.skip("no Danish document stored")


# Successful, plain requests: answered by the fast path.
ANSWERED = [
    ("/api/drugs/anakinra", b""),
    ("/api/drugs/Kineret", b""),
    ("/api/drugs/KINERET", b""),
    ("/api/drugs/kineret ", b""),
    ("/api/drugs/Humira", b""),
    ("/api/drugs/adalimumab", b"lang=en"),
    ("/api/drugs/anakinra", b"lang=EN"),
]
# Everything else: the route answers (errors, odd spellings, other methods).
PASSED_ON = [
    ("GET", "/api/drugs/Kinerettt-xyz", b""),  # unknown: 404 with suggestions
    ("GET", "/api/drugs/mumps virus", b""),  # known substance, no document of its own
    ("GET", "/api/drugs/" + "a" * 201, b""),  # over the name's bound: 422
    ("GET", "/api/drugs/anakinra", b"lang=not%20a%20language"),  # 422 on lang
    ("GET", "/api/drugs/anakinra", b"lang="),
    ("GET", "/api/drugs/anakinra", b"lang=e"),
    ("GET", "/api/drugs/anakinra", b"lang=en&lang=da"),
    ("GET", "/api/drugs/anakinra", b"lang=en&other=1"),
    ("GET", "/api/drugs/anakinra", b"lang=%65n"),
    ("GET", "/api/drugs/anakinra", b"LANG=en"),
    ("GET", "/api/drugs/anakinra/", b""),
    ("GET", "/api/drugs/", b""),
    ("HEAD", "/api/drugs/anakinra", b""),
    ("POST", "/api/drugs/anakinra", b""),  # 405 with Allow
]


@pytest.mark.parametrize(("path", "query"), ANSWERED)
def test_plain_request_is_answered_by_the_fast_path_as_the_route_would(
    pair: tuple[FastAPI, FastAPI, Recorder], path: str, query: bytes
) -> None:
    fast, slow, recorder = pair
    recorder.passed.clear()
    ours = call(fast, "GET", path, query)
    assert recorder.passed == [], "the fast path should have answered"
    assert ours == call(slow, "GET", path, query)
    status, headers, body = ours
    assert status == 200 and body.startswith(b"{")
    names = [k for k, _ in headers]
    assert names[:2] == [b"content-length", b"content-type"]
    assert dict(headers)[b"content-length"] == str(len(body)).encode()
    for header in SECURITY_HEADERS:
        assert header in headers
    assert b"cache-control" not in names  # a public answer: anyone may cache it


def test_a_danish_document_is_answered_as_the_route_would(
    service: Service, pair: tuple[FastAPI, FastAPI, Recorder]
) -> None:
    fast, slow, recorder = pair
    name = _a_name_with_a_danish_document(service)
    recorder.passed.clear()
    for query in (b"lang=da", b"lang=DA"):
        ours = call(fast, "GET", f"/api/drugs/{name}", query)
        assert ours == call(slow, "GET", f"/api/drugs/{name}", query)
        assert ours[0] == 200 and b'"language":"da"' in ours[2]
    assert recorder.passed == []


@pytest.mark.parametrize(("method", "path", "query"), PASSED_ON)
def test_anything_else_is_passed_to_the_route(
    pair: tuple[FastAPI, FastAPI, Recorder], method: str, path: str, query: bytes
) -> None:
    fast, slow, recorder = pair
    recorder.passed.clear()
    ours = call(fast, method, path, query)
    assert recorder.passed == [path], "the route should have answered"
    assert ours == call(slow, method, path, query)


def test_the_errors_keep_their_shapes(pair: tuple[FastAPI, FastAPI, Recorder]) -> None:
    import json

    fast, _, _ = pair
    status, headers, body = call(fast, "GET", "/api/drugs/Kinerettt-xyz")
    unknown = json.loads(body)
    assert status == 404 and unknown["field"] == "name"
    assert any("kineret" in s.lower() or "anakinra" in s.lower() for s in unknown["suggestions"])
    assert dict(headers)[b"cache-control"] == b"no-store"
    status, _, body = call(fast, "GET", "/api/drugs/mumps virus")
    assert status == 404 and "no leaflet or label of it is stored" in json.loads(body)["error"]
    status, _, body = call(fast, "GET", "/api/drugs/" + "b" * 201)
    assert (status, json.loads(body)["field"]) == (422, "name")
    status, _, body = call(fast, "GET", "/api/drugs/anakinra", b"lang=e")
    assert (status, json.loads(body)["field"]) == (422, "lang")


def test_the_route_stays_in_the_openapi_schema(app: FastAPI) -> None:
    operation = app.openapi()["paths"]["/api/drugs/{name}"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["name"]["in"] == "path" and params["name"]["required"]
    assert params["name"]["schema"]["maxLength"] == 200
    assert params["lang"]["in"] == "query" and not params["lang"].get("required", False)
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["$ref"].endswith("/Monograph")
    for status in ("404", "422"):
        error = operation["responses"][status]["content"]["application/json"]["schema"]
        assert error["$ref"].endswith("/ErrorBody")


@pytest.mark.parametrize("name", ["anakinra", "openapi.json", "health", "x.ics", "a b"])
def test_the_router_gives_what_the_fast_path_answers_to_get_drug(
    service: Service, name: str
) -> None:
    """The fast path answers what the router would give to `get_drug`: no other route may
    claim a path of the form /api/drugs/<name>."""
    scope = _scope("GET", f"/api/drugs/{name}")
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    asyncio.run(route_only(service)(scope, receive, send))
    assert scope["endpoint"].__name__ == "get_drug"
    assert isinstance(scope["route"], APIRoute) and scope["route"].path == "/api/drugs/{name}"


# --- the fast path alone, over a service that fails in every way it can ----------------------


class FailingService:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def monograph_json(self, name: str, language: str | None = None) -> bytes:
        raise self.error


@pytest.mark.parametrize(
    "error",
    [
        UnknownDrug("x", ["y"]),
        NoDocument("x", "x", ["x + z"], loading=True),
        InputError("name", "bad"),
        RuntimeError("the store went away"),
    ],
)
def test_every_error_goes_to_the_route(error: Exception) -> None:
    async def route(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 599, "headers": []})
        await send({"type": "http.response.body", "body": b"route"})

    layer = MonographFastPath(route, FailingService(error))  # type: ignore[arg-type, unused-ignore]
    assert call(layer, "GET", "/api/drugs/x") == (599, [], b"route")


def test_a_root_path_is_left_to_the_router(service: Service) -> None:
    calls: list[str] = []

    async def route(scope: Any, receive: Any, send: Any) -> None:
        calls.append(scope["path"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    layer = MonographFastPath(route, service)
    call(layer, "GET", "/prefix/api/drugs/anakinra", root_path="/prefix")
    assert calls == ["/prefix/api/drugs/anakinra"]


# --- live updates and the first-run fill, over their own stores --------------------------------


def _mono(key: str, text: str, brands: list[str]) -> Monograph:
    source = Source(
        id=f"src-{key}",
        publisher="A publisher of this test",
        document=f"{key} label",
        kind=SourceKind.label,
        language="en",
    )
    return Monograph(
        key=key,
        identity=Identity(generic=key, brands=brands, substances=[key]),
        language="en",
        sources=[source],
        sections=[Section(topic=Topic.other, title="About", text=text)],
    )


def test_a_running_server_serves_what_another_process_ingests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service_module, "LIVE_CHECK_SECONDS", 0.0)
    url = f"sqlite:///{tmp_path / 'live.db'}"
    served = open_store(url)
    served.upsert_monograph(
        _mono("pelvorimab", "Pelvorimab is a test.", []), doc_id="t:p", checksum="p"
    )
    svc = Service(served, build_vocab(served))
    fast, slow = create_app(svc), route_only(svc)
    other = open_store(url)  # `druginfo ingest` in another process
    try:
        assert call(fast, "GET", "/api/drugs/Quillatro")[0] == 404
        other.upsert_monograph(
            _mono("quillastatin", "Take 5 mg daily.", ["Quillatro"]), doc_id="t:q", checksum="1"
        )
        status, _, body = call(fast, "GET", "/api/drugs/Quillatro")
        assert status == 200 and b"5 mg" in body
        assert call(fast, "GET", "/api/drugs/Quillatro") == call(
            slow, "GET", "/api/drugs/Quillatro"
        )
        other.upsert_monograph(
            _mono("quillastatin", "Take 7 mg daily.", ["Quillatro"]), doc_id="t:q", checksum="2"
        )
        status, _, body = call(fast, "GET", "/api/drugs/quillastatin")
        assert status == 200 and b"7 mg" in body and b"5 mg" not in body
    finally:
        other.close()
        served.close()


def test_a_medicine_not_yet_stored_in_the_first_fill_is_said_to_be_loading(
    tmp_path: Path,
) -> None:
    import json

    from druginfo.ingest import bootstrap_curated
    from druginfo.service import cached_vocab
    from druginfo.store import FILL_MARK

    store = open_store(f"sqlite:///{tmp_path / 'filling.db'}", bootstrap=False)
    try:
        store.set_meta(FILL_MARK, "started")  # type: ignore[attr-defined, unused-ignore]
        bootstrap_curated(store)
        svc = Service(store, cached_vocab(store))
        fast, slow = create_app(svc), route_only(svc)
        ours = call(fast, "GET", "/api/drugs/baricitinib")
        assert ours == call(slow, "GET", "/api/drugs/baricitinib")
        assert ours[0] == 404 and "still being loaded" in json.loads(ours[2])["error"]
    finally:
        store.close()
