"""Condition reading: the ICD-10-grounded concept hierarchy and ConText statuses.

The phrases are our own wordings (other infections, other negations), not the issue's examples,
and the second half runs them through the real anakinra monograph to see the decision.
"""

from __future__ import annotations

from typing import Any

import pytest

from druginfo.engine import check, parse_profile
from druginfo.engine.conditions import reader
from druginfo.model import CheckResult, Monograph
from druginfo.sources.curated import load_curated
from druginfo.vocab import Vocab


def status_of(line: str, concept: str) -> str | None:
    r = reader()
    found = [m for m in r.read(line) if r.is_a(m.concept, [concept])]
    return found[0].status if found else None


@pytest.mark.parametrize(
    "line",
    [
        "erysipelas of the left leg",
        "acute pyelonephritis",
        "bacterial meningitis",
        "vertebral osteomyelitis",
        "infective endocarditis",
        "oral thrush",
        "malaria",
        "chickenpox",
        "hepatitis C",
        "Clostridioides difficile colitis",
        "dental abscess",
        "lower respiratory tract infection",
        "SARS-CoV-2",
        "swine flu",
        "herpes zoster ophthalmicus",
        "infected diabetic foot ulcer",
        "prosthetic joint infection",
        "urosepsis",
        "miliary tuberculosis",
    ],
)
def test_infections_of_every_kind_are_infections(line: str) -> None:
    assert status_of(line, "infection") == "present", line


@pytest.mark.parametrize(
    ("line", "status"),
    [
        ("no current infection", "negated"),
        ("free of infection", "negated"),
        ("cellulitis excluded", "negated"),
        ("hepatitis B negative", "negated"),
        ("past history of meningitis", "historical"),
        ("osteomyelitis in 2015, cured", "historical"),
        ("sister had shingles", "family"),
        ("at risk for pneumonia", "hypothetical"),
        ("probable cystitis", "possible"),
        ("frequent chest infections", "recurrent"),
        ("repeated sinusitis", "recurrent"),
        ("history of cellulitis, now active again", "present"),
        ("previous TB, currently on treatment for TB", "present"),
    ],
)
def test_context_statuses(line: str, status: str) -> None:
    assert status_of(line, "infection") == status, line


def test_lasting_infection_with_a_history_is_still_there() -> None:
    assert status_of("history of HIV infection", "infection") == "present"
    assert status_of("hep C, cured in 2019", "infection") == "historical"


def test_non_infectious_names_with_infection_words() -> None:
    assert status_of("autoimmune hepatitis", "infection") is None
    assert status_of("hay fever", "infection") is None
    assert status_of("radiation pneumonitis", "infection") is None
    assert status_of("long COVID", "infection") is None
    assert status_of("post-herpetic neuralgia", "infection") is None


def test_vaccination_and_immunity_are_not_infections() -> None:
    assert status_of("hepatitis B vaccinated", "infection") == "hypothetical"
    assert status_of("immune to varicella", "infection") == "hypothetical"


@pytest.mark.parametrize(
    "line",
    [
        "neutropaenic",
        "leucopenia",
        "absolute neutrophil count 0.9",
        "neutrophils were 700",
        "granulocytopenia",
    ],
)
def test_neutropenia_wordings_and_labs(line: str) -> None:
    assert status_of(line, "neutropenia") == "present", line


def test_normal_neutrophil_count_is_not_neutropenia() -> None:
    assert status_of("ANC 3.1", "neutropenia") is None
    assert status_of("neutrophils 2400", "neutropenia") is None


# --- through the real anakinra monograph -------------------------------------------------

BASE: dict[str, Any] = {
    "age_years": 45,
    "weight_kg": 72,
    "sex": "male",
    "indication": "rheumatoid arthritis",
    "kidney": {"crcl_ml_min": 95},
    "start_date": "2026-12-01",
}


@pytest.fixture(scope="module")
def anakinra() -> Monograph:
    return load_curated("anakinra")


@pytest.fixture(scope="module")
def vocab() -> Vocab:
    return Vocab.bundled()


