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
        {
            "age_years": 80,
            "weight_kg": 50,
            "sex": "female",
            "kidney": {"serum_creatinine_mg_dl": 2},
            "height_cm": 160,
        }
    )
    k = kidney_function(p)
    assert k.method == "cockcroft-gault"
    assert k.crcl_ml_min == pytest.approx(17.7, abs=0.05)
    assert k.below(30) is True


@pytest.mark.parametrize("drop", ["age_years", "weight_kg", "sex"])
def test_cockcroft_gault_missing_input_named(drop: str) -> None:
    raw = {"age_years": 60, "weight_kg": 72, "sex": "male", "kidney": {"serum_creatinine_mg_dl": 1}}
    del raw[drop]
    raw["height_cm"] = 175
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
    # A severe flag beside a reassuring number is a contradiction: neither is picked.
    both = kidney_function(
        parse_profile({"kidney": {"crcl_ml_min": 80, "severe_kidney_disease": True}})
    )
    assert both.method == "conflict" and both.below(30) is None
    assert "80" in both.note and "severe_kidney_disease" in both.note
    # A low number with the flag agrees.
    agree = kidney_function(
        parse_profile({"kidney": {"crcl_ml_min": 18, "severe_kidney_disease": True}})
    )
    assert agree.below(30) is True


def test_nothing_known() -> None:
    k = kidney_function(parse_profile({}))
    assert not k.known and k.missing == ("kidney",) and k.below(30) is None


# --- adults only, weight used, children by bedside Schwartz, contradictions ---------------


def kf(**raw: object):  # type: ignore[no-untyped-def]
    return kidney_function(parse_profile(raw))


def test_cockcroft_gault_states_the_weight_used() -> None:
    # 68 kg at 178 cm (IBW 73 kg): actual weight, at or below ideal.
    k = kf(
        age_years=50,
        weight_kg=68,
        height_cm=178,
        sex="male",
        kidney={"serum_creatinine_mg_dl": 1.2},
    )
    assert "actual weight 68 kg" in k.note and k.crcl_ml_min == pytest.approx(70.8, abs=0.1)
    # 130 kg at 165 cm, woman: adjusted weight, and the ideal-weight estimate kept as the low end.
    k = kf(
        age_years=58,
        weight_kg=130,
        height_cm=165,
        sex="female",
        kidney={"serum_creatinine_mg_dl": 2.4},
    )
    assert "adjusted body weight" in k.note and k.crcl_low_ml_min is not None
    assert k.crcl_low_ml_min < k.crcl_ml_min  # type: ignore[operator]


def test_obesity_straddling_the_threshold_is_undecided() -> None:
    # 140 kg, 170 cm man, 55 y, SCr 3.2: adjusted ≈ 37 mL/min, ideal ≈ 24 mL/min.
    k = kf(
        age_years=55,
        weight_kg=140,
        height_cm=170,
        sex="male",
        kidney={"serum_creatinine_mg_dl": 3.2},
    )
    assert k.below(30) is None
    assert k.below(20) is False and k.below(45) is True


def test_no_height_gives_a_range() -> None:
    k = kf(age_years=60, weight_kg=95, sex="male", kidney={"serum_creatinine_mg_dl": 2.6})
    assert k.below(30) is None and "height_cm" in k.missing
    # Clearly normal kidneys decide without a height.
    k = kf(age_years=40, weight_kg=80, sex="female", kidney={"serum_creatinine_mg_dl": 0.8})
    assert k.below(30) is False


def test_children_use_bedside_schwartz_not_cockcroft_gault() -> None:
    k = kf(
        age_years=7,
        weight_kg=23,
        height_cm=122,
        sex="female",
        kidney={"serum_creatinine_mg_dl": 0.45},
    )
    assert k.method == "schwartz" and k.crcl_ml_min == pytest.approx(112.0, abs=0.1)
    no_height = kf(age_years=7, weight_kg=23, sex="female", kidney={"serum_creatinine_mg_dl": 0.45})
    assert not no_height.known and no_height.missing == ("height_cm",)
    infant = kf(
        age_years=0.3, weight_kg=6, height_cm=60, sex="male", kidney={"serum_creatinine_mg_dl": 0.3}
    )
    assert not infant.known and "1 year" in infant.note


@pytest.mark.parametrize(
    ("kidney", "conditions"),
    [
        ({"egfr_ml_min_1_73m2": 70}, ["haemodialysis three times a week"]),
        ({"crcl_ml_min": 45}, ["CKD stage 5"]),
        ({"severe_kidney_disease": False}, ["end-stage kidney disease"]),
    ],
)
def test_contradictions_name_both(kidney: dict[str, object], conditions: list[str]) -> None:
    k = kf(kidney=kidney, conditions=conditions)
    assert k.method == "conflict" and k.below(30) is None
    assert "contradicts" in k.note


def test_a_kidney_condition_alone_counts_as_severe() -> None:
    assert kf(conditions=["on peritoneal dialysis"]).below(30) is True
    assert kf(conditions=["no kidney failure"]).known is False
