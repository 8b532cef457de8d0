"""Kidney function as a creatinine clearance, because labels state kidney thresholds in CrCl.

Order of preference, most direct first:
1. a measured creatinine clearance (`crcl_ml_min`);
2. from serum creatinine: Cockcroft–Gault for adults only (it was derived in adults), with the
   weight chosen by the usual rule — actual weight at or below ideal body weight (Devine),
   ideal weight up to 120 % of it, and above that (obesity) the adjusted weight IBW + 0.4 ×
   (actual − IBW); the weight used is stated. Without a height the ideal weight is unknown, so
   the estimate is a range (from the ideal weight of a short adult up to the actual weight) and
   a threshold inside that range is undecided, asking for `height_cm`. In obesity the ideal-
   and adjusted-weight estimates are both computed and a threshold between them is undecided.
   Children (1–17 years): the bedside Schwartz formula, eGFR = 0.413 × height (cm) / SCr
   (mg/dL), which needs the height; under 1 year no bedside estimate is validated;
3. eGFR (mL/min/1.73 m²) taken as an estimate of CrCl: it is what laboratories report, and in
   the severe range that kidney rules care about (< 30) the two agree closely enough for an
   interval decision; the method is reported so a reader can see which number was used;
4. the `severe_kidney_disease` flag, or a condition that means it (end-stage kidney disease,
   dialysis, CKD stage 4–5: read with the condition concepts), alone.

Facts that contradict each other — a clearance of 30 mL/min or more beside "on dialysis" or
`severe_kidney_disease: true`, or the flag false beside such a condition — are not resolved by
picking one: the assessment is unknown and names both, so the interval is `cannot-decide`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from druginfo.engine.conditions import reader
from druginfo.model import Profile

Method = Literal[
    "measured crcl", "egfr", "cockcroft-gault", "schwartz", "flag", "conflict", "unknown"
]
SEVERE_CONCEPT = "severe-kidney-disease"
# What "severe kidney disease" means in numbers (CKD stages 4–5: GFR below 30).
SEVERE_BELOW_ML_MIN = 30.0
ADULT_YEARS = 18.0
SCHWARTZ_K = 0.413
SCHWARTZ_MIN_YEARS = 1.0
OBESE_RATIO = 1.2
ADJUSTED_FACTOR = 0.4
# The ideal body weight of a short adult (150 cm): the lowest weight Cockcroft–Gault could use
# when no height is given.
SHORT_ADULT_CM = 150.0


@dataclass(frozen=True)
class KidneyAssessment:
    """What is known of the kidneys: a clearance (or a range of estimates), a flag, or what is
    missing or contradictory."""

    crcl_ml_min: float | None
    method: Method
    severe: bool | None = None
    missing: tuple[str, ...] = field(default=())
    note: str = ""
    # Lowest estimate when the weight to use is uncertain (no height; obesity).
    crcl_low_ml_min: float | None = None

    @property
    def known(self) -> bool:
        return self.crcl_ml_min is not None or self.severe is not None

    def below(self, threshold_ml_min: float) -> bool | None:
        """Whether clearance is below a threshold; None when it cannot be told."""
        if self.severe:
            return True
        if self.crcl_ml_min is not None:
            if self.crcl_ml_min < threshold_ml_min:
                return True
            low = self.crcl_low_ml_min
            if low is not None and low < threshold_ml_min:
                return None
            return False
        if self.severe is False:
            return False
        return None


def cockcroft_gault(age_years: float, weight_kg: float, sex: str, scr_mg_dl: float) -> float:
    """CrCl (mL/min) = (140 − age) × weight / (72 × SCr), × 0.85 for women."""
    crcl = max(140.0 - age_years, 0.0) * weight_kg / (72.0 * scr_mg_dl)
    if sex == "female":
        crcl *= 0.85
    return round(crcl, 1)


def ideal_body_weight(height_cm: float, sex: str) -> float:
    """Devine: 50 kg (men) or 45.5 kg (women) + 2.3 kg per inch over 5 feet."""
    inches_over = max(height_cm / 2.54 - 60.0, 0.0)
    return round((50.0 if sex == "male" else 45.5) + 2.3 * inches_over, 1)


def bedside_schwartz(height_cm: float, scr_mg_dl: float) -> float:
    return round(SCHWARTZ_K * height_cm / scr_mg_dl, 1)


def _dosing_weight(actual: float, ibw: float) -> tuple[float, str]:
    if actual <= ibw:
        return actual, f"actual weight {actual:g} kg (at or below ideal {ibw:g} kg)"
    if actual <= OBESE_RATIO * ibw:
        return ibw, f"ideal body weight {ibw:g} kg (actual {actual:g} kg)"
    adjusted = round(ibw + ADJUSTED_FACTOR * (actual - ibw), 1)
    return adjusted, (
        f"adjusted body weight {adjusted:g} kg (actual {actual:g} kg is over 120 % of the "
        f"ideal {ibw:g} kg)"
    )


def _severe_conditions(profile: Profile) -> list[str]:
    read = reader()
    return [
        m.line
        for line in profile.conditions
        for m in read.read(line)
        if m.status == "present" and read.is_a(m.concept, [SEVERE_CONCEPT])
    ]


def _from_creatinine(profile: Profile, scr: float) -> KidneyAssessment:
    age = profile.age_years
    if age is None:
        return KidneyAssessment(
            None, "unknown", missing=("age_years",), note="serum creatinine needs the age"
        )
    if age < ADULT_YEARS:
        if age < SCHWARTZ_MIN_YEARS:
            return KidneyAssessment(
                None,
                "unknown",
                missing=("kidney.crcl_ml_min",),
                note=(
                    "no bedside estimate from creatinine is validated under 1 year of age "
                    "(Cockcroft–Gault is for adults); give a measured clearance"
                ),
            )
        if profile.height_cm is None:
            return KidneyAssessment(
                None,
                "unknown",
                missing=("height_cm",),
                note=(
                    "a child's kidney function is estimated with the bedside Schwartz formula, "
                    "which needs the height (Cockcroft–Gault is for adults)"
                ),
            )
        egfr = bedside_schwartz(profile.height_cm, scr)
        return KidneyAssessment(
            egfr,
            "schwartz",
            note=(
                f"bedside Schwartz: 0.413 × height {profile.height_cm:g} cm / creatinine "
                f"{scr:g} mg/dL"
            ),
        )
    missing = tuple(
        name
        for name, value in (("weight_kg", profile.weight_kg), ("sex", profile.sex))
        if value is None
    )
    if missing:
        return KidneyAssessment(
            None,
            "unknown",
            missing=missing,
            note="serum creatinine needs age, weight and sex for the Cockcroft–Gault estimate",
        )
    assert profile.weight_kg is not None and profile.sex is not None
    actual = profile.weight_kg
    sex = profile.sex
    base = f"Cockcroft–Gault from serum creatinine {scr:g} mg/dL, age {age:g}, {sex}"
    if profile.height_cm is not None:
        ibw = ideal_body_weight(profile.height_cm, sex)
        weight, how = _dosing_weight(actual, ibw)
        crcl = cockcroft_gault(age, weight, sex, scr)
        low = None
        if weight != ibw and actual > OBESE_RATIO * ibw:
            low = cockcroft_gault(age, ibw, sex, scr)
            how += f"; on the ideal weight it would be {low:g} mL/min"
        return KidneyAssessment(crcl, "cockcroft-gault", note=f"{base}, {how}", crcl_low_ml_min=low)
    crcl = cockcroft_gault(age, actual, sex, scr)
    shortest = ideal_body_weight(SHORT_ADULT_CM, sex)
    low = cockcroft_gault(age, min(actual, shortest), sex, scr)
    return KidneyAssessment(
        crcl,
        "cockcroft-gault",
        missing=("height_cm",),
        note=(
            f"{base}, actual weight {actual:g} kg (no height given, so the ideal weight is "
            f"unknown: the estimate could be as low as {low:g} mL/min)"
        ),
        crcl_low_ml_min=low if low < crcl else None,
    )


def _numbers(profile: Profile) -> KidneyAssessment | None:
    k = profile.kidney
    if k is None:
        return None
    if k.crcl_ml_min is not None:
        return KidneyAssessment(k.crcl_ml_min, "measured crcl", note="measured clearance")
    if k.serum_creatinine_mg_dl is not None:
        from_scr = _from_creatinine(profile, k.serum_creatinine_mg_dl)
        if from_scr.crcl_ml_min is not None or k.egfr_ml_min_1_73m2 is None:
            return from_scr
    if k.egfr_ml_min_1_73m2 is not None:
        return KidneyAssessment(
            k.egfr_ml_min_1_73m2, "egfr", note="eGFR used as an estimate of creatinine clearance"
        )
    return None


def _conflict(what: str, other: str) -> KidneyAssessment:
    return KidneyAssessment(
        None,
        "conflict",
        missing=("kidney",),
        note=f"the profile contradicts itself: {what}, but {other}; correct the one that is wrong",
    )


def kidney_function(profile: Profile) -> KidneyAssessment:
    """The assessment, remembered by the values it is made from (a check asks for it from
    dosing, screening and the leaflet's rules alike)."""
    k = profile.kidney
    key = (
        tuple(k.__dict__.items()) if k is not None else None,
        profile.age_years,
        profile.weight_kg,
        profile.height_cm,
        profile.sex,
        tuple(profile.conditions),
    )
    found = _ASSESSED.get(key)
    if found is None:
        found = _kidney_function(profile)
        if len(_ASSESSED) >= ASSESSED_SIZE:
            _ASSESSED.clear()
        _ASSESSED[key] = found
    return found


# Assessments by every profile value they are made from (the kidney object's fields, age,
# weight, height, sex and conditions): `_kidney_function` reads nothing else.
ASSESSED_SIZE = 4096
_ASSESSED: dict[tuple[object, ...], KidneyAssessment] = {}


def _kidney_function(profile: Profile) -> KidneyAssessment:
    k = profile.kidney
    flag = k.severe_kidney_disease if k is not None else None
    said = _severe_conditions(profile)
    numbers = _numbers(profile)
    if flag is False and said:
        return _conflict("'severe_kidney_disease' is false", f"the conditions say {said[0]!r}")
    severe_said = "severe_kidney_disease is true" if flag else (f"{said[0]!r}" if said else None)
    if numbers is not None and numbers.crcl_ml_min is not None:
        if severe_said is not None and numbers.crcl_ml_min >= SEVERE_BELOW_ML_MIN:
            return _conflict(
                f"{severe_said} (a clearance below {SEVERE_BELOW_ML_MIN:g} mL/min)",
                f"the {numbers.method} value is {numbers.crcl_ml_min:g} mL/min",
            )
        if severe_said is not None:
            return KidneyAssessment(
                numbers.crcl_ml_min,
                numbers.method,
                severe=True,
                note=f"{numbers.note}; {severe_said}",
                crcl_low_ml_min=numbers.crcl_low_ml_min,
            )
        return numbers
    if severe_said is not None:
        return KidneyAssessment(
            None, "flag", severe=True, note=f"severe kidney disease ({severe_said})"
        )
    if flag is False:
        return KidneyAssessment(None, "flag", severe=False, note="no severe kidney disease")
    if numbers is not None:
        return numbers
    return KidneyAssessment(None, "unknown", missing=("kidney",), note="no kidney data given")
