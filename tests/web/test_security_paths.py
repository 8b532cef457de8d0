"""The security middleware decides from each path what it decided before it remembered paths:
the same Cache-Control, the same body limit, the same cross-site rule (compared with the
straightforward prefix tests it replaced, over every prefix and its neighbours and over
generated paths), and it reads the same request headers."""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from druginfo.interfaces.web import security
from druginfo.interfaces.web.auth import SESSION_COOKIE
from druginfo.interfaces.web.security import (
    MACHINE_PREFIXES,
    PRIVATE_PREFIXES,
    SAFE_METHODS,
    STATELESS_PREFIXES,
    SecurityMiddleware,
    cache_policy,
)


def reference_policy(
    path: str, method: str, status: int, headers: dict[str, str], response_headers: set[bytes]
) -> bytes | None:
    """The rule as first written: one prefix test after the other, on every request."""
    if b"cache-control" in response_headers:
        return None
    cookies = {p.split("=", 1)[0].strip() for p in headers.get("cookie", "").split(";")}
    private = any(
        path == p or path.startswith((p + "/", p + ".", p + "?")) for p in PRIVATE_PREFIXES
    )
    if private or method not in SAFE_METHODS or SESSION_COOKIE in cookies or status >= 400:
        return b"no-store"
    machine = any(path == p or path.startswith(p + "/") for p in MACHINE_PREFIXES)
    public_file = path.startswith(("/static/", "/docs/assets/"))
    if b"set-cookie" in response_headers or not (machine or public_file):
        return b"private"
    return None


def neighbours() -> list[str]:
    """Every prefix the middleware knows, alone and followed by what may or may not extend it."""
    stems = {*PRIVATE_PREFIXES, *MACHINE_PREFIXES, *STATELESS_PREFIXES, "/static", "/docs/assets"}
    tails = ["", "/", ".", "?", "x", "/x", ".ics", "-x", "//", "/./", "s"]
    paths = {stem + tail for stem in stems for tail in tails}
    return sorted(paths | {"/", "", "/drugs/anakinra", "/API/check", "/plan%2Fx", "/docs"})


CASES = [
    (method, status, headers, present)
    for method in ("GET", "HEAD", "POST", "DELETE")
    for status in (200, 304, 404, 500)
    for headers in ({}, {"cookie": f"{SESSION_COOKIE}=abc"}, {"cookie": "other=1; x=2"})
    for present in (set(), {b"cache-control"}, {b"set-cookie"})
]


def test_every_prefix_and_its_neighbours_get_the_same_cache_control() -> None:
    for path in neighbours():
        for method, status, headers, present in CASES:
            expected = reference_policy(path, method, status, headers, present)
            assert cache_policy(path, method, status, headers, present) == expected, (
                path,
                method,
                status,
                headers,
                present,
            )


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(alphabet="/apiclnodryx.?-sheftu", max_size=24),
        st.sampled_from(neighbours()).flatmap(lambda p: st.text(max_size=6).map(lambda t: p + t)),
    )
)
def test_generated_paths_get_the_same_answers(path: str) -> None:
    for method, status, headers, present in CASES[::7]:
        assert cache_policy(path, method, status, headers, present) == reference_policy(
            path, method, status, headers, present
        )
    machine = any(path == p or path.startswith(p + "/") for p in MACHINE_PREFIXES)
    assert security.path_facts(path).machine == machine


def test_the_remembered_paths_stay_bounded() -> None:
    for i in range(security._FACTS_MAX + 10):
        security.path_facts(f"/api/drugs/n{i}")
    assert len(security._FACTS) <= security._FACTS_MAX


def _run(app: Any, headers: list[tuple[bytes, bytes]], method: str = "POST") -> list[Any]:
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {"type": "http", "method": method, "path": "/feedback", "headers": headers}
    asyncio.run(SecurityMiddleware(app)(scope, receive, send))
    return sent


async def _ok(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def test_request_headers_are_read_whatever_their_case_and_the_last_one_counts() -> None:
    cross = [(b"Origin", b"https://elsewhere.example"), (b"Host", b"druginfo.test")]
    assert _run(_ok, cross)[0]["status"] == 403
    same = [(b"origin", b"https://elsewhere.example"), (b"origin", b"http://druginfo.test")]
    assert _run(_ok, [*same, (b"host", b"druginfo.test")])[0]["status"] == 200
    assert _run(_ok, [(b"Content-Length", b"12x")])[0]["status"] == 400
    assert _run(_ok, [(b"content-length", b"9" * 16)])[0]["status"] == 400
    big = str(security.WEB_BODY_LIMIT + 1).encode()
    assert _run(_ok, [(b"CONTENT-LENGTH", big)])[0]["status"] == 413
    signed_in = [(b"Cookie", f"{SESSION_COOKIE}=abc".encode())]
    start = _run(_ok, signed_in, method="GET")[0]
    assert dict(start["headers"])[b"cache-control"] == b"no-store"
    start = _run(_ok, [], method="GET")[0]
    assert dict(start["headers"])[b"cache-control"] == b"private"
