"""parse_profile: units, plausibility, types and typo safety, each error naming its field."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from druginfo.engine import parse_profile
from druginfo.errors import InputError

CONTRACT_EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "contract-profile.json"


def field_of(raw: dict[str, Any]) -> str:
    with pytest.raises(InputError) as info:
        parse_profile(raw)
    return info.value.field


def test_contract_example_parses() -> None:
    # The CONTRACT.md example, kept verbatim in examples/ so tests and users share one copy.
    p = parse_profile(json.loads(CONTRACT_EXAMPLE.read_text()))
    assert p.weight_kg == 70 and p.age_years == 34 and p.sex == "female"
    assert p.kidney is not None and p.kidney.crcl_ml_min == 25
    assert p.start_date == dt.date(2026, 12, 1)
    assert p.planned_surgery_date is None
    assert p.medications == ["Enbrel 50 mg weekly", "methotrexate"]


@pytest.mark.parametrize(
    ("raw", "kg"),
    [
        ("44 lb", 19.958),
        ("20 kg", 20.0),
        ("20kg", 20.0),
        ("1,5 kg", 1.5),
        ("3000 g", 3.0),
        ("70", 70.0),
        (70, 70.0),
        (20.5, 20.5),
        ("154 lbs", 69.853),
        ("20 KG", 20.0),
    ],
)
def test_weight_units(raw: object, kg: float) -> None:
    assert parse_profile({"weight_kg": raw}).weight_kg == pytest.approx(kg, abs=0.001)


def test_44_lb_is_19_96_kg() -> None:
    assert round(parse_profile({"weight_kg": "44 lb"}).weight_kg or 0, 2) == 19.96


@pytest.mark.parametrize(
    "raw", [-5, 0, 1000, "1000 kg", "-3 kg", "44 stone?", "44 st", "heavy", True, [70], "1,500 g"]
)
def test_weight_rejected_names_field(raw: object) -> None:
    assert field_of({"weight_kg": raw}) == "weight_kg"


def test_unknown_unit_message_names_unit() -> None:
    with pytest.raises(InputError) as info:
        parse_profile({"weight_kg": "44 stone?"})
    assert info.value.field == "weight_kg"
    assert "unit" in info.value.message and "stone" in info.value.message


@pytest.mark.parametrize(
    ("raw", "years"),
    [(34, 34.0), ("18 months", 1.5), ("6 weeks", 42 / 365.25), ("3 years", 3.0), ("0", 0.0)],
)
def test_age_units(raw: object, years: float) -> None:
    assert parse_profile({"age_years": raw}).age_years == pytest.approx(years, abs=1e-3)


@pytest.mark.parametrize("raw", [-1, 130, "200 years", "3 decades", False])
def test_age_rejected(raw: object) -> None:
    assert field_of({"age_years": raw}) == "age_years"


def test_typo_field_named_with_suggestion() -> None:
    with pytest.raises(InputError) as info:
        parse_profile({"wieght_kg": 70})
    assert info.value.field == "wieght_kg"
    assert "weight_kg" in info.value.message


def test_kidney_typo_named() -> None:
    assert field_of({"kidney": {"crcl": 25}}) == "kidney.crcl"


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"pregnant": "yes"}, "pregnant"),
        ({"pregnant": "true"}, "pregnant"),
        ({"breastfeeding": 1}, "breastfeeding"),
        ({"medications": "Enbrel"}, "medications"),
        ({"allergies": "latex"}, "allergies"),
        ({"medications": ["Enbrel", 5]}, "medications[1]"),
        ({"conditions": [""]}, "conditions[0]"),
        ({"sex": "x"}, "sex"),
        ({"indication": 5}, "indication"),
        ({"kidney": 25}, "kidney"),
        ({"kidney": {"severe_kidney_disease": "yes"}}, "kidney.severe_kidney_disease"),
        ({"kidney": {"crcl_ml_min": 300}}, "kidney.crcl_ml_min"),
        ({"kidney": {"egfr_ml_min_1_73m2": -1}}, "kidney.egfr_ml_min_1_73m2"),
        ({"kidney": {"serum_creatinine_mg_dl": 0.01}}, "kidney.serum_creatinine_mg_dl"),
        ({"kidney": {"serum_creatinine_mg_dl": 25}}, "kidney.serum_creatinine_mg_dl"),
        ({"kidney": {"serum_creatinine_mg_dl": "1 mmol/L"}}, "kidney.serum_creatinine_mg_dl"),
        ({"start_date": "01/12/2026"}, "start_date"),
        ({"start_date": 20261201}, "start_date"),
        ({"planned_surgery_date": "2026-13-01"}, "planned_surgery_date"),
    ],
)
def test_wrong_types_and_values(raw: dict[str, Any], field: str) -> None:
    assert field_of(raw) == field


def test_creatinine_units() -> None:
    p = parse_profile({"kidney": {"serum_creatinine_mg_dl": "88.42 umol/L"}})
    assert p.kidney is not None and p.kidney.serum_creatinine_mg_dl == pytest.approx(1.0)
    p = parse_profile({"kidney": {"serum_creatinine_umol_l": 176.84}})
    assert p.kidney is not None and p.kidney.serum_creatinine_mg_dl == pytest.approx(2.0)
    p = parse_profile({"kidney": {"serum_creatinine_mg_dl": "1.2 mg/dL"}})
    assert p.kidney is not None and p.kidney.serum_creatinine_mg_dl == pytest.approx(1.2)


def test_creatinine_given_twice_rejected() -> None:
    raw = {"kidney": {"serum_creatinine_mg_dl": 1.0, "serum_creatinine_umol_l": 88}}
    assert field_of(raw).startswith("kidney.serum_creatinine")


def test_null_means_not_given_and_drug_key_ignored() -> None:
    p = parse_profile({"weight_kg": None, "kidney": None, "drug": "anakinra", "sex": "F"})
    assert p.weight_kg is None and p.kidney is None and p.sex == "female"


def test_not_a_mapping() -> None:
    with pytest.raises(InputError) as info:
        parse_profile(["age_years", 3])  # type: ignore[arg-type]
    assert info.value.field == "profile"


def test_yaml_dates_accepted() -> None:
    assert parse_profile({"start_date": dt.date(2026, 12, 1)}).start_date == dt.date(2026, 12, 1)
    assert field_of({"start_date": dt.datetime(2026, 12, 1, 10, 0)}) == "start_date"
