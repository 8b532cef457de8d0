"""FHIR R4 MedicationKnowledge, validated with the R4B classes of fhir.resources."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from fhir.resources.R4B.medicationknowledge import MedicationKnowledge
from fhir.resources.R4B.operationoutcome import OperationOutcome

from druginfo.interfaces.fhir import medication_knowledge
from druginfo.service import Service


def get_mk(client: TestClient, name: str) -> dict[str, Any]:
    r = client.get(f"/fhir/MedicationKnowledge/{name}")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/fhir+json")
    body: dict[str, Any] = r.json()
    MedicationKnowledge.model_validate(body)  # raises if not valid R4
    return body


def test_anakinra_is_valid_r4_with_brand(client: TestClient) -> None:
    mk = get_mk(client, "anakinra")
    assert mk["resourceType"] == "MedicationKnowledge"
    assert mk["id"] == "anakinra"
    assert mk["status"] == "active"
    assert mk["code"]["text"] == "anakinra"
    assert "Kineret" in mk["synonym"]
    atc = [c for c in mk["code"]["coding"] if c["system"] == "http://www.whocc.no/atc"]
    assert [c["code"] for c in atc] == ["L04AC03"]


def test_strength_amount_and_route(client: TestClient) -> None:
    mk = get_mk(client, "Kineret")
    strength = mk["ingredient"][0]["strength"]
    assert strength["numerator"]["value"] == 100
    assert strength["numerator"]["code"] == "mg"
    assert strength["denominator"]["value"] == 0.67
    assert strength["denominator"]["code"] == "mL"
    assert mk["amount"]["value"] == 0.67
    route = mk["intendedRoute"][0]
    assert route["coding"][0]["code"] == "34206005"


def dosages(mk: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [
        (guideline, dosage)
        for guideline in mk["administrationGuidelines"]
        for group in guideline["dosage"]
        for dosage in group["dosage"]
    ]


def test_dose_rules_become_dosages(client: TestClient) -> None:
    mk = get_mk(client, "anakinra")
    found = dosages(mk)
    adult = [
        d
        for g, d in found
        if g["indicationCodeableConcept"]["text"].lower() == "rheumatoid arthritis"
        and d["timing"]["repeat"] == {"frequency": 1, "period": 1, "periodUnit": "d"}
    ]
    assert adult and adult[0]["doseAndRate"][0]["doseQuantity"]["value"] == 100
    # The kidney rule appears as its own guideline: same dose, every 2 days, for CrCl < 30.
    kidney = [
        (g, d)
        for g, d in found
        if any(
            c["characteristicCodeableConcept"]["text"] == "creatinine clearance"
            for c in g.get("patientCharacteristics", [])
        )
    ]
    assert kidney
    assert all(d["timing"]["repeat"]["period"] == 2 for _, d in kidney)
    # Weight-based rules give a mg/kg range, never a fixed dose.
    per_kg = [d for _, d in found if "doseRange" in d["doseAndRate"][0]]
    assert per_kg and all(
        d["doseAndRate"][0]["doseRange"]["low"]["code"] == "mg/kg" for d in per_kg
    )


def test_contraindications_and_sources_are_contained(client: TestClient) -> None:
    mk = get_mk(client, "anakinra")
    contained = {c["id"]: c for c in mk["contained"]}
    for ref in mk["contraindication"]:
        issue = contained[ref["reference"].lstrip("#")]
        assert issue["resourceType"] == "DetectedIssue"
        assert issue["severity"] in {"high", "moderate", "low"}
    codes = {
        contained[r["reference"][1:]]["code"]["coding"][0]["code"] for r in mk["contraindication"]
    }
    assert "e-coli-protein-allergy" in codes
    docs = [contained[m["source"]["reference"][1:]] for m in mk["monograph"]]
    assert all(d["resourceType"] == "DocumentReference" for d in docs)
    assert any("European Medicines Agency" in d["description"] for d in docs)


def test_unknown_id_is_operation_outcome(client: TestClient) -> None:
    r = client.get("/fhir/MedicationKnowledge/zzzz-no-such-drug")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/fhir+json")
    outcome = r.json()
    OperationOutcome.model_validate(outcome)
    assert outcome["issue"][0]["code"] == "not-found"


def test_every_bundled_medicine_is_valid_r4(service: Service) -> None:
    # Curated and ingested monographs alike (the EU leaflets carry no rules): R4 for all.
    drugs = service.list_drugs()
    assert len(drugs) > 100
    for drug in drugs:
        mono = service.store.get_monograph(drug.key, None)
        assert mono is not None, drug.key
        mk = medication_knowledge(mono)
        MedicationKnowledge.model_validate(mk)
        assert mk["code"]["text"] == mono.identity.generic
