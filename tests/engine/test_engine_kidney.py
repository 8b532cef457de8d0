"""Kidney function: Cockcroft–Gault worked example and the order of preference."""

from __future__ import annotations

import pytest

from druginfo.engine import cockcroft_gault, kidney_function, parse_profile


def test_cockcroft_gault_worked_example() -> None:
    # (140 − 60) × 72 / (72 × 1.0) = 80 mL/min for a man; × 0.85 = 68 for a woman.
    assert cockcroft_gault(60, 72, "male", 1.0) == pytest.approx(80.0)
    assert cockcroft_gault(60, 72, "female", 1.0) == pytest.approx(68.0)
    # (140 − 80) × 50 / (72 × 2.0) × 0.85 = 17.7 mL/min
    assert cockcroft_gault(80, 50, "female", 2.0) == pytest.approx(17.7, abs=0.05)


def test_from_profile_uses_cockcroft_gault() -> None:
    p = parse_profile(
        {"age_years": 80, "weight_kg": 50, "sex": "female", "kidney": {"serum_creatinine_mg_dl": 2}}
    )
    k = kidney_function(p)
    assert k.method == "cockcroft-gault"
    assert k.crcl_ml_min == pytest.approx(17.7, abs=0.05)
    assert k.below(30) is True


@pytest.mark.parametrize("drop", ["age_years", "weight_kg", "sex"])
def test_cockcroft_gault_missing_input_named(drop: str) -> None:
    raw = {"age_years": 60, "weight_kg": 72, "sex": "male", "kidney": {"serum_creatinine_mg_dl": 1}}
    del raw[drop]
    k = kidney_function(parse_profile(raw))
    assert not k.known
    assert k.missing == (drop,)
    assert k.below(30) is None


def test_measured_crcl_preferred_then_egfr() -> None:
    k = kidney_function(parse_profile({"kidney": {"crcl_ml_min": 25, "egfr_ml_min_1_73m2": 90}}))
    assert (k.method, k.crcl_ml_min) == ("measured crcl", 25)
    k = kidney_function(parse_profile({"kidney": {"egfr_ml_min_1_73m2": 45}}))
    assert (k.method, k.crcl_ml_min) == ("egfr", 45)
    assert k.below(30) is False


def test_flags() -> None:
    severe = kidney_function(parse_profile({"kidney": {"severe_kidney_disease": True}}))
    assert severe.method == "flag" and severe.below(30) is True and severe.below(1) is True
    fine = kidney_function(parse_profile({"kidney": {"severe_kidney_disease": False}}))
    assert fine.known and fine.below(30) is False
    # A severe flag wins over a reassuring number.
    both = kidney_function(
        parse_profile({"kidney": {"crcl_ml_min": 80, "severe_kidney_disease": True}})
    )
    assert both.below(30) is True


def test_nothing_known() -> None:
    k = kidney_function(parse_profile({}))
    assert not k.known and k.missing == ("kidney",) and k.below(30) is None
