"""The plan page with the safety fields: an implausible weight is asked about and can be
confirmed; a planned live vaccine is shown as something to avoid, not as 'do not use'."""

from __future__ import annotations

from html import unescape

from support.web_client import BrowserClient

CHILD = {
    "drug": "anakinra",
    "age_years": "3",
    "weight": "150",
    "weight_unit": "kg",
    "indication": "nomid",
    "kidney_severe": "no",
    "start_date": "2027-01-11",
}


def test_implausible_weight_is_asked_about_then_confirmed(real_site: BrowserClient) -> None:
    r = real_site.post("/plan", data=CHILD)
    assert r.status_code == 200
    text = unescape(r.text)
    assert "Weight does not fit the age" in text and "150 mg" not in text
    # A heavy but real 3-year-old (24 kg, above the 99.87th percentile): asked, then confirmed.
    heavy = {**CHILD, "weight": "24"}
    assert "Weight does not fit the age" in unescape(real_site.post("/plan", data=heavy).text)
    confirmed = real_site.post(
        "/plan", data={**heavy, "weight_confirmed": "yes", "height_cm": "104"}
    )
    assert confirmed.status_code == 200
    assert "Weight does not fit" not in unescape(confirmed.text)


def test_live_vaccine_is_shown_as_avoid(real_site: BrowserClient) -> None:
    r = real_site.post("/plan", data={**CHILD, "weight": "14", "planned_vaccines": "MMR"})
    text = unescape(r.text)
    assert "Avoid:" in text and "MMR" in text
