"""CDS Hooks on the dose shapes: a cap per administration is checked per dose (a 4-weekly
infusion averaged over 28 days would never reach a daily cap)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from test_cdshooks import cards_of, full_prefetch, hook_call, med_request


def dose_cards(client: TestClient, mg: float) -> list[dict[str, Any]]:
    draft = med_request("t", "RoActemra", reason="rheumatoid arthritis", dose_mg=mg, every_days=28)
    cards = cards_of(client, "druginfo-order-sign", hook_call([draft], full_prefetch()))
    return [c for c in cards if str(c["summary"]).startswith("RoActemra")]


def test_infusion_above_the_per_dose_maximum_is_critical(client: TestClient) -> None:
    # 70 kg adult with RA: 8 mg/kg = 560 mg per infusion every 4 weeks.
    cards = dose_cards(client, 800)
    over = [c for c in cards if c["source"]["topic"]["code"] == "ordered-dose-above-maximum"]
    assert len(over) == 1 and over[0]["indicator"] == "critical"
    assert "560 mg per dose" in str(over[0]["summary"])


def test_infusion_at_the_maximum_is_not_flagged(client: TestClient) -> None:
    cards = dose_cards(client, 560)
    assert not [c for c in cards if c["source"]["topic"]["code"] == "ordered-dose-above-maximum"]
    dose = [c for c in cards if c["source"]["topic"]["code"] == "dose"]
    assert dose and "At most 560 mg per dose." in str(dose[0]["detail"])
