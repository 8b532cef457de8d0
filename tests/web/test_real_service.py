"""The site inside the full app over the real Service and the bundled store: the pages must
render whatever the real engine and store answer, not only what the fake returns."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from lxml import html as lxml_html

from support.web_client import BrowserClient

NOMID_CHILD = {
    "drug": "anakinra",
    "age_years": "8",
    "weight": "20",
    "weight_unit": "kg",
    "indication": "nomid",
    "kidney_severe": "no",
    "start_date": "2026-12-01",
}


@pytest.fixture(scope="module")
def real(filled_db_url: str) -> Iterator[TestClient]:
    from druginfo.interfaces.app import create_app
    from druginfo.service import Service

    service = Service.open(filled_db_url)
    try:
        with BrowserClient(create_app(service), base_url="http://druginfo.test") as c:
            yield c
    finally:
        service.close()


def test_pages_render_over_the_bundled_store(real: TestClient) -> None:
    for url in ("/", "/about", "/plan", "/diary", "/drugs/anakinra", "/static/site.css"):
        r = real.get(url)
        assert r.status_code == 200, url
    first = real.get("/suggest", params={"q": "kinaret"}).json()[0]
    assert real.get(first["url"]).url.path == "/drugs/anakinra"
    assert real.get("/drugs/Kineret", follow_redirects=False).headers["location"] == (
        "/drugs/anakinra"
    )
    r = real.get("/search", params={"q": "kinaret"})
    assert 'href="/drugs/anakinra"' in r.text


def test_unknown_paths_and_params_are_html_4xx(real: TestClient) -> None:
    r = real.get("/no-such-page")
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
    # Odd parameters are ignored or refused, never a 500.
    assert real.get("/diary", params={"added": "abc"}).status_code == 200
    assert real.get("/diary/report.json", params={"entry": "²"}).status_code == 401


def test_real_plan_for_a_child_with_nomid(real: TestClient) -> None:
    r = real.post("/plan", data=NOMID_CHILD)
    assert r.status_code == 200, r.text[:2000]
    page = lxml_html.fromstring(r.text)
    dose = " ".join(page.xpath('//p[@class="dose-main"]')[0].text_content().split())
    assert "20 mg" in dose and "0.13 mL" in dose
    cited = {a.get("href") for a in page.xpath('//a[@class="cite"]')}
    assert cited and all(page.xpath(f'//li[@id="{k[1:]}"]//q') for k in cited)
    assert not page.xpath('//sup[@class="cites"]')
    ics = real.get(f"{r.url.path}.ics")
    assert ics.status_code == 200
    assert Calendar.from_ical(ics.content).walk("VEVENT")


def test_real_engine_errors_are_shown_next_to_the_field(real: TestClient) -> None:
    r = real.post("/plan", data={**NOMID_CHILD, "weight": "2000"})
    assert r.status_code == 422
    page = lxml_html.fromstring(r.text)
    (box,) = page.xpath('//input[@id="f-weight"]/ancestor::div[contains(@class, "field")][1]')
    assert box.xpath('.//p[@class="field-error"]')


def test_real_severe_kidney_disease_gives_every_other_day(real: TestClient) -> None:
    r = real.post("/plan", data={**NOMID_CHILD, "kidney_severe": "yes"})
    assert r.status_code == 200
    assert "every 48 hours (every other day)" in unescape(r.text).lower()


def test_real_diary_survives_a_new_service(filled_db_url: str, tmp_path: Path) -> None:
    from druginfo.interfaces.app import create_app
    from druginfo.service import Service

    # A private copy of the filled store, so the shared one keeps an empty diary.
    db = tmp_path / "druginfo.db"
    shutil.copyfile(filled_db_url.removeprefix("sqlite:///"), db)
    url = f"sqlite:///{db}"
    first = Service.open(url)
    with BrowserClient(create_app(first)) as c:
        c.register("survivor")
        r = c.post(
            "/diary",
            data={
                "drug": "Kineret",
                "reaction": "rash <b>",
                "started": "2026-01-02",
                "severity": "mild",
            },
            follow_redirects=False,
        )
        assert r.status_code == 303
    first.close()
    second = Service.open(url)
    try:
        with BrowserClient(create_app(second)) as c:
            assert "rash" not in c.get("/diary").text  # another browser, not signed in
            r = c.post(
                "/account/sign-in",
                data={"username": "survivor", "password": "a long passphrase"},
            )
            assert r.status_code == 200 and r.url.path == "/diary"
            page = r.text
            assert "rash &lt;b&gt;" in page
            entry = re.search(r"/diary/report\.json\?entry=([A-Za-z0-9_-]+)", page)
            assert entry
            data = c.get("/diary/report.json", params={"entry": entry.group(1)}).json()
            assert [s["id"] for s in data["sections"]] == ["A", "B", "C", "D", "E"]
    finally:
        second.close()


def test_real_do_not_use_shows_no_dose(real: TestClient) -> None:
    r = real.post(
        "/plan",
        data={
            **NOMID_CHILD,
            "age_years": "40",
            "weight": "70",
            "indication": "rheumatoid-arthritis",
            "medications": "Enbrel 50 mg weekly",
        },
    )
    assert r.status_code == 200
    page = lxml_html.fromstring(r.text)
    assert "decision-do-not-use" in page.xpath('//div[contains(@class, "decision")]/@class')[0]
    assert not page.xpath('//p[@class="dose-main"]')
    alert = " ".join(page.xpath('//ul[@class="alerts"]/li[1]')[0].text_content().split())
    assert "Enbrel" in alert and "high" in alert


def test_real_unknown_kidney_leaves_the_interval_open(real: TestClient) -> None:
    data = {k: v for k, v in NOMID_CHILD.items() if k != "kidney_severe"}
    r = real.post("/plan", data=data)
    assert r.status_code == 200
    text = " ".join(lxml_html.fromstring(r.text).text_content().split())
    assert "every 24 hours" not in text.lower()
    assert "Missing: kidney" in text


def test_leaflet_cards_quote_their_own_leaflet_in_its_language(real: TestClient) -> None:
    """Over a spread of leaflets nobody picked by hand: the card quotes the page's own
    document, one marker per line, in the page's language."""
    index = lxml_html.fromstring(real.get("/").text)
    links = sorted(set(index.xpath('//ul[@class="az"]//a/@href')))
    assert len(links) > 100
    sample = links[:: max(1, len(links) // 25)]
    with_card = 0
    for link in sample:
        page = lxml_html.fromstring(real.get(link).text)
        card = page.xpath('//section[@class="glance"]')
        if not card:
            continue
        with_card += 1
        for row in card[0].xpath("./dl/div"):
            marks = row.xpath('.//a[@class="cite"]')
            if not marks:  # only the dose may refer to its section instead of quoting
                assert row.get("class") == "glance-dose" and row.xpath('.//a[@class="more"]')
                continue
            (mark,) = marks
            note = page.xpath(f'//li[@id="{mark.get("href")[1:]}"]')
            assert note, link
    assert with_card >= len(sample) * 0.7
    da = lxml_html.fromstring(real.get("/drugs/etanercept", params={"lang": "da"}).text)
    assert da.xpath('//section[@class="glance"]/h2')[0].text_content().strip() == "Kort fortalt"
    labels = [dt.text_content() for dt in da.xpath('//section[@class="glance"]//dt')]
    assert "Used for" not in labels and labels
