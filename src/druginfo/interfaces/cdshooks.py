"""CDS Hooks 2.0 service: the personal check, run inside an EHR while a medicine is ordered.

The EHR sends draft FHIR R4 MedicationRequests and (prefetched) the patient's record. We read
the record into the same profile a person would type, run the same engine check, and turn each
alert into a card. What the record does not tell us is said on a card, never assumed: a
missing medication list means interactions were not checked, not that there are none.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from druginfo.errors import InputError, UnknownDrug
from druginfo.interfaces.errors import ErrorBody
from druginfo.interfaces.present import every_hours_words
from druginfo.model import Alert, CheckResult, Regimen

if TYPE_CHECKING:
    from druginfo.service import Service

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
TRIGGER_SYSTEM = "urn:druginfo:trigger"
SUMMARY_MAX = 140

# LOINC codes we read, by the profile fact they give.
WEIGHT_CODES = {"29463-7", "3141-9"}
CREATININE_MASS_CODES = {"2160-0", "38483-4"}  # mg/dL
CREATININE_MOLAR_CODES = {"14682-9", "77140-2"}  # umol/L
CRCL_CODES = {"2164-2"}
EGFR_CODES = {
    "33914-3",
    "48642-3",
    "48643-1",
    "62238-1",
    "69405-9",
    "77147-7",
    "88293-6",
    "88294-4",
    "98979-8",
}
PREGNANCY_STATUS = "82810-3"
PREGNANT = "77386006"
NOT_PREGNANT = "60001007"

# How much older than today a measurement may be before the cards point out its age.
STALE_DAYS = {"weight": 365, "kidney": 180}

_PID = "{{context.patientId}}"
PREFETCH: dict[str, str] = {
    "patient": f"Patient/{_PID}",
    "medications": f"MedicationRequest?patient={_PID}&status=active",
    "conditions": f"Condition?patient={_PID}&clinical-status=active",
    "allergies": f"AllergyIntolerance?patient={_PID}",
    "weight": (
        f"Observation?patient={_PID}&code={LOINC}|29463-7,{LOINC}|3141-9&_sort=-date&_count=1"
    ),
    "kidney": (
        f"Observation?patient={_PID}&code="
        + ",".join(
            f"{LOINC}|{c}"
            for c in sorted(
                CREATININE_MASS_CODES | CREATININE_MOLAR_CODES | CRCL_CODES | EGFR_CODES
            )
        )
        + "&_sort=-date&_count=10"
    ),
    "pregnancy": f"Observation?patient={_PID}&code={LOINC}|{PREGNANCY_STATUS}&_sort=-date&_count=1",
}

# Which profile field each piece of the record fills, to tell the EHR what to send.
FIELD_HINTS: dict[str, str] = {
    "age_years": "Patient.birthDate (prefetch `patient`)",
    "sex": "Patient.gender (prefetch `patient`)",
    "weight_kg": "a body-weight Observation, LOINC 29463-7 (prefetch `weight`)",
    "kidney": "a creatinine (LOINC 2160-0), creatinine clearance (2164-2) or eGFR Observation "
    "(prefetch `kidney`)",
    "pregnant": "a pregnancy-status Observation, LOINC 82810-3 (prefetch `pregnancy`)",
    "indication": "MedicationRequest.reasonCode of the draft order",
}

# Lists the engine cannot tell apart from "none": their absence gets its own card.
LIST_PREFETCH = {
    "medications": "active medications, so interactions were not checked",
    "allergies": "allergies, so allergy contraindications were not checked",
    "conditions": "conditions, so disease contraindications were not checked",
}


# --- the wire format (CDS Hooks 2.0) --------------------------------------------------------


class ServiceDescription(BaseModel):
    hook: str
    id: str
    title: str
    description: str
    prefetch: dict[str, str]
    usageRequirements: str | None = None


class Discovery(BaseModel):
    services: list[ServiceDescription]


class HookContext(BaseModel):
    """order-sign / order-select context; other context fields are tolerated."""

    model_config = ConfigDict(extra="allow")

    userId: str = Field(min_length=1)
    patientId: str = Field(min_length=1)
    encounterId: str | None = None
    selections: list[str] | None = Field(
        default=None, description="order-select: references of the newly selected orders."
    )
    draftOrders: dict[str, Any] = Field(description="FHIR R4 Bundle of draft orders.")


class HookRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    hook: str = Field(examples=["order-sign"])
    hookInstance: str = Field(min_length=1)
    fhirServer: str | None = None
    fhirAuthorization: dict[str, Any] | None = None
    context: HookContext
    prefetch: dict[str, Any] | None = None


class Coding(BaseModel):
    system: str | None = None
    code: str | None = None
    display: str | None = None


class CardSource(BaseModel):
    label: str
    url: str | None = None
    topic: Coding | None = None


class Action(BaseModel):
    type: Literal["create", "update", "delete"]
    description: str
    resource: dict[str, Any] | None = None
    resourceId: str | None = None


class Suggestion(BaseModel):
    label: str
    uuid: str | None = None
    isRecommended: bool | None = None
    actions: list[Action] = Field(default_factory=list)


class Link(BaseModel):
    label: str
    url: str
    type: Literal["absolute", "smart"] = "absolute"


class Card(BaseModel):
    uuid: str | None = None
    summary: str = Field(max_length=SUMMARY_MAX)
    detail: str | None = None
    indicator: Literal["info", "warning", "critical"]
    source: CardSource
    suggestions: list[Suggestion] | None = None
    selectionBehavior: Literal["at-most-one", "any"] | None = None
    links: list[Link] | None = None


class CardsResponse(BaseModel):
    cards: list[Card]


class CDSError(Exception):
    """A call that does not follow the hook's specification: 400 Bad Request."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class HookService:
    id: str
    hook: str
    title: str
    description: str


