"""Reading a patient's FHIR R4 record (prefetch) into the facts of a druginfo profile.

What the record does not say stays unknown; the cards say so rather than assume it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from druginfo.interfaces.cdshooks.codes import Kind, coded_names

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"

# LOINC codes we read, by the profile fact they give.
WEIGHT_CODES = {"29463-7", "3141-9"}
HEIGHT_CODES = {"8302-2", "8306-3"}  # body height; body length lying (infants)
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
    "height": (
        f"Observation?patient={_PID}&code={LOINC}|8302-2,{LOINC}|8306-3&_sort=-date&_count=1"
    ),
}

# Which profile field each piece of the record fills, to tell the EHR what to send.
FIELD_HINTS: dict[str, str] = {
    "age_years": "Patient.birthDate (prefetch `patient`)",
    "sex": "Patient.gender (prefetch `patient`)",
    "weight_kg": "a body-weight Observation, LOINC 29463-7 (prefetch `weight`)",
    "kidney": "a creatinine (LOINC 2160-0), creatinine clearance (2164-2) or eGFR Observation "
    "(prefetch `kidney`)",
    "pregnant": "a pregnancy-status Observation, LOINC 82810-3 (prefetch `pregnancy`)",
    "height_cm": "a body-height Observation, LOINC 8302-2 (prefetch `height`)",
    "indication": "MedicationRequest.reasonCode of the draft order",
}

# Lists the engine cannot tell apart from "none": their absence gets its own card.
LIST_PREFETCH = {
    "medications": "active medications, so interactions were not checked",
    "allergies": "allergies, so allergy contraindications were not checked",
    "conditions": "conditions, so disease contraindications were not checked",
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


def concept_names(concept: Any, kind: Kind = "medicine") -> list[str]:
    """text first, then each coding's display: the words a clinician would recognise; then
    the names of known RxNorm / SNOMED CT / ATC codes (a record coded only by code is read)."""
    if not isinstance(concept, dict):
        return []
    names = [_text(concept.get("text"))]
    for coding in concept.get("coding") or []:
        if isinstance(coding, dict):
            names.append(_text(coding.get("display")))
    names.extend(coded_names(concept, kind)[0])
    return list(dict.fromkeys(n for n in names if n))


def unread_codes(concept: Any, kind: Kind) -> str | None:
    """How to name a concept nothing could be read from (for the 'record unread' card)."""
    if concept_names(concept, kind):
        return None
    _, unknown = coded_names(concept, kind)
    return "; ".join(unknown) if unknown else "no text and no code"


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


def parse_date(value: Any) -> dt.date | None:
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
        parsed = parse_date(c)
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
        names = concept_names(request.get("medicationCodeableConcept"))
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
                names += concept_names(target.get("code"))
            if _text(ref.get("display")):
                names.append(ref["display"].strip())
        return list(dict.fromkeys(names))

    def record(self, today: dt.date) -> Record:
        rec = Record()
        self._demographics(rec, today)
        observations = self.by_type.get("Observation", [])
        self._weight(rec, observations, today)
        self._height(rec, observations, today)
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

    def _height(self, rec: Record, observations: list[dict[str, Any]], today: dt.date) -> None:
        """Height, for the bedside Schwartz estimate (children) and the ideal body weight of
        Cockcroft–Gault (adults)."""
        obs = _latest(observations, HEIGHT_CODES)
        if obs is None:
            return
        q = _quantity(obs)
        factor = {"cm": 1.0, "m": 100.0, "[in_i]": 2.54, "in": 2.54, "mm": 0.1}.get(
            q[1].strip().lower() if q else ""
        )
        if q is None or factor is None:
            rec.notes.append("the body-height Observation has no value in a known unit")
            return
        rec.raw["height_cm"] = round(q[0] * factor, 1)
        rec.used.append(
            f"height {round(q[0] * factor, 1)} cm" + _dated(_observation_date(obs), today, "weight")
        )

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
        conditions = []
        for c in self.by_type.get("Condition", []):
            if not _active_clinical(c):
                continue
            names = concept_names(c.get("code"), "condition")
            if names:
                conditions.append(names[0])
            else:
                rec.notes.append(
                    f"a condition ({unread_codes(c.get('code'), 'condition')}) could not be "
                    "read, so it was not checked against contraindications"
                )
        allergies = []
        for a in self.by_type.get("AllergyIntolerance", []):
            if not _active_clinical(a):
                continue
            names = concept_names(a.get("code"), "allergy")
            if names:
                allergies.extend(names[:2])
            else:
                rec.notes.append(
                    f"an allergy ({unread_codes(a.get('code'), 'allergy')}) could not be read, "
                    "so it was not checked"
                )
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
