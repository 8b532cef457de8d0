"""The plan form for a leaflet-only medicine in a real browser, at a phone's width (390 px) and
a desktop's (1280 px): names from the store appear as one types, the uses its leaflet's doses
are for follow the medicine, the result says it is machine-read from the leaflet, and a name
shared by several medicines is answered with choices that keep the person's answers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from test_browser_layout import SMALL_TARGETS_JS, TARGETS

from support.browser import DESKTOP, PHONE

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "artifacts" / "screenshots"
PLAN_URL = r"/plan/[A-Za-z0-9_-]{32}$"
WIDTHS = {"390": PHONE, "1280": DESKTOP}


@pytest.fixture(params=list(WIDTHS))
def page(request: pytest.FixtureRequest, browser: Any) -> Iterator[tuple[str, Any, list[str]]]:
    """A visitor (no account) at one width, and the CSP violations its pages report."""
    width = request.param
    context = browser.new_context(viewport=WIDTHS[width], device_scale_factor=1)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    violations: list[str] = []
    tab.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    try:
        yield width, tab, violations
    finally:
        context.close()


def answer_the_rest(tab: Any) -> None:
    tab.fill("#f-age_years", "46")
    tab.fill("#f-weight", "72")
    tab.check("input[name=kidney_severe][value=no]")
    tab.check("input[name=pregnant][value=no]")
    tab.check("input[name=breastfeeding][value=no]")
    tab.fill("#f-start_date", "2027-03-01")


def small_targets(tab: Any) -> list[Any]:
    return list(tab.evaluate(SMALL_TARGETS_JS, TARGETS + ", .name-choices label"))


def test_a_leaflet_only_medicine_from_typing_to_its_plan(
    base_url: str, page: tuple[str, Any, list[str]]
) -> None:
    width, tab, violations = page
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.goto(f"{base_url}/plan")
    field = tab.locator("#f-drug")
    field.press_sequentially("Olumi", delay=30)
    tab.wait_for_function(
        "() => Array.from(document.querySelectorAll('#plan-drugs option'))"
        ".some(o => o.value === 'Olumiant')"
    )
    field.fill("Olumiant")
    field.press("Tab")  # leaving the field asks what the medicine is for
    hint = tab.locator("#uses-hint")
    hint.wait_for(state="visible", timeout=90_000)
    assert "rheumatoid arthritis" in hint.inner_text()
    assert tab.locator("#f-indication").is_hidden()
    assert tab.locator("#indication-other-label").is_hidden()  # no "…or" without a list
    tab.fill("#f-indication_other", "rheumatoid arthritis")
    answer_the_rest(tab)
    tab.screenshot(path=str(SHOTS / f"plan-form-leaflet-{width}.png"), full_page=True)
    assert not small_targets(tab), f"tap targets under 24 px at {width}: {small_targets(tab)[:8]}"
    tab.click("button[type=submit].primary")
    # The first check of a medicine reads its leaflet's facts: on a loaded machine that may
    # take longer than a click's usual wait (this is not a timing test).
    tab.wait_for_url(re.compile(re.escape(base_url) + PLAN_URL), timeout=90_000)
    note = tab.locator("p.provenance")
    assert note.is_visible() and "machine-read from the official leaflet" in note.inner_text()
    box = note.bounding_box()
    assert box is not None and box["y"] < PHONE["height"]  # said before anything else
    assert tab.locator("section.coverage").is_visible()
    assert tab.locator("a[href$='.ics']").count() == 0
    tab.screenshot(path=str(SHOTS / f"plan-result-leaflet-{width}.png"), full_page=True)
    assert not small_targets(tab), f"tap targets under 24 px at {width}: {small_targets(tab)[:8]}"
    # A citation mark (of the dose or of an alert) opens the leaflet's own words.
    mark = tab.locator("main a.cite").first
    mark.click()
    target = tab.locator(mark.get_attribute("href") or "")
    target.wait_for(state="visible")
    assert "European Medicines Agency" in target.inner_text()
    assert not violations, violations


def test_a_shared_name_is_answered_with_choices_that_keep_the_answers(
    base_url: str, page: tuple[str, Any, list[str]]
) -> None:
    width, tab, violations = page
    tab.goto(f"{base_url}/plan")
    tab.fill("#f-drug", "insulin")
    answer_the_rest(tab)
    tab.click("button[type=submit].primary")
    choices = tab.locator("fieldset.name-choices")
    choices.wait_for(state="visible", timeout=90_000)
    assert "several medicines" in tab.locator("#drug-error").inner_text()
    assert tab.locator("#f-age_years").input_value() == "46"
    tab.screenshot(path=str(SHOTS / f"plan-form-choices-{width}.png"), full_page=True)
    assert not small_targets(tab), f"tap targets under 24 px at {width}: {small_targets(tab)[:8]}"
    labels = choices.locator("label")
    assert labels.count() >= 3
    chosen = labels.first.inner_text().strip()
    labels.first.click()
    tab.click("button[type=submit].primary")
    # The first check of a medicine reads its leaflet's facts: on a loaded machine that may
    # take longer than a click's usual wait (this is not a timing test).
    tab.wait_for_url(re.compile(re.escape(base_url) + PLAN_URL), timeout=90_000)
    assert chosen.split()[0] in tab.locator("h1").inner_text().lower()
    # The plan's address carries only its id, never the answers (no query; the random id
    # may contain any digits, so the address is checked to be the id alone, not for "46").
    address = urlsplit(tab.url)
    assert address.query == "" and re.fullmatch(PLAN_URL.strip("$"), address.path)
    assert not violations, violations


def test_what_it_is_for_follows_a_changed_medicine_without_a_reload(
    base_url: str, page: tuple[str, Any, list[str]]
) -> None:
    _width, tab, violations = page
    tab.goto(f"{base_url}/plan")
    tab.fill("#f-age_years", "33")  # typed first: a change of medicine must not lose it
    field = tab.locator("#f-drug")
    field.fill("Kineret")
    field.press("Tab")
    select = tab.locator("#f-indication")
    select.wait_for(state="visible", timeout=90_000)
    assert select.locator("option", has_text="Rheumatoid arthritis").count() == 1
    assert tab.locator("#uses-hint").is_hidden()
    field.fill("Xeljanz")
    field.press("Tab")
    tab.locator("#uses-hint").wait_for(state="visible", timeout=90_000)
    assert select.is_hidden() and tab.locator("#indication-other-label").is_hidden()
    assert tab.locator("#indication-label").get_attribute("for") == "f-indication_other"
    assert tab.locator("#f-age_years").input_value() == "33"
    assert not violations, violations
