"""DDInter interaction tables: the real CSV downloads in ../shared/data/ddinter."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

from druginfo.model import SourceKind
from druginfo.sources.base import Broken, InteractionBatch
from druginfo.sources.ddinter import BATCH_SIZE, DDINTER_SOURCE, iter_ddinter


def test_all_rows_are_read(data_dir: Path) -> None:
    files = sorted((data_dir / "ddinter").glob("*.csv"))
    assert len(files) == 8
    rows = 0
    levels: Counter[str] = Counter()
    pairs: dict[tuple[str, str], str] = {}
    for path in files:
        with path.open("rb") as fh:
            for rec in iter_ddinter(fh, str(path)):
                assert isinstance(rec, InteractionBatch), rec
                assert 0 < len(rec.pairs) <= BATCH_SIZE
                for p in rec.pairs:
                    assert p.drug_a <= p.drug_b and p.drug_a == p.drug_a.lower()
                    assert p.source == "ddinter" and len(p.source_ids) == 2
                    levels[p.level] += 1
                    pairs[(p.drug_a, p.drug_b)] = p.level
    rows = sum(levels.values())
    # The data README's count is rows across the eight files; a pair of drugs in two ATC
    # groups appears in two files, so there are fewer distinct pairs.
    assert rows == 222_383
    assert levels == {"moderate": 130_367, "unknown": 47_182, "major": 33_896, "minor": 10_938}
    assert len(pairs) == 160_235
    assert pairs[("anakinra", "etanercept")] == "major"


def test_bad_rows_and_headers() -> None:
    data = (
        b"DDInterID_A,Drug_A,DDInterID_B,Drug_B,Level\n"
        b"DDInter2,Zeta  Drug,DDInter1,Alpha,Major\n"
        b"DDInter3,Only,three\n"
        b"DDInter4,X,DDInter5,Y,Sometimes\n"
    )
    recs = list(iter_ddinter(io.BytesIO(data), "t.csv"))
    batches = [r for r in recs if isinstance(r, InteractionBatch)]
    broken = [r for r in recs if isinstance(r, Broken)]
    assert [b.origin for b in broken] == ["t.csv:3", "t.csv:4"]
    (pair,) = batches[0].pairs
    assert (pair.drug_a, pair.drug_b, pair.level) == ("alpha", "zeta drug", "major")
    assert pair.source_ids == ["DDInter1", "DDInter2"]
    (rec,) = iter_ddinter(io.BytesIO(b"a,b,c\n1,2,3\n"), "other.csv")
    assert isinstance(rec, Broken) and "unexpected header" in rec.reason


def test_source_terms() -> None:
    assert DDINTER_SOURCE.kind is SourceKind.curated
    assert DDINTER_SOURCE.publisher == "DDInter"
    assert "CC BY-NC-SA 4.0" in (DDINTER_SOURCE.acknowledgement or "")


def test_a_row_that_is_not_utf8_is_skipped_alone() -> None:
    rows = [
        b"DDInterID_A,Drug_A,DDInterID_B,Drug_B,Level",
        b"DDInter1,Quinorex,DDInter2,Belvadine,Major",
        b"DDInter3,Bad\xff\xfeName,DDInter4,Tolvex,Minor",  # one bad byte
        b'DDInter5,"Nul\x00Name",DDInter6,Tolvex,Minor',  # a NUL no database text can hold
        b"DDInter7,Corvastin,DDInter8,Delmazine,Moderate",
        b"DDInter9,Eptarin,DDInter10,Fenvoxa,Minor",
    ]
    records = list(iter_ddinter(io.BytesIO(b"\r\n".join(rows) + b"\r\n"), "t.csv"))
    broken = [r for r in records if isinstance(r, Broken)]
    pairs = [p for r in records if isinstance(r, InteractionBatch) for p in r.pairs]
    assert [b.origin for b in broken] == ["t.csv:3", "t.csv:4"]
    assert "not UTF-8" in broken[0].reason
    assert [(p.drug_a, p.drug_b) for p in pairs] == [
        ("belvadine", "quinorex"),
        ("corvastin", "delmazine"),
        ("eptarin", "fenvoxa"),
    ]
