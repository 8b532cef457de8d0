"""WHO ATC classification: the real table in ../shared/data/who-atc."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from druginfo.model import ClassEntry
from druginfo.sources.atc import ATC_SOURCE, atc_parent, iter_atc
from druginfo.sources.base import Broken, ClassBatch


@pytest.fixture(scope="module")
def entries(data_dir: Path) -> dict[str, ClassEntry]:
    path = data_dir / "who-atc" / "WHO ATC-DDD 2026-04-25.csv"
    out: dict[str, ClassEntry] = {}
    with path.open("rb") as fh:
        for rec in iter_atc(fh, str(path)):
            assert isinstance(rec, ClassBatch), rec
            for e in rec.entries:
                assert e.code not in out
                out[e.code] = e
    return out


def test_codes_and_parents(entries: dict[str, ClassEntry]) -> None:
    # 7,536 rows, one per code and route/DDD; each code once.
    assert len(entries) == 6996
    assert entries["L04AC03"].name == "anakinra"
    assert entries["L04AC03"].parent == "L04AC"
    tnf = entries["L04AB"]
    assert tnf.name == "Tumor necrosis factor alpha (TNF-alpha) inhibitors"
    assert tnf.parent == "L04A"
    l04ab = sorted(c for c in entries if c.startswith("L04AB"))
    assert l04ab[:5] == ["L04AB", "L04AB01", "L04AB02", "L04AB03", "L04AB04"]
    assert entries["L04AB01"].name == "etanercept" and entries["L04AB04"].name == "adalimumab"
    assert entries["L"].parent is None
    # Every parent is itself in the table.
    assert all(e.parent in entries for e in entries.values() if e.parent)
    assert all(e.system == "atc" for e in entries.values())


def test_parent_lengths() -> None:
    assert [atc_parent(c) for c in ("L", "L04", "L04A", "L04AB", "L04AB01")] == [
        None,
        "L",
        "L04",
        "L04A",
        "L04AB",
    ]


def test_combinations_file_is_recognised_and_ignored(data_dir: Path) -> None:
    path = data_dir / "who-atc" / "WHO ATC-DDD-combinations 2026-04-25.csv"
    with path.open("rb") as fh:
        assert list(iter_atc(fh, str(path))) == []


def test_bad_rows() -> None:
    data = b"atc_code,atc_name,ddd,uom,adm_r,note\nL04AC03,anakinra,0.1,g,P,NA\nnot-a-code,x,,,,\n"
    recs = list(iter_atc(io.BytesIO(data), "t.csv"))
    assert isinstance(recs[0], Broken) and recs[0].origin == "t.csv:3"
    assert isinstance(recs[1], ClassBatch) and recs[1].entries[0].code == "L04AC03"


def test_source_terms() -> None:
    assert ATC_SOURCE.reviewed == dt.date(2026, 4, 25)
    assert "WHO Collaborating Centre" in ATC_SOURCE.publisher
    assert "non-commercial" in (ATC_SOURCE.acknowledgement or "").lower()
