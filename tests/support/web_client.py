"""A TestClient that behaves like a person's browser on the site: it keeps its cookies, and
its form posts carry the CSRF token of a page the site served it (as a real form would)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token_of(html: str) -> str:
    found = TOKEN.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


class BrowserClient(TestClient):
    def csrf_token(self) -> str:
        return csrf_token_of(self.get("/account/sign-in").text)

    def post(self, url: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        data = kwargs.get("data")
        if isinstance(data, dict) and "csrf_token" not in data and not kwargs.pop("raw", False):
            kwargs["data"] = {**data, "csrf_token": self.csrf_token()}
        kwargs.pop("raw", None)
        return super().post(url, *args, **kwargs)

    def register(self, username: str, password: str = "a long passphrase") -> None:
        r = self.post(
            "/account/register",
            data={"username": username, "password": password, "confirm": password},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
