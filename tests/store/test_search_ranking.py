"""Search that ranks: relevance (BM25) rather than storage order, the query's language first,
one result per medicine and name, on both backends; and a brand known only to the vocabulary
finds its substance's leaflets."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from druginfo.model import Monograph
from druginfo.store import postgres as postgres_store
from druginfo.store import sqlite as sqlite_store
from druginfo.store.base import Store

MakeMono = Callable[..., Monograph]
FILLER = " ".join(
    f"Sentence {i} of the package leaflet describes something else entirely." for i in range(40)
)


def _fill(store: Store, make_mono: MakeMono, rows: list[tuple[str, str, str, str]]) -> None:
    """(key, language, section title, text) → one stored document each, in this order."""
    for i, (key, lang, title, text) in enumerate(rows):
        store.upsert_monograph(
            make_mono(key, brands=[key.title()], language=lang, sections=[(title, text)]),
            doc_id=f"doc-{i}",
            checksum=str(i),
        )


def test_relevance_not_storage_order(store: Store, make_mono: MakeMono) -> None:
    # The relevant leaflet is stored first and sorts last alphabetically; the others mention
    # the word once in a long text. Position must not decide.
    rows = [("zzrelevant", "en", "Side effects", "Dizziness. Dizziness and nausea. Dizziness.")]
    rows += [
        (f"aa{n:02d}", "en", "Other", f"{FILLER} One person reported dizziness. {FILLER}")
        for n in range(12)
    ]
    _fill(store, make_mono, rows)
    hits = store.search("dizziness", limit=5)
    assert hits[0].key == "zzrelevant"
    assert [h.match for h in hits] == ["text"] * len(hits)


def test_relevance_when_the_word_is_common(
    store: Store, make_mono: MakeMono, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the candidate cap (an unselective word) the newest matching rows are still
    ranked by relevance, not listed in storage order."""
    monkeypatch.setattr(sqlite_store, "TEXT_CANDIDATES", 5)
    monkeypatch.setattr(postgres_store, "TEXT_CANDIDATES", 5)
    rows = [(f"aa{n:02d}", "en", "Other", f"{FILLER} once: headache. {FILLER}") for n in range(9)]
    rows.insert(7, ("mmrelevant", "en", "Headache", "Headache, headache and headache."))
    _fill(store, make_mono, rows)
    assert store.search("headache", limit=3)[0].key == "mmrelevant"


def test_the_querys_language_comes_first(store: Store, make_mono: MakeMono) -> None:
    # Danish leaflets stored last (newest) and as relevant: English words still list English
    # leaflets first, Danish words Danish ones.
    _fill(
        store,
        make_mono,
        [
            ("alpha", "en", "Side effects", "Headache and rash."),
            ("beta", "en", "Side effects", "Headache."),
            ("alpha", "da", "Bivirkninger", "Hovedpine og udslæt. Headache."),
            ("beta", "da", "Bivirkninger", "Hovedpine. Headache."),
            ("gamma", "da", "Bivirkninger", "Hovedpine."),
        ],
    )
    english = store.search("headache")
    assert english and english[0].language == "en"
    danish = store.search("hovedpine")
    assert danish and all(h.language == "da" for h in danish)


def test_duplicates_fold_into_one_result_per_medicine_name(
    store: Store, make_mono: MakeMono
) -> None:
    _fill(
        store,
        make_mono,
        [(("alpha"), lang, "S", f"Alpha text in {lang}.") for lang in ("en", "da", "pt")],
    )
    hits = store.search("alpha")
    assert [(h.key, h.match) for h in hits] == [("alpha", "name")]
    assert hits[0].language == "en"
    assert [h.language for h in store.search("alpha", language="da")] == ["da"]


def test_name_matches_come_before_text_matches(store: Store, make_mono: MakeMono) -> None:
    _fill(
        store,
        make_mono,
        [
            ("omega", "en", "Interactions", "Do not take with deltacillin. Deltacillin again."),
            ("deltacillin", "en", "About", "An antibiotic."),
        ],
    )
    hits = store.search("deltacillin")
    assert [h.key for h in hits][:2] == ["deltacillin", "omega"]
    assert hits[0].match == "name"


@pytest.mark.parametrize("analysed", [False, True])
def test_a_rare_word_outweighs_a_common_one(
    store: Store, make_mono: MakeMono, analysed: bool
) -> None:
    """Inverse document frequency: with 'tablet' in every leaflet, the leaflet that says
    'zymurgy' three times beats the one that says 'tablet' three times (on PostgreSQL from
    its column statistics once the table is analysed, by counting before)."""
    rows = [(f"aa{n:02d}", "en", "Other", f"Take one tablet. {FILLER}") for n in range(30)]
    rows.insert(10, ("rareheavy", "en", "Other", f"Zymurgy zymurgy zymurgy. {FILLER} One tablet."))
    rows.insert(20, ("commonheavy", "en", "Other", f"Tablet tablet tablet. {FILLER} Zymurgy once."))
    _fill(store, make_mono, rows)
    if analysed and store.backend == "postgresql":
        store._conn.execute("ANALYZE chunks")
    hits = store.search("tablet zymurgy", limit=5)
    assert [h.key for h in hits][:2] == ["rareheavy", "commonheavy"]


def test_words_as_typed_rank_before_the_same_words_apart(store: Store, make_mono: MakeMono) -> None:
    rows = [
        ("apart", "en", "Other", "The site was red. A reaction followed the injection. " * 3),
        ("together", "en", "Other", f"{FILLER} Injection site reaction. {FILLER}"),
        ("apart2", "en", "Other", "Injection, then a reaction at another site."),
    ]
    _fill(store, make_mono, rows)
    hits = store.search("injection site reaction", limit=5)
    assert hits[0].key == "together"
    assert {h.key for h in hits} == {"apart", "together", "apart2"}
