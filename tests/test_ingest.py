"""The ingestion pipeline on real data: idempotent, resumable after kill -9, broken records
reported and skipped, changed documents replaced with history."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from druginfo.ingest import IngestReport, bootstrap, ingest
from druginfo.sources.base import Broken
from druginfo.store import open_store


def _subset(epi: Path, target: Path, products: int) -> Path:
    """The leaflets (every language) of the first `products` medicines, copied."""
    target.mkdir(parents=True, exist_ok=True)
    names = sorted({p.name.split(".")[0] for p in epi.glob("*.json")})[:products]
    for name in names:
        for f in epi.glob(f"{name}.*.json"):
            shutil.copyfile(f, target / f.name)
    return target


@pytest.fixture(scope="module")
def leaflets(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _subset(data_dir / "ema-epi", tmp_path_factory.mktemp("epi"), 60)


def _consistency(db: Path) -> dict[str, int]:
    """Integrity of the file and of every derived row; returns the table counts."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.execute("INSERT INTO chunks_fts (chunks_fts) VALUES ('integrity-check')")
        conn.execute("INSERT INTO names_trgm (names_trgm) VALUES ('integrity-check')")
        half = conn.execute(
            "SELECT count(*) FROM documents d WHERE NOT EXISTS"
            " (SELECT 1 FROM names n WHERE n.doc = d.id)"
            " OR NOT EXISTS (SELECT 1 FROM chunks c WHERE c.doc = d.id)"
        ).fetchone()[0]
        assert half == 0, "a document without its names or text rows"
        orphans = conn.execute(
            "SELECT (SELECT count(*) FROM names WHERE doc NOT IN (SELECT id FROM documents))"
            " + (SELECT count(*) FROM chunks WHERE doc NOT IN (SELECT id FROM documents))"
        ).fetchone()[0]
        assert orphans == 0
        dup_names = conn.execute(
            "SELECT count(*) FROM (SELECT doc, norm FROM names GROUP BY doc, norm"
            " HAVING count(*) > 1)"
        ).fetchone()[0]
        assert dup_names == 0
        terms = conn.execute(
            "SELECT count(*) FROM name_terms t WHERE refs !="
            " (SELECT count(*) FROM names n WHERE n.norm = t.norm)"
        ).fetchone()[0]
        assert terms == 0
        queued_orphans = conn.execute(
            "SELECT count(*) FROM chunks_unindexed WHERE id NOT IN (SELECT id FROM chunks)"
        ).fetchone()[0]
        assert queued_orphans == 0, "a queued text row that does not exist"
    finally:
        conn.close()
    assert_text_index_exact(db)
    conn = sqlite3.connect(db)
    try:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("documents", "names", "chunks", "name_terms", "history")
        }
    finally:
        conn.close()