SERVICES: dict[str, HookService] = {
    s.id: s
    for s in (
        HookService(
            id="druginfo-order-sign",
            hook="order-sign",
            title="druginfo medication check",
            description=(
                "Checks each draft medication order against the patient's record: "
                "contraindications, interactions, warnings and dose, each quoting its sources."
            ),
        ),
        HookService(
            id="druginfo-order-select",
            hook="order-select",
            title="druginfo medication check (on selection)",
            description=(
                "Checks a newly selected medication against the patient's record and the other "
                "draft orders, before the order is completed."
            ),
        ),
    )
}


# --- reading FHIR R4 resources ---------------------------------------------------------------


def _resources(value: Any) -> Iterator[dict[str, Any]]:
    """Every resource in a prefetch value: a Bundle's entries, or a resource itself."""
    if not isinstance(value, dict):
        return
    if value.get("resourceType") == "Bundle":
        for entry in value.get("entry") or []:
            if isinstance(entry, dict) and isinstance(entry.get("resource"), dict):
                yield from _resources(entry["resource"])
    elif isinstance(value.get("resourceType"), str):
        yield value


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _concept_names(concept: Any) -> list[str]:
    """text first, then each coding's display: the words a clinician would recognise."""
    if not isinstance(concept, dict):
        return []
    names = [_text(concept.get("text"))]
    for coding in concept.get("coding") or []:
        if isinstance(coding, dict):
            names.append(_text(coding.get("display")))
    return list(dict.fromkeys(n for n in names if n))


def _codes(concept: Any, system: str) -> set[str]:
    if not isinstance(concept, dict):
        return set()
    return {
        str(c.get("code"))
        for c in concept.get("coding") or []
        if isinstance(c, dict) and c.get("system") == system and c.get("code")
    }


def _status_code(concept: Any) -> str | None:
    codes = (
        [
            c.get("code")
            for c in (concept or {}).get("coding") or []
            if isinstance(c, dict) and isinstance(c.get("code"), str)
        ]
        if isinstance(concept, dict)
        else []
    )
    return codes[0] if codes else None


def _parse_date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _observation_date(obs: dict[str, Any]) -> dt.date | None:
    period = obs.get("effectivePeriod")
    candidates = [
        obs.get("effectiveDateTime"),
        obs.get("effectiveInstant"),
        period.get("end") if isinstance(period, dict) else None,
        period.get("start") if isinstance(period, dict) else None,
        obs.get("issued"),
    ]
    for c in candidates:
        parsed = _parse_date(c)
        if parsed:
            return parsed
    return None


def _age_years(birth: str, today: dt.date) -> int | None:
    """Completed years; for a partial birth date only when every possible day gives the same."""
    parts = birth.split("-")
    try:
        year = int(parts[0])
        if len(parts) >= 3:
            first = last = dt.date(year, int(parts[1]), int(parts[2][:2]))
        elif len(parts) == 2:
            month = int(parts[1])
            first = dt.date(year, month, 1)
            last = (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)
        else:
            first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    except (ValueError, IndexError):
        return None

    def completed(born: dt.date) -> int:
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    oldest, youngest = completed(first), completed(last)
    if oldest != youngest or youngest < 0:
        return None
    return youngest


@dataclass
class Record:
    """What the prefetched record says, and what it leaves unknown."""

    raw: dict[str, Any] = field(default_factory=dict)
    used: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing_lists: list[str] = field(default_factory=list)


