"""Where druginfo keeps monographs, names, interaction tables and people's own records.

`open_store()` picks the backend from a URL; with no URL it opens the default SQLite file in
the user's data directory and, when that file is new, fills it with the bundled curated
monographs and EU leaflets so the first `druginfo show` works offline.
"""

from __future__ import annotations

import os
from collections.abc import Callable
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


FILL_MARK = "bundled-fill"  # store_meta: "started", then "complete"


def open_store(
    url: str | None = None, *, progress: bool = False, bootstrap: bool | None = None
) -> Store:
    """Open (creating and migrating as needed) the store at `url`.

    The bundled data (`druginfo.ingest.bootstrap`) is loaded when `bootstrap` is True, or, by
    default (None), only into the default store: a URL the user names is theirs to fill with
    `druginfo ingest`. A fill is marked started before it begins and complete when it ends,
    so a fill killed at any point is finished by the next start; a store the user filled
    with `druginfo ingest` (no mark, not empty) is left as it is.

    Any failure to open is an InputError naming the `db` field: a bad URL, a folder that
    cannot be created, a file that is not a database, an unreachable server.
    """
    fill = url is None if bootstrap is None else bootstrap
    target = default_db_url() if url is None else url.strip()
    scheme = urlsplit(target).scheme.lower()
    store: Store
    if scheme == "sqlite":
        store = _open_sqlite(sqlite_path(target))
    elif scheme in ("postgresql", "postgres"):
        from druginfo.store.postgres import PostgresStore

        store = PostgresStore(target)
    else:
        raise InputError(
            "db", f"unsupported database URL {target!r}: use sqlite:///PATH or postgresql://..."
        )
    if fill and needs_fill(store):
        _bootstrap(store, progress)
    return store


def _open_sqlite(path: str) -> Store:
    import sqlite3

    from druginfo.store.sqlite import SqliteStore

    try:
        return SqliteStore(path)
    except (sqlite3.Error, OSError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise InputError("db", f"cannot open the SQLite store {path}: {reason}") from exc


def needs_fill(store: Store) -> bool:
    """An empty store, or one whose bundled fill was started and never marked complete."""
    meta = getattr(store, "meta", None)
    mark = meta(FILL_MARK) if meta is not None else None
    if mark == "complete":
        return False
    return mark == "started" or store.is_empty()


def fill_in_background(store: Store, *, on_done: Callable[[], None] | None = None) -> bool:
    """Fill the store with the bundled data while its owner already answers requests.

    The curated monographs are stored at once (under a second); the bundled leaflets are
    ingested by a thread on a connection of its own, committing batch by batch, so a server
    finds each medicine as soon as its batch is stored (the generation counter tells it).
    Marked started/complete like a fill in the foreground: a server stopped mid-way
    finishes the fill on its next start. False when there is nothing to fill, or when the
    store cannot be opened twice (an in-memory database: filled in the foreground).
    """
    if not needs_fill(store):
        return False
    url = str(getattr(store, "url", ""))
    if not url or url.endswith(":memory:") or not hasattr(store, "set_meta"):
        _bootstrap(store, False)
        return False
    import threading

    from druginfo.ingest import bootstrap_curated

    store.set_meta(FILL_MARK, "started")
    bootstrap_curated(store)

    def run() -> None:
        from druginfo.ingest import bootstrap

        filler = open_store(url, bootstrap=False)
        try:
            bootstrap(filler, progress=False, resume=True)
            filler.set_meta(FILL_MARK, "complete")  # type: ignore[attr-defined]
        finally:
            filler.close()
            if on_done is not None:
                on_done()

    threading.Thread(target=run, name="druginfo-fill", daemon=True).start()
    return True


def _bootstrap(store: Store, progress: bool) -> None:
    from druginfo.ingest import bootstrap

    set_meta = getattr(store, "set_meta", None)
    if set_meta is not None:
        set_meta(FILL_MARK, "started")
    bootstrap(store, progress=progress, resume=True)
    if set_meta is not None:
        set_meta(FILL_MARK, "complete")
