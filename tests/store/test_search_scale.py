"""Search at scale: PostgreSQL finds "the newest matches" in id windows, searches common
words as their listed forms rather than as prefixes, and plans every search statement for
its own values; snippets are made by one compiled maker per query. The answers must be the
ones the plain queries give."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest

from druginfo.model import Monograph
from druginfo.store import common
from druginfo.store import postgres as postgres_store
from druginfo.store.base import Store
from support.postgres import PostgresServer

MakeMono = Callable[..., Monograph]


def _fill(store: Store, make_mono: MakeMono, texts: list[tuple[str, str]]) -> None:
    """(language, text) → one stored document each, in this order (ids ascending)."""
    for i, (lang, text) in enumerate(texts):
        store.upsert_monograph(
            make_mono(f"med{i:03d}", language=lang, sections=[("Section", text)]),
            doc_id=f"doc-{i}",
            checksum=str(i),
        )


def _plain_newest(store: postgres_store.PostgresStore, tsquery: str, lang: str | None) -> list[int]:
    """The newest matches as one plain query finds them (what the windows must equal)."""
    lang_sql = " AND lang = %(lang)s" if lang else ""
    return [
        r[0]
        for r in store._query(
            "SELECT id FROM chunks WHERE tsv @@ to_tsquery('simple', %(q)s)"
            + lang_sql
            + " ORDER BY id DESC LIMIT %(cap)s",
            {"q": tsquery, "lang": lang, "cap": postgres_store.TEXT_CANDIDATES},
        )
    ]


@pytest.mark.postgres
@pytest.mark.parametrize(("rest_rows", "share"), [(0, 0.0), (3, 0.0), (10**9, 0.0), (3, 0.9)])
def test_candidate_buckets_find_the_same_rows_as_one_plain_query(
    postgres_server: PostgresServer,
    make_mono: MakeMono,
    monkeypatch: pytest.MonkeyPatch,
    rest_rows: int,
    share: float,
) -> None:
    """Whether the buckets are walked to the oldest (rest_rows 0), the rest searched at once
    after the first whole bucket (rest_rows huge) or in between, and whatever share of rows
    the statistics claim, the candidates are the plain query's."""
    from druginfo.store import open_store

    url = postgres_server.create_database()
    store = open_store(url)
    assert isinstance(store, postgres_store.PostgresStore)
    size = 1 << postgres_store.BUCKET_BITS
    try:
        # Rows spread over buckets 0, 1, 3, 4 and 6 (ids restarted past bucket bounds, as
        # a long-lived store's ids are), the newest bucket nearly empty; words of every
        # density: in every row, in every third, only in the oldest rows, only in the
        # newest, in one row, in none; two languages.
        i = 0
        for bucket, count in [(0, 12), (1, 12), (3, 12), (4, 20), (6, 3)]:
            store._query("SELECT setval('chunks_id_seq', %s::bigint)", (bucket * size + 5,))
            texts = []
            for _ in range(count):
                words = ["tablet"]
                if i % 3 == 0:
                    words.append("dizziness")
                if i < 5:
                    words.append("oldword")
                if i >= 56:
                    words.append("newword")
                if i == 30:
                    words.append("onlyonce")
                texts.append(("da" if i % 4 == 0 else "en", f"med{i:03d}", " ".join(words)))
                i += 1
            for lang, key, text in texts:
                store.upsert_monograph(
                    make_mono(key, language=lang, sections=[("Section", text + ".")]),
                    doc_id=f"doc-{key}",
                    checksum=key,
                )
        assert {r[0] for r in store._query("SELECT DISTINCT bucket FROM chunks")} == {
            0,
            1,
            3,
            4,
            6,
        }
        monkeypatch.setattr(postgres_store, "REST_ROWS", rest_rows)
        for cap in (1, 7, 40):
            monkeypatch.setattr(postgres_store, "TEXT_CANDIDATES", cap)
            for word in ["tablet", "dizziness", "oldword", "newword", "onlyonce", "absentword"]:
                tsq = postgres_store._tsquery([[word]])
                for language in [None, "da"]:
                    expected = _plain_newest(store, tsq, language)
                    found = store._candidates(tsq, language, share)
                    assert found == expected, (word, language, cap)
    finally:
        store.close()


