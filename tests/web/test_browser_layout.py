"""Every page type looked at in a real browser, at a phone's width (390 px) and a desktop's
(1280 px): full-page screenshots kept in artifacts/screenshots/, a budget for how far a
phone reader scrolls before the page's first section, and no tap target under 24 px."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.browser import DESKTOP, PHONE, chromium_browser, live_server, register

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
def base_url(filled_db_url: str) -> Iterator[str]:
    from druginfo.interfaces.app import create_app
    from druginfo.service import Service

    service = Service.open(filled_db_url)
    try:
        with live_server(create_app(service)) as url:
            yield url
    finally:
        service.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium_browser() as b:
        yield b


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


@pytest.mark.parametrize("kind", list(PAGES))
def test_page_type_at_phone_and_desktop_width(
    kind: str, base_url: str, pages: dict[str, Any]
) -> None:
    path, first_section, screens = PAGES[kind]
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, page in pages.items():
        response = page.goto(base_url + path)
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


def test_a_citation_opens_its_folded_source_and_leads_back(
    base_url: str, pages: dict[str, Any]
) -> None:
    page = pages["390"]
    page.goto(base_url + "/drugs/anakinra")
    mark = page.locator("section.glance a.cite").first
    mark.click()
    target = page.locator(mark.get_attribute("href") or "")
    target.wait_for(state="visible")
    assert page.locator("details#sources").get_attribute("open") is not None
    back = target.locator("a.backref").first
    back.click()
    assert mark.is_visible()
