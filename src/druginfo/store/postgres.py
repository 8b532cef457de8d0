"""The shared store: PostgreSQL through psycopg 3, for teams that serve one database to many.

Same tables and semantics as the SQLite store; text search uses tsvector ('simple'
configuration, so every language is indexed alike) with GIN, and names use pg_trgm.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
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
from druginfo.store import common
from druginfo.store.base import UpsertOutcome
from druginfo.store.common import NameRow
from druginfo.store.sql import SqlReads, class_from_row

TEXT_CANDIDATES = 1000
_MIGRATION_LOCK = 0x64727567  # advisory lock id: two processes never migrate at once


class PostgresStore(SqlReads):
    backend = "postgresql"

    _P = "%s"

    def _decode(self, value: Any) -> Monograph:
        return Monograph.model_validate(value)

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
        4th element, the JSON the monograph was validated from, is not needed here)."""
        prepared = [(_prepare(item[0], item[1], item[2]), item[0].key) for item in items]
        outcomes: list[UpsertOutcome] = []
        if not prepared:
            return outcomes
        with self._tx() as conn:
            for row, key in prepared:
                outcomes.append(self._upsert_one(conn, row, key))
            if any(o.status != "unchanged" for o in outcomes):
                self._bump_generation(conn)
        return outcomes

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
                "INSERT INTO documents (doc_id, key, language, kind, curated, display_name,"
                " brands, document_date, checksum, monograph)"
                " VALUES (%(doc_id)s, %(key)s, %(language)s, %(kind)s, %(curated)s,"
                " %(display)s, %(brands)s, %(document_date)s, %(checksum)s, %(json)s::jsonb)"
                " ON CONFLICT (doc_id) DO NOTHING RETURNING id",
                row,
            ).fetchone()
            if new is None:  # another writer inserted it meanwhile: treat as existing
                old = conn.execute(
                    "SELECT id, checksum, document_date FROM documents"
                    " WHERE doc_id = %(doc_id)s FOR UPDATE",
                    row,
                ).fetchone()
            else:
                doc = int(new[0])
                status = "inserted"
        if old is not None:
            if old[1] == row["checksum"]:
                return UpsertOutcome("unchanged", key)
            doc = int(old[0])
            conn.execute(
                "INSERT INTO history (doc_id, checksum, document_date) VALUES (%s, %s, %s)",
                (row["doc_id"], old[1], old[2]),
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
            status = "replaced"
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO names (doc, name, norm, key, language, kind)"
                " VALUES (%s, %s, %s, %s, %s, %s)",
                [
                    (doc, n, norm, row["key"], row["language"], kind)
                    for n, norm, kind in row["names"]
                ],
            )
            cur.executemany(
                "INSERT INTO chunks (doc, lang, section, body, tsv)"
                " VALUES (%s, %s, %s, %s, to_tsvector('simple', %s))",
                [
                    (doc, row["language"], s, b, common.strip_diacritics(f"{s}\n{b}"))
                    for s, b in row["chunks"]
                ],
            )
        return UpsertOutcome(status, key)  # type: ignore[arg-type]

    def list_drugs(self) -> list[DrugSummary]:
        rows = self._query("SELECT key, language, curated, display_name, brands FROM documents")
        return common.summarize_drugs((r[0], r[1], bool(r[2]), r[3], list(r[4])) for r in rows)

    # search --------------------------------------------------------------------------------
    def search(self, query: str, limit: int = 20, language: str | None = None) -> list[SearchHit]:
        limit = max(1, min(int(limit), 200))
        query = query.replace("\x00", " ")  # PostgreSQL text cannot hold NUL
        hits = self._name_hits(query, language)
        hits.extend(self._text_hits(query, limit, language))
        return common.dedupe_hits(hits, limit, language)

    def _name_rows(self, where: str, params: dict[str, object]) -> list[tuple[NameRow, str]]:
        rows = self._query(
            "SELECT n.key, n.language, n.name, d.display_name, d.curated, n.norm"
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
            cands = self._query(
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
        q = common.parse_text_query(common.strip_diacritics(query).casefold())
        if q.is_empty():
            return []
        expressions = [_tsquery(q.groups)]
        if len(q.groups) > 1 and not q.explicit_phrases:
            expressions.insert(0, _tsquery([q.tokens]))
        lang_sql = " AND lang = %(lang)s" if language else ""
        # As in SQLite: rank at most TEXT_CANDIDATES matching rows (the newest), keep the
        # best row per (key, language), and build headlines only for the rows shown.
        best: dict[tuple[str, str], tuple[float, int, str]] = {}
        info: dict[int, tuple[str, str, str, str]] = {}
        for i, expr in enumerate(expressions):
            ranked = self._query(
                "SELECT c.id, ts_rank(c.tsv, to_tsquery('simple', %(q)s), 1) AS r,"
                " d.key, d.language, d.display_name, c.section"
                " FROM (SELECT id, doc, section, tsv FROM chunks"
                " WHERE tsv @@ to_tsquery('simple', %(q)s)" + lang_sql + " ORDER BY id DESC"
                " LIMIT %(cap)s) c JOIN documents d ON d.id = c.doc"
                " ORDER BY r DESC, c.id DESC LIMIT %(fetch)s",
                {"q": expr, "lang": language, "cap": TEXT_CANDIDATES, "fetch": limit * 4},
            )
            boost = 1.0 if i == 0 and len(expressions) > 1 else 0.0
            for rowid, rank, key, lang, display, section in ranked:
                info[rowid] = (key, lang, display, section)
                score = common.text_score(10.0 * float(rank) + boost)
                if (key, lang) not in best or score > best[(key, lang)][0]:
                    best[(key, lang)] = (score, rowid, expr)
            if len(best) >= limit:
                break
        chosen = sorted(best.values(), key=lambda x: -x[0])[:limit]
        snippets: dict[int, str] = {}
        options = (
            f'StartSel="{common.HIGHLIGHT_START}", StopSel="{common.HIGHLIGHT_END}",'
            ' MaxWords=24, MinWords=8, MaxFragments=1, FragmentDelimiter=" … "'
        )
        for _, rowid, expr in chosen:
            row = self._query(
                "SELECT ts_headline('simple', body, to_tsquery('simple', %s), %s)"
                " FROM chunks WHERE id = %s",
                (expr, options, rowid),
            )
            if row:
                snippets[rowid] = row[0][0]
        return [
            SearchHit(
                key=info[rowid][0],
                name=info[rowid][2],
                language=info[rowid][1],
                section=info[rowid][3] or None,
                snippet=snippets.get(rowid),
                score=score,
                match="text",
            )
            for score, rowid, _ in chosen
        ]

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


def _prepare(mono: Monograph, doc_id: str, checksum: str) -> dict[str, Any]:
    if not doc_id or not checksum:
        raise ValueError("doc_id and checksum are required")
    text = mono.model_dump_json()
    mono = Monograph.model_validate_json(text)  # what is stored is exactly what loads back
    return {
        "doc_id": doc_id,
        "checksum": checksum,
        "key": mono.key,
        "language": mono.language,
        "kind": common.document_kind(mono),
        "curated": mono.curated,
        "display": common.display_name(mono).replace("\x00", " "),
        "brands": Jsonb(list(mono.identity.brands)),
        "document_date": mono.document_date,
        "json": _without_nul(mono) if "\\u0000" in text else text,
        "names": [
            (n.replace("\x00", " "), common.normalize_name(n), k)
            for n, k in common.monograph_names(mono)
        ],
        "chunks": [
            (s.replace("\x00", " "), b.replace("\x00", " ")) for s, b in common.text_chunks(mono)
        ],
    }


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


def _tsquery(groups: Sequence[Sequence[str]]) -> str:
    """A to_tsquery string from plain word tokens only; longer words also match as prefixes
    (no stemmer in the 'simple' configuration: 'reaction' finds 'reactions')."""

    def lexeme(tok: str) -> str:
        return f"'{tok}'" + (":*" if len(tok) >= 4 else "")

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
