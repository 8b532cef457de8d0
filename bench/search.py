"""Search latency over the real EU leaflets at 1× and N× (default 20× and 50×), on SQLite and
(with --postgres) PostgreSQL: p50/p99 of 200 queries (80 names, 60 misspelt names, 60 two- or
three-word phrases drawn from leaflet text) through `store.search`, per query kind, in wall
time and in CPU time of the searching thread (the machine is shared: CPU time moves less with
the load), beside baselines measured in the same run on the same store.

Baselines (raw engine queries: no names, no snippets, no folding of duplicates):
- "same-ranking": the store's candidate rows (at most TEXT_CANDIDATES matches, the newest
  first) ranked by the engine's own relevance function, FTS5 `bm25(chunks_fts, 3, 1, 0)`
  (same column weights, exact IDF) or PostgreSQL `ts_rank`, best 80 rows. This is the ranking
  work the store does, done by the engine; the store instead scores the same candidates
  with BM25 in two passes (store/ranking.py). Printed beside: how many of the baseline's
  best 10 documents the store also returns in its best 10 text hits (phrase queries).
  On PostgreSQL the baseline finds its candidates with the store's own `_candidates` (id
  windows) and tsquery (common words as their listed forms), so the finding costs the same
  and the ratio compares the ranking; every baseline statement is planned for its values
  (no prepared generic plan), as the store's are.
- "rank-all": the engine's relevance over every match (FTS5 `ORDER BY rank LIMIT 80`,
  PostgreSQL `ORDER BY ts_rank ... LIMIT 80`): what exact ranking of the whole match set
  costs.

How the corpus is built (say so wherever figures are quoted):
- 1×: every EU ePI leaflet bundle in ../shared/data/ema-epi (2,357 documents) through the
  real pipeline (`druginfo.ingest.ingest` into a new SQLite store).
- N×: a file copy of the 1× (or a smaller N×) SQLite store, then N-1 copies of every real
  document made inside the database with SQL: each document row again under the doc_id
  "<doc_id>#rNN" (own row id, same monograph), its names and text rows again pointing at the
  copy, inserted in the original order, one transaction per copy. The store's own triggers
  index the names (trigram index) and queue the text rows, which the store's index step
  (`index_pending`) then adds to the FTS5 index, exactly as for rows an ingest writes. Every copy is a distinct document with real text; its words and lengths are the
  real corpus's, repeated. (Parsing 118k leaflet files through `ingest` would take hours on
  the 2-core VM; the rows it would write are the same.)
- PostgreSQL: a new database on a throw-away server (tests/support/postgres.py: fsync off,
  shared_buffers 64 MB); the 1× documents are read from the 1× SQLite store and written
  through `PostgresStore.upsert_many` (the real write path: names, text rows, tsvector);
  the N× copies are made as above in SQL (tsvector copied), with the GIN indexes dropped
  during the copy and built again after it, then ANALYZE.

    .venv/bin/python bench/search.py [--scales 20,50] [--quick] [--cache DIR] [--postgres]

--quick: 1× only. --cache DIR keeps the SQLite stores (search-1x.db, search-20x.db, ...) for
reruns; PostgreSQL databases are always rebuilt. Targets: p99 ≤ 20 ms at 20×; p99 within 3×
of the same-ranking baseline.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from druginfo.store import common
from druginfo.store import postgres as pg_module
from druginfo.store import sqlite as sqlite_module
from druginfo.store.sqlite import SqliteStore
from ingest import DEFAULT_DATA, percentiles

N_NAMES, N_MISSPELT, N_PHRASES = 80, 60, 60
KINDS = ("name", "misspelt", "phrase", "all")
TARGET_MS = 20.0


REPLICA = "#r"  # doc_id suffix of a replica: "ema-epi:kineret.en#r07"


def build_1x(data: Path, db: Path) -> SqliteStore:
    """The real corpus through the real pipeline (ingest of every EU ePI leaflet)."""
    from druginfo.ingest import ingest

    if db.exists():
        store = SqliteStore(db)
        print(f"[1x] reusing {db} ({store.count_documents():,} documents)")
        return store
    store = SqliteStore(db)
    t = time.perf_counter()
    report = ingest([data / "ema-epi"], store, progress=sys.stderr.isatty())
    print(f"[1x] ingested {report.documents:,} documents in {time.perf_counter() - t:.0f} s")
    return store


def replicas(conn: Any) -> int:
    """How many copies of the real documents the store holds (1 = the real corpus only)."""
    n = conn.execute(f"SELECT count(*) FROM documents WHERE doc_id LIKE '%{REPLICA}%'").fetchone()
    real = conn.execute(f"SELECT count(*) FROM documents WHERE doc_id NOT LIKE '%{REPLICA}%'")
    return 1 + int(n[0]) // max(1, int(real.fetchone()[0]))


_REPLICATE = (
    # documents: the real rows under a new doc_id (own id, same text, same monograph)
    "INSERT INTO documents (doc_id, key, language, kind, curated, display_name, brands,"
    " document_date, checksum, monograph, updated_at)"
    " SELECT doc_id || {sfx}, key, language, kind, curated, display_name, brands,"
    " document_date, checksum, monograph, updated_at FROM documents"
    " WHERE doc_id NOT LIKE '%{rep}%' ORDER BY id",
    # names and text rows of each real document, pointed at its copy (the store's triggers
    # or the INSERT itself index them exactly as a write through the store would)
    "INSERT INTO names (doc, name, norm, key, language, kind)"
    " SELECT d2.id, n.name, n.norm, n.key, n.language, n.kind FROM names n"
    " JOIN documents d1 ON d1.id = n.doc JOIN documents d2 ON d2.doc_id = d1.doc_id || {sfx}"
    " WHERE d1.doc_id NOT LIKE '%{rep}%' ORDER BY n.id",
    "INSERT INTO chunks (doc, lang, section, body{tsv})"
    " SELECT d2.id, c.lang, c.section, c.body{ctsv} FROM chunks c"
    " JOIN documents d1 ON d1.id = c.doc JOIN documents d2 ON d2.doc_id = d1.doc_id || {sfx}"
    " WHERE d1.doc_id NOT LIKE '%{rep}%' ORDER BY c.id",
)


def replicate(conn: Any, upto: int, *, postgres: bool = False, label: str = "") -> float:
    """Add copies of the real documents until the store holds `upto` of them; one
    transaction per copy. Returns the seconds spent."""
    t = time.perf_counter()
    have = replicas(conn)
    for i in range(have, upto):
        sfx = f"'{REPLICA}{i:02d}'"
        statements = [
            s.format(
                sfx=sfx,
                rep=REPLICA,
                tsv=", tsv" if postgres else "",
                ctsv=", c.tsv" if postgres else "",
            )
            for s in _REPLICATE
        ]
        if postgres:
            with conn.transaction():
                for s in statements:
                    conn.execute(s)
        else:
            conn.execute("BEGIN")
            for s in statements:
                conn.execute(s)
            conn.execute("COMMIT")
        print(f"[{label}] copy {i + 1}/{upto} stored ({time.perf_counter() - t:.0f} s)", flush=True)
    return time.perf_counter() - t


def sqlite_scaled(one: Path, db: Path, scale: int) -> SqliteStore:
    """The N× SQLite store: a file copy of the 1× store plus N-1 replicas made in SQL."""
    if not db.exists():
        smaller = sorted(
            (p for p in db.parent.glob("search-*x.db") if p != db),
            key=lambda p: int(p.stem.split("-")[1][:-1]),
        )
        src = one
        for p in smaller:
            if int(p.stem.split("-")[1][:-1]) < scale:
                src = p
        shutil.copyfile(src, db)
    store = SqliteStore(db)
    label = f"{scale}x"
    seconds = replicate(store._conn, scale, label=label)
    # The copies' text rows are queued for the full-text index (as an ingest's are) until
    # the store's index step runs: without it the copies would not be searchable.
    t = time.perf_counter()
    indexed = store.index_pending()
    if indexed:
        seconds += time.perf_counter() - t
        print(f"[{label}] {indexed:,} text rows indexed in {time.perf_counter() - t:.0f} s")
    if seconds > 1:
        store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        print(f"[{label}] replicated to {scale} copies in {seconds:.0f} s")
    return store


def misspell(name: str, rng: random.Random) -> str:
    """One typo a person makes: a wrong, missing, doubled or swapped letter."""
    chars = list(name)
    i = rng.randrange(1, len(chars) - 1)
    kind = rng.choice(["replace", "delete", "double", "swap"])
    if kind == "replace":
        chars[i] = rng.choice("aeiouy" if chars[i] in "aeiouy" else "bcdfgklmnprstv")
    elif kind == "delete":
        del chars[i]
    elif kind == "double":
        chars.insert(i, chars[i])
    else:
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


def make_queries(store: SqliteStore, seed: int = 11) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    names = sorted({n for n, _ in store.names() if len(n) >= 5 and n.isalpha()})
    picked = rng.sample(names, N_NAMES + N_MISSPELT)
    queries = [("name", n) for n in picked[:N_NAMES]]
    queries += [("misspelt", misspell(n, rng)) for n in picked[N_NAMES:]]
    bodies = [
        r[0]
        for r in store._conn.execute(
            "SELECT body FROM chunks WHERE length(body) > 200 ORDER BY id LIMIT 5000"
        )
    ]
    while len(queries) < N_NAMES + N_MISSPELT + N_PHRASES:
        words = [w for w in rng.choice(bodies).split() if w.isalpha() and len(w) > 2]
        if len(words) < 4:
            continue
        k = rng.choice([2, 3])
        i = rng.randrange(0, len(words) - k)
        queries.append(("phrase", " ".join(words[i : i + k])))
    return queries


# baselines ---------------------------------------------------------------------------------
def sqlite_same(store: Any, query: str) -> list[tuple[str, str]]:
    """The store's candidates ranked by FTS5's bm25 (see the module docstring)."""
    q = common.parse_text_query(query)
    if q.is_empty():
        return []
    expr = common.fts5_match(q)
    conn = store._conn
    ids = conn.execute(
        "SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY rowid DESC LIMIT ?",
        (expr, sqlite_module.TEXT_CANDIDATES),
    ).fetchall()
    if not ids:
        return []
    rows = conn.execute(
        "SELECT f.rowid, d.key, d.language FROM (SELECT rowid, bm25(chunks_fts, 3.0, 1.0, 0.0)"
        " AS r FROM chunks_fts WHERE chunks_fts MATCH ? AND rowid >= ? ORDER BY r LIMIT 80) f"
        " JOIN chunks c ON c.id = f.rowid JOIN documents d ON d.id = c.doc ORDER BY f.r",
        (expr, ids[-1][0]),
    ).fetchall()
    return _documents(rows)


def sqlite_rank_all(store: Any, query: str) -> list[tuple[str, str]]:
    q = common.parse_text_query(query)
    if q.is_empty():
        return []
    rows = store._conn.execute(
        "SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY rank LIMIT 80",
        (common.fts5_match(q),),
    ).fetchall()
    return [(str(r[0]), "") for r in rows]


def pg_same(store: Any, query: str) -> list[tuple[str, str]]:
    """The store's candidates (found as the store finds them: `PostgresStore._candidates`,
    id windows, common words as their listed forms) ranked by ts_rank in the engine."""
    q = common.parse_text_query(common.strip_diacritics(query).casefold())
    if q.is_empty():
        return []
    tsq = pg_module._tsquery(q.groups, store._lexeme_stats()[1].keys())
    ids = store._candidates(tsq, None)
    if not ids:
        return []
    rows = store._search_query(
        "SELECT c.id, d.key, d.language FROM chunks c JOIN documents d ON d.id = c.doc"
        " WHERE c.id = ANY(%(ids)s)"
        " ORDER BY ts_rank(c.tsv, to_tsquery('simple', %(q)s), 1) DESC, c.id DESC LIMIT 80",
        {"ids": ids, "q": tsq},
    )
    return _documents(rows)


def pg_rank_all(store: Any, query: str) -> list[tuple[str, str]]:
    q = common.parse_text_query(common.strip_diacritics(query).casefold())
    if q.is_empty():
        return []
    rows = store._search_query(
        "SELECT id FROM chunks WHERE tsv @@ to_tsquery('simple', %(q)s)"
        " ORDER BY ts_rank(tsv, to_tsquery('simple', %(q)s), 1) DESC LIMIT 80",
        {"q": pg_module._tsquery(q.groups, store._lexeme_stats()[1].keys())},
    )
    return [(str(r[0]), "") for r in rows]


def _documents(rows: list[Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for _, key, lang in rows:
        if (key, lang) not in out:
            out.append((key, lang))
    return out[:20]


# measuring ---------------------------------------------------------------------------------
def _timed(fn: Callable[[Any, str], Any], store: Any, q: str) -> tuple[float, float, Any]:
    w, c = time.perf_counter(), time.thread_time()
    result = fn(store, q)
    return (time.perf_counter() - w) * 1000, (time.thread_time() - c) * 1000, result


def run(
    store: Any,
    label: str,
    queries: list[tuple[str, str]],
    same: Callable[[Any, str], list[tuple[str, str]]],
    rank_all: Callable[[Any, str], list[tuple[str, str]]],
) -> dict[str, float]:
    for _, q in queries:  # one untimed pass of each: the same warm caches for all
        store.search(q)
        same(store, q)
        rank_all(store, q)
    wall: dict[str, dict[str, list[float]]] = {
        w: {k: [] for k in KINDS} for w in ("ours", "same", "all")
    }
    cpu: dict[str, dict[str, list[float]]] = {
        w: {k: [] for k in KINDS} for w in ("ours", "same", "all")
    }
    first_ok = 0
    agree: list[float] = []
    slowest: list[tuple[float, float, str, str]] = []
    gc.disable()  # a collection inside one timed query is noise, not search cost
    try:
        for i, (kind, q) in enumerate(queries):
            order = ["ours", "same", "all"]
            if i % 2:
                order.reverse()  # alternate, so neither always finds the other's pages
            results: dict[str, Any] = {}
            for which in order:
                fn: Callable[[Any, str], Any] = {
                    "ours": lambda s, text: s.search(text, limit=20),
                    "same": same,
                    "all": rank_all,
                }[which]
                w, c, results[which] = _timed(fn, store, q)
                for k in (kind, "all"):
                    wall[which][k].append(w)
                    cpu[which][k].append(c)
                if which == "ours":
                    slowest.append((w, c, kind, q))
            hits = results["ours"]
            if kind != "phrase" and hits and hits[0].match == "name":
                first_ok += 1
            if kind == "phrase" and results["same"]:
                base = results["same"][:10]
                mine = [(h.key, h.language) for h in hits if h.match == "text"][:10]
                agree.append(len(set(base) & set(mine)) / len(base))
            if i % 20 == 19:
                gc.collect()
    finally:
        gc.enable()
    print(f"[{label}] {store.count_documents():,} documents, {len(queries)} queries")
    for kind in KINDS:
        o50, o99 = percentiles(wall["ours"][kind])
        c50, c99 = percentiles(cpu["ours"][kind])
        s50, s99 = percentiles(wall["same"][kind])
        sc50, sc99 = percentiles(cpu["same"][kind])
        a50, a99 = percentiles(wall["all"][kind])
        print(
            f"[{label}] {kind:8s} search p50 {o50:6.2f} p99 {o99:6.2f} ms (cpu {c50:5.2f}/{c99:6.2f})"
            f" | same-ranking p50 {s50:6.2f} p99 {s99:6.2f} (cpu {sc50:5.2f}/{sc99:6.2f})"
            f" | rank-all p50 {a50:6.2f} p99 {a99:7.2f} | p99 ratio {o99 / s99:4.2f}x"
        )
    print(
        f"[{label}] name/misspelling queries answered by a name hit first:"
        f" {first_ok}/{N_NAMES + N_MISSPELT}"
    )
    if agree:
        print(
            f"[{label}] phrase queries: {100 * sum(agree) / len(agree):.0f} % of the same-ranking"
            " baseline's best 10 documents are in the store's best 10 text hits"
        )
    slowest.sort(reverse=True)
    print(
        f"[{label}] slowest: "
        + "; ".join(f"{q!r} ({kind}) {w:.1f} ms, cpu {c:.1f}" for w, c, kind, q in slowest[:3])
    )
    _, p99 = percentiles(wall["ours"]["all"])
    _, c99 = percentiles(cpu["ours"]["all"])
    _, s99 = percentiles(wall["same"]["all"])
    over = [k for k in KINDS[:3] if percentiles(wall["ours"][k])[1] > TARGET_MS]
    if label.split()[-1] != "1x":
        verdict = "MET" if p99 <= TARGET_MS else "NOT MET"
        print(
            f"[{label}] target p99 <= {TARGET_MS:.0f} ms: {verdict} (wall {p99:.2f} ms, cpu {c99:.2f} ms)"
            + (f"; over it: {', '.join(over)}" if over else "")
        )
    verdict = "MET" if p99 <= 3 * s99 else "NOT MET"
    print(
        f"[{label}] target p99 within 3x of the same-ranking baseline: {verdict} ({p99 / s99:.2f}x)"
    )
    return {"p99": p99, "cpu99": c99}


def sqlite_sizes(store: SqliteStore, label: str) -> None:
    size = os.path.getsize(store.path)
    parts = ""
    try:
        rows = store._conn.execute(
            "SELECT name, sum(pgsize) FROM dbstat WHERE name IN"
            " ('chunks', 'chunks_fts_data', 'chunks_fts_idx', 'chunks_fts_docsize', 'documents',"
            " 'names', 'names_trgm_data') GROUP BY name"
        ).fetchall()
        parts = ", ".join(f"{n} {b / 2**20:,.0f} MB" for n, b in sorted(rows, key=lambda r: -r[1]))
    except Exception as exc:  # dbstat is optional in SQLite builds
        parts = f"(per-table sizes unavailable: {exc})"
    print(f"[{label}] on disk: {size / 2**20:,.0f} MB; {parts}")


def pg_sizes(store: Any, label: str) -> None:
    row = store._query(
        "SELECT pg_database_size(current_database()), pg_total_relation_size('chunks'),"
        " pg_relation_size('chunks_tsv'), pg_relation_size('chunks'),"
        " pg_total_relation_size('documents'), pg_relation_size('names_trgm')"
    )[0]
    mb = [v / 2**20 for v in row]
    print(
        f"[{label}] on disk: database {mb[0]:,.0f} MB; chunks {mb[1]:,.0f} MB (heap {mb[3]:,.0f} MB,"
        f" GIN tsvector index {mb[2]:,.0f} MB); documents {mb[4]:,.0f} MB; names trigram index"
        f" {mb[5]:,.0f} MB"
    )


# PostgreSQL --------------------------------------------------------------------------------
_PG_INDEXES = {
    "chunks_tsv": "CREATE INDEX chunks_tsv ON chunks USING gin (tsv, bucket)",  # migration 0006
    "names_trgm": "CREATE INDEX names_trgm ON names USING gin (norm gin_trgm_ops)",
}


def pg_fill(pg: Any, one: SqliteStore) -> None:
    t = time.perf_counter()
    batch: list[tuple[Any, str, str]] = []
    n = 0
    for doc_id, checksum, blob in one._conn.execute(
        f"SELECT doc_id, checksum, monograph FROM documents WHERE doc_id NOT LIKE '%{REPLICA}%'"
        " ORDER BY id"
    ):
        batch.append((sqlite_module.decode_monograph(blob), doc_id, checksum))
        if len(batch) >= 32:
            n += len(pg.upsert_many(batch))
            batch = []
    if batch:
        n += len(pg.upsert_many(batch))
    pg._conn.execute("ANALYZE")
    print(
        f"[postgresql 1x] {n:,} documents written through the store in {time.perf_counter() - t:.0f} s"
    )


def pg_scale(pg: Any, scale: int) -> None:
    import psycopg

    t = time.perf_counter()
    with psycopg.connect(pg.url, autocommit=True) as conn:
        for name in _PG_INDEXES:
            conn.execute(f"DROP INDEX IF EXISTS {name}")
        replicate(conn, scale, postgres=True, label=f"postgresql {scale}x")
        for sql in _PG_INDEXES.values():
            conn.execute(sql)
        conn.execute("ANALYZE")
    print(f"[postgresql {scale}x] copies, indexes and ANALYZE in {time.perf_counter() - t:.0f} s")


def main() -> None:
    # A terminated run still stops its PostgreSQL server and removes its temporary files.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default="20,50", help="comma-separated N× sizes")
    parser.add_argument("--scale", type=int, default=None, help="one N× size (old flag)")
    parser.add_argument("--quick", action="store_true", help="1× only")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cache", type=Path, default=None, help="keep built SQLite stores here")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL too")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()
    scales = (
        []
        if args.quick
        else ([args.scale] if args.scale else [int(x) for x in args.scales.split(",")])
    )
    print(
        f"store TEXT_CANDIDATES {sqlite_module.TEXT_CANDIDATES}, RERANK {sqlite_module.RERANK};"
        f" load average {os.getloadavg()[0]:.1f}; CPUs {os.cpu_count()}"
    )
    with tempfile.TemporaryDirectory(prefix="druginfo-bench-search-") as tmpdir:
        where = args.cache or Path(tmpdir)
        where.mkdir(parents=True, exist_ok=True)
        one_path = where / "search-1x.db"
        one = build_1x(args.data, one_path)
        queries = make_queries(one)
        if not args.no_sqlite:
            run(one, "sqlite 1x", queries, sqlite_same, sqlite_rank_all)
            sqlite_sizes(one, "sqlite 1x")
            for scale in scales:
                store = sqlite_scaled(one_path, where / f"search-{scale}x.db", scale)
                run(store, f"sqlite {scale}x", queries, sqlite_same, sqlite_rank_all)
                sqlite_sizes(store, f"sqlite {scale}x")
                store.close()
        if args.postgres:
            from support.postgres import running_postgres

            with running_postgres() as server:
                pg = pg_module.PostgresStore(server.create_database())
                pg_fill(pg, one)
                run(pg, "postgresql 1x", queries, pg_same, pg_rank_all)
                pg_sizes(pg, "postgresql 1x")
                for scale in scales:
                    pg_scale(pg, scale)
                    run(pg, f"postgresql {scale}x", queries, pg_same, pg_rank_all)
                    pg_sizes(pg, f"postgresql {scale}x")
                pg.close()
        one.close()


if __name__ == "__main__":
    main()
