"""People's private records on both backends: every read and write is bound to its owner."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import pytest

from druginfo.model import DiaryEntry
from druginfo.store.base import Store
from druginfo.store.private import (
    PrivateRecords,
    account_owner,
    is_id,
    iter_export,
    token_hash,
    visitor_owner,
)


@pytest.fixture
def records(store: Store) -> PrivateRecords:
    return PrivateRecords(store)  # type: ignore[arg-type]


def entry(reaction: str, drug: str = "etanercept", day: int = 3) -> DiaryEntry:
    return DiaryEntry(
        drug=drug, reaction=reaction, started=dt.date(2025, 11, day), severity="severe"
    )


def test_accounts_are_unique_by_name(records: PrivateRecords) -> None:
    first = records.create_account("rosa", "hash-1")
    assert first is not None and is_id(first.id)
    assert records.create_account("rosa", "hash-2") is None
    found = records.credentials("rosa")
    assert found is not None and found[0].id == first.id and found[1] == "hash-1"
    assert records.credentials("nobody") is None


def test_entries_belong_to_their_owner_only(records: PrivateRecords) -> None:
    ann = records.create_account("ann", "h")
    ben = records.create_account("ben", "h")
    assert ann and ben
    a1 = records.add_entry(ann.id, entry("swollen ankles", day=2))
    a2 = records.add_entry(ann.id, entry("headache", drug="tocilizumab", day=9))
    b1 = records.add_entry(ben.id, entry("rash"))
    assert len({a1.id, a2.id, b1.id}) == 3
    assert all(is_id(e.id) for e in (a1, a2, b1))

    assert [e.reaction for e in records.entries(ann.id)] == ["headache", "swollen ankles"]
    assert [e.reaction for e in records.entries(ann.id, "etanercept")] == ["swollen ankles"]
    assert [e.reaction for e in records.entries(ben.id)] == ["rash"]
    got = records.entry(ann.id, str(a1.id))
    assert got is not None and got.started == dt.date(2025, 11, 2) and got.drug == "etanercept"

    # Someone else's id reads, and deletes, nothing.
    assert records.entry(ben.id, str(a1.id)) is None
    assert records.delete_entry(ben.id, str(a1.id)) is False
    assert records.entry(ann.id, str(a1.id)) is not None
    assert records.delete_entry(ann.id, str(a1.id)) is True
    assert records.entry(ann.id, str(a1.id)) is None
    # Ids of the wrong shape never reach a query.
    for bad in ("1", "²", "1" * 5000, "' OR 1=1 --", ""):
        assert records.entry(ann.id, bad) is None
        assert records.delete_entry(ann.id, bad) is False


def test_sessions_are_stored_hashed_and_end_on_close(records: PrivateRecords) -> None:
    acc = records.create_account("cleo", "h")
    assert acc
    token = records.open_session(acc.id, 3600)
    signed = records.session_account(token)
    assert signed is not None and signed.username == "cleo"
    assert records.session_account(token + "x") is None
    records.close_session(token)
    assert records.session_account(token) is None
    expired = records.open_session(acc.id, -1)
    assert records.session_account(expired) is None
    assert token_hash(token) != token


def test_plans_are_owned_and_expire(records: PrivateRecords) -> None:
    acc = records.create_account("dora", "h")
    assert acc
    mine, visitor = account_owner(acc.id), visitor_owner("browser-token-of-someone")
    kept = records.save_plan(mine, "anakinra", {"weight": "20", "weight_unit": "kg"}, None)
    short = records.save_plan(visitor, "anakinra", {"age_years": "8"}, 3600)
    gone = records.save_plan(visitor, "anakinra", {"age_years": "9"}, -1)
    got = records.plan(mine, kept.id)
    assert got is not None and got.answers == {"weight": "20", "weight_unit": "kg"}
    assert got.expires is None
    assert records.plan(visitor, kept.id) is None
    assert records.plan(mine, short.id) is None
    assert records.plan(visitor, short.id) is not None
    assert records.plan(visitor, gone.id) is None
    assert [p.id for p in records.plans(mine)] == [kept.id]
    assert records.delete_plan(visitor, kept.id) is False
    assert records.delete_plan(mine, kept.id) is True
    assert records.plans(mine) == []
    records.purge_expired()
    assert records.plan(visitor, short.id) is not None


def test_export_and_delete_cover_everything_of_one_person(records: PrivateRecords) -> None:
    eve = records.create_account("eve", "h")
    fay = records.create_account("fay", "h")
    assert eve and fay
    records.add_entry(eve.id, entry("dizzy"))
    records.save_plan(account_owner(eve.id), "anakinra", {"weight": "60"}, None)
    token = records.open_session(eve.id, 3600)
    records.add_entry(fay.id, entry("tired"))

    exported = dict(iter_export(records, eve))
    assert exported["account"]["username"] == "eve"
    assert [e["reaction"] for e in exported["diary"]] == ["dizzy"]
    assert [p["answers"] for p in exported["plans"]] == [{"weight": "60"}]

    records.delete_account(eve.id)
    assert records.credentials("eve") is None
    assert records.entries(eve.id) == []
    assert records.plans(account_owner(eve.id)) == []
    assert records.session_account(token) is None
    assert [e.reaction for e in records.entries(fay.id)] == ["tired"]


def test_the_signing_secret_is_made_once_and_kept(records: PrivateRecords) -> None:
    first = records.secret("cookie-signing")
    assert len(first) >= 40
    assert records.secret("cookie-signing") == first
    assert records.secret("other") != first


def test_times_are_utc(records: PrivateRecords) -> None:
    acc = records.create_account("gus", "h")
    assert acc
    saved = records.add_entry(acc.id, entry("itch"))
    assert saved.created is not None and saved.created.tzinfo is not None
    assert abs(saved.created.timestamp() - time.time()) < 60


def _everything(store: Store) -> list[tuple[str, str]]:
    """(table, text of a row) of every row of every table in the store."""
    s: Any = store
    if s.backend == "sqlite":
        tables = [
            r[0]
            for r in s._query(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
    else:
        tables = [
            r[0]
            for r in s._query(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            )
        ]
    assert {"accounts", "sessions", "diary_entries", "plans", "limited_attempts"} <= set(tables)
    return [(t, repr(tuple(row))) for t in tables for row in s._query(f'SELECT * FROM "{t}"')]


def test_deleting_an_account_leaves_no_row_that_mentions_it(
    records: PrivateRecords, store: Store
) -> None:
    """Not a list of tables to clean: every row of every table is searched for the person."""
    hal = records.create_account("hal.person", "argon2-hash-of-hal")
    ida = records.create_account("ida.person", "argon2-hash-of-ida")
    assert hal and ida
    records.add_entry(hal.id, entry("numb lips after the third dose"))
    records.save_plan(account_owner(hal.id), "anakinra", {"conditions": "hepatitis B"}, None)
    token = records.open_session(hal.id, 3600)
    records.add_entry(ida.id, entry("sore throat"))
    traces = [hal.id, "hal.person", "argon2-hash-of-hal", "numb lips", "hepatitis B"]
    traces.append(token_hash(token))
    before = "\n".join(text for _, text in _everything(store))
    assert all(t in before for t in traces)  # the search below can find each of them

    records.delete_account(hal.id)
    left = [(table, t) for table, text in _everything(store) for t in traces if t in text]
    assert left == []
    assert "sore throat" in "\n".join(text for _, text in _everything(store))


def test_sqlite_deletes_overwrite_the_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A deleted diary entry is not left readable in the database file's free space, even
    with a SQLite built without secure delete by default (as many are; Debian's is not)."""
    import sqlite3

    from druginfo.store.sqlite import SqliteStore

    real_connect = sqlite3.connect

    def connect_like_other_builds(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = real_connect(*args, **kwargs)
        conn.execute("PRAGMA secure_delete = OFF")
        return conn

    monkeypatch.setattr(sqlite3, "connect", connect_like_other_builds)
    path = tmp_path / "private.db"
    SqliteStore(path).close()  # made and migrated (a migration turns secure delete on too)
    store = SqliteStore(path)  # a later start: only the connection's own settings apply
    records = PrivateRecords(store)
    acc = records.create_account("jo.person", "h")
    assert acc
    for i in range(50):
        records.add_entry(acc.id, entry(f"SECRET-REACTION-{i} tingling hands"))
    store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert b"SECRET-REACTION-7 " in path.read_bytes()
    records.delete_account(acc.id)
    store.close()
    assert b"SECRET-REACTION" not in path.read_bytes()


def test_expired_plans_leave_the_store_when_another_is_saved(
    records: PrivateRecords, store: Store
) -> None:
    s: Any = store
    visitor = visitor_owner("a-browser-that-left")
    records.save_plan(visitor, "anakinra", {"weight": "31.5"}, -1)  # already past its time
    assert s._query("SELECT count(*) FROM plans")[0][0] == 1
    records.save_plan(visitor_owner("another-browser"), "anakinra", {"weight": "60"}, 3600)
    rows = s._query("SELECT answers FROM plans")
    assert [r[0] for r in rows] == ['{"weight": "60"}']
