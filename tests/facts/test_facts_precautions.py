"""Warnings sections → precaution facts and caution interactions, on wording of our own.

Every leaflet below is made up (the medicine 'Velmora', its sections and sentences): the
readers must find the person's states and medicines by the shape of the sentence, whatever
the medicine, and must not fire on events that may come later, signs, risks, negations,
relatives or the disease the medicine treats.
"""

from __future__ import annotations

from druginfo.facts import extract_facts, facts_from_text
from druginfo.facts.precautions import lead_kind
from druginfo.model import Claim, Identity, Monograph, Source, SourceKind, Topic
from druginfo.model.facts import Fact

WARN = "Warnings and precautions"
SRC = Source(
    id="ema-epi-velmora.en",
    publisher="European Medicines Agency",
    document="Velmora 5 mg tablets",
    kind=SourceKind.label,
)


def warn(text: str, lead: str | None = None, section: str = WARN) -> list[Fact]:
    return facts_from_text(
        text, section, structural=Topic.warning, own_names=["velmora"], warn_lead=lead
    )


def precautions(facts: list[Fact]) -> dict[str, bool]:
    return {f.condition or "": bool(f.history) for f in facts if f.topic == "precaution"}


def medicines(facts: list[Fact]) -> dict[str, str | None]:
    return {(f.with_ or f.class_ or ""): f.strength for f in facts if f.topic == "interaction"}


# --- conditions the person has or had ------------------------------------------------------


def test_a_standalone_if_you_have_sentence_is_a_caution() -> None:
    facts = warn("Check with your doctor before taking Velmora if you have epilepsy.")
    assert precautions(facts) == {"epilepsy": False}
    assert all(f.strength == "caution" for f in facts if f.topic == "precaution")


def test_have_or_have_had_covers_the_past() -> None:
    assert precautions(warn("Tell your nurse if you have or have had hepatitis B.")) == {
        "hepatitis b": True
    }
    assert precautions(warn("if you have a history of stomach ulcers.")) == {"stomach ulcer": True}


def test_items_under_an_if_you_lead_take_their_own_verb() -> None:
    lead = "Speak to your pharmacist before you start Velmora if you:"
    assert lead_kind(lead) == "state"
    assert precautions(warn("suffer from asthma", lead)) == {"asthma": False}
    assert precautions(warn("have previously had a stroke.", lead)) == {"stroke": True}
    # an item about what may come is no state
    assert precautions(warn("develop a fever during treatment", lead)) == {}
    # a full sentence between the items is not an item
    assert precautions(warn("Velmora can make epilepsy worse in some people.", lead)) == {}


def test_bare_items_need_a_lead_that_ends_on_have() -> None:
    lead = "Tell your doctor if you have any of the following:"
    assert lead_kind(lead) == "state-nouns"
    assert precautions(warn("heart failure", lead)) == {"heart failure": False}
    assert precautions(warn("low blood pressure (hypotension)", lead)) == {
        "low blood pressure": False
    }
    # under 'if you:' a bare noun is not an item of the person's state
    assert precautions(warn("heart failure", "Talk to your doctor if you:")) == {}


def test_shared_word_ellipsis_names_both_conditions() -> None:
    assert set(precautions(warn("if you have heart or lung disease."))) == {
        "heart disease",
        "lung disease",
    }
    assert set(precautions(warn("if you ever had hepatitis B or C"))) == {
        "hepatitis b",
        "hepatitis c",
    }


# --- what must not fire -------------------------------------------------------------------


def test_events_signs_and_risks_are_no_state() -> None:
    assert precautions(warn("Tell your doctor if you develop a rash or asthma.")) == {}
    assert (
        precautions(
            warn("Contact a doctor if you get a cough, as it can be a sign of tuberculosis.")
        )
        == {}
    )
    assert precautions(warn("Velmora may increase the risk of blood clots.")) == {}
    assert precautions(warn("If you think you have an infection, tell your doctor.")) == {}
    assert precautions(warn("if you are worried about bleeding, ask your doctor.")) == {}
    assert precautions(warn("You may need tests to check if you have hepatitis B.")) == {}


def test_negated_and_relatives_do_not_fire() -> None:
    assert precautions(warn("if you have never had chickenpox or shingles.")) == {}
    assert precautions(warn("if someone in your family has had epilepsy.")) == {}


def test_a_medicine_for_a_disease_is_not_the_disease() -> None:
    facts = warn("if you are taking medicines to treat epilepsy.")
    assert precautions(facts) == {}


def test_outside_warnings_sections_nothing_is_a_precaution() -> None:
    facts = facts_from_text(
        "If you have kidney disease, the dose is 5 mg.",
        "3. How to take Velmora",
        structural=Topic.dosing,
    )
    assert precautions(facts) == {}


def test_a_forbidding_sentence_stays_a_contraindication() -> None:
    facts = warn("Velmora must not be used if you have severe liver disease.")
    assert [f.condition for f in facts if f.topic == "contraindication"] == ["liver disease"]
    assert precautions(facts) == {}


# --- medicines the person takes -----------------------------------------------------------


def test_a_medicine_in_an_if_you_take_clause_is_a_caution() -> None:
    facts = warn("Talk to your doctor if you take warfarin, as your blood tests may change.")
    assert medicines(facts) == {"warfarin": "caution"}


def test_bare_medicines_under_a_taking_lead() -> None:
    lead = "Tell your doctor if you are taking any of these medicines:"
    assert lead_kind(lead) == "taking"
    assert medicines(warn("digoxin (for heart problems)", lead)) == {"digoxin": "caution"}


def test_a_class_phrase_names_every_member() -> None:
    facts = warn("Tell your doctor if you are using medicines that weaken the immune system.")
    assert medicines(facts) == {"immunosuppressant": "caution"}


def test_a_medicine_in_a_conditional_negation_is_no_prohibition() -> None:
    facts = warn(
        "if you are taking prednisolone, which may lower your calcium if you do not take "
        "vitamin D supplements."
    )
    assert medicines(facts).get("prednisolone") == "caution"
    assert all(f.strength != "must-not" for f in facts)


# --- whole documents ----------------------------------------------------------------------


def _doc(*quotes: tuple[str, Topic, str]) -> Monograph:
    claims = [
        Claim(id=f"c{i}", topic=topic, section=section, source=SRC.id, quote=quote)
        for i, (quote, topic, section) in enumerate(quotes)
    ]
    return Monograph(
        key="velmora",
        identity=Identity(generic="velmora", brands=["Velmora"], substances=["velmora"]),
        sources=[SRC],
        claims=claims,
    )


def test_a_lead_holds_over_explanations_and_a_sub_lead_until_a_side_effect_lead() -> None:
    mono = _doc(
        ("Velmora is used to treat epilepsy in adults.", Topic.indication, "1. What it is"),
        ("Talk to your doctor before taking Velmora if you have any of the following:",
         Topic.warning, WARN),
        ("a raised risk of falls, such as:", Topic.warning, WARN),
        ("osteoporosis", Topic.warning, WARN),
        ("Your doctor may check your bones.", Topic.warning, WARN),
        ("asthma", Topic.warning, WARN),
        ("epilepsy that is getting worse", Topic.warning, WARN),
        ("Tell your doctor straight away if you notice any of these side effects:",
         Topic.warning, WARN),
        ("angina", Topic.warning, WARN),
    )  # fmt: skip
    found = [f.condition for fs in extract_facts(mono) for f in fs.facts if f.topic == "precaution"]
    # the disease Velmora treats is no caution against it; a side-effect list is no state
    assert found == ["osteoporosis", "asthma"]
