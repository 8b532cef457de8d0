"""HTML form fields to profiles, diary entries and feedback, with errors keyed by form field.

The engine owns plausibility (it raises `InputError` naming a profile field); this module only
turns strings into the raw profile the engine reads, refuses what is not a number or a date,
and maps the engine's field names back onto the input a person has to fix.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from druginfo.model import DiaryEntry, Feedback

PLAN_FIELDS: tuple[str, ...] = (
    "drug",
    "age_years",
    "weight",
    "weight_unit",
    "sex",
    "indication",
    "indication_other",
    "kidney_severe",
    "crcl_ml_min",
    "egfr_ml_min_1_73m2",
    "serum_creatinine_mg_dl",
    "pregnant",
    "breastfeeding",
    "conditions",
    "allergies",
    "medications",
    "planned_vaccines",
    "planned_surgery_date",
    "start_date",
    "height_cm",
    "weight_confirmed",
)

KIDNEY_NUMBERS: tuple[str, ...] = ("crcl_ml_min", "egfr_ml_min_1_73m2", "serum_creatinine_mg_dl")
LIST_FIELDS: tuple[str, ...] = ("conditions", "allergies", "medications", "planned_vaccines")
WEIGHT_UNITS: tuple[str, ...] = ("kg", "lb")


class FormErrors(Exception):
    """Every problem of one submission at once, so a person fixes them in one pass."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class PlanInput:
    drug: str
    profile: dict[str, Any]
    values: dict[str, str] = field(default_factory=dict)


def form_values(data: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, str]:
    """The submitted strings, trimmed, for re-display; unknown keys are dropped.

    Nothing is cut short here: a too-long value is an error for the validator to report.
    """
    values: dict[str, str] = {}
    for name in names:
        raw = data.get(name)
        if raw is None:
            continue
        text = str(raw).strip()
        if text:
            values[name] = text
    return values


def _number(text: str) -> float:
    cleaned = text.strip().replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    value = float(cleaned)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text.strip())


def split_list(text: str) -> list[str]:
    """Comma-, semicolon- or line-separated entries, as people type lists in one box."""
    return [item.strip() for item in re.split(r"[,;\n]+", text) if item.strip()]


def parse_plan(data: Mapping[str, Any]) -> PlanInput:
    """Form (or query) fields to (drug, raw profile); raises FormErrors keyed by form field."""
    values = form_values(data, PLAN_FIELDS)
    errors: dict[str, str] = {}
    profile: dict[str, Any] = {}

    drug = values.get("drug", "")
    if not drug:
        errors["drug"] = "Choose the medicine to check."

    if "age_years" in values:
        try:
            age = _number(values["age_years"])
            if age < 0:
                errors["age_years"] = "Age cannot be negative."
            else:
                profile["age_years"] = age
        except ValueError:
            errors["age_years"] = "Enter the age as a number of years, for example 34 or 0.5."

    if "weight" in values:
        unit = values.get("weight_unit", "kg")
        if unit not in WEIGHT_UNITS:
            errors["weight"] = "Choose kg or lb for the weight."
        else:
            try:
                weight = _number(values["weight"])
                if weight <= 0:
                    errors["weight"] = "Weight must be more than 0."
                else:
                    # The engine converts units, so a unit string is passed on unchanged.
                    profile["weight_kg"] = f"{weight:g} {unit}"
            except ValueError:
                errors["weight"] = "Enter the weight as a number, for example 20."

    if "height_cm" in values:
        try:
            height = _number(values["height_cm"])
            if height <= 0:
                errors["height_cm"] = "Height must be more than 0."
            else:
                profile["height_cm"] = height
        except ValueError:
            errors["height_cm"] = "Enter the height in cm as a number, for example 120."
    if values.get("weight_confirmed") == "yes":
        profile["weight_confirmed"] = True

    if values.get("sex") in ("female", "male"):
        profile["sex"] = values["sex"]
    elif "sex" in values:
        errors["sex"] = "Choose female or male, or leave it empty."

    indication = values.get("indication_other") or values.get("indication")
    if indication:
        profile["indication"] = indication

    kidney: dict[str, Any] = {}
    severe = values.get("kidney_severe", "unknown")
    if severe == "yes":
        kidney["severe_kidney_disease"] = True
    elif severe == "no":
        kidney["severe_kidney_disease"] = False
    elif severe != "unknown":
        errors["kidney_severe"] = "Choose yes, no or don't know."
    for name in KIDNEY_NUMBERS:
        if name in values:
            try:
                value = _number(values[name])
                if value <= 0:
                    errors[name] = "This must be more than 0."
                else:
                    kidney[name] = value
            except ValueError:
                errors[name] = "Enter a number, or leave it empty."
    if kidney:
        profile["kidney"] = kidney

    for name in ("pregnant", "breastfeeding"):
        choice = values.get(name)
        if choice == "yes":
            profile[name] = True
        elif choice == "no":
            profile[name] = False
        elif choice not in (None, "unknown"):
            errors[name] = "Choose yes, no or don't know."

    for name in LIST_FIELDS:
        if name in values:
            profile[name] = split_list(values[name])

    for name in ("planned_surgery_date", "start_date"):
        if name in values:
            try:
                profile[name] = _date(values[name]).isoformat()
            except ValueError:
                errors[name] = "Enter a date like 2026-12-01."

    if errors:
        raise FormErrors(errors)
    return PlanInput(drug=drug, profile=profile, values=values)


