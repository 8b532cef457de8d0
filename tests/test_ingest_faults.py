"""Faults injected into ingestion: each one must cost the faulty record only, never the run,
the batch or a later rerun; limits are reported with their reason."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from druginfo.ingest import ingest
from druginfo.sources import detect
from druginfo.sources.base import Broken, ParsedDocument
from druginfo.store import FILL_MARK, open_store

PRODUCTS = ("kineret", "benepali", "humira", "enbrel", "simponi", "cimzia")


@pytest.fixture(scope="module")
def leaflets(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """English leaflets of a few medicines (whichever of PRODUCTS exist), copied."""
    folder = tmp_path_factory.mktemp("leaflets")
    for product in PRODUCTS:
        src = data_dir / "ema-epi" / f"{product}.en.json"
        if src.exists():
            shutil.copy(src, folder / src.name)
    assert len(list(folder.iterdir())) >= 3
    return folder


def _nested_epi(data_dir: Path, depth: int) -> bytes:
    """A real leaflet with one extra section nested `depth` sections deep."""
    bundle = json.loads((data_dir / "ema-epi" / "kineret.en.json").read_text(encoding="utf-8"))
    comp = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Composition"
    )
    comp["section"].append("@NESTED@")
    innermost = json.dumps(
        {
            "title": "innermost",
            "text": {"div": "<div xmlns='http://www.w3.org/1999/xhtml'><p>Deep words.</p></div>"},
        }
    )
    # Written as text: json.dumps itself cannot nest this deep.
    nested = '{"title": "level", "section": [' * depth + innermost + "]}" * depth
    return json.dumps(bundle).replace('"@NESTED@"', nested).encode()


def _nested_spl(data_dir: Path, depth: int) -> bytes:
    """A real SPL label with one extra section nested `depth` sections deep (within the XML
    parser's own depth limit, so the fault reaches our section walk)."""
    raw = (data_dir / "fda-spl" / "humira.xml").read_text(encoding="utf-8")
    inner = "<section><title>Deep</title><text><paragraph>deep</paragraph></text></section>"
    for _ in range(depth):
        inner = f"<section><title>Level</title><component>{inner}</component></section>"
    at = raw.index("<component>", raw.index("<structuredBody>"))
    return (raw[:at] + f"<component>{inner}</component>" + raw[at:]).encode()


def _db_count(db: Path, sql: str = "SELECT count(*) FROM documents") -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        return int(conn.execute(sql).fetchone()[0])


def _run_ingest(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "druginfo.ingest", *args, "--no-progress"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_deeply_nested_leaflet_and_label_are_skipped_and_the_batch_kept(
    leaflets: Path, data_dir: Path, tmp_path: Path
) -> None:
    inputs = tmp_path / "inputs"
    shutil.copytree(leaflets, inputs)
    (inputs / "aaa-nested.en.json").write_bytes(_nested_epi(data_dir, 3000))
    (inputs / "nested-label.xml").write_bytes(_nested_spl(data_dir, 1000))
    good = len(list(leaflets.iterdir()))
    db = tmp_path / "store.db"
    for attempt in ("first", "resume"):
        args = [str(inputs), "--db", f"sqlite:///{db}"] + (
            ["--resume"] if attempt == "resume" else []
        )
        run = _run_ingest(*args)
        assert run.returncode == 0, run.stderr[-2000:]
        report = json.loads(run.stdout)
        broken = {b["origin"].rsplit("/", 1)[-1]: b["reason"] for b in report["broken"]}
        assert set(broken) == {"aaa-nested.en.json", "nested-label.xml"}, broken
        assert all("nested too deeply" in reason for reason in broken.values()), broken
        assert report["inserted"] + report["skipped"] == good
        assert _db_count(db) == good


def test_nested_record_in_a_zip_costs_that_member_only(data_dir: Path, tmp_path: Path) -> None:
    archive = tmp_path / "mixed.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a-nested.en.json", _nested_epi(data_dir, 3000))
        zf.write(data_dir / "ema-epi" / "kineret.en.json", "kineret.en.json")
    records = list(detect.iter_records([archive]))
    kinds = sorted(type(r).__name__ for r in records)
    assert kinds == ["Broken", "ParsedDocument"]


def test_members_with_the_same_base_name_stay_two_documents(data_dir: Path, tmp_path: Path) -> None:
    kineret = (data_dir / "ema-epi" / "kineret.en.json").read_bytes()
    other = (data_dir / "ema-epi" / "benepali.en.json").read_bytes()
    zpath = tmp_path / "two.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("2024/kineret.en.json", kineret)
        zf.writestr("2025/kineret.en.json", other)  # another document, same base name
    tpath = tmp_path / "two.tar.gz"
    with tarfile.open(tpath, "w:gz") as tf:
        for folder, data in (("2024", kineret), ("2025", other)):
            tf.add(_write(tmp_path, folder, data), f"{folder}/kineret.en.json")
    for path in (zpath, tpath):
        docs = [r for r in detect.iter_records([path]) if isinstance(r, ParsedDocument)]
        ids = sorted(d.doc_id for d in docs)
        assert ids == ["ema-epi:2025/kineret.en", "ema-epi:kineret.en"], ids
        assert {d.monograph.key for d in docs} == {"anakinra", "etanercept"}
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    try:
        report = ingest([zpath], store, progress=False)
        assert report.inserted == 2
        again = ingest([zpath], store, progress=False, resume=True)
        assert again.skipped == 2 and again.inserted == 0
    finally:
        store.close()


def _write(tmp_path: Path, folder: str, data: bytes) -> Path:
    path = tmp_path / "members" / folder / "kineret.en.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_zip_bomb_member_is_refused_without_reading_it(tmp_path: Path) -> None:
    """A 2 GiB member of zeros packs to about 2 MB: refused from its header, in no time."""
    bomb = tmp_path / "bomb.zip"
    chunk = bytes(16 * 1024 * 1024)
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("labels/huge.xml", "w", force_zip64=True) as member:
            for _ in range(128):  # 2 GiB
                member.write(chunk)
        zf.writestr("notes.csv", "DDInterID_A,Drug_A,DDInterID_B,Drug_B,Level\n")
    assert bomb.stat().st_size < 20 * 1024 * 1024
    records = list(detect.iter_records([bomb]))
    broken = [r for r in records if isinstance(r, Broken) and r.origin.endswith("huge.xml")]
    assert len(broken) == 1
    assert "packed size" in broken[0].reason and "zip bomb" in broken[0].reason


def test_member_that_unpacks_past_its_header_is_cut_off(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The bound holds on the bytes read, whatever the archive's directory claims."""
    monkeypatch.setattr(detect, "MAX_DOCUMENT_BYTES", 1024 * 1024)
    big = tmp_path / "big.zip"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("page.txt", "Generic name: examplomab\n" + "word " * 400_000)
    (rec,) = detect.iter_records([big])
    assert isinstance(rec, Broken)
    assert "larger than 1.0 MiB" in rec.reason


def test_oversized_document_is_refused_with_the_limit(
    monkeypatch: pytest.MonkeyPatch, data_dir: Path, tmp_path: Path
) -> None:
    monkeypatch.setattr(detect, "MAX_DOCUMENT_BYTES", 256 * 1024)
    label = tmp_path / "padded.xml"
    raw = (data_dir / "fda-spl" / "humira.xml").read_bytes()
    label.write_bytes(raw + b"<!--" + b"x" * (300 * 1024) + b"-->")
    (rec,) = detect.iter_records([label])
    assert isinstance(rec, Broken)
    assert "SPL document larger than 256.0 KiB" in rec.reason


def test_ingest_exits_2_and_says_why_when_nothing_could_be_ingested(tmp_path: Path) -> None:
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "a.json").write_text('{"resourceType": "Bundle", "entry": [')
    (junk / "b.csv").write_text("not,a,known,table\n")
    run = _run_ingest(str(junk), "--db", f"sqlite:///{tmp_path / 's.db'}")
    assert run.returncode == 2
    assert "nothing could be ingested" in run.stderr and "a.json" in run.stderr
    cli = subprocess.run(
        [sys.executable, "-m", "druginfo.interfaces.cli", "ingest", str(junk), "--no-progress"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "DRUGINFO_DB": f"sqlite:///{tmp_path / 'cli.db'}"},
    )
    assert cli.returncode == 2
    assert "nothing could be ingested" in cli.stderr


@pytest.mark.parametrize("kind", ["not-a-database", "unwritable-folder", "bad-scheme"])
def test_bad_db_is_a_one_line_error(kind: str, leaflets: Path, tmp_path: Path) -> None:
    if kind == "not-a-database":
        target = tmp_path / "text.db"
        target.write_text("these are notes, not a database\n" * 100)
        url = f"sqlite:///{target}"
    elif kind == "unwritable-folder":
        blocker = tmp_path / "file"
        blocker.write_text("x")
        url = f"sqlite:///{blocker}/sub/store.db"  # a folder cannot be made inside a file
    else:
        url = "mysql://localhost/druginfo"
    for cmd in (
        [sys.executable, "-m", "druginfo.interfaces.cli", "ingest", str(leaflets), "--db", url],
        [sys.executable, "-m", "druginfo.interfaces.cli", "show", "kineret", "--db", url],
        [sys.executable, "-m", "druginfo.ingest", str(leaflets), "--db", url],
    ):
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert run.returncode == 2, run.stderr
        assert "Traceback" not in run.stderr
        lines = [line for line in run.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error:"), run.stderr


def test_first_fill_killed_at_any_point_completes_on_the_next_start(
    data_dir: Path, tmp_path: Path
) -> None:
    """The bundled fill (made small here: 40 leaflets) is killed mid-way; the next start must
    finish it, and only then mark it complete."""
    archive = tmp_path / "bundle.tar.xz"
    names = sorted(p.name for p in (data_dir / "ema-epi").glob("*.en.json"))[:40]
    with tarfile.open(archive, "w:xz") as tf:
        for name in names:
            tf.add(data_dir / "ema-epi" / name, name)
    db = tmp_path / "data" / "druginfo.db"
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "import druginfo.ingest as ingest\n"
        f"ingest._bundled_epi = lambda: Path({str(archive)!r})\n"
        "real = ingest._Writer.flush\n"
        "def slow(self):\n"
        "    real(self)\n"
        "    time.sleep(0.3)\n"  # room for the kill to land between two batches
        "ingest._Writer.flush = slow\n"
        "ingest.BATCH_DOCUMENTS = 4\n"
        "from druginfo.store import open_store\n"
        "open_store(sys.argv[1], bootstrap=True).close()\n"
    )
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", script, f"sqlite:///{db}"], env=env, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
            try:
                if db.exists() and _db_count(db) >= 10:
                    break
            except sqlite3.OperationalError:
                continue
    finally:
        proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate()
    assert proc.returncode == -signal.SIGKILL, err.decode()[-2000:]
    stored = _db_count(db)
    assert 0 < stored < len(names) + 1, "the kill must land mid-fill"
    mark = f"SELECT count(*) FROM store_meta WHERE name = '{FILL_MARK}' AND value = 'complete'"
    assert _db_count(db, mark) == 0

    rerun = subprocess.run(
        [sys.executable, "-c", script.replace("time.sleep(0.3)", "pass"), f"sqlite:///{db}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    curated = _db_count(db, "SELECT count(*) FROM documents WHERE curated = 1")
    assert _db_count(db) == len(names) + curated
    assert _db_count(db, mark) == 1


def test_a_store_filled_by_the_user_is_not_filled_again(leaflets: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'mine.db'}"
    store = open_store(url)
    try:
        ingest([leaflets], store, progress=False)
        before = store.count_documents()  # type: ignore[attr-defined]
    finally:
        store.close()
    store = open_store(url, bootstrap=True)
    try:
        assert store.count_documents() == before  # type: ignore[attr-defined]
    finally:
        store.close()
