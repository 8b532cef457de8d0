"""Parsing documents in a pool of worker processes while this process reads and writes.

The work of an ingest splits in three: reading inputs (folders, archives: cheap), parsing
each document into a monograph (most of the CPU) and writing to the store (one writer: SQLite
has one, and PostgreSQL's rows of one batch go in one transaction). Parsing is spread over
worker processes; reading and writing stay here, so the store sees the same batches, in the
same kill-safe transactions, as without a pool.

- Documents travel to a worker as bytes (`detect.Pending`), grouped by product so a
  worker meets a product's English leaflet before its other languages.
- A parsed monograph travels back as its JSON text: this process validates it once
  (`Monograph.model_validate_json`), and the store keeps exactly that text.
- At most a few groups per worker are in flight (bounded memory whatever the corpus size).
- A worker that dies (killed, out of memory) costs the documents of its group: each becomes
  a Broken record with the reason, and a new pool takes over.
- Results come back in input order, so reruns store documents in the same order.

The number of workers defaults to the CPUs less one (this process writes), at most 32.
"""

from __future__ import annotations

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

MAX_WORKERS = 32
GROUP_DOCUMENTS = 8  # documents per task at most (a product's languages stay together)
IN_FLIGHT_PER_WORKER = 3
MAX_POOL_DEATHS = 3  # pools lost before parsing moves into this process


def default_workers() -> int:
    """CPUs less one for the reading/writing process; 0 (parse here) on a single CPU."""
    return max(0, min((os.cpu_count() or 1) - 1, MAX_WORKERS))


@dataclass
class Stages:
    """Seconds per stage of an ingest, for the breakdown the command prints."""

    read: float = 0.0  # walking inputs, decompressing, reading bytes (this process)
    parse: float = 0.0  # parsing documents (summed over workers)
    validate: float = 0.0  # validating each parsed monograph from its JSON (this process)
    store: float = 0.0  # writing batches: derived rows, compression, SQL, FTS (this process)
    workers: int = 0
    extra: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, float]:
        return {
            "read": round(self.read, 3),
            "parse": round(self.parse, 3),
            "validate": round(self.validate, 3),
            "store": round(self.store, 3),
            "workers": self.workers,
            **{k: round(v, 3) for k, v in self.extra.items()},
        }


@dataclass(frozen=True)
class _Shipped:
    """A parsed document as it travels back from a worker: its monograph as JSON text."""

    doc_id: str
    checksum: str
    origin: str
    json: str


def _work(group: list[Pending]) -> tuple[list[_Shipped | Record], float]:
    started = time.perf_counter()
    out: list[_Shipped | Record] = []
    for record in parse_group(group):
        if isinstance(record, ParsedDocument):
            try:
                text = record.monograph.model_dump_json()
            except Exception as exc:  # a monograph that cannot be serialised is broken
                out.append(Broken(record.origin, f"cannot serialise: {exc}"))
                continue
            out.append(_Shipped(record.doc_id, record.checksum, record.origin, text))
        else:
            out.append(record)
    return out, time.perf_counter() - started


def _arrived(item: _Shipped | Record, stages: Stages) -> Record:
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
        fn: Callable[[list[Pending]], tuple[list[_Shipped | Record], float]],
        group: list[Pending],
    ) -> Future[tuple[list[_Shipped | Record], float]]:
        future: Future[tuple[list[_Shipped | Record], float]] = Future()
        future.set_result(fn(group))
        return future

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        return None


def pooled(work: Iterable[Record | Pending], workers: int, stages: Stages) -> Iterator[Record]:
    """Records of `work` with every Pending parsed by `workers` processes, in input order."""
    stages.workers = workers
    executor: ProcessPoolExecutor | _InProcess = _executor(workers)
    window: deque[tuple[Future[tuple[list[_Shipped | Record], float]], list[Pending]]] = deque()
    group: list[Pending] = []
    limit = workers * IN_FLIGHT_PER_WORKER

    def submit() -> None:
        nonlocal group
        if group:
            window.append((executor.submit(_work, group), group))
            group = []

    deaths = 0

    def collect() -> Iterator[Record]:
        nonlocal executor, deaths
        future, sent = window.popleft()
        try:
            results, seconds = future.result()
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
                window.append((executor.submit(_work, again), again))
            return
        stages.parse += seconds
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
            while len(window) >= limit:
                yield from collect()
        submit()
        while window:
            yield from collect()
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
