"""Every page of the site over the fake service (real anakinra monograph, real EMA leaflets)."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from lxml import html as lxml_html
from web_fakes import FakeService

from druginfo.interfaces.present import age_band, other_names
from druginfo.interfaces.web.forms import parse_plan, plan_field_for, split_list
from druginfo.interfaces.web.routes import DISCLAIMER, _highlight
from druginfo.wording import every_hours_words, number

NOMID_CHILD = {
    "drug": "anakinra",
    "age_years": "8",
    "weight": "20",
    "weight_unit": "kg",
    "indication": "nomid",
    "kidney_severe": "no",
    "start_date": "2026-12-01",
}


def tree(text: str) -> lxml_html.HtmlElement:
    return lxml_html.fromstring(text)


def text_of(el: lxml_html.HtmlElement) -> str:
    return " ".join(el.text_content().split())


def field_box(page: lxml_html.HtmlElement, input_id: str) -> lxml_html.HtmlElement:
    """The .field container around one input: where its error message must appear."""
    (el,) = page.xpath(f'//*[@id="{input_id}"]')
    return el.xpath('ancestor::div[contains(concat(" ", @class, " "), " field ")][1]')[0]


# ------------------------------------------------------------------------- wording helpers


@pytest.mark.parametrize(
    ("hours", "words"),
    [
        (24, "every 24 hours (once a day)"),
        (48, "every 48 hours (every other day)"),
        (12, "every 12 hours (twice a day)"),
        (168, "every 168 hours (once a week)"),
        (120, "every 120 hours (every 5 days)"),
        (1, "every 1 hour (24 times a day)"),
        (36, "every 36 hours"),
    ],
)
def test_every_hours_in_words(hours: int, words: str) -> None:
    assert every_hours_words(hours) == words


def test_numbers_and_ages_read_naturally() -> None:
    assert number(0.13) == "0.13"
    assert number(100.0) == "100"
    assert number(0.1340) == "0.134"
    assert age_band(0.6667, None) == "8 months and older"
    assert age_band(None, 18) == "younger than 18 years"
    assert age_band(2, 18) == "from 2 years to younger than 18 years"


def test_only_informative_synonyms_are_shown() -> None:
    name = "Neonatal-onset multisystem inflammatory disease (NOMID)"
    synonyms = [
        "neonatal onset multisystem inflammatory disease",
        "NOMID",
        "CINCA",
        "cinca",
        "chronic infantile neurological, cutaneous, articular syndrome",
        "chronic infantile neurological cutaneous articular syndrome",
    ]
    assert other_names(name, synonyms) == [
        "CINCA",
        "chronic infantile neurological, cutaneous, articular syndrome",
    ]
    assert other_names("Rheumatoid arthritis", ["RA", "rheumatoid arthritis"]) == ["RA"]


def test_plan_form_fields_become_a_raw_profile() -> None:
    plan = parse_plan(
        {
            **NOMID_CHILD,
            "weight": "44,5",
            "weight_unit": "lb",
            "crcl_ml_min": "25",
            "medications": "Enbrel 50 mg weekly, methotrexate\nprednisone",
            "pregnant": "no",
        }
    )
    assert plan.drug == "anakinra"
    assert plan.profile["weight_kg"] == "44.5 lb"
    assert plan.profile["kidney"] == {"severe_kidney_disease": False, "crcl_ml_min": 25.0}
    assert plan.profile["medications"] == ["Enbrel 50 mg weekly", "methotrexate", "prednisone"]
    assert plan.profile["pregnant"] is False
    assert "breastfeeding" not in plan.profile  # not given stays not given
    assert split_list(" a; b ,, c ") == ["a", "b", "c"]


def test_engine_fields_map_to_form_inputs() -> None:
    assert plan_field_for("weight_kg") == "weight"
    assert plan_field_for("kidney.crcl_ml_min") == "crcl_ml_min"
    assert plan_field_for("kidney") == "kidney_severe"
    assert plan_field_for("medications[2]") == "medications"
    assert plan_field_for("something.else") == ""


def test_store_snippet_markers_become_marks_after_escaping() -> None:
    out = str(_highlight("get a **TB** test <script>x</script> **", []))
    assert out == "get a <mark>TB</mark> test &lt;script&gt;x&lt;/script&gt; **"


def test_highlight_escapes_before_marking() -> None:
    out = str(_highlight("<b>infection</b> & more", ["infection", "amp"]))
    assert "<b>" not in out
    assert "<mark>infection</mark>" in out
    assert "&amp;" in out  # an entity is never split by a mark


# ------------------------------------------------------------------------- index and search


def test_index_lists_medicines_a_to_z_with_search_box(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    page = tree(r.text)
    assert page.xpath('//input[@id="q-main" and @name="q"]')
    assert page.xpath('//a[@href="#main" and contains(@class, "skip")]')
    letters = [a.text for a in page.xpath('//nav[@class="letters"]/a')]
    assert letters == sorted(letters) and {"H", "K"} <= set(letters)
    links = page.xpath('//ul[@class="az"]//a/@href')
    # A substance of one product links to it; one shared by several products links to the
    # product the entry names (its own leaflet, not another brand's).
    assert "/drugs/anakinra" in links and "/drugs/adalimumab?brand=Humira" in links
    (humira,) = page.xpath('//ul[@class="az"]//a[@href="/drugs/adalimumab?brand=Humira"]')
    assert humira.text.startswith("Humira")
    assert DISCLAIMER in unescape(r.text)


def test_suggest_resolves_misspellings_and_prefixes(client: TestClient) -> None:
    first = client.get("/suggest", params={"q": "kinaret"}).json()
    assert "Kineret" in first[0]["name"] and first[0]["key"] == "anakinra"
    landed = client.get(first[0]["url"])
    assert landed.url.path == "/drugs/anakinra"
    hum = client.get("/suggest", params={"q": "hum"}).json()
    assert hum[0] == {"key": "adalimumab", "name": "Humira (adalimumab)", "url": "/drugs/Humira"}
    assert "brand=Humira" in str(client.get(hum[0]["url"]).url)
    assert [s["name"] for s in client.get("/suggest", params={"q": "mab"}).json()] == [
        "Humira (adalimumab)"
    ]
    assert client.get("/suggest", params={"q": "k"}).json() == []


def test_search_page_shows_best_name_match_and_escaped_snippets(client: TestClient) -> None:
    r = client.get("/search", params={"q": "kinaret"})
    assert r.status_code == 200
    page = tree(r.text)
    (best,) = page.xpath('//p[@class="best-match"]')
    assert "Did you mean" in text_of(best)
    assert best.xpath(".//a/@href") == ["/drugs/anakinra"]

    r = client.get("/search", params={"q": "tuberculosis"})
    page = tree(r.text)
    hits = page.xpath('//ol[@class="hits"]/li')
    assert hits, "text search found nothing"
    assert page.xpath('//p[@class="snippet"]/mark')
    # Leaflet text of the EMA is quoted: the acknowledgement must be on the page.
    assert "Source: European Medicines Agency" in r.text


def test_blank_search_is_not_an_error(client: TestClient) -> None:
    assert client.get("/search", params={"q": "  "}).status_code == 200


# ------------------------------------------------------------------------- monograph


def test_monograph_sections_in_reader_order_with_numbered_sources(
    client: TestClient, fake: FakeService
) -> None:
    r = client.get("/drugs/anakinra")
    assert r.status_code == 200
    page = tree(r.text)
    headings = [text_of(h) for h in page.xpath("//article//details/summary/h2")]
    expected = [
        "What it is and how it works",
        "Who should not take it",
        "How to take it",
        "Side effects",
        "Interactions",
        "Monitoring",
        "Storage and travel",
    ]
    assert [h for h in headings if h in expected] == expected

    mono = fake.monograph("anakinra")
    quotes = {" ".join(c.quote.split()) for c in mono.claims}
    notes = page.xpath('//ol[@class="footnotes"]/li')
    assert len(notes) > 20
    numbers = [int(li.get("id").removeprefix("fn-")) for li in notes]
    assert numbers == list(range(1, len(notes) + 1))
    for li in notes:
        shown = [" ".join(q.text_content().split()) for q in li.xpath(".//q")]
        assert shown and set(shown) <= quotes
        # Every footnote leads back to each place that cites it.
        back = li.xpath('.//a[@class="backref"]/@href')
        assert back and all(page.xpath(f'//a[@id="{h[1:]}"]') for h in back)
    # One marker per statement: never two markers side by side, each with its hover quote.
    marks = page.xpath('//a[@class="cite"]')
    assert marks
    for a in marks:
        n = int(a.get("href").removeprefix("#fn-"))
        assert 1 <= n <= len(notes)
        assert a.get("title")
        sibling = a.getnext()
        assert sibling is None or sibling.get("class") != "cite"
    # Documents are named as people know them: publisher, title, date; no file paths.
    documents = [text_of(li) for li in page.xpath('//ol[@class="documents"]/li')]
    assert len(documents) == len(mono.sources)
    assert not any("shared/" in d or ".json" in d or ".txt" in d or ".." in d for d in documents)
    assert any("16 February 2022" in d for d in documents)
    assert "Source: European Medicines Agency" in r.text
    assert DISCLAIMER in unescape(r.text)
    # Feedback form on the page, about this page.
    assert page.xpath(
        '//form[@action="/feedback"]//input[@name="page" and @value="/drugs/anakinra"]'
    )
    # The personal plan and what-if links.
    assert page.xpath('//a[@href="/plan?drug=anakinra"]')
    assert page.xpath('//a[@href="/drugs/anakinra/advice/missed-dose"]')
    # No inline script or style: the pages must work under a strict CSP.
    assert not page.xpath("//script[not(@src)] | //style | //*[@style]")


def test_monograph_opens_with_a_cited_at_a_glance_card(
    client: TestClient, fake: FakeService
) -> None:
    page = tree(client.get("/drugs/anakinra").text)
    card = page.xpath('//section[@class="glance"]')[0]
    rows = {
        text_of(div.xpath("./dt")[0]): text_of(div.xpath("./dd")[0])
        for div in card.xpath("./dl/div")
    }
    assert set(rows) == {"Used for", "Usual dose", "Do not use", "Storage"}
    mono = fake.monograph("anakinra")
    product = mono.products[0]
    rule = next(r for r in mono.dose_rules if r.basis == "fixed")
    volume = f"{rule.dose_mg / product.strength_mg * product.volume_ml:.2f}".rstrip("0")
    assert f"{rule.dose_mg:g} mg = {volume} mL" in rows["Usual dose"]
    # The card says how often in plain words; the exact hours are in the dosing section.
    assert "once a day" in rows["Usual dose"] and "hours" not in rows["Usual dose"]
    blocking = [s.title for s in mono.screening if s.kind == "contraindication" and s.blocking]
    assert blocking[0] in rows["Do not use"]
    assert "°C" in rows["Storage"]
    # Each line carries exactly one marker; the card comes before the first section.
    assert all(len(div.xpath('.//a[@class="cite"]')) == 1 for div in card.xpath("./dl/div"))
    first_fold = page.xpath('//details[@class="fold"]')[0]
    assert list(page.iter()).index(card) < list(page.iter()).index(first_fold)


def test_dose_rules_are_described_in_words(client: TestClient) -> None:
    page = tree(client.get("/drugs/anakinra").text)
    doses = text_of(page.xpath('//ul[@class="doses"]')[0])
    assert "1–2 mg per kg of body weight to start" in doses
    assert "at most 8 mg per kg a day" in doses
    assert "every 24 hours (once a day)" in doses


def test_brand_and_misspelling_redirect_to_generic(client: TestClient) -> None:
    for name in ("Kineret", "kinaret", "ANAKINRA"):
        r = client.get(f"/drugs/{name}", follow_redirects=False)
        assert r.status_code == 302
        assert r.headers["location"] == "/drugs/anakinra"


def test_a_brand_of_a_shared_generic_shows_its_own_leaflet(client: TestClient) -> None:
    r = client.get("/drugs/humira", follow_redirects=False)
    assert r.status_code == 302
    assert r.headers["location"] == "/drugs/adalimumab?brand=Humira"
    page = tree(client.get(r.headers["location"]).text)
    assert text_of(page.xpath("//h1")[0]) == "Humira (adalimumab)"
    assert page.xpath('//p[@class="other-brands"]/a[@href="/drugs/adalimumab?brand=Amsparity"]')
    assert page.xpath('//p[@class="languages"]/a[@href="/drugs/adalimumab?brand=Humira&lang=da"]')
    amsparity = tree(client.get("/drugs/Amsparity").text)
    assert text_of(amsparity.xpath("//h1")[0]) == "Amsparity (adalimumab)"
    assert not amsparity.xpath('//p[@class="languages"]')  # only English exists for it
    assert client.get("/drugs/adalimumab", params={"brand": "Nope"}).status_code == 404
    missing = client.get("/drugs/adalimumab", params={"brand": "Amsparity", "lang": "da"})
    assert missing.status_code == 404


def test_unknown_medicine_is_404_with_suggestions(client: TestClient) -> None:
    r = client.get("/drugs/kinerett-xyz")
    assert r.status_code == 404
    assert "/drugs/anakinra" in r.text
    assert client.get("/drugs/zzzzzzzz").status_code == 404


def test_leaflet_page_in_reader_order_with_language_links(client: TestClient) -> None:
    r = client.get("/drugs/adalimumab")
    assert r.status_code == 200
    page = tree(r.text)
    groups = [s.get("id") for s in page.xpath('//article/details[@class="fold"]')]
    assert groups.index("about") < groups.index("side-effects") < groups.index("storage")
    assert page.xpath('//p[@class="languages"]//a[@href="/drugs/adalimumab?lang=da"]')
    assert "Source: European Medicines Agency" in r.text
    assert "no dose rules" in r.text
    # Prose copied from the leaflet cites the leaflet and its section, one marker each.
    notes = page.xpath('//ol[@class="footnotes"]/li')
    sections = page.xpath('//div[@class="leaflet-section"]')
    assert notes and len(notes) >= len(sections) - 4  # the card's quotes add a few
    for section in sections:
        (mark,) = section.xpath('.//a[@class="cite"]')
        note = page.xpath(f'//li[@id="{mark.get("href")[1:]}"]')[0]
        assert "European Medicines Agency" in text_of(note)
    assert "16 February 2022" in r.text

    da = client.get("/drugs/adalimumab", params={"lang": "da"})
    assert da.status_code == 200
    da_page = tree(da.text)
    assert da_page.get("lang") == "da"
    assert "Bivirkninger" in da.text
    # Headings and navigation in the page's language, not English.
    da_headings = [text_of(h) for h in da_page.xpath("//details/summary/h2")]
    assert "Side effects" not in da_headings and "Kilder" in da_headings
    assert client.get("/drugs/anakinra", params={"lang": "da"}).status_code == 404
    assert client.get("/drugs/anakinra", params={"lang": "<x>"}).status_code == 422


# ------------------------------------------------------------------------- personal plan


def test_plan_form_offers_the_monographs_indications(client: TestClient, fake: FakeService) -> None:
    page = tree(client.get("/plan", params={"drug": "anakinra"}).text)
    options = page.xpath('//select[@name="indication"]/option/@value')
    assert {i.id for i in fake.monograph("anakinra").indications} <= set(options)
    assert page.xpath('//select[@name="weight_unit"]/option/@value') == ["kg", "lb"]
    assert page.xpath('//label[@for="f-weight"]')


def test_plan_result_shows_decision_dose_and_volume(client: TestClient) -> None:
    r = client.post("/plan", data={**NOMID_CHILD, "allergies": "latex"})
    assert r.status_code == 200
    page = tree(r.text)
    decision = page.xpath('//div[contains(@class, "decision")]')[0]
    assert "decision-ok" in decision.get("class") or "decision-do-not-use" in decision.get("class")
    dose = text_of(page.xpath('//p[@class="dose-main"]')[0])
    assert "20 mg" in dose and "0.13 mL" in dose
    assert (
        "every 24 hours (once a day)" in text_of(page.xpath('//p[@class="dose-when"]')[0]).lower()
    )
    severities = [
        re.search(r"sev-(\w+)", li.get("class")).group(1)  # type: ignore[union-attr]
        for li in page.xpath('//ul[@class="alerts"]/li')
    ]
    order = {"high": 0, "moderate": 1, "low": 2}
    assert severities == sorted(severities, key=order.__getitem__)
    assert len(severities) >= 2
    rows = page.xpath("//table/tbody/tr")
    assert rows
    # Links that re-open the plan carry its id, never the answers (no health data in URLs).
    plan_url = str(r.url.path)
    assert re.fullmatch(r"/plan/[A-Za-z0-9_-]{32}", plan_url)
    (ics,) = page.xpath('//a[contains(@href, ".ics")]/@href')
    assert ics == f"{plan_url}.ics"
    assert page.xpath(f'//a[@href="{plan_url}/advice/fever"]')
    assert page.xpath(f'//a[@href="{plan_url}/edit"]')
    for href in page.xpath("//a/@href"):
        assert "weight" not in href and "age_years" not in href, href
    assert_one_marker_per_statement(page)


def test_negative_weight_is_422_with_message_next_to_weight(client: TestClient) -> None:
    r = client.post("/plan", data={**NOMID_CHILD, "weight": "-20"})
    assert r.status_code == 422
    page = tree(r.text)
    box = field_box(page, "f-weight")
    assert "more than 0" in text_of(box)
    assert page.xpath('//input[@id="f-weight"]/@value') == ["-20"]
    assert page.xpath('//input[@id="f-weight"]/@aria-invalid') == ["true"]
    # The rest of the answers are kept too.
    assert page.xpath('//input[@id="f-age_years"]/@value') == ["8"]
    assert page.xpath('//select[@name="indication"]/option[@selected]/@value') == ["nomid"]


def test_engine_input_error_lands_on_the_right_field(client: TestClient) -> None:
    r = client.post("/plan", data={**NOMID_CHILD, "weight": "900"})
    assert r.status_code == 422
    assert "between 0.3 and 400 kg" in text_of(field_box(tree(r.text), "f-weight"))


def test_bad_numbers_and_dates_are_422_not_500(client: TestClient) -> None:
    r = client.post(
        "/plan",
        data={**NOMID_CHILD, "age_years": "eight", "start_date": "01/12/2026", "crcl_ml_min": "x"},
    )
    assert r.status_code == 422
    page = tree(r.text)
    assert "number" in text_of(field_box(page, "f-age_years"))
    assert "2026-12-01" in text_of(field_box(page, "f-start_date"))
    assert "number" in text_of(field_box(page, "f-crcl_ml_min"))


def test_unknown_drug_in_plan_is_422_with_suggestions(client: TestClient) -> None:
    r = client.post("/plan", data={**NOMID_CHILD, "drug": "notadrugatall"})
    assert r.status_code == 422
    assert "notadrugatall" in text_of(field_box(tree(r.text), "f-drug"))


def test_missing_indication_says_cannot_decide_and_what_is_missing(client: TestClient) -> None:
    data = {k: v for k, v in NOMID_CHILD.items() if k != "indication"}
    page = tree(client.post("/plan", data=data).text)
    decision = page.xpath('//div[contains(@class, "decision")]')[0]
    assert "decision-cannot-decide" in decision.get("class")
    assert "Missing: indication" in text_of(decision)


def test_plan_input_is_escaped(client: TestClient) -> None:
    evil = '<script>alert("x")</script>'
    r = client.post("/plan", data={**NOMID_CHILD, "medications": evil, "weight": "-1"})
    assert r.status_code == 422
    assert "<script>alert" not in r.text
    assert "&lt;script&gt;" in r.text


def test_plan_ics_downloads_a_calendar(client: TestClient) -> None:
    plan_url = client.post("/plan", data=NOMID_CHILD).url.path
    r = client.get(f"{plan_url}.ics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/calendar")
    assert "attachment" in r.headers["content-disposition"]
    cal = Calendar.from_ical(r.content)
    events = cal.walk("VEVENT")
    assert events
    assert min(e.decoded("dtstart") for e in events) == dt.date(2026, 12, 1)
    posted = client.post("/plan.ics", data=NOMID_CHILD)
    assert posted.status_code == 200 and b"BEGIN:VEVENT" in posted.content
    assert client.post("/plan.ics", data={**NOMID_CHILD, "weight": "-2"}).status_code == 422
    # The answers are never read from a query string.
    assert client.get("/plan.ics", params=NOMID_CHILD).status_code == 405


def test_edit_link_prefills_the_form(client: TestClient) -> None:
    plan_url = client.post("/plan", data=NOMID_CHILD).url.path
    page = tree(client.get(f"{plan_url}/edit").text)
    assert page.xpath('//input[@id="f-weight"]/@value') == ["20"]
    assert page.xpath('//input[@name="kidney_severe" and @value="no"]/@checked')
    # A link with answers in it pre-fills nothing but the medicine.
    page = tree(client.get("/plan", params=NOMID_CHILD).text)
    assert page.xpath('//input[@id="f-weight"]/@value') == [""]


# ------------------------------------------------------------------------- advice


def test_advice_page_renders_steps_with_sources(client: TestClient) -> None:
    r = client.get("/drugs/anakinra/advice/missed-dose")
    assert r.status_code == 200
    page = tree(r.text)
    assert page.xpath('//ol[@class="steps"]/li')
    assert page.xpath('//ol[@class="steps"]//a[@class="cite"]')
    assert_one_marker_per_statement(page)
    plan_url = client.post("/plan", data=NOMID_CHILD).url.path
    with_profile = client.get(f"{plan_url}/advice/fever")
    assert with_profile.status_code == 200
    assert tree(with_profile.text).xpath(f'//a[@href="{plan_url}"]')


def test_advice_errors_are_4xx(client: TestClient) -> None:
    assert client.get("/drugs/anakinra/advice/bogus-event").status_code == 404
    assert client.get("/drugs/nothing-like-it/advice/fever").status_code == 404
    # Profile fields in a link are not read at all.
    assert client.get("/drugs/anakinra/advice/fever", params={"weight": "-3"}).status_code == 200


# ------------------------------------------------------------------------- diary and report


def add_entry(client: TestClient, **overrides: str) -> str:
    """Adds an entry as the signed-in `client`; returns the new entry's id."""
    data = {
        "drug": "Kineret",
        "reaction": "Red itchy swelling where I injected",
        "started": "2026-01-10",
        "severity": "moderate",
        "outcome": "better after two days",
        **overrides,
    }
    r = client.post("/diary", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    found = re.search(r"added=([A-Za-z0-9_-]+)", r.headers["location"])
    assert found
    return found.group(1)


def test_diary_records_entries_under_the_generic(member: TestClient) -> None:
    entry_id = add_entry(member)
    page = tree(member.get("/diary", params={"drug": "anakinra"}).text)
    (li,) = page.xpath('//ol[@class="entries"]/li')
    assert "Red itchy swelling" in text_of(li) and "2026-01-10" in text_of(li)
    assert li.xpath(f'.//a[@href="/diary/report.pdf?entry={entry_id}"]')
    assert member.get("/api/diary").status_code == 404  # the site alone has no API routes


def test_diary_escapes_what_people_write(member: TestClient) -> None:
    evil = '<script>alert("diary")</script><img src=x onerror=alert(1)>'
    entry_id = add_entry(member, reaction=evil, outcome=evil)
    r = member.get("/diary")
    assert "<script>alert" not in r.text and "<img src=x" not in r.text
    assert "&lt;script&gt;alert" in r.text
    report = member.post("/diary/report.html", data={"entry": entry_id, "manufacturer": evil})
    assert "<script>alert" not in report.text and "<img src=x" not in report.text


def test_diary_form_errors_are_next_to_fields(member: TestClient) -> None:
    client = member
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    r = client.post(
        "/diary",
        data={"drug": "anakinra", "reaction": "", "started": tomorrow, "severity": "awful"},
    )
    assert r.status_code == 422
    page = tree(r.text)
    assert "Describe what happened" in text_of(field_box(page, "d-reaction"))
    assert "future" in text_of(field_box(page, "d-started"))
    assert "Choose how bad" in text_of(field_box(page, "d-severity"))
    assert page.xpath('//input[@id="d-started"]/@value') == [tomorrow]
    r = client.post(
        "/diary",
        data={
            "drug": "notadrugatall",
            "reaction": "rash",
            "started": "2026-01-01",
            "severity": "mild",
        },
    )
    assert r.status_code == 422
    assert "notadrugatall" in text_of(field_box(tree(r.text), "d-drug"))


def test_report_has_the_3500b_sections_and_leaves_unknowns_blank(member: TestClient) -> None:
    client = member
    entry_id = add_entry(client, severity="life-threatening")
    data = client.post("/diary/report.json", data={"entry": entry_id, "initials": "JD"}).json()
    titles = [(s["id"], s["title"]) for s in data["sections"]]
    assert titles == [
        ("A", "About the problem"),
        ("B", "Product availability"),
        ("C", "About the products"),
        ("D", "About the person who had the problem"),
        ("E", "About the person filling out this form"),
    ]
    fields = {f["key"]: f["value"] for s in data["sections"] for f in s["fields"]}
    assert fields["date"] == "2026-01-10"
    assert "Red itchy swelling" in fields["description"]
    assert fields["outcomes"] == ["Life-threatening"]
    assert fields["product_name"] == "anakinra"
    assert fields["initials"] == "JD"
    # Nothing invented: what nobody typed stays empty.
    for key in (
        "manufacturer",
        "lot",
        "strength",
        "age",
        "weight",
        "sex",
        "reporter_name",
        "still_have",
    ):
        assert fields[key] is None, key

    html_page = client.get("/diary/report.html", params={"entry": entry_id})
    assert html_page.status_code == 200
    for sid, title in titles:
        assert f"Section {sid}: {title}" in unescape(html_page.text)
    assert "3500B" in html_page.text

    pdf = client.post("/diary/report.pdf", data={"entry": entry_id, "manufacturer": "Sobi – Ståle"})
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"


def test_report_errors(member: TestClient) -> None:
    client = member
    assert client.get("/diary/report.json").status_code == 404  # empty diary
    entry_id = add_entry(client)
    bad = client.post("/diary/report.json", data={"entry": entry_id, "still_have": "maybe"})
    assert bad.status_code == 422 and bad.json()["field"] == "still_have"
    # Ids of any shape people (or scanners) try are 4xx, never 500.
    for raw in ("abc", "²", "1" * 5000, "-1", "../x", "0x10"):
        assert client.get("/diary/report.html", params={"entry": raw}).status_code in (404, 422)
        assert client.get("/diary/report.json", params={"entry": raw}).status_code in (404, 422)
    assert client.get("/diary/report.pdf", params={"entry": "A" * 32}).status_code == 404
    assert client.get("/diary/report.exe").status_code == 404


# ------------------------------------------------------------------------- feedback and about


def test_feedback_is_saved_and_thanked(client: TestClient, fake: FakeService) -> None:
    r = client.post(
        "/feedback", data={"page": "/drugs/anakinra", "helpful": "yes", "text": "<b>ok</b>"}
    )
    assert r.status_code == 200
    assert "Thank you" in r.text
    (saved,) = fake.feedback
    assert saved.page == "/drugs/anakinra" and saved.helpful is True and saved.text == "<b>ok</b>"
    assert client.post("/feedback", data={"page": "/drugs/anakinra"}).status_code == 422
    for elsewhere in (
        "https://evil.example/",
        "//evil.example/phish",
        "/\\evil.example/phish",
        "\\\\evil.example",
        "/\tevil.example",
        "javascript:alert(1)",
        "evil.example",
    ):
        r = client.post("/feedback", data={"page": elsewhere, "helpful": "no"})
        assert r.status_code == 422, elsewhere
        # The "Back" link of the error page stays on this site.
        assert tree(r.text).xpath('//a[text()="Back to the page"]/@href') == ["/"], elsewhere
    assert len(fake.feedback) == 1


def test_about_names_sources_and_acknowledgements(client: TestClient, fake: FakeService) -> None:
    r = client.get("/about")
    assert r.status_code == 200
    for source in fake.monograph("anakinra").sources:
        assert source.publisher in unescape(r.text)
    assert "Source: European Medicines Agency" in r.text


def test_pdf_without_a_unicode_font_still_renders(monkeypatch: pytest.MonkeyPatch) -> None:
    from druginfo.interfaces.web import report as report_module
    from druginfo.model import DiaryEntry

    monkeypatch.setattr(report_module, "_unicode_font", lambda: None)
    entry = DiaryEntry(
        id=1,
        drug="anakinra",
        reaction="Rødme – “hævelse” 中",
        started=dt.date(2026, 1, 2),
        severity="mild",
    )
    built = report_module.build_report(entry)
    assert report_module.report_pdf(built).startswith(b"%PDF")
    assert report_module._latin1("“a” – 2 °C 中") == '"a" - 2 degC ?'


def assert_one_marker_per_statement(page: Any) -> None:
    """Result pages cite as monograph pages do: one numbered marker per statement (never a
    cluster such as [S3, S4, S5]), numbered notes in order, each quoting its sources and
    leading back to every place that cites it."""
    assert not page.xpath('//sup[@class="cites"]')
    notes = page.xpath('//ol[@class="footnotes"]/li')
    numbers = [int(li.get("id").removeprefix("fn-")) for li in notes]
    assert numbers == list(range(1, len(notes) + 1))
    marks = page.xpath('//a[@class="cite"]')
    assert marks
    for a in marks:
        assert a.text == a.get("href").removeprefix("#fn-")
        assert a.get("title") and a.get("id")
        sibling = a.getnext()
        assert sibling is None or sibling.get("class") != "cite", "two markers side by side"
        note = page.xpath(f'//li[@id="fn-{a.text}"]')[0]
        assert note.xpath(".//q")
        assert f"#{a.get('id')}" in note.xpath('.//a[@class="backref"]/@href')
    for li in notes:
        for doc in li.xpath('.//a[@class="doc"]/@href'):
            assert page.xpath(f'//ol[@class="documents"]/li[@id="{doc[1:]}"]')
