"""Issue 13 gaps, end to end (leaflet sentences → facts → check) on a made-up medicine and
wording of our own: age limits scoped by indication, medicines and conditions named in a
'Do not use' list (headed by a heading or by a sentence), the strength of "not recommended",
and prohibitions outside the 'Do not use' section."""

from __future__ import annotations

from typing import Any

import pytest

from druginfo.engine import check, parse_profile
from druginfo.facts import extract_facts
from druginfo.model import CheckResult, Claim, Identity, Monograph, Source, SourceKind, Topic
from druginfo.vocab import Vocab

SRC = Source(
    id="ema-epi-plovimab.en",
    publisher="European Medicines Agency",
    document="Plovimab 20 mg tablets",
    kind=SourceKind.label,
    language="en",
)


@pytest.fixture(scope="module")
def vocab() -> Vocab:
    return Vocab.bundled()


def mono(*claims: tuple[Topic, str | None, str]) -> Monograph:
    return Monograph(
        key="plovimab",
        identity=Identity(generic="plovimab", brands=["Plovimab"], substances=["plovimab"]),
        sources=[SRC],
        claims=[
            Claim(id=f"c{i}", topic=topic, section=section, source=SRC.id, quote=quote)
            for i, (topic, section, quote) in enumerate(claims)
        ],
    )


def run(vocab: Vocab, m: Monograph, **raw: Any) -> CheckResult:
    base: dict[str, Any] = {"age_years": 50, "weight_kg": 70, "sex": "male"}
    base.update(raw)
    return check(m, parse_profile(base), vocab, facts=extract_facts(m))


AGES = mono(
    (Topic.children, "Children and adolescents",
     "Do not use Plovimab for the treatment of ulcerative colitis in children under 16 years "
     "of age."),
    (Topic.children, "Children and adolescents",
     "Plovimab is not recommended in children under 4 years of age with asthma because it has "
     "not been studied in this age group."),
)  # fmt: skip


def test_an_age_limit_for_one_indication_does_not_refuse_another(vocab: Vocab) -> None:
    result = run(vocab, AGES, age_years=10, weight_kg=30, indication="asthma")
    assert not [a for a in result.alerts if a.trigger == "age-limit"]


def test_an_age_limit_applies_to_its_own_indication(vocab: Vocab) -> None:
    result = run(vocab, AGES, age_years=10, weight_kg=30, indication="ulcerative colitis")
    alert = next(a for a in result.alerts if a.trigger == "age-limit")
    assert alert.blocking and result.decision == "do-not-use"
    assert "ulcerative colitis" in alert.title


def test_an_unknown_indication_below_a_scoped_limit_says_what_is_missing(vocab: Vocab) -> None:
    result = run(vocab, AGES, age_years=10, weight_kg=30)
    alert = next(a for a in result.alerts if a.trigger == "age-limit")
    assert alert.kind == "cannot-decide" and alert.field == "indication"
    assert "ulcerative colitis" in alert.detail and not alert.blocking
    assert result.decision != "ok"


def test_a_scoped_not_recommended_limit_is_a_high_warning(vocab: Vocab) -> None:
    result = run(vocab, AGES, age_years=3, weight_kg=14, indication="asthma")
    alert = next(a for a in result.alerts if a.trigger == "age-limit")
    assert alert.severity == "high" and not alert.blocking


def test_a_medicine_in_the_do_not_use_list_blocks(vocab: Vocab) -> None:
    m = mono(
        (Topic.contraindication, "Do not take Plovimab",
         "if you are taking ciclosporin (used after organ transplants)."),
        (Topic.interaction, "Other medicines and Plovimab",
         "Tell your doctor if you take ciclosporin."),
    )  # fmt: skip
    result = run(vocab, m, medications=["ciclosporin 100 mg"])
    alert = next(a for a in result.alerts if a.kind == "interaction")
    assert alert.blocking and alert.severity == "high" and result.decision == "do-not-use"
    assert "organ transplants" in alert.detail


def test_an_allergy_phrase_naming_a_medicine_is_no_combination(vocab: Vocab) -> None:
    m = mono(
        (Topic.contraindication, "Do not take Plovimab",
         "if you are allergic to ciclosporin or any of the other ingredients."),
    )  # fmt: skip
    result = run(vocab, m, medications=["ciclosporin 100 mg"])
    assert not [a for a in result.alerts if a.kind == "interaction" and a.blocking]


