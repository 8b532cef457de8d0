"""Kidney function as a creatinine clearance, because labels state kidney thresholds in CrCl.

Order of preference, most direct first:
1. a measured creatinine clearance (`crcl_ml_min`);
2. Cockcroft–Gault from serum creatinine, age, weight and sex — the estimate the labels'
   thresholds were derived with;
3. eGFR (mL/min/1.73 m²) taken as an estimate of CrCl: it is what laboratories report, and in
   the severe range that kidney rules care about (< 30) the two agree closely enough for an
   interval decision; the method is reported so a reader can see which number was used;
4. the `severe_kidney_disease` flag alone: true counts as below every threshold, false with no
   numbers counts as not severe.

`severe_kidney_disease: true` always wins over a number: if a clinician says the kidney disease
is severe, a higher estimate does not make the longer interval unsafe, while ignoring the flag
could.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from druginfo.model import Profile

Method = Literal["measured crcl", "egfr", "cockcroft-gault", "flag", "unknown"]


@dataclass(frozen=True)
class KidneyAssessment:
    """What is known of the kidneys: a clearance, or a flag, or what is missing to know."""

    crcl_ml_min: float | None
    method: Method
    severe: bool | None = None
    missing: tuple[str, ...] = field(default=())
    note: str = ""

    @property
    def known(self) -> bool:
        return self.crcl_ml_min is not None or self.severe is not None

    def below(self, threshold_ml_min: float) -> bool | None:
        """Whether clearance is below a threshold; None when it cannot be told."""
        if self.severe:
            return True
        if self.crcl_ml_min is not None:
            return self.crcl_ml_min < threshold_ml_min
        if self.severe is False:
            return False
        return None


def cockcroft_gault(age_years: float, weight_kg: float, sex: str, scr_mg_dl: float) -> float:
    """CrCl (mL/min) = (140 − age) × weight / (72 × SCr), × 0.85 for women."""
    crcl = max(140.0 - age_years, 0.0) * weight_kg / (72.0 * scr_mg_dl)
    if sex == "female":
        crcl *= 0.85
    return round(crcl, 1)


def kidney_function(profile: Profile) -> KidneyAssessment:
    k = profile.kidney
    if k is None:
        return KidneyAssessment(None, "unknown", missing=("kidney",), note="no kidney data given")
    severe_flag = k.severe_kidney_disease
    flagged_severe = True if severe_flag else None
    if k.crcl_ml_min is not None:
        return KidneyAssessment(
            k.crcl_ml_min, "measured crcl", severe=flagged_severe, note="measured clearance"
        )
    missing_cg: tuple[str, ...] = ()
    if k.serum_creatinine_mg_dl is not None:
        missing_cg = tuple(
            name
            for name, value in (
                ("age_years", profile.age_years),
                ("weight_kg", profile.weight_kg),
                ("sex", profile.sex),
            )
            if value is None
        )
        if not missing_cg:
            assert profile.age_years is not None and profile.weight_kg is not None
            assert profile.sex is not None
            crcl = cockcroft_gault(
                profile.age_years, profile.weight_kg, profile.sex, k.serum_creatinine_mg_dl
            )
            return KidneyAssessment(
                crcl,
                "cockcroft-gault",
                severe=flagged_severe,
                note=(
                    f"Cockcroft–Gault from serum creatinine {k.serum_creatinine_mg_dl:g} mg/dL, "
                    f"age {profile.age_years:g}, weight {profile.weight_kg:g} kg, {profile.sex}"
                ),
            )
    if k.egfr_ml_min_1_73m2 is not None:
        return KidneyAssessment(
            k.egfr_ml_min_1_73m2,
            "egfr",
            severe=flagged_severe,
            note="eGFR used as an estimate of creatinine clearance",
        )
    if severe_flag is not None:
        return KidneyAssessment(
            None,
            "flag",
            severe=severe_flag,
            note="severe kidney disease" if severe_flag else "no severe kidney disease",
        )
    if missing_cg:
        return KidneyAssessment(
            None,
            "unknown",
            missing=missing_cg,
            note="serum creatinine needs age, weight and sex for the Cockcroft–Gault estimate",
        )
    return KidneyAssessment(None, "unknown", missing=("kidney",), note="no kidney data given")
