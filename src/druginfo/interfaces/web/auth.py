"""Who is asking: the browser (a visitor cookie), the signed-in person (a session cookie), and
the CSRF token that proves a form was served by this site to this browser.

- Visitor cookie: a random value, HttpOnly, SameSite=Lax. It owns a visitor's short-lived plans
  and keys the CSRF token, so every form (sign-in included) carries a token even before an
  account exists.
- Session cookie: a random token signed with itsdangerous (the signature is checked before the
  store is asked); the store keeps only its SHA-256 and an expiry, so signing out ends it on
  the server, not just in the browser.
- CSRF token: HMAC(server key, visitor cookie). A page on another site cannot read the cookie or
  the token, and SameSite=Lax keeps the cookies off its cross-site POSTs anyway.
- Passwords: argon2id (argon2-cffi's default parameters); a sign-in for an unknown name verifies
  against a dummy hash so that both cost the same.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import re
import secrets
import weakref
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from fastapi import Request
from fastapi.responses import Response
from itsdangerous import BadSignature, Signer
from markupsafe import Markup, escape
from starlette.exceptions import HTTPException

from druginfo.store.private import Account, PrivateRecords, account_owner, visitor_owner

VISITOR_COOKIE = "druginfo_visitor"
SESSION_COOKIE = "druginfo_session"
CSRF_FIELD = "csrf_token"
SESSION_LIFETIME_S = 14 * 24 * 3600
VISITOR_PLAN_LIFETIME_S = 2 * 3600

USERNAME = re.compile(r"[a-z0-9][a-z0-9._@+-]{2,63}")
MIN_PASSWORD = 10
MAX_PASSWORD = 128  # hashing cost must not grow with what a stranger sends
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")

_HASHER = PasswordHasher()

# The token of the page being rendered, for macros imported without the template's context.
_CURRENT_CSRF: ContextVar[str] = ContextVar("druginfo_csrf", default="")


_BY_RECORDS: weakref.WeakKeyDictionary[PrivateRecords, Auth] = weakref.WeakKeyDictionary()


def csrf_field() -> Markup:
    """The hidden input every state-changing form carries (a Jinja global)."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        CSRF_FIELD, escape(_CURRENT_CSRF.get())
    )


def normalise_username(text: str) -> str:
    return text.strip().lower()


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


class Auth:
    """Cookies and tokens of the site, bound to one store's records and signing key."""

    def __init__(self, records: PrivateRecords) -> None:
        self.records = records
        self._key: bytes | None = None
        self._dummy_hash: str | None = None

    @classmethod
    def of(cls, records: PrivateRecords) -> Auth:
        """The one Auth of these records: every router (pages, reconcile page, private API) and
        the error pages read the signed-in person the same way, from the same object."""
        found = _BY_RECORDS.get(records)
        if found is None:
            found = _BY_RECORDS.setdefault(records, cls(records))
        return found

    # keys ----------------------------------------------------------------------------------
    @property
    def key(self) -> bytes:
        if self._key is None:
            self._key = self.records.secret("cookie-signing").encode()
        return self._key

    def _signer(self) -> Signer:
        return Signer(self.key, salt="druginfo-session")

    # visitor and CSRF ----------------------------------------------------------------------
    def visitor(self, request: Request) -> str:
        """This browser's visitor token (a new one is made once per request when absent)."""
        cookie = request.cookies.get(VISITOR_COOKIE, "")
        if _TOKEN.fullmatch(cookie):
            return cookie
        new = getattr(request.state, "new_visitor", None)
        if new is None:
            new = secrets.token_urlsafe(32)
            request.state.new_visitor = new
        return str(new)

    def csrf_token(self, request: Request) -> str:
        visitor = self.visitor(request)
        mac = hmac.new(self.key, b"csrf:" + visitor.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")

    def prepare(self, request: Request) -> dict[str, Any]:
        """Template context about the asker; also sets the token the forms will carry."""
        token = self.csrf_token(request)
        _CURRENT_CSRF.set(token)
        return {"csrf_token": token, "account": self.account(request)}

    def check_csrf(self, request: Request, form: Mapping[str, Any]) -> None:
        """Refuse a form that did not come from a page this site served to this browser."""
        cookie = request.cookies.get(VISITOR_COOKIE, "")
        sent = form.get(CSRF_FIELD)
        if not _TOKEN.fullmatch(cookie) or not isinstance(sent, str) or len(sent) > 100:
            raise HTTPException(403, "the form has expired or did not come from this site")
        if not hmac.compare_digest(sent, self.csrf_token(request)):
            raise HTTPException(403, "the form has expired or did not come from this site")

    def finish(self, request: Request, response: Response) -> Response:
        """Set the visitor cookie on a response when this request had to make one."""
        new = getattr(request.state, "new_visitor", None)
        if new is not None:
            response.set_cookie(
                VISITOR_COOKIE,
                new,
                httponly=True,
                samesite="lax",
                secure=request.url.scheme == "https",
                path="/",
            )
        return response

    # accounts ------------------------------------------------------------------------------
    def account(self, request: Request) -> Account | None:
        if hasattr(request.state, "account"):
            cached: Account | None = request.state.account
            return cached
        account = None
        token = self._session_token(request)
        if token is not None:
            account = self.records.session_account(token)
        request.state.account = account
        return account

    def _session_token(self, request: Request) -> str | None:
        signed = request.cookies.get(SESSION_COOKIE, "")
        if not signed or len(signed) > 200:
            return None
        try:
            token = self._signer().unsign(signed).decode()
        except (BadSignature, UnicodeDecodeError):
            return None
        return token if _TOKEN.fullmatch(token) else None

    def owner(self, request: Request) -> str:
        """Who owns what this request saves: the account, else this browser."""
        account = self.account(request)
        return account_owner(account.id) if account else visitor_owner(self.visitor(request))

    def verify(self, username: str, password: str) -> Account | None:
        """The account when the password is right; the same work is done when it is not."""
        found = self.records.credentials(normalise_username(username))
        if found is None:
            if self._dummy_hash is None:
                self._dummy_hash = _HASHER.hash(secrets.token_urlsafe(16))
            with contextlib.suppress(VerificationError):
                _HASHER.verify(self._dummy_hash, password)
            return None
        account, stored = found
        try:
            _HASHER.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if _HASHER.check_needs_rehash(stored):
            self.records.update_password_hash(account.id, _HASHER.hash(password))
        return account

    def session_cookie_value(self, token: str) -> str:
        """The signed cookie value for a session token (what `sign_in` sets)."""
        return self._signer().sign(token).decode()

    def sign_in(self, request: Request, response: Response, account: Account) -> None:
        old = self._session_token(request)
        if old is not None:
            self.records.close_session(old)
        self.records.purge_expired()  # ended sessions and visitor plans, now and then
        token = self.records.open_session(account.id, SESSION_LIFETIME_S)
        response.set_cookie(
            SESSION_COOKIE,
            self.session_cookie_value(token),
            max_age=SESSION_LIFETIME_S,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/",
        )

    def sign_out(self, request: Request, response: Response) -> None:
        token = self._session_token(request)
        if token is not None:
            self.records.close_session(token)
        response.delete_cookie(SESSION_COOKIE, path="/")
