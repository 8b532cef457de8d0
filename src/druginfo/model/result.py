"""The answers druginfo gives: shapes fixed by CONTRACT.md ("Check result").

Engine code works with claim ids; `sources` maps short citation keys (S1, S2, ...) to the
quoted evidence so that every interface shows the same citations.
"""

import datetime as dt
from typing import Literal

from pydantic import Field

from druginfo.model.base import BaseModel
from druginfo.model.monograph import AlertKind, Severity

Decision = Literal["ok", "caution", "do-not-use", "cannot-decide"]
# What an alert or a regimen rests on (CONTRACT "Provenance in check results"): rules a curator
# wrote, machine-read words of an official leaflet or label, an interaction table, or a rule
# about a whole drug class.
Basis = Literal["curated", "leaflet", "label", "table", "class"]


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


class ScheduledDose(BaseModel):
    """A dose given once on a given day before the repeated doses (a loading dose)."""

    day: int = Field(description="Days after the first dose (0: the first dose).")
    date: dt.date | None = Field(default=None, description="With the profile's start_date.")
    dose_mg: float | None = None
    volume_ml: float | None = None
    optional: bool = Field(
        default=False, description="The prescriber may give it; not a fixed part of the plan."
    )
    text: str = ""


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
    max_dose_mg: float | None = Field(default=None, description="Most per day.")
    max_dose_mg_per_dose: float | None = Field(
        default=None, description="Most per administration (e.g. one infusion every 4 weeks)."
    )
    max_mg_per_kg_dose: float | None = None
    dose_range_mg: list[float] | None = None
    indication: str | None = None
    schedule: Literal["repeated", "once", "as-needed"] = Field(
        default="repeated",
        description="repeated: every `every_hours`; once: a single dose (`every_hours` None); "
        "as-needed: when needed, at least `min_interval_hours` apart (`every_hours` None).",
    )
    min_interval_hours: int | None = None
    loading: list[ScheduledDose] = Field(
        default_factory=list, description="Doses given once before the repeated doses start."
    )
    starts_day: int | None = Field(
        default=None, description="Day (after the first loading dose) the repeated doses start."
    )
    notes: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    basis: Basis | None = Field(default=None, description="What the regimen rests on.")


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
    basis: Basis | None = Field(default=None, description="What the alert rests on.")
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


class NotScreened(BaseModel):
    """One thing the check could not look at, and how the person can make it count."""

    item: str = Field(description="The profile's own words, e.g. 'Zorblex 5 mg'.")
    field: str = Field(description="Profile field it came from, e.g. 'medications'.")
    reason: str
    fix: str


class Coverage(BaseModel):
    """What a check screened, and what it could not: no answer is 'ok' by omission."""

    screened: list[str] = Field(
        default_factory=list, description="e.g. ['allergies', 'conditions', '3 medicines']."
    )
    not_screened: list[NotScreened] = Field(default_factory=list)
    rules: list[str] = Field(
        default_factory=list,
        description="Which rule sets were applied, each with its basis, e.g. 'curated rules'.",
    )
    summary: str = ""


class ProductChoice(BaseModel):
    """Which product's document answered, when the name asked for was a brand."""

    asked: str
    shown: str = Field(description="Brand (or generic) whose document was used.")
    note: str | None = Field(
        default=None, description="Why another product's document was used, when it was."
    )
    alternatives: list[str] = Field(
        default_factory=list, description="Other documents of the same brand (e.g. children's)."
    )


class CheckResult(BaseModel):
    drug: DrugRef
    decision: Decision
    regimen: Regimen | None = None
    alerts: list[Alert] = Field(default_factory=list)
    monitoring: list[MonitoringItem] = Field(default_factory=list)
    sources: dict[str, SourceRef] = Field(default_factory=dict)
    coverage: Coverage | None = None
    product: ProductChoice | None = None
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
