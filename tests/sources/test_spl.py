"""FDA SPL labels: real HL7 v3 documents from ../shared/data/fda-spl."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from druginfo.model import Topic
from druginfo.sources.base import Broken, ClassBatch, ParsedDocument
from druginfo.sources.spl import (
    LOINC_SECTIONS,
    OPENFDA_FIELDS,
    parse_spl,
    read_spl,
    sniff_set_id,
)
from druginfo.sources.text import element_blocks, norm_space


@pytest.fixture(scope="module")
def spl_dir(data_dir: Path) -> Path:
    return data_dir / "fda-spl"


def doc(spl_dir: Path, name: str) -> ParsedDocument:
    path = spl_dir / name
    rec = parse_spl(path.read_bytes(), str(path))
    assert isinstance(rec, ParsedDocument), rec
    return rec


def test_humira(spl_dir: Path) -> None:
    raw = (spl_dir / "humira.xml").read_bytes()
    label = read_spl(raw)
    assert label.set_id == "608d4f0d-b19f-46d3-749a-7159aa5f933d"
    assert label.version == "1560"
    assert label.effective == dt.date(2013, 9, 30)
    assert label.manufacturer == "AbbVie Inc."
    assert [b.upper() for b in label.brands] == ["HUMIRA"]
    assert label.generic_names == ["Adalimumab"]
    assert label.moieties == ["adalimumab"]
    assert "0074-3799" in label.product_ndcs and "0074-3799-02" in label.package_ndcs
    assert "subcutaneous" in label.routes
    assert label.title == "HUMIRA (adalimumab) injection, for subcutaneous use"
    boxed = label.boxed_warning
    assert boxed is not None and "SERIOUS INFECTIONS" in boxed and "MALIGNANCY" in boxed

    rec = doc(spl_dir, "humira.xml")
    mono = rec.monograph
    assert rec.doc_id == "fda-spl:608d4f0d-b19f-46d3-749a-7159aa5f933d"
    assert mono.key == mono.identity.generic == "adalimumab"
    assert mono.identity.brands == ["Humira"]
    assert mono.identity.identifiers["NDC"].startswith("0074-3799")
    assert mono.document_date == dt.date(2013, 9, 30)
    (source,) = mono.sources
    assert source.publisher == "AbbVie Inc."
    assert source.reference == "SPL set id 608d4f0d-b19f-46d3-749a-7159aa5f933d version 1560"
    assert source.reviewed == dt.date(2013, 9, 30)
    assert source.kind.value == "label"
    topics = {s.topic for s in mono.sections}
    assert {
        Topic.warning,
        Topic.indication,
        Topic.dosing,
        Topic.contraindication,
        Topic.interaction,
        Topic.side_effect,
        Topic.pregnancy,
        Topic.children,
        Topic.overdose,
        Topic.product,
    } <= topics
    boxed_section = mono.sections[0]
    assert boxed_section.title == "WARNING: SERIOUS INFECTIONS AND MALIGNANCY"
    assert boxed_section.topic is Topic.warning
    anakinra = next(s for s in mono.sections if s.title == "5.7 Use with Anakinra")
    assert anakinra.topic is Topic.warning
    assert any("anakinra" in mono.claim(c).quote for c in anakinra.claims)


def test_claims_quote_the_label(spl_dir: Path) -> None:
    from lxml import etree

    for name in ("humira.xml", "cough.xml", "no-title.xml"):
        raw = (spl_dir / name).read_bytes()
        root = etree.fromstring(raw)
        text = norm_space(
            " ".join(" ".join(element_blocks(t)) for t in root.iter("{urn:hl7-org:v3}text"))
        )
        mono = doc(spl_dir, name).monograph
        assert mono.claims
        for claim in mono.claims:
            assert claim.quote in text, (name, claim.quote)


def test_lipitor_original_and_repackager(spl_dir: Path) -> None:
    orig = doc(spl_dir, "lipitor-orig.xml")
    repack = doc(spl_dir, "lipitor-repack.xml")
    assert orig.monograph.key == repack.monograph.key == "atorvastatin"
    assert orig.doc_id != repack.doc_id
    assert orig.monograph.sources[0].publisher == "Parke-Davis Div of Pfizer Inc"
    assert repack.monograph.sources[0].publisher == "PD-Rx Pharmaceuticals, Inc."
    # Subsections of Contraindications stay contraindications even when coded "Pregnancy".
    preg = next(s for s in orig.monograph.sections if s.title == "4.3 Pregnancy")
    assert preg.topic is Topic.contraindication


def test_otc_drug_facts(spl_dir: Path) -> None:
    label = read_spl((spl_dir / "cough.xml").read_bytes())
    assert label.document_type == "34390-5"  # HUMAN OTC DRUG LABEL
    mono = doc(spl_dir, "cough.xml").monograph
    assert mono.key == "diphenhydramine + phenylephrine"
    assert mono.identity.substances == [
        "diphenhydramine hydrochloride",
        "phenylephrine hydrochloride",
    ]
    by_title = {s.title: s.topic for s in mono.sections}
    assert by_title["Uses"] is Topic.indication
    assert by_title["Do not use"] is Topic.contraindication
    assert by_title["Directions"] is Topic.dosing
    assert by_title["Stop use and ask a doctor if"] is Topic.call_doctor
    assert by_title["Inactive ingredients"] is Topic.product


def test_label_without_title(spl_dir: Path) -> None:
    label = read_spl((spl_dir / "no-title.xml").read_bytes())
    assert label.title == ""
    mono = doc(spl_dir, "no-title.xml").monograph
    assert mono.key == "haloperidol"
    assert "Haloperidol" in mono.sources[0].document
    assert label.boxed_warning and "Dementia-Related Psychosis" in label.boxed_warning
    by_title = {s.title: s.topic for s in mono.sections}
    assert by_title["INDICATIONS AND USAGE"] is Topic.indication
    # Nested unclassified sections inherit their parent's topic.
    assert by_title["Tardive Dyskinesia"] in (Topic.warning, Topic.side_effect)


def test_pharmacologic_class_indexing(spl_dir: Path) -> None:
    path = spl_dir / "METHOXSALEN.xml"
    rec = parse_spl(path.read_bytes(), str(path))
    assert isinstance(rec, ClassBatch)
    classes = {(e.system, e.code): e for e in rec.entries if e.parent is None}
    assert classes[("fda-epc", "N0000175984")].name == "Photoactivated Radical Generator"
    assert classes[("fda-epc", "N0000175879")].name == "Psoralen"
    assert classes[("fda-moa", "N0000010217")].name == "Photoabsorption"
    assert ("fda-pe", "N0000009801") in classes and ("fda-cs", "N0000007909") in classes
    members = [e for e in rec.entries if e.parent is not None]
    assert {e.name for e in members} == {"methoxsalen"}
    assert {e.parent for e in members if e.system == "fda-epc"} == {"N0000175984", "N0000175879"}
    assert all(e.code == f"{e.parent}/U4VJ29L7BQ" for e in members)


def test_broken_documents(tmp_path: Path) -> None:
    rec = parse_spl(b"<document xmlns='urn:hl7-org:v3'><title>x", "cut.xml")
    assert isinstance(rec, Broken) and "not well-formed" in rec.reason
    rec = parse_spl(b"<html><body>hello</body></html>", "page.xml")
    assert isinstance(rec, Broken) and "not an HL7 v3 SPL document" in rec.reason
    empty = b"<document xmlns='urn:hl7-org:v3'><title/></document>"
    rec = parse_spl(empty, "empty.xml")
    assert isinstance(rec, Broken) and "no brand, generic" in rec.reason
    # Entities are never expanded (no XXE).
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<document xmlns='urn:hl7-org:v3'><title>&x;</title></document>"
    )
    assert isinstance(parse_spl(xxe, "xxe.xml"), Broken)


def test_tables_and_sniffing(spl_dir: Path) -> None:
    names = {line.split(",", 1)[0] for line in (spl_dir / "sections.csv").read_text().splitlines()}
    assert names == set(LOINC_SECTIONS)
    assert LOINC_SECTIONS["34066-1"][1:] == ("boxed_warning", Topic.warning)
    assert OPENFDA_FIELDS["indications_and_usage"] == ("Indications & Usage", Topic.indication)
    head = (spl_dir / "humira.xml").read_bytes()[:4096]
    assert sniff_set_id(head) == "608d4f0d-b19f-46d3-749a-7159aa5f933d"