def _quantity(obs: dict[str, Any]) -> tuple[float, str] | None:
    q = obs.get("valueQuantity")
    if not isinstance(q, dict) or q.get("comparator"):
        # "<30" is not 30: a bound is not a value, so it decides nothing.
        return None
    value = q.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    unit = q.get("code") or q.get("unit") or ""
    return float(value), str(unit)


def _usable(obs: dict[str, Any]) -> bool:
    return obs.get("status") not in ("entered-in-error", "cancelled", "registered")


def _latest(observations: list[dict[str, Any]], codes: set[str]) -> dict[str, Any] | None:
    matching = [o for o in observations if _codes(o.get("code"), LOINC) & codes and _usable(o)]
    if not matching:
        return None
    return max(matching, key=lambda o: _observation_date(o) or dt.date.min)


def _weight_kg(value: float, unit: str) -> float | None:
    u = unit.strip().lower()
    if u in ("kg", "kilogram", "kilograms"):
        return value
    if u == "g":
        return value / 1000
    if u in ("[lb_av]", "lb", "lbs", "pound", "pounds"):
        return value * 0.45359237
    return None


def _active_clinical(resource: dict[str, Any]) -> bool:
    clinical = _status_code(resource.get("clinicalStatus"))
    verification = _status_code(resource.get("verificationStatus"))
    if clinical in ("inactive", "resolved", "remission"):
        return False
    return verification not in ("refuted", "entered-in-error")


class Patient:
    """The prefetched record, indexed by resource type."""

    def __init__(self, prefetch: dict[str, Any] | None, drafts: dict[str, Any]) -> None:
        self.prefetch = prefetch or {}
        self.by_type: dict[str, list[dict[str, Any]]] = {}
        self.by_ref: dict[str, dict[str, Any]] = {}
        for value in [*self.prefetch.values(), drafts]:
            for res in _resources(value):
                self.by_type.setdefault(res["resourceType"], []).append(res)
                if isinstance(res.get("id"), str):
                    self.by_ref[f"{res['resourceType']}/{res['id']}"] = res
        if isinstance(drafts, dict):
            for entry in drafts.get("entry") or []:
                if isinstance(entry, dict) and isinstance(entry.get("fullUrl"), str):
                    inner = entry.get("resource")
                    if isinstance(inner, dict):
                        self.by_ref[entry["fullUrl"]] = inner

    def provided(self, key: str) -> bool:
        return self.prefetch.get(key) is not None

    def medication_names(self, request: dict[str, Any]) -> list[str]:
        """Names of the medicine of a MedicationRequest/Statement, best first."""
        names = _concept_names(request.get("medicationCodeableConcept"))
        ref = request.get("medicationReference")
        if isinstance(ref, dict):
            target: dict[str, Any] | None = None
            reference = ref.get("reference")
            if isinstance(reference, str):
                if reference.startswith("#"):
                    target = next(
                        (
                            c
                            for c in request.get("contained") or []
                            if isinstance(c, dict) and c.get("id") == reference[1:]
                        ),
                        None,
                    )
                else:
                    target = self.by_ref.get(reference) or self.by_ref.get(
                        reference.split("/_history")[0]
                    )
            if target is not None:
                names += _concept_names(target.get("code"))
            if _text(ref.get("display")):
                names.append(ref["display"].strip())
        return list(dict.fromkeys(names))

    def record(self, today: dt.date) -> Record:
        rec = Record()
        self._demographics(rec, today)
        observations = self.by_type.get("Observation", [])
        self._weight(rec, observations, today)
        self._kidney(rec, observations, today)
        self._pregnancy(rec, observations)
        self._lists(rec)
        return rec

    def _demographics(self, rec: Record, today: dt.date) -> None:
        patients = self.by_type.get("Patient", [])
        if not patients:
            return
        patient = patients[0]
        birth = patient.get("birthDate")
        if isinstance(birth, str):
            age = _age_years(birth, today)
            if age is None:
                rec.notes.append(f"birth date {birth!r} does not give an exact age")
            else:
                rec.raw["age_years"] = age
                rec.used.append(f"age {age} (born {birth})")
        gender = patient.get("gender")
        if gender in ("female", "male"):
            rec.raw["sex"] = gender
            rec.used.append(f"sex {gender}")

    def _weight(self, rec: Record, observations: list[dict[str, Any]], today: dt.date) -> None:
        obs = _latest(observations, WEIGHT_CODES)
        if obs is None:
            return
        q = _quantity(obs)
        kg = _weight_kg(*q) if q else None
        when = _observation_date(obs)
        if kg is None:
            rec.notes.append("the body-weight Observation has no value in a known unit")
            return
        rec.raw["weight_kg"] = round(kg, 2)
        rec.used.append(f"weight {round(kg, 1)} kg" + _dated(when, today, "weight"))

    def _kidney(self, rec: Record, observations: list[dict[str, Any]], today: dt.date) -> None:
        kidney: dict[str, float] = {}
        crcl = _latest(observations, CRCL_CODES)
        if crcl and (q := _quantity(crcl)):
            kidney["crcl_ml_min"] = q[0]
            rec.used.append(
                f"creatinine clearance {q[0]:g} mL/min"
                + _dated(_observation_date(crcl), today, "kidney")
            )
        egfr = _latest(observations, EGFR_CODES)
        if egfr and (q := _quantity(egfr)):
            kidney["egfr_ml_min_1_73m2"] = q[0]
            rec.used.append(
                f"eGFR {q[0]:g} mL/min/1.73 m²" + _dated(_observation_date(egfr), today, "kidney")
            )
        creat = _latest(observations, CREATININE_MASS_CODES | CREATININE_MOLAR_CODES)
        if creat and (q := _quantity(creat)):
            value, unit = q
            mg_dl: float | None = None
            if unit.lower() in ("mg/dl",):
                mg_dl = value
            elif unit.lower() in ("umol/l", "µmol/l", "μmol/l"):
                mg_dl = round(value / 88.42, 3)
            if mg_dl is None:
                rec.notes.append(f"the creatinine Observation's unit {unit!r} is not understood")
            else:
                kidney["serum_creatinine_mg_dl"] = mg_dl
                rec.used.append(
                    f"serum creatinine {mg_dl:g} mg/dL"
                    + _dated(_observation_date(creat), today, "kidney")
                )
        if kidney:
            rec.raw["kidney"] = kidney

    def _pregnancy(self, rec: Record, observations: list[dict[str, Any]]) -> None:
        obs = _latest(observations, {PREGNANCY_STATUS})
        status: bool | None = None
        if obs is not None:
            codes = _codes(obs.get("valueCodeableConcept"), SNOMED)
            if PREGNANT in codes:
                status = True
            elif NOT_PREGNANT in codes:
                status = False
        for cond in self.by_type.get("Condition", []):
            if _active_clinical(cond) and PREGNANT in _codes(cond.get("code"), SNOMED):
                status = True
        if status is not None:
            rec.raw["pregnant"] = status
            rec.used.append("pregnant" if status else "not pregnant")

    def _lists(self, rec: Record) -> None:
        conditions = [
            _concept_names(c.get("code"))[0]
            for c in self.by_type.get("Condition", [])
            if _active_clinical(c) and _concept_names(c.get("code"))
        ]
        allergies = []
        for a in self.by_type.get("AllergyIntolerance", []):
            names = _concept_names(a.get("code"))
            if _active_clinical(a) and names:
                allergies.extend(names[:2])
        if conditions:
            rec.raw["conditions"] = list(dict.fromkeys(conditions))
        if allergies:
            rec.raw["allergies"] = list(dict.fromkeys(allergies))
        for key in LIST_PREFETCH:
            if not self.provided(key):
                rec.missing_lists.append(key)