def plan_field_for(profile_field: str) -> str:
    """The form input that holds an engine field ('kidney.crcl_ml_min', 'weight_kg', ...)."""
    name = re.sub(r"\[\d+\]", "", profile_field or "").strip()
    parts = name.split(".")
    head = parts[0]
    if head in ("weight_kg", "weight", "weight_confirmed"):
        return "weight"
    if head == "height_cm":
        return "height_cm"
    if head == "kidney":
        tail = parts[-1] if len(parts) > 1 else ""
        return tail if tail in KIDNEY_NUMBERS else "kidney_severe"
    if head in KIDNEY_NUMBERS:
        return head
    if head == "severe_kidney_disease":
        return "kidney_severe"
    if head in PLAN_FIELDS:
        return head
    if head == "profile":
        return ""
    return ""


DIARY_FIELDS: tuple[str, ...] = ("drug", "reaction", "started", "severity", "outcome")
SEVERITIES: tuple[str, ...] = ("mild", "moderate", "severe", "life-threatening")

_DIARY_MESSAGES = {
    "drug": "Name the medicine.",
    "reaction": "Describe what happened (up to 2000 characters).",
    "started": "Enter the date it started, like 2026-12-01.",
    "severity": "Choose how bad it was: " + ", ".join(SEVERITIES) + ".",
    "outcome": "Keep the outcome under 2000 characters.",
}


def parse_diary(data: Mapping[str, Any]) -> tuple[DiaryEntry, dict[str, str]]:
    """A validated diary entry (without id); raises FormErrors keyed by field."""
    values = form_values(data, DIARY_FIELDS)
    errors: dict[str, str] = {}
    if not values.get("drug"):
        errors["drug"] = _DIARY_MESSAGES["drug"]
    started = values.get("started")
    if started:
        try:
            if _date(started) > dt.date.today():
                errors["started"] = "The start date cannot be in the future."
        except ValueError:
            errors["started"] = _DIARY_MESSAGES["started"]
    try:
        entry = DiaryEntry(
            drug=values.get("drug", ""),
            reaction=values.get("reaction", ""),
            started=values.get("started", ""),
            severity=values.get("severity", ""),
            outcome=values.get("outcome") or None,
        )
    except ValidationError as exc:
        for err in exc.errors():
            loc = str(err["loc"][0]) if err["loc"] else "reaction"
            errors.setdefault(loc, _DIARY_MESSAGES.get(loc, str(err["msg"])))
        raise FormErrors(errors) from None
    if errors:
        raise FormErrors(errors)
    return entry, values


FEEDBACK_FIELDS: tuple[str, ...] = ("page", "helpful", "text")


def parse_feedback(data: Mapping[str, Any]) -> tuple[Feedback, dict[str, str]]:
    values = form_values(data, FEEDBACK_FIELDS)
    errors: dict[str, str] = {}
    page = values.get("page", "/")
    # Only pages of this site: the thank-you page links back to it.
    if not page.startswith("/") or page.startswith("//"):
        errors["page"] = "Feedback must be about a page of this site."
    helpful_raw = values.get("helpful")
    helpful: bool | None
    if helpful_raw == "yes":
        helpful = True
    elif helpful_raw == "no":
        helpful = False
    elif helpful_raw is None:
        helpful = None
    else:
        helpful = None
        errors["helpful"] = "Choose yes or no."
    text = values.get("text")
    if helpful is None and not text and "helpful" not in errors:
        errors["helpful"] = "Tell us whether the page helped, or write a comment."
    if text and len(text) > 5000:
        errors["text"] = "Keep the comment under 5000 characters."
    if errors:
        raise FormErrors(errors)
    return Feedback(page=page[:500], helpful=helpful, text=text or None), values
