"""Every quote the vocabulary attributes to a file of ../shared/data occurs in that file."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from druginfo.vocab.data import VocabData, bundled_data


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _quotes(data: VocabData) -> list[tuple[str, str, str]]:
    """(source id, quote, where) for every quoted citation in the bundled data."""
    out: list[tuple[str, str, str]] = []
    for c in data.classes:
        out.append((c.source, c.quote, f"class {c.id}"))
    for d in data.drugs:
        for code in d.atc:
            out.append((d.generic_source, f"{code.code} {code.name}", f"{d.key} ATC"))
        for n in [*d.brands, *d.synonyms, *d.misspellings]:
            if n.quote is not None:
                out.append((n.source, n.quote, f"{d.key}: {n.name}"))
        for cc in d.classes:
            out.append((cc.source, cc.quote, f"{d.key}: {cc.class_id}"))
    v = data.vaccines
    out.append((v.unknown_source, v.unknown_quote, "unknown vaccine"))
    out.append((v.live_unspecified_source, v.live_unspecified_quote, "live vaccine"))
    for e in v.vaccines:
        out.append((e.source, e.quote, f"vaccine {e.id}"))
    for f in v.families:
        out.append((f.source, f.quote, f"vaccine family {f.id}"))
    return out


def _file_quotes(data_dir: Path) -> list[tuple[str, str, str]]:
    data = bundled_data()
    return [
        (data.sources[sid].reference or "", quote, where)
        for sid, quote, where in _quotes(data)
        if data.sources[sid].reference and (data_dir / data.sources[sid].reference).is_file()
    ]


def test_every_file_quote_occurs_in_its_file(
    data_dir: Path, shared_text: Callable[[str], str]
) -> None:
    checked = _file_quotes(data_dir)
    assert len(checked) > 150, "the check must cover the leaflet and ATC citations"
    missing = []
    for reference, quote, where in checked:
        text = shared_text(reference)
        if reference.endswith(".csv"):
            found = squash(quote) in text.split("\n")
        else:
            found = squash(quote) in text
        if not found:
            missing.append(f"{where}: {quote!r} not in {reference}")
    assert not missing, "\n".join(missing)


def test_leaflet_and_atc_sources_point_at_real_files(data_dir: Path) -> None:
    data = bundled_data()
    for source in data.sources.values():
        ref = source.reference or ""
        if ref.startswith(("ema-epi/", "who-atc/")):
            assert (data_dir / ref).is_file(), f"{source.id}: {ref} is missing"
        if source.publisher == "European Medicines Agency" and source.kind.value == "label":
            assert ref.startswith("ema-epi/"), source.id


def test_quotes_outside_the_data_set_are_not_attributed_to_unchecked_documents(
    data_dir: Path,
) -> None:
    """Documents not in ../shared/data are cited without quotes, so no quote goes unchecked."""
    data = bundled_data()
    unchecked = [
        (sid, where)
        for sid, _, where in _quotes(data)
        if not (data.sources[sid].reference and (data_dir / data.sources[sid].reference).is_file())
    ]
    assert unchecked == []


@pytest.mark.parametrize("brand", ["Benepali", "Remsima", "Zessly", "Kineret", "Imraldi"])
def test_brand_quote_names_brand_and_substance(brand: str) -> None:
    data = bundled_data()
    for d in data.drugs:
        for b in d.brands:
            if b.name == brand:
                assert b.quote is not None
                assert brand in b.quote and d.key in b.quote
                return
    pytest.fail(f"{brand} is not in the bundled data")
