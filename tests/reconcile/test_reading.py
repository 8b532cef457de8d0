"""Reconciliation of real documents: the curated anakinra monograph's sources and the EU
leaflets, read by druginfo.facts. The curated `conflicts:` are removed first: what is found
here is computed from the documents' words."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from druginfo.model import Monograph
from druginfo.reconcile import ReconcileReport, reconcile_documents
from druginfo.sources.curated import load_curated
from druginfo.sources.epi import parse_epi
from druginfo.vocab import Vocab

AS_OF = dt.date(2026, 11, 29)


@pytest.fixture(scope="module")
def vocab() -> Vocab:
    return Vocab.bundled()


def leaflet(data_dir: Path, name: str) -> Monograph:
    parsed = parse_epi((data_dir / "ema-epi" / f"{name}.en.json").read_bytes(), f"{name}.en.json")
    mono: Monograph = parsed.monograph  # type: ignore[union-attr]
    return mono


@pytest.fixture(scope="module")
def anakinra(data_dir: Path, vocab: Vocab) -> ReconcileReport:
    curated = load_curated("anakinra")
    without_notes = curated.model_copy(update={"conflicts": []})
    return reconcile_documents(
        "anakinra", [without_notes, leaflet(data_dir, "kineret")], vocab=vocab, today=AS_OF
    )


def test_the_leaflet_quoted_and_the_leaflet_ingested_are_one_source(
    anakinra: ReconcileReport,
) -> None:
    ema = [s for s in anakinra.sources if s.publisher == "European Medicines Agency"]
    assert len(ema) == 1 and len(ema[0].documents) == 2
    assert len(anakinra.sources) == 5
    assert not anakinra.notes and not anakinra.unread


def test_anakinra_disagreements_without_the_curated_notes(anakinra: ReconcileReport) -> None:
    by_topic = {(f.topic, f.status) for f in anakinra.findings}
    assert ("missed-dose", "conflict") in by_topic
    assert ("pregnancy", "conflict") in by_topic
    brands = [f for f in anakinra.findings if f.status == "error" and "brand" in f.subject]
    assert {f.subject.split(": ")[1].split(" set")[0] for f in brands} == {"Enbrel", "Remicade"}
    only_eu = {
        f.subject
        for f in anakinra.findings
        if f.topic == "indication" and f.status == "new-stale" and len(f.sources) == 1
    }
    for words in ("still", "mediterranean", "covid"):
        assert any(words in s for s in only_eu), only_eu


def test_missed_dose_conflict_quotes_both_documents(anakinra: ReconcileReport) -> None:
    (missed,) = [f for f in anakinra.findings if f.topic == "missed-dose"]
    quotes = " | ".join(x.quote for x in missed.facts)
    assert "as soon as you remember" in quotes and "contact your doctor" in quotes
    assert {x.date for x in missed.facts} == {dt.date(2015, 5, 26), dt.date(2022, 2, 16)}


def test_same_values_in_other_words_agree(anakinra: ReconcileReport) -> None:
    status = {f.topic: f.status for f in anakinra.findings if f.topic in ("storage", "kidney")}
    assert status == {"storage": "agree", "kidney": "agree"}  # °F vs °C; every two days


def test_curated_notes_stand_beside_the_findings(data_dir: Path, vocab: Vocab) -> None:
    report = reconcile_documents("anakinra", [load_curated("anakinra")], vocab=vocab, today=AS_OF)
    missed = next(n for n in report.notes if n.topic == "missed-dose")
    assert "missed-dose" in missed.findings
    assert {q.source for q in missed.quotes} == {"S2", "S4"}


def test_etanercept_biosimilars_show_their_real_differences(data_dir: Path, vocab: Vocab) -> None:
    docs = [leaflet(data_dir, n) for n in ("benepali", "erelzi", "nepexto")]
    report = reconcile_documents("etanercept", docs, vocab=vocab, today=AS_OF)
    assert [s.brands for s in report.sources] == [["Benepali"], ["Erelzi"], ["Nepexto"]]
    room = next(f for f in report.findings if f.topic == "room-temperature")
    assert room.status == "conflict"
    assert "30 °C vs 25 °C" in room.summary and "31 days vs 28 days" in room.summary
    storage = next(f for f in report.findings if f.topic == "storage")
    assert storage.status == "agree"


def test_a_document_without_a_reader_is_listed_not_dropped() -> None:
    report = reconcile_documents("anakinra", [load_curated("anakinra")], extract=None, today=AS_OF)
    assert report.findings or report.unread  # read with druginfo.facts when present
    blind = reconcile_documents(
        "anakinra",
        [load_curated("anakinra")],
        extract=lambda m: (_ for _ in ()).throw(ValueError("unreadable")),
        today=AS_OF,
    )
    assert blind.unread and "unreadable" in blind.unread[0] and not blind.findings


def test_a_changed_document_is_read_afresh_through_a_fact_cache() -> None:
    from druginfo.facts.mentions import default_finder
    from druginfo.facts.reading import FactCache

    cache, finder = FactCache(), default_finder()

    def cached(mono: Monograph) -> list:  # type: ignore[type-arg]
        return cache.facts(mono, finder)

    doc = load_curated("anakinra")
    first = reconcile_documents("anakinra", [doc], extract=cached, today=AS_OF)
    again = reconcile_documents("anakinra", [doc], extract=cached, today=AS_OF)
    assert first.findings == again.findings
    claims = [
        c.model_copy(update={"quote": "If you miss a dose, skip the missed dose."})
        if c.id == "hl-missed-dose"
        else c
        for c in doc.claims
    ]
    changed = doc.model_copy(update={"claims": claims})
    after = reconcile_documents("anakinra", [changed], extract=cached, today=AS_OF)
    missed = next(f for f in after.findings if f.topic == "missed-dose")
    assert any("skip the missed dose" in x.quote for x in missed.facts)
    assert not any("skip the missed dose" in x.quote for f in first.findings for x in f.facts)


def test_a_curated_monograph_of_several_products_keeps_each_leaflet_apart(
    data_dir: Path, vocab: Vocab
) -> None:
    """The curated etanercept monograph quotes three leaflets and names all their brands; each
    quoted leaflet is still one product's document and folds only into that product's
    ingested leaflet, so the products' real differences stay visible."""
    curated = load_curated("etanercept")
    docs = [curated, *(leaflet(data_dir, n) for n in ("benepali", "erelzi", "nepexto"))]
    report = reconcile_documents("etanercept", docs, vocab=vocab, today=AS_OF)
    assert sorted(s.brands[0] for s in report.sources) == ["Benepali", "Erelzi", "Nepexto"]
    assert all(len(s.brands) == 1 and len(s.documents) == 2 for s in report.sources)
    room = next(f for f in report.findings if f.topic == "room-temperature")
    assert room.status == "conflict" and "31 days vs 28 days" in room.summary
    assert any(n.topic == "storage" and room.id in n.findings for n in report.notes)
