"""screen(): each Match field, undecided rules, unknown medicines, interaction tables."""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine_data import VOCAB_SOURCE, FakeVocab, make_monograph, rule

from druginfo.engine import check, parse_profile, screen, screen_details
from druginfo.model import Alert, InteractionPair, Match, Monograph, Source, SourceKind

DDINTER = Source(
    id="ddinter",
    publisher="DDInter",
    document="DDInter drug–drug interaction database 1.0",
    kind=SourceKind.curated,
)


def alerts_for(mono: Monograph, vocab: FakeVocab, **raw: Any) -> list[Alert]:
    """Screen a profile; an adult unless the test says otherwise (age is a `needs` field)."""
    raw.setdefault("age_years", 40)
    return screen(mono, parse_profile(raw), vocab)


def triggers(alerts: list[Alert], kind: str | None = None) -> list[str]:
    return [a.trigger for a in alerts if kind is None or a.kind == kind]


def test_nothing_fires_for_plain_adult(mono: Monograph, vocab: FakeVocab) -> None:
    assert alerts_for(mono, vocab, age_years=40, sex="female", pregnant=False) == []


def test_enbrel_tnf_inhibitor(mono: Monograph, vocab: FakeVocab) -> None:
    alerts = alerts_for(mono, vocab, medications=["Enbrel 50 mg weekly"], sex="male")
    (a,) = alerts
    assert (a.trigger, a.kind, a.severity, a.blocking) == (
        "tnf-inhibitor",
        "contraindication",
        "high",
        True,
    )
    assert a.matched == "Enbrel (etanercept)"
    assert "tnf" in a.sources  # the rule's claim
    assert len(a.sources) == 2  # and the vocabulary's class membership


def test_own_drug_on_medication_list_is_not_an_il1_interaction(
    mono: Monograph, vocab: FakeVocab
) -> None:
    assert alerts_for(mono, vocab, medications=["Kineret 100 mg daily"], sex="male") == []
    a = alerts_for(mono, vocab, medications=["Ilaris"], sex="male")
    assert triggers(a) == ["il1-blocker"]


def test_mmr_live_vaccine_and_shingrix_not(mono: Monograph, vocab: FakeVocab) -> None:
    a = alerts_for(mono, vocab, planned_vaccines=["MMR"], sex="male")
    assert triggers(a) == ["live-vaccine"] and a[0].matched == "MMR" and a[0].blocking
    assert alerts_for(mono, vocab, planned_vaccines=["Shingrix"], sex="male") == []
    assert alerts_for(mono, vocab, planned_vaccines=["flu shot"], sex="male") == []


def test_live_vaccine_on_medication_list(mono: Monograph, vocab: FakeVocab) -> None:
    a = alerts_for(mono, vocab, medications=["Zostavax"], sex="male")
    assert triggers(a) == ["live-vaccine"]


def test_ambiguous_or_unknown_vaccine_cannot_decide(mono: Monograph, vocab: FakeVocab) -> None:
    for name in ("flu vaccine", "yellow fever jab"):
        (a,) = alerts_for(mono, vocab, planned_vaccines=[name], sex="male")
        assert (a.kind, a.trigger, a.field, a.severity) == (
            "cannot-decide",
            "live-vaccine",
            "planned_vaccines",
            "high",
        )
        assert name in (a.matched or "") and a.sources == ["live"]


def test_known_live_vaccine_wins_over_unknown(mono: Monograph, vocab: FakeVocab) -> None:
    a = alerts_for(mono, vocab, planned_vaccines=["yellow fever jab", "MMR"], sex="male")
    assert [(x.kind, x.trigger) for x in a] == [("contraindication", "live-vaccine")]


def test_allergies(mono: Monograph, vocab: FakeVocab) -> None:
    a = alerts_for(mono, vocab, allergies=["E. coli-derived proteins"], sex="male")
    assert triggers(a) == ["e-coli-protein-allergy"] and a[0].blocking
    a = alerts_for(mono, vocab, allergies=["Latex gloves"], sex="male")
    assert triggers(a) == ["latex-allergy"] and a[0].matched == "Latex gloves"
    assert not a[0].blocking
    # Whole words only: 'latexx' and 'collie' are other words.
    assert alerts_for(mono, vocab, allergies=["latexx", "collie dogs"], sex="male") == []


