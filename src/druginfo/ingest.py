"""The ingestion pipeline: source files → parsed records → the store.

Writes go in small batches, each one transaction, so a process killed at any moment leaves
the store as it was after the last whole batch; a rerun skips documents whose checksum is
already stored and completes the rest without duplicating anything. Text rows reach the
full-text index in bulk steps (every INDEX_DOCUMENTS documents, INDEX_SECONDS, and at the
end); rows written since the last step wait in a queue kept in the same transactions, which
the next ingest (or open) completes after a kill. A record that cannot be
parsed (or stored) is reported and skipped, never half-written.

    python -m druginfo.ingest PATH... [--db URL] [--no-progress]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from druginfo.model import Monograph
from druginfo.sources.base import Broken, ClassBatch, InteractionBatch, ParsedDocument
from druginfo.store.base import Store
from druginfo.store.common import PreparedDocument, prepare_document

BATCH_DOCUMENTS = 32  # documents per transaction
BATCH_SECONDS = 0.5  # ... or fewer, so a slow source still commits often
INDEX_DOCUMENTS = 1024  # documents written between two bulk steps of the full-text index
INDEX_SECONDS = 10.0  # ... or fewer: a running server finds new text within seconds
DRAIN_INDEX_DOCUMENTS = 128  # ... once the pool has all the input: a short last step
POOL_MIN_ITEMS = 64  # fewer inputs are parsed here: starting workers would cost more


@dataclass
class IngestReport:
    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0
    broken: list[Broken] = field(default_factory=list)
    interactions: int = 0
    classes: int = 0
    seconds: float = 0.0
    skipped: int = 0  # not parsed at all: already stored and `resume=True`
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage

    @property
    def documents(self) -> int:
        return self.inserted + self.replaced + self.unchanged + self.skipped

    def nothing_ingested(self) -> bool:
        """No document, pair or class was read from the inputs (all broken, or none found)."""
        return self.documents + self.interactions + self.classes == 0

    def why_nothing(self) -> str:
        """One line saying why nothing could be ingested, for a command's error message."""
        if not self.broken:
            return "nothing to ingest: no file in the inputs is a known format"
        first = self.broken[0]
        more = f" (and {len(self.broken) - 1} more)" if len(self.broken) > 1 else ""
        return (
            f"nothing could be ingested: every input was rejected{more}; "
            f"first: {first.origin}: {first.reason}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "inserted": self.inserted,
            "replaced": self.replaced,
            "unchanged": self.unchanged,
            "broken": [{"origin": b.origin, "reason": b.reason} for b in self.broken],
            "interactions": self.interactions,
            "classes": self.classes,
            "skipped": self.skipped,
            "seconds": round(self.seconds, 3),
            "stages": self.stages,
        }


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f}/s" if speed else "–/s", style="progress.data.speed")


def _progress_bar(enabled: bool, console: Console | None = None) -> Progress:
    console = console or Console(stderr=True)
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        disable=not enabled or not console.is_terminal,
        transient=False,
    )


def _document_errors() -> tuple[type[BaseException], ...]:
    """Errors that condemn one document (bad data), as opposed to the store itself failing
    (disk full, server gone), which must stop the run rather than skip every document.

    psycopg's are included when it is loaded (a PostgreSQL store loads it): importing it
    only to name its errors would cost every command a fifth of a second."""
    errors: list[type[BaseException]] = [ValueError, sqlite3.DataError, sqlite3.IntegrityError]
    psycopg = sys.modules.get("psycopg")
    if psycopg is not None:
        errors += [psycopg.DataError, psycopg.IntegrityError]
    return tuple(errors)


