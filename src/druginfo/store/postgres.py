"""The shared store: PostgreSQL through psycopg 3, for teams that serve one database to many.

Same tables and semantics as the SQLite store; text search uses tsvector ('simple'
configuration, so every language is indexed alike) with GIN, and names use pg_trgm.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import threading
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from druginfo.errors import InputError
from druginfo.model import (
    ClassEntry,
    DrugSummary,
    Feedback,
    InteractionPair,
    Monograph,
    SearchHit,
)
from druginfo.store import common, ranking
from druginfo.store.base import UpsertOutcome
from druginfo.store.common import NameRow
from druginfo.store.sql import SqlReads, class_from_row

TEXT_CANDIDATES = 500  # matching rows ranked per query (see store.ranking)
RERANK = 200  # of which the best are scored again from their text
BUCKET_BITS = 15  # chunks.bucket = id >> BUCKET_BITS (migration 0006; the SQL states it too)
REST_ROWS = 2000  # expected matches below the searched buckets that are read at once
IDF_PROBE = 10000  # matches counted per word group when the table has no statistics yet
_INSERT_DOCUMENT = (
    "INSERT INTO documents (doc_id, key, language, kind, curated, display_name,"
    " brands, document_date, checksum, monograph)"
    " VALUES (%(doc_id)s, %(key)s, %(language)s, %(kind)s, %(curated)s,"
    " %(display)s, %(brands)s, %(document_date)s, %(checksum)s, %(json)s::jsonb)"
)
_MIGRATION_LOCK = 0x64727567  # advisory lock id: two processes never migrate at once


class PostgresStore(SqlReads):
    backend = "postgresql"

    _P = "%s"

    def _decode(self, value: Any) -> Monograph:
        from druginfo.model.trusted import monograph_from_data  # validated when it was written

        return monograph_from_data(value)

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://") :]
        try:
            self._conn = psycopg.connect(url, autocommit=True)
        except psycopg.OperationalError as exc:
            raise InputError("db", f"cannot connect to PostgreSQL: {exc}".strip()) from exc
        self._lock = threading.RLock()
        self._decoded = common.MonographCache()
        self._stats: tuple[float, tuple[float, dict[str, float], float]] | None = None
        if migrate:
            self.migrate()
        self._conn.execute("SET pg_trgm.similarity_threshold = 0.25")

    # plumbing ------------------------------------------------------------------------------
    @contextmanager
    def _tx(self) -> Iterator[psycopg.Connection[Any]]:
        with self._lock, self._conn.transaction():
            yield self._conn

    def _query(self, sql: str, params: Sequence[object] | dict[str, object] = ()) -> list[Any]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def migrate(self) -> None:
        with self._tx() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
            )
            self._ensure_meta(conn)
        for version, name, sql in common.migration_scripts("postgresql"):
            with self._tx() as conn:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
                row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
                if row is not None and row[0] is not None and row[0] >= version:
                    continue
                conn.execute(sql.encode())  # bytes: no placeholders, several statements
                conn.execute(
                    "INSERT INTO schema_version (version, name) VALUES (%s, %s)", (version, name)
                )

    def schema_version(self) -> int:
        return int(self._query("SELECT coalesce(max(version), 0) FROM schema_version")[0][0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def history(self, doc_id: str) -> list[tuple[str, dt.date | None, dt.datetime]]:
        rows = self._query(
            "SELECT checksum, document_date, replaced_at FROM history WHERE doc_id = %s"
            " ORDER BY id",
            (doc_id,),
        )
        return [(r[0], r[1], r[2]) for r in rows]

    # documents -----------------------------------------------------------------------------
    def upsert_monograph(self, mono: Monograph, *, doc_id: str, checksum: str) -> UpsertOutcome:
        return self.upsert_many([(mono, doc_id, checksum)])[0]

    def upsert_many(
        self, items: Sequence[tuple[Monograph, str, str] | tuple[Monograph, str, str, str]]
    ) -> list[UpsertOutcome]:
        """Several documents in ONE transaction (all or none), for fast bulk ingestion (a
        4th element is the JSON the monograph was just made from: stored as is)."""
        return self.write_prepared(
            [
                common.prepare_document(
                    item[3] if len(item) > 3 else item[0].model_dump_json(),
                    item[1],
                    item[2],
                    compress=False,
                )
                for item in items
            ]
        )

    def write_prepared(
        self, rows: Sequence[common.PreparedDocument], *, index: bool = True
    ) -> list[UpsertOutcome]:
        """Write prepared documents in ONE transaction (all or none), in a few statements per
        batch rather than per document (one lookup, one pipelined insert of the new
        documents, one of their names, one of their text rows). `index` is accepted for the
        SQLite store's sake: here the GIN index's pending list already defers the text
        index's work (migration 0003), within the same transaction."""
        prepared = [_for_postgres(row) for row in rows]
        if not prepared:
            return []
        with self._tx() as conn:
            outcomes = self._write_batch(conn, prepared)
            if any(o.status != "unchanged" for o in outcomes):
                self._bump_generation(conn)
        return outcomes

    def index_pending(self) -> int:
        return 0  # nothing queued outside the GIN index itself

    def _write_batch(
        self, conn: psycopg.Connection[Any], prepared: list[tuple[dict[str, Any], str]]
    ) -> list[UpsertOutcome]:
        ids = [row["doc_id"] for row, _ in prepared]
        if len(set(ids)) != len(ids):  # the same document twice: in order, one at a time
            return [self._upsert_one(conn, row, key) for row, key in prepared]
        existing = {
            r[0]: (r[1], r[2], r[3])
            for r in conn.execute(
                "SELECT doc_id, id, checksum, document_date FROM documents"
                " WHERE doc_id = ANY(%s) FOR UPDATE",
                (ids,),
            )
        }
        fresh = [row for row, _ in prepared if row["doc_id"] not in existing]
        inserted: dict[str, int] = {}
        if fresh:
            with conn.cursor() as cur:
                cur.executemany(
                    _INSERT_DOCUMENT + " ON CONFLICT (doc_id) DO NOTHING RETURNING id, doc_id",
                    fresh,
                    returning=True,
                )
                while True:
                    got = cur.fetchone()
                    if got is not None:
                        inserted[got[1]] = int(got[0])
                    if not cur.nextset():
                        break
        outcomes: list[UpsertOutcome] = []
        written: list[tuple[int, dict[str, Any]]] = []
        for row, key in prepared:
            doc_id = row["doc_id"]
            if doc_id in inserted:
                written.append((inserted[doc_id], row))
                outcomes.append(UpsertOutcome("inserted", key))
            elif doc_id in existing:
                doc, checksum, date = existing[doc_id]
                if checksum == row["checksum"]:
                    outcomes.append(UpsertOutcome("unchanged", key))
                else:
                    self._replace(conn, row, doc, checksum, date)
                    written.append((doc, row))
                    outcomes.append(UpsertOutcome("replaced", key))
            else:  # another writer inserted it meanwhile: as one document, in full
                outcomes.append(self._upsert_one(conn, row, key))
        self._insert_rows(conn, written)
        return outcomes

    def _replace(
        self, conn: psycopg.Connection[Any], row: dict[str, Any], doc: int, old: str, date: Any
    ) -> None:
        """The old version to history, its names and text rows gone, the new one in place."""
        conn.execute(
            "INSERT INTO history (doc_id, checksum, document_date) VALUES (%s, %s, %s)",
            (row["doc_id"], old, date),
        )
        conn.execute("DELETE FROM names WHERE doc = %s", (doc,))
        conn.execute("DELETE FROM chunks WHERE doc = %s", (doc,))
        conn.execute(
            "UPDATE documents SET key = %(key)s, language = %(language)s, kind = %(kind)s,"
            " curated = %(curated)s, display_name = %(display)s, brands = %(brands)s,"
            " document_date = %(document_date)s, checksum = %(checksum)s,"
            " monograph = %(json)s::jsonb, updated_at = now() WHERE doc_id = %(doc_id)s",
            row,
        )

    def _insert_rows(
        self, conn: psycopg.Connection[Any], written: list[tuple[int, dict[str, Any]]]
    ) -> None:
        """Names and text rows of the documents just written, in their order."""
        if not written:
            return
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO names (doc, name, norm, key, language, kind)"
                " VALUES (%s, %s, %s, %s, %s, %s)",
                [
                    (doc, n, norm, row["key"], row["language"], kind)
                    for doc, row in written
                    for n, norm, kind in row["names"]
                ],
            )
            cur.executemany(
                "INSERT INTO chunks (doc, lang, section, body, tsv)"
                " VALUES (%s, %s, %s, %s, to_tsvector('simple', %s))",
                [
                    (doc, row["language"], s, b, common.strip_diacritics(f"{s}\n{b}"))
                    for doc, row in written
                    for s, b in row["chunks"]
                ],
            )

    def _upsert_one(
        self, conn: psycopg.Connection[Any], row: dict[str, Any], key: str
    ) -> UpsertOutcome:
        old = conn.execute(
            "SELECT id, checksum, document_date FROM documents WHERE doc_id = %(doc_id)s"
            " FOR UPDATE",
            row,
        ).fetchone()
        if old is None:
            new = conn.execute(
                _INSERT_DOCUMENT + " ON CONFLICT (doc_id) DO NOTHING RETURNING id", row
            ).fetchone()
            if new is None:  # another writer inserted it meanwhile: treat as existing
                old = conn.execute(
                    "SELECT id, checksum, document_date FROM documents"
                    " WHERE doc_id = %(doc_id)s FOR UPDATE",
                    row,
                ).fetchone()
            else:
                self._insert_rows(conn, [(int(new[0]), row)])
                return UpsertOutcome("inserted", key)
        assert old is not None
        if old[1] == row["checksum"]:
            return UpsertOutcome("unchanged", key)
        self._replace(conn, row, int(old[0]), old[1], old[2])
        self._insert_rows(conn, [(int(old[0]), row)])
        return UpsertOutcome("replaced", key)

    def list_drugs(self) -> list[DrugSummary]:
        rows = self._query("SELECT key, language, curated, display_name, brands FROM documents")
        return common.summarize_drugs((r[0], r[1], bool(r[2]), r[3], list(r[4])) for r in rows)

    # search --------------------------------------------------------------------------------
    def _search_query(self, sql: str, params: dict[str, object]) -> list[Any]:
        """A search statement, planned for its own values every time. psycopg prepares a
        statement run five times, and PostgreSQL then may switch to one generic plan for
        any values: for a text search that is a walk of the primary key testing every
        row's tsvector, right for "the" and seconds long for a rare name (seen at 20×:
        searches went from ~0.1 s to 2–4 s after their fifth run)."""
        with self._lock:
            return self._conn.execute(sql, params, prepare=False).fetchall()

    def search(self, query: str, limit: int = 20, language: str | None = None) -> list[SearchHit]:
        limit = max(1, min(int(limit), 200))
        query = query.replace("\x00", " ")  # PostgreSQL text cannot hold NUL
        hits = self._name_hits(query, language)
        hits.extend(self._text_hits(query, limit, language))
        return common.dedupe_hits(hits, limit, language)

    def _name_rows(self, where: str, params: dict[str, object]) -> list[tuple[NameRow, str]]:
        rows = self._search_query(
            "SELECT DISTINCT n.key, n.language, n.name, d.display_name, d.curated, n.norm"
            " FROM names n JOIN documents d ON d.id = n.doc WHERE " + where,
            params,
        )
        return [(NameRow(r[0], r[1], r[2], r[3], bool(r[4])), r[5]) for r in rows]

    def _name_hits(self, query: str, language: str | None) -> list[SearchHit]:
        norm = common.normalize_name(query)
        if not norm:
            return []
        lang_sql = " AND n.language = %(lang)s" if language else ""
        params: dict[str, object] = {"norm": norm, "lang": language}
        exact = self._name_rows("n.norm = %(norm)s" + lang_sql, params)
        prefix: list[tuple[NameRow, str]] = []
        if len(norm) >= 3:
            params["pattern"] = _like_escape(norm) + "%"
            prefix = self._name_rows(
                "n.norm LIKE %(pattern)s AND n.norm <> %(norm)s" + lang_sql + " LIMIT 200",
                params,
            )
        fuzzy: list[tuple[NameRow, str]] = []
        if len(norm) >= 4:
            cands = self._search_query(
                "SELECT norm FROM (SELECT DISTINCT norm FROM names WHERE norm %% %(norm)s) c"
                " ORDER BY similarity(norm, %(norm)s) DESC LIMIT 400",
                params,
            )
            good = sorted(
                {c[0] for c in cands if common.fuzzy_score(norm, c[0]) >= common.FUZZY_MIN} - {norm}
            )[:50]
            if good:
                params["good"] = good
                fuzzy = self._name_rows("n.norm = ANY(%(good)s)" + lang_sql, params)
        return common.rank_name_hits(norm, (r for r, _ in exact), (r for r, _ in prefix), fuzzy)

    def _text_hits(self, query: str, limit: int, language: str | None) -> list[SearchHit]:
        """As in SQLite (see `store.ranking`): the GIN index finds at most TEXT_CANDIDATES
        matching rows, newest first; BM25 in two passes ranks them. `ts_rank` is not used:
        it has no inverse document frequency, and ordering by it reads every matching row."""
        q = common.parse_text_query(common.strip_diacritics(query).casefold())
        if q.is_empty():
            return []
        _, frequency, floor = self._lexeme_stats()
        listed = frequency.keys()  # common lexemes: searched exactly
        share = min((_share(g, frequency, floor) for g in q.groups if g), default=floor)
        ids = self._candidates(_tsquery(q.groups, listed), language, share)
        if not ids:
            return []
        # A row's length: its bytes (PostgreSQL keeps no token count; the size of a stored
        # value is read from its header). BM25 only compares lengths with their average.
        candidates = [
            ranking.Candidate(r[0], r[1], int(r[2]))
            for r in self._search_query(
                "SELECT id, section, octet_length(section) + octet_length(body) FROM chunks"
                " WHERE id = ANY(%(ids)s)",
                {"ids": ids},
            )
        ]
        weights = self._idf(q)
        bm25 = ranking.Bm25(q, weights, None)
        together: set[int] = set()
        if bm25.phrased:
            # The words as typed, side by side, among the candidates only: their tsvectors
            # are read first (MATERIALIZED), so the planner cannot instead search the GIN
            # index for the phrase, which reads and rechecks every row holding all its words
            # (0.3 s for three common words at 20×).
            together = {
                r[0]
                for r in self._search_query(
                    "WITH c AS MATERIALIZED (SELECT id, tsv FROM chunks WHERE id = ANY(%(ids)s))"
                    " SELECT id FROM c WHERE tsv @@ to_tsquery('simple', %(phrase)s)",
                    {"ids": ids, "phrase": _tsquery([q.tokens], listed)},
                )
            }
        best = bm25.first_pass(candidates, together)[: max(RERANK, 2 * limit)]
        text: dict[int, bytes] = {}
        documents: dict[int, tuple[str, str, str]] = {}
        for rowid, body, key, lang, display in self._search_query(
            "SELECT c.id, convert_to(c.body, 'UTF8'), d.key, d.language, d.display_name"
            " FROM chunks c JOIN documents d ON d.id = c.doc WHERE c.id = ANY(%(ids)s)",
            {"ids": [c.rowid for c in best]},
        ):
            text[rowid] = bytes(body)
            documents[rowid] = (key, lang, display)
        ranked = bm25.second_pass([(c, text[c.rowid]) for c in best if c.rowid in text])
        shown = common.parse_text_query(query)  # the words as typed, for the snippets
        snippet = common.snippet_maker(shown)
        return [
            SearchHit(
                key=documents[c.rowid][0],
                name=documents[c.rowid][2],
                language=documents[c.rowid][1],
                section=c.section or None,
                snippet=snippet(text[c.rowid].decode("utf-8", "replace")),
                score=c.score,
                match="text",
            )
            for c in ranking.best_per_document(ranked, limit, documents)
        ]

    def _candidates(self, tsquery: str, language: str | None, share: float = 0.0) -> list[int]:
        """The newest TEXT_CANDIDATES rows matching `tsquery`, newest first, found bucket by
        bucket of row ids from the newest down (chunks.bucket = id >> BUCKET_BITS, indexed
        with the text: migration 0006).

        Why buckets: a GIN index returns a query's matches as a bitmap in no useful order,
        so "the newest 500 of them" read every matching row from the table to sort them —
        for a common word most of the table, growing with the corpus (0.2–0.9 s at 20×).
        `bucket = k` is one more key of the same GIN index, ANDed with the words inside it
        (skipping through the longer posting list), so only the bucket's matches reach the
        table: three common words went from 320 ms to 6 ms at 20× (loaded machine). An
        equality, not a range: GIN reads every posting list a range covers into a bitmap
        first. Once the rows left below the searched buckets are expected to hold at most
        REST_ROWS matches (by the density seen so far; by `share`, the statistics' share of
        rows holding the query, while nothing was found), they are searched at once: each
        match is read from the table, few by then. A word found only in old rows (a language
        ingested first) therefore walks the buckets rather than reading all its matches.
        The bucket is cast to the column's type: psycopg sends a small Python int as
        smallint, and btree_gin's integer class does not compare across types (the bucket
        would be a filter after the table read, not an index key).

        Plain index scans are switched off for these statements: otherwise the planner,
        expecting many matches, walks the primary key backwards testing every row's
        tsvector — right for "the", but for a word rarer than its statistics say it reads
        the whole table (1.9 s for a brand name at 20×, 1.7 s at 50×)."""
        lang_sql = " AND lang = %(lang)s" if language else ""
        params: dict[str, object] = {"q": tsquery, "lang": language}
        ids: list[int] = []
        with self._tx() as conn:
            row = conn.execute("SELECT max(id) FROM chunks").fetchone()
            if row is None or row[0] is None:
                return []
            conn.execute("SET LOCAL enable_indexscan = off")

            def matches(bounds: str, values: dict[str, object]) -> list[int]:
                sql = (
                    "SELECT id FROM chunks WHERE tsv @@ to_tsquery('simple', %(q)s) AND "
                    + bounds
                    + lang_sql
                    + " ORDER BY id DESC LIMIT %(need)s"
                )
                values = {**params, **values, "need": TEXT_CANDIDATES - len(ids)}
                return [r[0] for r in conn.execute(sql, values, prepare=False).fetchall()]

            top = int(row[0])
            bucket = top >> BUCKET_BITS
            while True:
                ids.extend(matches("bucket = %(bucket)s::integer", {"bucket": bucket}))
                if len(ids) >= TEXT_CANDIDATES or bucket == 0:
                    return ids
                searched = top - (bucket << BUCKET_BITS) + 1
                below = bucket << BUCKET_BITS
                density = len(ids) / searched if ids else share
                if searched >= 1 << BUCKET_BITS and density * below <= REST_ROWS:
                    break  # judged on a whole bucket at least: few matches left below
                bucket -= 1
            ids.extend(matches("id < %(below)s::bigint", {"below": bucket << BUCKET_BITS}))
        return ids

    def _idf(self, q: common.TextQuery) -> list[float]:
        """Each word group's inverse document frequency from PostgreSQL's own statistics of
        the tsvector column (what its planner uses): the frequency of a common lexeme is in
        its most-common-elements list, a prefix sums the listed lexemes it starts, and any
        other word is rarer than the rarest listed one (half of it, as the planner assumes).
        Counting matches instead would read every matching row of a common word."""
        if len(q.groups) < 2:
            return [1.0]
        rows, frequency, floor = self._lexeme_stats()
        if not frequency:  # never analysed (a new store): count, at most IDF_PROBE each
            total = self._query("SELECT count(*) FROM chunks")[0][0] or 1
            return [
                ranking.idf(
                    total,
                    self._search_query(
                        "SELECT count(*) FROM (SELECT 1 FROM chunks"
                        " WHERE tsv @@ to_tsquery('simple', %(q)s) LIMIT %(probe)s) m",
                        {"q": _tsquery([group]), "probe": IDF_PROBE},
                    )[0][0],
                )
                for group in q.groups
            ]
        return [ranking.idf(rows, _share(group, frequency, floor) * rows) for group in q.groups]

    def _lexeme_stats(self) -> tuple[float, dict[str, float], float]:
        """(rows, frequency of each most common lexeme, frequency assumed for the others),
        read from pg_class and pg_stats at most once a minute (they change at ANALYZE)."""
        now = time.monotonic()
        if self._stats is not None and now - self._stats[0] < 60:
            return self._stats[1]
        found = self._query(
            "SELECT c.reltuples, s.most_common_elems::text::text[], s.most_common_elem_freqs"
            " FROM pg_class c LEFT JOIN pg_stats s ON s.tablename = 'chunks'"
            " AND s.attname = 'tsv' AND s.schemaname = current_schema()"
            " WHERE c.oid = 'chunks'::regclass"
        )
        rows = max(1.0, float(found[0][0])) if found else 1.0
        elems = (found[0][1] or []) if found else []
        freqs = (found[0][2] or []) if found else []
        frequency = {str(e): float(f) for e, f in zip(elems, freqs, strict=False)}
        # the list ends with the minimum and maximum frequency and the frequency of nulls
        floor = float(freqs[len(elems)]) / 2 if len(freqs) > len(elems) else 1.0 / rows
        stats = (rows, frequency, max(floor, 1.0 / rows))
        self._stats = (now, stats)
        return stats

    # interactions and classes ---------------------------------------------------------------
    def add_interactions(self, pairs: Iterable[InteractionPair]) -> int:
        merged: dict[tuple[str, str, str], tuple[str, list[str]]] = {}
        for pair in pairs:
            a, b = common.canonical_pair(pair)
            if a == b:
                continue
            k = (a, b, pair.source)
            if k in merged:
                level, ids = merged[k]
                merged[k] = (common.merge_level(level, pair.level), _union(ids, pair.source_ids))
            else:
                merged[k] = (pair.level, list(pair.source_ids))
        if not merged:
            return 0
        rows = [(a, b, s, level, Jsonb(ids)) for (a, b, s), (level, ids) in merged.items()]
        with self._tx() as conn, conn.cursor() as cur:
            # The more severe level wins; source ids accumulate.
            cur.executemany(
                "INSERT INTO interactions AS i (drug_a, drug_b, source, level, source_ids)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (drug_a, drug_b, source) DO UPDATE SET"
                " level = CASE WHEN "
                + _rank_sql("excluded.level")
                + " > "
                + _rank_sql("i.level")
                + " THEN excluded.level ELSE i.level END,"
                " source_ids = (SELECT coalesce(jsonb_agg(DISTINCT x), '[]'::jsonb) FROM"
                " jsonb_array_elements(i.source_ids || excluded.source_ids) AS x)",
                rows,
            )
            self._bump_generation(conn)
        return len(merged)

    def interactions_among(self, generics: list[str]) -> list[InteractionPair]:
        names = sorted({" ".join(g.casefold().split()) for g in generics if g and g.strip()})
        if len(names) < 2:
            return []
        rows = self._query(
            "SELECT drug_a, drug_b, level, source, source_ids FROM interactions"
            " WHERE drug_a = ANY(%(n)s) AND drug_b = ANY(%(n)s) ORDER BY drug_a, drug_b, source",
            {"n": names},
        )
        return [
            InteractionPair(drug_a=r[0], drug_b=r[1], level=r[2], source=r[3], source_ids=r[4])
            for r in rows
        ]

    def add_classes(self, entries: Iterable[ClassEntry]) -> int:
        rows = {
            (e.system, e.code): (e.system, e.code, e.name, common.normalize_name(e.name), e.parent)
            for e in entries
        }
        if not rows:
            return 0
        with self._tx() as conn, conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO classes (system, code, name, name_norm, parent)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (system, code) DO UPDATE SET"
                " name = excluded.name, name_norm = excluded.name_norm, parent = excluded.parent",
                list(rows.values()),
            )
            self._bump_generation(conn)
        return len(rows)

    def members_of(self, code_prefix: str, system: str = "atc") -> list[ClassEntry]:
        rows = self._query(
            "SELECT system, code, name, parent FROM classes"
            " WHERE system = %s AND code LIKE %s ORDER BY code",
            (system, _like_escape(code_prefix) + "%"),
        )
        return [class_from_row(r) for r in rows]

    # feedback (anonymous; private records: druginfo.store.private) -------------------------
    def add_feedback(self, feedback: Feedback) -> Feedback:
        feedback = Feedback.model_validate(feedback.model_dump())
        created = feedback.created or common.utcnow()
        with self._tx() as conn:
            row = conn.execute(
                "INSERT INTO feedback (page, helpful, text, created) VALUES (%s, %s, %s, %s)"
                " RETURNING id",
                (feedback.page, feedback.helpful, feedback.text, created),
            ).fetchone()
        assert row is not None
        return feedback.model_copy(update={"id": int(row[0]), "created": created})

    def feedback(self) -> list[Feedback]:
        rows = self._query("SELECT id, page, helpful, text, created FROM feedback ORDER BY id")
        return [Feedback(id=r[0], page=r[1], helpful=r[2], text=r[3], created=r[4]) for r in rows]


