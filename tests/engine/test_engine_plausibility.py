"""Plausibility: weights against the WHO growth reference and adult bounds, pregnancy against
sex and age, surgery dates already past. Ages, weights and medicines of our own choosing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from druginfo.engine import check, parse_profile
from druginfo.engine.plausibility import assess, who_weight_for_age_z
from druginfo.model import CheckResult
from druginfo.sources.curated import load_curated
from druginfo.vocab import Vocab

TODAY = dt.date(2026, 11, 29)


def problems(**raw: Any) -> list[str]:
    return [a.field or "" for a in assess(parse_profile(raw), TODAY).alerts]


@pytest.mark.parametrize(
    ("age", "weight", "sex"),
    [
        (3, 140, "female"),  # a slipped decimal: 14.0 → 140
        (0.5, 75, "male"),
        (4, 1.6, None),
        (1.5, 95, None),
    ],
)
def test_weights_outside_the_who_reference_under_5(
    age: float, weight: float, sex: str | None
) -> None:
    raw: dict[str, Any] = {"age_years": age, "weight_kg": weight}
    if sex:
        raw["sex"] = sex
    assert problems(**raw) == ["weight_kg"]


@pytest.mark.parametrize(("age", "weight"), [(3, 14), (0.5, 7.5), (4.5, 17), (1, 9.6)])
def test_ordinary_children_pass(age: float, weight: float) -> None:
    assert problems(age_years=age, weight_kg=weight, sex="female") == []


@pytest.mark.parametrize(("age", "weight"), [(8, 5), (14, 9), (45, 2), (70, 18)])
def test_older_children_and_adults_too_light(age: float, weight: float) -> None:
    assert problems(age_years=age, weight_kg=weight) == ["weight_kg"]


@pytest.mark.parametrize(("age", "weight"), [(7, 150), (8, 250), (11, 180), (16, 300)])
def test_older_children_far_too_heavy_are_asked_to_confirm(age: float, weight: float) -> None:
    """A slipped decimal after 5 years (25 kg typed as 250) is caught, not dosed."""
    assert problems(age_years=age, weight_kg=weight) == ["weight_kg"]
    assert problems(age_years=age, weight_kg=weight, weight_confirmed=True) == []


@pytest.mark.parametrize(("age", "weight"), [(6, 21), (9, 45), (12, 90), (15, 110), (17, 130)])
def test_heavy_but_real_older_children_pass(age: float, weight: float) -> None:
    assert problems(age_years=age, weight_kg=weight) == []


def test_bmi_bounds_with_height() -> None:
    assert problems(age_years=30, weight_kg=250, height_cm=150) == ["weight_kg"]
    assert problems(age_years=30, weight_kg=95, height_cm=180) == []


def test_confirmed_weight_is_not_asked_again() -> None:
    assert problems(age_years=3, weight_kg=30, weight_confirmed=True) == []


def test_who_z_scores_come_from_the_package() -> None:
    z = who_weight_for_age_z(2.0, 12.2, "male")
    assert z is not None and abs(z) < 0.5


def test_pregnancy_against_sex_and_age() -> None:
    assert problems(sex="male", pregnant=True) == ["pregnant"]
    assert problems(age_years=6, pregnant=True) == ["pregnant"]
    assert problems(age_years=8, breastfeeding=True) == ["breastfeeding"]
    assert problems(age_years=29, sex="female", pregnant=True) == []


def test_surgery_date_in_the_past() -> None:
    assert problems(planned_surgery_date="2026-10-01") == ["planned_surgery_date"]
    assert problems(planned_surgery_date="2027-01-15") == []


def run(**raw: Any) -> CheckResult:
    return check(load_curated("anakinra"), parse_profile(raw), Vocab.bundled(), today=TODAY)


def test_implausible_child_weight_gives_no_dose() -> None:
    r = run(
        age_years=3,
        weight_kg=145,
        sex="male",
        indication="DIRA",
        kidney={"severe_kidney_disease": False},
        start_date="2026-12-01",
    )
    assert r.decision == "cannot-decide"
    assert r.regimen is not None and r.regimen.dose_mg is None
    assert [a.field for a in r.alerts if a.kind == "cannot-decide"] == ["weight_kg"]


def test_implausible_adult_weight_with_a_fixed_dose() -> None:
    r = run(
        age_years=52,
        weight_kg="3 lb",
        sex="female",
        pregnant=False,
        breastfeeding=False,
        indication="rheumatoid arthritis",
        kidney={"crcl_ml_min": 80},
        start_date="2026-12-01",
    )
    assert r.decision == "cannot-decide"
    assert any(a.trigger == "implausible-profile" for a in r.alerts)


def test_implausible_weight_is_not_used_for_cockcroft_gault() -> None:
    r = run(
        age_years=60,
        weight_kg=4,
        sex="male",
        indication="rheumatoid arthritis",
        kidney={"serum_creatinine_mg_dl": 1.0},
        start_date="2026-12-01",
    )
    assert r.regimen is not None and r.regimen.every_hours is None
