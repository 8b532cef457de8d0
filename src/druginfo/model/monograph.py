"""The monograph: everything druginfo knows about one medicine, as data that cites its claims.

Rules (dosing, kidney, screening, monitoring) are structured so that the engine can interpret
them for any drug: a new medicine needs new data, not new code. Every structured fact lists the
ids of the claims it rests on; `Monograph` refuses to load if one of them is missing.
"""

import datetime as dt
import functools
from typing import Any, Literal, get_args

from pydantic import Field, model_validator

from druginfo.model.base import BaseModel
from druginfo.model.source import Claim, Source, Topic

Severity = Literal["high", "moderate", "low"]
AlertKind = Literal[
    "contraindication", "interaction", "warning", "dose-adjustment", "cannot-decide"
]

EVENTS: tuple[str, ...] = (
    "missed-dose",
    "dropped-syringe",
    "frozen",
    "left-out-of-fridge",
    "fever",
    "infection",
    "surgery",
    "vaccine",
    "pregnancy",
    "breastfeeding",
    "travel",
    "side-effect",
)


@functools.cache
def _model_fields_of(cls: type[BaseModel]) -> tuple[str, ...]:
    """Fields that can hold nested models: validation walks only these, since every stored
    monograph is re-validated when it is read and scalar fields cannot cite anything."""

    def holds_model(tp: Any) -> bool:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            return True
        return any(holds_model(arg) for arg in get_args(tp))

    return tuple(n for n, f in cls.model_fields.items() if holds_model(f.annotation))


class Cited(BaseModel):
    """Anything that must be backed by at least one claim."""

    claims: list[str] = Field(min_length=1, description="Ids of the claims this rests on.")


class Statement(Cited):
    """A plain-language sentence of ours, with the claims that justify it."""

    text: str


class Identity(BaseModel):
    generic: str = Field(description="International non-proprietary name, lower case.")
    brands: list[str] = Field(default_factory=list)
    substances: list[str] = Field(
        default_factory=list, description="Active substances (several for combinations)."
    )
    drug_class: str | None = None
    classes: list[str] = Field(
        default_factory=list, description="Vocabulary class ids, e.g. 'il1-blocker'."
    )
    atc: list[str] = Field(default_factory=list)
    identifiers: dict[str, str] = Field(
        default_factory=dict, description="e.g. {'DIN': '02245913', 'EU': 'EU/1/02/203'}."
    )
    statements: list[Statement] = Field(default_factory=list, description="What it is; mechanism.")


class Storage(Cited):
    temp_min_c: float | None = None
    temp_max_c: float | None = None
    freeze_ok: bool | None = None
    shake_ok: bool | None = None
    protect_from_light: bool | None = None
    room_temp_max_c: float | None = None
    room_temp_max_hours: float | None = None
    instructions: list[Statement] = Field(default_factory=list)


class Product(Cited):
    id: str
    name: str
    form: str = Field(description="e.g. 'prefilled syringe'.")
    route: str = "subcutaneous"
    strength_mg: float = Field(gt=0, description="Amount of drug in the whole container.")
    volume_ml: float | None = Field(
        default=None,
        gt=0,
        description="Volume of the whole container; None when the source does not give it (the "
        "product is listed, and a regimen using it has no volume and says why).",
    )
    graduation_mg: float | None = Field(
        default=None, gt=0, description="Smallest step a person can measure on the syringe."
    )
    min_measurable_mg: float | None = Field(
        default=None, gt=0, description="Smallest dose the container's markings allow."
    )
    measurable_ranges_mg: list[tuple[float, float]] = Field(
        default_factory=list,
        description="Doses the presentation can give, as [low, high] ranges in mg, as its "
        "label states them (Kineret: 'either 20 to 90 mg or 100 mg' → [[20, 90], [100, 100]]); "
        "empty: not stated.",
    )
    excipients: list[str] = Field(
        default_factory=list,
        description="The other ingredients (leaflet section 6): an allergy to one rules it out.",
    )
    single_use: bool = True
    storage: Storage | None = Field(
        default=None,
        description="This product's own storage, where products of one substance differ (e.g. "
        "how long each biosimilar may stay out of the refrigerator); None: the monograph's.",
    )

    @model_validator(mode="after")
    def _measures_within_container(self) -> "Product":
        """A mark or range beyond what the container holds is a data error, not a dose."""
        limits = [self.graduation_mg, self.min_measurable_mg]
        limits += [hi for _, hi in self.measurable_ranges_mg]
        if any(v is not None and v > self.strength_mg + 1e-9 for v in limits):
            raise ValueError(
                f"product {self.id!r}: a measurable dose exceeds its strength "
                f"({self.strength_mg} mg)"
            )
        return self


