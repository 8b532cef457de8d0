"""Every page type looked at in a real browser, at a phone's width (390 px) and a desktop's
(1280 px): full-page screenshots kept in artifacts/screenshots/, a budget for how far a
phone reader scrolls before the page's first section, and no tap target under 24 px."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.browser import DESKTOP, PHONE, register

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "artifacts" / "screenshots"

pytestmark = pytest.mark.browser

# Page type → (address, selector of its first section, phone screens allowed above it).
PAGES: dict[str, tuple[str, str, float]] = {
    "index": ("/", "main section", 1.5),
    "search": ("/search?q=headache", "main ol.hits", 1.5),
    "monograph-curated": ("/drugs/anakinra", "main details.fold", 2.5),
    "monograph-leaflet": ("/drugs/adalimumab?brand=Humira", "main details.fold", 2.5),
    "monograph-danish": ("/drugs/etanercept?lang=da", "main details.fold", 2.5),
    "advice": ("/drugs/anakinra/advice/missed-dose", "main ol, main ul", 1.5),
    # A person's own plan and the advice reached from it ({plan}: a plan made in this browser).
    "plan-result": ("{plan}", "main section.dose", 1.5),
    "plan-advice": ("{plan}/advice/fever", "main ol, main ul", 1.5),
    "plan-form": ("/plan?drug=anakinra", "main form", 1.5),
    "diary": ("/diary?drug=anakinra", "main form", 1.5),
    "about": ("/about", "main h2", 1.5),
}

# Interactive elements a finger has to hit. Links inside running text are exempt (WCAG
# 2.5.8's inline exception); citation markers and back-links are not, though they sit in text.
TARGETS = (
    "a.cite, a.backref, a.more, a.doc, button, summary, select, textarea,"
    " input:not([type=hidden]), header nav a, .letters a, .what-if a, .suggestions a,"
    " a.button, .languages a, .other-brands a"
)
SMALL_TARGETS_JS = """(selector) => Array.from(document.querySelectorAll(selector))
  .map(el => { const r = el.getBoundingClientRect();
    return {tag: el.tagName, text: (el.textContent || el.name || '').trim().slice(0, 40),
            w: Math.round(r.width * 10) / 10, h: Math.round(r.height * 10) / 10}; })
  .filter(t => t.w > 0 && t.h > 0 && (t.w < 24 || t.h < 24))"""


@pytest.fixture(scope="module")
def pages(browser: Any, base_url: str) -> Iterator[dict[str, Any]]:
    """One signed-in person per width: the diary is only offered to an account holder."""
    contexts = {
        "390": browser.new_context(viewport=PHONE, device_scale_factor=1),
        "1280": browser.new_context(viewport=DESKTOP, device_scale_factor=1),
    }
    opened = {}
    for width, context in contexts.items():
        page = context.new_page()
        page.set_default_timeout(15_000)
        register(page, base_url, f"layout{width}")
        opened[width] = page
    try:
        yield opened
    finally:
        for context in contexts.values():
            context.close()


def make_plan(page: Any, base_url: str) -> str:
    """A plan for an adult with rheumatoid arthritis who also takes another medicine and has
    an infection: a result with a dose, several alerts and a monitoring calendar."""
    page.goto(f"{base_url}/plan?drug=anakinra")
    page.fill("#f-age_years", "52")
    page.fill("#f-weight", "70")
    page.select_option("#f-weight_unit", "kg")
    ra = page.locator("#f-indication option", has_text="rheumatoid").first.get_attribute("value")
    page.select_option("#f-indication", ra)
    page.check("input[name=kidney_severe][value=no]")
    page.fill("#f-start_date", "2026-12-01")
    if page.locator("#f-medications").count():
        page.fill("#f-medications", "methotrexate")
        page.fill("#f-conditions", "latent tuberculosis")
    page.click("button[type=submit].primary")
    page.wait_for_url(re.compile(re.escape(base_url) + r"/plan/[A-Za-z0-9_-]{32}$"))
    return page.url.removeprefix(base_url)


@pytest.fixture(scope="module")
def plans(pages: dict[str, Any], base_url: str) -> dict[str, str]:
    return {width: make_plan(page, base_url) for width, page in pages.items()}


@pytest.mark.parametrize("kind", list(PAGES))
def test_page_type_at_phone_and_desktop_width(
    kind: str, base_url: str, pages: dict[str, Any], plans: dict[str, str]
) -> None:
    path, first_section, screens = PAGES[kind]
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, page in pages.items():
        response = page.goto(base_url + path.replace("{plan}", plans[width]))
        assert response is not None and response.ok, (kind, response and response.status)
        page.wait_for_load_state("load")
        shot = SHOTS / f"{kind}-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 5_000, shot
        small = page.evaluate(SMALL_TARGETS_JS, TARGETS)
        assert not small, f"{kind} at {width} px: tap targets under 24 px: {small[:8]}"
        if width == "390":
            top = page.evaluate(
                "(sel) => { const el = document.querySelector(sel);"
                " return el ? el.getBoundingClientRect().top + window.scrollY : null; }",
                first_section,
            )
            assert top is not None, f"{kind}: no {first_section!r} on the page"
            budget = screens * PHONE["height"]
            assert top <= budget, (
                f"{kind}: the first section starts {top:.0f} px down on a phone "
                f"({top / PHONE['height']:.1f} screens; budget {screens})"
            )


@pytest.mark.parametrize(
    ("path", "first_mark"),
    [
        ("/drugs/anakinra", "section.glance a.cite"),
        ("{plan}", "section.dose a.cite"),
        ("/drugs/anakinra/advice/missed-dose", "ol.steps a.cite"),
    ],
)
def test_a_citation_opens_its_folded_source_and_leads_back(
    path: str, first_mark: str, base_url: str, pages: dict[str, Any], plans: dict[str, str]
) -> None:
    page = pages["390"]
    page.goto(base_url + path.replace("{plan}", plans["390"]))
    assert page.locator("sup.cites").count() == 0  # no cluster of markers anywhere
    mark = page.locator(first_mark).first
    mark.click()
    target = page.locator(mark.get_attribute("href") or "")
    target.wait_for(state="visible")
    assert page.locator("details#sources").get_attribute("open") is not None
    back = target.locator("a.backref").first
    back.click()
    assert mark.is_visible()


def test_the_index_folds_by_letter_on_a_phone_and_a_letter_opens_its_names(
    base_url: str, pages: dict[str, Any]
) -> None:
    page = pages["390"]
    page.goto(base_url + "/")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 4 * PHONE["height"], f"the A-Z index is {height / PHONE['height']:.1f} screens"
    page.locator("nav.letters a", has_text="K").click()
    group = page.locator("details#letter-K")
    assert group.get_attribute("open") is not None
    assert group.locator("ul.az a").first.is_visible()
    # Wide screens show every name at once.
    desktop = pages["1280"]
    desktop.goto(base_url + "/")
    assert desktop.locator("details.az-letter:not([open])").count() == 0
