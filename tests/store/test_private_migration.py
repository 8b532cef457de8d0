"""The upgrade that removes the version-1 shared diary: people's ownerless health notes are gone
from an upgraded store (its tables and, on SQLite, its file), on SQLite and PostgreSQL; applying
it again changes nothing; an upgrade killed half-way leaves the old state whole and the next
start finishes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from druginfo.store import common, open_store
from support.postgres import PostgresServer

PURGE = "drop_shared_diary"
# Text that would only be in the store because a version-1 diary row held it.
NOTES = [f"NOTE-{i:04d} HIV positive and pregnant, swollen ankles" for i in range(300)]


def _purge_version(backend: str) -> int:
    found = [v for v, name, _ in common.migration_scripts(backend) if name == PURGE]
    assert len(found) == 1, "the purge migration is bundled once"
    return found[0]


def _table_exists(store: Any, name: str) -> bool:
    sql = (
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
        if store.backend == "sqlite"
        else "SELECT count(*) FROM pg_tables WHERE tablename = %s"
    )
    return int(store._query(sql, (name,))[0][0]) == 1


def _version_1_store(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A store made by version 1 of druginfo, with rows in its shared diary."""
    backend = "sqlite" if url.startswith("sqlite") else "postgresql"
    real = common.migration_scripts
    with monkeypatch.context() as m:
        m.setattr(common, "migration_scripts", lambda b: real(b)[:1])
        store: Any = open_store(url, bootstrap=False)
        try:
            assert store.schema_version() == 1
            p = store._P
            with store._tx() as conn:
                for note in NOTES:
                    conn.execute(
                        "INSERT INTO diary (drug, reaction, started, severity, outcome, created)"
                        f" VALUES ({p}, {p}, {p}, {p}, {p}, {p})",
                        (
                            "anakinra",
                            note,
                            "2024-03-01",
                            "severe",
                            f"outcome of {note}",
                            "2024-03-02",
                        ),
                    )
            assert len(store._query("SELECT id FROM diary")) == len(NOTES)
        finally:
            store.close()
    assert backend in ("sqlite", "postgresql")


def _sqlite_bytes(path: Path) -> bytes:
    return b"".join(
        p.read_bytes() for p in (path, Path(f"{path}-wal"), Path(f"{path}-journal")) if p.exists()
    )


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def v1_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'v1.db'}"
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url = server.create_database()
    _version_1_store(url, monkeypatch)
    return url


def test_upgrade_removes_the_ownerless_rows_and_is_idempotent(v1_url: str) -> None:
    store: Any = open_store(v1_url, bootstrap=False)
    backend = store.backend
    latest = len(common.migration_scripts(backend))
    try:
        assert store.schema_version() == latest
        assert not _table_exists(store, "diary")
        assert _table_exists(store, "diary_entries")  # the private diary is untouched
        # Applying the purge again (a renumbered or re-run script) is harmless.
        script = next(s for _, n, s in common.migration_scripts(backend) if n == PURGE)
        with store._tx() as conn:
            if backend == "sqlite":
                from druginfo.store.sqlite import _statements

                for statement in _statements(script):
                    conn.execute(statement)
            else:
                conn.execute(script.encode())
        store.migrate()
        assert store.schema_version() == latest
    finally:
        store.close()
    again: Any = open_store(v1_url, bootstrap=False)
    try:
        assert again.schema_version() == latest
        versions = [int(r[0]) for r in again._query("SELECT version FROM schema_version")]
        assert sorted(versions) == list(range(1, latest + 1))  # each applied exactly once
    finally:
        again.close()


def test_sqlite_upgrade_leaves_no_trace_of_the_notes_in_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "v1.db"
    _version_1_store(f"sqlite:///{path}", monkeypatch)
    assert b"NOTE-0123 HIV positive" in _sqlite_bytes(path)  # the check below can fail
    # A SQLite built without secure delete by default (as many are) must not keep the text in
    # free pages: the migration turns it on itself.
    from druginfo.store.sqlite import SqliteStore

    store = SqliteStore(path, migrate=False)
    store._conn.execute("PRAGMA secure_delete = OFF")
    store.migrate()
    store.close()
    data = _sqlite_bytes(path)
    assert b"HIV positive" not in data
    assert b"NOTE-0" not in data


