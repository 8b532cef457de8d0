"""'Do not use this medicine' versus 'avoid this other thing' in the result."""

from __future__ import annotations

from typing import Any

import pytest

from druginfo.engine import check, parse_profile
from druginfo.model import CheckResult, Monograph
from druginfo.sources.curated import load_curated
from druginfo.vocab import Vocab

CHILD: dict[str, Any] = {
    "age_years": 4,
    "weight_kg": 16,
    "sex": "female",
    "indication": "NOMID",
    "kidney": {"severe_kidney_disease": False},
    "start_date": "2027-02-01",
}


@pytest.fixture(scope="module")
def anakinra() -> Monograph:
    return load_curated("anakinra")


def run(mono: Monograph, **raw: Any) -> CheckResult:
    return check(mono, parse_profile({**CHILD, **raw}), Vocab.bundled())


@pytest.mark.parametrize("vaccine", ["varicella vaccine", "yellow fever vaccine", "MMRV"])
def test_planned_live_vaccine_is_avoided_not_the_medicine(
    anakinra: Monograph, vaccine: str
) -> None:
    r = run(anakinra, planned_vaccines=[vaccine])
    assert r.decision == "caution", [a.title for a in r.alerts]
    assert r.avoid and "live vaccine" in r.avoid[0]
    alert = next(a for a in r.alerts if a.trigger == "live-vaccine")
    assert alert.avoid_kind == "vaccine"


def test_non_live_vaccine_needs_no_avoid(anakinra: Monograph) -> None:
    r = run(anakinra, planned_vaccines=["inactivated influenza vaccine"])
    assert r.avoid == []


def test_combination_is_listed_and_still_ruled_out(anakinra: Monograph) -> None:
    r = run(
        anakinra,
        age_years=40,
        weight_kg=70,
        indication="RA",
        kidney={"crcl_ml_min": 90},
        medications=["Humira 40 mg every other week"],
    )
    assert r.decision == "do-not-use"
    assert any("adalimumab" in a.lower() for a in r.avoid)


def test_own_contraindication_has_no_avoid(anakinra: Monograph) -> None:
    r = run(anakinra, allergies=["E. coli-derived proteins"])
    assert r.decision == "do-not-use" and r.avoid == []
