"""HTTP error mapping: every mistake a caller can make becomes a 4xx that names the field.

Machine clients (the REST API, CDS Hooks, FHIR) need a stable JSON error shape, and a clinician's
EHR must never see a 500 because a form was filled badly. The web site renders its own HTML
error pages; when it provides a renderer we hand its paths over to it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from druginfo.errors import InputError, UnknownDrug, UnknownEvent

log = logging.getLogger(__name__)

FHIR_JSON = "application/fhir+json"

# Paths whose callers are programs: they get JSON errors, never HTML.
API_PREFIXES = ("/api", "/cds-services", "/fhir", "/openapi.json")

HtmlRenderer = Callable[[Request, int, str, str | None, list[str]], Response]


class ErrorBody(BaseModel):
    """The one error shape of the JSON interfaces (CONTRACT.md, "HTTP")."""

    error: str = Field(description="What is wrong, in words a person can act on.")
    field: str | None = Field(
        default=None, description="The request field to fix (dotted for nested fields)."
    )
    suggestions: list[str] = Field(
        default_factory=list, description="Closest known names, for an unknown medicine."
    )


# Documented error responses, shared by the routers so OpenAPI matches what we send.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "Unknown medicine (with suggestions)."},
    422: {"model": ErrorBody, "description": "Invalid input; `field` names what to fix."},
}

# Routes with a request body also answer 400 to bytes that are not JSON text at all.
BODY_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "The body could not be read (`field`: body)."},
}


def _path_kind(path: str) -> str:
    if path.startswith("/fhir"):
        return "fhir"
    if path.startswith("/cds-services"):
        return "cds"
    if any(path == p or path.startswith(p + "/") or path.startswith(p + ".") for p in API_PREFIXES):
        return "api"
    return "web"


def json_error(
    status: int, error: str, field: str | None = None, suggestions: Sequence[str] = ()
) -> JSONResponse:
    body = ErrorBody(error=error, field=field, suggestions=list(suggestions))
    return JSONResponse(body.model_dump(), status_code=status)


def operation_outcome(status: int, error: str, field: str | None = None) -> JSONResponse:
    """FHIR clients expect an OperationOutcome, not our own error shape."""
    code = {404: "not-found", 400: "invalid", 422: "invalid"}.get(status, "processing")
    issue: dict[str, Any] = {"severity": "error", "code": code, "diagnostics": error}
    if field:
        issue["expression"] = [field]
    return JSONResponse(
        {"resourceType": "OperationOutcome", "issue": [issue]},
        status_code=status,
        media_type=FHIR_JSON,
    )


def field_of(loc: Sequence[int | str]) -> str:
    """A pydantic error location as the field a person would fix.

    The transport part ('body', 'query', 'path') and the 'profile' wrapper are dropped so that
    a bad weight is reported as `weight_kg`, the same name the engine uses.
    """
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    if parts and parts[0] == "profile" and len(parts) > 1:
        parts = parts[1:]
    # A JSON decode error's location carries a character offset: the body itself is at fault.
    parts = [p for p in parts if not p.isdigit()] if parts and parts[-1].isdigit() else parts
    return ".".join(parts) or "body"


_TYPE_TAGS = {"int", "float", "str", "bool", "none", "dict", "list"}


def _is_type_tag(part: int | str) -> bool:
    """Union members show up in locations as type names ('int', 'list[str]', 'KidneyIn')."""
    text = str(part)
    return text in _TYPE_TAGS or "[" in text or text.startswith(("function-", "constrained-"))


def first_validation_error(errors: Sequence[Any]) -> tuple[str, str]:
    """(field, message) of the first validation error, worded for a person.

    When one value fails several ways (each member of a union, several items of a list), the
    errors share the value's location: that common part is the field to report.
    """
    if not errors:
        return "body", "the request is not valid"
    err = errors[0] if isinstance(errors[0], dict) else {}
    loc = tuple(err.get("loc", ()))
    kind = err.get("type", "")
    if kind == "json_invalid":
        return "body", "the request body is not valid JSON"
    siblings = [
        tuple(e.get("loc", ()))
        for e in errors
        if isinstance(e, dict) and tuple(e.get("loc", ()))[: len(loc) - 1] == loc[:-1]
    ]
    if len(loc) > 1 and len(siblings) > 1:
        loc = loc[:-1]
    while len(loc) > 1 and _is_type_tag(loc[-1]) and kind != "extra_forbidden":
        loc = loc[:-1]
    field = field_of(loc)
    if kind == "extra_forbidden":
        return field, f"unknown field {field.rsplit('.', 1)[-1]!r}"
    if kind == "missing":
        return field, "this field is required"
    msg = str(err.get("msg", "invalid value"))
    if len(siblings) > 1:
        msg = "; or ".join(
            dict.fromkeys(str(e.get("msg", "")) for e in errors if isinstance(e, dict))
        )
    return field, msg


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app answers at this path (Starlette's own 405 names only
    the first matching route's, e.g. GET where GET and POST are two routes)."""
    methods: set[str] = set()
    for route in request.app.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        if match != Match.NONE and isinstance(getattr(route, "methods", None), set | frozenset):
            methods |= set(route.methods)
    return sorted(methods)


def install_error_handlers(app: FastAPI, html_renderer: HtmlRenderer | None = None) -> None:
    """Register the mapping of druginfo and FastAPI errors to 4xx responses.

    `html_renderer(request, status, error, field, suggestions)` renders web-site errors; without
    it the web paths get the same JSON as the API.
    """

    def respond(
        request: Request,
        status: int,
        error: str,
        field: str | None,
        suggestions: Sequence[str] = (),
    ) -> Response:
        kind = _path_kind(request.url.path)
        if kind == "fhir":
            return operation_outcome(status, error, field)
        if kind == "cds" and status == 422:
            # CDS Hooks 2.0 answers a malformed call with 400 Bad Request.
            status = 400
        if kind == "web" and html_renderer is not None:
            return html_renderer(request, status, error, field, list(suggestions))
        return json_error(status, error, field, suggestions)

    async def on_input_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, InputError)
        return respond(request, 422, exc.message, exc.field)

    async def on_unknown_drug(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, UnknownDrug)
        field = "drug" if request.method in ("POST", "PUT", "PATCH") else "name"
        return respond(request, 404, str(exc), field, exc.suggestions)

    async def on_unknown_event(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, UnknownEvent)
        return respond(request, 422, str(exc), "event")

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        kind = _path_kind(request.url.path)
        if kind == "web" and html_renderer is None:
            return await request_validation_exception_handler(request, exc)
        field, message = first_validation_error(exc.errors())
        return respond(request, 422, message, field)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        kind = _path_kind(request.url.path)
        if kind == "web" and html_renderer is None:
            return await http_exception_handler(request, exc)
        field = "body" if exc.status_code == 400 and "body" in str(exc.detail) else None
        response = respond(request, exc.status_code, str(exc.detail), field)
        if exc.headers:
            response.headers.update(exc.headers)
        if exc.status_code == 405:
            response.headers["Allow"] = ", ".join(allowed_methods(request))
        return response

    async def on_crash(request: Request, exc: Exception) -> Response:
        # Never reached for bad input (those are mapped above); logged so it gets fixed.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return respond(request, 500, "internal error", None)

    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        InputError: on_input_error,
        UnknownDrug: on_unknown_drug,
        UnknownEvent: on_unknown_event,
        RequestValidationError: on_validation,
        StarletteHTTPException: on_http,
        Exception: on_crash,
    }
    for exc_type, handler in handlers.items():
        app.add_exception_handler(exc_type, handler)
