"""Where druginfo keeps monographs, names, interaction tables and people's own records.

`open_store()` picks the backend from a URL; with no URL it opens the default SQLite file in
the user's data directory and, when that file is new, fills it with the bundled curated
monographs and EU leaflets so the first `druginfo show` works offline.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from druginfo.errors import InputError
from druginfo.store.base import Store, UpsertOutcome

__all__ = ["Store", "UpsertOutcome", "default_db_path", "default_db_url", "open_store"]

ENV_DB = "DRUGINFO_DB"


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("druginfo")) / "druginfo.db"


def default_db_url() -> str:
    """The store used when no --db is given: $DRUGINFO_DB, else a file in the data directory."""
    env = os.environ.get(ENV_DB, "").strip()
    if env:
        return env if "://" in env else f"sqlite:///{Path(env).expanduser()}"
    return f"sqlite:///{default_db_path()}"


def sqlite_path(url: str) -> str:
    """`sqlite:///relative.db`, `sqlite:////abs/path.db`, `sqlite:///:memory:` → a path
    (the SQLAlchemy convention: three slashes, then the path as written)."""
    prefix = "sqlite:///"
    if not url.lower().startswith(prefix):
        raise InputError(
            "db", "a sqlite URL looks like sqlite:///PATH (e.g. sqlite:///druginfo.db)"
        )
    path = unquote(url[len(prefix) :])
    if not path:
        raise InputError("db", "a sqlite URL needs a file path, e.g. sqlite:///druginfo.db")
    return path if path == ":memory:" else str(Path(path).expanduser())


def open_store(
    url: str | None = None, *, progress: bool = False, bootstrap: bool | None = None
) -> Store:
    """Open (creating and migrating as needed) the store at `url`.

    An empty store is filled with the bundled data (`druginfo.ingest.bootstrap`) when
    `bootstrap` is True, or, by default (None), only for the default store: a URL the user
    names is theirs to fill with `druginfo ingest`.
    """
    fill = url is None if bootstrap is None else bootstrap
    target = default_db_url() if url is None else url.strip()
    scheme = urlsplit(target).scheme.lower()
    store: Store
    if scheme == "sqlite":
        from druginfo.store.sqlite import SqliteStore

        path = sqlite_path(target)
        new_file = path == ":memory:" or not Path(path).exists()
        store = SqliteStore(path)
        if fill and (new_file or store.is_empty()):
            _bootstrap(store, progress)
    elif scheme in ("postgresql", "postgres"):
        from druginfo.store.postgres import PostgresStore

        store = PostgresStore(target)
        if fill and store.is_empty():
            _bootstrap(store, progress)
    else:
        raise InputError(
            "db", f"unsupported database URL {target!r}: use sqlite:///PATH or postgresql://..."
        )
    return store


def _bootstrap(store: Store, progress: bool) -> None:
    from druginfo.ingest import bootstrap

    bootstrap(store, progress=progress)
