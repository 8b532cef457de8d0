"""`parse_epi` marks its monographs `validated` (built from pydantic's validating
constructors only), which lets ingestion store their JSON without validating it a second
time. That is sound only if every such JSON loads back to the same monograph and gives the
same store rows: checked here on leaflets of every language, and on a leaflet with unusual
characters made up here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from druginfo.model import Monograph
from druginfo.sources.base import ParsedDocument
from druginfo.sources.epi import EnglishSiblings, parse_epi
from druginfo.store.common import prepare_document


def _check(doc: ParsedDocument) -> None:
    assert doc.validated
    text = doc.monograph.model_dump_json()
    loaded = Monograph.model_validate_json(text)
    assert loaded == doc.monograph
    for compress in (True, False):
        trusted = prepare_document(
            text, doc.doc_id, doc.checksum, compress=compress, validated=doc.monograph
        )
        assert trusted == prepare_document(text, doc.doc_id, doc.checksum, compress=compress)


def test_parsed_leaflets_load_back_unchanged(data_dir: Path) -> None:
    files = sorted((data_dir / "ema-epi").glob("*.json"))[::15]  # every language, ~160
    assert len({f.name.split(".")[-2] for f in files}) == 3
    siblings = EnglishSiblings(lambda name: None)
    for f in files:
        doc = parse_epi(f.read_bytes(), str(f), name=f.name, siblings=siblings)
        assert isinstance(doc, ParsedDocument), doc
        _check(doc)


@pytest.mark.parametrize(
    "odd",
    [
        "Tab\tand\u00a0no-break space kept",
        'Quote " and \\ back',
        "Emoji 💊 and ½ µg",
        "\u2028 line",
    ],
)
def test_odd_characters_load_back_unchanged(data_dir: Path, odd: str) -> None:
    bundle = json.loads((data_dir / "ema-epi" / "kineret.en.json").read_text("utf-8"))
    comp = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Composition"
    )
    comp["section"].append(
        {
            "title": "1. What Kineret is and what it is used for",
            "text": {
                "div": "<div xmlns='http://www.w3.org/1999/xhtml'><p>"
                + odd
                + " in a sentence. Another one.</p></div>"
            },
        }
    )
    doc = parse_epi(json.dumps(bundle).encode(), "odd.en.json", name="odd.en.json")
    assert isinstance(doc, ParsedDocument), doc
    _check(doc)
