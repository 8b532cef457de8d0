"""Product-aware dosing: the presentation's stated dose ranges, and volumes that say what they
deliver. Weights are plausible for the ages (implausible ones are asked about first)."""

from __future__ import annotations

from typing import Any

import pytest

from druginfo.engine import check, compute_regimen, parse_profile
from druginfo.model import DoseRule, Indication, Monograph, Product
from druginfo.sources.curated import load_curated
from druginfo.vocab import Vocab


def _nomid(age_years: float, weight_kg: float) -> dict[str, object]:
    return {
        "age_years": age_years,
        "weight_kg": weight_kg,
        "indication": "NOMID",
        "kidney": {"severe_kidney_disease": False},
        "start_date": "2026-12-01",
    }


@pytest.mark.parametrize(("age", "weight"), [(0.2, 4.5), (0.75, 8.2), (1.0, 9.5)])
def test_below_the_leaflets_smallest_dose_cannot_be_decided(age: float, weight: float) -> None:
    # 1–2 mg/kg never reaches 20 mg, the smallest dose of "20 to 90 mg or 100 mg".
    result = check(load_curated("anakinra"), parse_profile(_nomid(age, weight)), Vocab.bundled())
    assert result.decision == "cannot-decide"
    assert result.regimen is not None
    assert result.regimen.dose_mg is None and result.regimen.volume_ml is None
    alert = next(a for a in result.alerts if a.title.startswith("Dose too small to measure"))
    assert alert.field == "weight_kg" and alert.sources
    assert "20 to 90 mg or 100 mg" in alert.detail


def test_a_partial_syringe_states_what_it_delivers() -> None:
    result = check(load_curated("anakinra"), parse_profile(_nomid(9, 31)), Vocab.bundled())
    assert result.regimen is not None
    assert result.regimen.dose_mg == 31 and result.regimen.volume_ml == 0.21
    assert result.regimen.delivered_dose_mg == 31.34
    assert any("delivers 31.34 mg" in n for n in result.regimen.notes)
    assert any("show you the mark for 0.21 mL" in n for n in result.regimen.notes)


def _mono(ranges: list[tuple[float, float]], graduation: float | None = None) -> Monograph:
    base = load_curated("anakinra")
    product = Product(
        id="vial",
        name="Test 50 mg/1 mL vial",
        form="vial",
        strength_mg=50,
        volume_ml=1,
        graduation_mg=graduation,
        measurable_ranges_mg=ranges,
        claims=["eu-dose"],
    )
    rule = DoseRule(
        id="x-per-kg",
        indication="x",
        basis="per-kg",
        start_mg_per_kg_min=2,
        start_mg_per_kg_max=2,
        max_mg_per_kg_day=2,
        product="vial",
        claims=["eu-dose"],
    )
    ind = Indication(id="x", name="Condition X", claims=["eu-dose"])
    return base.model_copy(
        update={
            "products": [product],
            "dose_rules": [rule],
            "indications": [ind],
            "kidney_rules": [],
        }
    )


def _regimen(mono: Monograph, **raw: Any) -> Any:
    return compute_regimen(mono, parse_profile({"indication": "Condition X", **raw}))


def test_a_gap_between_stated_ranges_rounds_down_and_says_so() -> None:
    # 2 mg/kg × 21 kg = 42 mg; the vial gives 10 to 40 mg or 50 mg, and 2 mg/kg is the maximum.
    reg, alerts = _regimen(_mono([(10, 40), (50, 50)]), weight_kg=21, age_years=7)
    assert reg.dose_mg == 40
    assert any("Rounded down from 42 mg to 40 mg" in n for n in reg.notes)
    assert not [a for a in alerts if a.kind == "cannot-decide"]


def test_volume_is_never_more_than_the_maximum() -> None:
    # 2 mg/kg × 10.3 kg = 20.6 mg = 0.412 mL; 0.41 mL delivers 20.5 mg (≤ 20.6 maximum).
    reg, _ = _regimen(_mono([(5, 50)]), weight_kg=10.3, age_years=2)
    assert reg.volume_ml == 0.41 and reg.delivered_dose_mg == 20.5
    assert reg.delivered_dose_mg <= 20.6
