"""EMA ePI leaflets: real FHIR Bundles from ../shared/data/ema-epi."""

from __future__ import annotations

import datetime as dt
import json
import re
import tarfile
from pathlib import Path

import pytest

from druginfo.model import Topic
from druginfo.sources.base import Broken, ParsedDocument
from druginfo.sources.epi import (
    ACKNOWLEDGEMENT,
    EnglishSiblings,
    brand_from_product_name,
    bundled_epi_path,
    clean_substance,
    extract_substances,
    parse_epi,
)
from druginfo.sources.text import norm_space, xhtml_blocks


@pytest.fixture(scope="module")
def epi_dir(data_dir: Path) -> Path:
    return data_dir / "ema-epi"


@pytest.fixture(scope="module")
def siblings(epi_dir: Path) -> EnglishSiblings:
    return EnglishSiblings(
        lambda name: (epi_dir / name).read_bytes() if (epi_dir / name).is_file() else None
    )


def parse(epi_dir: Path, name: str, siblings: EnglishSiblings | None = None) -> ParsedDocument:
    path = epi_dir / name
    record = parse_epi(path.read_bytes(), str(path), name=name, siblings=siblings)
    assert isinstance(record, ParsedDocument), record
    return record


def source_text(path: Path) -> str:
    """All section text of a leaflet, whitespace-normalised, to check quotes against."""
    bundle = json.loads(path.read_bytes())
    comp = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Composition"
    )
    parts: list[str] = []

    def walk(sections: list[dict]) -> None:  # type: ignore[type-arg]
        for s in sections:
            parts.extend(xhtml_blocks(s.get("text", {}).get("div", "")))
            walk(s.get("section", []))

    walk(comp["section"])
    return norm_space(" ".join(parts))


def test_kineret_english_leaflet(epi_dir: Path) -> None:
    doc = parse(epi_dir, "kineret.en.json")
    mono = doc.monograph
    assert doc.doc_id == "ema-epi:kineret.en"
    assert len(doc.checksum) == 64
    assert mono.key == "anakinra"
    assert mono.identity.generic == "anakinra"
    assert mono.identity.brands == ["Kineret"]
    assert mono.identity.substances == ["anakinra"]
    assert mono.identity.identifiers["EU"] == "EU/1/02/203"
    assert mono.language == "en"
    assert mono.document_date == dt.date(2022, 2, 16)
    assert mono.curated is False
    (source,) = mono.sources
    assert source.id == "ema-epi-kineret.en"
    assert source.publisher == "European Medicines Agency"
    assert source.kind.value == "label"
    assert source.reviewed == dt.date(2022, 2, 16)
    assert source.acknowledgement == ACKNOWLEDGEMENT
    assert source.document.startswith("Kineret 100 mg")

    topics = {s.topic for s in mono.sections}
    assert {
        Topic.indication,
        Topic.contraindication,
        Topic.warning,
        Topic.children,
        Topic.interaction,
        Topic.pregnancy,
        Topic.dosing,
        Topic.self_injection,
        Topic.overdose,
        Topic.missed_dose,
        Topic.side_effect,
        Topic.reporting,
        Topic.storage,
        Topic.product,
    } <= topics

    frozen = [c for c in mono.claims if "Do not freeze" in c.quote]
    assert frozen and all(c.topic is Topic.storage for c in frozen)
    assert frozen[0].section == "5. How to store kineret"

    contra = next(s for s in mono.sections if s.topic is Topic.contraindication)
    assert contra.title == "Do not use Kineret"
    contra_quotes = [mono.claim(c).quote for c in contra.claims]
    assert any("neutropenia" in q for q in contra_quotes)

    interaction = next(s for s in mono.sections if s.topic is Topic.interaction)
    assert interaction.title == "Other medicines and Kineret"
    assert any("etanercept" in mono.claim(c).quote for c in interaction.claims)
    missed = next(s for s in mono.sections if s.topic is Topic.missed_dose)
    assert "contact your doctor" in mono.claim(missed.claims[0]).quote
    # Breast-feeding sentences of the pregnancy subsection are filed as such.
    assert any(
        c.topic is Topic.breastfeeding and "must not breast-feed" in c.quote for c in mono.claims
    )
    # The leaflet header and table of contents carry no claims.
    assert not any(c.section and "What is in this leaflet" in c.section for c in mono.claims)


def as_converted(quote: str) -> str:
    """A repaired quote as the conversion left it: restored apostrophes and degree signs out
    again, so the test proves the repair touched nothing else."""
    quote = re.sub(r"(\S) °C – (\S+) °C", r"\1 C \2 C", quote)
    quote = quote.replace(" °C", " C")
    quote = re.sub(r"(?<=\w)'(?=(?:s|t|re|ve|ll|m)\b)", " ", quote)
    return quote


