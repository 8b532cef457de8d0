"""A short way through the framework for the one hot read: `GET /api/drugs/{name}`.

The monograph's bytes are already cached by the service (per stored document version and,
within one store generation, per name asked), so serving one costs a few microseconds; what
FastAPI adds around it (matching ~40 routes, solving the path and query parameters through
pydantic, the exception and exit-stack layers) cost about ten times that. This middleware
answers the plain, valid, successful request itself and hands everything else to the app
unchanged:

- only `GET` on `/api/drugs/<name>` with no root path, a name of 1-200 characters without a
  slash, and a query string that is empty or exactly `lang=<code>` in the route's own pattern;
- only when the service returns the bytes: any error (unknown medicine with suggestions, no
  document, still being loaded, a bad name) goes to the FastAPI route, which asks the service
  again and answers with the usual status and error JSON.

So the route in `api.py` stays the one description of the endpoint (OpenAPI, `/docs`) and
the one source of its errors; the answers given here are the route's own, byte for byte
(same status, same headers, same body: tests/api/test_api_fast_path.py compares them). It
sits inside SecurityMiddleware, which adds the security and cache headers to both paths.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pydantic import ValidationError

from druginfo.errors import InputError
from druginfo.interfaces.api import CheckRequest, read_bounded, run_check
from druginfo.interfaces.web.security import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from druginfo.service import Service

PREFIX = "/api/drugs/"
# The route's own bounds (api.NameParam, api.LangParam); anything outside them, or spelt any
# other way (percent-escapes, '+', a second parameter), takes the validated route.
MAX_NAME = 200
LANG_QUERY = re.compile(rb"lang=([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,4})?)")
JSON_HEADERS_TAIL = (b"content-type", b"application/json")


class MonographFastPath:
    """Pure ASGI; see the module docstring for what it answers and what it passes on."""

    def __init__(self, app: ASGIApp, service: Service) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = self._answer(scope) if scope["type"] == "http" else None
        if body is None:
            await self.app(scope, receive, send)
            return
        # The headers Starlette's Response(content, media_type="application/json") sends.
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-length", str(len(body)).encode()), JSON_HEADERS_TAIL],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _answer(self, scope: Scope) -> bytes | None:
        """The monograph's bytes when this request is one the fast path may answer."""
        if scope["method"] != "GET" or scope.get("root_path"):
            return None
        path: str = scope["path"]
        if not path.startswith(PREFIX):
            return None
        name = path[len(PREFIX) :]
        if not name or len(name) > MAX_NAME or "/" in name:
            return None
        query: bytes = scope.get("query_string", b"")
        language: str | None = None
        if query:
            found = LANG_QUERY.fullmatch(query)
            if found is None:
                return None
            language = found.group(1).decode("ascii").lower()
        try:
            return self.service.monograph_json(name, language)
        except Exception:
            return None


# --------------------------------------------------------------------- POST /api/check

CHECK_PATH = "/api/check"
# A profile is a few hundred bytes; larger bodies (still under the security middleware's
# limit) take the route, which reads and bounds them as always.
MAX_CHECK_BODY = 64 * 1024
_DIGITS = re.compile(rb"\d{1,6}")


class CheckFastPath:
    """Pure ASGI: answers the plain, valid, successful `POST /api/check` itself.

    A check is a few hundred microseconds of work; FastAPI's routing, dependency solving, the
    second JSON parse of the body and the exception layers cost about as much again. This
    answers only when every step the route takes succeeds here with the route's own code:

    - only `POST /api/check` with no root path, no query string, exactly one Content-Type,
      `application/json`, and one Content-Length of at most 64 KiB;
    - the body, once read, starts with `{` and passes the route's own bounded reader
      (`bounded_body`: size, depth, duplicate keys, number lengths) and validates as the
      route's own `CheckRequest` (the parsed dict equals what the route's JSON parser makes of
      these bytes: the bounded reader only refuses more);
    - `Service.check` returns a result (run as the route runs it, `api.run_check`: on the
      event loop when warm, else in the thread pool).

    Anything else, and any exception on the way, hands the request to the app with the body
    replayed message by message (an exception raised while reading, such as the security
    middleware's 413, is raised again at the same point), so the route answers exactly as it
    would have; a failed check is run again by the route, whose error handlers give the
    error its status and body. The success answer carries the headers Starlette's
    `Response(content, media_type="application/json")` sends.
    """

    def __init__(self, app: ASGIApp, service: Service) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _eligible(scope):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        error: Exception | None = None
        body: bytes | None = None
        try:
            chunks: list[bytes] = []
            while True:
                message = await receive()
                messages.append(message)
                if message["type"] != "http.request":
                    break  # a disconnect: the route sees it too
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    body = b"".join(chunks)
                    break
        except Exception as exc:  # e.g. the body limit's 413: raised again for the route
            error = exc
        answer = await self._answer(body) if body is not None else None
        if answer is None:
            await self.app(scope, _replay(messages, error, receive), send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-length", str(len(answer)).encode()), JSON_HEADERS_TAIL],
            }
        )
        await send({"type": "http.response.body", "body": answer})

    async def _answer(self, body: bytes) -> bytes | None:
        """The route's success body for `body`, or None when the route must answer."""
        if not body.startswith(b"{"):
            return None
        try:
            request = CheckRequest.model_validate(read_bounded(body))
        except (InputError, ValidationError):
            return None
        try:
            result = await run_check(self.service, request.drug, request.profile.raw())
        except Exception:
            return None
        return result.model_dump_json().encode()


def _eligible(scope: Scope) -> bool:
    if scope["method"] != "POST" or scope["path"] != CHECK_PATH:
        return False
    if scope.get("root_path") or scope.get("query_string"):
        return False
    content_type: list[bytes] = []
    length: list[bytes] = []
    for key, value in scope.get("headers", ()):
        name = key.lower()
        if name == b"content-type":
            content_type.append(value)
        elif name == b"content-length":
            length.append(value)
    if content_type != [b"application/json"] or len(length) != 1:
        return False
    return _DIGITS.fullmatch(length[0]) is not None and int(length[0]) <= MAX_CHECK_BODY


def _replay(messages: list[Message], error: Exception | None, receive: Receive) -> Receive:
    """A receive that gives back what was read, then the error it ended with, then the rest."""
    pending = list(messages)

    async def replayed() -> Message:
        nonlocal error
        if pending:
            return pending.pop(0)
        if error is not None:
            raised, error = error, None
            raise raised
        return await receive()

    return replayed