def run(mono: Monograph, vocab: Vocab, **changes: Any) -> CheckResult:
    return check(mono, parse_profile({**BASE, **changes}), vocab)


def triggers(result: CheckResult, kind: str | None = None) -> set[str]:
    return {a.trigger for a in result.alerts if kind is None or a.kind == kind}


@pytest.mark.parametrize(
    "condition",
    [
        "erysipelas",
        "acute otitis media",
        "gastroenteritis",
        "HIV-1 infection",
        "strep throat",
        "infected knee replacement",
        "tuberculous lymphadenitis",
        "pulmonary TB",
    ],
)
def test_active_infections_block(anakinra: Monograph, vocab: Vocab, condition: str) -> None:
    result = run(anakinra, vocab, conditions=[condition])
    assert result.decision == "do-not-use", condition
    assert "active-infection" in triggers(result, "contraindication")


@pytest.mark.parametrize(
    "condition", ["no infection at present", "infection ruled out last week", "father had TB"]
)
def test_negated_or_family_infections_do_not_block(
    anakinra: Monograph, vocab: Vocab, condition: str
) -> None:
    result = run(anakinra, vocab, conditions=[condition])
    assert "active-infection" not in triggers(result)
    assert result.decision == "ok", (condition, [a.title for a in result.alerts])


@pytest.mark.parametrize("condition", ["febrile since yesterday", "possible pyelonephritis"])
def test_signs_and_possible_infections_ask_to_confirm(
    anakinra: Monograph, vocab: Vocab, condition: str
) -> None:
    result = run(anakinra, vocab, conditions=[condition])
    assert result.decision == "cannot-decide"
    alert = next(a for a in result.alerts if a.trigger == "active-infection")
    assert alert.kind == "cannot-decide" and alert.field == "conditions"


def test_recurring_infection_warns_and_asks(anakinra: Monograph, vocab: Vocab) -> None:
    result = run(anakinra, vocab, conditions=["recurrent urinary tract infections"])
    assert "recurring-infections" in triggers(result, "warning")
    assert "active-infection" in triggers(result, "cannot-decide")


def test_latent_tb_warns_without_blocking(anakinra: Monograph, vocab: Vocab) -> None:
    result = run(anakinra, vocab, conditions=["positive QuantiFERON, latent TB"])
    assert "tuberculosis" in triggers(result, "warning")
    assert "active-infection" not in triggers(result)


def test_neutropenia_lab_value_blocks(anakinra: Monograph, vocab: Vocab) -> None:
    result = run(anakinra, vocab, conditions=["ANC 1.1 x10^9/L on last blood test"])
    assert "neutropenia" in triggers(result, "contraindication")
    assert result.decision == "do-not-use"


def test_negated_plain_terms_do_not_fire(anakinra: Monograph, vocab: Vocab) -> None:
    result = run(anakinra, vocab, conditions=["no asthma", "mother had melanoma"])
    assert not {"asthma", "cancer"} & triggers(result)
    assert "asthma" in triggers(run(anakinra, vocab, conditions=["mild asthma"]))


@pytest.mark.parametrize("medicine", ["adalimumab", "etanercept", "canakinumab", "tocilizumab"])
@pytest.mark.parametrize("condition", ["herpes zoster", "acute cystitis", "erysipelas"])
def test_word_list_rules_of_other_medicines_meet_the_concepts(
    vocab: Vocab, medicine: str, condition: str
) -> None:
    # Their rules say "infection" as a word; the concept beneath it (shingles, cystitis...) counts.
    mono = load_curated(medicine)
    raw = {
        **BASE,
        "sex": "female",
        "pregnant": False,
        "breastfeeding": False,
        "conditions": [condition],
    }
    infection_rules = {
        r.trigger
        for r in mono.screening
        if "infection" in [t.lower() for t in r.match.conditions_any]
    }
    assert infection_rules, medicine
    fired = {a.trigger for a in check(mono, parse_profile(raw), vocab).alerts}
    assert infection_rules & fired, (medicine, condition)
    negated = {**raw, "conditions": [f"no {condition}"]}
    assert not infection_rules & {
        a.trigger for a in check(mono, parse_profile(negated), vocab).alerts
    }
