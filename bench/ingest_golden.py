"""Differential harness for ingestion: what a store holds after ingesting leaflets, saved or
compared row by row.

Speed work on the ingest path (parsing, preparing rows, the writer, the pool) must not change
one stored byte. Run this on the code before a change (`--write`), then after it
(`--compare`): every document's row (key, language, kind, display name, brands, date,
checksum, the compressed monograph exactly as stored and its JSON), its name rows and its
text rows are compared as a digest per document, in store order (row ids included, so the
order of writing counts too). Only `updated_at` (the clock) is left out.

    .venv/bin/python bench/ingest_golden.py --write /tmp/ingest-golden.jsonl [--workers N]
    .venv/bin/python bench/ingest_golden.py --compare /tmp/ingest-golden.jsonl

Inputs: the bundled leaflets archive (default) or `--data FOLDER`; both the pooled path
(default workers) and, with `--workers 0`, parsing in this process.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Any


def dump_rows(db: Path) -> dict[str, dict[str, Any]]:
    """doc_id → {digest, row count per table} of everything stored for it."""
    conn = sqlite3.connect(db)
    try:
        docs = conn.execute(
            "SELECT id, doc_id, key, language, kind, curated, display_name, brands,"
            " document_date, checksum, monograph FROM documents ORDER BY id"
        ).fetchall()
        names: dict[int, list[tuple[Any, ...]]] = {}
        for r in conn.execute(
            "SELECT doc, id, name, norm, key, language, kind FROM names ORDER BY id"
        ):
            names.setdefault(r[0], []).append(r[1:])
        chunks: dict[int, list[tuple[Any, ...]]] = {}
        for r in conn.execute("SELECT doc, id, lang, section, body FROM chunks ORDER BY id"):
            chunks.setdefault(r[0], []).append(r[1:])
        indexed = conn.execute("SELECT count(*) FROM chunks_fts").fetchone()[0]
        queued = conn.execute("SELECT count(*) FROM chunks_unindexed").fetchone()[0]
    finally:
        conn.close()
    out: dict[str, dict[str, Any]] = {}
    for row in docs:
        doc = row[0]
        blob: bytes = row[10]
        h = hashlib.sha256()
        h.update(json.dumps(list(row[:10]), ensure_ascii=False).encode())
        h.update(blob)  # the stored bytes themselves (same compression, same JSON)
        h.update(zlib.decompress(blob))
        h.update(json.dumps(names.get(doc, []), ensure_ascii=False).encode())
        h.update(json.dumps(chunks.get(doc, []), ensure_ascii=False).encode())
        out[row[1]] = {
            "digest": h.hexdigest(),
            "names": len(names.get(doc, [])),
            "chunks": len(chunks.get(doc, [])),
        }
    out["#index"] = {"indexed": indexed, "queued": queued}
    return out


def ingest_into(db: Path, inputs: list[Path], workers: int | None) -> dict[str, Any]:
    from druginfo.ingest import ingest
    from druginfo.store import open_store

    store = open_store(f"sqlite:///{db}", bootstrap=False)
    try:
        report = ingest(inputs, store, progress=False, workers=workers)
    finally:
        store.close()
    return {"documents": report.documents, "broken": len(report.broken)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", type=Path)
    mode.add_argument("--compare", type=Path)
    parser.add_argument("--data", type=Path, default=None, help="a folder of leaflets")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    if args.data is not None:
        inputs = [args.data]
    else:
        from druginfo.sources.epi import bundled_epi_path

        inputs = [Path(bundled_epi_path())]
    with tempfile.TemporaryDirectory(prefix="druginfo-ingest-golden-") as tmp:
        db = Path(tmp) / "golden.db"
        summary = ingest_into(db, inputs, args.workers)
        rows = dump_rows(db)
    print(f"ingested {summary['documents']} documents ({summary['broken']} broken)")
    if args.write:
        with args.write.open("w") as f:
            for doc_id, value in rows.items():
                f.write(json.dumps({"doc_id": doc_id, **value}) + "\n")
        print(f"wrote {len(rows) - 1} documents' digests to {args.write}")
        return 0
    saved: dict[str, dict[str, Any]] = {}
    with args.compare.open() as f:
        for line in f:
            item = json.loads(line)
            saved[item.pop("doc_id")] = item
    differ = [k for k in saved.keys() | rows.keys() if saved.get(k) != rows.get(k)]
    order_same = list(saved) == list(rows)
    for k in sorted(differ)[:20]:
        print(f"DIFFERS {k}: saved {saved.get(k)} now {rows.get(k)}")
    print(
        f"{len(rows) - 1} documents compared: {len(differ)} differences;"
        f" store order {'the same' if order_same else 'DIFFERENT'}"
    )
    return 0 if not differ and order_same else 1


if __name__ == "__main__":
    sys.exit(main())
