"""Sources and claims: the evidence every clinical statement in druginfo rests on.

A claim is the smallest citable unit: the exact words of one source, filed under a topic.
Structured facts (dose rules, screening rules, ...) never stand alone; they point at claims.
"""

import datetime as dt
from enum import StrEnum

from pydantic import ConfigDict, Field

from druginfo.model.base import BaseModel


class SourceKind(StrEnum):
    """How authoritative a source is: official label > curated reference > publisher page."""

    label = "label"
    publisher = "publisher"
    curated = "curated"


class Topic(StrEnum):
    """What a claim is about; reconciliation aligns claims of different sources by topic."""

    identity = "identity"
    mechanism = "mechanism"
    indication = "indication"
    dosing = "dosing"
    kidney = "kidney"
    administration = "administration"
    self_injection = "self-injection"
    side_effect = "side-effect"
    serious_side_effect = "serious-side-effect"
    interaction = "interaction"
    vaccine = "vaccine"
    contraindication = "contraindication"
    warning = "warning"
    allergy = "allergy"
    infection = "infection"
    tuberculosis = "tuberculosis"
    surgery = "surgery"
    pregnancy = "pregnancy"
    breastfeeding = "breastfeeding"
    seniors = "seniors"
    children = "children"
    monitoring = "monitoring"
    storage = "storage"
    travel = "travel"
    missed_dose = "missed-dose"
    dropped_syringe = "dropped-syringe"
    overdose = "overdose"
    stopping = "stopping"
    call_doctor = "call-doctor"
    reporting = "reporting"
    effectiveness = "effectiveness"
    product = "product"
    cost = "cost"
    other = "other"


class Source(BaseModel):
    """One document: who published it, what it is called, and when it was last reviewed."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Stable id, unique within a monograph, e.g. 'healthline-anakinra'.")
    publisher: str
    document: str = Field(description="Title of the document.")
    kind: SourceKind
    url: str | None = None
    reference: str | None = Field(
        default=None, description="Citation for documents without a URL (label set id, file name)."
    )
    reviewed: dt.date | None = Field(default=None, description="Last reviewed or revised date.")
    language: str = "en"
    acknowledgement: str | None = Field(
        default=None, description="Text the licence asks us to show wherever the source is used."
    )


class Claim(BaseModel):
    """The exact quoted words of one source on one topic."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(
        description="Unique within a monograph, e.g. 'healthline-kidney-every-two-days'."
    )
    topic: Topic
    source: str = Field(description="Id of a Source of the same monograph.")
    quote: str = Field(min_length=1, description="Verbatim words of the source.")
    section: str | None = Field(default=None, description="Heading the quote stands under.")