LIST = mono(
    (Topic.warning, "2. Before you take Plovimab", "Plovimab should not be given"),
    (Topic.warning, "2. Before you take Plovimab", "if you have ever had pancreatitis."),
    (Topic.warning, "2. Before you take Plovimab",
     "Signs of this may include stomach pain spreading to the back."),
    (Topic.warning, "2. Before you take Plovimab", "if the person has a low platelet count."),
    (Topic.warning, "2. Before you take Plovimab", "Warnings and precautions"),
    (Topic.warning, "2. Before you take Plovimab", "if you have glaucoma, tell your doctor."),
)  # fmt: skip


@pytest.mark.parametrize("condition", ["pancreatitis", "thrombocytopenia"])
def test_items_of_a_list_led_by_a_sentence_are_contraindications(
    vocab: Vocab, condition: str
) -> None:
    result = run(vocab, LIST, conditions=[condition])
    assert result.decision == "do-not-use", [(a.trigger, a.blocking) for a in result.alerts]


def test_the_list_ends_at_the_next_subsection(vocab: Vocab) -> None:
    result = run(vocab, LIST, conditions=["glaucoma"])
    assert not [a for a in result.alerts if a.blocking]


def test_not_recommended_in_combination_is_high_and_blocking(vocab: Vocab) -> None:
    m = mono(
        (Topic.interaction, "Other medicines and Plovimab",
         "Plovimab is not recommended in combination with fluconazole."),
    )  # fmt: skip
    alert = next(
        a for a in run(vocab, m, medications=["fluconazole"]).alerts if a.kind == "interaction"
    )
    assert alert.severity == "high" and alert.blocking


def test_tell_your_doctor_the_dose_may_need_adjusting_stays_a_caution(vocab: Vocab) -> None:
    m = mono(
        (Topic.interaction, "Other medicines and Plovimab",
         "Tell your doctor if you take fluconazole; the dose may need adjusting."),
    )  # fmt: skip
    alert = next(
        a for a in run(vocab, m, medications=["fluconazole"]).alerts if a.kind == "interaction"
    )
    assert alert.severity == "moderate" and not alert.blocking


def test_a_prohibition_outside_the_do_not_use_section_is_a_contraindication(
    vocab: Vocab,
) -> None:
    m = mono(
        (Topic.warning, "Warnings and precautions",
         "Plovimab should not be used if you have myasthenia gravis."),
    )  # fmt: skip
    assert run(vocab, m, conditions=["myasthenia gravis"]).decision == "do-not-use"


def test_a_form_word_of_another_condition_does_not_soften(vocab: Vocab) -> None:
    m = mono(
        (Topic.contraindication, "Do not take Plovimab",
         "if you have uncontrolled high blood pressure, severe dehydration or lactic acidosis."),
    )  # fmt: skip
    assert run(vocab, m, conditions=["lactic acidosis"]).decision == "do-not-use"


def test_a_past_episode_the_leaflet_forbids_is_met_by_a_past_one(vocab: Vocab) -> None:
    m = mono(
        (Topic.contraindication, "Do not take Plovimab",
         "if you have previously had intussusception."),
    )  # fmt: skip
    assert run(vocab, m, conditions=["intussusception in the past"]).decision == "do-not-use"


def test_the_strongest_sentence_meeting_a_condition_speaks(vocab: Vocab) -> None:
    m = mono(
        (Topic.contraindication, "Do not take Plovimab", "if you have a severe infection."),
        (Topic.contraindication, "Do not take Plovimab", "if you have active tuberculosis."),
    )  # fmt: skip
    assert run(vocab, m, conditions=["active tuberculosis"]).decision == "do-not-use"


def test_coordinated_form_words_belong_to_the_condition(vocab: Vocab) -> None:
    m = mono(
        (Topic.contraindication, "Do not take Plovimab",
         "if you have a severe or uncontrolled infection, do not start Plovimab."),
    )  # fmt: skip
    assert run(vocab, m, conditions=["severe infection"]).decision == "do-not-use"