class Indication(Cited):
    id: str = Field(description="Slug, e.g. 'rheumatoid-arthritis'.")
    name: str
    synonyms: list[str] = Field(default_factory=list, description="Abbreviations, other names.")
    age_min_years: float | None = None
    age_max_years: float | None = Field(default=None, description="Exclusive upper bound.")
    approved_in: list[str] = Field(
        default_factory=list, description="Regions whose label lists it, e.g. ['US', 'EU']."
    )


Phase = Literal["loading", "maintenance"]
Schedule = Literal["repeated", "once", "as-needed"]


class DoseRule(Cited):
    """One regimen: for an indication, an age band and a weight band, a fixed or weight-based dose.

    `per-kg` rules need a weight; the engine never produces a dose above any cap of the rule:
    per day (`max_mg_per_kg_day` × weight, `max_dose_mg`) and per administration
    (`max_mg_per_kg_dose` × weight, `max_per_dose_mg`). A rule with a weight band needs a weight
    even for a fixed dose: without one the dose cannot be decided.

    Several rules can fit one person. Loading rules (`phase: loading`) are the first doses of
    the maintenance rule of the same band and are given with it. Two or more maintenance rules
    fitting the same person are alternatives: the engine lists them and decides nothing, unless
    exactly one is marked `usual` (cited to a source that says so), whose alternatives it
    lists in the notes.
    """

    id: str
    indication: str = Field(description="Indication id.")
    age_min_years: float | None = None
    age_max_years: float | None = Field(default=None, description="Exclusive upper bound.")
    weight_min_kg: float | None = Field(
        default=None, gt=0, description="Lower weight bound, inclusive ('15 kg or more')."
    )
    weight_min_exclusive: bool = Field(
        default=False, description="The lower bound is exclusive ('more than 40 kg')."
    )
    weight_max_kg: float | None = Field(
        default=None, gt=0, description="Upper weight bound, exclusive ('less than 30 kg')."
    )
    weight_max_inclusive: bool = Field(
        default=False,
        description="The upper bound is inclusive ('between 15 kg and 40 kg' beside 'more than "
        "40 kg').",
    )
    basis: Literal["fixed", "per-kg"]
    dose_mg: float | None = Field(default=None, gt=0, description="Fixed dose per administration.")
    start_mg_per_kg_min: float | None = Field(default=None, gt=0)
    start_mg_per_kg_max: float | None = Field(default=None, gt=0)
    max_mg_per_kg_day: float | None = Field(default=None, gt=0)
    max_dose_mg: float | None = Field(default=None, gt=0, description="Absolute cap per day.")
    max_mg_per_kg_dose: float | None = Field(
        default=None, gt=0, description="Cap per administration, per kg of body weight."
    )
    max_per_dose_mg: float | None = Field(
        default=None,
        gt=0,
        description="Absolute cap per administration ('up to a maximum of 300 mg' for one "
        "injection every 4 weeks), as opposed to `max_dose_mg` per day.",
    )
    every_hours: int = Field(default=24, gt=0)
    duration_days: int | None = Field(
        default=None, gt=0, description="A fixed course (e.g. COVID-19: 10 days); None: ongoing."
    )
    schedule: Schedule = Field(
        default="repeated",
        description="repeated: every `every_hours`; once: a single dose (a repeat only as its "
        "notes say); as-needed: at the time of need, at least `min_interval_hours` apart.",
    )
    min_interval_hours: int | None = Field(
        default=None, gt=0, description="as-needed: the shortest time between two doses."
    )
    phase: Phase = "maintenance"
    day: int | None = Field(
        default=None,
        ge=0,
        description="loading: the day of this dose, counted from the first dose (day 0); "
        "maintenance: the day its repeated doses start when loading doses come first.",
    )
    optional: bool = Field(
        default=False,
        description="A loading dose the prescriber may add ('your doctor may prescribe an "
        "initial dose'): shown as such, never scheduled as fixed.",
    )
    usual: bool = Field(
        default=False,
        description="The source names this the usual regimen among the rules that fit the same "
        "person; the others are then listed as alternatives.",
    )
    route: str = "subcutaneous"
    product: str | None = Field(default=None, description="Product id used to compute volume.")
    notes: list[Statement] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> "DoseRule":
        if self.basis == "fixed" and self.dose_mg is None:
            raise ValueError(f"dose rule {self.id}: fixed rule needs dose_mg")
        if self.basis == "per-kg" and (
            self.start_mg_per_kg_min is None
            or (self.max_mg_per_kg_day is None and self.max_mg_per_kg_dose is None)
        ):
            raise ValueError(
                f"dose rule {self.id}: per-kg rule needs start_mg_per_kg_min and a per-kg "
                "maximum (max_mg_per_kg_day or max_mg_per_kg_dose)"
            )
        if (
            self.weight_min_kg is not None
            and self.weight_max_kg is not None
            and self.weight_min_kg >= self.weight_max_kg
        ):
            raise ValueError(f"dose rule {self.id}: weight_min_kg must be below weight_max_kg")
        if self.phase == "loading" and self.day is None:
            raise ValueError(f"dose rule {self.id}: a loading dose needs its day")
        if self.phase == "loading" and self.schedule != "once":
            raise ValueError(f"dose rule {self.id}: a loading dose is given once (schedule: once)")
        if self.optional and self.phase != "loading":
            raise ValueError(f"dose rule {self.id}: only a loading dose can be optional")
        if self.schedule == "as-needed" and self.min_interval_hours is None:
            raise ValueError(f"dose rule {self.id}: an as-needed dose needs min_interval_hours")
        return self

    def fits_weight(self, weight_kg: float) -> bool:
        """Whether a weight is inside this rule's band (a rule without one fits every weight)."""
        lo, hi = self.weight_min_kg, self.weight_max_kg
        if lo is not None and (weight_kg <= lo if self.weight_min_exclusive else weight_kg < lo):
            return False
        return hi is None or (weight_kg <= hi if self.weight_max_inclusive else weight_kg < hi)

    @property
    def weight_banded(self) -> bool:
        return self.weight_min_kg is not None or self.weight_max_kg is not None


