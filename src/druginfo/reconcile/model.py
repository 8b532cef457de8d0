"""The reconciliation report: findings per aligned fact, the sources they rest on, editor notes.

Every finding keeps the facts and quotes it rests on, with each source's date, so a reader can
check the verdict against the words; nothing is merged into a single "answer".

The JSON of `druginfo reconcile NAME --json` and `GET /api/reconcile/{name}`:

    {"drug": "anakinra", "as_of": "2026-11-29",
     "sources": [{"id": "S1", "documents": ["medicinenet", "page:medicinenet-anakinra"],
                  "publisher": "MedicineNet", "title": "...", "brands": ["Kineret"],
                  "kind": "label | leaflet | publisher | curated", "date": "2014-12-15",
                  "language": "en", "stale": true, "why_stale": "..."}],
     "findings": [{"id": "missed-dose", "topic": "missed-dose", "subject": "missed dose",
                   "status": "agree | conflict | only-one-source | new-stale | error",
                   "summary": "...", "confidence": 0.8, "sources": ["S2", "S4"],
                   "missing_from": [], "newer": null, "older": null, "notes": [0],
                   "facts": [{"source": "S2", "date": "2015-05-26", "value": "...",
                              "quote": "...", "section": "...", "claim": "...",
                              "population_stated": true, "repeats": 0,
                              "fact": {CONTRACT "Facts" fact}}],
                   "differences": [{"kind": "conflict | error | changed",
                                    "sources": ["S2", "S4"], "reason": "...",
                                    "confidence": 0.8}]}],
     "notes": [{"topic": "missed-dose", "note": "...", "claims": ["..."],
                "quotes": [{"claim": "...", "source": "S2", "quote": "..."}],
                "findings": ["missed-dose"]}],
     "unread": []}
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

Status = Literal["agree", "conflict", "only-one-source", "new-stale", "error"]
STATUSES: tuple[Status, ...] = ("error", "conflict", "new-stale", "only-one-source", "agree")


class ReportSource(BaseModel):
    """One document (two copies of one document, e.g. curated quotes of a leaflet that is also
    ingested, are one source and list both ids in `documents`)."""

    id: str = Field(description="S1, S2, ... in order of first appearance.")
    documents: list[str] = Field(
        description="Ids of the documents (FactDocument.id) it stands for."
    )
    publisher: str
    title: str
    brands: list[str] = Field(default_factory=list)
    kind: str
    date: dt.date | None = None
    language: str = "en"
    stale: bool = False
    why_stale: str | None = None


class FindingFact(BaseModel):
    """One side of a finding: what one source says, normalised and in its own words."""

    source: str = Field(description="ReportSource id.")
    date: dt.date | None = None
    value: str = Field(description="The normalised value in words, e.g. '2–8 °C'.")
    quote: str
    section: str | None = None
    claim: str | None = None
    population_stated: bool = True
    repeats: int = Field(
        default=0, description="How many more statements of this source say the same value."
    )
    fact: dict[str, object] = Field(description="The fact in CONTRACT's Facts shape.")


class Difference(BaseModel):
    """Why two sources disagree (or one contradicts reference data)."""

    kind: Literal["conflict", "error", "changed"]
    sources: list[str]
    reason: str
    confidence: float


class Finding(BaseModel):
    id: str = Field(description="Stable within a report: the alignment key as a slug.")
    topic: str
    subject: str = Field(
        description="What is compared, in words: 'adult dose (rheumatoid arthritis)'."
    )
    status: Status
    summary: str
    confidence: float = Field(ge=0, le=1)
    sources: list[str]
    missing_from: list[str] = Field(
        default_factory=list, description="Sources covering the topic that do not state this."
    )
    facts: list[FindingFact]
    differences: list[Difference] = Field(default_factory=list)
    newer: dt.date | None = Field(default=None, description="new-stale: the newer side's date.")
    older: dt.date | None = Field(default=None, description="new-stale: the older side's date.")
    notes: list[int] = Field(default_factory=list, description="Indexes of related editor notes.")


class NoteQuote(BaseModel):
    claim: str
    source: str | None = None
    quote: str


class EditorNote(BaseModel):
    """A disagreement a curator recorded by hand; shown beside the computed findings."""

    topic: str
    note: str
    claims: list[str]
    quotes: list[NoteQuote] = Field(default_factory=list)
    findings: list[str] = Field(default_factory=list, description="Related computed findings.")


class ReconcileReport(BaseModel):
    drug: str
    as_of: dt.date
    sources: list[ReportSource]
    findings: list[Finding]
    notes: list[EditorNote] = Field(default_factory=list)
    unread: list[str] = Field(
        default_factory=list, description="Documents whose facts could not be read, and why."
    )

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {s: 0 for s in STATUSES}
        for f in self.findings:
            out[f.status] += 1
        return out

    def of_status(self, *statuses: Status) -> list[Finding]:
        return [f for f in self.findings if f.status in statuses]
