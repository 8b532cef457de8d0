"""Parsing documents in a pool of worker processes while this process reads and writes.

The work of an ingest splits in four: reading inputs (folders, archives: cheap), parsing each
document into a monograph (most of the CPU), preparing the store's rows from it (validating
the monograph from its JSON, names, text rows, compression) and writing (one writer: SQLite
has one, and PostgreSQL's rows of one batch go in one transaction). Parsing and preparing are
spread over worker processes; reading and writing stay here, so the store sees the same
batches, in the same kill-safe transactions, as without a pool, and this process does
little besides SQL (a many-core machine is limited by the one writer, not by this process's
Python).

- Documents travel to a worker as bytes (`detect.Pending`), grouped by product so a
  worker meets a product's English leaflet before its other languages.
- A parsed document travels back as its store rows (`store.common.PreparedDocument`, the
  monograph validated once, from exactly the JSON text the store keeps); for a store that
  cannot take prepared rows, as its JSON text, validated here.
- At most IN_FLIGHT_PER_WORKER documents per worker are in flight (bounded memory whatever
  the corpus size: about 60 KB each, read bytes and prepared rows; at most MAX_IN_FLIGHT in
  all), enough to keep the workers parsing while this process spends up to a second in one
  bulk step of the text index or a WAL checkpoint: with a window of a few groups they finished
  it within 0.2 s and then waited, idle, for about a sixth of the run; with 128 per worker
  they still waited about 0.3 s at a 1,024-document step on 2 CPUs.
- When the input is exhausted, `on_drained` is called once: the caller may then write and
  index in smaller steps, so that little is left to do after the last worker finishes (work
  done then runs on one CPU while the others idle).
- A worker that dies (killed, out of memory) costs the documents of its group: each becomes
  a Broken record with the reason, and a new pool takes over.
- Results come back in input order, so reruns store documents in the same order and the
  stored rows are the same, byte for byte, with or without a pool.

The number of workers defaults to the CPUs (the writing process is light), at most 32.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from druginfo.sources.base import Broken, ParsedDocument, Record
from druginfo.sources.detect import Pending, parse_group
from druginfo.store.common import PreparedDocument, prepare_document

MAX_WORKERS = 32
GROUP_DOCUMENTS = 8  # documents per task at most (a product's languages stay together)
IN_FLIGHT_PER_WORKER = 256  # documents (about 1 s of a worker's parsing and preparing)
MAX_IN_FLIGHT = 4096  # documents in flight at most, whatever the number of workers (~250 MB)
MAX_POOL_DEATHS = 3  # pools lost before parsing moves into this process


def default_workers() -> int:
    """One worker per CPU; 0 (parse here) on a single CPU.

    The reading and writing process does little besides SQL now (the workers prepare the
    rows): about a third of a worker's CPU per document, and mostly while the workers wait
    on it. Measured on 2 CPUs, 2 workers beat 1 (bench/ingest.py)."""
    cpus = os.cpu_count() or 1
    return 0 if cpus < 2 else min(cpus, MAX_WORKERS)


@dataclass
class Stages:
    """Seconds per stage of an ingest, for the breakdown the command prints."""

    read: float = 0.0  # walking inputs, decompressing, reading bytes (this process)
    parse: float = 0.0  # parsing documents (summed over workers)
    prepare: float = 0.0  # validating each monograph from its JSON, its rows (workers)
    validate: float = 0.0  # the same, in this process (a store without prepared rows)
    store: float = 0.0  # writing batches (this process)
    index: float = 0.0  # bulk steps of the full-text index (this process)
    workers: int = 0
    extra: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, float]:
        return {
            "read": round(self.read, 3),
            "parse": round(self.parse, 3),
            "prepare": round(self.prepare, 3),
            "validate": round(self.validate, 3),
            "store": round(self.store, 3),
            "index": round(self.index, 3),
            "workers": self.workers,
            **{k: round(v, 3) for k, v in self.extra.items()},
        }


@dataclass(frozen=True)
class _Shipped:
    """A parsed document as it travels back from a worker for a store that cannot take
    prepared rows: its monograph as JSON text, validated in this process."""

    doc_id: str
    checksum: str
    origin: str
    json: str


@dataclass(frozen=True)
class Prepare:
    """What a worker makes of a parsed document: the store's rows (`PreparedDocument`,
    compressed for SQLite when `compress`), or, when `rows` is False, the monograph's JSON
    for this process to validate (a store without `write_prepared`)."""

    rows: bool = True
    compress: bool = True


Shipped = _Shipped | PreparedDocument | Record


Timed = tuple[list[Shipped], tuple[float, float]]  # results, (seconds parsing, preparing)


# In a worker process: whether the objects alive after its first group (modules, compiled
# expressions, pydantic's validators: everything a worker keeps) are frozen yet.
_worker = {"in_worker": False, "frozen": False}


def _freeze_once() -> None:
    """Move what a worker keeps for its whole life out of the collector's sight
    (`gc.freeze`), once, after its first group has built it: the full collections of a
    parsing worker otherwise walk those objects again and again (a few per cent of its
    CPU). Only in worker processes, which live for one ingest; never in the caller's
    process (a server's)."""
    if _worker["in_worker"] and not _worker["frozen"]:
        _worker["frozen"] = True
        gc.collect()
        gc.freeze()


def _work(group: list[Pending], prepare: Prepare) -> Timed:
    started = time.perf_counter()
    records = parse_group(group)
    parsed = time.perf_counter()
    out: list[Shipped] = []
    for record in records:
        if isinstance(record, ParsedDocument):
            try:
                mono = record.monograph
                if prepare.rows:
                    # The JSON as pydantic's bytes (what `model_dump_json` decodes to text):
                    # compressed as they are, or decoded once for a store that keeps text.
                    out.append(
                        prepare_document(
                            mono.__pydantic_serializer__.to_json(mono),
                            record.doc_id,
                            record.checksum,
                            record.origin,
                            compress=prepare.compress,
                            validated=mono if record.validated else None,
                        )
                    )
                else:
                    out.append(
                        _Shipped(
                            record.doc_id, record.checksum, record.origin, mono.model_dump_json()
                        )
                    )
            except Exception as exc:  # cannot be serialised, or does not load back
                out.append(Broken(record.origin, f"invalid monograph: {exc}"))
        else:
            out.append(record)
    done = time.perf_counter()
    del records
    _freeze_once()
    return out, (parsed - started, done - parsed)


def _arrived(item: Shipped, stages: Stages) -> Record | PreparedDocument:
    if not isinstance(item, _Shipped):
        return item
    from druginfo.model import Monograph

    started = time.perf_counter()
    try:
        mono = Monograph.model_validate_json(item.json)
    except ValueError as exc:
        return Broken(item.origin, f"invalid monograph: {exc}")
    finally:
        stages.validate += time.perf_counter() - started
    return ParsedDocument(
        doc_id=item.doc_id,
        checksum=item.checksum,
        monograph=mono,
        origin=item.origin,
        json=item.json,
    )


def _worker_init(parent: int) -> None:
    """A worker never outlives the ingest that started it, even one killed with kill -9
    (its pipes would otherwise stay open and the worker wait for work forever): Linux
    kills it with its parent (PR_SET_PDEATHSIG); elsewhere a watchdog notices the parent
    has gone within a second."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
    _worker["in_worker"] = True

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="druginfo-parent-watch", daemon=True).start()


def _executor(workers: int) -> ProcessPoolExecutor:
    # fork when this process has one thread (fast, nothing re-imported); spawn otherwise: an
    # ingest may run in a thread of a server (the background fill), and forking a process
    # with threads can copy a lock another thread holds.
    method = "fork" if threading.active_count() == 1 and os.name == "posix" else "spawn"
    return ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context(method),
        initializer=_worker_init,
        initargs=(os.getpid(),),
    )


class _InProcess:
    """The pool's interface, parsing here (when worker processes cannot run)."""

    def submit(
        self,
        fn: Callable[[list[Pending], Prepare], Timed],
        group: list[Pending],
        prepare: Prepare,
    ) -> Future[Timed]:
        future: Future[Timed] = Future()
        future.set_result(fn(group, prepare))
        return future

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        return None


def pooled(
    work: Iterable[Record | Pending],
    workers: int,
    stages: Stages,
    prepare: Prepare | None = None,
    on_drained: Callable[[], object] | None = None,
) -> Iterator[Record | PreparedDocument]:
    """Records of `work` with every Pending parsed by `workers` processes, in input order:
    each document as the store's prepared rows (`prepare`, the default) or, with
    `Prepare(rows=False)`, as a ParsedDocument validated here. `on_drained` is called once
    the input is exhausted (only the documents in flight are left)."""
    prepare = prepare or Prepare()
    stages.workers = workers
    executor: ProcessPoolExecutor | _InProcess = _executor(workers)
    window: deque[tuple[Future[Timed], list[Pending]]] = deque()
    group: list[Pending] = []
    limit = min(workers * IN_FLIGHT_PER_WORKER, MAX_IN_FLIGHT)
    in_flight = 0  # documents in the window

    def submit() -> None:
        nonlocal group, in_flight
        if group:
            window.append((executor.submit(_work, group, prepare), group))
            in_flight += len(group)
            group = []

    deaths = 0

    def collect() -> Iterator[Record | PreparedDocument]:
        nonlocal executor, deaths, in_flight
        future, sent = window.popleft()
        in_flight -= len(sent)
        try:
            results, (parsing, preparing) = future.result()
        except BrokenProcessPool as exc:
            # A worker died: its group is reported broken; the groups sent after it go to a
            # new pool. Pools that keep dying (workers cannot start here) give way to
            # parsing in this process.
            deaths += 1
            executor.shutdown(wait=False, cancel_futures=True)
            executor = _executor(workers) if deaths < MAX_POOL_DEATHS else _InProcess()
            for p in sent:
                yield Broken(p.origin, f"the worker process parsing it died: {exc}")
            for _ in range(len(window)):
                _, again = window.popleft()
                window.append((executor.submit(_work, again, prepare), again))
            return
        stages.parse += parsing
        stages.prepare += preparing
        for item in results:
            yield _arrived(item, stages)

    try:
        source = iter(work)
        while True:
            started = time.perf_counter()
            item = next(source, None)
            stages.read += time.perf_counter() - started
            if item is None:
                break
            if isinstance(item, Pending):
                if group and (group[-1].group != item.group or len(group) >= GROUP_DOCUMENTS):
                    submit()
                group.append(item)
            else:
                yield item  # tables and Broken records need no parsing
            while in_flight >= limit:
                yield from collect()
        submit()
        if on_drained is not None:
            on_drained()
        while window:
            yield from collect()
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
