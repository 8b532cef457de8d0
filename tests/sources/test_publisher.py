"""Publisher pages (the seeds) ingested as documents, read only from their own words."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from druginfo.model import Topic
from druginfo.sources.base import Broken, ParsedDocument
from druginfo.sources.detect import iter_records
from druginfo.sources.pages import normalize
from druginfo.sources.publisher import identify, parse_page


@pytest.mark.parametrize(
    ("name", "publisher", "reviewed"),
    [
        ("healthline-anakinra.txt", "Healthline", dt.date(2015, 5, 26)),
        ("medicinenet-anakinra.txt", "Medicinenet", dt.date(2014, 12, 15)),
        ("rheuminfo-anakinra.txt", "Rheuminfo", None),
    ],
)
def test_seed_pages_become_cited_documents(
    seeds_dir: Path, name: str, publisher: str, reviewed: dt.date | None
) -> None:
    raw = (seeds_dir / name).read_bytes()
    record = parse_page(raw, str(seeds_dir / name), name=name)
    assert isinstance(record, ParsedDocument)
    mono = record.monograph
    assert mono.key == "anakinra"
    (source,) = mono.sources
    assert source.publisher == publisher
    assert source.reviewed == reviewed
    page = normalize(raw.decode("utf-8"))
    assert mono.claims
    for claim in mono.claims:
        assert normalize(claim.quote) in page, claim.quote
    assert {c.topic for c in mono.claims} - {Topic.other}


def test_topics_follow_the_page_headings(seeds_dir: Path) -> None:
    record = parse_page((seeds_dir / "healthline-anakinra.txt").read_bytes(), "healthline.txt")
    assert isinstance(record, ParsedDocument)
    fridge = [c for c in record.monograph.claims if "36–46°F" in c.quote]
    assert fridge and all(c.topic in (Topic.storage, Topic.travel) for c in fridge)
    assert any(c.topic is Topic.storage for c in fridge)


def test_identify_reads_the_page_not_the_file_name() -> None:
    assert identify("Generic Name: etanercept, Injection\nUses ...") == ("etanercept", [])
    assert identify("Enbrel (etanercept) is a biologic medicine.") == ("etanercept", ["Enbrel"])
    assert identify("A page about nothing in particular.") is None


def test_a_page_that_names_no_medicine_is_broken(tmp_path: Path) -> None:
    page = tmp_path / "blog-post.txt"
    page.write_text("Ten tips for a healthy winter. Drink water. Sleep well.")
    (record,) = list(iter_records([page]))
    assert isinstance(record, Broken)
    assert "which medicine" in record.reason


def test_folders_and_html_pages_are_detected(seeds_dir: Path, tmp_path: Path) -> None:
    html = tmp_path / "somesite-enbrel.html"
    html.write_text(
        "<html><body><h1>Enbrel (etanercept)</h1><h2>Side effects</h2>"
        "<p>Injection site reactions are common.</p></body></html>"
    )
    records = list(iter_records([seeds_dir, html]))
    docs = [r for r in records if isinstance(r, ParsedDocument)]
    assert len(docs) == 4
    enbrel = next(d for d in docs if d.monograph.key == "etanercept")
    assert enbrel.doc_id == "page:somesite-enbrel"
    assert enbrel.monograph.claims[0].topic is Topic.side_effect
