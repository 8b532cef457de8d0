"""The whole pipeline (real parsers, real files) into each backend: leaflets, an FDA label,
DDInter pairs and WHO ATC classes; idempotent on a second run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from druginfo.ingest import ingest
from druginfo.store.base import Store


@pytest.fixture(scope="module")
def inputs(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small mixed folder: Kineret and Benepali leaflets (3 languages), the Humira SPL,
    the DDInter rows about anakinra plus 2,000 others, and the WHO ATC table."""
    root = tmp_path_factory.mktemp("mixed")
    for product in ("kineret", "benepali"):
        for f in (data_dir / "ema-epi").glob(f"{product}.*.json"):
            shutil.copyfile(f, root / f.name)
    shutil.copyfile(data_dir / "fda-spl" / "humira.xml", root / "humira.xml")
    lines = (data_dir / "ddinter" / "ddinter_downloads_code_L.csv").read_text("utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    chosen = [r for r in rows if "anakinra" in r.lower()] + rows[:2000]
    (root / "ddinter_L.csv").write_text("\n".join([header, *chosen]) + "\n", "utf-8")
    shutil.copyfile(data_dir / "who-atc" / "WHO ATC-DDD 2026-04-25.csv", root / "atc.csv")
    return root


def test_pipeline_into_backend(store: Store, inputs: Path) -> None:
    first = ingest([inputs], store, progress=False)
    assert first.broken == [], first.broken
    assert first.inserted == 7  # 3 + 3 leaflets and one SPL label
    assert first.interactions >= 2000
    assert first.classes > 5000

    pairs = store.interactions_among(["Etanercept", "anakinra", "methotrexate"])
    levels = {(p.drug_a, p.drug_b): p.level for p in pairs}
    assert levels[("anakinra", "etanercept")] == "major"
    assert all(p.source == "ddinter" for p in pairs)

    assert [c.code for c in store.classes_of("anakinra")] == ["L04AC03"]
    tnf = store.class_entry("L04AB")
    assert tnf is not None and "TNF" in tnf.name
    assert "L04AB01" in {c.code for c in store.members_of("L04AB")}

    kineret = store.get_monograph("anakinra", "da")
    assert kineret is not None and kineret.language == "da"
    assert store.search("benepali")[0].key == "etanercept"
    assert store.search("humira")[0].key == "adalimumab"

    second = ingest([inputs], store, progress=False)
    assert (second.inserted, second.replaced, second.unchanged) == (0, 0, 7)
    assert store.count_documents() == 7  # type: ignore[attr-defined]
    assert store.count_interactions() == first.interactions  # type: ignore[attr-defined]
