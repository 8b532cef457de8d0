"""openFDA label JSON, tested on a fixture derived from the real humira SPL (see README there)."""

from __future__ import annotations

import io
import json
import runpy
from pathlib import Path

import pytest

from druginfo.sources.base import Broken, ParsedDocument
from druginfo.sources.openfda import iter_openfda, parse_label
from druginfo.sources.spl import parse_spl

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "openfda" / "humira.openfda.json"


def records(data: bytes, **kw: object) -> list[ParsedDocument | Broken]:
    return list(iter_openfda(io.BytesIO(data), "bulk.json", **kw))  # type: ignore[arg-type]


def test_fixture_matches_spl_parser(data_dir: Path) -> None:
    (rec,) = records(FIXTURE.read_bytes())
    assert isinstance(rec, ParsedDocument), rec
    spl = parse_spl((data_dir / "fda-spl" / "humira.xml").read_bytes(), "humira.xml")
    assert isinstance(spl, ParsedDocument)
    mono, ref = rec.monograph, spl.monograph
    assert rec.doc_id == spl.doc_id == "fda-spl:608d4f0d-b19f-46d3-749a-7159aa5f933d"
    assert mono.key == ref.key == "adalimumab"
    assert mono.identity.generic == ref.identity.generic
    assert mono.identity.brands == ref.identity.brands == ["Humira"]
    assert {s.topic for s in mono.sections} == {s.topic for s in ref.sections}
    assert mono.sources[0].id == ref.sources[0].id
    assert mono.sources[0].publisher == "AbbVie Inc."
    assert mono.document_date == ref.document_date
    assert mono.identity.identifiers["NDC"] == ref.identity.identifiers["NDC"]
    assert rec.origin == "bulk.json#results[0]"
    # A sentence is quoted once even though openFDA repeats subsections in their parents.
    quotes = [c.quote for c in mono.claims]
    assert len(quotes) == len(set(quotes))
    boxed = [c for c in mono.claims if c.section == "Boxed Warning"]
    assert boxed and any("serious infections" in c.quote.lower() for c in boxed)


def test_fixture_is_reproducible(data_dir: Path) -> None:
    script = runpy.run_path(str(REPO / "scripts" / "spl_to_openfda.py"))
    label = script["spl_to_openfda"]((data_dir / "fda-spl" / "humira.xml").read_bytes())
    saved = json.loads(FIXTURE.read_bytes())["results"][0]
    assert label == saved


def bulk(labels: list[object]) -> bytes:
    return json.dumps({"meta": {"results": {"total": len(labels)}}, "results": labels}).encode()


def test_many_labels_stream_and_skip() -> None:
    label = json.loads(FIXTURE.read_bytes())["results"][0]
    labels = []
    for i in range(30):
        copy = dict(label, set_id=f"set-{i:03d}")
        labels.append(copy)
    recs = records(bulk(labels))
    assert [r.doc_id for r in recs if isinstance(r, ParsedDocument)] == [
        f"fda-spl:set-{i:03d}" for i in range(30)
    ]
    assert len({r.checksum for r in recs if isinstance(r, ParsedDocument)}) == 30
    asked: list[str] = []

    def skip(doc_id: str) -> bool:
        asked.append(doc_id)
        return doc_id.endswith("0")

    kept = records(bulk(labels), skip=skip)
    assert len(asked) == 30 and len(kept) == 27


def test_truncated_file_keeps_earlier_labels() -> None:
    label = json.loads(FIXTURE.read_bytes())["results"][0]
    data = bulk([dict(label, set_id="a"), dict(label, set_id="b")])
    cut = data[: int(len(data) * 0.8)]
    recs = records(cut)
    assert isinstance(recs[0], ParsedDocument) and recs[0].doc_id == "fda-spl:a"
    assert isinstance(recs[-1], Broken) and "broken JSON" in recs[-1].reason


@pytest.mark.parametrize(
    ("label", "reason"),
    [
        ({"set_id": "x", "indications_and_usage": ["Used for pain."]}, "no generic"),
        ("not an object", "not a JSON object"),
    ],
)
def test_unusable_labels(label: object, reason: str) -> None:
    rec = parse_label(label, "o")
    assert isinstance(rec, Broken) and reason in rec.reason


def test_generic_name_combination() -> None:
    label = {
        "set_id": "s",
        "effective_time": "20200101",
        "openfda": {
            "generic_name": ["DIPHENHYDRAMINE HCL, PHENYLEPHRINE HCL"],
            "brand_name": ["Triaminic"],
        },
        "indications_and_usage": ["Uses temporarily relieves sneezing."],
    }
    rec = parse_label(label, "o")
    assert isinstance(rec, ParsedDocument)
    assert rec.monograph.key == "diphenhydramine + phenylephrine"
    assert rec.monograph.sources[0].publisher == "U.S. Food and Drug Administration"


def test_no_results() -> None:
    (rec,) = records(b'{"meta": {}, "results": []}')
    assert isinstance(rec, Broken) and "no labels" in rec.reason
