"""CDS Hooks safety: coded-only records, unread entries, dose-range severity, overrides,
feedback, the ordered brand and avoid-the-other-thing cards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from test_cdshooks import (
    bundle,
    cards_of,
    full_prefetch,
    hook_call,
    med_request,
    observation,
    patient,
)

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED = "http://snomed.info/sct"
ATC = "http://www.whocc.no/atc"


def coded_med(rid: str, system: str, code: str, status: str = "active") -> dict[str, Any]:
    res = med_request(rid, status=status)
    res["medicationCodeableConcept"] = {"coding": [{"system": system, "code": code}]}
    return res


def condition(rid: str, code: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": rid,
        "clinicalStatus": {"coding": [{"code": "active"}]},
        "code": code,
    }


def topics(cards: list[dict[str, Any]], indicator: str | None = None) -> set[str]:
    return {
        c["source"]["topic"]["code"]
        for c in cards
        if indicator is None or c["indicator"] == indicator
    }


@pytest.mark.parametrize(
    ("system", "code"), [(RXNORM, "327361"), (ATC, "L04AB02"), (RXNORM, "191831")]
)
def test_tnf_blocker_coded_only_is_read(client: TestClient, system: str, code: str) -> None:
    # adalimumab by RxNorm, infliximab by ATC and by RxNorm: no text, no display.
    other = coded_med("other-1", system, code)
    draft = med_request("kineret-draft", "Kineret", reason="rheumatoid arthritis")
    cards = cards_of(
        client, "druginfo-order-sign", hook_call([draft], full_prefetch(medications=bundle(other)))
    )
    assert "tnf-inhibitor" in topics(cards, "critical"), [c["summary"] for c in cards]


def test_unknown_code_is_said_not_skipped(client: TestClient) -> None:
    other = coded_med("mystery", RXNORM, "999999999")
    cond = condition("c9", {"coding": [{"system": SNOMED, "code": "123456789"}]})
    draft = med_request("kineret-draft", "Kineret", reason="rheumatoid arthritis")
    prefetch = full_prefetch(medications=bundle(other), conditions=bundle(cond))
    cards = cards_of(client, "druginfo-order-sign", hook_call([draft], prefetch))
    unread = next(c for c in cards if c["source"]["topic"]["code"] == "record-unread")
    assert unread["indicator"] == "warning" and "123456789" in unread["detail"]
    assert "unknown-medication" in topics(cards), [c["summary"] for c in cards]


def test_snomed_coded_infection_blocks(client: TestClient) -> None:
    cond = condition("c2", {"coding": [{"system": SNOMED, "code": "68566005"}]})  # UTI
    draft = med_request("kineret-draft", "Kineret", reason="rheumatoid arthritis")
    cards = cards_of(
        client, "druginfo-order-sign", hook_call([draft], full_prefetch(conditions=bundle(cond)))
    )
    infection = [c for c in cards if c["source"]["topic"]["code"] == "active-infection"]
    assert infection and infection[0]["indicator"] == "critical"
    assert infection[0]["overrideReasons"], infection[0]


def child_prefetch() -> dict[str, Any]:
    return full_prefetch(
        patient=patient(birth="2018-05-01", gender="male"),
        weight=bundle(observation("29463-7", 25, "kg")),
        conditions=bundle(),
    )


def test_dose_within_titration_range_is_info(client: TestClient) -> None:
    # 25 kg child with NOMID: start 25–50 mg, maximum 8 mg/kg/day = 200 mg.
    draft = med_request("k", "Kineret", reason="NOMID", dose_mg=90, every_days=1)
    cards = cards_of(client, "druginfo-order-sign", hook_call([draft], child_prefetch()))
    dose = [c for c in cards if c["source"]["topic"]["code"].startswith("ordered-dose")]
    assert len(dose) == 1 and dose[0]["indicator"] == "info", dose
    assert "200 mg/day" in dose[0]["summary"]


def test_dose_above_the_maximum_is_critical_naming_it(client: TestClient) -> None:
    draft = med_request("k", "Kineret", reason="NOMID", dose_mg=100, every_days=1)
    heavy = child_prefetch()
    heavy["weight"] = bundle(observation("29463-7", 11, "kg"))  # maximum 88 mg/day
    heavy["patient"] = patient(birth="2024-06-01", gender="male")
    cards = cards_of(client, "druginfo-order-sign", hook_call([draft], heavy))
    over = next(c for c in cards if c["source"]["topic"]["code"] == "ordered-dose-above-maximum")
    assert over["indicator"] == "critical" and "88 mg/day" in over["summary"]
    assert "8 mg/kg/day" in over["summary"] and over["overrideReasons"]


def test_card_names_the_ordered_brand(client: TestClient) -> None:
    draft = med_request("e", "Enbrel 50 mg/mL", reason="rheumatoid arthritis")
    cards = cards_of(client, "druginfo-order-sign", hook_call([draft], full_prefetch()))
    assert cards
    for card in cards:
        if card["source"]["topic"]["code"] in ("record-incomplete", "record-unread", "not-checked"):
            continue
        assert "Benepali" not in card["summary"] and "Erelzi" not in card["summary"]
    assert any("Enbrel" in c["summary"] for c in cards), [c["summary"] for c in cards]


def test_live_vaccine_card_says_avoid_the_vaccine(client: TestClient) -> None:
    vaccine = med_request("v", "MMR vaccine", status="active")
    draft = med_request("kineret-draft", "Kineret", reason="rheumatoid arthritis")
    cards = cards_of(
        client,
        "druginfo-order-sign",
        hook_call([draft], full_prefetch(medications=bundle(vaccine))),
    )
    live = next(c for c in cards if c["source"]["topic"]["code"] == "live-vaccine")
    assert "avoid" in live["summary"] and "MMR" in live["summary"]
    assert not live.get("suggestions")  # removing the Kineret order is not the answer


def test_feedback_is_stored(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "fb.jsonl"
    monkeypatch.setenv("DRUGINFO_CDS_FEEDBACK", str(target))
    body = {
        "feedback": [
            {
                "card": "9368d37b-283f-44a0-93ea-547cebab93ed",
                "outcome": "overridden",
                "overrideReason": {
                    "reason": {
                        "system": "urn:druginfo:override-reason",
                        "code": "patient-informed",
                    },
                    "userComment": "discussed",
                },
                "outcomeTimestamp": "2026-11-29T10:00:00Z",
            }
        ]
    }
    r = client.post("/cds-services/druginfo-order-sign/feedback", json=body)
    assert r.status_code == 200 and r.json() == {"stored": 1}
    from druginfo.interfaces.cdshooks.feedback import read_feedback

    (stored,) = read_feedback(target)
    assert stored["outcome"] == "overridden" and stored["service"] == "druginfo-order-sign"
    assert client.post("/cds-services/nope/feedback", json=body).status_code == 404
    assert client.post(
        "/cds-services/druginfo-order-sign/feedback", json={"feedback": []}
    ).status_code in (400, 422)


def test_child_creatinine_uses_the_recorded_height(client: TestClient) -> None:
    prefetch = child_prefetch()
    prefetch["kidney"] = bundle(observation("2160-0", 0.4, "mg/dL"))
    prefetch["height"] = bundle(observation("8302-2", 124, "cm"))
    draft = med_request("k", "Kineret", reason="NOMID")
    cards = cards_of(client, "druginfo-order-sign", hook_call([draft], prefetch))
    dose = next(c for c in cards if c["source"]["topic"]["code"] == "dose")
    assert "Schwartz" in dose["detail"] and "height 124 cm" in dose["detail"]
    # Without the height, the kidney estimate is not made with an adult formula.
    del prefetch["height"]
    cards = cards_of(client, "druginfo-order-sign", hook_call([draft], prefetch))
    assert any(
        "height" in c["detail"]
        for c in cards
        if c["indicator"] != "info" or "kidney" in c["summary"].lower()
    )
