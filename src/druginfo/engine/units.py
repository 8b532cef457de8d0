"""Quantities with units as people write them ("44 lb", "18 months", "88 umol/L").

Every conversion either yields a canonical number (kg, years, mg/dL, mL/min) or raises
`InputError` naming the field: an unknown unit is never assumed to be the canonical one, and
an ambiguous number ("1,500" could be 1.5 or 1500) is refused rather than guessed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from druginfo.errors import InputError

LB_KG = 0.45359237
CREATININE_UMOL_PER_MG_DL = 88.42
DAYS_PER_YEAR = 365.25

# Units are compared after lower-casing and removing spaces and trailing dots.
MASS_TO_KG: Mapping[str, float] = {
    "kg": 1.0,
    "kgs": 1.0,
    "kilo": 1.0,
    "kilos": 1.0,
    "kilogram": 1.0,
    "kilograms": 1.0,
    "g": 0.001,
    "gram": 0.001,
    "grams": 0.001,
    "gr": 0.001,
    "lb": LB_KG,
    "lbs": LB_KG,
    "pound": LB_KG,
    "pounds": LB_KG,
}

AGE_TO_YEARS: Mapping[str, float] = {
    "y": 1.0,
    "yr": 1.0,
    "yrs": 1.0,
    "year": 1.0,
    "years": 1.0,
    "yo": 1.0,
    "m": 1 / 12,
    "mo": 1 / 12,
    "mos": 1 / 12,
    "month": 1 / 12,
    "months": 1 / 12,
    "w": 7 / DAYS_PER_YEAR,
    "wk": 7 / DAYS_PER_YEAR,
    "wks": 7 / DAYS_PER_YEAR,
    "week": 7 / DAYS_PER_YEAR,
    "weeks": 7 / DAYS_PER_YEAR,
    "d": 1 / DAYS_PER_YEAR,
    "day": 1 / DAYS_PER_YEAR,
    "days": 1 / DAYS_PER_YEAR,
}

CREATININE_TO_MG_DL: Mapping[str, float] = {
    "mg/dl": 1.0,
    "mg/100ml": 1.0,
    "umol/l": 1 / CREATININE_UMOL_PER_MG_DL,
    "µmol/l": 1 / CREATININE_UMOL_PER_MG_DL,
    "μmol/l": 1 / CREATININE_UMOL_PER_MG_DL,
    "micromol/l": 1 / CREATININE_UMOL_PER_MG_DL,
}

CLEARANCE_TO_ML_MIN: Mapping[str, float] = {
    "ml/min": 1.0,
    "ml/min/1.73m2": 1.0,
    "ml/min/1.73m²": 1.0,
    "ml/min/1.73": 1.0,
}


def _short(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


_QUANTITY = re.compile(r"^\s*(?P<num>[+-]?\d+(?:[.,]\d+)?|[+-]?[.,]\d+)\s*(?P<unit>.*?)\s*$")


def _number_text(field: str, text: str) -> float:
    """Read a decimal written with a point or a comma; a comma before exactly three digits is
    ambiguous (a thousands separator in English, a decimal comma elsewhere) and refused."""
    if re.fullmatch(r"[+-]?\d+,\d{3}", text):
        raise InputError(
            field,
            f"{text!r} is ambiguous (thousands separator or decimal comma?); "
            "write it without a comma, e.g. 1500 or 1.5",
        )
    try:
        return float(text.replace(",", "."))
    except ValueError as exc:  # pragma: no cover - the regex only lets numbers through
        raise InputError(field, f"{text!r} is not a number") from exc


def plain_number(field: str, value: object) -> float:
    """A JSON/YAML number; booleans are refused because `true` is not a quantity."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(field, f"expected a number, got {type(value).__name__} {_short(value)}")
    number = float(value)
    if not math.isfinite(number):
        raise InputError(field, f"{_short(value)} is not a finite number")
    return number


def quantity(
    field: str,
    value: object,
    units: Mapping[str, float],
    default_unit: str,
) -> float:
    """Convert a number or a 'number unit' string; a bare number is in `default_unit`."""
    default_factor = units[default_unit.lower()]
    if isinstance(value, str):
        m = _QUANTITY.match(value)
        if not m:
            raise InputError(
                field,
                f"could not read {_short(value)}; write a number with a unit, e.g. '20 {default_unit}'",
            )
        number = _number_text(field, m.group("num"))
        unit = m.group("unit").lower().replace(" ", "").rstrip(".")
        if not unit:
            factor = default_factor
        elif unit in units:
            factor = units[unit]
        else:
            known = ", ".join(sorted(u for u in units if len(u) > 1))
            raise InputError(
                field,
                f"unknown unit {_short(m.group('unit'))} in {_short(value)}; known units: {known}",
            )
        result = number * factor
    else:
        result = plain_number(field, value) * default_factor
    if not math.isfinite(result):
        raise InputError(field, f"{_short(value)} is not a finite number")
    return result


def in_range(field: str, value: float, low: float, high: float, unit: str) -> float:
    """Refuse implausible values: a typo such as 700 kg must never reach a dose calculation."""
    if not low <= value <= high:
        raise InputError(
            field, f"{value:g} {unit} is outside the plausible range {low:g}–{high:g} {unit}"
        )
    return value


def weight_kg(value: object, field: str = "weight_kg") -> float:
    kg = quantity(field, value, MASS_TO_KG, "kg")
    return round(in_range(field, kg, 0.3, 350.0, "kg"), 4)


LENGTH_TO_CM: Mapping[str, float] = {
    "cm": 1.0,
    "centimetre": 1.0,
    "centimetres": 1.0,
    "centimeter": 1.0,
    "centimeters": 1.0,
    "m": 100.0,
    "metre": 100.0,
    "meter": 100.0,
    "mm": 0.1,
    "in": 2.54,
    "inch": 2.54,
    "inches": 2.54,
}


def height_cm(value: object, field: str = "height_cm") -> float:
    cm = quantity(field, value, LENGTH_TO_CM, "cm")
    return round(in_range(field, cm, 20.0, 260.0, "cm"), 2)


def age_years(value: object, field: str = "age_years") -> float:
    years = quantity(field, value, AGE_TO_YEARS, "years")
    return round(in_range(field, years, 0.0, 125.0, "years"), 4)


def clearance_ml_min(value: object, field: str) -> float:
    ml_min = quantity(field, value, CLEARANCE_TO_ML_MIN, "mL/min")
    return in_range(field, ml_min, 0.0, 250.0, "mL/min")


def creatinine_mg_dl(value: object, field: str, default_unit: str = "mg/dl") -> float:
    """Serum creatinine; a bare number is in the field's own unit (mg/dL or µmol/L)."""
    mg_dl = quantity(field, value, CREATININE_TO_MG_DL, default_unit)
    return round(in_range(field, mg_dl, 0.1, 20.0, "mg/dL"), 4)
