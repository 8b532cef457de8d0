"""The answers druginfo gives: shapes fixed by CONTRACT.md ("Check result").

Engine code works with claim ids; `sources` maps short citation keys (S1, S2, ...) to the
quoted evidence so that every interface shows the same citations.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from druginfo.model.monograph import AlertKind, Severity

Decision = Literal["ok", "caution", "do-not-use", "cannot-decide"]


class DrugRef(BaseModel):
    generic: str
    brands: list[str] = Field(default_factory=list)


class SourceRef(BaseModel):
    publisher: str
    document: str
    quote: str
    reviewed: dt.date | None = None
    kind: str | None = None
    url: str | None = None
    topic: str | None = None
    claim: str | None = Field(default=None, description="Claim id inside the monograph.")


class Regimen(BaseModel):
    dose_mg: float | None = None
    every_hours: int | None = None
    volume_ml: float | None = None
    delivered_dose_mg: float | None = Field(
        default=None,
        description="What `volume_ml` actually delivers (the volume is rounded to what can be "
        "measured, 0.01 mL); differs from dose_mg by that rounding, stated in the notes.",
    )
    duration_days: int | None = Field(
        default=None, description="A fixed course (e.g. 10 days), when the label gives one."
    )
    route: str | None = None
    max_dose_mg_per_kg_day: float | None = None
    max_dose_mg: float | None = None
    dose_range_mg: list[float] | None = None
    indication: str | None = None
    notes: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)


class Alert(BaseModel):
    kind: AlertKind
    trigger: str
    severity: Severity
    title: str
    detail: str
    matched: str | None = None
    field: str | None = Field(default=None, description="Profile field, for cannot-decide.")
    sources: list[str] = Field(default_factory=list)
    blocking: bool = Field(
        default=False, description="A label 'do not use' that fired: the decision is do-not-use."
    )
    avoid: str | None = Field(
        default=None,
        description="What to avoid when the label's 'must not' is about another thing (e.g. "
        "'MMR (live vaccine)', 'Enbrel (etanercept)'): this medicine itself is not ruled out.",
    )
    avoid_kind: Literal["vaccine", "medication"] | None = Field(
        default=None,
        description="vaccine: skip the vaccine, this medicine stays usable (decision caution); "
        "medication: the combination is ruled out (decision do-not-use until one is stopped).",
    )


class MonitoringItem(BaseModel):
    test: str
    due: dt.date
    why: str
    sources: list[str] = Field(default_factory=list)


class CheckResult(BaseModel):
    drug: DrugRef
    decision: Decision
    regimen: Regimen | None = None
    alerts: list[Alert] = Field(default_factory=list)
    monitoring: list[MonitoringItem] = Field(default_factory=list)
    sources: dict[str, SourceRef] = Field(default_factory=dict)
    avoid: list[str] = Field(
        default_factory=list,
        description="Things to avoid (not this medicine): a planned live vaccine, a medicine "
        "not to combine. Separate from `decision`, which is about this medicine.",
    )


class AdviceStep(BaseModel):
    text: str
    sources: list[str] = Field(default_factory=list)


class AdviceResult(BaseModel):
    drug: DrugRef
    event: str
    urgency: str
    steps: list[AdviceStep]
    alerts: list[Alert] = Field(default_factory=list)
    sources: dict[str, SourceRef] = Field(default_factory=dict)
