"""Page-level product choice over a store of invented leaflets: one brand with a children's
and an adults' leaflet offers both by title (the adults' shown unless the other is chosen),
and a brand whose own leaflet is missing says which product the page shows instead. Checked
with the HTTP client and in a real browser at phone and desktop widths."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import epi_bundles as eb
import pytest
from fastapi.testclient import TestClient
from lxml import html as lxml_html

from druginfo.ingest import ingest
from druginfo.service import Service
from druginfo.store import open_store
from support.browser import DESKTOP, PHONE, chromium_browser, live_server

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    folder = tmp_path_factory.mktemp("choice")
    url = f"sqlite:///{folder / 'choice.db'}"
    store = open_store(url, bootstrap=False)
    report = ingest([eb.write(folder / "epi", eb.ALL)], store, progress=False, workers=1)
    store.close()
    assert report.inserted == len(eb.ALL) and not report.broken
    svc = Service.open(url)  # a store the user filled: not topped up with the bundled data
    yield svc
    svc.close()


@pytest.fixture(scope="module")
def client(service: Service) -> Iterator[TestClient]:
    from druginfo.interfaces.app import create_app

    with TestClient(create_app(service), base_url="http://druginfo.test") as c:
        yield c


def text_of(node: Any) -> str:
    return " ".join(node.text_content().split())


def choices(page: Any) -> list[tuple[str, str, bool]]:
    return [
        (text_of(a), a.get("href"), a.get("aria-current") == "page")
        for a in page.xpath('//nav[@class="leaflet-choice"]//a')
    ]


def glance_dose(page: Any) -> str:
    return text_of(page.xpath('//div[@class="glance-dose"]/dd')[0])


def test_one_brands_leaflets_are_offered_and_the_adults_shown_first(client: TestClient) -> None:
    r = client.get("/drugs/Zorbrand")
    assert r.status_code == 200
    page = lxml_html.fromstring(r.text)
    offered = choices(page)
    assert [label for label, _, _ in offered] == [
        f"{eb.ZORBRAND_CHILD.product_name} (written for children)",
        eb.ZORBRAND_ADULT.product_name,
    ]
    assert [current for _, _, current in offered] == [False, True]
    assert "80 mg" in glance_dose(page) and "20 mg" not in glance_dose(page)
    # Choosing the children's leaflet shows it, still offering the other.
    child = lxml_html.fromstring(client.get(offered[0][1]).text)
    assert [current for _, _, current in choices(child)] == [True, False]
    assert "20 mg" in glance_dose(child) and "children" in glance_dose(child)
    assert "your child" in text_of(child.xpath('//details[@id="not-for"]')[0])


def test_an_unknown_leaflet_is_not_found_and_a_lone_leaflet_offers_no_choice(
    client: TestClient,
) -> None:
    r = client.get("/drugs/zorbimab", params={"leaflet": "ema-epi-nothing.en"})
    assert r.status_code == 404 and "Leaflet not found" in r.text
    alone = lxml_html.fromstring(client.get("/drugs/Inflistra").text)
    assert not alone.xpath('//nav[@class="leaflet-choice"]')
    assert not alone.xpath('//p[@class="product-note"]')


def test_a_brand_without_its_leaflet_says_which_product_is_shown(client: TestClient) -> None:
    r = client.get("/drugs/remicade")
    assert r.status_code == 200 and r.url.path == "/drugs/infliximab"
    page = lxml_html.fromstring(r.text)
    (note,) = page.xpath('//p[@class="product-note"]')
    assert text_of(note) == (
        "Remicade's leaflet is not available; showing Inflistra, another product of the same "
        "active substance, infliximab."
    )
    assert eb.INFLISTRA.product_name in text_of(page.xpath('//ol[@class="documents"]')[0])
    # The same when the brand comes as a product choice (a search hit named by the
    # vocabulary): the substance's page with the note, not "product not found".
    r = client.get("/drugs/infliximab", params={"brand": "Remicade"})
    assert r.status_code == 200 and "asked=Remicade" in str(r.url)
    assert lxml_html.fromstring(r.text).xpath('//p[@class="product-note"]')
    assert client.get("/drugs/infliximab", params={"brand": "Zorbrand"}).status_code == 404


@pytest.mark.browser
def test_the_choice_in_a_browser_at_phone_and_desktop_width(service: Service) -> None:
    from test_browser_layout import SMALL_TARGETS_JS, TARGETS

    from druginfo.interfaces.app import create_app

    SHOTS.mkdir(parents=True, exist_ok=True)
    with live_server(create_app(service)) as base, chromium_browser() as browser:
        for width, viewport in (("390", PHONE), ("1280", DESKTOP)):
            context = browser.new_context(viewport=viewport, device_scale_factor=1)
            page = context.new_page()
            page.set_default_timeout(15_000)
            try:
                page.goto(f"{base}/drugs/zorbrand")
                nav = page.locator("nav.leaflet-choice")
                assert nav.is_visible()
                page.screenshot(path=str(SHOTS / f"monograph-choice-{width}.png"), full_page=True)
                small = page.evaluate(SMALL_TARGETS_JS, TARGETS + ", .leaflet-choice a")
                assert not small, f"tap targets under 24 px at {width} px: {small[:8]}"
                # Above the fold on a phone: the choice is seen before the text it picks.
                top = nav.bounding_box()
                assert top is not None and top["y"] < PHONE["height"]
                nav.locator("a", has_text="written for children").click()
                page.wait_for_url(re.compile(r".*leaflet=ema-epi-zorbrand-paediatric\.en.*"))
                assert "20 mg" in page.locator("div.glance-dose dd").inner_text()
            finally:
                context.close()