class KidneyRule(Cited):
    """Below a creatinine clearance threshold, the interval between doses changes."""

    id: str
    crcl_below_ml_min: float = Field(gt=0)
    every_hours: int = Field(gt=0)
    advisory: bool = Field(
        default=False,
        description="True when the source says the prescriber should *consider* the change: "
        "the interval is then left to the prescriber, never printed as fixed.",
    )
    applies_to: list[str] = Field(
        default_factory=list, description="Dose rule ids; empty means every rule."
    )
    text: str


class Match(BaseModel):
    """Conditions on a profile under which a screening rule fires.

    Every non-empty field must hold (AND); inside a list any item may match (OR). Terms are
    compared case-insensitively as whole words against the profile's normalised strings.
    `needs` names profile fields without which the rule cannot be decided.
    """

    allergies_any: list[str] = Field(default_factory=list)
    allergy_to_self: bool | None = Field(
        default=None,
        description="True: an allergy to this medicine — any of its names, misspelt ones "
        "included — or to an ingredient of its products (`Product.excipients`).",
    )
    allergy_classes_any: list[str] = Field(
        default_factory=list,
        description="Allergen class ids (data/vocab/allergens.yaml, e.g. 'e-coli-derived'): an "
        "allergy to the class or to any member medicine.",
    )
    conditions_any: list[str] = Field(default_factory=list)
    conditions_excluding: list[str] = Field(
        default_factory=list,
        description="A condition naming any of these terms does not count for conditions_any "
        "(e.g. 'latent' keeps 'latent TB infection' from reading as an active infection).",
    )
    condition_concepts_any: list[str] = Field(
        default_factory=list,
        description="Condition concept ids (data/vocab/conditions.yaml); a concept is met by "
        "every concept beneath it (e.g. 'infection' by pneumonia, shingles, HIV), read with "
        "ConText so 'no infection' or 'history of pneumonia' do not count.",
    )
    condition_status_any: list[
        Literal["present", "historical", "possible", "recurrent", "chronic", "family"]
    ] = Field(
        default_factory=list,
        description="Which statuses of a concept mention count; empty: present only, and a "
        "possible or recurrent mention or a sign (fever for infection) leaves the rule undecided.",
    )
    medication_classes_any: list[str] = Field(
        default_factory=list, description="Vocabulary class ids matched against medications."
    )
    medication_names_any: list[str] = Field(
        default_factory=list, description="Generic names matched against medications."
    )
    vaccine_classes_any: list[str] = Field(
        default_factory=list,
        description="Vocabulary class ids matched against planned_vaccines and medications.",
    )
    pregnant: bool | None = None
    breastfeeding: bool | None = None
    age_at_least_years: float | None = None
    age_below_years: float | None = None
    indication_not_in: list[str] = Field(default_factory=list)
    indication_in: list[str] = Field(
        default_factory=list,
        description="Only for these indications (ids, names or synonyms); unknown indication: "
        "undecided when 'indication' is in `needs`, else not matched.",
    )
    weight_below_kg: float | None = Field(
        default=None, gt=0, description="Body weight below this (e.g. 'less than 62.5 kg')."
    )
    weight_at_least_kg: float | None = Field(default=None, gt=0)
    crcl_below_ml_min: float | None = None
    surgery_planned: bool | None = None
    needs: list[str] = Field(default_factory=list)


