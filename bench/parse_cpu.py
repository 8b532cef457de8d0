"""CPU per leaflet of the ingest workers' code alone (parse + prepare), in this process.

The workers of an ingest (`ingest_pool._work`) parse each document and prepare its store
rows; the writing process is left out here, so the figure moves only with the workers'
code. Documents are read first (untimed), grouped as `ingest_pool.pooled` groups them
(same product, at most GROUP_DOCUMENTS per group), then every group goes through `_work`
under `time.process_time()`, in a process marked as a worker (so it freezes its long-lived
objects after the first group, as a worker does).

Compare code by alternating runs in the same minutes, e.g. old code from another worktree:

    PYTHONPATH=/tmp/old/src .venv/bin/python bench/parse_cpu.py
    .venv/bin/python bench/parse_cpu.py

It prints the module path used (to confirm which code ran), the documents and the CPU
milliseconds per document (total, and parse / prepare from `_work`'s own wall split).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from druginfo import ingest_pool
from druginfo.sources import detect


def _groups(data: Path) -> list[list[detect.Pending]]:
    groups: list[list[detect.Pending]] = []
    group: list[detect.Pending] = []
    for item in detect.iter_work([data]):
        if not isinstance(item, detect.Pending):
            continue
        if group and (group[-1].group != item.group or len(group) >= ingest_pool.GROUP_DOCUMENTS):
            groups.append(group)
            group = []
        group.append(item)
    if group:
        groups.append(group)
    return groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/ema-epi"))
    parser.add_argument(
        "--passes",
        type=int,
        default=3,
        help="passes over the corpus; the least CPU is reported (a busy machine only adds)",
    )
    args = parser.parse_args()
    groups = _groups(args.data)
    documents = sum(len(g) for g in groups)
    ingest_pool._worker["in_worker"] = True
    prepare = ingest_pool.Prepare()
    print(f"code: {Path(ingest_pool.__file__).parent}")
    best = None
    for _ in range(args.passes):
        _forget()
        parse = prep = 0.0
        started = time.process_time()
        for group in groups:
            _, (parsing, preparing) = ingest_pool._work(group, prepare)
            parse += parsing
            prep += preparing
        cpu = time.process_time() - started
        print(
            f"pass: documents {documents}  cpu {cpu:.2f} s  {1000 * cpu / documents:.3f} ms/doc"
            f"  (wall split: parse {1000 * parse / documents:.3f}, prepare"
            f" {1000 * prep / documents:.3f} ms/doc)"
        )
        best = cpu if best is None else min(best, cpu)
    if best is not None:
        print(f"best: {1000 * best / documents:.3f} ms/doc")


def _forget() -> None:
    """Empty the parser's remembered per-block results, so each pass starts like a new
    worker (a later pass would otherwise find the blocks the last one remembered)."""
    from druginfo.sources import epi

    for name in dir(epi):
        clear = getattr(getattr(epi, name), "cache_clear", None)
        if clear is not None and name.startswith("_") and name not in ("_compile_subheadings",):
            clear()


if __name__ == "__main__":
    main()