def assert_text_index_exact(db: Path) -> None:
    """The full-text index holds exactly the text rows not queued for indexing: on a copy,
    indexing the queue must give an index equal to its content table, row for row (FTS5's
    integrity-check with rank 1 compares them; a row indexed twice or missing fails it)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy.db"
        source = sqlite3.connect(db)
        target = sqlite3.connect(copy)
        try:
            source.backup(target)
        finally:
            source.close()
        try:
            target.execute(
                "INSERT INTO chunks_fts (rowid, section, body, lang)"
                " SELECT c.id, c.section, c.body, c.lang FROM chunks_unindexed u"
                " JOIN chunks c ON c.id = u.id"
            )
            target.execute("DELETE FROM chunks_unindexed")
            target.execute(
                "INSERT INTO chunks_fts (chunks_fts, rank) VALUES ('integrity-check', 1)"
            )
        finally:
            target.close()


def test_kill_9_mid_ingest_then_rerun_completes_without_duplicates(
    leaflets: Path, tmp_path: Path
) -> None:
    n_files = len(list(leaflets.glob("*.json")))
    db = tmp_path / "killed.db"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "druginfo.ingest",
            str(leaflets),
            "--db",
            f"sqlite:///{db}",
            "--no-progress",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    stored = 0
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
            if db.exists():
                try:
                    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as c:
                        stored = c.execute("SELECT count(*) FROM documents").fetchone()[0]
                except sqlite3.OperationalError:
                    continue  # schema not created yet
                if stored >= 40:
                    break
    finally:
        proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate()
    assert proc.returncode == -signal.SIGKILL, err.decode()[-2000:]
    killed = _consistency(db)
    assert 0 < killed["documents"] < n_files, "the kill must land mid-ingest"

    # Resume through the command line: what is stored is not even parsed again.
    rerun = subprocess.run(
        [
            sys.executable,
            "-m",
            "druginfo.ingest",
            str(leaflets),
            "--db",
            f"sqlite:///{db}",
            "--no-progress",
            "--resume",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    report = json.loads(rerun.stdout)
    assert report["broken"] == []
    assert report["skipped"] == killed["documents"]
    assert report["inserted"] == n_files - killed["documents"]
    resumed = _consistency(db)
    assert resumed["documents"] == n_files

    clean_db = tmp_path / "clean.db"
    clean = open_store(f"sqlite:///{clean_db}")
    try:
        assert ingest([leaflets], clean, progress=False).inserted == n_files
    finally:
        clean.close()
    assert _consistency(clean_db) == resumed  # same rows as an uninterrupted run

    store = open_store(f"sqlite:///{db}")
    try:
        again = ingest([leaflets], store, progress=False)
        assert (again.inserted, again.replaced, again.unchanged) == (0, 0, n_files)
    finally:
        store.close()
    assert _consistency(db) == resumed


def _queued(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        return int(conn.execute("SELECT count(*) FROM chunks_unindexed").fetchone()[0])


def test_kill_9_with_text_rows_queued_for_the_index_then_rerun_indexes_them(
    leaflets: Path, tmp_path: Path
) -> None:
    """The full-text index is filled in bulk steps; a kill between two steps leaves stored
    documents whose text rows wait in the queue. The store must be consistent then (the
    index holds exactly the rows not queued) and the rerun must index the rest."""
    n_files = len(list(leaflets.glob("*.json")))
    db = tmp_path / "queued.db"
    script = (
        "import sys, time\n"
        "import druginfo.ingest as ingest\n"
        "ingest.BATCH_DOCUMENTS = 4\n"
        "ingest.INDEX_DOCUMENTS = 24\n"  # an index step every 24 documents
        "ingest.INDEX_SECONDS = 1e9\n"
        "real = ingest._Writer.flush\n"
        "def slow(self):\n"
        "    real(self)\n"
        "    time.sleep(0.2)\n"  # room for the kill to land between two batches
        "ingest._Writer.flush = slow\n"
        "from druginfo.store import open_store\n"
        "store = open_store(sys.argv[2], bootstrap=False)\n"
        "ingest.ingest([sys.argv[1]], store, progress=False)\n"
        "store.close()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(leaflets), f"sqlite:///{db}"],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
            try:
                if db.exists() and 0 < (state := _queue_state(db))[0] < state[1]:
                    break  # at least one index step done, and rows queued since
            except sqlite3.OperationalError:
                continue  # schema not created yet
    finally:
        proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate()
    assert proc.returncode == -signal.SIGKILL, err.decode()[-2000:]
    killed = _consistency(db)  # the index holds exactly the rows not queued
    assert 0 < killed["documents"] < n_files, "the kill must land mid-ingest"
    queued = _queued(db)
    assert 0 < queued < killed["chunks"], "the kill must land between two index steps"
    with sqlite3.connect(db) as conn:
        key, body = conn.execute(
            "SELECT d.key, c.body FROM chunks_unindexed u JOIN chunks c ON c.id = u.id"
            " JOIN documents d ON d.id = c.doc WHERE c.section <> 'names'"
            " ORDER BY length(c.body) DESC LIMIT 1"
        ).fetchone()
    words = [w for w in re.findall(r"[^\W\d_]{6,}", body)]
    phrase = " ".join(words[len(words) // 2 : len(words) // 2 + 3])

    rerun = subprocess.run(
        [
            sys.executable,
            "-m",
            "druginfo.ingest",
            str(leaflets),
            "--db",
            f"sqlite:///{db}",
            "--no-progress",
            "--resume",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert _queued(db) == 0
    done = _consistency(db)
    assert done["documents"] == n_files
    store = open_store(f"sqlite:///{db}")
    try:
        # A document whose text rows were queued at the kill is found by its text now.
        assert any(h.key == key for h in store.search(phrase, limit=200)), phrase
    finally:
        store.close()


def _queue_state(db: Path) -> tuple[int, int]:
    """(queued text rows, all text rows), read in one statement (one snapshot)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        queued, total = conn.execute(
            "SELECT (SELECT count(*) FROM chunks_unindexed), (SELECT count(*) FROM chunks)"
        ).fetchone()
        return int(queued), int(total)