def _dated(when: dt.date | None, today: dt.date, kind: str) -> str:
    if when is None:
        return " (undated)"
    age = (today - when).days
    if age > STALE_DAYS[kind]:
        return f" (measured {when.isoformat()}, {age // 30} months ago)"
    return f" ({when.isoformat()})"


# --- building cards --------------------------------------------------------------------------


def _clip(text: str, limit: int = SUMMARY_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _sources_md(result: CheckResult, keys: Iterable[str]) -> str:
    lines = []
    for key in keys:
        ref = result.sources.get(key)
        if ref is None:
            continue
        when = f", reviewed {ref.reviewed.isoformat()}" if ref.reviewed else ""
        where = f" — {ref.url}" if ref.url else ""
        lines.append(
            f"- [{key}] {_md(ref.publisher)}, *{_md(ref.document)}*{when}{where}:"
            f" “{_md(ref.quote)}”"
        )
    return ("\n\n**Sources**\n\n" + "\n".join(lines)) if lines else ""


def _drug_label(result: CheckResult) -> str:
    brands = result.drug.brands
    return f"{brands[0]} ({result.drug.generic})" if brands else result.drug.generic


@dataclass
class Draft:
    resource: dict[str, Any]
    ref: str | None
    names: list[str]


class CardMaker:
    def __init__(self, hook_instance: str, base_url: str) -> None:
        self.hook_instance = hook_instance
        self.base_url = base_url

    def uuid(self, *parts: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "|".join([self.hook_instance, *parts])))

    def link(self, key: str) -> Link:
        return Link(label="druginfo monograph", url=f"{self.base_url}drugs/{key}")

    def alert_card(self, result: CheckResult, key: str, alert: Alert, draft: Draft) -> Card:
        if alert.kind != "cannot-decide" and alert.severity == "high" and alert.blocking:
            indicator: Literal["info", "warning", "critical"] = "critical"
        elif alert.severity in ("high", "moderate"):
            indicator = "warning"
        else:
            indicator = "info"
        detail = _md(alert.detail)
        if alert.matched:
            detail += f"\n\nFound in the record: **{_md(alert.matched)}**"
        if alert.kind == "cannot-decide" and alert.field:
            hint = FIELD_HINTS.get(alert.field.split(".")[0])
            detail += f"\n\nMissing: `{alert.field}`" + (f" — send {hint}." if hint else ".")
        detail += _sources_md(result, alert.sources)
        card = Card(
            uuid=self.uuid(draft.ref or key, alert.trigger, alert.kind),
            summary=_clip(f"{_drug_label(result)}: {alert.title}"),
            detail=detail,
            indicator=indicator,
            source=CardSource(
                label="druginfo",
                url=f"{self.base_url}drugs/{key}",
                topic=Coding(system=TRIGGER_SYSTEM, code=alert.trigger, display=alert.title),
            ),
            links=[self.link(key)],
        )
        if indicator == "critical" and draft.ref:
            card.suggestions = [
                Suggestion(
                    label=_clip(f"Remove the {_drug_label(result)} order"),
                    uuid=self.uuid(draft.ref, alert.trigger, "remove"),
                    actions=[
                        Action(
                            type="delete",
                            description=f"Remove the draft order for {_drug_label(result)}",
                            resourceId=draft.ref,
                        )
                    ],
                )
            ]
            card.selectionBehavior = "at-most-one"
        return card

    def dose_card(
        self, result: CheckResult, key: str, regimen: Regimen, rec: Record, draft: Draft
    ) -> Card | None:
        if regimen.dose_mg is None:
            return None
        what = f"{regimen.dose_mg:g} mg"
        if regimen.route:
            what += f" {regimen.route}"
        if regimen.every_hours:
            what += " " + every_hours_words(regimen.every_hours)
        if regimen.volume_ml is not None:
            what += f" ({regimen.volume_ml:g} mL)"
        lines = [f"Dose from the sources: **{_md(what)}**."]
        if regimen.indication:
            lines.append(f"For: {_md(regimen.indication)}.")
        if regimen.max_dose_mg_per_kg_day is not None:
            lines.append(f"At most {regimen.max_dose_mg_per_kg_day:g} mg/kg a day.")
        if regimen.max_dose_mg is not None:
            lines.append(f"At most {regimen.max_dose_mg:g} mg a day.")
        lines += [_md(n) for n in regimen.notes]
        if rec.used:
            lines.append("Based on the record: " + _md("; ".join(rec.used)) + ".")
        return Card(
            uuid=self.uuid(draft.ref or key, "dose"),
            summary=_clip(f"{_drug_label(result)}: {what}"),
            detail="\n\n".join(lines) + _sources_md(result, regimen.sources),
            indicator="info",
            source=CardSource(
                label="druginfo",
                url=f"{self.base_url}drugs/{key}",
                topic=Coding(system=TRIGGER_SYSTEM, code="dose", display="Dose"),
            ),
            links=[self.link(key)],
        )

    def monitoring_card(self, result: CheckResult, key: str, draft: Draft, start: str) -> Card:
        lines = [
            f"- **{item.due.isoformat()}** {_md(item.test)}: {_md(item.why)}"
            + (f" [{', '.join(item.sources)}]" if item.sources else "")
            for item in result.monitoring
        ]
        cited = list(dict.fromkeys(k for item in result.monitoring for k in item.sources))
        tests = ", ".join(dict.fromkeys(item.test for item in result.monitoring))
        return Card(
            uuid=self.uuid(draft.ref or key, "monitoring"),
            summary=_clip(f"{_drug_label(result)}: monitoring — {tests}"),
            detail=f"Dates count from {_md(start)}.\n\n"
            + "\n".join(lines)
            + _sources_md(result, cited),
            indicator="info",
            source=CardSource(
                label="druginfo",
                url=f"{self.base_url}drugs/{key}",
                topic=Coding(system=TRIGGER_SYSTEM, code="monitoring", display="Monitoring"),
            ),
            links=[self.link(key)],
        )

    def ordered_dose_cards(
        self, result: CheckResult, key: str, regimen: Regimen, draft: Draft
    ) -> list[Card]:
        """Compare the dose and interval ordered with the regimen, when both are numbers."""
        ordered_mg, ordered_hours = _ordered(draft.resource)
        cards: list[Card] = []
        label = _drug_label(result)
        limit = None
        if regimen.dose_range_mg:
            limit = max(regimen.dose_range_mg)
        elif regimen.dose_mg is not None:
            limit = regimen.dose_mg
        if ordered_mg is not None and limit is not None and ordered_mg > limit + 1e-9:
            cards.append(
                self._order_card(
                    result,
                    key,
                    draft,
                    "ordered-dose",
                    f"{label}: ordered {ordered_mg:g} mg is above the {limit:g} mg dose",
                    f"The order asks for {ordered_mg:g} mg per dose; for this patient the sources "
                    f"give {limit:g} mg.",
                    regimen.sources,
                )
            )
        if (
            ordered_hours is not None
            and regimen.every_hours is not None
            and ordered_hours < regimen.every_hours - 1e-9
        ):
            cards.append(
                self._order_card(
                    result,
                    key,
                    draft,
                    "ordered-interval",
                    f"{label}: ordered every {ordered_hours:g} h, sources say every "
                    f"{regimen.every_hours} h",
                    f"The order repeats the dose every {ordered_hours:g} hours; for this patient "
                    f"the sources give every {regimen.every_hours} hours."
                    + (" " + " ".join(_md(n) for n in regimen.notes) if regimen.notes else ""),
                    regimen.sources,
                )
            )
        return cards

    def _order_card(
        self,
        result: CheckResult,
        key: str,
        draft: Draft,
        topic: str,
        summary: str,
        detail: str,
        sources: list[str],
    ) -> Card:
        return Card(
            uuid=self.uuid(draft.ref or key, topic),
            summary=_clip(summary),
            detail=detail + _sources_md(result, sources),
            indicator="warning",
            source=CardSource(
                label="druginfo",
                url=f"{self.base_url}drugs/{key}",
                topic=Coding(system=TRIGGER_SYSTEM, code=topic, display="Ordered dose"),
            ),
            links=[self.link(key)],
        )

    def info_card(self, topic: str, summary: str, detail: str, warning: bool = False) -> Card:
        return Card(
            uuid=self.uuid(topic),
            summary=_clip(summary),
            detail=detail,
            indicator="warning" if warning else "info",
            source=CardSource(
                label="druginfo", topic=Coding(system=TRIGGER_SYSTEM, code=topic, display=topic)
            ),
        )