def test_pregnancy_and_needs(mono: Monograph, vocab: FakeVocab) -> None:
    a = alerts_for(mono, vocab, sex="female", pregnant=True)
    assert triggers(a) == ["pregnancy"] and a[0].matched == "pregnant"
    assert alerts_for(mono, vocab, sex="female", pregnant=False) == []
    # Unknown pregnancy status is asked for, not assumed.
    (a,) = alerts_for(mono, vocab, sex="female")
    assert (a.kind, a.field, a.trigger) == ("cannot-decide", "pregnant", "pregnancy")
    assert a.sources == ["pregnancy"]
    # A man's unknown pregnancy status is not a question.
    assert alerts_for(mono, vocab, sex="male") == []


def test_age_65_plus(mono: Monograph, vocab: FakeVocab) -> None:
    a = alerts_for(mono, vocab, age_years=70, sex="male")
    assert triggers(a) == ["age-65-plus"] and a[0].matched == "age 70"
    assert alerts_for(mono, vocab, age_years=64.9, sex="male") == []


def test_child_not_approved(mono: Monograph, vocab: FakeVocab) -> None:
    a = alerts_for(mono, vocab, age_years=10, indication="rheumatoid arthritis", sex="male")
    assert triggers(a) == ["child-not-approved"]
    assert "age 10" in (a[0].matched or "")
    # NOMID is approved for children.
    assert alerts_for(mono, vocab, age_years=10, indication="NOMID", sex="male") == []
    # No age: the rule needs it, so it is asked for.
    (a,) = alerts_for(mono, vocab, indication="RA", sex="male", age_years=None)
    assert (a.kind, a.field) == ("cannot-decide", "age_years")
    # No age but an approved indication: the AND already fails, nothing to ask.
    assert alerts_for(mono, vocab, indication="NOMID", sex="male", age_years=None) == []


def test_conditions_and_surgery(mono: Monograph, vocab: FakeVocab) -> None:
    a = alerts_for(mono, vocab, conditions=["Active infection of the lung"], sex="male")
    assert triggers(a) == ["active-infection"]
    a = alerts_for(mono, vocab, planned_surgery_date="2027-01-10", sex="male")
    assert triggers(a) == ["surgery"] and "2027-01-10" in (a[0].matched or "")


def test_past_surgery_does_not_fire_when_today_given(mono: Monograph, vocab: FakeVocab) -> None:
    p = parse_profile({"planned_surgery_date": "2020-01-10", "sex": "male", "age_years": 40})
    assert screen(mono, p, vocab, today=dt.date(2026, 1, 1)) == []
    assert triggers(screen(mono, p, vocab, today=dt.date(2019, 1, 1))) == ["surgery"]


def test_unknown_medicine_is_moderate_cannot_decide(mono: Monograph, vocab: FakeVocab) -> None:
    (a,) = alerts_for(mono, vocab, medications=["xyzzumab 40 mg"], sex="male")
    assert (a.kind, a.severity, a.field, a.matched) == (
        "cannot-decide",
        "moderate",
        "medications",
        "xyzzumab 40 mg",
    )
    assert "xyzzumab" in a.title and a.sources


def test_unknown_medicine_low_when_nothing_screens_medicines(vocab: FakeVocab) -> None:
    mono = make_monograph(screening=[])
    alerts = alerts_for(mono, vocab, medications=["xyzzumab"], sex="male")
    assert [a.trigger for a in alerts] == ["no-screening-rules", "unknown-medication"]
    assert alerts[1].severity == "low" and alerts[1].sources
    # Not screened at all is said out loud, and cited.
    assert (alerts[0].kind, alerts[0].severity) == ("cannot-decide", "moderate")
    assert alerts[0].sources == ["tnf", "il1", "source:healthline"]


def test_crcl_match(vocab: FakeVocab) -> None:
    mono = make_monograph(
        screening=[
            rule(
                "severe-kidney-disease",
                "dose-adjustment",
                "moderate",
                Match(crcl_below_ml_min=30, needs=["kidney"]),
                "kidney",
            )
        ]
    )
    a = alerts_for(mono, vocab, kidney={"crcl_ml_min": 25})
    assert triggers(a) == ["severe-kidney-disease"] and "25" in (a[0].matched or "")
    assert alerts_for(mono, vocab, kidney={"crcl_ml_min": 50}) == []
    (a,) = alerts_for(mono, vocab)
    assert (a.kind, a.field) == ("cannot-decide", "kidney")