class ScreeningRule(Cited):
    """A contraindication, interaction, warning or dose adjustment, and when it applies."""

    trigger: str = Field(description="Stable id, see CONTRACT.md (e.g. 'tnf-inhibitor').")
    kind: AlertKind
    severity: Severity
    blocking: bool = Field(
        default=False, description="True when the label says not to use: decision do-not-use."
    )
    avoid: Literal["vaccine", "medication"] | None = Field(
        default=None,
        description="The label's 'must not' is about the other thing (a live vaccine, a "
        "medicine not to combine), not this medicine alone: the result says what to avoid and "
        "the decision is not do-not-use for this medicine.",
    )
    title: str
    detail: str
    match: Match


class SideEffect(Cited):
    name: str
    seriousness: Literal["common", "serious"]
    frequency: str | None = Field(default=None, description="e.g. 'very common (>1 in 10)'.")
    symptoms: list[str] = Field(default_factory=list)
    action: str | None = Field(default=None, description="What to do, e.g. 'call your doctor'.")


class MonitoringPhase(BaseModel):
    every_months: int = Field(gt=0)
    until_month: int = Field(gt=0, description="Months after start at which this phase ends.")


class MonitoringRule(Cited):
    """A test before start and/or on a repeating schedule counted from the start date."""

    test: str
    why: str
    before_start: bool = True
    phases: list[MonitoringPhase] = Field(default_factory=list)
    when: Match | None = Field(default=None, description="Only for profiles matching this.")


class EventAdvice(BaseModel):
    event: str = Field(description="One of EVENTS.")
    urgency: Literal["emergency", "call-doctor", "self-care"] = "self-care"
    steps: list[Statement] = Field(min_length=1)

    @model_validator(mode="after")
    def _known(self) -> "EventAdvice":
        if self.event not in EVENTS:
            raise ValueError(f"unknown event {self.event!r}")
        return self


class Section(BaseModel):
    """A prose section of an ingested document, mapped to a topic."""

    topic: Topic
    title: str
    text: str
    claims: list[str] = Field(default_factory=list)


class Conflict(BaseModel):
    """A disagreement between sources that a curator noticed and recorded, with both sides."""

    topic: Topic
    claims: list[str] = Field(min_length=2, description="The disagreeing claims.")
    note: str


