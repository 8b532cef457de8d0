"""Turn the raw profile people write (JSON/YAML, units as strings) into a checked `Profile`.

The parser is strict on purpose: a misspelt field ("wieght_kg") silently ignored would make a
weight-based dose look undecidable at best and use a wrong value at worst, so every unknown
field, wrong type, unknown unit or implausible value raises `InputError` naming the field.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Mapping
from typing import Any

from druginfo.engine import units
from druginfo.engine.build import make
from druginfo.engine.reading import short
from druginfo.errors import InputError
from druginfo.model import Kidney, Profile

PROFILE_FIELDS: tuple[str, ...] = tuple(Profile.model_fields)
KIDNEY_FIELDS: tuple[str, ...] = (*Kidney.model_fields, "serum_creatinine_umol_l")
# Keys a caller may put beside the profile (the drug to check) that are not profile facts.
PASS_THROUGH_FIELDS: tuple[str, ...] = ("drug",)

_SEXES: Mapping[str, str] = {"female": "female", "f": "female", "male": "male", "m": "male"}
_LIST_FIELDS = ("conditions", "allergies", "medications", "planned_vaccines")
_BOOL_FIELDS = ("pregnant", "breastfeeding", "weight_confirmed")
_DATE_FIELDS = ("planned_surgery_date", "start_date")
_PROFILE_FIELD_SET = frozenset(PROFILE_FIELDS)
_LIST_FIELD_SET = frozenset(_LIST_FIELDS)


def _unknown_field(name: object, known: tuple[str, ...], prefix: str = "") -> InputError:
    label = f"{prefix}{name}"
    hint = difflib.get_close_matches(str(name), known, n=1, cutoff=0.6)
    suggestion = f"; did you mean '{prefix}{hint[0]}'?" if hint else ""
    return InputError(
        label, f"unknown field {label!r}{suggestion} Known fields: {', '.join(known)}"
    )


def _text(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise InputError(field, f"expected text, got {type(value).__name__} {short(value)}")
    text = " ".join(value.split())
    if not text:
        raise InputError(field, "must not be empty")
    if len(text) > 500:
        raise InputError(field, "is longer than 500 characters")
    return text


def _bool(field: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise InputError(
            field, f"expected true or false, got {type(value).__name__} {short(value)}"
        )
    return value


def _text_list(field: str, value: object) -> list[str]:
    if not isinstance(value, list | tuple):
        raise InputError(
            field, f"expected a list of names, got {type(value).__name__} {short(value)}"
        )
    if len(value) > 200:
        raise InputError(field, "has more than 200 entries")
    out = []
    for i, item in enumerate(value):
        if type(item) is str:  # the usual case, checked here without naming the item
            text = " ".join(item.split())
            if text and len(text) <= 500:
                out.append(text)
                continue
        out.append(_text(f"{field}[{i}]", item))  # says what is wrong with it
    return out


def _date(field: str, value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        raise InputError(field, f"expected a date (YYYY-MM-DD), got a date and time {short(value)}")
    if isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise InputError(field, f"expected an ISO date YYYY-MM-DD, got {short(value)}") from exc
    else:
        raise InputError(field, f"expected an ISO date YYYY-MM-DD, got {type(value).__name__}")
    if not 1900 <= day.year <= 2200:
        raise InputError(field, f"{day.isoformat()} is not a plausible date")
    return day


def _sex(value: object) -> str:
    text = _text("sex", value).lower()
    if text not in _SEXES:
        raise InputError(
            "sex",
            f"{short(value)} is not understood; write 'female' or 'male' (used only for the "
            "kidney function estimate), or leave the field out",
        )
    return _SEXES[text]


def _kidney(value: object) -> Kidney:
    if type(value) is not dict and not isinstance(value, Mapping):
        raise InputError(
            "kidney",
            f"expected an object such as {{'crcl_ml_min': 25}}, got {type(value).__name__}",
        )
    parsed: dict[str, Any] = {}
    for key, raw in value.items():
        field = f"kidney.{key}"
        if key not in KIDNEY_FIELDS:
            raise _unknown_field(key, KIDNEY_FIELDS, prefix="kidney.")
        if raw is None:
            continue
        if key in ("crcl_ml_min", "egfr_ml_min_1_73m2"):
            parsed[key] = _clearance(raw, field)
        elif key in ("serum_creatinine_mg_dl", "serum_creatinine_umol_l"):
            if "serum_creatinine_mg_dl" in parsed:
                raise InputError(
                    field, "give serum creatinine once (in mg/dL or in µmol/L), not both"
                )
            default = "mg/dl" if key == "serum_creatinine_mg_dl" else "umol/l"
            parsed["serum_creatinine_mg_dl"] = _creatinine(raw, field, default)
        else:
            parsed[key] = _bool(field, raw)
    return make(Kidney, parsed)


def _remembered(parse: Callable[[object], float]) -> Callable[[object], float]:
    """A quantity reader remembered per written value ('82 kg', 58): people write the same
    few. Keyed by type too (`True == 1`, and true is refused); errors are not remembered."""
    memo: dict[tuple[type, object], float] = {}

    def read(value: object) -> float:
        kind = type(value)
        if kind not in (str, int, float):
            return parse(value)
        found = memo.get((kind, value))
        if found is None:
            found = parse(value)
            if len(memo) >= QUANTITY_MEMO_SIZE:
                memo.clear()
            memo[(kind, value)] = found
        return found

    return read


QUANTITY_MEMO_SIZE = 4096


def _remembered_as(parse: Callable[..., float]) -> Callable[..., float]:
    """`_remembered` for a reader that also takes the field's name (and its default unit):
    kidney values ('1.1', '97 µmol/L', 45) recur as often as weights."""
    memo: dict[tuple[object, ...], float] = {}

    def read(value: object, *field: str) -> float:
        kind = type(value)
        if kind not in (str, int, float):
            return parse(value, *field)
        key = (kind, value, *field)
        found = memo.get(key)
        if found is None:
            found = parse(value, *field)
            if len(memo) >= QUANTITY_MEMO_SIZE:
                memo.clear()
            memo[key] = found
        return found

    return read


_clearance = _remembered_as(units.clearance_ml_min)
_creatinine = _remembered_as(units.creatinine_mg_dl)

_PARSERS: Mapping[str, Callable[[object], object]] = {
    "age_years": _remembered(units.age_years),
    "weight_kg": _remembered(units.weight_kg),
    "height_cm": _remembered(units.height_cm),
    "sex": _sex,
    "indication": lambda v: _text("indication", v),
    "kidney": _kidney,
}


def parse_profile(raw: Mapping[str, Any]) -> Profile:
    """Check and normalise a raw profile; raises `InputError(field, message)` on any problem.

    A `null` value means the same as leaving the field out. A `drug` key is accepted and
    ignored here (it names the medicine to check, not a fact about the person).
    """
    if type(raw) is not dict and not isinstance(raw, Mapping):
        raise InputError("profile", f"expected an object, got {type(raw).__name__}")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if not isinstance(key, str):
            raise InputError(str(key), "field names must be text")
        if key in PASS_THROUGH_FIELDS:
            continue
        if key not in _PROFILE_FIELD_SET:
            raise _unknown_field(key, PROFILE_FIELDS)
        if value is None:
            continue
        if key in _LIST_FIELD_SET:
            values[key] = _text_list(key, value)
        elif key in _BOOL_FIELDS:
            values[key] = _bool(key, value)
        elif key in _DATE_FIELDS:
            values[key] = _date(key, value)
        else:
            values[key] = _PARSERS[key](value)
    return make(Profile, values)
