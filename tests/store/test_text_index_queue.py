"""The SQLite store's deferred full-text index: text rows written with `index=False` wait in
`chunks_unindexed` (written in the same transaction as their document) until `index_pending`
adds them in bulk. At every commit the index must hold exactly the rows not queued, whatever
happens in between: documents replaced while queued or while indexed, a write with indexing
catching up on an earlier queue, a store opened with rows still queued."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from druginfo.store import open_store
from druginfo.store.common import PreparedDocument, prepare_document
from druginfo.store.sqlite import SqliteStore
from store.conftest import MakeMono  # type: ignore[import-not-found]


def _rows(make_mono: MakeMono, key: str, words: str, checksum: str = "1") -> PreparedDocument:
    mono = make_mono(key, brands=[key.title() + "ex"], sections=[("About", words)])
    return prepare_document(mono.model_dump_json(), f"t:{key}", checksum, compress=True)


def _exact(db: Path) -> tuple[int, int]:
    """(queued rows, indexed rows); asserts the index equals the unqueued rows exactly."""
    conn = sqlite3.connect(db)
    try:
        queued = conn.execute("SELECT count(*) FROM chunks_unindexed").fetchone()[0]
        total = conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
        if queued == 0:
            conn.execute("INSERT INTO chunks_fts (chunks_fts, rank) VALUES ('integrity-check', 1)")
        conn.execute("INSERT INTO chunks_fts (chunks_fts) VALUES ('integrity-check')")
        return queued, total - queued
    finally:
        conn.close()


def _found(store: SqliteStore, word: str) -> set[str]:
    return {h.key for h in store.search(word) if h.match == "text"}


def test_queued_rows_are_found_only_once_indexed(tmp_path: Path, make_mono: MakeMono) -> None:
    db = tmp_path / "s.db"
    store = open_store(f"sqlite:///{db}")
    assert isinstance(store, SqliteStore)
    try:
        store.write_prepared([_rows(make_mono, "alphamab", "Quenchable zibberish words.")])
        assert _found(store, "zibberish") == {"alphamab"}  # indexed: the default
        store.write_prepared([_rows(make_mono, "betamab", "Another zibberish line.")], index=False)
        assert store.pending_index_rows() > 0
        assert _found(store, "zibberish") == {"alphamab"}  # queued, not yet searchable
        assert store.get_monograph("betamab") is not None  # the document itself is there
        # Replaced while queued: its old rows leave the queue, never reaching the index.
        store.write_prepared(
            [_rows(make_mono, "betamab", "Replaced frobnicated text.", "2")], index=False
        )
        # Replaced while indexed: FTS5 is told to delete exactly what it holds.
        store.write_prepared(
            [_rows(make_mono, "alphamab", "Now frobnicated too.", "2")], index=False
        )
        assert _found(store, "zibberish") == set()
        queued, _ = _exact(db)
        assert queued > 0
        assert store.index_pending() == queued
        assert _exact(db)[0] == 0
        assert _found(store, "frobnicated") == {"alphamab", "betamab"}
        assert _found(store, "zibberish") == set()
    finally:
        store.close()


def test_a_write_with_indexing_catches_up_on_the_queue(tmp_path: Path, make_mono: MakeMono) -> None:
    db = tmp_path / "s.db"
    store = open_store(f"sqlite:///{db}")
    try:
        store.write_prepared([_rows(make_mono, "gammamab", "Wuzzle text.")], index=False)  # type: ignore[attr-defined]
        store.upsert_monograph(
            make_mono("deltamab", sections=[("About", "Wuzzle again.")]),
            doc_id="t:deltamab",
            checksum="1",
        )
        assert _exact(db)[0] == 0
        assert {h.key for h in store.search("wuzzle") if h.match == "text"} == {
            "gammamab",
            "deltamab",
        }
    finally:
        store.close()


def test_opening_a_store_indexes_rows_left_queued(tmp_path: Path, make_mono: MakeMono) -> None:
    """What a bulk ingest killed between two index steps leaves behind."""
    db = tmp_path / "s.db"
    store = open_store(f"sqlite:///{db}")
    try:
        store.write_prepared([_rows(make_mono, "epsilomab", "Snorkel text.")], index=False)  # type: ignore[attr-defined]
    finally:
        store.close()
    assert _exact(db)[0] > 0
    again = open_store(f"sqlite:///{db}")
    try:
        assert _exact(db)[0] == 0
        assert {h.key for h in again.search("snorkel") if h.match == "text"} == {"epsilomab"}
    finally:
        again.close()


def test_leftovers_are_left_to_a_busy_writer_without_waiting(
    tmp_path: Path, make_mono: MakeMono
) -> None:
    db = tmp_path / "s.db"
    store = open_store(f"sqlite:///{db}")
    assert isinstance(store, SqliteStore)
    try:
        store.write_prepared([_rows(make_mono, "zetamab", "Quibble text.")], index=False)
        blocker = sqlite3.connect(db, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # another process writing
        try:
            store._index_leftovers()  # what an open does: no wait, no error
            assert store.pending_index_rows() > 0  # left for the writer's own index step
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        store._index_leftovers()
        assert _exact(db)[0] == 0
    finally:
        store.close()


def test_the_text_index_writes_large_segments(tmp_path: Path) -> None:
    """FTS5 keeps 16 MB of terms in memory before writing a segment (migration 0007): a
    bulk index step makes one or two segments, not one per megabyte."""
    db = tmp_path / "hash.db"
    open_store(f"sqlite:///{db}", bootstrap=False).close()
    with sqlite3.connect(db) as conn:
        (size,) = conn.execute("SELECT v FROM chunks_fts_config WHERE k = 'hashsize'").fetchone()
    assert size >= 16 * 2**20