_PERIOD_HOURS = {"s": 1 / 3600, "min": 1 / 60, "h": 1.0, "d": 24.0, "wk": 168.0, "mo": 720.0}


def _ordered(request: dict[str, Any]) -> tuple[float | None, float | None]:
    """(mg per dose, hours between doses) of a MedicationRequest, when stated in numbers."""
    instructions = request.get("dosageInstruction")
    if not isinstance(instructions, list) or len(instructions) != 1:
        return None, None  # tapering or several instructions: not compared
    dosage = instructions[0] if isinstance(instructions[0], dict) else {}
    mg: float | None = None
    for dr in dosage.get("doseAndRate") or []:
        q = dr.get("doseQuantity") if isinstance(dr, dict) else None
        if isinstance(q, dict) and not q.get("comparator"):
            value = q.get("value")
            unit = str(q.get("code") or q.get("unit") or "").lower()
            if isinstance(value, int | float) and not isinstance(value, bool):
                if unit == "mg":
                    mg = float(value)
                elif unit == "g":
                    mg = float(value) * 1000
    hours: float | None = None
    timing = dosage.get("timing")
    repeat = timing.get("repeat") if isinstance(timing, dict) else None
    if isinstance(repeat, dict):
        period, period_unit = repeat.get("period"), repeat.get("periodUnit")
        frequency = repeat.get("frequency", 1)
        if (
            isinstance(period, int | float)
            and isinstance(frequency, int)
            and frequency > 0
            and period > 0
            and period_unit in _PERIOD_HOURS
        ):
            hours = period * _PERIOD_HOURS[period_unit] / frequency
    return mg, hours


