"""Doses from leaflet facts: one fitting regimen is returned with its quote; several, none,
or a missing fact give cannot-decide listing the candidates. Wording and numbers are ours."""

from __future__ import annotations

from typing import Any

from druginfo.engine import check, parse_profile
from druginfo.engine.label_dosing import label_dose
from druginfo.model import Identity, Monograph, Source, SourceKind
from druginfo.model.facts import Fact, FactDocument, FactSet

SRC = Source(id="leaf", publisher="European Medicines Agency", document="Quelpin 40 mg",
             kind=SourceKind.label)  # fmt: skip
MONO = Monograph(key="quelpin", identity=Identity(generic="quelpin"), sources=[SRC])


def fs(*items: dict[str, Any]) -> list[FactSet]:
    doc = FactDocument(id="leaf", medicine="quelpin", publisher=SRC.publisher, title="Quelpin",
                       kind="leaflet")  # fmt: skip
    return [FactSet(document=doc, facts=[Fact.model_validate(i) for i in items])]


ADULT = {"topic": "dose", "dose_mg": 40, "every_hours": 336, "route": "subcutaneous",
         "population": {"indication": "rheumatoid arthritis", "age_min_years": 18},
         "quote": "Adults with rheumatoid arthritis: 40 mg every other week."}  # fmt: skip
CHILD_BAND = {"topic": "dose", "dose_mg": 20, "every_hours": 336,
              "population": {"age_min_years": 2, "weight_min_kg": 10, "weight_max_kg": 30},
              "quote": "Children 10 kg to less than 30 kg: 20 mg every other week."}  # fmt: skip
PER_KG = {"topic": "dose", "dose_mg_per_kg": 2, "max_dose_mg": 100, "every_hours": 24,
          "population": {"indication": "gout"},
          "quote": "Gout: 2 mg/kg once a day, no more than 100 mg."}  # fmt: skip
BARE = {"topic": "dose", "dose_mg": 80, "every_hours": 168,
        "quote": "The usual dose is 80 mg once a week."}  # fmt: skip


def profile(**raw: Any) -> Any:
    return parse_profile(raw)


def test_one_fitting_regimen_is_returned_with_its_quote() -> None:
    out = label_dose(MONO, fs(ADULT, CHILD_BAND),
                     profile(age_years=40, weight_kg=70, indication="rheumatoid arthritis"))  # fmt: skip
    assert out.regimen is not None
    assert (out.regimen.dose_mg, out.regimen.every_hours) == (40, 336)
    assert out.regimen.basis == "leaflet" and out.regimen.sources
    assert any("40 mg every other week" in n for n in out.regimen.notes)


def test_weight_band_for_a_child() -> None:
    out = label_dose(MONO, fs(ADULT, CHILD_BAND), profile(age_years=8, weight_kg=25))
    assert out.regimen is not None and out.regimen.dose_mg == 20


def test_missing_weight_names_the_field_and_lists_candidates() -> None:
    out = label_dose(MONO, fs(ADULT, CHILD_BAND), profile(age_years=8))
    (alert,) = out.alerts
    assert out.regimen is None and alert.kind == "cannot-decide" and alert.field == "weight_kg"
    assert "20 mg" in alert.detail


def test_per_kg_dose_keeps_its_cap() -> None:
    out = label_dose(MONO, fs(PER_KG), profile(age_years=40, weight_kg=80, indication="gout"))
    assert out.regimen is not None and out.regimen.dose_mg == 100
    assert any("maximum" in n for n in out.regimen.notes)
    small = label_dose(MONO, fs(PER_KG), profile(age_years=40, weight_kg=30, indication="gout"))
    assert small.regimen is not None and small.regimen.dose_mg == 60


def test_a_regimen_without_population_among_several_is_never_picked() -> None:
    out = label_dose(MONO, fs(ADULT, BARE),
                     profile(age_years=40, weight_kg=70, indication="rheumatoid arthritis"))  # fmt: skip
    assert out.regimen is None
    (alert,) = out.alerts
    assert "80 mg" in alert.detail and "40 mg" in alert.detail


def test_no_fitting_regimen_is_cannot_decide() -> None:
    out = label_dose(
        MONO, fs(ADULT), profile(age_years=10, weight_kg=30, indication="rheumatoid arthritis")
    )
    assert out.regimen is None and out.alerts[0].kind == "cannot-decide"