def test_medication_names_and_and_semantics(vocab: FakeVocab) -> None:
    mono = make_monograph(
        screening=[
            rule(
                "mtx-older",
                "warning",
                "moderate",
                Match(medication_names_any=["methotrexate"], age_at_least_years=65),
                "seniors",
            )
        ]
    )
    assert alerts_for(mono, vocab, medications=["methotrexate"], age_years=40) == []
    a = alerts_for(mono, vocab, medications=["Methotrexate 15 mg"], age_years=70)
    assert triggers(a) == ["mtx-older"] and a[0].matched == "methotrexate, age 70"


def test_table_interaction_alone(mono: Monograph, vocab: FakeVocab) -> None:
    pair = InteractionPair(
        drug_a="anakinra", drug_b="methotrexate", level="moderate", source="ddinter"
    )
    result = screen_details(
        mono,
        parse_profile({"medications": ["methotrexate"], "sex": "male", "age_years": 40}),
        vocab,
        [pair],
        {"ddinter": DDINTER},
    )
    (a,) = result.alerts
    assert (a.kind, a.severity, a.matched) == ("interaction", "moderate", "methotrexate")
    (ref,) = a.sources
    assert result.evidence[ref].quote == "Anakinra – Methotrexate: Moderate"
    assert result.evidence[ref].publisher == "DDInter"


def test_table_pair_for_medicine_not_taken_is_ignored(mono: Monograph, vocab: FakeVocab) -> None:
    pair = InteractionPair(drug_a="ibuprofen", drug_b="anakinra", level="minor", source="ddinter")
    a = screen(
        mono,
        parse_profile({"medications": ["methotrexate"], "sex": "male", "age_years": 40}),
        vocab,
        [pair],
        {"ddinter": DDINTER},
    )
    assert a == []


def test_table_interaction_merged_into_curated_rule(mono: Monograph, vocab: FakeVocab) -> None:
    pair = InteractionPair(drug_a="etanercept", drug_b="anakinra", level="major", source="ddinter")
    result = screen_details(
        mono,
        parse_profile({"medications": ["Enbrel"], "sex": "male", "age_years": 40}),
        vocab,
        [pair],
        {"ddinter": DDINTER},
    )
    (a,) = result.alerts
    assert a.trigger == "tnf-inhibitor" and a.kind == "contraindication"
    assert "DDInter agrees" in a.detail and "Etanercept – Anakinra: Major" in a.detail
    assert any(
        result.evidence.get(r, None) and result.evidence[r].publisher == "DDInter"
        for r in a.sources
    )


def test_levels_map_to_severity(mono: Monograph, vocab: FakeVocab) -> None:
    for level, severity in [("major", "high"), ("minor", "low"), ("unknown", "low")]:
        pair = InteractionPair(
            drug_a="anakinra",
            drug_b="ibuprofen",
            level=level,  # type: ignore[arg-type]
            source="ddinter",
        )
        (a,) = screen(
            mono,
            parse_profile({"medications": ["ibuprofen"], "sex": "male", "age_years": 40}),
            vocab,
            [pair],
            {},
        )
        assert a.severity == severity


def test_every_screening_alert_is_cited_in_check(mono: Monograph, vocab: FakeVocab) -> None:
    profile = parse_profile(
        {
            "age_years": 10,
            "sex": "female",
            "indication": "rheumatoid arthritis",
            "allergies": ["latex", "E. coli"],
            "conditions": ["sepsis"],
            "medications": ["Enbrel", "Ilaris", "xyz", "methotrexate"],
            "planned_vaccines": ["MMR", "flu vaccine"],
            "planned_surgery_date": "2027-01-01",
        }
    )
    pair = InteractionPair(
        drug_a="anakinra", drug_b="methotrexate", level="moderate", source="ddinter"
    )
    result = check(
        mono, profile, vocab, interactions=[pair], interaction_sources={"ddinter": DDINTER}
    )
    assert result.decision == "do-not-use"
    for alert in result.alerts:
        assert alert.sources, alert
        assert all(k in result.sources for k in alert.sources)
    assert VOCAB_SOURCE.publisher in {s.publisher for s in result.sources.values()}
    assert "DDInter" in {s.publisher for s in result.sources.values()}