# --- the service -----------------------------------------------------------------------------


def _start_date(request: dict[str, Any], today: dt.date) -> tuple[dt.date, str]:
    """When the order starts (for the monitoring calendar), and how we know."""
    candidates: list[tuple[Any, str]] = []
    for dosage in request.get("dosageInstruction") or []:
        timing = dosage.get("timing") if isinstance(dosage, dict) else None
        repeat = timing.get("repeat") if isinstance(timing, dict) else None
        bounds = repeat.get("boundsPeriod") if isinstance(repeat, dict) else None
        if isinstance(bounds, dict):
            candidates.append((bounds.get("start"), "the order's dosage start"))
    dispense = request.get("dispenseRequest")
    validity = dispense.get("validityPeriod") if isinstance(dispense, dict) else None
    if isinstance(validity, dict):
        candidates.append((validity.get("start"), "the order's validity start"))
    candidates.append((request.get("authoredOn"), "the order date"))
    for value, how in candidates:
        day = _parse_date(value)
        if day is not None and 1900 <= day.year <= 2200:
            return day, f"{day.isoformat()} ({how})"
    return today, f"{today.isoformat()} (today: the order gives no start date)"


def _drafts(patient: Patient, draft_orders: dict[str, Any]) -> list[Draft]:
    if draft_orders.get("resourceType") != "Bundle":
        raise CDSError("context.draftOrders", "draftOrders must be a FHIR Bundle")
    entries = draft_orders.get("entry") or []
    if not isinstance(entries, list):
        raise CDSError("context.draftOrders.entry", "entry must be a list")
    drafts = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise CDSError("context.draftOrders.entry", "each entry must be an object")
        res = entry.get("resource")
        if not isinstance(res, dict) or not isinstance(res.get("resourceType"), str):
            raise CDSError("context.draftOrders.entry.resource", "each entry needs a resource")
        if res["resourceType"] != "MedicationRequest":
            continue
        ref = f"MedicationRequest/{res['id']}" if isinstance(res.get("id"), str) else None
        drafts.append(Draft(res, ref, patient.medication_names(res)))
    return drafts


