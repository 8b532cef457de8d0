"""A server answers before the first fill is done: curated monographs at once, the bundled
leaflets as the background fill stores them, and the fill is marked complete at its end."""

from __future__ import annotations

import tarfile
import time
from pathlib import Path

import pytest

from druginfo import ingest
from druginfo import service as service_module
from druginfo.service import Service
from druginfo.store import FILL_MARK, needs_fill


def test_serve_answers_while_the_bundled_leaflets_fill_behind(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "bundle.tar.xz"
    names = ["benepali.en.json", "kineret.en.json", "xeljanz.en.json"]
    with tarfile.open(archive, "w:xz") as tf:
        for name in names:
            tf.add(data_dir / "ema-epi" / name, name)
    monkeypatch.setattr(ingest, "_bundled_epi", lambda: archive)
    monkeypatch.setattr(service_module, "LIVE_CHECK_SECONDS", 0.0)
    # Hold the fill back until the service has answered once from the curated data alone.
    gate_open = False
    real_ingest = ingest.ingest

    def gated(*args: object, **kwargs: object) -> ingest.IngestReport:
        deadline = time.monotonic() + 30
        while not gate_open and time.monotonic() < deadline:
            time.sleep(0.02)
        return real_ingest(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ingest, "ingest", gated)
    svc = Service.open(f"sqlite:///{tmp_path / 'site.db'}", background_fill=True)
    try:
        assert svc.monograph("anakinra").curated  # the curated monograph is there at once
        assert needs_fill(svc.store)  # ... and the fill is not marked complete yet
        gate_open = True
        deadline = time.monotonic() + 120
        while needs_fill(svc.store) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert svc.store.meta(FILL_MARK) == "complete"  # type: ignore[attr-defined]
        assert svc.monograph("Xeljanz").key == "tofacitinib"  # learned while serving
        assert svc.monograph("Benepali").key == "etanercept"
    finally:
        svc.close()
