"""POST /api/check reads its body with the profile bounds: a key given twice is a 4xx, not the
last value silently."""

from __future__ import annotations

from fastapi.testclient import TestClient


def post(client: TestClient, body: bytes) -> tuple[int, dict[str, object]]:
    response = client.post("/api/check", content=body, headers={"Content-Type": "application/json"})
    return response.status_code, response.json()


def test_duplicate_profile_key_is_refused(client: TestClient) -> None:
    status, body = post(
        client,
        b'{"drug": "anakinra", "profile": {"age_years": 6, "weight_kg": 20, "weight_kg": 200,'
        b' "indication": "NOMID"}}',
    )
    assert 400 <= status < 500 and "twice" in str(body["error"])
    assert body.get("field") == "weight_kg"


def test_duplicate_top_level_key_is_refused(client: TestClient) -> None:
    status, body = post(client, b'{"drug": "anakinra", "drug": "etanercept", "profile": {}}')
    assert 400 <= status < 500 and "twice" in str(body["error"])


def test_huge_number_and_deep_body_are_4xx(client: TestClient) -> None:
    status, _ = post(
        client, b'{"drug": "anakinra", "profile": {"age_years": ' + b"7" * 5000 + b"}}"
    )
    assert 400 <= status < 500
    status, _ = post(client, b'{"drug": "anakinra", "profile": ' + b"[" * 5000 + b"]" * 5000 + b"}")
    assert 400 <= status < 500


def test_a_plain_profile_still_checks(client: TestClient) -> None:
    status, body = post(
        client,
        b'{"drug": "anakinra", "profile": {"age_years": 40, "weight_kg": 70, "sex": "male",'
        b' "indication": "RA", "kidney": {"crcl_ml_min": 90}, "start_date": "2026-12-01"}}',
    )
    assert status == 200 and body["decision"] in ("ok", "caution")
