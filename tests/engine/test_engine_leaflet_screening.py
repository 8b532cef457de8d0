"""Screening from machine-read leaflet facts, on a made-up medicine and wording of our own."""

from __future__ import annotations

from typing import Any

import pytest

from druginfo.engine import check, parse_profile
from druginfo.model import (
    CheckResult,
    Claim,
    Identity,
    Monograph,
    Source,
    SourceKind,
    Topic,
)
from druginfo.model.facts import Fact, FactDocument, FactSet
from druginfo.vocab import Vocab

SRC = Source(
    id="ema-epi-zorbital.en",
    publisher="European Medicines Agency",
    document="Zorbital 10 mg tablets",
    kind=SourceKind.label,
)
CLAIMS = [
    Claim(id="c1", topic=Topic.contraindication, source=SRC.id,
          quote="if you are allergic to zorbital or any of the other ingredients (section 6)."),
    Claim(id="c2", topic=Topic.product, source=SRC.id,
          quote="The other ingredients are lactose monohydrate, maize starch and gelatin."),
    Claim(id="c3", topic=Topic.vaccine, source=SRC.id,
          quote="You must not be given live vaccines while taking Zorbital."),
]  # fmt: skip


@pytest.fixture(scope="module")
def vocab() -> Vocab:
    return Vocab.bundled()


def mono() -> Monograph:
    return Monograph(
        key="zorbital",
        identity=Identity(generic="zorbital", brands=["Zorbital"], substances=["zorbital"]),
        sources=[SRC],
        claims=CLAIMS,
    )


def facts(*items: dict[str, Any]) -> list[FactSet]:
    doc = FactDocument(
        id=SRC.id, medicine="zorbital", publisher=SRC.publisher, title=SRC.document, kind="leaflet"
    )
    return [FactSet(document=doc, facts=[Fact.model_validate(i) for i in items])]


ALLERGY = {"topic": "contraindication", "allergy": "zorbital", "quote": CLAIMS[0].quote,
           "claim": "c1", "source": SRC.id}  # fmt: skip
INGREDIENTS = {
    "topic": "contraindication",
    "allergy": "any of the other ingredients (section 6)",
    "quote": CLAIMS[0].quote,
}
KIDNEY = {"topic": "contraindication", "condition": "kidney disease",
          "quote": "if you have severe kidney disease."}  # fmt: skip
BLEEDING = {"topic": "interaction", "with": "warfarin", "class": "anticoagulant",
            "strength": "caution",
            "quote": "Tell your doctor if you take medicines to thin the blood (anticoagulants) "
                     "such as warfarin or heparin."}  # fmt: skip
NEVER_WITH = {"topic": "interaction", "with": "methotrexate", "strength": "must-not",
              "quote": "Zorbital must not be taken with methotrexate."}  # fmt: skip


def run(vocab: Vocab, fs: list[FactSet], **raw: Any) -> CheckResult:
    base: dict[str, Any] = {"age_years": 50, "weight_kg": 70, "sex": "male"}
    base.update(raw)
    return check(mono(), parse_profile(base), vocab, facts=fs)


def test_allergy_to_the_substance_blocks_and_quotes(vocab: Vocab) -> None:
    result = run(vocab, facts(ALLERGY), allergies=["Zorbital"])
    (alert,) = [a for a in result.alerts if a.trigger == "allergy"]
    assert alert.blocking and alert.severity == "high" and alert.basis == "leaflet"
    assert result.decision == "do-not-use"
    assert "allergic to zorbital" in result.sources[alert.sources[0]].quote


def test_allergy_to_an_ingredient_listed_in_section_6(vocab: Vocab) -> None:
    result = run(vocab, facts(INGREDIENTS), allergies=["gelatin"])
    assert result.decision == "do-not-use"
    quotes = [result.sources[k].quote for a in result.alerts for k in a.sources]
    assert any("gelatin" in q for q in quotes)
    assert run(vocab, facts(INGREDIENTS), allergies=["penicillin"]).decision != "do-not-use"


def test_condition_and_milder_form(vocab: Vocab) -> None:
    assert run(vocab, facts(KIDNEY), conditions=["severe kidney disease"]).decision == "do-not-use"
    result = run(vocab, facts(KIDNEY), conditions=["history of kidney disease"])
    assert result.decision != "do-not-use"
    assert any(a.kind == "warning" and a.basis == "leaflet" for a in result.alerts)
    assert all(a.trigger != "kidney-disease" for a in run(vocab, facts(KIDNEY)).alerts)


@pytest.mark.parametrize(
    "kidney",
    [{"egfr_ml_min_1_73m2": 22}, {"crcl_ml_min": 18}, {"severe_kidney_disease": True}],
)
def test_kidney_numbers_meet_a_leaflets_kidney_condition(
    vocab: Vocab, kidney: dict[str, Any]
) -> None:
    """No kidney condition listed, only a number: the 'do not use' sentence still applies."""
    result = run(vocab, facts(KIDNEY), kidney=kidney)
    assert result.decision == "do-not-use"
    (alert,) = [a for a in result.alerts if a.trigger == "kidney-disease"]
    assert "below 30 mL/min" in alert.detail and alert.basis == "leaflet"
    assert run(vocab, facts(KIDNEY), kidney={"egfr_ml_min_1_73m2": 75}).decision != "do-not-use"


