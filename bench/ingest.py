"""Ingesting the EU leaflets: documents/s, CPU per document, peak RSS and disk size at 1× and
N× (default 20×), beside a baseline that reads the same JSON, strips the XHTML of every
section and inserts that text into a full-text index (SQLite: an FTS5 table with the store's
tokenizer; PostgreSQL: a table with a tsvector column under a GIN index, as the store's),
committing every 32 documents: the floor any pipeline that parses, strips and makes the text
searchable pays.

Each run is a child process; its peak resident memory (the child and any process it starts,
summed) is sampled every 20 ms with psutil (its PSS every 0.5 s), and its CPU time (its own
and its reaped worker processes') is read when it ends. On PostgreSQL the server's CPU is reported apart (its
processes are not ours). The ratio pipeline/baseline is the figure; the ingest also prints its
stage breakdown (seconds reading, parsing and preparing rows (summed over worker processes),
writing, indexing text in bulk).

    .venv/bin/python bench/ingest.py [--scale 20] [--scales 1,5,20] [--quick]
                                     [--backend sqlite|postgresql|both] [--no-baseline]
                                     [--no-bootstrap] [--workers N] [--data ../shared/data]
                                     [--json-out FILE]

--quick: 1× only. Targets: ≥ 50 % of the baseline rate at 1× and 20×; peak RSS ≤ 500 MB at
20×. The N× corpus is made of hard links to the real files under new names (no disk used).

Both runs read the same files from the page cache: the corpus is read once before the first
run (a baseline that ran first on a cold cache measured 345 docs/s, on a warm one 690: the
ratio moved twofold with the cache, not with the code). `--repeat N` runs N baseline/ingest
pairs one after the other and reports every ratio and their median (default 3 at 1×, where a
pair takes seconds and one run moves ±10 % with the machine's load; 1 at larger scales).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = (REPO / ".." / "shared" / "data").resolve()
BATCH = 32  # documents per baseline transaction (the store's batch size)


def epi_files(data: Path) -> list[Path]:
    files = sorted((data / "ema-epi").glob("*.json"))
    if not files:
        raise SystemExit(f"no ePI leaflets under {data / 'ema-epi'}")
    return files


def make_scaled(files: list[Path], scale: int, target: Path) -> Path:
    """`scale` renamed copies of every file in `target` (copy 0 keeps the real names); hard
    links where the file system allows (a 50× corpus would otherwise take 3 GB)."""
    target.mkdir(parents=True, exist_ok=True)
    for i in range(scale):
        for f in files:
            product, lang, _ = f.name.rsplit(".", 2)
            name = f.name if i == 0 else f"{product}-r{i:02d}.{lang}.json"
            try:
                os.link(f, target / name)
            except OSError:
                shutil.copyfile(f, target / name)
    return target


def warm_page_cache(folder: Path) -> None:
    """Read every file once, so the baseline (which runs first) and the ingest both read
    from memory."""
    for f in sorted(folder.glob("*.json")):
        f.read_bytes()


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def _cpu_seconds() -> float:
    """CPU of this process and of its children that have ended (the pool's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _leaflet_texts(folder: Path) -> Iterator[list[str]]:
    """The stripped text of every section of every bundle, one list per document."""
    from lxml import etree

    def walk(sections: list[dict[str, Any]], out: list[str]) -> None:
        for s in sections:
            div = (s.get("text") or {}).get("div")
            if isinstance(div, str):
                root = etree.fromstring(div.encode("utf-8"))
                out.append(" ".join(" ".join(root.itertext()).split()))
            walk(s.get("section") or [], out)

    for f in sorted(folder.glob("*.json")):
        bundle = json.loads(f.read_bytes())
        out: list[str] = []
        for entry in bundle.get("entry", []):
            res = entry.get("resource", {})
            if res.get("resourceType") == "Composition":
                walk(res.get("section", []), out)
        yield out


def child_baseline(folder: Path, target: str) -> dict[str, Any]:
    """Read every bundle, strip the XHTML of its sections and index the text."""
    t = time.perf_counter()
    cpu = _cpu_seconds()
    n = chars = 0
    if target.startswith("postgresql"):
        import psycopg

        with psycopg.connect(target, autocommit=True) as conn:
            conn.execute(
                "CREATE TABLE chunks (id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL,"
                " tsv TSVECTOR NOT NULL)"
            )
            conn.execute("CREATE INDEX chunks_tsv ON chunks USING gin (tsv)")
            t, cpu = time.perf_counter(), _cpu_seconds()
            batch: list[tuple[str, str]] = []
            for out in _leaflet_texts(folder):
                chars += sum(map(len, out))
                batch.extend((text, text) for text in out)
                n += 1
                if n % BATCH == 0:
                    with conn.transaction(), conn.cursor() as cur:
                        cur.executemany(
                            "INSERT INTO chunks (body, tsv) VALUES (%s, to_tsvector('simple', %s))",
                            batch,
                        )
                    batch = []
            with conn.transaction(), conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO chunks (body, tsv) VALUES (%s, to_tsvector('simple', %s))", batch
                )
            size = conn.execute("SELECT pg_database_size(current_database())").fetchone()
    else:
        import sqlite3

        conn3 = sqlite3.connect(target, isolation_level=None)
        conn3.execute("PRAGMA journal_mode=WAL")
        conn3.execute("PRAGMA synchronous=NORMAL")
        conn3.execute(
            "CREATE VIRTUAL TABLE chunks_fts USING fts5 (section, body, lang,"
            " tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        conn3.execute("BEGIN")
        for out in _leaflet_texts(folder):
            chars += sum(map(len, out))
            conn3.executemany(
                "INSERT INTO chunks_fts (section, body, lang) VALUES ('', ?, 'en')",
                [(text,) for text in out],
            )
            n += 1
            if n % BATCH == 0:
                conn3.execute("COMMIT")
                conn3.execute("BEGIN")
        conn3.execute("COMMIT")
        conn3.close()
        size = (_sqlite_size(target),)
    return {
        "documents": n,
        "seconds": time.perf_counter() - t,
        "cpu": _cpu_seconds() - cpu,
        "chars": chars,
        "bytes": int(size[0]) if size else 0,
    }


def _sqlite_size(path: str) -> int:
    return sum(p.stat().st_size for p in Path(path).parent.glob(Path(path).name + "*"))


def child_ingest(folder: Path, target: str, workers: int | None) -> dict[str, Any]:
    import inspect

    from druginfo.ingest import ingest
    from druginfo.store import open_store

    url = target if target.startswith("postgresql") else f"sqlite:///{target}"
    store = open_store(url, bootstrap=False)
    kwargs: dict[str, object] = {"progress": False}
    if "workers" in inspect.signature(ingest).parameters:  # older versions had no pool
        kwargs["workers"] = workers
    t = time.perf_counter()
    cpu = _cpu_seconds()
    report = ingest([folder], store, **kwargs)  # type: ignore[arg-type]
    seconds = time.perf_counter() - t
    cpu = _cpu_seconds() - cpu
    stored = store.count_documents()  # type: ignore[attr-defined]
    if target.startswith("postgresql"):
        size = store._query("SELECT pg_database_size(current_database())")[0][0]  # type: ignore[attr-defined]
    else:
        size = 0
    store.close()
    if not target.startswith("postgresql"):
        size = _sqlite_size(target)
    return {
        "documents": report.documents,
        "inserted": report.inserted,
        "broken": len(report.broken),
        "stored": stored,
        "seconds": seconds,
        "cpu": cpu,
        "bytes": int(size),
        "stages": getattr(report, "stages", {}),
    }


def child_bootstrap(db: Path) -> dict[str, float]:
    """First use of a new store: curated monographs and the bundled leaflets archive."""
    from druginfo.ingest import bootstrap
    from druginfo.store import open_store

    store = open_store(f"sqlite:///{db}")
    t = time.perf_counter()
    report = bootstrap(store)
    seconds = time.perf_counter() - t
    stored = store.count_documents()  # type: ignore[attr-defined]
    store.close()
    return {"documents": report.documents, "stored": stored, "seconds": seconds}


def _tree_rss(root: psutil.Process) -> int:
    total = 0
    for p in [root, *root.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total


def _tree_pss(root: psutil.Process) -> int:
    """PSS of a process and its children, summed. Forked workers share pages with their
    parent, which RSS counts once per process; PSS shares each page among the processes
    mapping it, so its sum is the tree's real use. Reading it makes the kernel walk every
    page table (and holds each process's memory map lock meanwhile): sampled every
    PSS_EVERY samples only, or the sampling itself slows the run it measures (sampled
    every 20 ms, it took about a tenth of a CPU from a 1x ingest)."""
    total = 0
    for p in [root, *root.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            info = p.memory_full_info()
            total += getattr(info, "pss", info.rss)
    return total


PSS_EVERY = 25  # RSS samples (of 20 ms) per PSS sample: every 0.5 s


def measure(args: list[str], server: psutil.Process | None = None) -> tuple[dict[str, Any], float]:
    """Run this script as a child with `args`; its result (with the peak PSS of its tree as
    `pss_mb`) and the peak RSS (MB) of its tree (and, with `server`, the PostgreSQL server's
    CPU seconds and peak RSS in the result)."""
    server_cpu = _server_cpu(server) if server else 0.0
    proc = subprocess.Popen(
        [sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True, env=os.environ
    )
    peak = peak_pss = server_peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss, server_peak
        samples = 0
        try:
            root = psutil.Process(proc.pid)
        except psutil.NoSuchProcess:
            return
        while not done.is_set():
            try:
                peak = max(peak, _tree_rss(root))
                if samples % PSS_EVERY == 0:
                    peak_pss = max(peak_pss, _tree_pss(root))
            except psutil.NoSuchProcess:
                break
            samples += 1
            if server is not None:
                with contextlib.suppress(psutil.NoSuchProcess):
                    server_peak = max(server_peak, _tree_rss(server))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"child {args} failed with {proc.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    result["pss_mb"] = peak_pss / 1e6
    if server is not None:
        result["server_cpu"] = _server_cpu(server) - server_cpu
        result["server_rss_mb"] = server_peak / 1e6
    return result, peak / 1e6


def _server_cpu(server: psutil.Process) -> float:
    """CPU seconds of the PostgreSQL server: the postmaster, its live processes and the
    backends that have ended (reaped by the postmaster)."""
    t = server.cpu_times()
    total = t.user + t.system + t.children_user + t.children_system
    for child in server.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            c = child.cpu_times()
            total += c.user + c.system
    return total


def run_scale(
    label: str,
    folder: Path,
    tmp: Path,
    workers: int | None,
    backend: str,
    new_target: Any,
    baseline: bool,
    server: psutil.Process | None,
) -> dict[str, Any]:
    extra = [] if workers is None else ["--workers", str(workers)]
    row: dict[str, Any] = {"label": label, "backend": backend}
    base: dict[str, Any] | None = None
    if baseline:
        base, base_rss = measure(["--child-baseline", str(folder), new_target("baseline")], server)
        row["baseline"] = {**base, "rss_mb": base_rss}
        for p in tmp.glob("baseline-*"):
            p.unlink()
    ours, our_rss = measure(["--child-ingest", str(folder), new_target("ingest"), *extra], server)
    row["ingest"] = {**ours, "rss_mb": our_rss}
    our_rate = ours["documents"] / ours["seconds"]
    name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[backend]
    if base is not None:
        base_rate = base["documents"] / base["seconds"]
        print(
            f"[{label} {backend}] baseline (JSON + strip XHTML + text index): "
            f"{base['documents']:,.0f} docs in {base['seconds']:.1f} s = {base_rate:,.0f} docs/s,"
            f" CPU {1000 * base['cpu'] / base['documents']:.1f} ms/doc"
            + (
                f" (+ server {1000 * base['server_cpu'] / base['documents']:.1f} ms/doc)"
                if "server_cpu" in base
                else ""
            )
            + f", peak RSS {base_rss:,.0f} MB, disk {base['bytes'] / 1e6:,.0f} MB"
        )
    print(
        f"[{label} {backend}] ingest into {name}: {ours['documents']:,.0f} docs in"
        f" {ours['seconds']:.1f} s = {our_rate:,.0f} docs/s,"
        f" CPU {1000 * ours['cpu'] / ours['documents']:.1f} ms/doc"
        + (
            f" (+ server {1000 * ours['server_cpu'] / ours['documents']:.1f} ms/doc,"
            f" server peak RSS {ours['server_rss_mb']:,.0f} MB)"
            if "server_cpu" in ours
            else ""
        )
        + f", peak RSS {our_rss:,.0f} MB (PSS {ours['pss_mb']:,.0f}, sampled every 0.5 s) (stored {ours['stored']:,.0f},"
        f" broken {ours['broken']:.0f}, disk {ours['bytes'] / 1e6:,.0f} MB)"
    )
    if ours.get("stages"):
        stages = ours["stages"]
        print(
            f"[{label} {backend}] stages: "
            + ", ".join(
                f"{k} {v:.1f} s" if k != "workers" else f"{k} {v:.0f}" for k, v in stages.items()
            )
        )
    if base is not None:
        ratio = our_rate / (base["documents"] / base["seconds"])
        cpu_ratio = (base["cpu"] + base.get("server_cpu", 0.0)) / (
            ours["cpu"] + ours.get("server_cpu", 0.0)
        )
        row["ratio"] = ratio
        print(
            f"[{label} {backend}] ratio ingest/baseline rate: {ratio:.1%}"
            f" (target >= 50 %: {'MET' if ratio >= 0.5 else 'NOT MET'});"
            f" CPU per document baseline/ingest {cpu_ratio:.1%}"
        )
    # How busy each run kept the machine (CPU seconds per wall second): a rate below the
    # CPUs' worth says the run waited (on reads, fsync, or workers on the writer).
    cpus = os.cpu_count() or 1
    busy = f"ingest {ours['cpu'] / ours['seconds']:.2f} of {cpus} CPUs"
    if base is not None:
        busy = f"baseline {base['cpu'] / base['seconds']:.2f} of 1 CPU (one process), " + busy
    print(f"[{label} {backend}] CPU busy: {busy} (load average {os.getloadavg()[0]:.1f})")
    if label != "1x":
        verdict = "MET" if our_rss <= 500 else "NOT MET"
        print(
            f"[{label} {backend}] peak RSS {our_rss:,.0f} MB (target <= 500 MB: {verdict});"
            f" PSS {ours['pss_mb']:,.0f} MB (pages shared by the forked workers counted once)"
        )
    for p in tmp.glob("ingest-*"):
        p.unlink()
    sys.stdout.flush()
    return row


@contextlib.contextmanager
def _postgres() -> Iterator[tuple[Any, psutil.Process]]:
    """A throw-away server (tests/support/postgres.py) with settings stated here: durable
    (fsync on), commits acknowledged before their WAL is flushed (synchronous_commit off: a
    crash may lose the last transactions, never consistency, like SQLite's synchronous=NORMAL
    in WAL mode), a larger WAL budget for bulk loads."""
    sys.path.insert(0, str(REPO / "tests"))
    from support import postgres as pg

    class BenchServer(pg.PostgresServer):
        settings = PG_SETTINGS
        initdb_sync = True

    server = BenchServer()
    try:
        server.start()
        pid = int((server.data / "postmaster.pid").read_text().split()[0])
        yield server, psutil.Process(pid)
    finally:
        server.stop()


PG_SETTINGS = (
    "fsync=on",
    "synchronous_commit=off",
    "shared_buffers=256MB",
    "max_wal_size=4GB",
    "checkpoint_timeout=15min",
    "maintenance_work_mem=256MB",
    "max_connections=20",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--scales", default=None, help="comma-separated, e.g. 1,5,20,50")
    parser.add_argument("--quick", action="store_true", help="1× only")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--workers", type=int, default=None, help="parsing processes")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--repeat", type=int, default=None, help="baseline/ingest pairs per scale (1x: 3)"
    )
    parser.add_argument("--json-out", type=Path, default=None)
    parser.add_argument("--child-baseline", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--child-ingest", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--child-bootstrap", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--no-bootstrap", action="store_true", help="skip the first-use run")
    args = parser.parse_args()
    if args.child_baseline:
        print(json.dumps(child_baseline(Path(args.child_baseline[0]), args.child_baseline[1])))
        return
    if args.child_bootstrap:
        print(json.dumps(child_bootstrap(args.child_bootstrap)))
        return
    if args.child_ingest:
        print(
            json.dumps(child_ingest(Path(args.child_ingest[0]), args.child_ingest[1], args.workers))
        )
        return

    files = epi_files(args.data)
    if args.scales:
        scales = [int(s) for s in args.scales.split(",")]
    else:
        scales = [1] if args.quick or args.scale <= 1 else [1, args.scale]
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    print(
        f"ePI leaflets: {len(files):,} files; CPUs: {os.cpu_count()}; scales {scales};"
        f" load average {os.getloadavg()[0]:.1f}"
    )
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="druginfo-bench-ingest-") as tmpdir:
        tmp = Path(tmpdir)
        if 1 in scales and not args.no_bootstrap and "sqlite" in backends:
            boot, boot_rss = measure(["--child-bootstrap", str(tmp / "bootstrap.db")])
            verdict = "MET" if boot["seconds"] < 60 else "NOT MET"
            print(
                f"[bootstrap] first use (curated + bundled leaflets archive): stored"
                f" {boot['stored']:,.0f} documents in {boot['seconds']:.1f} s, peak RSS"
                f" {boot_rss:,.0f} MB (target < 60 s: {verdict})"
            )
        for backend in backends:
            with contextlib.ExitStack() as stack:
                server_proc: psutil.Process | None = None
                if backend == "postgresql":
                    server, server_proc = stack.enter_context(_postgres())
                    print(f"[postgresql] server settings: {', '.join(PG_SETTINGS)}")

                    def new_target(kind: str, server: Any = server) -> str:
                        return str(server.create_database())
                else:

                    def new_target(kind: str) -> str:
                        return str(tmp / f"{kind}-{time.monotonic_ns()}.db")

                for scale in scales:
                    if scale == 1:
                        folder = args.data / "ema-epi"
                    else:
                        t = time.perf_counter()
                        folder = make_scaled(files, scale, tmp / f"epi-{scale}x")
                        print(
                            f"[{scale}x] corpus of {scale * len(files):,} files made in"
                            f" {time.perf_counter() - t:.1f} s"
                        )
                    warm_page_cache(folder)
                    repeat = args.repeat or (3 if scale == 1 else 1)
                    ratios: list[float] = []
                    for _ in range(repeat):
                        row = run_scale(
                            f"{scale}x",
                            folder,
                            tmp,
                            args.workers,
                            backend,
                            new_target,
                            not args.no_baseline,
                            server_proc,
                        )
                        rows.append(row)
                        if "ratio" in row:
                            ratios.append(row["ratio"])
                    if len(ratios) > 1:
                        median = statistics.median(ratios)
                        print(
                            f"[{scale}x {backend}] median ratio of {len(ratios)} pairs:"
                            f" {median:.1%} ({', '.join(f'{r:.1%}' for r in ratios)};"
                            f" target >= 50 %: {'MET' if median >= 0.5 else 'NOT MET'})"
                        )
                    if args.json_out:
                        args.json_out.write_text(json.dumps(rows, indent=1))
                    if scale != 1:
                        shutil.rmtree(folder, ignore_errors=True)
                    if backend == "postgresql":
                        # The databases of this scale are done with: free their disk.
                        import psycopg

                        with psycopg.connect(f"{server.url_base}/postgres", autocommit=True) as c:
                            for (name,) in c.execute(
                                "SELECT datname FROM pg_database WHERE datname LIKE 't\\_%'"
                            ).fetchall():
                                c.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
