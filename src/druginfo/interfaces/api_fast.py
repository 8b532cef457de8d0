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

from druginfo.interfaces.web.security import ASGIApp, Receive, Scope, Send

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
