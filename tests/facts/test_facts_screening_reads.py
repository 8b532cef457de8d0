"""Issue 13 readers on wording of our own: an amount named as 'one N mg <form>', a dose for a
list of indications, a dose sentence that continues the one before, age limits scoped by
indication, medicines named in 'Do not use' statements, and strength read from data."""

from __future__ import annotations

import pytest

from druginfo.facts import extract_facts, facts_from_text
from druginfo.facts.doses import find_amounts
from druginfo.facts.strength import effect, read_strength
from druginfo.model import Claim, Identity, Monograph, Source, SourceKind, Topic


@pytest.mark.parametrize(
    ("text", "mg"),
    [
        ("The usual dose is one 250 mg capsule twice a day.", 250),
        ("The recommended dose is one 75 mg injection every four weeks.", 75),
        ("The recommended dosage is a 10 mg tablet once daily.", 10),
    ],
)
def test_one_amount_of_a_form_is_a_dose(text: str, mg: float) -> None:
    assert [a.value for a in find_amounts(text)] == [mg]


def test_a_strength_statement_is_still_no_dose() -> None:
    assert find_amounts("Each capsule contains 250 mg of zorbital.") == []


def test_a_dose_for_a_list_of_indications_fits_each() -> None:
    [fact] = facts_from_text(
        "If you have gout, osteoarthritis or psoriatic arthritis the recommended dose is "
        "one 20 mg tablet once a day.",
        "How to take Zorbital",
        structural=Topic.dosing,
    )
    assert fact.dose_mg == 20 and fact.population is not None
    indication = fact.population.indication or ""
    assert all(n in indication for n in ("gout", "osteoarthritis", "psoriatic arthritis"))


def test_conditions_named_as_a_reason_give_no_indication() -> None:
    facts = facts_from_text(
        "For gout the dose is 20 mg once a day, reduced to 10 mg if you have heart failure.",
        "How to take Zorbital",
        structural=Topic.dosing,
    )
    assert all(
        f.population is None or f.population.indication != "gout or heart failure" for f in facts
    )


def _doc(*quotes: tuple[Topic, str, str]) -> Monograph:
    src = Source(id="zorbital-leaflet", publisher="European Medicines Agency",
                 document="Zorbital", kind=SourceKind.label, language="en")  # fmt: skip
    return Monograph(
        key="zorbital",
        identity=Identity(generic="zorbital", brands=["Zorbital"], substances=["zorbital"]),
        sources=[src],
        claims=[
            Claim(id=f"c{i}", topic=t, section=sec, source=src.id, quote=q)
            for i, (t, sec, q) in enumerate(quotes)
        ],
    )


def test_a_continuing_dose_sentence_is_for_the_same_people() -> None:
    mono = _doc(
        (Topic.dosing, "How to take Zorbital",
         "If you have gout the recommended dose is one 40 mg tablet once a day for 4 weeks."),
        (Topic.dosing, "How to take Zorbital",
         "This will be followed by one 20 mg tablet once a day."),
    )  # fmt: skip
    doses = [f for fs in extract_facts(mono) for f in fs.facts if f.topic == "dose"]
    follow = next(f for f in doses if f.dose_mg == 20)
    assert follow.population is not None and follow.population.indication == "gout"


def test_an_age_limit_for_named_indications_is_scoped_to_each() -> None:
    facts = facts_from_text(
        "Zorbital is not recommended for children under 12 years of age with gout or asthma "
        "because it has not been studied in them.",
        "Children and adolescents",
        structural=Topic.children,
    )
    limits = [f for f in facts if f.topic == "age-limit"]
    assert {f.population.indication for f in limits if f.population} == {"gout", "asthma"}
    assert all(f.age_min_years == 12 for f in limits)


def test_an_age_limit_without_an_indication_holds_for_all() -> None:
    facts = facts_from_text(
        "Do not give Zorbital to children under 6 years of age.",
        "Children and adolescents",
        structural=Topic.children,
    )
    [limit] = [f for f in facts if f.topic == "age-limit"]
    assert limit.population is None and limit.age_min_years == 6


def test_a_medicine_in_a_do_not_use_item_is_a_must_not_interaction() -> None:
    facts = facts_from_text(
        "if you are taking lithium (used for mood disorders).",
        "Do not take Zorbital",
        structural=Topic.contraindication,
    )
    [inter] = [f for f in facts if f.topic == "interaction"]
    assert inter.with_ == "lithium" and inter.strength == "must-not"


@pytest.mark.parametrize(
    ("text", "strength", "blocking"),
    [
        ("Zorbital is not recommended in combination with lithium.", "avoid", True),
        ("Zorbital should not be used with lithium.", "must-not", True),
        ("The use of salicylates should be avoided for 6 weeks.", "avoid", True),
        ("Tell your doctor if you take lithium; the dose may need adjusting.", "caution", False),
    ],
)
def test_strength_is_read_from_data(text: str, strength: str, blocking: bool) -> None:
    assert read_strength(text) == strength
    severity, blocks = effect(read_strength(text))
    assert blocks is blocking and severity == ("high" if blocking else "moderate")


def test_an_age_limit_for_a_use_the_vocabulary_does_not_know_keeps_its_words() -> None:
    facts = facts_from_text(
        "Do not give Zorbital to adolescents with chronic hiccups under 16 years old, because "
        "there is no information on use in this disease.",
        "Children and adolescents",
        structural=Topic.children,
    )
    [limit] = [f for f in facts if f.topic == "age-limit"]
    assert limit.population is not None and limit.population.indication == "chronic hiccups"
    assert limit.age_min_years == 16