def _for_postgres(row: common.PreparedDocument) -> tuple[dict[str, Any], str]:
    """The statement parameters of a prepared document; PostgreSQL text and jsonb cannot
    hold NUL characters, so they are blanked (the rare document holding one)."""
    text = row.json if row.json is not None else zlib.decompress(row.blob or b"").decode()
    return (
        {
            "doc_id": row.doc_id,
            "checksum": row.checksum,
            "key": row.key,
            "language": row.language,
            "kind": row.kind,
            "curated": row.curated,
            "display": row.display.replace("\x00", " "),
            "brands": Jsonb(list(row.brands)),
            "document_date": row.document_date,
            "json": _without_nul(Monograph.model_validate_json(text))
            if "\\u0000" in text
            else text,
            "names": [(n.replace("\x00", " "), norm, k) for n, norm, k in row.names],
            "chunks": [(s.replace("\x00", " "), b.replace("\x00", " ")) for s, b in row.chunks],
        },
        row.key,
    )


def _without_nul(mono: Monograph) -> str:
    """PostgreSQL text and jsonb cannot hold NUL characters: blank them."""

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace("\x00", " ")
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {clean(k): clean(v) for k, v in value.items()}
        return value

    return json.dumps(clean(mono.model_dump(mode="json")))


def _share(group: Sequence[str], frequency: dict[str, float], floor: float) -> float:
    """The share of text rows holding a word group, from the column's statistics: a word's
    listed forms summed (a prefix: see _tsquery), else the floor; the group's rarest word
    bounds it."""
    shares = []
    for token in group:
        if len(token) >= 4:  # matched as a prefix (see _tsquery)
            f = sum(v for k, v in frequency.items() if k.startswith(token))
        else:
            f = frequency.get(token, 0.0)
        shares.append(min(1.0, f) if f > 0 else floor)
    return min(shares) if shares else floor


