"""Screening from a leaflet's warnings section, on a made-up medicine and wording of our own.

'Corvanta' does not exist; its leaflet is written here in the shapes real leaflets use (a
lead 'Talk to your doctor … if you:' and its items, 'Tell your doctor if you are taking any
of the following:', class phrases, a 'Do not use' list), with other conditions and medicines
than any bundled leaflet's example, so the screening is tested on what it reads, not on one
leaflet's words.
"""

from __future__ import annotations

from typing import Any

import pytest

from druginfo.engine import check, parse_profile
from druginfo.facts import extract_facts
from druginfo.model import CheckResult, Claim, ClassEntry, Identity, Monograph, Source, SourceKind
from druginfo.model import Topic as T
from druginfo.sources.atc import ATC_SOURCE
from druginfo.vocab import Vocab

SRC = Source(
    id="ema-epi-corvanta.en",
    publisher="European Medicines Agency",
    document="Corvanta 20 mg film-coated tablets",
    kind=SourceKind.label,
)
DONT = "Do not take Corvanta"
WARN = "Warnings and precautions"
OTHER = "Other medicines and Corvanta"
LINES: list[tuple[T, str, str]] = [
    (T.indication, "1. What Corvanta is", "Corvanta is used to treat psoriatic arthritis."),
    (T.indication, "1. What Corvanta is",
     "Corvanta can be used alone or together with methotrexate."),
    (T.contraindication, DONT, "if you are allergic to corvanta or any of the other ingredients."),
    (T.contraindication, DONT, "if you have severe heart failure."),
    (T.warning, WARN, "Talk to your doctor or pharmacist before taking Corvanta if you:"),
    (T.warning, WARN, "have, or have had, shingles."),
    (T.warning, WARN, "Corvanta can make some infections come back."),
    (T.warning, WARN, "suffer from heart failure."),
    (T.warning, WARN, "have psoriatic arthritis that is getting worse."),
    (T.warning, WARN, "Tell your doctor if you get a cough or fever during treatment, "
                      "as these can be signs of tuberculosis."),
    (T.warning, WARN, "If you think you have pneumonia, contact your doctor."),
    (T.warning, WARN, "if you have never had chickenpox."),
    (T.warning, WARN, "Tell your doctor if you are taking any of the following:"),
    (T.warning, WARN, "digoxin (a medicine for the heart)"),
    (T.warning, WARN, "medicines that weaken the immune system"),
    (T.interaction, OTHER, "Tell your doctor if you use biological medicines for arthritis, "
                           "as using them together has not been studied."),
    (T.interaction, OTHER, "medicines that lower the immune response, such as azathioprine"),
    (T.interaction, OTHER, "Corvanta should not be used with ciclosporin."),
]  # fmt: skip


def corvanta() -> Monograph:
    return Monograph(
        key="corvanta",
        identity=Identity(generic="corvanta", brands=["Corvanta"], substances=["corvanta"]),
        sources=[SRC],
        claims=[
            Claim(id=f"c{i}", topic=topic, section=section, source=SRC.id, quote=quote)
            for i, (topic, section, quote) in enumerate(LINES)
        ],
    )


MONO = corvanta()
FACTS = extract_facts(MONO)


@pytest.fixture(scope="module")
def vocab() -> Vocab:
    return Vocab.bundled()


def run(vocab: Vocab, **raw: Any) -> CheckResult:
    base: dict[str, Any] = {"age_years": 50, "weight_kg": 70, "sex": "male"}
    base.update(raw)
    return check(MONO, parse_profile(base), vocab, facts=FACTS)


def about(result: CheckResult, matched: str) -> list[Any]:
    return [a for a in result.alerts if (a.matched or "").lower() == matched.lower()]


# --- conditions --------------------------------------------------------------------------


def test_a_warning_condition_is_a_moderate_question_for_the_doctor(vocab: Vocab) -> None:
    result = run(vocab, conditions=["shingles in 2021"])
    [alert] = about(result, "shingles in 2021")
    assert (alert.kind, alert.severity, alert.blocking, alert.basis) == (
        "warning",
        "moderate",
        False,
        "leaflet",
    )
    assert "ask your doctor before using corvanta" in alert.title
    assert "have, or have had, shingles." in alert.detail
    assert result.decision in ("caution", "cannot-decide")  # the leaflet gives no dose


def test_the_do_not_use_sentence_speaks_where_both_name_the_condition(vocab: Vocab) -> None:
    result = run(vocab, conditions=["severe heart failure"])
    [alert] = about(result, "severe heart failure")
    assert alert.blocking and alert.severity == "high"
    assert "severe heart failure" in alert.detail
    assert result.decision == "do-not-use"


def test_the_disease_treated_is_no_warning(vocab: Vocab) -> None:
    result = run(vocab, indication="psoriatic arthritis", conditions=["psoriatic arthritis"])
    assert about(result, "psoriatic arthritis") == []


def test_signs_events_and_negations_do_not_fire(vocab: Vocab) -> None:
    for condition in ("tuberculosis", "pneumonia", "chickenpox"):
        assert about(run(vocab, conditions=[condition]), condition) == [], condition


# --- medicines ---------------------------------------------------------------------------


def test_a_medicine_listed_under_a_tell_your_doctor_lead_is_a_caution(vocab: Vocab) -> None:
    result = run(vocab, medications=["digoxin 125 micrograms"])
    [alert] = [a for a in result.alerts if a.kind == "interaction"]
    assert (alert.severity, alert.blocking) == ("moderate", False)
    assert "digoxin (a medicine for the heart)" in alert.detail


def test_should_not_be_used_with_stays_high_and_blocking(vocab: Vocab) -> None:
    result = run(vocab, medications=["ciclosporin"])
    blocking = [a for a in result.alerts if a.kind == "interaction" and a.blocking]
    assert blocking and blocking[0].severity == "high"


