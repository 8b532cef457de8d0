"""Choosing the backend from a URL, and the default store in the user's data directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from druginfo.errors import InputError
from druginfo.store import default_db_url, open_store, sqlite_path


def test_sqlite_urls() -> None:
    assert sqlite_path("sqlite:///druginfo.db") == "druginfo.db"
    assert sqlite_path("sqlite:////abs/x.db") == "/abs/x.db"
    assert sqlite_path("sqlite:///:memory:") == ":memory:"
    with pytest.raises(InputError) as err:
        sqlite_path("sqlite://")
    assert err.value.field == "db"


@pytest.mark.parametrize("url", ["mysql://x/y", "nonsense", "sqlite://", "http://example.org"])
def test_unsupported_urls_name_the_field(url: str) -> None:
    with pytest.raises(InputError) as err:
        open_store(url)
    assert err.value.field == "db"


def test_unreachable_postgres_is_an_input_error() -> None:
    with pytest.raises(InputError) as err:
        open_store("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")
    assert err.value.field == "db"


def test_default_url_honours_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DRUGINFO_DB", raising=False)
    url = default_db_url()
    assert url.startswith("sqlite:///") and url.endswith("druginfo.db")
    assert "druginfo" in Path(sqlite_path(url)).parts[-2]
    monkeypatch.setenv("DRUGINFO_DB", str(tmp_path / "mine.db"))
    assert default_db_url() == f"sqlite:///{tmp_path / 'mine.db'}"
    monkeypatch.setenv("DRUGINFO_DB", "postgresql://u@h/db")
    assert default_db_url() == "postgresql://u@h/db"


def test_named_store_is_not_filled_automatically(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        assert store.is_empty()  # type: ignore[attr-defined]
        assert store.list_drugs() == []
    finally:
        store.close()
