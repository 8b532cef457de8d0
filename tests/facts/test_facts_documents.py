"""extract_facts: one FactSet per source, document kinds, provenance on every fact."""

from __future__ import annotations

from pathlib import Path

import pytest

from druginfo.facts import extract_facts
from druginfo.model import Claim, Identity, Monograph, Source, SourceKind, Topic

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


def _page_monograph() -> Monograph:
    source = Source(
        id="page-examplehealth-golimumab",
        publisher="Examplehealth",
        document="golimumab (Examplehealth page)",
        kind=SourceKind.publisher,
    )
    claims = [
        Claim(
            id="c1",
            topic=Topic.dosing,
            source=source.id,
            quote="The usual dose is 50 mg injected under the skin once a month.",
            section="Dosage",
        ),
        Claim(
            id="c2",
            topic=Topic.side_effect,
            source=source.id,
            quote="upper respiratory tract infection",
            section="More common",
        ),
        Claim(
            id="c3",
            topic=Topic.storage,
            source=source.id,
            quote="Keep the pens in the fridge between 2 °C and 8 °C.",
            section="Storage",
        ),
        Claim(
            id="c4",
            topic=Topic.interaction,
            source=source.id,
            quote="Do not use golimumab together with Kineret (anakinra).",
            section="Interactions",
        ),
    ]
    return Monograph(
        key="golimumab",
        identity=Identity(generic="golimumab", brands=["Simponi"], substances=["golimumab"]),
        sources=[source],
        claims=claims,
    )


def test_one_fact_set_per_source_in_document_order() -> None:
    (fs,) = extract_facts(_page_monograph())
    assert fs.document.kind == "publisher" and fs.document.medicine == "golimumab"
    assert [f.claim for f in fs.facts] == ["c1", "c3", "c4"]
    dose = fs.of("dose")[0]
    assert (dose.dose_mg, dose.every_hours) == (50, 730.5)
    assert all(
        f.source == "page-examplehealth-golimumab" and f.basis == "machine" for f in fs.facts
    )
    assert fs.of("interaction")[0].with_ == "anakinra"


def test_own_medicine_is_not_an_interaction() -> None:
    mono = _page_monograph()
    (fs,) = extract_facts(mono)
    assert all(f.with_ != "golimumab" for f in fs.of("interaction"))


@pytest.mark.skipif(not (SHARED / "ema-epi").is_dir(), reason="shared leaflets not present")
def test_eu_leaflet_is_a_leaflet_with_storage_facts() -> None:
    from druginfo.sources.epi import parse_epi

    path = SHARED / "ema-epi" / "simponi.en.json"
    record = parse_epi(path.read_bytes(), str(path), name=path.name)
    (fs,) = extract_facts(record.monograph)  # type: ignore[union-attr]
    assert fs.document.kind == "leaflet"
    storage = fs.of("storage")
    assert storage and (storage[0].temp_min_c, storage[0].temp_max_c) == (2, 8)
    assert all(f.quote and f.claim for f in fs.facts)


def test_curated_monograph_gives_curated_sets() -> None:
    from druginfo.sources.curated import curated_keys, load_curated

    key = curated_keys()[0]
    sets = extract_facts(load_curated(key))
    assert sets and all(s.document.kind == "curated" for s in sets)
    assert any(f.basis == "curated" for s in sets for f in s.facts)


@pytest.mark.skipif(not (SHARED / "fda-spl").is_dir(), reason="shared SPL not present")
def test_fda_label_facts_from_loinc_sections() -> None:
    from druginfo.sources.spl import parse_spl

    path = SHARED / "fda-spl" / "humira.xml"
    record = parse_spl(path.read_bytes(), str(path))
    (fs,) = extract_facts(record.monograph)  # type: ignore[union-attr]
    assert fs.document.kind == "label"
    doses = {(f.dose_mg, f.every_hours) for f in fs.of("dose")}
    assert (40, 336) in doses and (40, 168) in doses
    # Pharmacokinetic and clinical-study sections describe studies: they give no doses.
    assert not any("trough" in f.quote or "Phase 3" in f.quote for f in fs.of("dose"))
    assert any((f.temp_min_c, f.temp_max_c) == (2, 8) for f in fs.of("storage"))
