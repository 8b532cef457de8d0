"""Reconciliation over the real curated anakinra monograph and the real EU leaflet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from druginfo.model import Claim, Identity, Monograph, Source, SourceKind, Topic
from druginfo.reconcile import reconcile
from druginfo.sources.curated import load_curated
from druginfo.sources.epi import parse_epi

AS_OF = dt.date(2026, 11, 24)


def test_curated_conflicts_and_staleness() -> None:
    report = reconcile("anakinra", [load_curated("anakinra")], today=AS_OF)
    status = {t.topic: t.status for t in report.topics}
    assert status["missed-dose"] == "conflict"
    assert status["pregnancy"] == "conflict"
    # 2–8 °C (EU) and 36–46 °F (Healthline) are the same range: not a conflict.
    assert status["storage"] != "conflict"
    stale = {s.id: s.stale for s in report.sources}
    assert stale["medicinenet"] and stale["healthline"]
    assert not stale["ema-epi-kineret-en"]


def test_the_same_leaflet_reached_twice_is_one_source(data_dir: Path) -> None:
    raw = (data_dir / "ema-epi" / "kineret.en.json").read_bytes()
    leaflet = parse_epi(raw, "kineret.en.json")
    assert hasattr(leaflet, "monograph")
    report = reconcile("anakinra", [load_curated("anakinra"), leaflet.monograph], today=AS_OF)
    ema = [s for s in report.sources if s.publisher == "European Medicines Agency"]
    assert len(ema) == 1


def _doc(key: str, publisher: str, quote: str, reviewed: dt.date) -> Monograph:
    src = Source(
        id=f"{publisher.lower()}-{key}",
        publisher=publisher,
        document=f"{key} page",
        kind=SourceKind.publisher,
        reviewed=reviewed,
    )
    claim = Claim(id=f"{publisher.lower()}-1", topic=Topic.storage, source=src.id, quote=quote)
    return Monograph(key=key, identity=Identity(generic=key), sources=[src], claims=[claim])


def test_numbers_with_nothing_in_common_are_a_conflict() -> None:
    a = _doc("x", "A", "Once out of the fridge, use within 72 hours.", dt.date(2025, 1, 1))
    b = _doc("x", "B", "Once out of the fridge, use within 24 hours.", dt.date(2025, 6, 1))
    report = reconcile("x", [a, b], today=AS_OF)
    (topic,) = report.topics
    assert topic.status == "conflict"
    assert "72 hours" in topic.differences[0] and "24 hours" in topic.differences[0]


def test_single_current_source_is_only_one_source() -> None:
    a = _doc("x", "A", "Store below 25 °C.", dt.date(2025, 1, 1))
    (topic,) = reconcile("x", [a], today=AS_OF).topics
    assert topic.status == "only-one-source"
