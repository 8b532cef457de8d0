"""A person's journey in a real browser against a real server over the real, bundled data:
search with a misspelled brand, read the monograph, make a plan for a child, download the
calendar. Screenshots at phone and desktop widths go to artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from support.browser import DESKTOP, PHONE

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "artifacts" / "screenshots"

pytestmark = pytest.mark.browser


def plan_for_nomid_child(page: Any) -> None:
    """Fill the plan form as a parent would: 8-year-old, 20 kg, NOMID, normal kidneys."""
    page.fill("#f-age_years", "8")
    page.fill("#f-weight", "20")
    page.select_option("#f-weight_unit", "kg")
    nomid = page.locator("#f-indication option", has_text="NOMID").first.get_attribute("value")
    page.select_option("#f-indication", nomid)
    page.check("input[name=kidney_severe][value=no]")
    page.fill("#f-start_date", "2026-12-01")
    page.click("button[type=submit].primary")


def test_search_monograph_plan_and_calendar(browser: Any, base_url: str, tmp_path: Path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=PHONE, accept_downloads=True, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{base_url}/")
        assert page.locator("#q-main").is_visible()
        page.screenshot(path=str(SHOTS / "index-phone.png"))

        # A misspelled brand name, typed letter by letter, is offered as the right medicine.
        page.locator("#q-main").press_sequentially("kinaret", delay=20)
        suggestion = page.locator("#suggest-main a", has_text="anakinra").first
        suggestion.wait_for(state="visible")
        suggestion.click()
        page.wait_for_url(f"{base_url}/drugs/anakinra")
        assert "anakinra" in page.locator("h1").inner_text().lower()
        assert page.locator("ol.footnotes li").count() > 0
        assert page.locator("text=This is not medical advice").first.is_visible()
        page.screenshot(path=str(SHOTS / "monograph-phone.png"))

        page.click("a[href='/plan?drug=anakinra']")
        page.wait_for_url(f"{base_url}/plan?drug=anakinra")
        plan_for_nomid_child(page)
        # The answers were posted and kept under a random id: the address holds no answer.
        page.wait_for_url(re.compile(re.escape(base_url) + r"/plan/[A-Za-z0-9_-]{32}$"))
        dose = page.locator("p.dose-main").inner_text()
        assert "20 mg" in dose and "0.13 mL" in dose, dose
        assert page.locator("table tbody tr").count() > 0
        page.screenshot(path=str(SHOTS / "plan-result-phone.png"), full_page=True)

        with page.expect_download() as download_info:
            page.click("a[href$='.ics']")
        ics_path = tmp_path / "plan.ics"
        download_info.value.save_as(ics_path)
        events = Calendar.from_ical(ics_path.read_bytes()).walk("VEVENT")
        assert events
        assert all(isinstance(e.decoded("dtstart"), dt.date) for e in events)
    finally:
        context.close()

    desktop = browser.new_context(viewport=DESKTOP, device_scale_factor=1)
    page = desktop.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{base_url}/")
        page.screenshot(path=str(SHOTS / "index-desktop.png"))
        page.goto(f"{base_url}/drugs/anakinra")
        page.screenshot(path=str(SHOTS / "monograph-desktop.png"))
        page.goto(f"{base_url}/plan?drug=anakinra")
        plan_for_nomid_child(page)
        assert "0.13 mL" in page.locator("p.dose-main").inner_text()
        page.screenshot(path=str(SHOTS / "plan-result-desktop.png"), full_page=True)
    finally:
        desktop.close()

    for name in ("index", "monograph", "plan-result"):
        for width in ("phone", "desktop"):
            shot = SHOTS / f"{name}-{width}.png"
            assert shot.stat().st_size > 5_000, shot
