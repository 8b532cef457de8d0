"""Bad input to the machine interfaces is a 4xx, never a 500 and never slow: numbers with
hundreds of digits, over-long names, oversized bodies; and the signed-in routes of one's own
records answer only their owner."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from druginfo.service import MAX_NAME_LENGTH, Service

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_cdshooks import bundle, full_prefetch, hook_call, med_request, observation

HUGE = int("1" * 401)


@pytest.mark.parametrize(
    "profile",
    [
        {"weight_kg": HUGE},
        {"age_years": HUGE},
        {"weight_kg": -HUGE},
        {"kidney": {"crcl_ml_min": HUGE}},
        {"kidney": {"serum_creatinine_mg_dl": HUGE}, "age_years": 40, "weight_kg": 70},
        {"weight_kg": "1" * 401 + " kg"},
        {"weight_kg": "1e400"},
    ],
)
def test_numbers_too_large_for_a_float_are_422(client: TestClient, profile: dict[str, Any]) -> None:
    r = client.post("/api/check", json={"drug": "anakinra", "profile": profile})
    assert r.status_code == 422, r.text
    assert r.json()["field"]


def test_cds_hooks_skip_quantities_without_a_finite_value(client: TestClient) -> None:
    prefetch = full_prefetch(weight=bundle(observation("29463-7", HUGE, "kg")))  # type: ignore[arg-type]
    body = hook_call([med_request("mr-1", text="Kineret", dose_mg=HUGE)], prefetch)  # type: ignore[arg-type]
    r = client.post("/cds-services/druginfo-order-sign", json=body)
    assert r.status_code == 200, r.text


def test_names_are_bounded(client: TestClient) -> None:
    too_long = "kineret" * 40
    assert len(too_long) > MAX_NAME_LENGTH
    r = client.post("/api/check", json={"drug": too_long})
    assert r.status_code == 422 and r.json()["field"] == "drug"
    assert client.post("/api/check", json={"drug": "a" * 1024 * 1024}).status_code == 413
    assert client.get(f"/api/drugs/{'x' * 2000}").status_code in (404, 422)


def test_service_refuses_a_long_name_before_matching(service: Service) -> None:
    from druginfo.errors import InputError

    with pytest.raises(InputError) as err:
        service.resolve("adalimumab " * 100)
    assert err.value.field == "drug"
    # The vocabulary itself stops too: no fuzzy work on text far longer than any name.
    assert service.vocab.resolve("x" * 10_000) is None
    assert service.vocab.suggest("x" * 10_000) == []


def _signed_in(app: Any, name: str) -> TestClient:
    from support.web_client import BrowserClient

    c = BrowserClient(app, base_url="http://druginfo.test")
    c.register(name)
    return c


def test_private_routes_answer_their_owner_only(app: Any) -> None:
    anon = TestClient(app, base_url="http://druginfo.test")
    assert anon.get("/api/diary").status_code == 401
    assert (
        anon.post(
            "/api/diary",
            json={"drug": "Kineret", "reaction": "x", "started": "2026-01-01", "severity": "mild"},
        ).status_code
        == 401
    )
    ann, ben = _signed_in(app, "api-ann"), _signed_in(app, "api-ben")
    made = ann.post(
        "/api/diary",
        json={
            "drug": "Kineret",
            "reaction": "swelling",
            "started": "2026-01-01",
            "severity": "mild",
        },
    )
    assert made.status_code == 201, made.text
    entry = made.json()
    assert entry["drug"] == "anakinra" and len(entry["id"]) == 32
    assert [e["id"] for e in ann.get("/api/diary").json()] == [entry["id"]]
    assert ben.get("/api/diary").json() == []
    assert ben.get(f"/api/diary/{entry['id']}").status_code == 404
    assert ben.delete(f"/api/diary/{entry['id']}").status_code == 404
    assert ann.get(f"/api/diary/{entry['id']}").json()["reaction"] == "swelling"
    assert [e["reaction"] for e in ann.get("/api/account/export").json()["diary"]] == ["swelling"]
    assert ben.get("/api/account/export").json()["diary"] == []
    # A cross-site write is refused even with the person's cookie.
    forged = ann.delete(f"/api/diary/{entry['id']}", headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403
    assert ann.delete(f"/api/diary/{entry['id']}").status_code == 204
    assert ann.get("/api/diary").json() == []
    future = ann.post(
        "/api/diary",
        json={"drug": "Kineret", "reaction": "x", "started": "2999-01-01", "severity": "mild"},
    )
    assert future.status_code == 422 and future.json()["field"] == "started"


def test_stateless_api_may_be_called_from_other_origins(client: TestClient) -> None:
    r = client.post(
        "/api/check",
        json={"drug": "anakinra", "profile": {"age_years": 30}},
        headers={"Origin": "https://ehr.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert r.status_code == 200
    assert r.headers["x-content-type-options"] == "nosniff"