def test_a_list_led_by_will_not_be_given_names_a_medicine_not_to_combine(vocab: Vocab) -> None:
    m = mono(
        (Topic.warning, "2. Before you are given Plovimab", "You will not be given Plovimab:"),
        (Topic.warning, "2. Before you are given Plovimab",
         "if you are already taking ibuprofen (a medicine for pain)."),
        (Topic.warning, "2. Before you are given Plovimab",
         "If any of these apply, tell your doctor."),
    )  # fmt: skip
    result = run(vocab, m, medications=["ibuprofen 200 mg"])
    assert result.decision == "do-not-use", [(a.trigger, a.blocking) for a in result.alerts]


def test_a_prohibition_naming_a_medicine_as_its_object_blocks(vocab: Vocab) -> None:
    m = mono(
        (Topic.warning, "Warnings and precautions",
         "Do not give naproxen to children for 6 weeks after vaccination with Plovimab."),
    )  # fmt: skip
    result = run(vocab, m, age_years=8, weight_kg=25, medications=["naproxen 250 mg"])
    alert = next(a for a in result.alerts if a.kind == "interaction")
    assert alert.blocking and alert.matched and "naproxen" in alert.matched


def test_a_condition_not_being_controlled_is_its_uncontrolled_form(vocab: Vocab) -> None:
    m = mono(
        (Topic.contraindication, "Do not take Plovimab",
         "if you have high blood pressure which is not being controlled with other medicines."),
    )  # fmt: skip
    result = run(vocab, m, conditions=["high blood pressure"])
    alert = next(a for a in result.alerts if a.trigger == "high-blood-pressure")
    assert alert.severity == "high" and not alert.blocking and "uncontrolled" in alert.detail
    assert run(vocab, m, conditions=["uncontrolled high blood pressure"]).decision == "do-not-use"


def test_a_condition_another_medicine_treats_is_not_the_persons(vocab: Vocab) -> None:
    m = mono(
        (Topic.contraindication, "Do not take Plovimab",
         "if you are already taking ketoconazole or nefazodone (medicine to treat depression)."),
    )  # fmt: skip
    result = run(vocab, m, conditions=["depression"])
    assert not [a for a in result.alerts if a.trigger == "depression"]


def test_an_allergy_to_a_class_is_no_combination_with_it(vocab: Vocab) -> None:
    m = mono(
        (Topic.contraindication, "Do not use Plovimab",
         "if you are allergic to other nonsteroidal anti-inflammatory drugs (NSAID)."),
    )  # fmt: skip
    result = run(vocab, m, medications=["ibuprofen 400 mg"])
    assert not [a for a in result.alerts if a.kind == "interaction" and a.blocking]


def test_a_list_item_under_a_do_not_heading_without_forbidding_words_is_no_block(
    vocab: Vocab,
) -> None:
    """Leaflets often file their 'Other medicines' list under the 'Do not take' heading."""
    m = mono(
        (Topic.contraindication, "Do not take Plovimab",
         "medicines used to treat pain and inflammation (such as naproxen)"),
    )  # fmt: skip
    result = run(vocab, m, medications=["naproxen 250 mg"])
    assert not [a for a in result.alerts if a.kind == "interaction" and a.blocking]


UNREAD_SCOPE = mono(
    (Topic.children, "Children and adolescents",
     "Do not give Plovimab to children with chronic hiccups under 12 years old, because there "
     "is no information on use in this disease."),
)  # fmt: skip


def test_a_limit_for_an_unknown_use_does_not_refuse_a_child_treated_for_another(
    vocab: Vocab,
) -> None:
    result = run(vocab, UNREAD_SCOPE, age_years=8, weight_kg=25, indication="asthma")
    alert = next(a for a in result.alerts if a.trigger == "age-limit")
    assert not alert.blocking and alert.severity == "high" and result.decision != "ok"
    assert "chronic hiccups" in alert.title


def test_a_limit_for_an_unknown_use_refuses_a_child_treated_for_it(vocab: Vocab) -> None:
    result = run(vocab, UNREAD_SCOPE, age_years=8, weight_kg=25, indication="chronic hiccups")
    alert = next(a for a in result.alerts if a.trigger == "age-limit")
    assert alert.blocking and result.decision == "do-not-use"
