"""Records the store keeps beside monographs: interaction pairs, classes, search hits, diary."""

import datetime as dt
from typing import Literal

from pydantic import Field

from druginfo.model.base import BaseModel

InteractionLevel = Literal["major", "moderate", "minor", "unknown"]


class InteractionPair(BaseModel):
    """One drug-drug interaction from an interaction table (e.g. DDInter)."""

    drug_a: str = Field(description="Lower-case generic name.")
    drug_b: str
    level: InteractionLevel
    source: str = Field(description="Source id, e.g. 'ddinter'.")
    source_ids: list[str] = Field(default_factory=list, description="Ids in the source table.")


class ClassEntry(BaseModel):
    """A classification code (e.g. WHO ATC) and, for leaf codes, the substance it names."""

    system: str = Field(description="e.g. 'atc'.")
    code: str
    name: str
    parent: str | None = None


class DrugSummary(BaseModel):
    key: str
    name: str = Field(description="Display name, e.g. 'Kineret (anakinra)'.")
    generic: str
    brands: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    curated: bool = False


class SearchHit(BaseModel):
    key: str
    name: str
    language: str = "en"
    section: str | None = None
    snippet: str | None = None
    score: float = 0.0
    match: Literal["name", "text"] = "text"


class DiaryEntry(BaseModel):
    id: int | str | None = None  # random text ids for private entries (store.private)
    drug: str
    reaction: str = Field(min_length=1, max_length=2000)
    started: dt.date
    severity: Literal["mild", "moderate", "severe", "life-threatening"]
    outcome: str | None = Field(default=None, max_length=2000)
    created: dt.datetime | None = None


class Feedback(BaseModel):
    id: int | None = None
    page: str = Field(max_length=500)
    helpful: bool | None = None
    text: str | None = Field(default=None, max_length=5000)
    created: dt.datetime | None = None
