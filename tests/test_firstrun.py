"""The first start says what it does, as plain lines when nobody watches a terminal."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from druginfo import firstrun
from druginfo.ingest import ingest
from druginfo.store import open_store


def test_plain_progress_is_a_few_lines_without_control_codes() -> None:
    out = io.StringIO()
    firstrun.announce("/data/druginfo.db", out)
    progress = firstrun.PlainProgress("EU leaflets", 50, out)
    for _ in range(50):
        progress.tick()
    firstrun.finished(12.3, 50, out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("druginfo: One-time setup") and "/data/druginfo.db" in lines[0]
    assert "only on the first start" in lines[0]
    assert [line.split("(")[-1] for line in lines[1:-1]] == [f"{p}%)" for p in range(10, 100, 10)]
    assert lines[-1] == (
        "druginfo: One-time setup done: 50 documents in 12 s; later starts are immediate."
    )
    assert "\x1b" not in out.getvalue() and "\r" not in out.getvalue()


def test_without_a_total_only_the_start_and_end_are_said() -> None:
    out = io.StringIO()
    progress = firstrun.PlainProgress("EU leaflets", None, out)
    for _ in range(5):
        progress.tick()
    assert out.getvalue() == ""


def test_ingest_reports_every_item_to_the_listener(data_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "epi"
    folder.mkdir()
    for name in ("kineret.en.json", "kineret.da.json", "humira.en.json"):
        shutil.copy(data_dir / "ema-epi" / name, folder / name)
    seen: list[str] = []
    store = open_store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    try:
        report = ingest([folder], store, progress=False, on_item=seen.append)
    finally:
        store.close()
    assert report.inserted == 3 and len(seen) == 3
