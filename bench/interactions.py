"""Screening a 10-medicine list against every DDInter pair: `interactions_among` p50/p99
beside a baseline of Python dict lookups of the same 45 pairs per list.

The DDInter tables (222k pairs) are ingested through the real pipeline into a temporary store;
medicine lists are drawn (seeded) from the table's own drug names, half of them built around
known interacting pairs so that the answers are not all empty.

    .venv/bin/python bench/interactions.py [--lists 500] [--postgres] [--data ../shared/data]

Target: p50 ≤ 2 ms on SQLite.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = (REPO / ".." / "shared" / "data").resolve()


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def medicine_lists(pairs: list[tuple[str, str]], n: int, seed: int = 7) -> list[list[str]]:
    rng = random.Random(seed)
    drugs = sorted({d for p in pairs for d in p})
    lists = []
    for i in range(n):
        chosen: set[str] = set()
        if i % 2 == 0:  # around known pairs
            for a, b in rng.sample(pairs, 3):
                chosen.update((a, b))
        while len(chosen) < 10:
            chosen.add(rng.choice(drugs))
        lists.append(sorted(chosen)[:10])
    return lists


def run(store_url: str | None, data: Path, n_lists: int, label: str) -> None:
    from druginfo.ingest import ingest
    from druginfo.store import open_store

    with tempfile.TemporaryDirectory(prefix="druginfo-bench-") as tmp:
        url = store_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        store = open_store(url)
        t0 = time.perf_counter()
        report = ingest([data / "ddinter"], store, progress=False)
        load_s = time.perf_counter() - t0
        total = store.count_interactions()  # type: ignore[attr-defined]
        print(
            f"[{label}] loaded {report.interactions:,} pairs ({total:,} distinct) in {load_s:.1f} s"
        )

        # Baseline: the same pairs in a dict keyed by the unordered pair.
        table: dict[frozenset[str], str] = {}
        canonical: list[tuple[str, str]] = []
        conn = store._conn  # type: ignore[attr-defined]
        rows = conn.execute(
            "SELECT drug_a, drug_b, level FROM interactions ORDER BY drug_a, drug_b"
        ).fetchall()
        for a, b, level in rows:
            table[frozenset((a, b))] = level
            canonical.append((a, b))
        lists = medicine_lists(canonical, n_lists)

        for meds in lists[:20]:  # warm-up
            store.interactions_among(meds)
        ours: list[float] = []
        found = 0
        for meds in lists:
            t = time.perf_counter()
            got = store.interactions_among(meds)
            ours.append((time.perf_counter() - t) * 1000)
            found += len(got)
        base: list[float] = []
        base_found = 0
        for meds in lists:
            t = time.perf_counter()
            hits = [
                (a, b, table[k])
                for a, b in itertools.combinations(meds, 2)
                if (k := frozenset((a, b))) in table
            ]
            base.append((time.perf_counter() - t) * 1000)
            base_found += len(hits)
        store.close()
    if found != base_found:
        print(f"[{label}] MISMATCH: store found {found} pairs, dict found {base_found}")
        sys.exit(1)
    p50, p99 = percentiles(ours)
    b50, b99 = percentiles(base)
    print(
        f"[{label}] {len(lists)} lists of 10 medicines, {found} interacting pairs found (same as"
        " baseline)"
    )
    print(f"[{label}] interactions_among  p50 {p50:.3f} ms  p99 {p99:.3f} ms")
    print(f"[{label}] dict baseline       p50 {b50:.4f} ms  p99 {b99:.4f} ms")
    print(f"[{label}] ratio store/dict    p50 {p50 / b50:.1f}x  p99 {p99 / b99:.1f}x")
    verdict = "MET" if p50 <= 2.0 else "NOT MET"
    print(f"[{label}] target p50 <= 2 ms: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lists", type=int, default=500)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--postgres", action="store_true", help="also run on a temporary server")
    args = parser.parse_args()
    run(None, args.data, args.lists, "sqlite")
    if args.postgres:
        sys.path.insert(0, str(REPO / "tests"))
        from support.postgres import running_postgres

        with running_postgres() as server:
            run(server.create_database(), args.data, args.lists, "postgresql")


if __name__ == "__main__":
    main()
