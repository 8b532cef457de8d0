"""One source per document: publisher names normalised, distinct documents kept apart."""

from __future__ import annotations

import datetime as dt

from handmade import doc, etanercept, fact

from druginfo.model.facts import FactSet
from druginfo.reconcile import reconcile_facts
from druginfo.reconcile.documents import group_sources, publisher_key

AS_OF = dt.date(2026, 11, 29)
D = dt.date(2022, 2, 16)


def test_publisher_names_are_normalised() -> None:
    assert publisher_key("Medicinenet") == publisher_key("MedicineNet")
    assert publisher_key("MedicineNet.com") == publisher_key("medicinenet")
    assert publisher_key("Swedish Orphan Biovitrum AB (publ)") == publisher_key(
        "Swedish Orphan Biovitrum"
    )
    assert publisher_key("Healthline") != publisher_key("MedicineNet")


def test_a_page_reached_twice_under_two_spellings_never_agrees_with_itself() -> None:
    quote = "If you miss a dose, take it as soon as you remember."
    sets = [
        FactSet(
            document=doc(i, name, dt.date(2014, 12, 15), title="anakinra, Kineret"),
            facts=[fact("missed-dose", quote, action="as-soon-as-remembered")],
        )
        for i, name in (("a", "Medicinenet"), ("b", "MedicineNet"))
    ]
    report = reconcile_facts("anakinra", sets, today=AS_OF)
    assert len(report.sources) == 1 and report.sources[0].documents == ["a", "b"]
    (only,) = report.findings
    assert only.status == "only-one-source"


def test_two_leaflets_of_one_publisher_and_date_are_two_sources() -> None:
    groups = group_sources(etanercept(), AS_OF)
    assert [g.source.brands for g in groups] == [["Benepali"], ["Erelzi"], ["Nepexto"]]


def test_a_curated_copy_of_a_leaflet_and_the_leaflet_are_one_source() -> None:
    curated = doc(
        "ema-epi-kineret-en",
        "European Medicines Agency",
        D,
        kind="curated",
        title="Kineret 100 mg/0.67 ml solution for injection in pre-filled syringe: package leaflet",
    )
    ingested = doc(
        "ema-epi-kineret.en",
        "European Medicines Agency",
        D,
        kind="leaflet",
        title="Kineret 100 mg/0.67 ml solution for injection in pre-filled syringe.",
    )
    store = fact("storage", "Store in a refrigerator (2 C to 8 C).", temp_min_c=2, temp_max_c=8)
    groups = group_sources(
        [FactSet(document=curated, facts=[store]), FactSet(document=ingested, facts=[store])], AS_OF
    )
    assert len(groups) == 1
    assert groups[0].source.kind == "leaflet"  # the leaflet, whoever read it
    assert len(groups[0].facts) == 1  # the same statement once


def test_other_strengths_of_one_brand_are_other_documents() -> None:
    a = doc("a", "EMA", D, kind="leaflet", title="Brandex 25 mg solution for injection")
    b = doc("b", "EMA", D, kind="leaflet", title="Brandex 50 mg solution for injection")
    assert len(group_sources([FactSet(document=a), FactSet(document=b)], AS_OF)) == 2


def test_staleness_names_its_reason() -> None:
    old = FactSet(document=doc("old", "Site", dt.date(2015, 1, 1)))
    undated = FactSet(document=doc("u", "Other", None))
    label = FactSet(document=doc("l", "Maker", dt.date(2025, 1, 1), kind="label"))
    before_label = FactSet(document=doc("p", "Page", dt.date(2024, 1, 1)))
    why = {
        g.source.publisher: g.source.why_stale
        for g in group_sources([old, undated, label, before_label], AS_OF)
    }
    assert "more than 5 years" in (why["Site"] or "")
    assert why["Other"] == "no date given"
    assert why["Maker"] is None
    assert "2025-01-01" in (why["Page"] or "")