def test_claims_are_verbatim_and_numbered(epi_dir: Path) -> None:
    for name in ("kineret.en.json", "benepali.da.json", "kineret.pt.json", "tracleer.en.json"):
        mono = parse(epi_dir, name).monograph
        text = source_text(epi_dir / name)
        stem = name.removesuffix(".json")
        assert [c.id for c in mono.claims] == [
            f"{stem}-s{i}" for i in range(1, len(mono.claims) + 1)
        ]
        for claim in mono.claims:
            assert claim.quote, name
            assert claim.quote in text or as_converted(claim.quote) in text, (name, claim.quote)
        section_claims = [cid for s in mono.sections for cid in s.claims]
        assert sorted(section_claims) == sorted(c.id for c in mono.claims)


def test_benepali_english_and_danish(epi_dir: Path, siblings: EnglishSiblings) -> None:
    en = parse(epi_dir, "benepali.en.json").monograph
    assert en.key == "etanercept"
    assert en.identity.brands == ["Benepali"]
    # Danish read on its own words ("Aktivt stof: etanercept") ...
    da_alone = parse(epi_dir, "benepali.da.json").monograph
    assert da_alone.key == "etanercept"
    assert da_alone.language == "da"
    # ... and with the English sibling available.
    da = parse(epi_dir, "benepali.da.json", siblings).monograph
    assert da.key == "etanercept"
    contra = next(s for s in da.sections if s.topic is Topic.contraindication)
    assert contra.title == "Brug ikke Benepali"
    assert any(s.title == "Advarsler og forsigtighedsregler" for s in da.sections)


def test_non_english_key_follows_english_sibling(epi_dir: Path, siblings: EnglishSiblings) -> None:
    # The Portuguese leaflet names the substance "anacinra"; on its own that is its key ...
    alone = parse(epi_dir, "kineret.pt.json").monograph
    assert alone.key == "anacinra"
    # ... but with the English leaflet at hand, all languages share the English key.
    pt = parse(epi_dir, "kineret.pt.json", siblings).monograph
    assert pt.key == "anakinra"
    assert pt.language == "pt"
    assert any("Não congelar" in c.quote and c.topic is Topic.storage for c in pt.claims)
    da = parse(epi_dir, "humira.da.json", siblings).monograph
    assert da.key == "adalimumab"


def test_shifted_content_is_reanchored(epi_dir: Path) -> None:
    # In tracleer.en.json the conversion put section 2's end under heading 3, dosing under 4,
    # side effects under 5 and storage under 6.
    mono = parse(epi_dir, "tracleer.en.json").monograph
    by_topic = {s.topic: s for s in mono.sections}
    side = by_topic[Topic.side_effect]
    assert side.title == "4. Possible side effects"
    assert side.text.startswith("Like all medicines")
    assert by_topic[Topic.storage].text.startswith("Keep this medicine out of the sight")
    assert by_topic[Topic.interaction].title == "Other medicines and Tracleer"
    dosing = by_topic[Topic.dosing]
    assert "Always take this medicine exactly" in dosing.text
    assert "Like all medicines" not in dosing.text
    # humira.da.json: side effects under heading 2, storage under 3.
    da = parse(epi_dir, "humira.da.json").monograph
    side_da = next(s for s in da.sections if s.topic is Topic.side_effect)
    assert side_da.text.startswith("Dette lægemiddel kan som alle andre lægemidler")
    assert not any(
        s.topic in (Topic.warning, Topic.dosing) and "bivirkninger" in s.text[:80]
        for s in da.sections
    )


def test_combination_key(epi_dir: Path) -> None:
    mono = parse(epi_dir, "competact.en.json").monograph
    assert mono.key == "metformin + pioglitazone"
    assert mono.identity.substances == ["pioglitazone", "metformin hydrochloride"]


def test_substance_phrases() -> None:
    assert extract_substances(["The active substance is anakinra. Each syringe"], "en") == [
        "anakinra"
    ]
    assert extract_substances(["Aktive stoffer: telmisartan og hydrochlorthiazid."], "da") == [
        "telmisartan",
        "hydrochlorthiazid",
    ]
    assert extract_substances(["A substância ativa é o levetiracetam. Um comprimido"], "pt") == [
        "levetiracetam"
    ]
    # Amounts and determiners are not substances.
    assert clean_substance("50 mg") is None
    assert clean_substance("a dose") is None
    assert extract_substances(["The active substance is 30 mg per tablet."], "en") == []
    assert extract_substances(
        ["Tracleer tablets contain bosentan, which blocks"],
        "en",
        brand="Tracleer",
        intro="Tracleer tablets contain bosentan, which blocks a hormone.",
    ) == ["bosentan"]