def _tsquery(groups: Sequence[Sequence[str]], common: Iterable[str] = ()) -> str:
    """A to_tsquery string from plain word tokens only; longer words also match as prefixes
    (no stemmer in the 'simple' configuration: 'reaction' finds 'reactions').

    `common`: the lexemes the column's statistics list as most common. A word that begins
    any of them is searched as those lexemes and itself, not as a prefix: GIN reads every
    posting list a prefix covers into one bitmap before intersecting it with the other
    words, so 'over':* (over, overall, overdose, ...) cost 150 ms at 20× where the same
    query with exact lexemes took 25 ms (exact lexemes are intersected skipping through
    the rarer word's list). The rare forms left out are rare by definition: they change
    which of a common word's many matches are found, not whether the query finds any."""
    listed = sorted(common)

    def lexeme(tok: str) -> str:
        if len(tok) < 4:
            return f"'{tok}'"
        start = bisect.bisect_left(listed, tok)
        forms = []
        for form in listed[start:]:
            if not form.startswith(tok):
                break
            if form.isalnum():
                forms.append(form)
        if not forms:
            return f"'{tok}':*"
        forms = sorted({tok, *forms})
        return "(" + " | ".join(f"'{f}'" for f in forms) + ")" if len(forms) > 1 else f"'{tok}'"

    parts = []
    for g in groups:
        inner = " <-> ".join(lexeme(t) for t in g)
        parts.append(f"({inner})" if len(g) > 1 else inner)
    return " & ".join(parts)


def _rank_sql(col: str) -> str:
    return f"(CASE {col} WHEN 'major' THEN 3 WHEN 'moderate' THEN 2 WHEN 'minor' THEN 1 ELSE 0 END)"


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _union(a: list[str], b: list[str]) -> list[str]:
    out = list(a)
    for x in b:
        if x not in out:
            out.append(x)
    return out
