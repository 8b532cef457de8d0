"""Search over real EU leaflets (parsed by the real ePI parser), on both backends, and
arbitrary user text that must never reach the full-text engine as syntax."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from druginfo.sources.base import ParsedDocument
from druginfo.sources.epi import EnglishSiblings, parse_epi
from druginfo.store import open_store
from druginfo.store.base import Store

# A realistic neighbourhood: anakinra's leaflets among other biologics with similar names.
PRODUCTS = [
    "kineret",
    "ilaris",
    "benepali",
    "erelzi",
    "humira",
    "hyrimoz",
    "remicade",
    "inflectra",
    "roactemra",
    "simponi",
    "cimzia",
    "kinpeygo",
    "kisqali",
    "nerlynx",
]


def _parse(epi_dir: Path) -> list[ParsedDocument]:
    siblings = EnglishSiblings(
        lambda name: (epi_dir / name).read_bytes() if (epi_dir / name).is_file() else None
    )
    docs = []
    for product in PRODUCTS:
        for path in sorted(epi_dir.glob(f"{product}.*.json")):
            rec = parse_epi(path.read_bytes(), str(path), name=path.name, siblings=siblings)
            assert isinstance(rec, ParsedDocument), rec
            docs.append(rec)
    return docs


@pytest.fixture(scope="module")
def parsed(request: pytest.FixtureRequest) -> list[ParsedDocument]:
    data_dir: Path = request.getfixturevalue("data_dir")
    docs = _parse(data_dir / "ema-epi")
    assert len(docs) >= 30
    return docs


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def real_store(
    request: pytest.FixtureRequest,
    parsed: list[ParsedDocument],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('real') / 'store.db'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database()
    store = open_store(url)
    outcomes = store.upsert_many([(d.monograph, d.doc_id, d.checksum) for d in parsed])  # type: ignore[attr-defined]
    assert {o.status for o in outcomes} == {"inserted"}
    yield store
    store.close()


@pytest.mark.parametrize(
    "query", ["Kineret", "kineret", "kinaret", "Kinerett", "anakinra", "Anakinara", "ANAKINRA"]
)
def test_names_and_misspellings_find_anakinra_first(real_store: Store, query: str) -> None:
    hits = real_store.search(query, limit=10)
    assert hits, query
    assert hits[0].key == "anakinra" and hits[0].match == "name", [
        (h.key, h.name, h.score) for h in hits[:5]
    ]


def test_brand_of_a_shared_generic(real_store: Store) -> None:
    hits = real_store.search("humira", limit=5)
    assert hits[0].key == "adalimumab" and "Humira" in hits[0].name


def test_phrase_query_finds_leaflet_text_with_snippet(real_store: Store) -> None:
    hits = real_store.search("injection site reaction", limit=20, language="en")
    text_hits = [h for h in hits if h.match == "text"]
    assert text_hits, hits
    assert all(h.language == "en" for h in hits)
    assert "anakinra" in {h.key for h in text_hits}
    top = text_hits[0]
    assert top.snippet and "**" in top.snippet
    assert "injection" in top.snippet.lower()
    # one hit per (key, language)
    assert len({(h.key, h.language) for h in hits}) == len(hits)


def test_language_filter_on_real_leaflets(real_store: Store) -> None:
    da = real_store.search("kineret", language="da")
    assert da and {h.language for h in da} == {"da"} and da[0].key == "anakinra"
    pt = real_store.get_monograph("anakinra", "pt")
    assert pt is not None and pt.language == "pt"


def test_get_monograph_real_leaflet_roundtrips(
    real_store: Store, parsed: list[ParsedDocument]
) -> None:
    kineret_en = next(d for d in parsed if d.doc_id.endswith("kineret.en"))
    assert real_store.get_monograph("anakinra", "en") == kineret_en.monograph


_ANY_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80
) | st.sampled_from(
    [
        '"',
        '"""',
        "AND",
        "OR NOT",
        "NEAR(a b)",
        "*",
        "a*",
        "^x",
        "col:val",
        "(",
        ")",
        "'",
        "\\",
        "-x",
        "e.coli",
        "2-8 °C",
        "a:* & !b <-> c",
        "%_",
        "\x00",
        "kin\x00eret",
        "' OR 1=1 --",
    ]
)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=_ANY_TEXT, language=st.sampled_from([None, "en", "da", "x'y"]))
def test_arbitrary_text_never_raises(real_store: Any, query: str, language: str | None) -> None:
    hits = real_store.search(query, limit=5, language=language)
    assert len(hits) <= 5
    for h in hits:
        assert h.match in ("name", "text")
