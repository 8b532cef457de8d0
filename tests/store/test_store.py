"""Store semantics, identical on SQLite and PostgreSQL (each test runs on both)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from druginfo.model import ClassEntry, Feedback, InteractionPair, Monograph
from druginfo.store import common, open_store
from druginfo.store.base import Store

MakeMono = Callable[..., Monograph]


def _counts(store: Any) -> dict[str, int]:
    """Row counts of the derived tables, straight from the database."""
    if store.backend == "sqlite":
        run = lambda sql: store._conn.execute(sql).fetchone()[0]  # noqa: E731
    else:
        run = lambda sql: store._conn.execute(sql).fetchone()[0]  # noqa: E731
    return {
        t: int(run(f"SELECT count(*) FROM {t}"))
        for t in ("documents", "names", "chunks", "history")
    }


def test_migrations_are_versioned_and_idempotent(store: Any, store_url: str) -> None:
    expected = len(common.migration_scripts(store.backend))
    assert store.schema_version() == expected >= 1
    store.migrate()
    again = open_store(store_url)
    try:
        assert again.schema_version() == expected  # type: ignore[attr-defined]
    finally:
        again.close()


def test_upsert_insert_unchanged_replace_keeps_history(store: Any, make_mono: MakeMono) -> None:
    v1 = make_mono("anakinra", brands=["Kineret"], date=dt.date(2020, 1, 1))
    assert store.upsert_monograph(v1, doc_id="t:kineret.en", checksum="c1").status == "inserted"
    before = _counts(store)
    assert store.upsert_monograph(v1, doc_id="t:kineret.en", checksum="c1").status == "unchanged"
    assert _counts(store) == before

    v2 = make_mono(
        "anakinra",
        brands=["Kineret 2"],
        date=dt.date(2022, 2, 16),
        sections=[("Storage", "Keep in a refrigerator between 2 and 8 degrees.")],
    )
    out = store.upsert_monograph(v2, doc_id="t:kineret.en", checksum="c2")
    assert (out.status, out.key) == ("replaced", "anakinra")
    after = _counts(store)
    assert after["documents"] == 1
    assert after["history"] == 1
    history = store.history("t:kineret.en")
    assert [(h[0], h[1]) for h in history] == [("c1", dt.date(2020, 1, 1))]
    # The old name and text are gone, the new ones are found: no stale derived rows.
    assert ("Kineret", "anakinra") not in set(store.names())
    assert ("Kineret 2", "anakinra") in set(store.names())
    assert store.search("refrigerator")[0].key == "anakinra"
    got = store.get_monograph("anakinra")
    assert got is not None and got.document_date == dt.date(2022, 2, 16)
    assert got == v2


def test_failed_batch_writes_nothing(
    store: Any, make_mono: MakeMono, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = make_mono("alpha"), make_mono("beta")
    # The failure strikes after part of the batch is written: per document in SQLite, after
    # the batch's names and text rows in PostgreSQL (written for all documents at once).
    hook = "_upsert_one" if store.backend == "sqlite" else "_insert_rows"
    fail_at = 2 if hook == "_upsert_one" else 1
    real = getattr(type(store), hook)
    calls = {"n": 0}

    def flaky(self: Any, *args: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == fail_at and hook == "_upsert_one":
            raise RuntimeError("disk on fire")
        result = real(self, *args)
        if calls["n"] == fail_at:
            raise RuntimeError("disk on fire")
        return result

    monkeypatch.setattr(type(store), hook, flaky)
    with pytest.raises(RuntimeError):
        store.upsert_many([(a, "t:a", "1"), (b, "t:b", "1")])
    monkeypatch.undo()
    assert _counts(store) == {"documents": 0, "names": 0, "chunks": 0, "history": 0}
    assert store.is_empty()


def test_get_monograph_prefers_curated_then_language_then_english(
    store: Store, make_mono: MakeMono
) -> None:
    store.upsert_monograph(make_mono("x", language="da"), doc_id="t:x.da", checksum="1")
    assert store.get_monograph("x", "pt").language == "da"  # type: ignore[union-attr]  # any
    store.upsert_monograph(make_mono("x", language="en"), doc_id="t:x.en", checksum="1")
    assert store.get_monograph("x").language == "en"  # type: ignore[union-attr]
    assert store.get_monograph("x", "da").language == "da"  # type: ignore[union-attr]
    assert store.get_monograph("x", "pt").language == "en"  # type: ignore[union-attr]
    store.upsert_monograph(make_mono("x", curated=True), doc_id="curated:x", checksum="1")
    assert store.get_monograph("x").curated  # type: ignore[union-attr]
    assert store.get_monograph("x", "en").curated  # type: ignore[union-attr]
    assert not store.get_monograph("x", "da").curated  # type: ignore[union-attr]
    assert store.get_monograph("nope") is None
    docs = store.documents_for("x")
    assert [d.curated for d in docs] == [True, False, False]
    assert {d.language for d in docs} == {"en", "da"}


def test_list_drugs_and_names(store: Store, make_mono: MakeMono) -> None:
    store.upsert_monograph(make_mono("anakinra", brands=["Kineret"]), doc_id="a.en", checksum="1")
    store.upsert_monograph(
        make_mono("anakinra", brands=["Kineret"], language="da"), doc_id="a.da", checksum="1"
    )
    store.upsert_monograph(make_mono("etanercept", brands=["Enbrel"]), doc_id="e", checksum="1")
    drugs = {d.key: d for d in store.list_drugs()}
    assert set(drugs) == {"anakinra", "etanercept"}
    assert drugs["anakinra"].name == "Kineret (anakinra)"
    assert drugs["anakinra"].languages == ["da", "en"]
    assert drugs["anakinra"].brands == ["Kineret"]
    assert set(store.names()) == {
        ("anakinra", "anakinra"),
        ("Kineret", "anakinra"),
        ("etanercept", "etanercept"),
        ("Enbrel", "etanercept"),
    }


def test_search_names_first_and_text_with_snippet(store: Store, make_mono: MakeMono) -> None:
    store.upsert_monograph(
        make_mono(
            "anakinra",
            brands=["Kineret"],
            sections=[("Possible side effects", "Injection site reactions are very common.")],
        ),
        doc_id="k",
        checksum="1",
    )
    store.upsert_monograph(
        make_mono(
            "etanercept",
            brands=["Enbrel"],
            sections=[("Possible side effects", "Tell your doctor about kineret use.")],
        ),
        doc_id="e",
        checksum="1",
    )
    hits = store.search("Kineret")
    assert hits[0].key == "anakinra" and hits[0].match == "name"
    assert hits[0].score > max(h.score for h in hits[1:])
    assert any(h.key == "etanercept" and h.match == "text" for h in hits)
    for query in ("kinaret", "KINERET", "anakinara"):
        assert store.search(query)[0].key == "anakinra", query
    phrase = store.search("injection site reaction")
    assert phrase and phrase[0].key == "anakinra"
    assert phrase[0].snippet and common.HIGHLIGHT_START in phrase[0].snippet
    assert phrase[0].section == "Possible side effects"
    assert store.search('"site injection"') == []  # a quoted phrase keeps its word order


def test_search_language_filter_and_dedupe(store: Store, make_mono: MakeMono) -> None:
    for lang, text in (("en", "Keep refrigerated."), ("pt", "Conservar no frigorífico.")):
        store.upsert_monograph(
            make_mono("anakinra", brands=["Kineret"], language=lang, sections=[("S", text)]),
            doc_id=f"k.{lang}",
            checksum="1",
        )
    # The same medicine under the same name in two languages is one result, in English
    # unless the query's words are another language's.
    hits = store.search("kineret")
    assert [(h.key, h.language) for h in hits] == [("anakinra", "en")]
    assert [h.language for h in store.search("kineret", language="pt")] == ["pt"]
    assert store.search("FRIGORIFICO")[0].language == "pt"  # case and accents do not matter
    assert store.search("refrigerated", language="pt") == []


def test_interactions_are_canonical_and_most_severe_wins(store: Store) -> None:
    def pair(a: str, b: str, level: str, sid: str) -> InteractionPair:
        return InteractionPair(drug_a=a, drug_b=b, level=level, source="ddinter", source_ids=[sid])  # type: ignore[arg-type]

    n = store.add_interactions(
        [
            pair("Etanercept", "anakinra", "moderate", "1"),
            pair("anakinra", "etanercept", "major", "2"),
            pair("aspirin", "warfarin", "minor", "3"),
            pair("aspirin", "aspirin", "major", "4"),
        ]
    )
    assert n == 2
    store.add_interactions([pair("warfarin", "aspirin", "unknown", "5")])
    got = store.interactions_among(["warfarin", "ANAKINRA", "etanercept", "aspirin", "x"])
    assert [(p.drug_a, p.drug_b, p.level) for p in got] == [
        ("anakinra", "etanercept", "major"),
        ("aspirin", "warfarin", "minor"),
    ]
    assert sorted(got[1].source_ids) == ["3", "5"]
    assert store.interactions_among(["anakinra"]) == []
    assert store.interactions_among(["anakinra", "aspirin"]) == []


def test_classes(store: Store) -> None:
    entries = [
        ClassEntry(system="atc", code="L", name="ANTINEOPLASTIC AND IMMUNOMODULATING AGENTS"),
        ClassEntry(system="atc", code="L04", name="IMMUNOSUPPRESSANTS", parent="L"),
        ClassEntry(
            system="atc",
            code="L04AB",
            name="Tumor necrosis factor alpha (TNF-α) inhibitors",
            parent="L04",
        ),
        ClassEntry(system="atc", code="L04AB01", name="etanercept", parent="L04AB"),
        ClassEntry(system="atc", code="L04AC03", name="anakinra", parent="L04"),
    ]
    assert store.add_classes(entries) == 5
    assert store.add_classes(entries[-1:]) == 1  # re-adding updates, never duplicates
    assert [c.code for c in store.classes_of("Etanercept")] == ["L04AB01"]
    entry = store.class_entry("L04AB")
    assert entry is not None and entry.parent == "L04"
    assert store.class_entry("L04AB", system="other") is None
    assert [c.code for c in store.members_of("L04AB")] == ["L04AB", "L04AB01"]
    assert len(store.members_of("")) == 5


def test_feedback(store: Any) -> None:
    f = store.add_feedback(Feedback(page="/drugs/anakinra", helpful=False, text="typo"))
    assert f.id is not None
    assert [(x.page, x.helpful, x.text) for x in store.feedback()] == [
        ("/drugs/anakinra", False, "typo")
    ]


def test_upsert_refuses_invalid_input(store: Store, make_mono: MakeMono) -> None:
    with pytest.raises(ValueError):
        store.upsert_monograph(make_mono("a"), doc_id="", checksum="1")
    mono = make_mono("a")
    mono.claims[0].__dict__["source"] = "missing-source"  # mutated behind the model's back
    with pytest.raises(ValueError):
        store.upsert_monograph(mono, doc_id="t:a", checksum="1")
    assert store.get_monograph("a") is None


def test_shared_names_survive_until_the_last_document_drops_them(
    store: Store, make_mono: MakeMono
) -> None:
    for doc in ("k1", "k2"):
        store.upsert_monograph(make_mono("anakinra", brands=["Kineret"]), doc_id=doc, checksum="1")
    store.upsert_monograph(make_mono("anakinra", brands=["Other"]), doc_id="k1", checksum="2")
    assert store.search("kinaret")[0].key == "anakinra"  # k2 still names it
    store.upsert_monograph(make_mono("anakinra", brands=["Other"]), doc_id="k2", checksum="2")
    assert all(h.snippet != "name: Kineret" for h in store.search("kinaret"))
    assert ("Kineret", "anakinra") not in set(store.names())


def test_failed_migration_rolls_back_whole(
    store: Any, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = common.migration_scripts(store.backend)
    bad = "CREATE TABLE half_done (x INTEGER);\nCREATE TABLE broken (;\n"
    monkeypatch.setattr(
        common, "migration_scripts", lambda backend: [*real, (len(real) + 1, "bad", bad)]
    )
    with pytest.raises(Exception):  # noqa: B017 - the driver's own syntax error
        store.migrate()
    assert store.schema_version() == len(real)
    exists = (
        "SELECT count(*) FROM sqlite_master WHERE name = 'half_done'"
        if store.backend == "sqlite"
        else "SELECT count(*) FROM pg_tables WHERE tablename = 'half_done'"
    )
    assert store._conn.execute(exists).fetchone()[0] == 0


def test_concurrent_first_opens_migrate_once(tmp_path: Any) -> None:
    import threading

    from druginfo.store.sqlite import SqliteStore

    path = tmp_path / "race.db"
    errors: list[BaseException] = []
    stores: list[SqliteStore] = []

    def opener() -> None:
        try:
            stores.append(SqliteStore(path))
        except BaseException as exc:  # pragma: no cover - the failure being tested for
            errors.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert {s.schema_version() for s in stores} == {len(common.migration_scripts("sqlite"))}
    for s in stores:
        s.close()


def test_combination_substances_are_not_names_of_the_combination(
    store: Store, make_mono: MakeMono
) -> None:
    combo = make_mono("metformin + pioglitazone", brands=["Competact"])
    combo.identity.substances[:] = ["metformin", "pioglitazone"]
    store.upsert_monograph(combo, doc_id="c", checksum="1")
    names = set(store.names())
    assert ("Competact", "metformin + pioglitazone") in names
    assert not any(n == "metformin" for n, _ in names)
    # Search may still offer it (its name starts with the word), but never as an exact name.
    assert all(h.score < common.SCORE_EXACT for h in store.search("metformin"))


def test_repeated_reads_reuse_the_decoded_monograph_until_it_changes(
    store: Store, make_mono: MakeMono
) -> None:
    store.upsert_monograph(make_mono("cachex", brands=["One"]), doc_id="t:c", checksum="1")
    first = store.get_monograph("cachex")
    assert first is not None and store.get_monograph("cachex") is first
    store.upsert_monograph(make_mono("cachex", brands=["Two"]), doc_id="t:c", checksum="2")
    second = store.get_monograph("cachex")
    assert second is not None and second.identity.brands == ["Two"]


def test_a_batch_mixing_new_changed_unchanged_and_repeated_documents(
    store: Any, make_mono: MakeMono
) -> None:
    """One batch, every case the writer meets: its outcomes in input order, each document's
    names and text rows its latest version's only, history for every replacement."""

    def mono(key: str, words: str) -> Any:
        return make_mono(key, brands=[key.title() + "ex"], sections=[("About", words)])

    store.upsert_many(
        [(mono("alpha", "Alpha words."), "t:a", "1"), (mono("beta", "Old beta."), "t:b", "1")]
    )
    outcomes = store.upsert_many(
        [
            (mono("alpha", "Alpha words."), "t:a", "1"),
            (mono("beta", "Grommeted beta."), "t:b", "2"),
            (mono("gamma", "Grommeted gamma."), "t:c", "1"),
            (mono("delta", "Delta words."), "t:d", "1"),
        ]
    )
    assert [o.status for o in outcomes] == ["unchanged", "replaced", "inserted", "inserted"]
    again = store.upsert_many(
        [(mono("eps", "First eps."), "t:e", "1"), (mono("eps", "Zaffered eps."), "t:e", "2")]
    )
    assert [o.status for o in again] == ["inserted", "replaced"]
    counts = _counts(store)
    assert counts["documents"] == 5 and counts["history"] == 2
    # Two names (generic, brand) and two text rows (the section, the names) per document:
    # a replaced version's rows are gone, none is written twice.
    assert counts["names"] == 10 and counts["chunks"] == 10
    found = {h.key for h in store.search("grommeted") if h.match == "text"}
    assert found == {"beta", "gamma"}
    assert {h.key for h in store.search("zaffered") if h.match == "text"} == {"eps"}
    assert not [h for h in store.search("old beta") if h.match == "text"]
    assert not [h for h in store.search("first eps") if h.match == "text"]