class _Writer:
    """Collects parsed documents and writes them batch by batch.

    A store with `write_prepared` (both of ours) gets each document's rows ready-made (by
    the worker processes in a pooled ingest) and only writes them; its full-text index is
    brought up to date in bulk every INDEX_DOCUMENTS documents or INDEX_SECONDS, and at the
    end (see `SqliteStore.write_prepared`: the queue of unindexed rows is written in the same
    transactions as the documents, so a kill at any point leaves a consistent store)."""

    def __init__(self, store: Store, report: IngestReport, on_broken: Callable[[Broken], Any]):
        self.store = store
        self.report = report
        self.on_broken = on_broken
        self.pending: list[ParsedDocument | PreparedDocument] = []
        self.seconds = 0.0  # time spent writing, for the stage breakdown
        self.index_seconds = 0.0  # time spent bringing the text index up to date
        self.since = time.monotonic()
        self.write = getattr(store, "write_prepared", None)
        self.index = getattr(store, "index_pending", None)
        self.compress = getattr(store, "backend", "") == "sqlite"
        self.bulk = getattr(store, "upsert_many", None)  # a third-party store may lack both
        self.errors = _document_errors()
        self.unindexed = 0
        self.indexed_at = time.monotonic()
        self.index_every = INDEX_DOCUMENTS

    def draining(self) -> None:
        """The pool has all the input: index in short steps from now on, so the step left
        after the last worker finishes (this process alone, the other CPUs idle) is short.
        Larger steps are cheaper per row (FTS5 builds its index faster from large batches),
        which is why they are the rule while the workers have work."""
        self.index_every = DRAIN_INDEX_DOCUMENTS

    def add(self, doc: ParsedDocument | PreparedDocument) -> None:
        self.pending.append(doc)
        if len(self.pending) >= BATCH_DOCUMENTS or time.monotonic() - self.since > BATCH_SECONDS:
            self.flush()

    def flush(self) -> None:
        started = time.perf_counter()
        try:
            self._flush()
        finally:
            self.seconds += time.perf_counter() - started
        if self.unindexed and (
            self.unindexed >= self.index_every or time.monotonic() - self.indexed_at > INDEX_SECONDS
        ):
            self.index_now()

    def index_now(self) -> None:
        """Bring the store's full-text index up to date (one transaction)."""
        self.unindexed = 0
        self.indexed_at = time.monotonic()
        if self.index is None:
            return
        started = time.perf_counter()
        try:
            self.index()
        finally:
            self.index_seconds += time.perf_counter() - started

    def _flush(self) -> None:
        batch, self.pending = self.pending, []
        self.since = time.monotonic()
        if not batch:
            return
        if self.write is not None:
            self._write_prepared(batch)
        else:
            self._write_monographs(batch)

    def _prepared(self, doc: ParsedDocument | PreparedDocument) -> PreparedDocument | None:
        if isinstance(doc, PreparedDocument):
            return doc
        try:
            return prepare_document(
                doc.json if doc.json is not None else doc.monograph.model_dump_json(),
                doc.doc_id,
                doc.checksum,
                doc.origin,
                compress=self.compress,
                validated=doc.monograph if doc.validated or doc.json is not None else None,
            )
        except self.errors as exc:
            self.broken(Broken(origin=doc.origin, reason=f"cannot store {doc.doc_id}: {exc}"))
            return None

    def _write_prepared(self, batch: list[ParsedDocument | PreparedDocument]) -> None:
        assert self.write is not None
        rows = [r for r in map(self._prepared, batch) if r is not None]
        try:
            outcomes = self.write(rows, index=False)
        except self.errors:
            outcomes = None  # one bad document: find it by writing one at a time
        if outcomes is not None:
            for o in outcomes:
                self._count(o.status)
            return
        for row in rows:
            try:
                (outcome,) = self.write([row], index=False)
            except self.errors as exc:  # reported and skipped, never half-written
                self.broken(Broken(origin=row.origin, reason=f"cannot store {row.doc_id}: {exc}"))
            else:
                self._count(outcome.status)

    def _write_monographs(self, batch: list[ParsedDocument | PreparedDocument]) -> None:
        docs = [d for d in batch if isinstance(d, ParsedDocument)]  # no pool rows here
        if self.bulk is not None:
            try:
                # The JSON rides along when the monograph was just validated from it, so the
                # store need not serialise and validate it again.
                outcomes = self.bulk(
                    [
                        (d.monograph, d.doc_id, d.checksum, d.json)
                        if d.json is not None
                        else (d.monograph, d.doc_id, d.checksum)
                        for d in docs
                    ]
                )
            except self.errors:
                outcomes = None  # one bad document: find it by writing one at a time
            if outcomes is not None:
                for o in outcomes:
                    self._count(o.status)
                return
        for d in docs:
            try:
                outcome = self.store.upsert_monograph(
                    d.monograph, doc_id=d.doc_id, checksum=d.checksum
                )
            except self.errors as exc:  # reported and skipped, never half-written
                self.broken(Broken(origin=d.origin, reason=f"cannot store {d.doc_id}: {exc}"))
            else:
                self._count(outcome.status)

    def _count(self, status: str) -> None:
        if status == "inserted":
            self.report.inserted += 1
            self.unindexed += 1
        elif status == "replaced":
            self.report.replaced += 1
            self.unindexed += 1
        else:
            self.report.unchanged += 1

    def broken(self, item: Broken) -> None:
        self.report.broken.append(item)
        self.on_broken(item)


