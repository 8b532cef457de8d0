"""The REST API over the bundled data: contract shapes, clinical answers and 4xx errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from druginfo.engine.profile import KIDNEY_FIELDS, PASS_THROUGH_FIELDS, PROFILE_FIELDS
from druginfo.interfaces.api import KidneyIn, ProfileIn
from druginfo.interfaces.app import app_from_env
from druginfo.model import CheckResult
from support.bundled_store import bundled_db_url

CHECK_KEYS = {
    "drug", "decision", "regimen", "alerts", "monitoring", "sources", "coverage", "product",
}  # fmt: skip
ALERT_KEYS = {"kind", "trigger", "severity", "title", "detail", "matched", "sources", "basis"}
REGIMEN_KEYS = {
    "dose_mg",
    "every_hours",
    "volume_ml",
    "route",
    "max_dose_mg_per_kg_day",
    "notes",
    "sources",
}

ADULT_RA: dict[str, Any] = {
    "age_years": 34,
    "weight_kg": "70 kg",
    "sex": "female",
    "pregnant": False,
    "breastfeeding": False,
    "indication": "rheumatoid arthritis",
    "conditions": ["rheumatoid arthritis"],
    "kidney": {"crcl_ml_min": 90},
    "allergies": [],
    "medications": ["methotrexate"],
    "planned_vaccines": [],
    "start_date": "2026-12-01",
}


def check(client: TestClient, profile: dict[str, Any], drug: str = "anakinra") -> Any:
    return client.post("/api/check", json={"drug": drug, "profile": profile})


def test_profile_schema_has_every_engine_field() -> None:
    # The documented schema must accept exactly what the engine parses, or the API would
    # refuse valid profiles (or document fields that do not exist).
    assert set(ProfileIn.model_fields) == set(PROFILE_FIELDS) | set(PASS_THROUGH_FIELDS)
    assert set(KidneyIn.model_fields) == set(KIDNEY_FIELDS)


def test_openapi_lists_the_contract_paths(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert doc["info"]["title"] == "druginfo"
    for path in (
        "/api/drugs",
        "/api/drugs/{name}",
        "/api/search",
        "/api/check",
        "/api/check.ics",
        "/api/advise",
        "/api/reconcile/{name}",
        "/cds-services",
        "/cds-services/{service_id}",
        "/fhir/MedicationKnowledge/{id}",
    ):
        assert path in doc["paths"], path
    check_op = doc["paths"]["/api/check"]["post"]
    ok = check_op["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["$ref"].endswith("/CheckResult")
    # Errors are documented with the shape we actually send.
    err = check_op["responses"]["422"]["content"]["application/json"]["schema"]
    assert err["$ref"].endswith("/ErrorBody")
    profile = doc["components"]["schemas"]["ProfileIn"]
    assert profile["additionalProperties"] is False
    assert "weight_kg" in profile["properties"]


def test_openapi_document_is_valid(app: Any) -> None:
    import schemathesis

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    schema.validate()  # raises on an invalid OpenAPI document


def test_health(client: TestClient) -> None:
    body = client.get("/api/health").json()
    assert body["status"] == "ok"
    assert body["drugs"] >= 1


def test_list_drugs_includes_anakinra(client: TestClient) -> None:
    drugs = client.get("/api/drugs").json()
    anakinra = next(d for d in drugs if d["key"] == "anakinra")
    assert "Kineret" in anakinra["brands"]


@pytest.mark.parametrize("name", ["anakinra", "Kineret", "KINERET", "Anakinara"])
def test_monograph_by_any_name(client: TestClient, name: str) -> None:
    r = client.get(f"/api/drugs/{name}")
    assert r.status_code == 200, r.text
    mono = r.json()
    assert mono["key"] == "anakinra"
    assert "Kineret" in mono["identity"]["brands"]
    claim_ids = {c["id"] for c in mono["claims"]}
    source_ids = {s["id"] for s in mono["sources"]}
    assert all(c["source"] in source_ids for c in mono["claims"])
    assert all(set(rule["claims"]) <= claim_ids for rule in mono["dose_rules"])


def test_search_finds_by_brand(client: TestClient) -> None:
    hits = client.get("/api/search", params={"q": "kineret", "limit": 5}).json()
    assert hits and hits[0]["key"] == "anakinra"
    assert len(hits) <= 5


def test_check_result_has_the_contract_shape(client: TestClient) -> None:
    r = check(client, ADULT_RA)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) >= CHECK_KEYS  # CONTRACT: extend freely (e.g. "avoid")
    assert body["drug"]["generic"] == "anakinra"
    assert "Kineret" in body["drug"]["brands"]
    assert body["decision"] in {"ok", "caution", "do-not-use", "cannot-decide"}
    assert set(body["regimen"]) >= REGIMEN_KEYS
    for alert in body["alerts"]:
        assert set(alert) >= ALERT_KEYS
        assert set(alert["sources"]) <= set(body["sources"])
        assert alert["basis"] in {"curated", "leaflet", "label", "table", "class"}
    assert body["regimen"]["basis"] == "curated"
    assert body["coverage"]["summary"].startswith("screened against:")
    for item in body["monitoring"]:
        assert {"test", "due", "why", "sources"} <= set(item)
    for ref in body["sources"].values():
        assert {"publisher", "document", "quote", "reviewed"} <= set(ref)
        assert ref["quote"].strip()
    CheckResult.model_validate(body)


def test_check_adult_dose_is_100_mg_daily(client: TestClient) -> None:
    regimen = check(client, ADULT_RA).json()["regimen"]
    assert regimen["dose_mg"] == 100
    assert regimen["every_hours"] == 24
    assert regimen["volume_ml"] == pytest.approx(0.67)
    assert regimen["sources"]


def test_check_severe_kidney_disease_spaces_doses(client: TestClient) -> None:
    body = check(client, {**ADULT_RA, "kidney": {"crcl_ml_min": 25}}).json()
    # "should consider every other day": the prescriber's choice, not a fixed 48 h.
    assert body["regimen"]["every_hours"] is None
    assert any("48 hours" in n and "consider" in n for n in body["regimen"]["notes"])
    assert "severe-kidney-disease" in {a["trigger"] for a in body["alerts"]}


def test_check_tnf_blocker_is_do_not_use(client: TestClient) -> None:
    profile = {**ADULT_RA, "medications": ["Enbrel 50 mg weekly"]}
    body = check(client, profile).json()
    assert body["decision"] == "do-not-use"
    tnf = next(a for a in body["alerts"] if a["trigger"] == "tnf-inhibitor")
    assert tnf["severity"] == "high"
    assert "Enbrel" in (tnf["matched"] or "")


def test_check_drug_inside_profile(client: TestClient) -> None:
    r = client.post("/api/check", json={"profile": {**ADULT_RA, "drug": "Kineret"}})
    assert r.status_code == 200, r.text
    assert r.json()["drug"]["generic"] == "anakinra"


def test_check_without_weight_for_child_cannot_decide(client: TestClient) -> None:
    profile = {"age_years": 6, "indication": "NOMID"}
    body = check(client, profile).json()
    missing = [a for a in body["alerts"] if a["kind"] == "cannot-decide"]
    assert any(a.get("field") == "weight_kg" for a in missing), body["alerts"]


@pytest.mark.parametrize(
    ("profile", "field"),
    [
        ({"weight_kg": -5}, "weight_kg"),
        ({"weight_kg": "heavy"}, "weight_kg"),
        ({"weight_kg": "900 kg"}, "weight_kg"),
        ({"weight_kg": [70]}, "weight_kg"),
        ({"age_years": 250}, "age_years"),
        ({"kidney": {"crcl_ml_min": "fast"}}, "kidney.crcl_ml_min"),
        ({"pregnant": "yes"}, "pregnant"),
        ({"start_date": "tomorrow"}, "start_date"),
        ({"wieght_kg": 70}, "wieght_kg"),
    ],
)
def test_bad_profile_is_422_naming_the_field(
    client: TestClient, profile: dict[str, Any], field: str
) -> None:
    r = check(client, profile)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == field
    assert body["error"]


def test_unknown_drug_is_404_with_suggestions(client: TestClient) -> None:
    r = check(client, ADULT_RA, drug="anakinrax kineretz")
    assert r.status_code == 404, r.text
    body = r.json()
    assert body["field"] == "drug"
    assert "anakinrax kineretz" in body["error"]
    assert isinstance(body["suggestions"], list)

    r = client.get("/api/drugs/Kinerettt-xyz")
    assert r.status_code == 404
    body = r.json()
    assert body["field"] == "name"
    assert any("kineret" in s.lower() or "anakinra" in s.lower() for s in body["suggestions"])


def test_missing_drug_is_422(client: TestClient) -> None:
    r = client.post("/api/check", json={"profile": ADULT_RA})
    assert r.status_code == 422
    assert r.json()["field"] == "drug"


def test_invalid_json_is_422_on_body(client: TestClient) -> None:
    r = client.post(
        "/api/check", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 422
    assert r.json()["field"] == "body"


def test_check_ics_is_a_calendar(client: TestClient) -> None:
    r = client.post("/api/check.ics", json={"drug": "Kineret", "profile": ADULT_RA})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/calendar")
    text = r.text
    assert text.startswith("BEGIN:VCALENDAR")
    assert "BEGIN:VEVENT" in text
    assert "DTSTART;VALUE=DATE:20261201" in text


def test_advise_missed_dose(client: TestClient) -> None:
    r = client.post("/api/advise", json={"drug": "Kineret", "event": "missed-dose"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["event"] == "missed-dose"
    assert body["steps"]
    cited = {s for step in body["steps"] for s in step["sources"]}
    assert cited and cited <= set(body["sources"])


def test_unknown_event_is_422(client: TestClient) -> None:
    r = client.post("/api/advise", json={"drug": "anakinra", "event": "alien-abduction"})
    assert r.status_code == 422
    body = r.json()
    assert body["field"] == "event"
    assert "missed-dose" in body["error"]


def test_reconcile(client: TestClient) -> None:
    r = client.get("/api/reconcile/Kineret")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["drug"] == "anakinra"
    statuses = {f["status"] for f in body["findings"]}
    assert statuses <= {"agree", "conflict", "only-one-source", "new-stale", "error"}
    assert {n["topic"] for n in body["notes"]} >= {"missed-dose", "breastfeeding"}
    missed = next(f for f in body["findings"] if f["topic"] == "missed-dose")
    assert missed["status"] == "conflict" and len(missed["facts"]) >= 2
    assert all(x["quote"] and "date" in x for x in missed["facts"])


def test_bad_query_parameters(client: TestClient) -> None:
    r = client.get("/api/search", params={"q": "kineret", "limit": 0})
    assert (r.status_code, r.json()["field"]) == (422, "limit")
    r = client.get("/api/search")
    assert (r.status_code, r.json()["field"]) == (422, "q")
    r = client.get("/api/drugs/anakinra", params={"lang": "not a language"})
    assert (r.status_code, r.json()["field"]) == (422, "lang")


def test_unknown_api_path_is_json_404(client: TestClient) -> None:
    r = client.get("/api/nothing-here")
    assert r.status_code == 404
    assert r.json()["error"]


def test_web_paths_keep_their_html_errors(client: TestClient) -> None:
    r = client.get("/drugs/zzzz-no-such-medicine")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")


def test_app_from_env_serves_the_named_store(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = bundled_db_url(tmp_path / "env.db")
    monkeypatch.setenv("DRUGINFO_DB", url)
    with TestClient(app_from_env()) as c:
        assert c.get("/api/drugs/kineret").json()["key"] == "anakinra"