_ITEM = re.compile(r"^(?P<name>[^\[\]]+)\[(?P<index>\d+)\]$")


def _without(raw: dict[str, Any], dotted: str) -> bool:
    """Drop a field the engine refused ('weight_kg', 'kidney.crcl_ml_min', 'medications[3]')
    from the raw profile; True if something was removed."""
    parts = dotted.split(".")
    target: Any = raw
    for part in parts[:-1]:
        target = target.get(part) if isinstance(target, dict) else None
    last = parts[-1]
    item = _ITEM.match(last)
    if item and isinstance(target, dict) and isinstance(target.get(item["name"]), list):
        values = target[item["name"]]
        index = int(item["index"])
        if index < len(values):
            del values[index]
            return True
    if isinstance(target, dict) and last in target:
        del target[last]
        return True
    return False


class CDSHooksService:
    def __init__(self, service: Service) -> None:
        self.service = service

    def discovery(self) -> Discovery:
        return Discovery(
            services=[
                ServiceDescription(
                    hook=s.hook,
                    id=s.id,
                    title=s.title,
                    description=s.description,
                    prefetch=PREFETCH,
                    usageRequirements=(
                        "Send the prefetch items; without active medications, allergies or "
                        "conditions the cards say which checks could not be made."
                    ),
                )
                for s in SERVICES.values()
            ]
        )

    def call(
        self, hook: HookService, req: HookRequest, base_url: str, today: dt.date | None = None
    ) -> CardsResponse:
        if req.hook != hook.hook:
            raise CDSError(
                "hook", f"service {hook.id} answers the {hook.hook} hook, not {req.hook}"
            )
        today = today or dt.date.today()
        ctx = req.context
        patient = Patient(req.prefetch, ctx.draftOrders)
        drafts = _drafts(patient, ctx.draftOrders)
        if hook.hook == "order-select":
            if ctx.selections is None:
                raise CDSError("context.selections", "order-select needs selections")
            chosen = set(ctx.selections)
            checked = [d for d in drafts if d.ref in chosen]
        else:
            checked = drafts
        maker = CardMaker(req.hookInstance, base_url)
        cards: list[Card] = []
        base = patient.record(today)
        active = self._active_medications(patient, drafts)
        unknown: list[str] = []
        any_checked = False
        for draft in checked:
            key = self._resolve(draft.names)
            if key is None:
                unknown.append(draft.names[0] if draft.names else draft.ref or "an unnamed order")
                continue
            found = self._check_draft(maker, key, draft, drafts, active, base, today)
            if found is None:  # a known name, but no monograph to check it against
                unknown.append(draft.names[0])
                continue
            any_checked = True
            cards += found
        if unknown:
            names = ", ".join(unknown)
            cards.append(
                maker.info_card(
                    "not-checked",
                    f"druginfo has no information on {names}: not checked",
                    f"No monograph matches {_md(names)}; these orders were not checked.",
                )
            )
        if any_checked and base.missing_lists:
            missing = "; ".join(LIST_PREFETCH[k] for k in base.missing_lists)
            cards.append(
                maker.info_card(
                    "record-incomplete",
                    "Part of the record was not sent: some checks were not made",
                    f"The request did not include {_md(missing)}. "
                    f"Send the prefetch items {', '.join(base.missing_lists)}.",
                    warning=True,
                )
            )
        if any_checked and base.notes:
            cards.append(
                maker.info_card(
                    "record-unread",
                    "Part of the record could not be read",
                    "; ".join(_md(n) for n in base.notes) + ".",
                )
            )
        return CardsResponse(cards=cards)

    def _active_medications(self, patient: Patient, drafts: list[Draft]) -> list[tuple[str, str]]:
        """(reference, name) of every active medication in the record."""
        draft_ids = {id(d.resource) for d in drafts}
        out: list[tuple[str, str]] = []
        for rtype in ("MedicationRequest", "MedicationStatement"):
            for res in patient.by_type.get(rtype, []):
                if id(res) in draft_ids:
                    continue
                if res.get("status") not in ("active", "on-hold", "intended", None):
                    continue
                names = patient.medication_names(res)
                if names:
                    ref = f"{rtype}/{res.get('id')}"
                    out.append((ref, self._pick_name(names)))
        return out

    def _pick_name(self, names: list[str]) -> str:
        for name in names:
            if self.service.vocab.resolve_medication(name) is not None:
                return name
        return names[0]

    def _resolve(self, names: list[str]) -> str | None:
        for name in names:
            match = self.service.vocab.resolve_medication(name)
            if match is None:
                try:
                    match = self.service.resolve(name)
                except (UnknownDrug, InputError):
                    match = None
            if match is not None:
                return match.key
        return None

    def _check_draft(
        self,
        maker: CardMaker,
        key: str,
        draft: Draft,
        drafts: list[Draft],
        active: list[tuple[str, str]],
        base: Record,
        today: dt.date,
    ) -> list[Card] | None:
        raw = copy.deepcopy(base.raw)  # each draft may drop refused values on its own
        others = [self._pick_name(d.names) for d in drafts if d is not draft and d.names]
        meds = [name for ref, name in active if ref != draft.ref] + others
        if meds:
            raw["medications"] = list(dict.fromkeys(meds))
        reasons = [n for c in draft.resource.get("reasonCode") or [] for n in _concept_names(c)[:1]]
        if reasons:
            raw["indication"] = reasons[0]
        start, how = _start_date(draft.resource, today)
        raw["start_date"] = start.isoformat()
        rejected: list[str] = []
        result: CheckResult | None = None
        for _ in range(12):
            try:
                result = self.service.check(key, raw)
                break
            except UnknownDrug:
                return None
            except InputError as exc:
                # A value from the record the engine will not accept: leave it out (the check
                # then says what it cannot decide) and say so, rather than fail the whole call.
                if not _without(raw, exc.field):
                    raise
                rejected.append(f"`{exc.field}`: {_md(exc.message)}")
        if result is None:
            return []
        cards = [maker.alert_card(result, key, a, draft) for a in result.alerts]
        if result.regimen is not None:
            dose = maker.dose_card(result, key, result.regimen, base, draft)
            if dose is not None:
                cards.append(dose)
            cards += maker.ordered_dose_cards(result, key, result.regimen, draft)
        if result.monitoring:
            cards.append(maker.monitoring_card(result, key, draft, how))
        if rejected:
            cards.append(
                maker.info_card(
                    f"record-rejected-{key}",
                    f"{_drug_label(result)}: values in the record were not used",
                    "These values were left out as implausible: " + "; ".join(rejected) + ".",
                    warning=True,
                )
            )
        order = {"critical": 0, "warning": 1, "info": 2}
        return sorted(cards, key=lambda c: order[c.indicator])


