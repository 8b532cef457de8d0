"""The default store: one SQLite file in WAL mode, FTS5 for text and trigram FTS5 for names.

A single connection guarded by a lock serves every thread (the web server's workers
included); each write is one explicit transaction, so readers never see half a document and a
killed process leaves the previous committed state.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

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
RANK_IN_PYTHON = 200

_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
    "PRAGMA cache_size=-32000",
    "PRAGMA temp_store=MEMORY",
    # Deleted rows (a person's diary, a deleted account) are overwritten, not left in free pages;
    # some SQLite builds default to this, others do not.
    "PRAGMA secure_delete=ON",
)


class SqliteStore(SqlReads):
    backend = "sqlite"

    _P = "?"

    def _decode(self, value: bytes | str) -> Monograph:
        return decode_monograph(value)

    def __init__(self, path: str | Path, *, migrate: bool = True) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._lock = threading.RLock()
        self._decoded = common.MonographCache()
        for pragma in _PRAGMAS:
            self._conn.execute(pragma)
        if migrate:
            self.migrate()

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    # plumbing ------------------------------------------------------------------------------
    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: committed whole or rolled back whole."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        with self._lock:
            cur = self._conn.execute(sql, params)
            return cur.fetchall()

    def migrate(self) -> None:
        """Apply each pending numbered migration in its own IMMEDIATE transaction; the version
        is re-read inside it, so two processes opening a new file never both apply one."""
        with self._lock:
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            with self._tx() as conn:
                self._ensure_meta(conn)
            for version, name, sql in common.migration_scripts("sqlite"):
                if version <= self.schema_version():
                    continue
                with self._tx() as conn:
                    if version <= self.schema_version():
                        continue
                    for statement in _statements(sql):
                        conn.execute(statement)
                    conn.execute(
                        "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                        (version, name, common.utcnow().isoformat()),
                    )

    def schema_version(self) -> int:
        row = self._conn.execute("SELECT max(version) FROM schema_version").fetchone()
        return int(row[0] or 0)

    def close(self) -> None:
        with self._lock:
            try:
                self._conn.execute("PRAGMA optimize")
            finally:
                self._conn.close()

    def history(self, doc_id: str) -> list[tuple[str, dt.date | None, dt.datetime]]:
        rows = self._query(
            "SELECT checksum, document_date, replaced_at FROM history WHERE doc_id = ? ORDER BY id",
            (doc_id,),
        )
        return [
            (
                r[0],
                dt.date.fromisoformat(r[1]) if r[1] else None,
                dt.datetime.fromisoformat(r[2]),
            )
            for r in rows
        ]

    # documents -----------------------------------------------------------------------------
    def upsert_monograph(self, mono: Monograph, *, doc_id: str, checksum: str) -> UpsertOutcome:
        return self.upsert_many([(mono, doc_id, checksum)])[0]

    def upsert_many(
        self, items: Sequence[tuple[Monograph, str, str] | tuple[Monograph, str, str, str]]
    ) -> list[UpsertOutcome]:
        """Several documents in ONE transaction (all or none), for fast bulk ingestion.

        An item may carry a 4th element, the monograph's JSON text, when the monograph was
        just validated from exactly that text (the ingest pool): it is then stored as is."""
        if not items:
            return []
        prepared = [(_prepare(item[0], item[1], item[2], *item[3:]), item[0]) for item in items]
        outcomes: list[UpsertOutcome] = []
        with self._tx() as conn:
            for row, mono in prepared:
                outcomes.append(self._upsert_one(conn, row, mono))
            if any(o.status != "unchanged" for o in outcomes):
                self._bump_generation(conn)
        return outcomes

    def _upsert_one(
        self, conn: sqlite3.Connection, row: _Prepared, mono: Monograph
    ) -> UpsertOutcome:
        now = common.utcnow().isoformat()
        old = conn.execute(
            "SELECT id, checksum, document_date FROM documents WHERE doc_id = ?", (row.doc_id,)
        ).fetchone()
        if old is not None and old[1] == row.checksum:
            return UpsertOutcome("unchanged", mono.key)
        values = (
            row.key,
            row.language,
            row.kind,
            int(row.curated),
            row.display,
            json.dumps(row.brands),
            row.document_date,
            row.checksum,
            row.json,
            now,
        )
        if old is None:
            cur = conn.execute(
                "INSERT INTO documents (key, language, kind, curated, display_name, brands,"
                " document_date, checksum, monograph, updated_at, doc_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*values, row.doc_id),
            )
            doc = int(cur.lastrowid or 0)
            status = "inserted"
        else:
            doc = int(old[0])
            conn.execute(
                "INSERT INTO history (doc_id, checksum, document_date, replaced_at)"
                " VALUES (?, ?, ?, ?)",
                (row.doc_id, old[1], old[2], now),
            )
            conn.execute("DELETE FROM names WHERE doc = ?", (doc,))
            conn.execute("DELETE FROM chunks WHERE doc = ?", (doc,))
            conn.execute(
                "UPDATE documents SET key = ?, language = ?, kind = ?, curated = ?,"
                " display_name = ?, brands = ?, document_date = ?, checksum = ?, monograph = ?,"
                " updated_at = ? WHERE id = ?",
                (*values, doc),
            )
            status = "replaced"
        conn.executemany(
            "INSERT INTO names (doc, name, norm, key, language, kind) VALUES (?, ?, ?, ?, ?, ?)",
            [(doc, n, norm, row.key, row.language, kind) for n, norm, kind in row.names],
        )
        conn.executemany(
            "INSERT INTO chunks (doc, lang, section, body) VALUES (?, ?, ?, ?)",
            [(doc, row.language, section, body) for section, body in row.chunks],
        )
        return UpsertOutcome(status, mono.key)  # type: ignore[arg-type]

    def list_drugs(self) -> list[DrugSummary]:
        rows = self._query("SELECT key, language, curated, display_name, brands FROM documents")
        return common.summarize_drugs(
            (r[0], r[1], bool(r[2]), r[3], json.loads(r[4])) for r in rows
        )

    # search --------------------------------------------------------------------------------
    def search(self, query: str, limit: int = 20, language: str | None = None) -> list[SearchHit]:
        limit = max(1, min(int(limit), 200))
        hits = self._name_hits(query, language)
        hits.extend(self._text_hits(query, limit, language))
        return common.dedupe_hits(hits, limit, language)

    def _name_rows(self, where: str, params: Sequence[object]) -> list[tuple[NameRow, str]]:
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
        lang_sql = " AND n.language = ?" if language else ""
        lang_params: tuple[object, ...] = (language,) if language else ()
        exact = self._name_rows("n.norm = ?" + lang_sql, (norm, *lang_params))
        prefix: list[tuple[NameRow, str]] = []
        if len(norm) >= 3:
            prefix = self._name_rows(
                "n.norm > ? AND n.norm < ?" + lang_sql + " LIMIT 200",
                (norm, norm + "\U0010ffff", *lang_params),
            )
        fuzzy: list[tuple[NameRow, str]] = []
        match = common.trigram_match(norm) if len(norm) >= 4 else None
        if match is not None:
            cands = self._query(
                "SELECT norm FROM names_trgm WHERE names_trgm MATCH ? ORDER BY rank LIMIT 400",
                (match,),
            )
            good = sorted(
                {c[0] for c in cands if common.fuzzy_score(norm, c[0]) >= common.FUZZY_MIN} - {norm}
            )[:50]
            if good:
                marks = ",".join("?" * len(good))
                fuzzy = self._name_rows(f"n.norm IN ({marks})" + lang_sql, (*good, *lang_params))
        return common.rank_name_hits(norm, (r for r, _ in exact), (r for r, _ in prefix), fuzzy)

    def _text_hits(self, query: str, limit: int, language: str | None) -> list[SearchHit]:
        q = common.parse_text_query(query)
        if q.is_empty():
            return []
        expressions = [common.fts5_match(q)]
        if len(q.tokens) > 1 and not q.explicit_phrases and len(q.groups) > 1:
            # The words as typed, side by side, rank before the same words anywhere.
            expressions.insert(0, common.fts5_match(q, as_one_phrase=True))
        # Matching row ids first (the FTS index alone, at most TEXT_CANDIDATES), ranked (see
        # _rank), then the best row per (key, language), then snippets for the rows shown.
        best: dict[tuple[str, str], tuple[float, int, str]] = {}
        info: dict[int, tuple[str, str, str, str]] = {}
        for i, expr in enumerate(expressions):
            if language:
                expr = f"({expr}) AND lang : {common.fts5_phrase([language])}"
            candidates = [
                r[0]
                for r in self._query(
                    "SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ?"
                    " ORDER BY rowid DESC LIMIT ?",
                    (expr, TEXT_CANDIDATES),
                )
            ]
            ranked = self._rank(expr, q, candidates, limit * 4)
            new_ids = [r[0] for r in ranked if r[0] not in info]
            for j in range(0, len(new_ids), 500):
                part = new_ids[j : j + 500]
                marks = ",".join("?" * len(part))
                for r in self._query(
                    "SELECT c.id, d.key, d.language, d.display_name, c.section FROM chunks c"
                    f" JOIN documents d ON d.id = c.doc WHERE c.id IN ({marks})",
                    part,
                ):
                    info[r[0]] = (r[1], r[2], r[3], r[4])
            band = len(expressions) - 1 - i  # the phrase as typed ranks above its words
            for rowid, relevance in ranked:
                if rowid not in info:
                    continue
                key, lang = info[rowid][0], info[rowid][1]
                unit = relevance / (1.0 + relevance)
                score = round(common.TEXT_MAX * (band + unit) / len(expressions), 4)
                if (key, lang) not in best or score > best[(key, lang)][0]:
                    best[(key, lang)] = (score, rowid, expr)
            if len(best) >= limit or len(candidates) >= TEXT_CANDIDATES:
                break  # enough distinct documents, or the phrase alone is already common
        chosen = sorted(best.values(), key=lambda x: -x[0])[:limit]
        # Snippets from the chosen rows' text (FTS5's snippet() re-runs the whole match for
        # every row it is asked about, which costs as much as the search on common words).
        ids = [rowid for _, rowid, _ in chosen]
        snippets: dict[int, str] = {}
        if ids:
            for rowid, body in self._query(
                f"SELECT id, body FROM chunks WHERE id IN ({','.join('?' * len(ids))})", ids
            ):
                snippets[rowid] = common.make_snippet(q, body)
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

    def _rank(
        self, expr: str, q: common.TextQuery, candidates: list[int], n: int
    ) -> list[tuple[int, float]]:
        """The best `n` of the matching rows, as (rowid, relevance ≥ 0), best first.

        FTS5's bm25 first counts every row matching each phrase of the query (its IDF), which
        costs as much as the match itself on common words; so it is used only where it is
        cheap enough to be worth it:

        - as many matches as TEXT_CANDIDATES (an unselective query: "tell your doctor"):
          FTS5's bm25 over those candidates (the most recently stored matching rows);
        - at most RANK_IN_PYTHON matches: a BM25-like score computed here from the rows'
          text (term frequency, length, the words in the section title);
        - in between: FTS5's bm25.
        """
        if len(candidates) >= TEXT_CANDIDATES:
            # BM25 over the candidate window only: the rowid bound lets FTS5 skip the rest of
            # the doclist, so a common word costs the same at any corpus size. Words in a
            # section's title weigh more than in its body; the language column not at all.
            rows = self._query(
                "SELECT rowid, bm25(chunks_fts, 3.0, 1.0, 0.0) AS r FROM chunks_fts"
                " WHERE chunks_fts MATCH ? AND rowid >= ? ORDER BY r LIMIT ?",
                (expr, min(candidates), n),
            )
            return [(r[0], max(0.0, -float(r[1]))) for r in rows]
        if len(candidates) <= RANK_IN_PYTHON:
            rows = (
                self._query(
                    "SELECT id, section, body FROM chunks WHERE id IN"
                    f" ({','.join('?' * len(candidates))})",
                    candidates,
                )
                if candidates
                else []
            )
            score = common.relevance_scorer(q)
            scored = [(rowid, score(section, body)) for rowid, section, body in rows]
            scored.sort(key=lambda x: (-x[1], -x[0]))
            return scored[:n]
        rows = self._query(
            "SELECT rowid, bm25(chunks_fts, 3.0, 1.0, 0.0) AS r FROM chunks_fts"
            " WHERE chunks_fts MATCH ? ORDER BY r LIMIT ?",
            (expr, n),
        )
        return [(r[0], max(0.0, -float(r[1]))) for r in rows]

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
        rows = [(a, b, src, level, json.dumps(ids)) for (a, b, src), (level, ids) in merged.items()]
        with self._tx() as conn:
            # The more severe level wins; source ids accumulate (as a set).
            conn.executemany(
                "INSERT INTO interactions AS i (drug_a, drug_b, source, level, source_ids)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (drug_a, drug_b, source) DO UPDATE SET"
                f" level = CASE WHEN {_rank_sql('excluded.level')} > {_rank_sql('i.level')}"
                " THEN excluded.level ELSE i.level END,"
                " source_ids = (SELECT json_group_array(value) FROM (SELECT value FROM"
                " json_each(i.source_ids) UNION SELECT value FROM json_each(excluded.source_ids)))",
                rows,
            )
            self._bump_generation(conn)
        return len(merged)

    def interactions_among(self, generics: list[str]) -> list[InteractionPair]:
        names = sorted({" ".join(g.casefold().split()) for g in generics if g and g.strip()})
        if len(names) < 2:
            return []
        marks = ",".join("?" * len(names))
        rows = self._query(
            "SELECT drug_a, drug_b, level, source, source_ids FROM interactions"
            f" WHERE drug_a IN ({marks}) AND drug_b IN ({marks}) ORDER BY drug_a, drug_b, source",
            (*names, *names),
        )
        return [
            InteractionPair(
                drug_a=r[0], drug_b=r[1], level=r[2], source=r[3], source_ids=json.loads(r[4])
            )
            for r in rows
        ]

    def add_classes(self, entries: Iterable[ClassEntry]) -> int:
        rows = {
            (e.system, e.code): (e.system, e.code, e.name, common.normalize_name(e.name), e.parent)
            for e in entries
        }
        if not rows:
            return 0
        with self._tx() as conn:
            conn.executemany(
                "INSERT INTO classes (system, code, name, name_norm, parent)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (system, code) DO UPDATE SET"
                " name = excluded.name, name_norm = excluded.name_norm,"
                " parent = excluded.parent",
                list(rows.values()),
            )
            self._bump_generation(conn)
        return len(rows)

    def members_of(self, code_prefix: str, system: str = "atc") -> list[ClassEntry]:
        rows = self._query(
            "SELECT system, code, name, parent FROM classes"
            " WHERE system = ? AND code >= ? AND code < ? ORDER BY code",
            (system, code_prefix, code_prefix + "\U0010ffff"),
        )
        return [class_from_row(r) for r in rows]

    # feedback (anonymous; private records: druginfo.store.private) -------------------------
    def add_feedback(self, feedback: Feedback) -> Feedback:
        feedback = Feedback.model_validate(feedback.model_dump())
        created = feedback.created or common.utcnow()
        helpful = None if feedback.helpful is None else int(feedback.helpful)
        with self._tx() as conn:
            cur = conn.execute(
                "INSERT INTO feedback (page, helpful, text, created) VALUES (?, ?, ?, ?)",
                (feedback.page, helpful, feedback.text, created.isoformat()),
            )
        return feedback.model_copy(update={"id": int(cur.lastrowid or 0), "created": created})

    def feedback(self) -> list[Feedback]:
        rows = self._query("SELECT id, page, helpful, text, created FROM feedback ORDER BY id")
        return [
            Feedback(
                id=r[0],
                page=r[1],
                helpful=None if r[2] is None else bool(r[2]),
                text=r[3],
                created=dt.datetime.fromisoformat(r[4]),
            )
            for r in rows
        ]


class _Prepared:
    """Everything derived from one monograph, computed outside the write lock."""

    __slots__ = (
        "brands",
        "checksum",
        "chunks",
        "curated",
        "display",
        "doc_id",
        "document_date",
        "json",
        "key",
        "kind",
        "language",
        "names",
    )

    def __init__(self, mono: Monograph, doc_id: str, checksum: str, text: str) -> None:
        if not doc_id or not checksum:
            raise ValueError("doc_id and checksum are required")
        self.doc_id = doc_id
        self.checksum = checksum
        self.key = mono.key
        self.language = mono.language
        self.kind = common.document_kind(mono)
        self.curated = mono.curated
        self.display = common.display_name(mono)
        self.brands = list(mono.identity.brands)
        self.document_date = mono.document_date.isoformat() if mono.document_date else None
        self.json = encode_monograph(text)
        self.names = [
            (n, common.normalize_name(n), kind) for n, kind in common.monograph_names(mono)
        ]
        self.chunks = common.text_chunks(mono)


def _prepare(mono: Monograph, doc_id: str, checksum: str, text: str | None = None) -> _Prepared:
    # Re-validate from the serialised form, so what is stored is exactly what loads back:
    # parsers build parts with model_copy(update=...), which pydantic does not validate, and
    # a monograph that cannot be read back must be refused here, not found broken later.
    # `text` given: `mono` was validated from exactly that text already (validate once).
    if text is None:
        text = mono.model_dump_json()
        mono = Monograph.model_validate_json(text)
    return _Prepared(mono, doc_id, checksum, text)


def encode_monograph(text: str) -> bytes:
    """Monograph JSON, zlib-compressed at level 1 (leaflets shrink about 4x; level 3 took
    twice the CPU for a few per cent)."""
    return zlib.compress(text.encode("utf-8"), 1)


def decode_monograph(value: bytes | str) -> Monograph:
    if isinstance(value, bytes):
        value = zlib.decompress(value).decode("utf-8")
    return Monograph.model_validate_json(value)


def _statements(script: str) -> Iterator[str]:
    """Split a SQL script into complete statements (trigger bodies included), so a migration
    runs inside our transaction rather than through executescript's implicit COMMIT."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        stripped = line.strip()
        if not buffer and (not stripped or stripped.startswith("--")):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer.strip()
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement in migration: {buffer.strip()[:80]}")


def _rank_sql(col: str) -> str:
    return f"(CASE {col} WHEN 'major' THEN 3 WHEN 'moderate' THEN 2 WHEN 'minor' THEN 1 ELSE 0 END)"


def _union(a: list[str], b: list[str]) -> list[str]:
    out = list(a)
    for x in b:
        if x not in out:
            out.append(x)
    return out