def test_broken_file_is_reported_and_skipped(leaflets: Path, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    good = sorted(leaflets.glob("*.en.json"))[:3]
    for f in good:
        shutil.copyfile(f, folder / f.name)
    (folder / "zzbroken.en.json").write_text('{"resourceType": "Bundle", "entry": [', "utf-8")
    seen: list[Broken] = []
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    try:
        report = ingest([folder], store, progress=False, on_broken=seen.append)
        assert report.inserted == 3
        assert len(report.broken) == 1 and seen == report.broken
        assert "zzbroken" in report.broken[0].origin
        assert store.count_documents() == 3  # type: ignore[attr-defined]
    finally:
        store.close()
    _consistency(tmp_path / "s.db")


def test_changed_document_is_replaced_and_history_kept(leaflets: Path, tmp_path: Path) -> None:
    folder = tmp_path / "one"
    folder.mkdir()
    src = sorted(leaflets.glob("*.en.json"))[0]
    target = folder / src.name
    shutil.copyfile(src, target)
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    try:
        first = ingest([folder], store, progress=False)
        assert first.inserted == 1
        bundle = json.loads(target.read_bytes())
        for entry in bundle["entry"]:
            if entry["resource"]["resourceType"] == "Composition":
                entry["resource"]["date"] = "2030-01-02T00:00:00Z"
        target.write_text(json.dumps(bundle), "utf-8")
        second = ingest([folder], store, progress=False)
        assert (second.inserted, second.replaced, second.unchanged) == (0, 1, 0)
        (doc_id,) = store.document_checksums().keys()  # type: ignore[attr-defined]
        history = store.history(doc_id)  # type: ignore[attr-defined]
        assert len(history) == 1
        mono = store.documents_for(next(iter(store.names()))[1])[0]
        assert str(mono.document_date) == "2030-01-02"
    finally:
        store.close()
    counts = _consistency(tmp_path / "s.db")
    assert counts["documents"] == 1 and counts["history"] == 1


def test_report_shape() -> None:
    r = IngestReport(inserted=2, replaced=1, unchanged=3, broken=[Broken("x", "bad")], skipped=1)
    assert r.documents == 7
    assert r.as_dict()["broken"] == [{"origin": "x", "reason": "bad"}]


def test_bootstrap_loads_curated_and_bundled_leaflets(
    leaflets: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from druginfo.sources import curated, epi

    folder = tmp_path / "bundled"
    folder.mkdir()
    for f in sorted(leaflets.glob("*.json"))[:6]:
        shutil.copyfile(f, folder / f.name)
    monkeypatch.setattr(epi, "bundled_epi_path", lambda: folder)
    monkeypatch.setenv("DRUGINFO_DB", str(tmp_path / "default.db"))
    store = open_store()  # the default store: filled on first use
    try:
        keys = curated.curated_keys()
        assert keys, "no curated monographs bundled"
        for key in keys:
            mono = store.get_monograph(key)
            assert mono is not None and mono.curated
        assert store.count_documents() == len(keys) + 6  # type: ignore[attr-defined]
        again = bootstrap(store)
        assert again.inserted == 0 and again.unchanged == len(keys) + 6
    finally:
        store.close()
    reopened = open_store()  # not empty any more: not filled again
    try:
        assert reopened.count_documents() == len(keys) + 6  # type: ignore[attr-defined]
    finally:
        reopened.close()


def test_progress_bar_shows_total_rate_and_eta_on_a_terminal(
    leaflets: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    from rich.console import Console

    files = sorted(leaflets.glob("*.en.json"))[:4]
    folder = tmp_path / "four"
    folder.mkdir()
    for f in files:
        shutil.copyfile(f, folder / f.name)
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120)
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    quiet_screen = io.StringIO()
    try:
        ingest([folder], store, progress=True, console=console)
        shown = screen.getvalue()
        ingest([folder], store, progress=False, console=console)
        assert screen.getvalue() == shown  # progress=False: silent
        quiet = Console(file=quiet_screen, force_terminal=False)
        ingest([folder], store, progress=True, console=quiet)
        assert quiet_screen.getvalue() == ""  # not a terminal: silent
    finally:
        store.close()
    assert "4/4" in shown and "/s" in shown and "ETA" in shown and "Ingesting" in shown
    assert capsys.readouterr().err == ""


def test_a_document_the_store_refuses_is_broken_but_a_failing_store_stops_the_run(
    leaflets: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from druginfo.store.sqlite import SqliteStore

    folder = tmp_path / "five"
    folder.mkdir()
    files = sorted(leaflets.glob("*.en.json"))[:5]
    for f in files:
        shutil.copyfile(f, folder / f.name)
    victim = "ema-epi:" + files[2].name.removesuffix(".json")
    real = SqliteStore._upsert_one

    def picky(self: SqliteStore, conn: sqlite3.Connection, row: object, mono: object) -> object:
        if row.doc_id == victim:  # type: ignore[attr-defined]
            raise ValueError("refused")
        return real(self, conn, row, mono)  # type: ignore[arg-type]

    monkeypatch.setattr(SqliteStore, "_upsert_one", picky)
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    try:
        report = ingest([folder], store, progress=False)
        assert report.inserted == 4
        assert [b.origin for b in report.broken] == [str(folder / files[2].name)]
        assert victim not in store.document_checksums()  # type: ignore[attr-defined]

        def down(*_args: object) -> object:
            raise sqlite3.OperationalError("disk I/O error")

        monkeypatch.setattr(SqliteStore, "_upsert_one", down)
        (folder / "new.en.json").write_bytes(files[0].read_bytes())
        with pytest.raises(sqlite3.OperationalError):
            ingest([folder], store, progress=False)
    finally:
        store.close()


def _rows(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every stored row but the write times, in id order."""
    conn = sqlite3.connect(db)
    try:
        columns = (
            "id, doc_id, key, language, kind, curated, display_name, brands, document_date,"
            " checksum, monograph"
        )
        return {
            "documents": conn.execute(f"SELECT {columns} FROM documents ORDER BY id").fetchall(),
            "names": conn.execute("SELECT * FROM names ORDER BY id").fetchall(),
            "name_terms": conn.execute("SELECT * FROM name_terms ORDER BY id").fetchall(),
            "chunks": conn.execute("SELECT * FROM chunks ORDER BY id").fetchall(),
            "queued": conn.execute("SELECT * FROM chunks_unindexed").fetchall(),
        }
    finally:
        conn.close()


def test_the_pool_stores_the_same_rows_byte_for_byte(leaflets: Path, tmp_path: Path) -> None:
    """Parsed and prepared in worker processes or in this one: the same documents (the
    compressed monograph JSON included), names and text rows, with the same ids."""
    from druginfo import ingest as ingest_module

    n_files = len(list(leaflets.glob("*.json")))
    assert n_files >= ingest_module.POOL_MIN_ITEMS  # else the pool would not be used
    tables = []
    for workers in (0, 1, 2):
        db = tmp_path / f"w{workers}.db"
        store = open_store(f"sqlite:///{db}")
        try:
            report = ingest([leaflets], store, progress=False, workers=workers)
        finally:
            store.close()
        assert report.inserted == n_files and report.stages["workers"] == workers
        _consistency(db)
        tables.append(_rows(db))
    assert tables[0]["queued"] == []
    for other in tables[1:]:
        for name, rows in tables[0].items():
            assert other[name] == rows, name


@pytest.mark.parametrize("workers", [0, 2])
def test_once_the_pool_has_all_the_input_the_index_steps_are_short(
    leaflets: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """The last index step runs after the last worker is done, on one CPU: once the input
    is exhausted the pool says so and the writer indexes in short steps, so that step is
    short. Without a pool nothing changes (one step at the end here: big steps forbidden)."""
    from druginfo import ingest as ingest_module

    monkeypatch.setattr(ingest_module, "BATCH_DOCUMENTS", 4)
    monkeypatch.setattr(ingest_module, "INDEX_DOCUMENTS", 10**9)
    monkeypatch.setattr(ingest_module, "INDEX_SECONDS", 1e9)
    monkeypatch.setattr(ingest_module, "DRAIN_INDEX_DOCUMENTS", 8)
    steps: list[int] = []  # documents written since the previous step, at each step
    real = ingest_module._Writer.index_now

    def counted(self: ingest_module._Writer) -> None:
        steps.append(self.unindexed)
        real(self)

    monkeypatch.setattr(ingest_module._Writer, "index_now", counted)
    n_files = len(list(leaflets.glob("*.json")))
    db = tmp_path / "drain.db"
    store = open_store(f"sqlite:///{db}")
    try:
        report = ingest([leaflets], store, progress=False, workers=workers)
        assert store.pending_index_rows() == 0  # type: ignore[attr-defined]
    finally:
        store.close()
    assert report.inserted == n_files == sum(steps)
    if workers:
        assert len(steps) > 2
        assert max(steps[1:]) <= 8 + 4  # a step is due after a batch of 4 took it past 8
    else:
        assert steps == [n_files]
    _consistency(db)