def test_a_single_stated_dose_is_returned() -> None:
    out = label_dose(MONO, fs(BARE), profile(age_years=40))
    assert out.regimen is not None and out.regimen.dose_mg == 80


def test_check_uses_the_leaflet_dose_and_drops_no_rules() -> None:
    result = check(MONO, profile(age_years=40, weight_kg=70, indication="rheumatoid arthritis"),
                   vocab=_vocab(), facts=fs(ADULT))  # fmt: skip
    assert result.regimen is not None and result.regimen.basis == "leaflet"
    assert all("No curated dose" not in a.title for a in result.alerts)


def _vocab() -> Any:
    from druginfo.vocab import Vocab

    return Vocab.bundled()


KIDNEY = {"topic": "dose", "dose_mg": 20, "every_hours": 336,
          "population": {"indication": "rheumatoid arthritis", "age_min_years": 18,
                         "crcl_below_ml_min": 30},
          "quote": "If your kidneys work poorly (clearance below 30 mL/min): 20 mg every other week."}  # fmt: skip


def test_reduced_kidney_dose_replaces_the_usual_one() -> None:
    ra = {"age_years": 60, "weight_kg": 70, "indication": "rheumatoid arthritis"}
    low = label_dose(MONO, fs(ADULT, KIDNEY), profile(**ra, kidney={"crcl_ml_min": 20}))
    assert low.regimen is not None and low.regimen.dose_mg == 20
    normal = label_dose(MONO, fs(ADULT, KIDNEY), profile(**ra, kidney={"crcl_ml_min": 90}))
    assert normal.regimen is not None and normal.regimen.dose_mg == 40
    unknown = label_dose(MONO, fs(ADULT, KIDNEY), profile(**ra))
    assert unknown.regimen is None and unknown.alerts[0].field == "kidney"


def test_a_dose_sentence_about_another_medicine_is_not_this_ones() -> None:
    other = {"topic": "dose", "dose_mg": 75, "every_hours": 24,
             "quote": "Your doctor will tell you how much to take (usually 75 mg aspirin daily)."}  # fmt: skip
    out = label_dose(MONO, fs(other), profile(age_years=60), _vocab())
    assert out.regimen is None
    assert label_dose(MONO, fs(BARE), profile(age_years=60), _vocab()).regimen is not None


def test_a_fixed_amount_from_a_per_kg_sentence_is_never_a_regimen() -> None:
    """Should a reader ever miss the 'per kg' (as '50 IU of X per kg' once was), the fixed
    amount it produced must not become the person's dose."""
    misread = {"topic": "dose", "dose_units": 50, "every_hours": 96,
               "quote": "The recommended dose is 50 IU of Quelpin per kg body weight every 4 days."}  # fmt: skip
    out = label_dose(MONO, fs(misread), profile(age_years=40, weight_kg=70))
    assert out.regimen is None
    fixed = {**misread, "quote": "The recommended dose is 50 IU of Quelpin every 4 days."}
    assert label_dose(MONO, fs(fixed), profile(age_years=40, weight_kg=70)).regimen is not None


def test_a_band_whose_comparator_was_lost_is_no_ones_dose() -> None:
    """'for patients 25 kg' (a source that dropped its '≥' or '<') could be either side of 25 kg:
    never returned, whoever asks; the same dose with its comparator is returned."""
    lost = {"topic": "dose", "dose_mg": 60, "every_hours": 24,
            "population": {"age_max_years": 18},
            "quote": "The recommended dose is 60 mg once a day for children 25 kg."}  # fmt: skip
    for weight in (15, 40):
        out = label_dose(MONO, fs(lost), profile(age_years=10, weight_kg=weight))
        assert out.regimen is None
    kept = {**lost, "quote": "The recommended dose is 60 mg once a day for children 25 kg or more.",
            "population": {"age_max_years": 18, "weight_min_kg": 25}}  # fmt: skip
    out = label_dose(MONO, fs(kept), profile(age_years=10, weight_kg=40))
    assert out.regimen is not None and out.regimen.dose_mg == 60


LOST_CHILD = {"topic": "dose", "dose_mg": 60, "every_hours": 24,
              "population": {"age_max_years": 18},
              "quote": "The recommended dose is 60 mg once a day for children 25 kg."}  # fmt: skip
KEPT_CHILD = {"topic": "dose", "dose_mg": 30, "every_hours": 24,
              "population": {"age_max_years": 18, "weight_min_kg": 10},
              "quote": "Children weighing 10 kg or more: 30 mg once a day."}  # fmt: skip


