"""The patient profile after parsing: canonical units, plausibility already enforced.

Raw input (JSON/YAML with unit strings such as "44 lb") is turned into this by
`druginfo.engine.profile.parse_profile`, which raises `InputError` naming the field.
"""

import datetime as dt
from typing import Literal

from pydantic import Field

from druginfo.model.base import BaseModel


class Kidney(BaseModel):
    crcl_ml_min: float | None = None
    egfr_ml_min_1_73m2: float | None = None
    serum_creatinine_mg_dl: float | None = None
    severe_kidney_disease: bool | None = None


class Profile(BaseModel):
    age_years: float | None = None
    weight_kg: float | None = None
    weight_confirmed: bool | None = Field(
        default=None,
        description="True once a weight outside the growth reference has been checked.",
    )
    height_cm: float | None = Field(
        default=None, description="Height in cm: bedside Schwartz for children, BMI bounds."
    )
    sex: Literal["female", "male"] | None = None
    pregnant: bool | None = None
    breastfeeding: bool | None = None
    indication: str | None = None
    conditions: list[str] = Field(default_factory=list)
    kidney: Kidney | None = None
    allergies: list[str] = Field(default_factory=list)
    medications: list[str] = Field(default_factory=list)
    planned_vaccines: list[str] = Field(default_factory=list)
    planned_surgery_date: dt.date | None = None
    start_date: dt.date | None = None
