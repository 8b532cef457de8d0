"""The plan form for any medicine the store knows, not only the curated ones: a typed name
helped by names from the store, the service's resolution errors as choices (unknown, shared
by several medicines, a substance without a leaflet of its own), and a result that says what
it rests on — machine-read leaflet text or curated rules — with a calendar only where there is
one. Over the real bundled store, and over invented leaflets for the product a plan uses."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import epi_bundles as eb
import pytest
from lxml import html as lxml_html

from druginfo.ingest import ingest
from druginfo.service import Service
from druginfo.store import open_store
from support.web_client import BrowserClient

ID = r"[A-Za-z0-9_-]{32}"
ADULT = {
    "age_years": "47",
    "weight": "68",
    "weight_unit": "kg",
    "sex": "female",
    "pregnant": "no",
    "breastfeeding": "no",
    "kidney_severe": "no",
    "crcl_ml_min": "95",
    "start_date": "2027-02-01",
}


def tree(text: str) -> Any:
    return lxml_html.fromstring(text)


def words(node: Any) -> str:
    return " ".join(node.text_content().split())


def choices_offered(page: Any) -> list[str]:
    return [
        str(v) for v in page.xpath('//fieldset[@class="name-choices"]//input[@name="pick"]/@value')
    ]


def test_the_form_takes_a_typed_name_helped_by_the_store(real_site: BrowserClient) -> None:
    page = tree(real_site.get("/plan").text)
    assert not page.xpath('//select[@name="drug"]')  # no giant select
    (field,) = page.xpath('//input[@id="f-drug"]')
    assert field.get("type") == "text" and field.get("list") == "plan-drugs"
    assert field.get("value") == ""
    # The datalist starts with a few names; the rest come from the store as one types.
    assert 0 < len(page.xpath('//datalist[@id="plan-drugs"]/option')) <= 20
    answer = real_site.get("/plan/names", params={"q": "olumi"})
    assert answer.headers["cache-control"] == "no-store"  # what one typed is nobody else's
    names = answer.json()
    assert names[0]["value"] == "Olumiant" and "baricitinib" in names[0]["label"]
    assert {n["value"] for n in real_site.get("/plan/names", params={"q": "xelj"}).json()} >= {
        "XELJANZ"
    }
    assert real_site.get("/plan/names", params={"q": "x"}).json() == []
    # A monograph page's link pre-fills the medicine, any medicine.
    linked = tree(real_site.get("/plan", params={"drug": "Xeljanz"}).text)
    assert linked.xpath('//input[@id="f-drug"]/@value') == ["Xeljanz"]


def test_what_it_is_for_follows_the_medicine(real_site: BrowserClient) -> None:
    curated = real_site.get("/plan/uses", params={"drug": "Kineret"}).json()
    assert {"id": "nomid", "name": curated["indications"][1]["name"]} in curated["indications"]
    assert curated["uses"] == []
    # A leaflet-only medicine: no curated list, the uses its leaflet's doses are stated for.
    leaflet = real_site.get("/plan/uses", params={"drug": "Xeljanz"}).json()
    assert leaflet["indications"] == [] and "rheumatoid arthritis" in leaflet["uses"]
    assert real_site.get("/plan/uses", params={"drug": "qqzzxv"}).json() == {
        "indications": [],
        "uses": [],
    }
    page = tree(real_site.get("/plan", params={"drug": "Xeljanz"}).text)
    assert page.xpath('//select[@id="f-indication"]/@hidden')
    assert "rheumatoid arthritis" in page.xpath('//datalist[@id="plan-uses"]/option/@value')
    assert page.xpath('//label[@id="indication-label"]/@for') == ["f-indication_other"]


def test_a_leaflet_only_medicine_gets_a_plan_that_says_it_is_machine_read(
    real_site: BrowserClient,
) -> None:
    r = real_site.post("/plan", data={**ADULT, "drug": "Olumiant", "planned_vaccines": "MMR"})
    assert r.status_code == 200 and re.fullmatch(f"/plan/{ID}", r.url.path)
    page = tree(r.text)
    (note,) = page.xpath('//p[contains(@class, "provenance")]')
    assert "machine-read from the official leaflet" in words(note)
    assert "not checked by a person" in words(note) and "Olumiant" in words(note)
    assert "machine-read" in note.get("class")
    assert "Screened against" in words(page.xpath('//section[@class="coverage"]')[0])
    alerts = page.xpath('//ul[@class="alerts"]/li')
    dose = next(a for a in alerts if "Dose of baricitinib" in words(a))
    assert "kind-cannot-decide" in dose.get("class")
    assert "machine-read from the official leaflet" in words(dose)
    # Each alert's citation leads to the leaflet's own sentence.
    for href in dose.xpath('.//a[@class="cite"]/@href'):
        (target,) = page.xpath(f'//*[@id="{href[1:]}"]')
        assert "4 mg" in words(target) and "European Medicines Agency" in words(target)
    # No calendar where the leaflet gives no monitoring; no advice links that have no advice.
    assert not page.xpath('//a[contains(@href, ".ics")]')
    assert not page.xpath('//ul[@class="what-if"]')
    assert page.xpath('//a[@href="/drugs/Olumiant"]')
    for href in page.xpath("//a/@href"):
        assert "age_years" not in href and "MMR" not in href, href


def test_a_leaflet_dose_is_shown_with_its_quote_and_basis(real_site: BrowserClient) -> None:
    r = real_site.post("/plan", data={**ADULT, "drug": "Kevzara"})
    assert r.status_code == 200
    page = tree(r.text)
    dose = page.xpath('//section[@class="dose"]')[0]
    assert "mg" in words(dose.xpath('.//p[@class="dose-main"]')[0])
    assert "machine-read from the official leaflet" in words(dose.xpath('.//p[@class="basis"]')[0])
    assert dose.xpath('.//a[@class="cite"]')
    assert "The leaflet says" in words(dose)


def test_a_curated_medicine_says_curated_and_keeps_its_calendar(real_site: BrowserClient) -> None:
    r = real_site.post(
        "/plan", data={**ADULT, "drug": "Kineret", "indication": "rheumatoid-arthritis"}
    )
    assert r.status_code == 200
    page = tree(r.text)
    (note,) = page.xpath('//p[contains(@class, "provenance")]')
    assert "curated rules" in words(note) and "machine-read" not in note.get("class")
    assert page.xpath('//a[contains(@href, ".ics")]') and page.xpath('//ul[@class="what-if"]')


def test_an_unknown_name_offers_near_names_and_keeps_the_answers(real_site: BrowserClient) -> None:
    r = real_site.post("/plan", data={**ADULT, "drug": "Olumiantt x"})
    assert r.status_code == 422
    page = tree(r.text)
    assert "We do not know the medicine" in words(page.xpath('//p[@id="drug-error"]')[0])
    assert "Olumiant" in choices_offered(page)
    assert page.xpath('//input[@id="f-age_years"]/@value') == ["47"]
    # Choosing one of them checks it with the same answers.
    picked = real_site.post("/plan", data={**ADULT, "drug": "Olumiantt x", "pick": "Olumiant"})
    assert picked.status_code == 200 and re.fullmatch(f"/plan/{ID}", picked.url.path)
    assert "Olumiant (baricitinib): your plan" in words(tree(picked.text).xpath("//h1")[0])
    edit = tree(real_site.get(f"{picked.url.path}/edit").text)
    assert edit.xpath('//input[@id="f-drug"]/@value') == ["Olumiant"]


def test_a_shared_name_lists_the_medicines_to_pick_from(real_site: BrowserClient) -> None:
    r = real_site.post("/plan", data={**ADULT, "drug": "insulin"})
    assert r.status_code == 422 and r.headers["cache-control"] == "no-store"
    page = tree(r.text)
    assert "is the name of several medicines" in words(page.xpath('//p[@id="drug-error"]')[0])
    offered = choices_offered(page)
    assert len(offered) >= 3 and all("insulin" in n for n in offered)
    assert not page.xpath('//input[@name="pick"][@checked]')  # nothing picked for the person


def test_a_substance_without_its_own_leaflet_names_the_products_holding_it(
    real_site: BrowserClient,
) -> None:
    r = real_site.post("/plan", data={**ADULT, "drug": "metformin"})
    assert r.status_code == 422
    page = tree(r.text)
    message = words(page.xpath('//p[@id="drug-error"]')[0])
    assert "no leaflet or label of metformin on its own" in message
    offered = choices_offered(page)
    assert offered and all("metformin" in n for n in offered)
    picked = real_site.post("/plan", data={**ADULT, "drug": "metformin", "pick": offered[0]})
    assert picked.status_code == 200 and re.fullmatch(f"/plan/{ID}", picked.url.path)


def test_bad_names_are_422_and_never_a_plan(real_site: BrowserClient) -> None:
    for name in ("", "a" * 201, "qqzzxvkkw"):
        r = real_site.post("/plan", data={**ADULT, "drug": name})
        assert r.status_code == 422, name
        assert tree(r.text).xpath('//input[@id="f-drug"]/@aria-invalid') == ["true"], name


# ------------------------------------------------------------- the product a plan is checked on


@pytest.fixture(scope="module")
def invented(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserClient]:
    from druginfo.interfaces.app import create_app

    folder = tmp_path_factory.mktemp("plan-products")
    url = f"sqlite:///{folder / 'plan.db'}"
    store = open_store(url, bootstrap=False)
    ingest([eb.write(folder / "epi", eb.ALL)], store, progress=False, workers=1)
    store.close()
    service = Service.open(url)
    try:
        with BrowserClient(create_app(service), base_url="http://druginfo.test") as c:
            yield c
    finally:
        service.close()


def cited_documents(page: Any) -> str:
    return words(page.xpath('//p[contains(@class, "provenance")]')[0])


def test_a_brands_leaflet_for_the_persons_age_is_the_one_checked(
    invented: BrowserClient,
) -> None:
    child = {"drug": "Zorbrand", "age_years": "8", "weight": "25", "weight_unit": "kg"}
    page = tree(invented.post("/plan", data=child).text)
    assert eb.ZORBRAND_CHILD.product_name in cited_documents(page)
    adult = {**child, "age_years": "40", "weight": "70"}
    page = tree(invented.post("/plan", data=adult).text)
    assert eb.ZORBRAND_ADULT.product_name in cited_documents(page)
    # A brand whose own leaflet is missing: the plan says which product it was checked on.
    page = tree(invented.post("/plan", data={**adult, "drug": "Remicade"}).text)
    (note,) = page.xpath('//p[@class="product-note"]')
    assert "Remicade's leaflet is not available; showing Inflistra" in words(note)


def test_the_invented_store_offers_its_own_names(invented: BrowserClient) -> None:
    names = invented.get("/plan/names", params={"q": "zorb"}).json()
    assert {n["value"] for n in names} >= {"Zorbrand"}
    uses = invented.get("/plan/uses", params={"drug": "Zorbrand"}).json()
    assert uses["indications"] == []


def test_a_dose_the_leaflet_cannot_decide_is_pointed_at_not_guessed(
    real_site: BrowserClient,
) -> None:
    page = tree(real_site.post("/plan", data={**ADULT, "drug": "Olumiant"}).text)
    (dose,) = page.xpath('//section[@class="dose"]')
    assert not dose.xpath('.//p[@class="dose-main"]')
    question = words(dose.xpath('.//p[@class="dose-question"]')[0])
    assert "No dose is picked for you" in question and "baricitinib" in question
    assert dose.xpath('.//a[@href="#alerts-title"]') and page.xpath('//*[@id="alerts-title"]')


def test_a_plan_on_one_of_a_brands_leaflets_names_the_others(invented: BrowserClient) -> None:
    page = tree(
        invented.post("/plan", data={"drug": "Zorbrand", "age_years": "9", "weight": "28"}).text
    )
    (other,) = page.xpath('//p[@class="product-leaflets"]')
    assert eb.ZORBRAND_ADULT.product_name in words(other)
    assert f"checked against {eb.ZORBRAND_CHILD.product_name}" in words(other)
