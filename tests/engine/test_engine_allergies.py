"""Allergies: misspelt names, the product's other ingredients, E. coli written otherwise, other
medicines made in E. coli — with our own wordings."""

from __future__ import annotations

from typing import Any

import pytest

from druginfo.engine import check, parse_profile
from druginfo.engine.allergies import names_in
from druginfo.model import CheckResult, Monograph
from druginfo.sources.curated import load_curated
from druginfo.vocab import Vocab

ADULT: dict[str, Any] = {
    "age_years": 47,
    "weight_kg": 66,
    "sex": "female",
    "pregnant": False,
    "breastfeeding": False,
    "indication": "rheumatoid arthritis",
    "kidney": {"crcl_ml_min": 88},
    "start_date": "2027-03-01",
}


@pytest.fixture(scope="module")
def anakinra() -> Monograph:
    return load_curated("anakinra")


def run(mono: Monograph, allergies: list[str]) -> CheckResult:
    return check(mono, parse_profile({**ADULT, "allergies": allergies}), Vocab.bundled())


def fired(result: CheckResult) -> set[str]:
    return {a.trigger for a in result.alerts if a.kind != "cannot-decide"}


@pytest.mark.parametrize("line", ["Kinaret (rash)", "anakinara", "KINERET injection"])
def test_misspelt_own_names(anakinra: Monograph, line: str) -> None:
    assert "anakinra-allergy" in fired(run(anakinra, [line]))


@pytest.mark.parametrize("line", ["polysorbate 80", "EDTA (hives)", "disodium edetate"])
def test_excipients_of_the_product(anakinra: Monograph, line: str) -> None:
    r = run(anakinra, [line])
    alert = next(a for a in r.alerts if a.trigger == "anakinra-allergy")
    assert "ingredient of Kineret" in (alert.matched or "")
    assert r.decision == "do-not-use"


@pytest.mark.parametrize("line", ["E-coli proteins", "ecoli", "Escherichia coli derived products"])
def test_e_coli_written_otherwise(anakinra: Monograph, line: str) -> None:
    assert "e-coli-protein-allergy" in fired(run(anakinra, [line]))


@pytest.mark.parametrize("line", ["Neulasta", "pegfilgrastim – anaphylaxis", "Zarzio", "Nplate"])
def test_other_e_coli_made_medicines(anakinra: Monograph, line: str) -> None:
    r = run(anakinra, [line])
    alert = next(a for a in r.alerts if a.trigger == "e-coli-protein-allergy")
    # The membership is cited with the words that make it one.
    assert any("coli" in r.sources[k].quote.lower() for k in alert.sources)


@pytest.mark.parametrize("line", ["no known drug allergies", "penicillin", "peanuts", "ibuprofen"])
def test_unrelated_or_negated_allergies_do_not_fire(anakinra: Monograph, line: str) -> None:
    assert not {"anakinra-allergy", "e-coli-protein-allergy"} & fired(run(anakinra, [line]))


def test_names_in_is_not_fooled_by_short_words() -> None:
    assert not names_in("coli", "e coli")
    assert not names_in("kin", "kineret")
    assert names_in("E.  coli", "e coli")