def _count_items(paths: Sequence[Path]) -> int | None:
    from druginfo.sources import detect

    try:
        return int(detect.count_items(paths))
    except Exception:  # a count is a nicety: a progress bar without a total still works
        return None


def ingest(
    paths: Iterable[str | Path],
    store: Store,
    *,
    progress: bool = True,
    on_broken: Callable[[Broken], Any] | None = None,
    resume: bool = False,
    description: str = "Ingesting",
    console: Console | None = None,
    workers: int | None = None,
    on_item: Callable[[str], Any] | None = None,
) -> IngestReport:
    """Load every record found under `paths` into `store`; idempotent.

    Every document is parsed and compared by checksum, so a changed file replaces its stored
    version (the old one goes to history). `resume=True` is for finishing an interrupted run
    fast: documents whose id is already stored are not even parsed (counted as `skipped`).

    `workers` processes parse documents and prepare their rows (druginfo.ingest_pool;
    default: one per CPU); 0, or fewer than POOL_MIN_ITEMS inputs, parses in this process.
    The full-text index is filled in bulk (`_Writer`). `report.stages` gives the seconds of
    each stage.
    """
    from druginfo import ingest_pool
    from druginfo.errors import InputError
    from druginfo.sources import detect

    started = time.perf_counter()
    path_list = [Path(p) for p in paths]
    for p in path_list:
        if not p.exists():
            raise InputError("path", f"{p} does not exist")
    report = IngestReport()
    checksums = getattr(store, "document_checksums", None)
    stored: dict[str, str] = checksums() if checksums is not None else {}
    writer = _Writer(store, report, on_broken or (lambda _b: None))

    def skip(doc_id: str) -> bool:
        if doc_id in stored:
            report.skipped += 1
            return True
        return False

    n_workers = ingest_pool.default_workers() if workers is None else max(0, workers)
    total = _count_items(path_list) if progress or n_workers else None
    use_pool = n_workers > 0 and (total is None or total >= POOL_MIN_ITEMS)
    stages = ingest_pool.Stages()
    with _progress_bar(progress, console) as bar:
        task = bar.add_task(description, total=total)

        def advance(origin: str) -> None:
            bar.advance(task)
            if on_item is not None:
                on_item(origin)

        walk = detect.iter_work if use_pool else detect.iter_records
        work = walk(
            path_list,
            skip=skip if resume and stored else None,
            progress=advance,
        )
        prepare = ingest_pool.Prepare(rows=writer.write is not None, compress=writer.compress)
        records = (
            ingest_pool.pooled(work, n_workers, stages, prepare, writer.draining)
            if use_pool
            else work
        )
        try:
            for record in records:
                if isinstance(record, ParsedDocument | PreparedDocument):
                    if resume and record.doc_id in stored and use_pool:
                        report.skipped += 1  # an SPL whose set id only parsing revealed
                    elif stored.get(record.doc_id) == record.checksum:
                        report.unchanged += 1
                    else:
                        writer.add(record)
                elif isinstance(record, InteractionBatch):
                    writer.flush()
                    report.interactions += store.add_interactions(record.pairs)
                elif isinstance(record, ClassBatch):
                    writer.flush()
                    report.classes += store.add_classes(record.entries)
                elif isinstance(record, Broken):
                    writer.broken(record)
        except BaseException:
            # Interrupted (Ctrl-C) or the store failed: keep the documents already parsed
            # when the store still takes them, then let the error through.
            with contextlib.suppress(Exception):  # the original error is the one to report
                writer.flush()
                writer.index_now()
            raise
        writer.flush()
        writer.index_now()
    report.seconds = time.perf_counter() - started
    stages.store = writer.seconds
    stages.index = writer.index_seconds
    if not use_pool:  # everything ran here: what is not writing was reading and parsing
        stages.parse = report.seconds - writer.seconds - writer.index_seconds
    report.stages = stages.as_dict()
    return report


