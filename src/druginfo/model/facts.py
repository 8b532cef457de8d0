"""Normalised facts: the common currency between documents, reconciliation and the check.

A fact is one quoted statement of one document reduced to comparable values (a dose in mg, an
interval in hours, a temperature range in °C, a stance). Facts are read by machine from any
document kind (leaflet, label, publisher page) or written by hand (curated); `FactDocument.kind`
and `Fact.basis` say which, so every consumer can state its provenance. The field names follow
`../shared/CONTRACT.md` ("Facts"); `with` and `class` are Python keywords, hence the aliases.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import ConfigDict, Field

from druginfo.model.base import BaseModel

FactTopic = Literal[
    "dose",
    "storage",
    "room-temperature",
    "missed-dose",
    "pregnancy",
    "breastfeeding",
    "interaction",
    "contraindication",
    "indication",
    "kidney",
    "allergy",
    "vaccine",
    "age-limit",
    # A condition the warnings section asks about ("Talk to your doctor before using X if you
    # have, or have had, tuberculosis"): strength caution, not a contraindication.
    "precaution",
]
DocumentKind = Literal["label", "leaflet", "publisher", "curated"]
Stance = Literal["must-not", "not-recommended", "if-clearly-needed", "can-use", "ask"]
MissedDoseAction = Literal["as-soon-as-remembered", "skip", "ask-prescriber"]
Strength = Literal["must-not", "avoid", "caution"]
DosePhase = Literal["loading", "maintenance"]


class Population(BaseModel):
    """Who a fact applies to; every bound is optional, upper bounds are exclusive."""

    model_config = ConfigDict(frozen=True)

    indication: str | None = None
    age_min_years: float | None = None
    age_max_years: float | None = None
    weight_min_kg: float | None = None
    weight_max_kg: float | None = None
    crcl_below_ml_min: float | None = Field(
        default=None, description="Kidney function band, e.g. a reduced dose below 30 mL/min."
    )
    with_medicine: str | None = Field(
        default=None, description="A co-medication that changes the dose (substance name)."
    )


class Fact(BaseModel):
    """One normalised statement. Only the fields of its topic are set; the rest stay None."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    topic: FactTopic
    # dose
    dose_mg: float | None = None
    dose_max_mg: float | None = Field(
        default=None, description="Upper end where the text gives a range ('20 to 90 mg')."
    )
    dose_mg_per_kg: float | None = None
    dose_mg_per_m2: float | None = None
    dose_units: float | None = Field(default=None, description="International units (insulins).")
    max_dose_mg: float | None = None
    every_hours: float | None = Field(
        default=None, description="Interval in hours: once a week = 168, every other week = 336."
    )
    times_per_day: float | None = None
    duration_days: float | None = Field(default=None, description="Course length ('for 10 days').")
    phase: DosePhase | None = None
    route: str | None = None
    population: Population | None = None
    # storage and room temperature
    temp_min_c: float | None = None
    temp_max_c: float | None = None
    max_days: float | None = Field(default=None, description="Time allowed out of the fridge.")
    # missed dose
    action: MissedDoseAction | None = None
    no_double: bool | None = None
    # pregnancy, breastfeeding
    stance: Stance | None = None
    # interaction (also vaccine)
    with_: str | None = Field(default=None, alias="with", description="Substance named.")
    class_: str | None = Field(default=None, alias="class", description="Vocabulary class id.")
    strength: Strength | None = None
    # contraindication, allergy, indication, age-limit
    condition: str | None = None
    allergy: str | None = None
    age_min_years: float | None = None
    age_max_years: float | None = None
    # optional detail (added for extraction; every field optional, None when not stated)
    dose_max_mg_per_kg: float | None = Field(
        default=None, description="Upper end of a mg/kg range."
    )
    dose_mg_per_m2_max: float | None = None
    dose_units_max: float | None = None
    max_dose_mg_per_kg: float | None = Field(
        default=None, description="A ceiling in mg/kg ('no more than 8 mg/kg a day')."
    )
    daily_total: bool | None = Field(
        default=None,
        description="The amount is for a whole day however it is split ('4 g a day', 'mg/kg/day').",
    )
    every_hours_max: float | None = Field(
        default=None, description="Upper end of an interval range ('every 4 to 6 hours')."
    )
    as_needed: bool | None = None
    skip_if_next_dose_near: bool | None = Field(
        default=None, description="Missed dose: skip it when the next one is almost due."
    )
    live: bool | None = Field(default=None, description="Vaccine: live (True) or not (False).")
    history: bool | None = Field(
        default=None, description="The condition is named as past ('a history of hepatitis B')."
    )
    basis: Literal["curated", "machine"] | None = Field(
        default=None, description="Written by a curator, or read by machine from the quote."
    )
    # provenance
    quote: str = Field(min_length=1, description="Verbatim words of the document.")
    section: str | None = None
    claim: str | None = Field(default=None, description="Id of the claim quoted, if any.")
    source: str | None = Field(default=None, description="Id of the Source within its monograph.")

    def as_contract(self) -> dict[str, object]:
        """The CONTRACT JSON: aliases (`with`, `class`) and only the fields that are set."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class FactDocument(BaseModel):
    """The document a fact set was read from; one source = one document."""

    model_config = ConfigDict(frozen=True)

    id: str
    medicine: str
    brands: list[str] = Field(default_factory=list)
    publisher: str
    title: str
    date: dt.date | None = None
    language: str = "en"
    kind: DocumentKind


class FactSet(BaseModel):
    """Every fact of one document, in document order."""

    document: FactDocument
    facts: list[Fact] = Field(default_factory=list)

    def of(self, topic: FactTopic) -> list[Fact]:
        return [f for f in self.facts if f.topic == topic]

    def as_contract(self) -> dict[str, object]:
        return {
            "document": self.document.model_dump(mode="json"),
            "facts": [f.as_contract() for f in self.facts],
        }


class FactsReport(BaseModel):
    """Every document's facts for one medicine (`druginfo facts`, `GET /api/facts/{name}`)."""

    medicine: str
    documents: list[FactSet] = Field(default_factory=list)

    def as_contract(self) -> dict[str, object]:
        return {"medicine": self.medicine, "documents": [d.as_contract() for d in self.documents]}