SEVERE_INFECTION = {"topic": "contraindication", "condition": "tuberculosis",
                    "quote": "if you have a serious infection such as sepsis or active "
                             "tuberculosis, or severe tuberculosis of the bones."}  # fmt: skip


def test_a_stated_form_named_in_the_sentence_blocks(vocab: Vocab) -> None:
    """The profile says 'active', and the sentence names active tuberculosis among its examples:
    the form is stated, so the leaflet's 'do not use' applies in full."""
    active = run(vocab, facts(SEVERE_INFECTION), conditions=["active pulmonary TB"])
    assert active.decision == "do-not-use"
    assert run(vocab, facts(SEVERE_INFECTION), conditions=["history of TB"]).decision != (
        "do-not-use"
    )
    unsaid = run(vocab, facts(SEVERE_INFECTION), conditions=["tuberculosis"])
    assert unsaid.decision != "do-not-use"
    assert any(a.severity == "high" and "form" in a.detail for a in unsaid.alerts)


def test_class_named_with_examples_matches_other_members(vocab: Vocab) -> None:
    result = run(vocab, facts(BLEEDING), medications=["apixaban 5 mg"])
    (alert,) = [a for a in result.alerts if a.kind == "interaction" and a.basis == "leaflet"]
    assert alert.severity == "moderate" and not alert.blocking
    assert "apixaban" in (alert.matched or "")


def test_must_not_with_a_medicine_blocks(vocab: Vocab) -> None:
    result = run(vocab, facts(NEVER_WITH), medications=["Trexall 15 mg weekly"])
    assert result.decision == "do-not-use"
    assert result.avoid and "do not combine" in result.avoid[0]
    assert run(vocab, facts(NEVER_WITH), medications=["paracetamol"]).decision != "do-not-use"


def test_live_vaccine_from_the_leaflet_sentence(vocab: Vocab) -> None:
    """No vaccine fact was extracted: the document's own live-vaccine sentence still warns."""
    result = run(vocab, facts(KIDNEY), planned_vaccines=["yellow fever vaccine"])
    (alert,) = [a for a in result.alerts if a.trigger == "live-vaccine"]
    assert alert.blocking and "live vaccines" in result.sources[alert.sources[0]].quote
    # the vaccine is ruled out, not the medicine
    assert alert.avoid_kind == "vaccine" and result.avoid == ["yellow fever vaccine (live vaccine)"]
    assert result.decision != "do-not-use"
    undecided = run(vocab, facts(KIDNEY), planned_vaccines=["flu vaccine"])
    assert any(a.kind == "cannot-decide" and a.trigger == "live-vaccine" for a in undecided.alerts)


@pytest.mark.parametrize(
    ("stance", "pregnant", "expected"),
    [("must-not", True, ("contraindication", "high", True)),
     ("not-recommended", True, ("warning", "high", False)),
     ("ask", True, ("warning", "moderate", False)),
     ("must-not", None, ("cannot-decide", "moderate", False)),
     ("can-use", True, None)],
)  # fmt: skip
def test_pregnancy_stances(
    vocab: Vocab, stance: str, pregnant: bool | None, expected: tuple[str, str, bool] | None
) -> None:
    fact = {"topic": "pregnancy", "stance": stance, "quote": "About pregnancy: words."}
    raw: dict[str, Any] = {"sex": "female"}
    if pregnant is not None:
        raw["pregnant"] = pregnant
    result = run(vocab, facts(fact), **raw)
    found = [(a.kind, a.severity, a.blocking) for a in result.alerts if a.trigger == "pregnancy"]
    assert found == ([expected] if expected else [])
    # no dose in these facts: never 'ok' while the dose is undecided
    assert result.decision != "ok"


def test_age_limit(vocab: Vocab) -> None:
    fact = {"topic": "age-limit", "age_min_years": 18,
            "quote": "Do not give this medicine to children under 18 years."}  # fmt: skip
    assert run(vocab, facts(fact), age_years=12).decision == "do-not-use"
    assert all(a.trigger != "age-limit" for a in run(vocab, facts(fact), age_years=30).alerts)
    unknown = run(vocab, facts(fact), age_years=None)
    assert any(a.trigger == "age-limit" and a.field == "age_years" for a in unknown.alerts)


def test_a_leaflet_with_no_readable_rules_says_so(vocab: Vocab) -> None:
    result = run(vocab, facts({"topic": "storage", "temp_max_c": 25, "quote": "Below 25 °C."}))
    assert result.decision == "cannot-decide"
    assert any("no rules we can read" in a.title for a in result.alerts)
    assert result.coverage is not None and result.coverage.not_screened[0].field == "drug"
