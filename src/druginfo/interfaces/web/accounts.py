"""Accounts on the web site: register, sign in, sign out, see, export and delete one's data.

An account exists so that a side-effect diary and saved plans are one person's alone; it holds
a user name and an argon2 hash, nothing else. Every form here carries the CSRF token (sign-in
too, so nobody can sign a visitor into an account of theirs), and failed sign-ins are limited
per address and per name before any password hash is computed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from druginfo.interfaces.web.auth import (
    MAX_PASSWORD,
    MIN_PASSWORD,
    USERNAME,
    Auth,
    hash_password,
    normalise_username,
)
from druginfo.interfaces.web.ratelimit import AttemptLimiter, Limit, address_key
from druginfo.store.private import account_owner, iter_export, visitor_owner

if TYPE_CHECKING:
    from druginfo.service import Service

Render = Callable[..., HTMLResponse]

# Failed sign-ins: 5 per name and 20 per address in 15 minutes; new accounts: 10 per address an hour.
SIGN_IN_PER_NAME = Limit("sign-in-name", 5, 15 * 60)
SIGN_IN_PER_ADDRESS = Limit("sign-in-address", 20, 15 * 60)
REGISTER_PER_ADDRESS = Limit("register-address", 10, 3600)


def _client(request: Request) -> str:
    return address_key(request.client.host if request.client else None)


def _form_text(form: Any, name: str, limit: int) -> str:
    value = form.get(name)
    return value[: limit + 1] if isinstance(value, str) else ""


def add_account_routes(router: APIRouter, service: Service, auth: Auth, render: Render) -> None:
    limiter = AttemptLimiter(service.private)

    def form_page(
        request: Request,
        mode: str,
        status_code: int = 200,
        error: str | None = None,
        username: str = "",
        headers: dict[str, str] | None = None,
    ) -> HTMLResponse:
        page = render(
            request,
            "account_form.html",
            status_code,
            title="Create an account" if mode == "register" else "Sign in",
            mode=mode,
            error=error,
            username=username,
            min_password=MIN_PASSWORD,
            max_password=MAX_PASSWORD,
        )
        page.headers.update(headers or {})
        return page

    @router.get("/account/sign-in", response_class=HTMLResponse)
    def sign_in_form(request: Request) -> HTMLResponse:
        return form_page(request, "sign-in")

    @router.post("/account/sign-in", response_model=None)
    async def sign_in(request: Request) -> Response:
        form = await request.form()
        auth.check_csrf(request, form)
        username = normalise_username(_form_text(form, "username", 64))
        password = _form_text(form, "password", MAX_PASSWORD)
        # Counted before the password is checked (and before any hash is computed), so
        # simultaneous guesses in several processes cannot all pass one check.
        name = (SIGN_IN_PER_NAME, username)
        attempt = limiter.take(name, (SIGN_IN_PER_ADDRESS, _client(request)))
        if not attempt.allowed:
            return form_page(
                request,
                "sign-in",
                429,
                f"Too many failed attempts. Try again in {int(attempt.wait // 60) + 1} minutes.",
                username,
                headers={"Retry-After": str(int(attempt.wait) + 1)},
            )
        account = None
        if USERNAME.fullmatch(username) and MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
            account = auth.verify(username, password)
        if account is None:
            return form_page(
                request, "sign-in", 401, "That user name and password do not match.", username
            )
        limiter.forgive(attempt)  # only failures count
        limiter.reset(name)
        response = RedirectResponse("/diary", status_code=303)
        auth.sign_in(request, response, account)
        return response

    @router.get("/account/register", response_class=HTMLResponse)
    def register_form(request: Request) -> HTMLResponse:
        return form_page(request, "register")

    @router.post("/account/register", response_model=None)
    async def register(request: Request) -> Response:
        form = await request.form()
        auth.check_csrf(request, form)
        username = normalise_username(_form_text(form, "username", 64))
        password = _form_text(form, "password", MAX_PASSWORD)
        confirm = _form_text(form, "confirm", MAX_PASSWORD)
        error = None
        if not USERNAME.fullmatch(username):
            error = (
                "Choose a user name of 3 to 64 letters, digits or . _ @ + - "
                "(starting with a letter or digit)."
            )
        elif not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
            error = f"Choose a password of {MIN_PASSWORD} to {MAX_PASSWORD} characters."
        elif password != confirm:
            error = "The two passwords differ."
        if error:
            return form_page(request, "register", 422, error, username)
        attempt = limiter.take((REGISTER_PER_ADDRESS, _client(request)))
        if not attempt.allowed:
            return form_page(
                request,
                "register",
                429,
                "Too many new accounts from here. Try again later.",
                username,
                headers={"Retry-After": str(int(attempt.wait) + 1)},
            )
        account = service.private.create_account(username, hash_password(password))
        if account is None:
            return form_page(request, "register", 409, "That user name is taken.", username)
        response = RedirectResponse("/account", status_code=303)
        auth.sign_in(request, response, account)
        return response

    @router.post("/account/sign-out", response_model=None)
    async def sign_out(request: Request) -> Response:
        form = await request.form()
        auth.check_csrf(request, form)
        response = RedirectResponse("/", status_code=303)
        auth.sign_out(request, response)
        return response

    @router.get("/account", response_model=None)
    def account_page(request: Request) -> Response:
        account = auth.account(request)
        if account is None:
            return RedirectResponse("/account/sign-in", status_code=303)
        page = render(
            request,
            "account.html",
            title="Your account",
            plans=service.private.plans(account_owner(account.id)),
            entries=len(service.private.entries(account.id)),
        )
        page.headers["Cache-Control"] = "no-store"
        return page

    @router.get("/account/export.json", response_model=None)
    def export(request: Request) -> Response:
        account = auth.account(request)
        if account is None:
            return Response(
                json.dumps({"error": "sign in first", "field": None}),
                401,
                media_type="application/json",
            )
        body = json.dumps(dict(iter_export(service.private, account)), ensure_ascii=False)
        return Response(
            body,
            media_type="application/json",
            headers={
                "Content-Disposition": 'attachment; filename="druginfo-my-data.json"',
                "Cache-Control": "no-store",
            },
        )

    @router.post("/account/delete", response_model=None)
    async def delete(request: Request) -> Response:
        form = await request.form()
        auth.check_csrf(request, form)
        account = auth.account(request)
        if account is None:
            return RedirectResponse("/account/sign-in", status_code=303)
        password = _form_text(form, "password", MAX_PASSWORD)
        if auth.verify(account.username, password) is None:
            page = render(
                request,
                "account.html",
                401,
                title="Your account",
                plans=service.private.plans(account_owner(account.id)),
                entries=len(service.private.entries(account.id)),
                delete_error="The password is not right; nothing was deleted.",
            )
            return page
        service.private.delete_account(account.id)
        # What else this person left here: the plans this browser made before signing in, and
        # the count of failed sign-ins under their name.
        service.private.delete_plans(visitor_owner(auth.visitor(request)))
        limiter.reset((SIGN_IN_PER_NAME, account.username))
        response = render(request, "account_deleted.html", title="Account deleted")
        auth.sign_out(request, response)
        return response