def test_common_words_are_searched_as_their_listed_forms() -> None:
    listed = ["over", "overdose", "overall", "over-the-counter", "reaction", "reactions", "the"]
    q = postgres_store._tsquery
    # a listed word: itself and its listed longer forms, exactly (not a prefix)
    assert q([["over"]], listed) == "('over' | 'overall' | 'overdose')"  # no '-' form
    assert q([["reaction"]], listed) == "('reaction' | 'reactions')"
    # a typed beginning of listed words also keeps its own form
    assert q([["reac"]], listed) == "('reac' | 'reaction' | 'reactions')"
    # a word no listed lexeme starts with: a prefix, as without statistics
    assert q([["dizziness"]], listed) == "'dizziness':*"
    assert q([["dizziness"]]) == "'dizziness':*"
    # short words are exact either way; groups keep their phrase operator
    assert q([["the"]], listed) == "'the'"
    assert q([["side", "reaction"]], listed) == "('side':* <-> ('reaction' | 'reactions'))"
    assert q([["the"], ["overdose"]], listed) == "'the' & 'overdose'"


@pytest.mark.postgres
def test_search_after_analyze_still_finds_the_forms_of_a_common_word(
    postgres_server: PostgresServer, make_mono: MakeMono
) -> None:
    """With statistics (ANALYZE), a common word is searched as its listed forms: its
    plural still matches, and a rare longer form of it is the only thing given up."""
    from druginfo.store import open_store

    url = postgres_server.create_database()
    store = open_store(url)
    assert isinstance(store, postgres_store.PostgresStore)
    try:
        texts = [("en", f"Side reaction {i}. Reactions were seen.") for i in range(40)]
        texts.append(("en", "Singular reaction only, in the newest document."))
        _fill(store, make_mono, texts)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("ANALYZE chunks")
        store._stats = None
        listed = store._lexeme_stats()[1]
        assert "reaction" in listed and "reactions" in listed  # the premise
        hits = store.search("reactions", limit=50)
        assert {h.key for h in hits if h.match == "text"} >= {f"med{i:03d}" for i in range(40)}
        assert "med040" in {h.key for h in store.search("reaction", limit=50)}
    finally:
        store.close()


def test_snippets_centre_on_the_words_as_typed_whatever_their_case() -> None:
    hs, he = common.HIGHLIGHT_START, common.HIGHLIGHT_END
    filler = "Doctors and nurses are mentioned here. " * 12
    body = filler + "Ask YOUR Doctor, nurse or pharmacist.  Spaces\n fold."
    q = common.parse_text_query("your doctor nurse")
    snippet = common.snippet_maker(q)(body)
    # centred on the three words side by side (not on the first 'Doctors'), case kept
    assert f"{hs}YOUR{he} {hs}Doctor{he}, {hs}nurse{he}" in snippet
    assert snippet.startswith("…") and "Spaces fold." in snippet
    # a text whose lower case is longer ('İ' lowers to two characters) is searched case-blind
    turkish = "İ" * 300 + " Dizziness may occur."
    snippet = common.snippet_maker(common.parse_text_query("dizziness"))(turkish)
    assert f"{hs}Dizziness{he} may occur." in snippet
    # no word found verbatim: the start of the text
    plain = common.snippet_maker(common.parse_text_query("zzz"))("Nothing here. " * 30)
    assert plain.startswith("Nothing here.") and plain.endswith("…")
    # one maker serves many bodies, each on its own
    make = common.snippet_maker(common.parse_text_query("rash"))
    assert make("A rash.") == f"A {hs}rash{he}."
    assert make("Rashes and more.") == f"{hs}Rashes{he} and more."


@pytest.mark.postgres
def test_the_bucket_is_a_key_of_the_text_index_as_the_store_binds_it(
    postgres_server: PostgresServer, make_mono: MakeMono
) -> None:
    """psycopg sends a small Python int as smallint; the store casts it, so GIN gets the
    bucket as an index key (not a filter applied after reading every match)."""
    from druginfo.store import open_store

    url = postgres_server.create_database()
    store = open_store(url)
    try:
        _fill(store, make_mono, [("en", "Dizziness and headache.")] * 3)
        with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
            conn.execute("SET LOCAL enable_seqscan = off")
            conn.execute("SET LOCAL enable_indexscan = off")
            plan = "\n".join(
                r[0]
                for r in conn.execute(
                    "EXPLAIN SELECT id FROM chunks WHERE tsv @@ to_tsquery('simple', %(q)s)"
                    " AND bucket = %(bucket)s::integer ORDER BY id DESC LIMIT 5",
                    {"q": "'dizziness'", "bucket": 0},
                    prepare=False,
                )
            )
        index_conditions = [line for line in plan.splitlines() if "Index Cond" in line]
        assert any("bucket" in line for line in index_conditions), plan
    finally:
        store.close()