@pytest.mark.parametrize(
    ("product_name", "brand"),
    [
        ("Kineret 100 mg/0.67 ml solution for injection in pre-filled syringe.", "Kineret"),
        ("Xtandi - 40 mg soft capsules", "Xtandi"),
        ("Enurev Breezhaler 44 micrograms inhalation powder, hard capsules", "Enurev Breezhaler"),
        ("Ibandronic Acid Teva 50 mg film-coated tablets", "Ibandronic Acid Teva"),
        ("Protopic 0.03% ointment", "Protopic"),
    ],
)
def test_brand_from_product_name(product_name: str, brand: str) -> None:
    assert brand_from_product_name(product_name) == brand


def test_broken_inputs(tmp_path: Path, epi_dir: Path) -> None:
    bad = tmp_path / "bad.en.json"
    bad.write_bytes(b'{"resourceType": "Bundle", "entry": [')
    rec = parse_epi(bad.read_bytes(), str(bad))
    assert isinstance(rec, Broken) and "not JSON" in rec.reason and rec.origin == str(bad)

    no_comp = json.dumps({"resourceType": "Bundle", "entry": []}).encode()
    rec = parse_epi(no_comp, "x.en.json")
    assert isinstance(rec, Broken) and "without a Composition" in rec.reason

    bundle = json.loads((epi_dir / "kineret.en.json").read_bytes())
    comp = bundle["entry"][0]["resource"]
    for section in comp["section"][0]["section"]:
        section["text"]["div"] = "<div xmlns='http://www.w3.org/1999/xhtml'> </div>"
    rec = parse_epi(json.dumps(bundle).encode(), "kineret.en.json")
    assert isinstance(rec, Broken) and "no leaflet text" in rec.reason


def test_missing_product_definition_and_bad_markup(epi_dir: Path) -> None:
    bundle = json.loads((epi_dir / "kineret.en.json").read_bytes())
    bundle["entry"] = [bundle["entry"][0]]  # no MedicinalProductDefinition
    sec1 = bundle["entry"][0]["resource"]["section"][0]["section"][2]
    sec1["text"]["div"] = "<div><p>Kineret contains the active substance anakinra. <b>Unclosed</p>"
    rec = parse_epi(json.dumps(bundle).encode(), "kineret.en.json")
    assert isinstance(rec, ParsedDocument), rec
    assert rec.monograph.key == "anakinra"
    assert rec.monograph.identity.brands  # from the title or file name
    assert rec.monograph.sources[0].document


def test_sample_of_all_leaflets_parses(epi_dir: Path, siblings: EnglishSiblings) -> None:
    files = sorted(epi_dir.glob("*.json"))
    assert len(files) == 2357
    sample = files[::9]
    for path in sample:
        rec = parse_epi(path.read_bytes(), str(path), name=path.name, siblings=siblings)
        assert isinstance(rec, ParsedDocument), rec
        mono = rec.monograph
        assert mono.key and mono.key == mono.key.lower()
        assert mono.language in ("en", "da", "pt")
        assert mono.claims, path.name
        assert {Topic.side_effect, Topic.storage} & {s.topic for s in mono.sections}


@pytest.mark.slow
def test_all_english_leaflets_parse(epi_dir: Path) -> None:
    """Every English leaflet parses; substances are found in at least 95 % of them."""
    files = sorted(epi_dir.glob("*.en.json"))
    with_substance = 0
    for path in files:
        rec = parse_epi(path.read_bytes(), str(path))
        assert isinstance(rec, ParsedDocument), rec
        with_substance += bool(rec.monograph.identity.substances)
        assert not re.search(r"\d", rec.monograph.key) or rec.monograph.identity.substances
    assert len(files) == 953
    assert with_substance / len(files) > 0.95


def test_bundled_archive(epi_dir: Path) -> None:
    path = bundled_epi_path()
    assert path.name == "ema-epi.tar.xz" and path.is_file()
    assert (
        (path.parent / "ACKNOWLEDGEMENT.txt")
        .read_text()
        .startswith("Package leaflets © European Medicines Agency")
    )
    with tarfile.open(path, "r|xz") as tar:
        names = [m.name for m in tar if m.isfile()]
    assert sorted(names) == sorted(p.name for p in epi_dir.glob("*.json"))
    # English first within each product, so streaming readers meet it before the others.
    seen: set[str] = set()
    for name in names:
        product, lang, _ = name.rsplit(".", 2)
        if lang != "en" and (epi_dir / f"{product}.en.json").exists():
            assert product in seen, name
        if lang == "en":
            seen.add(product)
