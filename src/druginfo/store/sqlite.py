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
from druginfo.store import common, ranking
from druginfo.store.base import UpsertOutcome
from druginfo.store.common import NameRow
from druginfo.store.sql import SqlReads, class_from_row

TEXT_CANDIDATES = 500  # matching rows ranked per query (see store.ranking)
RERANK = 200  # of which the best are scored again from their text
IDF_PROBE = 2000  # matches counted per word group for its weight

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
            self._index_leftovers()

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
        """Several documents in ONE transaction (all or none), searchable when it commits.

        An item may carry a 4th element, the monograph's JSON text, when the monograph was
        just made from exactly that text: it is then stored as is."""
        return self.write_prepared([_prepare(*item) for item in items])

    def write_prepared(
        self, rows: Sequence[common.PreparedDocument], *, index: bool = True
    ) -> list[UpsertOutcome]:
        """Write prepared documents in ONE transaction (all or none).

        `index=False` (bulk ingestion) leaves their text rows out of the full-text index:
        they are queued in `chunks_unindexed`, in the same transaction, and `index_pending`
        adds them in bulk later (FTS5 builds its index several times faster from large
        batches). A process killed in between leaves a consistent store whose queue the
        next write, ingest or open completes. With `index=True` the queue (this batch and
        anything left over) is indexed before the commit."""
        if not rows:
            return []
        outcomes: list[UpsertOutcome] = []
        with self._tx() as conn:
            now = common.utcnow().isoformat()
            for row in rows:
                outcomes.append(self._upsert_one(conn, row, now))
            if any(o.status != "unchanged" for o in outcomes):
                self._bump_generation(conn)
            if index:
                self._index_queue(conn)
        return outcomes

    def index_pending(self) -> int:
        """Add every queued text row to the full-text index, in one transaction; the number
        of rows indexed."""
        with self._tx() as conn:
            return self._index_queue(conn)

    def pending_index_rows(self) -> int:
        return int(self._query("SELECT count(*) FROM chunks_unindexed")[0][0])

    def _index_queue(self, conn: sqlite3.Connection) -> int:
        if conn.execute("SELECT 1 FROM chunks_unindexed LIMIT 1").fetchone() is None:
            return 0
        cur = conn.execute(
            "INSERT INTO chunks_fts (rowid, section, body, lang)"
            " SELECT c.id, c.section, c.body, c.lang FROM chunks_unindexed u"
            " JOIN chunks c ON c.id = u.id ORDER BY u.id"
        )
        conn.execute("DELETE FROM chunks_unindexed")
        return int(cur.rowcount)

    def _index_leftovers(self) -> None:
        """A bulk ingest killed between two index steps leaves queued rows: index them now
        unless another process holds the write lock (its own ingest will)."""
        if self.path == ":memory:":
            return
        try:
            if not self._query("SELECT 1 FROM chunks_unindexed LIMIT 1"):
                return
            with self._lock:
                self._conn.execute("PRAGMA busy_timeout=0")
                try:
                    self.index_pending()
                finally:
                    self._conn.execute("PRAGMA busy_timeout=10000")
        except sqlite3.OperationalError:
            pass  # busy (a writer is at work) or read-only: the next ingest indexes them

    def _upsert_one(
        self, conn: sqlite3.Connection, row: common.PreparedDocument, now: str
    ) -> UpsertOutcome:
        old = conn.execute(
            "SELECT id, checksum, document_date FROM documents WHERE doc_id = ?", (row.doc_id,)
        ).fetchone()
        if old is not None and old[1] == row.checksum:
            return UpsertOutcome("unchanged", row.key)
        blob = row.blob if row.blob is not None else common.compress_monograph(row.json or "")
        values = (
            row.key,
            row.language,
            row.kind,
            int(row.curated),
            row.display,
            json.dumps(row.brands),
            row.document_date.isoformat() if row.document_date else None,
            row.checksum,
            blob,
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
        return UpsertOutcome(status, row.key)  # type: ignore[arg-type]

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
            "SELECT DISTINCT n.key, n.language, n.name, d.display_name, d.curated, n.norm"
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
        """Text matches ranked by BM25 over at most TEXT_CANDIDATES matching rows, in two
        passes (see `store.ranking`): FTS5 only finds them, newest first, which costs the
        same at any corpus size; only the best RERANK rows' text is read."""
        q = common.parse_text_query(query)
        if q.is_empty():
            return []
        expr = common.fts5_match(q)
        if language:
            expr = f"({expr}) AND lang : {common.fts5_phrase([language])}"
        # The candidates with their section titles and lengths in one statement (a list of
        # 500 ids bound into a second one cost more than the join). Each row's length in
        # tokens is FTS5's own count (its docsize table: one varint per column), so ranking
        # needs no row's text until the second pass.
        candidates = [
            ranking.Candidate(r[0], r[1], ranking.varint_sum(r[2]))
            for r in self._query(
                "SELECT c.id, c.section, s.sz FROM (SELECT rowid AS id FROM chunks_fts"
                " WHERE chunks_fts MATCH ? ORDER BY rowid DESC LIMIT ?) f"
                " JOIN chunks c ON c.id = f.id JOIN chunks_fts_docsize s ON s.id = f.id"
                " ORDER BY f.id DESC",
                (expr, TEXT_CANDIDATES),
            )
        ]
        if not candidates:
            return []
        ids = [c.rowid for c in candidates]
        rows, average = self._fts_totals()
        weights = self._idf(q, ids[-1] if len(ids) >= TEXT_CANDIDATES else 0, rows)
        bm25 = ranking.Bm25(q, weights, average)
        together: set[int] = set()
        if bm25.phrased:
            # The words as typed, side by side, among the candidates (bounded by their rowid
            # range: the phrase is never searched for through the whole index; ascending,
            # because FTS5 walks a phrase backwards by first reading its doclists whole).
            phrase = common.fts5_match(q, as_one_phrase=True)
            if language:
                phrase = f"({phrase}) AND lang : {common.fts5_phrase([language])}"
            together = {
                r[0]
                for r in self._query(
                    "SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ?"
                    " AND rowid BETWEEN ? AND ? LIMIT ?",  # ascending: FTS5 seeks to the bound
                    (phrase, ids[-1], ids[0], TEXT_CANDIDATES),
                )
            }
        best = bm25.first_pass(candidates, together)[: max(RERANK, 2 * limit)]
        text: dict[int, bytes] = {}
        documents: dict[int, tuple[str, str, str]] = {}  # row → (key, language, display name)
        for rowid, body, key, lang, display in self._query(
            "SELECT c.id, CAST(c.body AS BLOB), d.key, d.language, d.display_name FROM chunks c"
            f" JOIN documents d ON d.id = c.doc WHERE c.id IN ({','.join('?' * len(best))})",
            [c.rowid for c in best],
        ):
            text[rowid] = body
            documents[rowid] = (key, lang, display)
        ranked = bm25.second_pass([(c, text[c.rowid]) for c in best if c.rowid in text])
        snippet = common.snippet_maker(q)
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

    def _fts_totals(self) -> tuple[int, float | None]:
        """(rows, average tokens per row) of the whole text index, from FTS5's own totals
        record (row 1 of its data table: the row count, then the tokens of each column)."""
        found = self._query("SELECT block FROM chunks_fts_data WHERE id = 1")
        numbers = ranking.varints(found[0][0]) if found and found[0][0] else []
        if len(numbers) < 2 or numbers[0] <= 0:
            return 0, None
        return numbers[0], sum(numbers[1:]) / numbers[0]

    def _idf(self, q: common.TextQuery, lowest: int, rows: int) -> list[float]:
        """Each word group's inverse document frequency among the rows from `lowest` up (the
        rows the candidates were drawn from: the whole store when the query is selective).

        A group found in more than IDF_PROBE of those rows is not counted to the end: its
        frequency is the density of its newest IDF_PROBE matches, which bounds the cost of a
        common word while its weight, small anyway, stays right to within sampling error.
        One group alone needs no weight (it scales every row alike).
        """
        if len(q.groups) < 2:
            return [1.0]
        top = self._query("SELECT max(id) FROM chunks")[0][0] or 0
        weights = []
        for group in q.groups:
            n, low = self._query(
                "SELECT count(*), min(rowid) FROM (SELECT rowid FROM chunks_fts"
                " WHERE chunks_fts MATCH ? AND rowid >= ? ORDER BY rowid DESC LIMIT ?)",
                (common.fts5_phrase(group), lowest, IDF_PROBE),
            )[0]
            if n < IDF_PROBE and lowest == 0 and rows:
                weights.append(ranking.idf(rows, n))  # exact: every match counted
            else:
                span = top - (low if n >= IDF_PROBE else lowest) + 1
                weights.append(ranking.idf(max(span, n), n))
        return weights

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


def _prepare(
    mono: Monograph, doc_id: str, checksum: str, text: str | None = None
) -> common.PreparedDocument:
    # `text` given: `mono` was made from exactly that text; else its JSON is made here. Either
    # way the monograph is validated once, from the text that is stored.
    return common.prepare_document(
        mono.model_dump_json() if text is None else text, doc_id, checksum, compress=True
    )


def decode_monograph(value: bytes | str) -> Monograph:
    from druginfo.model.trusted import monograph_from_json  # validated when it was written

    if isinstance(value, bytes):
        value = zlib.decompress(value).decode("utf-8")
    return monograph_from_json(value)


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