def test_postgresql_upgrade_removes_the_table_files(
    postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = postgres_server.create_database()
    _version_1_store(url, monkeypatch)
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")
        row = conn.execute("SELECT pg_relation_filepath('diary')").fetchone()
        assert row is not None
        table_file = postgres_server.data / str(row[0])
        database_dir = table_file.parent
    if not os.access(table_file, os.R_OK):
        pytest.skip("the server's data files are not readable by this user")
    assert b"NOTE-0123 HIV positive" in table_file.read_bytes()

    open_store(url, bootstrap=False).close()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")
    assert not table_file.exists() or table_file.stat().st_size == 0
    for file in database_dir.iterdir():
        if file.is_file():
            assert b"NOTE-0123 HIV positive" not in file.read_bytes(), file.name


# An upgrade killed (SIGKILL) while its transaction has dropped the table but not committed.
_KILLED_UPGRADE = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from druginfo.store import common

    url, marker, purge = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    real = common.migration_scripts

    def stalled(backend):
        out = []
        for version, name, sql in real(backend):
            if name == purge:
                pause = "SELECT test_pause();" if backend == "sqlite" else "SELECT pg_sleep(60);"
                sql = sql + "\\n" + pause + "\\n"
            out.append((version, name, sql))
        return out

    common.migration_scripts = stalled
    if url.startswith("sqlite"):
        from druginfo.store.sqlite import SqliteStore

        store = SqliteStore(url[len("sqlite:///"):], migrate=False)

        def pause():
            marker.write_text("dropped")
            time.sleep(60)

        store._conn.create_function("test_pause", 0, pause)
    else:
        from druginfo.store.postgres import PostgresStore

        store = PostgresStore(url, migrate=False)
        store._conn.execute("SET client_connection_check_interval = '100ms'")
        store._conn.execute(
            "SELECT set_config('application_name', 'killed-upgrade', false)"
        )
        marker.write_text("connected")
    store.migrate()
    """
)


def test_an_upgrade_killed_midway_keeps_the_old_state_and_finishes_next_start(
    v1_url: str, tmp_path: Path
) -> None:
    marker = tmp_path / "marker"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED_UPGRADE, v1_url, str(marker), PURGE], env=env
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if marker.exists() and (v1_url.startswith("sqlite") or _pg_sleeping(v1_url)):
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the upgrade process ended before it could be killed"
        assert marker.exists()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)

    backend = "sqlite" if v1_url.startswith("sqlite") else "postgresql"
    purge = _purge_version(backend)
    if backend == "sqlite":
        from druginfo.store.sqlite import SqliteStore

        store: Any = SqliteStore(v1_url[len("sqlite:///") :], migrate=False)
    else:
        from druginfo.store.postgres import PostgresStore

        _wait_for_backend_gone(v1_url)
        store = PostgresStore(v1_url, migrate=False)
    try:
        # The killed transaction never committed: the old rows and the old version are intact.
        assert store.schema_version() == purge - 1
        assert len(store._query("SELECT id FROM diary")) == len(NOTES)
        store.migrate()
        assert store.schema_version() == len(common.migration_scripts(backend))
        assert not _table_exists(store, "diary")
    finally:
        store.close()


def _pg_sleeping(url: str) -> bool:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE application_name = 'killed-upgrade' AND query LIKE '%pg_sleep%'"
            " AND state = 'active'"
        ).fetchone()
    return bool(row and row[0])


def _wait_for_backend_gone(url: str) -> None:
    """The server notices the dead client (client_connection_check_interval) and rolls back."""
    import psycopg

    deadline = time.monotonic() + 30
    with psycopg.connect(url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'killed-upgrade'"
            ).fetchone()
            if row is not None and row[0] == 0:
                return
            time.sleep(0.1)
    raise AssertionError("the killed upgrade's server process did not end")