def build_cds_router(service: Service) -> APIRouter:
    cds = CDSHooksService(service)
    router = APIRouter(prefix="/cds-services", tags=["cds-hooks"])

    @router.get("", response_model=Discovery, summary="CDS Hooks discovery")
    def discovery() -> Response:
        return Response(
            cds.discovery().model_dump_json(exclude_none=True), media_type="application/json"
        )

    @router.post(
        "/{service_id}",
        response_model=CardsResponse,
        response_model_exclude_none=True,
        summary="Call a CDS service (order-sign or order-select)",
        responses={
            400: {"model": ErrorBody, "description": "Malformed request."},
            404: {"model": ErrorBody, "description": "Unknown service id."},
        },
    )
    def call(
        service_id: Annotated[str, Path(max_length=100)],
        body: Annotated[HookRequest, Body()],
        request: Request,
    ) -> Response:
        from druginfo.interfaces.errors import json_error

        hook = SERVICES.get(service_id)
        if hook is None:
            return json_error(404, f"no CDS service {service_id!r}", "id")
        try:
            cards = cds.call(hook, body, str(request.base_url))
        except CDSError as exc:
            return json_error(400, exc.message, exc.field)
        except ValidationError as exc:  # a card we built is malformed: our bug, not theirs
            raise RuntimeError("invalid card") from exc
        return Response(cards.model_dump_json(exclude_none=True), media_type="application/json")

    return router
