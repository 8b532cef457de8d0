"""HTTP hardening that holds for every route, whatever router produced the response.

One pure-ASGI middleware, outermost, so it also covers static files, error pages and the API:
- security headers on every response (a strict Content-Security-Policy without inline script,
  nosniff, no framing, no referrer leaving the site);
- a request body limit, checked against Content-Length before anything is read and counted
  while reading, so a 1 MB field never reaches a parser or the name matcher;
- refusal of a state-changing request sent by another site (Origin / Sec-Fetch-Site), on every
  path that a browser session can reach; the stateless machine APIs (POST /api/check, CDS Hooks)
  use no cookie, so other origins may call them.

Also here: the access-log filter that keeps query strings (which may carry what a person typed)
out of the server's logs, and the check that a "back to the page" path stays on this site.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from starlette.exceptions import HTTPException

from druginfo.interfaces.web.auth import SESSION_COOKIE

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # Full referrer within the site only. ("no-referrer" would make browsers send `Origin: null`
    # on the site's own form posts, which the cross-site check must refuse.)
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)

# Forms are small; API bodies carry a profile or a CDS Hooks request with its FHIR prefetch.
WEB_BODY_LIMIT = 64 * 1024
API_BODY_LIMIT = 512 * 1024

# Paths called by programs without cookies: other origins may POST to them.
STATELESS_PREFIXES = ("/api/", "/cds-services", "/fhir")
# ...except these, which act on a signed-in person's own records.
PRIVATE_API_PREFIXES = ("/api/diary", "/api/account")
MACHINE_PREFIXES = ("/api", "/cds-services", "/fhir", "/openapi.json")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Answers about a person (their plans, diary, account, check results, what they searched for):
# never stored by a browser's or anyone's cache, so they cannot outlive a sign-out on a shared
# computer or be served from a proxy to someone else.
PRIVATE_PREFIXES = (
    "/plan",
    "/diary",
    "/account",
    "/api/diary",
    "/api/account",
    "/api/check",
    "/cds-services",
    "/search",
    "/suggest",
    "/api/search",
)


def _cookie_names(header: str) -> set[str]:
    return {part.split("=", 1)[0].strip() for part in header.split(";")}


def _prefixes(prefixes: tuple[str, ...], ends: str) -> re.Pattern[str]:
    """One regex for "path is one of these prefixes, or one of them followed by `ends`"."""
    alternatives = "|".join(re.escape(p) for p in prefixes)
    return re.compile(rf"(?:{alternatives})(?:[{re.escape(ends)}]|\Z)")


_PRIVATE = _prefixes(PRIVATE_PREFIXES, "/.?")
_MACHINE = _prefixes(MACHINE_PREFIXES, "/")


class PathFacts:
    """What the middleware decides from the path alone, worked out once per distinct path."""

    __slots__ = ("machine", "private", "public_file", "same_origin")

    def __init__(self, path: str) -> None:
        self.private = _PRIVATE.match(path) is not None
        self.machine = _is_machine(path)
        self.public_file = path.startswith(("/static/", "/docs/assets/"))
        self.same_origin = needs_same_origin(path)


_FACTS: dict[str, PathFacts] = {}
_FACTS_MAX = 4096  # paths carry what callers type: remembered, but never without bound


def path_facts(path: str) -> PathFacts:
    facts = _FACTS.get(path)
    if facts is None:
        facts = PathFacts(path)
        if len(_FACTS) >= _FACTS_MAX:
            _FACTS.clear()
        _FACTS[path] = facts
    return facts


def _policy(
    facts: PathFacts, method: str, status: int, signed_in: bool, response_headers: set[bytes]
) -> bytes | None:
    if b"cache-control" in response_headers:
        return None
    if facts.private or method not in SAFE_METHODS or signed_in or status >= 400:
        return b"no-store"
    if b"set-cookie" in response_headers or not (facts.machine or facts.public_file):
        return b"private"
    return None


def cache_policy(
    path: str, method: str, status: int, headers: dict[str, str], response_headers: set[bytes]
) -> bytes | None:
    """The Cache-Control a response gets when its route set none.

    - no-store: a person's own answers (PRIVATE_PREFIXES), anything answering a write or a
      signed-in request, and every error (an error is about the request that caused it);
    - private: other pages (their forms carry a token bound to this browser's cookie, so a
      shared cache must never hand one browser's page to another) and anything setting a
      cookie;
    - nothing: static files and public API answers, which anyone may cache.
    """
    signed_in = SESSION_COOKIE in _cookie_names(headers.get("cookie", ""))
    return _policy(path_facts(path), method, status, signed_in, response_headers)


def _is_machine(path: str) -> bool:
    return _MACHINE.match(path) is not None


def needs_same_origin(path: str) -> bool:
    if path.startswith(PRIVATE_API_PREFIXES):
        return True
    return not path.startswith(STATELESS_PREFIXES)


def is_cross_site(headers: dict[str, str]) -> bool:
    """True when the browser says another site sent the request (or an opaque origin did)."""
    fetch_site = headers.get("sec-fetch-site", "").strip().lower()
    if fetch_site:
        # Browsers that send it say exactly where the request came from; "none" is the person
        # typing or bookmarking, "same-site" a sibling host, which is not this site either.
        return fetch_site not in ("same-origin", "none")
    origin = headers.get("origin")
    if origin is None:
        return False
    if origin.strip().lower() == "null":
        return True
    host = headers.get("host", "").lower()
    return urlsplit(origin.strip()).netloc.lower() != host


# The request headers the middleware reads (the last of a repeated one counts, as before).
_READ = frozenset({b"cookie", b"content-length", b"sec-fetch-site", b"origin", b"host"})


def _headers(scope: Scope) -> dict[str, str]:
    """The request headers this middleware reads, by lower-case name. (ASGI servers send
    names in lower case; others are lowered here.)"""
    found: dict[str, str] = {}
    for key, value in scope.get("headers", ()):
        if key in _READ or key.lower() in _READ:
            found[key.decode("latin-1").lower()] = value.decode("latin-1")
    return found


_CONTENT_LENGTH = re.compile(r"\d{1,15}")


class SecurityMiddleware:
    """Pure ASGI, per request only what depends on the request: the path's facts are
    remembered per path and the headers are built once."""

    def __init__(
        self, app: ASGIApp, web_limit: int = WEB_BODY_LIMIT, api_limit: int = API_BODY_LIMIT
    ) -> None:
        self.app = app
        self.web_limit = web_limit
        self.api_limit = api_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        path = str(scope.get("path", ""))
        method = str(scope.get("method", "GET")).upper()
        facts = path_facts(path)
        headers = _headers(scope)
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                given = message.get("headers", [])
                present = {k.lower() for k, _ in given}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                cookie = headers.get("cookie")
                signed_in = cookie is not None and SESSION_COOKIE in _cookie_names(cookie)
                policy = _policy(facts, method, int(message["status"]), signed_in, present)
                if policy is not None:
                    extra.append((b"cache-control", policy))
                if https and b"strict-transport-security" not in present:
                    extra.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = [*given, *extra]
            await send(message)

        if method not in SAFE_METHODS and facts.same_origin and is_cross_site(headers):
            await _refuse(send_with_headers, path, 403, "cross-site requests are refused")
            return

        limit = self.api_limit if facts.machine else self.web_limit
        length = headers.get("content-length")
        if length is not None:
            text = length.strip()
            # Digits only, and few of them: int() of a 5,000-digit header is itself the attack.
            if not _CONTENT_LENGTH.fullmatch(text):
                await _refuse(send_with_headers, path, 400, "invalid Content-Length")
                return
            if int(text) > limit:
                await _refuse(
                    send_with_headers, path, 413, f"the request body is over {limit} bytes"
                )
                return

        seen = 0

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise HTTPException(413, f"the request body is over {limit} bytes")
            return message

        await self.app(scope, counted_receive, send_with_headers)


async def _refuse(send: Send, path: str, status: int, error: str) -> None:
    if _is_machine(path):
        body = json.dumps({"error": error, "field": None, "suggestions": []}).encode()
        kind = b"application/json"
    else:
        body = (
            "<!doctype html><html lang=en><meta charset=utf-8><title>Refused</title>"
            f"<h1>Request refused</h1><p>{error}.</p><p><a href=/>Home</a></p></html>"
        ).encode()
        kind = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


# ---------------------------------------------------------------------------------- links


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def safe_local_path(text: object, default: str | None = "/") -> str | None:
    """`text` if it is a path of this site ('/drugs/x?lang=da'), else `default`.

    Browsers read '//host', '/\\host' and '\\\\host' as other sites and strip tabs and newlines
    from URLs, so any backslash, control character or leading double slash is refused, as is
    anything with a scheme or a host.
    """
    if not isinstance(text, str) or not text.startswith("/") or len(text) > 500:
        return default
    if "\\" in text or any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        return default
    if text.startswith("//") or _SCHEME.match(text):
        return default
    parts = urlsplit(text)
    if parts.scheme or parts.netloc:
        return default
    return text


# ---------------------------------------------------------------------------------- logs


class RedactQueryStrings(logging.Filter):
    """Keep query strings out of uvicorn's access log: a URL may carry what a person typed."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            target = args[2]
            if "?" in target:
                record.args = (*args[:2], target.split("?", 1)[0] + "?…", *args[3:])
        return True


def install_log_redaction() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactQueryStrings) for f in access.filters):
        access.addFilter(RedactQueryStrings())


