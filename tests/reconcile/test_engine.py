"""The reconciliation engine over hand-written fact sets (see handmade.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from handmade import RA_ADULT, anakinra, doc, etanercept, fact, resolve

from druginfo.model.facts import FactSet
from druginfo.reconcile import ReconcileReport, reconcile_facts

AS_OF = dt.date(2026, 11, 29)


def run(sets: list[FactSet], **kw: object) -> ReconcileReport:
    return reconcile_facts("x", sets, today=AS_OF, resolve=resolve, **kw)


def finding(report: ReconcileReport, topic: str, status: str | None = None):  # type: ignore[no-untyped-def]
    found = [
        f for f in report.findings if f.topic == topic and (status is None or f.status == status)
    ]
    assert found, [(f.topic, f.status) for f in report.findings]
    return found[0]


def test_anakinra_disagreements_are_computed_without_notes() -> None:
    report = run(anakinra())
    assert not report.notes
    assert finding(report, "missed-dose").status == "conflict"
    assert finding(report, "pregnancy").status == "conflict"
    assert finding(report, "breastfeeding").status == "conflict"
    brand = [f for f in report.findings if f.status == "error" and "Enbrel" in f.subject]
    assert brand and "etanercept" in brand[0].summary
    assert "infliximab (Enbrel)" in brand[0].facts[0].quote
    new = {f.subject for f in report.of_status("new-stale") if f.topic == "indication"}
    assert any("still" in s for s in new) and any("mediterranean" in s for s in new)
    assert any("covid" in s for s in new)


def test_a_conflict_quotes_both_sides_with_dates() -> None:
    missed = finding(run(anakinra()), "missed-dose")
    quotes = {f.quote for f in missed.facts}
    assert any("as soon as you remember" in q for q in quotes)
    assert any("contact your doctor" in q for q in quotes)
    assert {f.date for f in missed.facts} == {dt.date(2015, 5, 26), dt.date(2022, 2, 16)}
    assert 0 < missed.confidence <= 1


def test_same_value_in_other_units_and_words_agrees() -> None:
    report = run(anakinra())
    storage = finding(report, "storage")
    assert storage.status == "agree"  # 36–46 °F (2.2–7.8 °C) is the leaflet's 2–8 °C
    kidney = finding(report, "kidney")
    assert kidney.status == "agree"  # "every two days" = "every other day"
    dose = finding(report, "dose")
    assert dose.status == "agree" and len(dose.sources) == 3


def test_a_new_page_with_another_storage_instruction_makes_a_quoted_conflict() -> None:
    page = FactSet(
        document=doc("pharmacy", "Corner Pharmacy", dt.date(2025, 3, 1)),
        facts=[fact("storage", "Store at 15 to 25 °C.", temp_min_c=15, temp_max_c=25)],
    )
    before = finding(run(anakinra()), "storage")
    after = finding(run([*anakinra(), page]), "storage")
    assert before.status == "agree" and after.status == "conflict"
    assert any(f.quote == "Store at 15 to 25 °C." for f in after.facts)
    assert "Corner Pharmacy" in after.summary


def test_a_new_page_with_another_missed_dose_instruction_makes_a_conflict() -> None:
    sets = [s for s in anakinra() if s.document.publisher != "Healthline"]
    assert finding(run(sets), "missed-dose").status == "only-one-source"
    page = FactSet(
        document=doc("clinic", "Some Clinic", dt.date(2024, 1, 1)),
        facts=[fact("missed-dose", "If you miss a dose, skip it.", action="skip")],
    )
    assert finding(run([*sets, page]), "missed-dose").status == "conflict"


def test_biosimilars_keep_their_real_differences() -> None:
    report = run(etanercept())
    assert len(report.sources) == 3  # one publisher, one date, three leaflets
    room = finding(report, "room-temperature")
    assert room.status == "conflict"
    assert "30 °C vs 25 °C" in room.summary and "31 days vs 28 days" in room.summary
    pairs = {tuple(d.sources) for d in room.differences}
    assert pairs == {("S1", "S2"), ("S1", "S3")}  # Erelzi and Nepexto agree
    assert finding(report, "storage").status == "agree"


def test_daily_where_the_label_says_weekly_is_an_error() -> None:
    label = FactSet(
        document=doc("label", "Maker Inc", dt.date(2023, 1, 1), kind="label", medicine="m"),
        facts=[fact("dose", "50 mg once weekly", dose_mg=50, every_hours=168, population=RA_ADULT)],
    )
    page = FactSet(
        document=doc("page", "Health Site", dt.date(2024, 1, 1), medicine="m"),
        facts=[fact("dose", "Take 50 mg daily.", dose_mg=50, every_hours=24)],
    )
    dose = finding(run([label, page]), "dose")
    assert dose.status == "error"
    assert "once a day" in dose.summary and "once a week" in dose.summary
    assert dose.differences[0].sources == ["S2", "S1"]  # the page, then the label it contradicts


def test_a_dose_outside_the_label_range_is_an_error_and_inside_agrees() -> None:
    label = FactSet(
        document=doc("label", "Maker", dt.date(2023, 1, 1), kind="label", medicine="m"),
        facts=[fact("dose", "20 to 90 mg a day", dose_mg=20, dose_max_mg=90, every_hours=24)],
    )
    inside = FactSet(
        document=doc("a", "Site A", dt.date(2024, 1, 1), medicine="m"),
        facts=[fact("dose", "60 mg a day", dose_mg=60, every_hours=24)],
    )
    outside = FactSet(
        document=doc("b", "Site B", dt.date(2024, 1, 1), medicine="m"),
        facts=[fact("dose", "200 mg a day", dose_mg=200, every_hours=24)],
    )
    assert finding(run([label, inside]), "dose").status == "agree"
    assert finding(run([label, outside]), "dose").status == "error"


def test_two_pages_disagreeing_on_a_dose_are_a_conflict_not_an_error() -> None:
    a = FactSet(
        document=doc("a", "Site A", dt.date(2024, 1, 1), medicine="m"),
        facts=[fact("dose", "10 mg daily", dose_mg=10, every_hours=24)],
    )
    b = FactSet(
        document=doc("b", "Site B", dt.date(2024, 1, 1), medicine="m"),
        facts=[fact("dose", "10 mg twice a day", dose_mg=10, every_hours=12)],
    )
    assert finding(run([a, b]), "dose").status == "conflict"


def test_a_child_dose_is_not_held_against_the_adult_dose() -> None:
    a = FactSet(
        document=doc("a", "Site A", dt.date(2024, 1, 1), medicine="m"),
        facts=[fact("dose", "100 mg daily", dose_mg=100, every_hours=24, population=RA_ADULT)],
    )
    b = FactSet(
        document=doc("b", "Site B", dt.date(2024, 1, 1), medicine="m"),
        facts=[
            fact(
                "dose",
                "Children 2 to 11 years: 2 mg/kg daily",
                dose_mg_per_kg=2,
                every_hours=24,
                population={
                    "indication": "rheumatoid arthritis",
                    "age_min_years": 2,
                    "age_max_years": 12,
                },
            )
        ],
    )
    report = run([a, b])
    assert {f.status for f in report.findings} == {"only-one-source"}
    assert len(report.findings) == 2


def test_a_newer_version_of_the_same_document_that_changed_a_value_is_new_stale() -> None:
    old = FactSet(
        document=doc(
            "v1", "Maker", dt.date(2019, 1, 1), kind="leaflet", brands=("Brandex",), medicine="m"
        ),
        facts=[fact("room-temperature", "up to 25 °C for 14 days", temp_max_c=25, max_days=14)],
    )
    new = FactSet(
        document=doc(
            "v2", "Maker", dt.date(2023, 1, 1), kind="leaflet", brands=("Brandex",), medicine="m"
        ),
        facts=[fact("room-temperature", "up to 30 °C for 30 days", temp_max_c=30, max_days=30)],
    )
    room = finding(run([old, new]), "room-temperature")
    assert room.status == "new-stale"
    assert (room.older, room.newer) == (dt.date(2019, 1, 1), dt.date(2023, 1, 1))
    assert "2019-01-01" in room.summary and "2023-01-01" in room.summary


@pytest.mark.parametrize(
    ("a", "b", "status"),
    [
        ("must-not", "not-recommended", "agree"),
        ("ask", "if-clearly-needed", "agree"),
        ("must-not", "can-use", "conflict"),
        ("not-recommended", "if-clearly-needed", "conflict"),
    ],
)
def test_stances(a: str, b: str, status: str) -> None:
    sets = [
        FactSet(
            document=doc(name, name, dt.date(2024, 1, 1), medicine="m"),
            facts=[fact("pregnancy", f"{stance} in pregnancy", stance=stance)],
        )
        for name, stance in (("One", a), ("Two", b))
    ]
    assert finding(run(sets), "pregnancy").status == status


def test_a_named_partner_lines_up_with_its_class() -> None:
    a = FactSet(
        document=doc("a", "Site A", dt.date(2024, 1, 1), medicine="m"),
        facts=[
            fact(
                "interaction",
                "Do not use with Humira.",
                **{"with": "adalimumab", "strength": "must-not"},
            )
        ],
    )
    b = FactSet(
        document=doc("b", "Site B", dt.date(2024, 1, 1), medicine="m"),
        facts=[
            fact(
                "interaction",
                "Take care with TNF blockers.",
                **{"class": "tnf-inhibitor", "strength": "caution"},
            )
        ],
    )
    report = run([a, b], class_lookup={"adalimumab": ["tnf-inhibitor"]})
    assert finding(report, "interaction").status == "conflict"
    assert len(report.findings) == 1


def test_silence_is_not_disagreement() -> None:
    a = FactSet(
        document=doc("a", "Site A", dt.date(2024, 1, 1), medicine="m"),
        facts=[fact("storage", "Store below 25 °C.", temp_max_c=25)],
    )
    b = FactSet(
        document=doc("b", "Site B", dt.date(2024, 1, 1), medicine="m"),
        facts=[fact("storage", "Store at 2 to 25 °C, keep dry", temp_min_c=2, temp_max_c=25)],
    )
    assert finding(run([a, b]), "storage").status == "agree"


def test_every_finding_carries_its_facts_and_a_confidence() -> None:
    for f in run(anakinra()).findings:
        assert f.facts and all(x.quote for x in f.facts)
        assert 0 < f.confidence <= 1
        assert set(f.sources) == {x.source for x in f.facts}


def test_agreeing_on_one_value_does_not_hide_a_disagreement_on_another() -> None:
    """A leaflet states the temperature in one sentence and the days in the next."""

    def leaflet(brand: str, days: int) -> FactSet:
        return FactSet(
            document=doc(brand, "EMA", dt.date(2022, 2, 16), "leaflet", f"{brand} 40 mg", (brand,)),
            facts=[
                fact(
                    "room-temperature",
                    "may be stored at room temperature (up to 25 C)",
                    temp_max_c=25,
                ),
                fact("room-temperature", f"must be used within {days} days", max_days=days),
            ],
        )

    room = finding(run([leaflet("Humira", 14), leaflet("Imraldi", 28)]), "room-temperature")
    assert room.status == "conflict" and "14 days vs 28 days" in room.summary
    assert "25" not in room.summary  # the temperatures agree