def curated_checksum(mono: Monograph) -> str:
    return hashlib.sha256(mono.model_dump_json().encode("utf-8")).hexdigest()


def bootstrap(store: Store, *, progress: bool = False, resume: bool = False) -> IngestReport:
    """First use: the bundled curated monographs, then the bundled EU leaflets archive.

    `resume=True` (finishing a fill that was interrupted) does not parse again the leaflets
    already stored."""
    started = time.perf_counter()
    report = bootstrap_curated(store)
    archive = _bundled_epi()
    if archive is not None:
        from druginfo import firstrun

        # The first start says what it is doing: a bar on a terminal, plain lines elsewhere.
        terminal = progress and sys.stderr.isatty()
        firstrun.announce(str(getattr(store, "path", None) or "the database"))
        plain = None if terminal else firstrun.PlainProgress("EU leaflets", _count_items([archive]))
        sub = ingest(
            [archive],
            store,
            progress=terminal,
            description=f"{firstrun.SETUP_TITLE}: EU leaflets",
            resume=resume,
            on_item=plain.tick if plain else None,
        )
        firstrun.finished(time.perf_counter() - started, sub.inserted + report.inserted)
        report.skipped += sub.skipped
        report.inserted += sub.inserted
        report.replaced += sub.replaced
        report.unchanged += sub.unchanged
        report.broken.extend(sub.broken)
    report.seconds = time.perf_counter() - started
    return report


def bootstrap_curated(store: Store) -> IngestReport:
    """The bundled curated monographs (a second or less): the first part of a fill, done
    before a server starts answering when the leaflets are filled in the background."""
    from druginfo.sources import curated

    report = IngestReport()
    set_meta = getattr(store, "set_meta", None)
    for key in curated.curated_keys():
        fingerprint = curated.curated_fingerprint(key)
        mono = curated.load_curated(key)
        outcome = store.upsert_monograph(
            mono, doc_id=f"curated:{key}", checksum=curated_checksum(mono)
        )
        if set_meta is not None:  # service.refresh_curated need not load it again
            set_meta(f"curated-files:{key}", fingerprint)
        if outcome.status == "inserted":
            report.inserted += 1
        elif outcome.status == "replaced":
            report.replaced += 1
        else:
            report.unchanged += 1
    return report


def _bundled_epi() -> Path | None:
    try:
        from druginfo.sources.epi import bundled_epi_path
    except ImportError:
        return None
    path = bundled_epi_path()
    return Path(path) if path is not None and Path(path).exists() else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m druginfo.ingest", description=__doc__)
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--db", default=None, help="sqlite:///PATH or postgresql://...")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument(
        "--resume", action="store_true", help="do not re-read documents already stored"
    )
    args = parser.parse_args(argv)
    from druginfo.errors import DruginfoError
    from druginfo.store import open_store

    try:
        store = open_store(args.db)
        try:
            report = ingest(args.paths, store, progress=not args.no_progress, resume=args.resume)
        finally:
            store.close()
    except DruginfoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report.as_dict(), indent=2))
    if report.nothing_ingested():
        print(f"error: {report.why_nothing()}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
