"""A start skips re-reading curated monographs whose files have not changed, and never keeps
a stored one whose files did: the fingerprint covers every file a monograph is made from."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from druginfo.service import refresh_curated
from druginfo.sources import curated
from druginfo.store import open_store

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "druginfo"


@pytest.fixture
def data_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled curated monographs that the test may edit."""
    root = tmp_path / "monographs"
    shutil.copytree(PACKAGE / "data" / "monographs", root)
    monkeypatch.setattr(curated, "_root", lambda: root)
    return root


def test_every_input_file_is_fingerprinted() -> None:
    names = {f.name for f in curated.fingerprint_files("anakinra")}
    folder = PACKAGE / "data" / "monographs" / "anakinra"
    assert {f.name for f in folder.glob("*.yaml")} <= names
    assert {f.name for f in (PACKAGE / "model").glob("*.py")} <= names
    assert "curated.py" in names  # the loader itself


def test_a_changed_file_changes_the_fingerprint(data_root: Path) -> None:
    before = curated.curated_fingerprint("anakinra")
    assert curated.curated_fingerprint("anakinra") == before
    claims = data_root / "anakinra" / "claims-healthline.yaml"
    claims.write_text(claims.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    assert curated.curated_fingerprint("anakinra") != before
    assert curated.curated_fingerprint("canakinumab") != before


def test_the_store_never_keeps_a_stale_curated_monograph(
    data_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}", bootstrap=False)
    try:
        refresh_curated(store)
        first = store.get_monograph("anakinra")
        assert first is not None
        assert first.identity.drug_class == "interleukin-1 receptor antagonist"

        loads: list[str] = []
        real_load = curated.load_curated

        def counting_load(key: str) -> object:
            loads.append(key)
            return real_load(key)

        monkeypatch.setattr("druginfo.service.load_curated", counting_load)
        refresh_curated(store)  # nothing changed: nothing re-read
        assert loads == []

        mono_file = data_root / "anakinra" / "monograph.yaml"
        text = mono_file.read_text(encoding="utf-8")
        mono_file.write_text(
            text.replace(
                "drug_class: interleukin-1 receptor antagonist",
                "drug_class: interleukin-1 receptor antagonist (edited)",
            ),
            encoding="utf-8",
        )
        refresh_curated(store)  # the edited one only
        assert loads == ["anakinra"]
        again = store.get_monograph("anakinra")
        assert again is not None
        assert again.identity.drug_class == "interleukin-1 receptor antagonist (edited)"
    finally:
        store.close()
