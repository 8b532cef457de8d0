"""FHIR R4 MedicationKnowledge: the monograph in the shape EHRs and formularies already read.

Only R4 elements are used (validated with the R4B classes of fhir.resources, which share R4's
MedicationKnowledge). What R4 has no element for is carried the FHIR way: contraindications
as contained DetectedIssue resources, sources as contained DocumentReference resources that
`monograph` points at. Nothing is emitted without the data behind it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import Response

from druginfo.engine import dose_rules
from druginfo.interfaces.errors import FHIR_JSON
from druginfo.model import DoseRule, Indication, KidneyRule, Monograph, Product

if TYPE_CHECKING:
    from druginfo.service import Service

ATC_SYSTEM = "http://www.whocc.no/atc"
RXNORM_SYSTEM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
SNOMED = "http://snomed.info/sct"
TRIGGER_SYSTEM = "urn:druginfo:trigger"

# SNOMED CT route concepts for the routes our monographs use.
ROUTES: dict[str, tuple[str, str]] = {
    "subcutaneous": ("34206005", "Subcutaneous route"),
    "intravenous": ("47625008", "Intravenous route"),
    "intramuscular": ("78421000", "Intramuscular route"),
    "oral": ("26643006", "Oral route"),
}

# Identifier keys (Identity.identifiers) we know a code system for.
CODE_SYSTEMS: dict[str, str] = {"rxnorm": RXNORM_SYSTEM, "rxcui": RXNORM_SYSTEM}


def _fhir_id(text: str) -> str:
    """A FHIR id: [A-Za-z0-9-.]{1,64}."""
    cleaned = re.sub(r"[^A-Za-z0-9.\-]+", "-", text).strip("-.") or "x"
    return cleaned[:64]


def _qty(value: float, unit: str) -> dict[str, Any]:
    return {"value": _num(value), "unit": unit, "system": UCUM, "code": unit}


def _num(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _route(route: str) -> dict[str, Any]:
    concept: dict[str, Any] = {"text": route}
    known = ROUTES.get(route.lower())
    if known:
        concept["coding"] = [{"system": SNOMED, "code": known[0], "display": known[1]}]
    return concept


def _hours_text(hours: int) -> str:
    if hours % 24 == 0:
        days = hours // 24
        return "once a day" if days == 1 else f"every {days} days"
    return f"every {hours} hours"


def _timing(every_hours: int) -> dict[str, Any]:
    if every_hours % 24 == 0:
        return {"repeat": {"frequency": 1, "period": every_hours // 24, "periodUnit": "d"}}
    return {"repeat": {"frequency": 1, "period": every_hours, "periodUnit": "h"}}


def _age_band(low: float | None, high: float | None) -> str | None:
    if low is None and high is None:
        return None
    if high is None:
        return f"{_num(low or 0)} years or older"
    if low is None or low == 0:
        return f"younger than {_num(high)} years"
    return f"{_num(low)} to under {_num(high)} years"


def _product(mono: Monograph, rule: DoseRule) -> Product | None:
    if rule.product:
        return next((p for p in mono.products if p.id == rule.product), None)
    return mono.products[0] if len(mono.products) == 1 else None


def _dosage(mono: Monograph, rule: DoseRule, every_hours: int, note: str | None) -> dict[str, Any]:
    """One R4 Dosage for a dose rule at a given interval."""
    dosage: dict[str, Any] = {"route": _route(rule.route)}
    if rule.schedule == "repeated" and rule.phase == "maintenance":
        dosage["timing"] = _timing(every_hours)
        when = _hours_text(every_hours)
    else:
        # A single dose, a loading dose on its day, or a dose when needed: never an interval.
        when = dose_rules.schedule_words(rule)
        if rule.schedule == "as-needed":
            dosage["asNeededBoolean"] = True
        else:
            dosage["timing"] = {"repeat": {"count": 1}}
    if rule.basis == "fixed" and rule.dose_mg is not None:
        text = f"{_num(rule.dose_mg)} mg {rule.route} {when}"
        product = _product(mono, rule)
        if product is not None and product.volume_ml is not None:
            ml = rule.dose_mg * product.volume_ml / product.strength_mg
            text += f" ({round(ml, 2)} mL of {product.name})"
        dosage["doseAndRate"] = [{"doseQuantity": _qty(rule.dose_mg, "mg")}]
    else:
        low = rule.start_mg_per_kg_min
        high = rule.start_mg_per_kg_max or low
        assert low is not None  # DoseRule guarantees it for per-kg rules
        span = f"{_num(low)}" + (f"–{_num(high)}" if high and high != low else "")
        text = f"{span} mg/kg {rule.route} {when}"
        dosage["doseAndRate"] = [
            {"doseRange": {"low": _qty(low, "mg/kg"), "high": _qty(high or low, "mg/kg")}}
        ]
        if rule.max_mg_per_kg_day is not None:
            text += f", at most {_num(rule.max_mg_per_kg_day)} mg/kg a day"
    if rule.max_dose_mg is not None:
        text += f", at most {_num(rule.max_dose_mg)} mg a day"
        dosage["maxDosePerPeriod"] = {
            "numerator": _qty(rule.max_dose_mg, "mg"),
            "denominator": _qty(1, "d"),
        }
    if rule.max_per_dose_mg is not None:
        text += f", at most {_num(rule.max_per_dose_mg)} mg per dose"
        dosage["maxDosePerAdministration"] = _qty(rule.max_per_dose_mg, "mg")
    notes = [n.text for n in rule.notes] + ([note] if note else [])
    if notes:
        dosage["additionalInstruction"] = [{"text": n} for n in notes]
    dosage["text"] = text
    return dosage


def _guideline(
    mono: Monograph, rule: DoseRule, indication: Indication | None, kidney: KidneyRule | None
) -> dict[str, Any]:
    every = kidney.every_hours if kidney is not None else rule.every_hours
    guideline: dict[str, Any] = {
        "dosage": [
            {
                "type": {"text": "weight-based" if rule.basis == "per-kg" else "fixed"},
                "dosage": [_dosage(mono, rule, every, kidney.text if kidney else None)],
            }
        ],
        "indicationCodeableConcept": {
            "text": indication.name if indication is not None else rule.indication
        },
    }
    characteristics: list[dict[str, Any]] = []
    band = _age_band(rule.age_min_years, rule.age_max_years)
    if band:
        characteristics.append({"characteristicCodeableConcept": {"text": "age"}, "value": [band]})
    if rule.weight_banded:
        characteristics.append(
            {
                "characteristicCodeableConcept": {"text": "body weight"},
                "value": [dose_rules.weight_band_words(rule)],
            }
        )
    elif rule.basis == "per-kg":
        characteristics.append(
            {"characteristicCodeableConcept": {"text": "body weight"}, "value": ["required"]}
        )
    if kidney is not None:
        characteristics.append(
            {
                "characteristicCodeableConcept": {"text": "creatinine clearance"},
                "value": [f"below {_num(kidney.crcl_below_ml_min)} mL/min"],
            }
        )
    if characteristics:
        guideline["patientCharacteristics"] = characteristics
    return guideline


def _product_resource(mono: Monograph, product: Product, contained_id: str) -> dict[str, Any]:
    # Without a stated volume the strength is per container, and no amount is claimed.
    per = (
        _qty(product.volume_ml, "mL")
        if product.volume_ml is not None
        else {"value": 1, "unit": product.form}
    )
    resource: dict[str, Any] = {
        "resourceType": "MedicationKnowledge",
        "id": contained_id,
        "status": "active",
        "code": {"text": product.name},
        "doseForm": {"text": product.form},
        "intendedRoute": [_route(product.route)],
        "ingredient": [
            {
                "itemCodeableConcept": {"text": mono.identity.generic},
                "isActive": True,
                "strength": {"numerator": _qty(product.strength_mg, "mg"), "denominator": per},
            }
        ],
    }
    if product.volume_ml is not None:
        resource["amount"] = _qty(product.volume_ml, "mL")
    return resource


def medication_knowledge(mono: Monograph) -> dict[str, Any]:
    """The monograph as a validated FHIR R4 MedicationKnowledge (JSON-ready dict)."""
    ident = mono.identity
    codings: list[dict[str, Any]] = [
        {"system": ATC_SYSTEM, "code": code, "display": ident.generic} for code in ident.atc
    ]
    for key, value in ident.identifiers.items():
        system = CODE_SYSTEMS.get(key.lower())
        if system:
            codings.append({"system": system, "code": value, "display": ident.generic})
    code: dict[str, Any] = {"text": ident.generic}
    if codings:
        code["coding"] = codings

    resource: dict[str, Any] = {
        "resourceType": "MedicationKnowledge",
        "id": _fhir_id(mono.key),
        "status": "active",
        "code": code,
    }
    if mono.document_date:
        resource["meta"] = {"lastUpdated": f"{mono.document_date.isoformat()}T00:00:00Z"}
    synonyms = list(
        dict.fromkeys([*ident.brands, *(s for s in ident.substances if s != ident.generic)])
    )
    if synonyms:
        resource["synonym"] = synonyms

    contained: list[dict[str, Any]] = []
    products = mono.products
    if len(products) == 1:
        only = products[0]
        resource["doseForm"] = {"text": only.form}
        if only.volume_ml is not None:
            resource["amount"] = _qty(only.volume_ml, "mL")
        resource["ingredient"] = _product_resource(mono, only, "x")["ingredient"]
    elif ident.substances:
        resource["ingredient"] = [
            {"itemCodeableConcept": {"text": s}, "isActive": True} for s in ident.substances
        ]
    routes = list(dict.fromkeys(p.route for p in products))
    if routes:
        resource["intendedRoute"] = [_route(r) for r in routes]
    if len(products) > 1:
        related = []
        for product in products:
            cid = _fhir_id(f"product-{product.id}")
            contained.append(_product_resource(mono, product, cid))
            related.append({"reference": f"#{cid}", "display": product.name})
        resource["relatedMedicationKnowledge"] = [
            {"type": {"text": "product"}, "reference": related}
        ]
    if ident.drug_class:
        resource["medicineClassification"] = [
            {"type": {"text": "drug class"}, "classification": [{"text": ident.drug_class}]}
        ]

    guidelines: list[dict[str, Any]] = []
    for rule in mono.dose_rules:
        indication = next((i for i in mono.indications if i.id == rule.indication), None)
        guidelines.append(_guideline(mono, rule, indication, None))
        for kidney in mono.kidney_rules:
            if not kidney.applies_to or rule.id in kidney.applies_to:
                guidelines.append(_guideline(mono, rule, indication, kidney))
    if guidelines:
        resource["administrationGuidelines"] = guidelines

    contraindications = []
    for screen in mono.screening:
        if screen.kind != "contraindication":
            continue
        cid = _fhir_id(f"ci-{screen.trigger}")
        if any(c["id"] == cid for c in contained):
            continue
        contained.append(
            {
                "resourceType": "DetectedIssue",
                "id": cid,
                "status": "final",
                "severity": screen.severity,
                "code": {
                    "coding": [{"system": TRIGGER_SYSTEM, "code": screen.trigger}],
                    "text": screen.title,
                },
                "detail": screen.detail,
            }
        )
        contraindications.append({"reference": f"#{cid}", "display": screen.title})
    if contraindications:
        resource["contraindication"] = contraindications

    if mono.monitoring:
        resource["monitoringProgram"] = [
            {"type": {"text": "monitoring"}, "name": f"{m.test}: {m.why}"} for m in mono.monitoring
        ]

    monographs = []
    for src in mono.sources:
        cid = _fhir_id(f"src-{src.id}")
        attachment: dict[str, Any] = {"title": src.document}
        if src.url:
            attachment["url"] = src.url
        if src.reviewed:
            attachment["creation"] = f"{src.reviewed.isoformat()}T00:00:00Z"
        document: dict[str, Any] = {
            "resourceType": "DocumentReference",
            "id": cid,
            "status": "current",
            "description": f"{src.publisher}: {src.document}",
            "content": [{"attachment": attachment}],
        }
        if src.reference:
            document["description"] += f" ({src.reference})"
        contained.append(document)
        monographs.append(
            {
                "type": {"text": src.kind.value},
                "source": {"reference": f"#{cid}", "display": f"{src.publisher}: {src.document}"},
            }
        )
    if monographs:
        resource["monograph"] = monographs
    if contained:
        resource["contained"] = contained

    # Validation is the point: a resource that R4 would reject must never leave the server.
    # Imported here, not at start-up: the FHIR model classes take a second to load.
    from fhir.resources.R4B.medicationknowledge import MedicationKnowledge

    validated = MedicationKnowledge.model_validate(resource)
    out: dict[str, Any] = validated.model_dump(mode="json", exclude_none=True)
    return out


def build_fhir_router(service: Service) -> APIRouter:
    router = APIRouter(prefix="/fhir", tags=["fhir"])

    @router.get(
        "/MedicationKnowledge/{id}",
        summary="A medicine as a FHIR R4 MedicationKnowledge",
        response_class=Response,
        responses={
            200: {"content": {FHIR_JSON: {}}, "description": "FHIR R4 MedicationKnowledge."},
            404: {"content": {FHIR_JSON: {}}, "description": "OperationOutcome: unknown id."},
            422: {"content": {FHIR_JSON: {}}, "description": "OperationOutcome: invalid id."},
        },
    )
    def medication_knowledge_read(
        id: Annotated[
            str, Path(min_length=1, max_length=200, description="Drug key or any known name.")
        ],
    ) -> Response:
        import json

        mono = service.monograph(id, None)
        body = json.dumps(medication_knowledge(mono), ensure_ascii=False)
        return Response(content=body.encode(), media_type=FHIR_JSON)

    return router
