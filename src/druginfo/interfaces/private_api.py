"""The signed-in person's own records as JSON: their diary entries and an export of their data.

Authentication is the web site's session cookie (signed, HttpOnly, SameSite=Lax); a request
without a valid one gets 401. Every read and write names the account, so an id belonging to
someone else answers exactly like an unknown one: 404. Cross-site writes are refused by the
security middleware before they reach these routes.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Path, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import APIKeyCookie
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from druginfo.errors import InputError
from druginfo.interfaces.errors import BODY_ERRORS, ERROR_RESPONSES, ErrorBody, json_error
from druginfo.interfaces.web.auth import SESSION_COOKIE, Auth
from druginfo.interfaces.web.forms import MAX_NAME
from druginfo.model import DiaryEntry
from druginfo.store.private import iter_export

if TYPE_CHECKING:
    from druginfo.service import Service

session_cookie = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    description="The session cookie set by signing in on the web site (/account/sign-in).",
)

PRIVATE_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    401: {"model": ErrorBody, "description": "Not signed in (no valid session cookie)."},
    404: {"model": ErrorBody, "description": "No such entry among yours."},
}

# Declares the cookie in OpenAPI (so clients and schemathesis send it); read through Auth.
Cookie = Annotated[str | None, Depends(session_cookie)]
EntryId = Annotated[str, Path(min_length=1, max_length=100, description="A diary entry's id.")]


class DiaryEntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    drug: StrictStr = Field(min_length=1, max_length=MAX_NAME, description="The medicine.")
    reaction: StrictStr = Field(min_length=1, max_length=2000, description="What happened.")
    started: dt.date = Field(description="The day it started (YYYY-MM-DD), not in the future.")
    severity: Literal["mild", "moderate", "severe", "life-threatening"]
    outcome: StrictStr | None = Field(default=None, max_length=2000)


class DiaryEntryOut(BaseModel):
    id: str
    drug: str
    reaction: str
    started: dt.date
    severity: str
    outcome: str | None = None
    created: dt.datetime | None = None


def _out(entry: DiaryEntry) -> DiaryEntryOut:
    return DiaryEntryOut.model_validate(entry.model_dump())


def build_private_api_router(service: Service) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["your records"], responses=PRIVATE_ERRORS)
    auth = Auth.of(service.private)

    def unauthorized() -> JSONResponse:
        return json_error(401, "sign in first (the session cookie is missing or expired)")

    @router.get("/diary", response_model=list[DiaryEntryOut], summary="Your diary entries")
    def list_entries(request: Request, _cookie: Cookie) -> Response:
        account = auth.account(request)
        if account is None:
            return unauthorized()
        entries = [_out(e).model_dump(mode="json") for e in service.private.entries(account.id)]
        return JSONResponse(entries, headers={"Cache-Control": "no-store"})

    @router.post(
        "/diary",
        status_code=201,
        response_model=DiaryEntryOut,
        summary="Add an entry to your diary",
        responses=BODY_ERRORS,
    )
    def add_entry(
        request: Request, _cookie: Cookie, entry: Annotated[DiaryEntryIn, Body()]
    ) -> Response:
        account = auth.account(request)
        if account is None:
            return unauthorized()
        if entry.started > dt.date.today():
            raise InputError("started", "the start date cannot be in the future")
        match = service.resolve(entry.drug)
        saved = service.private.add_entry(
            account.id, DiaryEntry(**{**entry.model_dump(), "drug": match.key})
        )
        return JSONResponse(_out(saved).model_dump(mode="json"), status_code=201)

    @router.get("/diary/{entry_id}", response_model=DiaryEntryOut, summary="One of your entries")
    def get_entry(request: Request, _cookie: Cookie, entry_id: EntryId) -> Response:
        account = auth.account(request)
        if account is None:
            return unauthorized()
        entry = service.private.entry(account.id, entry_id)
        if entry is None:
            return json_error(404, "no such entry in your diary", "entry_id")
        return JSONResponse(
            _out(entry).model_dump(mode="json"), headers={"Cache-Control": "no-store"}
        )

    @router.delete(
        "/diary/{entry_id}",
        status_code=204,
        response_class=Response,
        summary="Delete one of your entries",
    )
    def delete_entry(request: Request, _cookie: Cookie, entry_id: EntryId) -> Response:
        account = auth.account(request)
        if account is None:
            return unauthorized()
        if not service.private.delete_entry(account.id, entry_id):
            return json_error(404, "no such entry in your diary", "entry_id")
        return Response(status_code=204)

    @router.get("/account/export", summary="Everything kept about you, as JSON")
    def export(request: Request, _cookie: Cookie) -> Response:
        account = auth.account(request)
        if account is None:
            return unauthorized()
        return JSONResponse(
            dict(iter_export(service.private, account)), headers={"Cache-Control": "no-store"}
        )

    return router