# ---------------------------------------------------------------------------------- error pages

WHAT_YOU_ENTERED = "(what you entered)"


def submitted_values(request: Any) -> list[str]:
    """What this request carried: its query values and, once a handler has read it, its form
    (Starlette keeps the parsed form on the request, `_form`)."""
    values = [v for _, v in getattr(request, "query_params", {}).items()]
    form = getattr(request, "_form", None)
    if form is not None:
        values += [v for _, v in form.multi_items() if isinstance(v, str)]
    return values


def redact_submitted(message: str, values: list[str]) -> str:
    """`message` without the values a person submitted. Error pages say which field to fix and
    how; repeating the value (a diagnosis typed in the wrong box, say) only spreads it further
    — into screenshots, printouts and pasted bug reports."""
    for value in sorted({v.strip() for v in values if v.strip()}, key=len, reverse=True):
        for quoted in (repr(value), f'"{value}"', f"'{value}'"):
            message = message.replace(quoted, WHAT_YOU_ENTERED)
        if len(value) >= 8:  # unquoted too; shorter ones could be words of the message itself
            message = message.replace(value, WHAT_YOU_ENTERED)
        # A long value shortened for the message ("'the first words…").
        for size in range(min(len(value), 200), 7, -1):
            cut = value[:size]
            if cut + "…" in message:
                message = re.sub(r"'?" + re.escape(cut + "…"), WHAT_YOU_ENTERED, message)
                break
    return message