@pytest.mark.parametrize("brand", ["Hyrimoz", "Benepali", "Remsima"])
def test_a_class_phrase_matches_biosimilars_and_brands(vocab: Vocab, brand: str) -> None:
    result = run(vocab, medications=[brand])
    hits = [a for a in result.alerts if a.kind == "interaction"]
    assert hits and not hits[0].blocking
    assert "biological medicines" in hits[0].detail or "weaken the immune" in hits[0].detail


def test_a_class_with_an_example_matches_every_member_but_the_companion(vocab: Vocab) -> None:
    # 'medicines that lower the immune response, such as azathioprine' covers tacrolimus and
    # sirolimus too, not methotrexate, which the leaflet says it is used with
    assert about(run(vocab, medications=["azathioprine"]), "azathioprine")
    assert about(run(vocab, medications=["sirolimus"]), "sirolimus")
    assert about(run(vocab, medications=["methotrexate"]), "methotrexate") == []


def test_a_companion_the_leaflet_allows_is_not_caught_by_a_class_phrase(vocab: Vocab) -> None:
    assert [
        a for a in run(vocab, medications=["methotrexate"]).alerts if a.kind == "interaction"
    ] == []
    assert [a for a in run(vocab, medications=["tacrolimus"]).alerts if a.kind == "interaction"]


def test_a_class_member_known_from_atc_matches_the_phrase() -> None:
    vocab = Vocab.bundled()
    vocab.extend_from_atc(
        [ClassEntry(system="atc", code="L04AA99", name="examplimus", parent="L04AA")], ATC_SOURCE
    )
    result = run(vocab, medications=["examplimus"])
    [alert] = [a for a in result.alerts if a.kind == "interaction"]
    assert "weaken the immune system" in alert.detail and not alert.blocking


# --- coverage ----------------------------------------------------------------------------


def test_coverage_says_against_what_it_screened(vocab: Vocab) -> None:
    result = run(vocab, conditions=["asthma"], medications=["digoxin"])
    assert result.coverage is not None
    summary = result.coverage.summary
    assert "conditions (against the leaflet's 1 contraindication and " in summary
    assert "1 medicine (against " in summary and "medicines or classes the leaflet names" in summary


def test_conditions_the_leaflet_gives_nothing_for_are_not_called_screened(vocab: Vocab) -> None:
    mono = Monograph(
        key="corvanta",
        identity=MONO.identity,
        sources=[SRC],
        claims=[
            Claim(id="a", topic=T.contraindication, section=DONT, source=SRC.id,
                  quote="if you are allergic to corvanta."),
            Claim(id="b", topic=T.interaction, section=OTHER, source=SRC.id,
                  quote="Tell your doctor if you take digoxin."),
        ],
    )  # fmt: skip
    result = check(
        mono,
        parse_profile({"age_years": 50, "weight_kg": 70, "sex": "male", "conditions": ["gout"]}),
        vocab,
        facts=extract_facts(mono),
    )
    assert result.coverage is not None
    assert [n.item for n in result.coverage.not_screened] == ["your conditions"]
    assert result.decision != "ok"


# --- a medicine of unknown class beside a forbidden class ---------------------------------

VELMORA = Monograph(
    key="velmora",
    identity=Identity(generic="velmora", brands=["Velmora"], substances=["velmora"]),
    sources=[SRC],
    claims=[
        Claim(id="v1", topic=T.contraindication, section="Do not use Velmora", source=SRC.id,
              quote="You must not be given Velmora if you are being treated with medicines that "
                    "weaken the immune system."),
        Claim(id="v2", topic=T.contraindication, section="Do not use Velmora", source=SRC.id,
              quote="if you are allergic to velmora or any of the other ingredients."),
        Claim(id="v3", topic=T.interaction, section="Other medicines and Velmora",
              source=SRC.id, quote="Tell your doctor if you take digoxin."),
    ],
)  # fmt: skip


def velmora(vocab: Vocab, medication: str) -> CheckResult:
    profile = parse_profile({"age_years": 40, "weight_kg": 70, "medications": [medication]})
    return check(VELMORA, profile, vocab, facts=extract_facts(VELMORA))


def test_a_medicine_of_unknown_class_beside_a_forbidden_class_is_never_ok() -> None:
    vocab = Vocab.bundled()
    assert not vocab.classes_of("sertraline") and not vocab.atc_codes("sertraline")
    result = velmora(vocab, "sertraline")
    [alert] = [a for a in result.alerts if a.trigger == "interaction-unknown-class"]
    assert alert.kind == "cannot-decide" and alert.severity == "high" and not alert.blocking
    assert "ATC" in alert.detail and result.decision == "cannot-decide"


def test_a_classified_medicine_is_told_apart() -> None:
    vocab = Vocab.bundled()
    vocab.extend_from_atc(
        [
            ClassEntry(system="atc", code="L04AA99", name="examplimus", parent="L04AA"),
            ClassEntry(system="atc", code="N06AB06", name="sertraline", parent="N06AB"),
        ],
        ATC_SOURCE,
    )
    outside = velmora(vocab, "sertraline")
    assert not [a for a in outside.alerts if a.trigger.startswith("interaction")]
    member = velmora(vocab, "examplimus")
    [alert] = [a for a in member.alerts if a.kind == "interaction"]
    assert alert.blocking and member.decision == "do-not-use"
    # The class is named once, in the detail; the title names the medicine without nesting
    # brackets (a brand is shown with its substance in brackets already).
    assert alert.title == "Do not use velmora with examplimus"
    assert alert.detail.startswith("You take examplimus, an ")
