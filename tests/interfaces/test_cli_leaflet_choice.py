"""`druginfo show` picks among one brand's several leaflets by the same service rule as the web
page (the adults' unless another is asked for) and names the others with the way to show them
(`--leaflet ID`, the CLI's `?leaflet=`). Over invented ePI leaflets of brands no bundled
leaflet has, and over the real bundled data."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import html as lxml_html

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))  # the invented bundles

import epi_bundles as eb
from test_cli import run

from druginfo.ingest import ingest
from druginfo.service import Service, leaflet_id
from druginfo.store import open_store

# One brand, two leaflets, listed children's first so that store order alone would show the
# children's one to an adult; the adults' leaflet has a different strength and wording.
KID = eb.Leaflet(
    stem="quelvane-junior.en",
    product_name="Quelvane 15 mg/0.3 mL solution for injection in pre-filled syringe",
    brand="Quelvane",
    substance="quelvizumab",
    for_children=True,
    dose="Children weighing 15 kg or more are usually given 15 mg once every week.",
    date="2024-06-02T08:00:00Z",
)
GROWN = eb.Leaflet(
    stem="quelvane.en",
    product_name="Quelvane 150 mg concentrate for solution for infusion",
    brand="Quelvane",
    substance="quelvizumab",
    for_children=False,
    dose="Adults are usually given 150 mg once every four weeks.",
    date="2024-06-03T08:00:00Z",
)
# A brand with one leaflet: nothing to choose.
LONE = eb.Leaflet(
    stem="parvotrel.en",
    product_name="Parvotrel 40 mg film-coated tablets",
    brand="Parvotrel",
    substance="parvostat",
    for_children=False,
    dose="The recommended dose is 40 mg once a day.",
)


@pytest.fixture(scope="module")
def invented(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("cli-choice")
    url = f"sqlite:///{folder / 'choice.db'}"
    store = open_store(url, bootstrap=False)
    report = ingest([eb.write(folder / "epi", [KID, GROWN, LONE])], store, progress=False)
    store.close()
    assert report.inserted == 3 and not report.broken
    return url


@pytest.fixture(scope="module")
def service(invented: str) -> Iterator[Service]:
    svc = Service.open(invented)
    yield svc
    svc.close()


def test_one_service_rule_picks_the_adults_leaflet_unless_asked(service: Service) -> None:
    for name in ("Quelvane", "quelvizumab"):
        mono, _ = service.product(name, "en")
        assert leaflet_id(mono) == "ema-epi-quelvane.en", name
        child, _ = service.product(name, "en", leaflet="ema-epi-quelvane-junior.en")
        assert leaflet_id(child) == "ema-epi-quelvane-junior.en"
        # The person's age picks in a check; an age that is an adult's keeps the adults'.
        assert leaflet_id(service.product(name, "en", age_years=7)[0]) == leaflet_id(child)
        assert leaflet_id(service.product(name, "en", age_years=52)[0]) == leaflet_id(mono)
    docs = service.leaflet_siblings(mono)
    assert {leaflet_id(d) for d in docs} == {"ema-epi-quelvane.en", "ema-epi-quelvane-junior.en"}
    assert service.choose_leaflet(docs) is mono
    assert service.choose_leaflet(docs, leaflet="ema-epi-nothing.en") is None


def test_show_names_the_other_leaflets_and_how_to_show_them(invented: str) -> None:
    proc = run(invented, "show", "Quelvane", "--no-pager")
    assert proc.returncode == 0, proc.stderr
    out = " ".join(proc.stdout.split())
    assert "This product has 2 leaflets" in out
    assert f"{GROWN.product_name} (shown)" in out
    assert f"{KID.product_name} (written for children)" in out
    assert "druginfo show Quelvane --leaflet ema-epi-quelvane-junior.en" in out
    assert "150 mg" in out and "15 mg once every week" not in out
    child = run(invented, "show", "Quelvane", "--leaflet", "ema-epi-quelvane-junior.en")
    assert child.returncode == 0, child.stderr
    text = " ".join(child.stdout.split())
    assert f"{KID.product_name} (written for children) (shown)" in text
    assert "druginfo show Quelvane --leaflet ema-epi-quelvane.en" in text


def test_show_json_lists_the_choice_and_a_lone_leaflet_offers_none(invented: str) -> None:
    data = json.loads(run(invented, "show", "quelvizumab", "--json").stdout)
    assert data["sources"][0]["id"] == "ema-epi-quelvane.en"
    assert {c["id"]: c["shown"] for c in data["leaflet_choices"]} == {
        "ema-epi-quelvane-junior.en": False,
        "ema-epi-quelvane.en": True,
    }
    lone = run(invented, "show", "Parvotrel", "--no-pager")
    assert lone.returncode == 0 and "leaflets:" not in lone.stdout
    assert "leaflet_choices" not in json.loads(run(invented, "show", "Parvotrel", "--json").stdout)


def test_an_unknown_leaflet_is_bad_input_naming_the_leaflets(invented: str) -> None:
    proc = run(invented, "show", "Quelvane", "--leaflet", "ema-epi-nothing.en")
    assert proc.returncode == 2
    assert "leaflet" in proc.stderr and "ema-epi-quelvane-junior.en" in proc.stderr
    lone = run(invented, "show", "Parvotrel", "--leaflet", "ema-epi-quelvane.en")
    assert lone.returncode == 2 and "ema-epi-parvotrel.en" in lone.stderr
    assert run(invented, "show", "Parvotrel", "--leaflet", "ema-epi-parvotrel.en").returncode == 0


def test_the_web_page_and_the_cli_show_the_same_leaflet(service: Service, invented: str) -> None:
    from druginfo.interfaces.app import create_app

    with TestClient(create_app(service), base_url="http://druginfo.test") as client:
        for name in ("Quelvane", "quelvizumab", "Parvotrel"):
            page = lxml_html.fromstring(client.get(f"/drugs/{name}").text)
            documents = " ".join(page.xpath('//ol[@class="documents"]')[0].text_content().split())
            shown = json.loads(run(invented, "show", name, "--json").stdout)
            assert shown["sources"][0]["document"] in documents, name


@pytest.mark.parametrize("name", ["Humira", "Kineret", "Olumiant", "Benepali", "Xeljanz"])
def test_on_the_bundled_data_the_cli_and_the_page_agree(bundled_db_url: str, name: str) -> None:
    """The real leaflets: whatever the CLI shows for a brand is the page's document too."""
    from druginfo.interfaces.app import create_app

    svc = Service.open(bundled_db_url)
    try:
        with TestClient(create_app(svc), base_url="http://druginfo.test") as client:
            page = lxml_html.fromstring(client.get(f"/drugs/{name}").text)
            documents = " ".join(page.xpath('//ol[@class="documents"]')[0].text_content().split())
        mono, _ = svc.product(name, "en")
    finally:
        svc.close()
    shown = json.loads(run(bundled_db_url, "show", name, "--json").stdout)
    assert shown["sources"][0]["id"] == leaflet_id(mono)
    assert shown["sources"][0]["document"] in documents
