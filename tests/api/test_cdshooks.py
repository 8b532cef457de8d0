"""CDS Hooks 2.0: discovery, order-sign and order-select calls with FHIR R4 resources."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from druginfo.interfaces.cdshooks import SERVICES, CDSError, CDSHooksService, HookRequest
from druginfo.interfaces.cdshooks.cards import _ordered
from druginfo.interfaces.cdshooks.fhir_record import _age_years

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
PATIENT_ID = "pat-1"


def med_request(
    rid: str,
    text: str | None = None,
    *,
    status: str = "draft",
    coding_display: str | None = None,
    dose_mg: float | None = None,
    every_days: int | None = None,
    reason: str | None = None,
    medication_reference: str | None = None,
    contained: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": status,
        "intent": "order",
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
    }
    if medication_reference:
        res["medicationReference"] = {"reference": medication_reference}
    else:
        concept: dict[str, Any] = {}
        if text:
            concept["text"] = text
        if coding_display:
            concept["coding"] = [{"system": "urn:test", "code": "x", "display": coding_display}]
        res["medicationCodeableConcept"] = concept
    if contained:
        res["contained"] = contained
    if reason:
        res["reasonCode"] = [{"text": reason}]
    if dose_mg is not None or every_days is not None:
        dosage: dict[str, Any] = {}
        if dose_mg is not None:
            dosage["doseAndRate"] = [
                {"doseQuantity": {"value": dose_mg, "unit": "mg", "system": UCUM, "code": "mg"}}
            ]
        if every_days is not None:
            dosage["timing"] = {"repeat": {"frequency": 1, "period": every_days, "periodUnit": "d"}}
        res["dosageInstruction"] = [dosage]
    return res


def bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection" if not resources else "searchset",
        "entry": [{"resource": r} for r in resources],
    }


def observation(code: str, value: float, unit: str, when: str = "2026-11-01") -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": f"obs-{code}",
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": code}]},
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "effectiveDateTime": when,
        "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
    }


def patient(birth: str = "1990-03-04", gender: str = "female") -> dict[str, Any]:
    return {"resourceType": "Patient", "id": PATIENT_ID, "birthDate": birth, "gender": gender}


def full_prefetch(**overrides: Any) -> dict[str, Any]:
    prefetch: dict[str, Any] = {
        "patient": patient(),
        "medications": bundle(),
        "conditions": bundle(
            {
                "resourceType": "Condition",
                "id": "c1",
                "clinicalStatus": {"coding": [{"code": "active"}]},
                "code": {"text": "rheumatoid arthritis"},
            }
        ),
        "allergies": bundle(),
        "weight": bundle(observation("29463-7", 70, "kg")),
        "kidney": bundle(observation("2164-2", 90, "mL/min")),
        "pregnancy": bundle(),
    }
    prefetch.update(overrides)
    return prefetch


def hook_call(
    drafts: list[dict[str, Any]],
    prefetch: dict[str, Any] | None,
    hook: str = "order-sign",
    selections: list[str] | None = None,
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "userId": "Practitioner/example",
        "patientId": PATIENT_ID,
        "draftOrders": bundle(*drafts),
    }
    if selections is not None:
        context["selections"] = selections
    body: dict[str, Any] = {"hook": hook, "hookInstance": str(uuid.uuid4()), "context": context}
    if prefetch is not None:
        body["prefetch"] = prefetch
    return body


def cards_of(client: TestClient, service: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    r = client.post(f"/cds-services/{service}", json=body)
    assert r.status_code == 200, r.text
    cards: list[dict[str, Any]] = r.json()["cards"]
    for card in cards:
        assert card["indicator"] in {"info", "warning", "critical"}
        assert 0 < len(card["summary"]) <= 140
        assert card["source"]["label"] == "druginfo"
        if card.get("suggestions"):
            assert card["selectionBehavior"] in {"at-most-one", "any"}
    return cards


def test_discovery(client: TestClient) -> None:
    services = client.get("/cds-services").json()["services"]
    by_id = {s["id"]: s for s in services}
    assert by_id["druginfo-order-sign"]["hook"] == "order-sign"
    assert by_id["druginfo-order-select"]["hook"] == "order-select"
    for s in services:
        assert s["title"] and s["description"]
        assert s["prefetch"]["patient"] == "Patient/{{context.patientId}}"
        assert "status=active" in s["prefetch"]["medications"]
        assert "29463-7" in s["prefetch"]["weight"]


def test_kineret_with_active_enbrel_is_critical(client: TestClient) -> None:
    enbrel = med_request("enbrel-1", "Enbrel 50 mg weekly", status="active")
    draft = med_request("kineret-draft", "Kineret", reason="rheumatoid arthritis")
    prefetch = full_prefetch(medications=bundle(enbrel))
    cards = cards_of(client, "druginfo-order-sign", hook_call([draft], prefetch))
    critical = [c for c in cards if c["indicator"] == "critical"]
    assert critical, cards
    tnf = next(c for c in critical if c["source"]["topic"]["code"] == "tnf-inhibitor")
    assert "TNF" in tnf["summary"] + tnf["detail"]
    assert "Enbrel" in tnf["detail"]
    assert "**Sources**" in tnf["detail"]
    actions = tnf["suggestions"][0]["actions"]
    assert actions == [
        {
            "type": "delete",
            "description": actions[0]["description"],
            "resourceId": "MedicationRequest/kineret-draft",
        }
    ]
    # Critical cards come first.
    assert cards[0]["indicator"] == "critical"


def test_same_call_without_enbrel_has_no_critical_card(client: TestClient) -> None:
    draft = med_request("kineret-draft", "Kineret", reason="rheumatoid arthritis")
    cards = cards_of(client, "druginfo-order-sign", hook_call([draft], full_prefetch()))
    assert not [c for c in cards if c["indicator"] == "critical"], cards
    dose = next(c for c in cards if c["source"]["topic"]["code"] == "dose")
    assert "100 mg" in dose["summary"]
    assert "70" in dose["detail"]  # the weight it used is shown


def test_drug_from_coding_display_and_contained_medication(client: TestClient) -> None:
    by_display = med_request("d1", coding_display="anakinra 100 MG in 0.67 ML Prefilled Syringe")
    contained = {
        "resourceType": "Medication",
        "id": "med1",
        "code": {"coding": [{"system": "urn:test", "code": "k", "display": "Kineret"}]},
    }
    by_ref = med_request("d2", medication_reference="#med1", contained=[contained])
    enbrel = med_request("e1", "etanercept", status="active")
    prefetch = full_prefetch(medications=bundle(enbrel))
    for draft in (by_display, by_ref):
        cards = cards_of(client, "druginfo-order-sign", hook_call([draft], prefetch))
        assert any(
            c["indicator"] == "critical" and c["source"]["topic"]["code"] == "tnf-inhibitor"
            for c in cards
        ), cards


def test_two_drafts_are_checked_against_each_other(client: TestClient) -> None:
    kineret = med_request("k1", "Kineret")
    humira = med_request("h1", "Humira 40 mg")
    cards = cards_of(client, "druginfo-order-sign", hook_call([kineret, humira], full_prefetch()))
    assert any(c["source"]["topic"]["code"] == "tnf-inhibitor" for c in cards), cards


def test_missing_prefetch_is_said_not_assumed(client: TestClient) -> None:
    draft = med_request("kineret-draft", "Kineret")
    cards = cards_of(client, "druginfo-order-sign", hook_call([draft], None))
    incomplete = next(c for c in cards if c["source"]["topic"]["code"] == "record-incomplete")
    assert incomplete["indicator"] == "warning"
    assert "interactions were not checked" in incomplete["detail"]
    # The engine's own cannot-decide alerts become cards naming what is missing.
    assert any("Missing:" in (c.get("detail") or "") for c in cards), cards


def test_kidney_record_and_ordered_interval(client: TestClient) -> None:
    draft = med_request("k1", "Kineret", dose_mg=100, every_days=1, reason="rheumatoid arthritis")
    prefetch = full_prefetch(kidney=bundle(observation("2164-2", 25, "mL/min")))
    cards = cards_of(client, "druginfo-order-sign", hook_call([draft], prefetch))
    topics = {c["source"]["topic"]["code"]: c for c in cards}
    # The label says the prescriber should *consider* every other day: the interval is left
    # to the prescriber, and a daily order is not flagged as wrong.
    assert "interval: prescriber to decide" in topics["dose"]["summary"]
    assert "ordered-interval" not in topics
    assert "consider" in topics["dose"]["detail"]
    assert "severe-kidney-disease" in topics


def test_ordered_overdose_is_flagged(client: TestClient) -> None:
    draft = med_request("k1", "Kineret", dose_mg=200, every_days=1, reason="rheumatoid arthritis")
    cards = cards_of(client, "druginfo-order-sign", hook_call([draft], full_prefetch()))
    over = next(c for c in cards if c["source"]["topic"]["code"] == "ordered-dose")
    assert "200 mg" in over["summary"] and "100 mg" in over["summary"]


def test_weight_in_pounds_and_creatinine_in_umol(client: TestClient) -> None:
    draft = med_request("k1", "Kineret", reason="rheumatoid arthritis")
    prefetch = full_prefetch(
        weight=bundle(observation("29463-7", 154, "[lb_av]")),
        kidney=bundle(observation("14682-9", 80, "umol/L")),
    )
    cards = cards_of(client, "druginfo-order-sign", hook_call([draft], prefetch))
    dose = next(c for c in cards if c["source"]["topic"]["code"] == "dose")
    assert "weight 69.9 kg" in dose["detail"]
    assert "serum creatinine 0.905 mg/dL" in dose["detail"]


def test_implausible_record_value_is_left_out_not_fatal(client: TestClient) -> None:
    draft = med_request("k1", "Kineret", reason="rheumatoid arthritis")
    prefetch = full_prefetch(weight=bundle(observation("29463-7", 4000, "kg")))
    cards = cards_of(client, "druginfo-order-sign", hook_call([draft], prefetch))
    rejected = next(c for c in cards if c["source"]["topic"]["code"].startswith("record-rejected"))
    assert "weight_kg" in rejected["detail"]


def test_order_select_checks_only_the_selection(client: TestClient) -> None:
    kineret = med_request("k1", "Kineret")
    enbrel = med_request("e1", "Enbrel")
    body = hook_call(
        [kineret, enbrel], full_prefetch(), hook="order-select", selections=["MedicationRequest/k1"]
    )
    cards = cards_of(client, "druginfo-order-select", body)
    tnf = [c for c in cards if c["source"]["topic"]["code"] == "tnf-inhibitor"]
    assert len(tnf) == 1  # Kineret checked (Enbrel counted as a medicine), Enbrel itself not
    assert "Kineret" in tnf[0]["summary"]


def test_unknown_medicine_gets_a_not_checked_card(client: TestClient) -> None:
    draft = med_request("x1", "Zzyzx-unknown-medicine 5 mg")
    cards = cards_of(client, "druginfo-order-sign", hook_call([draft], full_prefetch()))
    assert [c["source"]["topic"]["code"] for c in cards] == ["not-checked"]


def test_non_medication_orders_and_empty_bundle(client: TestClient) -> None:
    service_request = {"resourceType": "ServiceRequest", "id": "s1", "status": "draft"}
    cards = cards_of(client, "druginfo-order-sign", hook_call([service_request], None))
    assert cards == []


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda b: b.pop("context"), "context"),
        (lambda b: b["context"].pop("patientId"), "context.patientId"),
        (lambda b: b["context"].__setitem__("draftOrders", {"resourceType": "Patient"}), None),
        (lambda b: b.__setitem__("hook", "patient-view"), "hook"),
        (lambda b: b["context"]["draftOrders"].__setitem__("entry", [{"no": 1}]), None),
    ],
)
def test_malformed_calls_are_400(client: TestClient, mutate: Any, field: str | None) -> None:
    body = hook_call([med_request("k1", "Kineret")], full_prefetch())
    mutate(body)
    r = client.post("/cds-services/druginfo-order-sign", json=body)
    assert r.status_code == 400, r.text
    err = r.json()
    assert err["error"]
    if field:
        assert err["field"] == field


def test_order_select_without_selections_is_400(client: TestClient) -> None:
    body = hook_call([med_request("k1", "Kineret")], full_prefetch(), hook="order-select")
    r = client.post("/cds-services/druginfo-order-select", json=body)
    assert r.status_code == 400
    assert r.json()["field"] == "context.selections"


def test_unknown_service_is_404(client: TestClient) -> None:
    body = hook_call([med_request("k1", "Kineret")], None)
    r = client.post("/cds-services/no-such-service", json=body)
    assert r.status_code == 404
    assert r.json()["field"] == "id"


def test_not_json_is_400(client: TestClient) -> None:
    r = client.post(
        "/cds-services/druginfo-order-sign",
        content=b"<xml/>",
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 400


@pytest.mark.parametrize(
    ("birth", "expected"),
    [
        ("1990-03-04", 36),
        ("1990-12-31", 35),
        ("1990-06", 36),  # every day of June 1990 gives 36 on 2026-11-24
        ("1990", None),  # 35 or 36: not decided
        ("2026-11-25", None),  # not born yet
        ("garbage", None),
    ],
)
def test_age_from_birth_date(birth: str, expected: int | None) -> None:
    assert _age_years(birth, dt.date(2026, 11, 24)) == expected


def test_ordered_dose_reading() -> None:
    assert _ordered(med_request("a", "x", dose_mg=100, every_days=2)) == (100.0, 48.0)
    assert _ordered(med_request("a", "x")) == (None, None)
    twice_daily = med_request("a", "x", dose_mg=50)
    twice_daily["dosageInstruction"][0]["timing"] = {
        "repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}
    }
    assert _ordered(twice_daily) == (50.0, 12.0)


# --- odd but well-formed records never crash the service -------------------------------------

JSON_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
NAMES = st.sampled_from(["Kineret", "anakinra", "Enbrel", "Humira 40 mg", "methotrexate", "MMR"])


def _quantity_value() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "value": JSON_SCALAR,
            "unit": st.sampled_from(
                ["kg", "[lb_av]", "g", "mg/dL", "umol/L", "mL/min", "stone", ""]
            ),
        },
        optional={"comparator": st.sampled_from(["<", ">", "<="])},
    )


OBSERVATIONS = st.builds(
    lambda code, q, when, status: {
        "resourceType": "Observation",
        "status": status,
        "code": {"coding": [{"system": LOINC, "code": code}]},
        "effectiveDateTime": when,
        "valueQuantity": q,
    },
    st.sampled_from(["29463-7", "2160-0", "14682-9", "2164-2", "62238-1", "82810-3"]),
    _quantity_value(),
    st.one_of(st.text(max_size=12), st.dates().map(str)),
    st.sampled_from(["final", "amended", "entered-in-error", "preliminary"]),
)
PATIENTS = st.fixed_dictionaries(
    {"resourceType": st.just("Patient")},
    optional={
        "birthDate": st.one_of(st.text(max_size=12), st.dates().map(str)),
        "gender": st.one_of(st.sampled_from(["female", "male", "other", "unknown"]), JSON_SCALAR),
    },
)
DRAFTS = st.builds(
    lambda rid, name, dose, period, unit, freq: {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": "draft",
        "medicationCodeableConcept": {"text": name},
        "dosageInstruction": [
            {
                "doseAndRate": [{"doseQuantity": {"value": dose, "unit": "mg"}}],
                "timing": {"repeat": {"frequency": freq, "period": period, "periodUnit": unit}},
            }
        ],
    },
    st.text(alphabet="abc123-", min_size=1, max_size=8),
    st.one_of(NAMES, st.text(max_size=30)),
    JSON_SCALAR,
    JSON_SCALAR,
    st.sampled_from(["h", "d", "wk", "mo", "a", "", "s"]),
    JSON_SCALAR,
)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    drafts=st.lists(DRAFTS, min_size=1, max_size=3),
    patient_res=PATIENTS,
    observations=st.lists(OBSERVATIONS, max_size=5),
    meds=st.lists(NAMES, max_size=3),
    include=st.lists(st.sampled_from(["patient", "medications", "weight", "kidney"]), unique=True),
)
def test_odd_records_never_crash(
    service: Any,
    drafts: list[dict[str, Any]],
    patient_res: dict[str, Any],
    observations: list[dict[str, Any]],
    meds: list[str],
    include: list[str],
) -> None:
    available = {
        "patient": patient_res,
        "medications": bundle(
            *(med_request(f"m{i}", n, status="active") for i, n in enumerate(meds))
        ),
        "weight": bundle(*observations),
        "kidney": bundle(*observations),
    }
    body = hook_call(drafts, {k: available[k] for k in include})
    request = HookRequest.model_validate(body)
    cds = CDSHooksService(service)
    try:
        response = cds.call(SERVICES["druginfo-order-sign"], request, "http://druginfo.test/")
    except CDSError:
        return
    for card in response.cards:
        assert len(card.summary) <= 140


def test_refused_list_item_is_dropped_alone(client: TestClient) -> None:
    long_name = "x" * 600  # longer than the engine accepts for one name
    meds = bundle(
        med_request("m1", long_name, status="active"),
        med_request("m2", "Enbrel", status="active"),
    )
    draft = med_request("k1", "Kineret", reason="rheumatoid arthritis")
    cards = cards_of(
        client, "druginfo-order-sign", hook_call([draft], full_prefetch(medications=meds))
    )
    topics = {c["source"]["topic"]["code"] for c in cards}
    assert "tnf-inhibitor" in topics  # Enbrel still checked
    assert any(t.startswith("record-rejected") for t in topics)


def test_many_bundled_medicines_as_drafts(service: Any, client: TestClient) -> None:
    # Every 15th medicine of the bundled store, ordered beside an active TNF blocker: each
    # gets cards (or a not-checked card), never an error.
    drugs = service.list_drugs()[::15]
    assert len(drugs) > 20
    prefetch = full_prefetch(medications=bundle(med_request("e", "Enbrel", status="active")))
    for drug in drugs:
        draft = med_request("d", drug.name)
        cards = cards_of(client, "druginfo-order-sign", hook_call([draft], prefetch))
        assert cards, drug.key


def test_monitoring_calendar_counts_from_the_order(client: TestClient) -> None:
    draft = med_request("k1", "Kineret", reason="rheumatoid arthritis")
    draft["authoredOn"] = "2026-12-01"
    cards = cards_of(client, "druginfo-order-sign", hook_call([draft], full_prefetch()))
    monitoring = next(c for c in cards if c["source"]["topic"]["code"] == "monitoring")
    assert monitoring["indicator"] == "info"
    assert "neutrophil" in monitoring["summary"].lower()
    assert "2026-12-01 (the order date)" in monitoring["detail"]
    assert "**2027-" in monitoring["detail"]  # repeat tests fall after the start
    # The start came from the order, so no card asks for a start date.
    assert not any(c["source"]["topic"]["code"] == "start-date" for c in cards)
    assert not any("start_date" in (c.get("detail") or "") for c in cards)
