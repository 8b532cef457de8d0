"""Ingesting the EU leaflets: documents/s and peak RSS at 1× and N× (default 20×), beside a
baseline that reads the same JSON, strips the XHTML of every section and inserts that text
into an FTS5 table (same tokenizer as the store), committing every 32 documents: the floor
any pipeline that parses, strips and makes the text searchable pays.

Each run is a child process; its peak resident memory (the child and any process it starts,
summed) is sampled every 20 ms with psutil. The ratio pipeline/baseline is the figure; the
ingest also prints its stage breakdown (seconds reading, parsing (summed over worker
processes), validating, writing).

    .venv/bin/python bench/ingest.py [--scale 20] [--quick] [--no-bootstrap] [--workers N]
                                     [--data ../shared/data]

--quick: 1× only. Targets: ≥ 50 % of the baseline rate; peak RSS ≤ 500 MB at 20×.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = (REPO / ".." / "shared" / "data").resolve()


def epi_files(data: Path) -> list[Path]:
    files = sorted((data / "ema-epi").glob("*.json"))
    if not files:
        raise SystemExit(f"no ePI leaflets under {data / 'ema-epi'}")
    return files


def make_scaled(files: list[Path], scale: int, target: Path) -> Path:
    """`scale` renamed copies of every file in `target` (copy 0 keeps the real names)."""
    target.mkdir(parents=True, exist_ok=True)
    for i in range(scale):
        for f in files:
            product, lang, _ = f.name.rsplit(".", 2)
            name = f.name if i == 0 else f"{product}-r{i:02d}.{lang}.json"
            shutil.copyfile(f, target / name)
    return target


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def child_baseline(folder: Path, db: Path) -> dict[str, float]:
    """Read every bundle, strip the XHTML of its sections and insert the text into FTS5."""
    import sqlite3

    from lxml import etree

    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE VIRTUAL TABLE chunks_fts USING fts5 (section, body, lang,"
        " tokenize = 'porter unicode61 remove_diacritics 2')"
    )

    def walk(sections: list[dict[str, object]], out: list[str]) -> None:
        for s in sections:
            div = (s.get("text") or {}).get("div")  # type: ignore[union-attr]
            if isinstance(div, str):
                root = etree.fromstring(div.encode("utf-8"))
                out.append(" ".join(" ".join(root.itertext()).split()))
            walk(s.get("section") or [], out)  # type: ignore[arg-type]

    t = time.perf_counter()
    n = chars = 0
    conn.execute("BEGIN")
    for f in sorted(folder.glob("*.json")):
        bundle = json.loads(f.read_bytes())
        out: list[str] = []
        for entry in bundle.get("entry", []):
            res = entry.get("resource", {})
            if res.get("resourceType") == "Composition":
                walk(res.get("section", []), out)
        chars += sum(map(len, out))
        conn.executemany(
            "INSERT INTO chunks_fts (section, body, lang) VALUES ('', ?, 'en')",
            [(text,) for text in out],
        )
        n += 1
        if n % 32 == 0:
            conn.execute("COMMIT")
            conn.execute("BEGIN")
    conn.execute("COMMIT")
    conn.close()
    return {"documents": n, "seconds": time.perf_counter() - t, "chars": chars}


def child_ingest(folder: Path, db: Path, workers: int | None) -> dict[str, object]:
    import inspect

    from druginfo.ingest import ingest
    from druginfo.store import open_store

    store = open_store(f"sqlite:///{db}")
    kwargs: dict[str, object] = {"progress": False}
    if "workers" in inspect.signature(ingest).parameters:  # older versions had no pool
        kwargs["workers"] = workers
    t = time.perf_counter()
    report = ingest([folder], store, **kwargs)  # type: ignore[arg-type]
    seconds = time.perf_counter() - t
    stored = store.count_documents()  # type: ignore[attr-defined]
    store.close()
    return {
        "documents": report.documents,
        "inserted": report.inserted,
        "broken": len(report.broken),
        "stored": stored,
        "seconds": seconds,
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


def measure(args: list[str]) -> tuple[dict[str, float], float]:
    """Run this script as a child with `args`; its result and the peak RSS (MB) of its tree."""
    proc = subprocess.Popen(
        [sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True, env=os.environ
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        try:
            root = psutil.Process(proc.pid)
        except psutil.NoSuchProcess:
            return
        while not done.is_set():
            total = 0
            try:
                for p in [root, *root.children(recursive=True)]:
                    with contextlib.suppress(psutil.NoSuchProcess):
                        total += p.memory_info().rss
            except psutil.NoSuchProcess:
                break
            peak = max(peak, total)
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"child {args} failed with {proc.returncode}")
    return json.loads(out.strip().splitlines()[-1]), peak / 1e6


def run_scale(label: str, folder: Path, tmp: Path, workers: int | None) -> None:
    base_db = tmp / f"baseline-{label}.db"
    base, base_rss = measure(["--child-baseline", str(folder), str(base_db)])
    for p in tmp.glob(f"baseline-{label}.db*"):
        p.unlink()
    db = tmp / f"ingest-{label}.db"
    extra = [] if workers is None else ["--workers", str(workers)]
    ours, our_rss = measure(["--child-ingest", str(folder), str(db), *extra])
    base_rate = base["documents"] / base["seconds"]
    our_rate = ours["documents"] / ours["seconds"]
    size_mb = sum(p.stat().st_size for p in tmp.glob(f"ingest-{label}.db*")) / 1e6
    print(
        f"[{label}] baseline (JSON + strip XHTML + FTS5 insert): {base['documents']:,.0f} docs in"
        f" {base['seconds']:.1f} s = {base_rate:,.0f} docs/s, peak RSS {base_rss:,.0f} MB"
    )
    print(
        f"[{label}] ingest into SQLite:           {ours['documents']:,.0f} docs in"
        f" {ours['seconds']:.1f} s = {our_rate:,.0f} docs/s, peak RSS {our_rss:,.0f} MB"
        f" (stored {ours['stored']:,.0f}, broken {ours['broken']:.0f}, db {size_mb:,.0f} MB)"
    )
    if ours.get("stages"):
        stages = ours["stages"]
        print(
            f"[{label}] stages: "
            + ", ".join(
                f"{k} {v:.1f} s" if k != "workers" else f"{k} {v:.0f}" for k, v in stages.items()
            )
        )
    ratio = our_rate / base_rate
    print(
        f"[{label}] ratio ingest/baseline rate: {ratio:.1%}"
        f" (target >= 50 %: {'MET' if ratio >= 0.5 else 'NOT MET'})"
    )
    if label != "1x":
        verdict = "MET" if our_rss <= 500 else "NOT MET"
        print(f"[{label}] peak RSS {our_rss:,.0f} MB (target <= 500 MB: {verdict})")
    for p in tmp.glob(f"ingest-{label}.db*"):
        p.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="1× only")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--workers", type=int, default=None, help="parsing processes")
    parser.add_argument("--child-baseline", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-ingest", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-bootstrap", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--no-bootstrap", action="store_true", help="skip the first-use run")
    args = parser.parse_args()
    if args.child_baseline:
        print(json.dumps(child_baseline(*args.child_baseline)))
        return
    if args.child_bootstrap:
        print(json.dumps(child_bootstrap(args.child_bootstrap)))
        return
    if args.child_ingest:
        print(json.dumps(child_ingest(*args.child_ingest, args.workers)))
        return

    files = epi_files(args.data)
    print(f"ePI leaflets: {len(files):,} files; CPUs: {os.cpu_count()}")
    with tempfile.TemporaryDirectory(prefix="druginfo-bench-ingest-") as tmpdir:
        tmp = Path(tmpdir)
        run_scale("1x", args.data / "ema-epi", tmp, args.workers)
        if not args.no_bootstrap:
            boot, boot_rss = measure(["--child-bootstrap", str(tmp / "bootstrap.db")])
            verdict = "MET" if boot["seconds"] < 60 else "NOT MET"
            print(
                f"[bootstrap] first use (curated + bundled leaflets archive): stored"
                f" {boot['stored']:,.0f} documents in {boot['seconds']:.1f} s, peak RSS"
                f" {boot_rss:,.0f} MB (target < 60 s: {verdict})"
            )
        if not args.quick and args.scale > 1:
            t = time.perf_counter()
            folder = make_scaled(files, args.scale, tmp / f"epi-{args.scale}x")
            print(
                f"[{args.scale}x] corpus of {args.scale * len(files):,} files made in"
                f" {time.perf_counter() - t:.1f} s"
            )
            run_scale(f"{args.scale}x", folder, tmp, args.workers)


if __name__ == "__main__":
    main()