def test_an_unreadable_band_is_named_and_stops_a_dose_it_may_overrule() -> None:
    """A child of 40 kg 'fits' the 10 kg-or-more sentence, but the sentence whose '≥'/'<' was
    lost may be theirs (60 mg): no dose is returned, and the cannot-decide quotes both. An
    adult is ruled out of the children's sentence by age: their own dose stands."""
    out = label_dose(MONO, fs(KEPT_CHILD, LOST_CHILD), profile(age_years=10, weight_kg=40))
    (alert,) = out.alerts
    assert out.regimen is None and alert.kind == "cannot-decide"
    assert "30 mg" in alert.detail and "for children 25 kg" in alert.detail
    assert "cannot be read" in alert.detail and "may be for you too" in alert.detail
    assert len(alert.sources) == 2
    adult = {**ADULT, "population": {"age_min_years": 18}}
    out = label_dose(MONO, fs(adult, LOST_CHILD), profile(age_years=40, weight_kg=70))
    assert out.regimen is not None and out.regimen.dose_mg == 40 and not out.alerts


def test_a_leaflet_whose_only_dose_band_is_unreadable_says_so() -> None:
    out = label_dose(MONO, fs(LOST_CHILD), profile(age_years=10, weight_kg=15))
    (alert,) = out.alerts
    assert out.regimen is None and alert.kind == "cannot-decide"
    assert '"The recommended dose is 60 mg once a day for children 25 kg"' in alert.detail
    assert alert.sources
    # an adult is not a child: nothing of the children's sentence is said to them
    assert label_dose(MONO, fs(LOST_CHILD), profile(age_years=40)).alerts == []


def test_an_unreadable_band_in_years_rules_nobody_out_by_age() -> None:
    """'for patients 12 years' lost its sign: the age bound read from it cannot exclude."""
    lost_age = {"topic": "dose", "dose_mg": 5, "every_hours": 24,
                "population": {"age_min_years": 12},
                "quote": "Take 5 mg once a day for patients 12 years."}  # fmt: skip
    out = label_dose(MONO, fs(ADULT, lost_age),
                     profile(age_years=8, indication="rheumatoid arthritis"))  # fmt: skip
    assert out.regimen is None
    assert any("for patients 12 years" in a.detail for a in out.alerts)


def test_an_unreadable_band_without_a_population_is_quoted_once() -> None:
    """Such a sentence is not also counted as an unnamed 'step' of the regimen: one mention,
    its own words; the decision (cannot decide) is the same either way."""
    lost = {"topic": "dose", "dose_mg": 50, "every_hours": 24,
            "quote": "Take 50 mg once a day for patients 40 kg."}  # fmt: skip
    out = label_dose(MONO, fs(ADULT, lost),
                     profile(age_years=40, weight_kg=70, indication="rheumatoid arthritis"))  # fmt: skip
    (alert,) = out.alerts
    assert out.regimen is None and alert.kind == "cannot-decide"
    assert alert.detail.count("50 mg") == 1 and '"Take 50 mg once a day' in alert.detail


def test_no_dose_for_a_use_the_leaflet_does_not_name() -> None:
    """A dose that names no use 'fits' any use; for one the leaflet never names it is a
    guess, so the check says the leaflet gives none and asks for the use by another name."""
    from druginfo.model import Claim, Topic

    uses = Monograph(
        key="quelpin",
        identity=Identity(generic="quelpin"),
        sources=[SRC],
        claims=[Claim(id="u1", topic=Topic.indication, section="1. What Quelpin is",
                      source="leaf", quote="Quelpin is used to treat chronic hiccups in adults.")],
    )  # fmt: skip
    indication = {"topic": "indication", "condition": "gout",
                  "quote": "Quelpin is used to treat gout."}  # fmt: skip
    for name in ("psoriasis", "migraine"):
        out = label_dose(uses, fs(BARE, indication), profile(age_years=60, indication=name))
        (alert,) = out.alerts
        assert out.regimen is None and alert.field == "indication" and name in alert.title
    for named in ("gout", "chronic hiccups"):  # a vocabulary condition, and the leaflet's words
        out = label_dose(uses, fs(BARE, indication), profile(age_years=60, indication=named))
        assert out.regimen is not None and out.regimen.dose_mg == 80
    assert label_dose(MONO, fs(BARE), profile(age_years=60, indication="migraine")).regimen