class Monograph(BaseModel):
    """One medicine from one or more sources.

    Curated monographs (bundled YAML) carry rules; ingested ones (leaflets, labels) carry
    identity, sections and claims, and the engine answers `cannot-decide` for their doses.
    """

    key: str = Field(description="Store key: lower-case generic name, e.g. 'anakinra'.")
    identity: Identity
    curated: bool = False
    language: str = "en"
    document_date: dt.date | None = None
    sources: list[Source]
    claims: list[Claim] = Field(default_factory=list)
    products: list[Product] = Field(default_factory=list)
    indications: list[Indication] = Field(default_factory=list)
    dose_rules: list[DoseRule] = Field(default_factory=list)
    kidney_rules: list[KidneyRule] = Field(default_factory=list)
    screening: list[ScreeningRule] = Field(default_factory=list)
    side_effects: list[SideEffect] = Field(default_factory=list)
    monitoring: list[MonitoringRule] = Field(default_factory=list)
    storage: Storage | None = None
    events: list[EventAdvice] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references_resolve(self) -> "Monograph":
        source_ids = {s.id for s in self.sources}
        claims = self.claims
        # Two set comprehensions decide whether all is well (a leaflet has ~200 claims and
        # every monograph ingested is validated); only a fault walks the claims one by one,
        # to name the first one, as before.
        claim_ids = {c.id for c in claims}
        if len(claim_ids) != len(claims) or not {c.source for c in claims} <= source_ids:
            _first_bad_claim(claims, source_ids)
        missing = sorted(set(self.referenced_claim_ids()) - claim_ids)
        if missing:
            raise ValueError(f"unknown claim ids referenced: {', '.join(missing)}")
        return self

    def referenced_claim_ids(self) -> list[str]:
        """Every claim id used by a structured fact, in document order."""
        refs: list[str] = []

        def walk(obj: object) -> None:
            if isinstance(obj, list):
                for item in obj:
                    walk(item)
                return
            if not isinstance(obj, BaseModel):
                return
            if isinstance(obj, Cited | Section | Conflict):
                refs.extend(obj.claims)
            for name in _model_fields_of(type(obj)):
                walk(getattr(obj, name))

        for name in _model_fields_of(type(self)):
            if name not in ("claims", "sources"):
                walk(getattr(self, name))
        return refs

    @functools.cached_property
    def _claims_by_id(self) -> dict[str, Claim]:
        return {c.id: c for c in self.claims}

    def claim(self, claim_id: str) -> Claim:
        return self._claims_by_id[claim_id]

    def source(self, source_id: str) -> Source:
        for s in self.sources:
            if s.id == source_id:
                return s
        raise KeyError(source_id)

    @functools.cached_property
    def _indications_by_name(self) -> dict[str, Indication]:
        """Every indication under each of its names, first in document order winning."""
        index: dict[str, Indication] = {}
        for ind in self.indications:
            for name in (ind.id.replace("-", " "), ind.name, *ind.synonyms):
                index.setdefault(_indication_key(name), ind)
        return index

    def indication(self, text: str) -> Indication | None:
        """Find an indication by id, name or synonym, case-insensitively."""
        return self._indications_by_name.get(_indication_key(text))

    def product(self, product_id: str) -> Product | None:
        return next((p for p in self.products if p.id == product_id), None)

    def storage_for(self, product_id: str | None) -> Storage | None:
        """A product's own storage where it has one, otherwise the monograph's."""
        product = self.product(product_id) if product_id is not None else None
        if product is not None and product.storage is not None:
            return product.storage
        return self.storage

    def event(self, name: str) -> EventAdvice | None:
        return next((e for e in self.events if e.event == name), None)


def _first_bad_claim(claims: list[Claim], source_ids: set[str]) -> None:
    """Raise the error of the first claim, in document order, whose id repeats an earlier
    one or whose source is not one of the monograph's."""
    seen: set[str] = set()
    for c in claims:
        if c.id in seen:
            raise ValueError(f"duplicate claim id {c.id!r}")
        seen.add(c.id)
        if c.source not in source_ids:
            raise ValueError(f"claim {c.id!r} cites unknown source {c.source!r}")


@functools.lru_cache(maxsize=4096)
def _indication_key(name: str) -> str:
    return " ".join(name.lower().replace("-", " ").split())
