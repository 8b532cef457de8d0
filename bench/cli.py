"""Command-line start-up: `druginfo --help` and `druginfo show kineret` on a filled store,
beside `python -c pass` measured in the same run.

Each command runs N times as a fresh process (stdout to a pipe); the figure is the median
wall time and the median CPU time (user + system, from the child's rusage: what the command
costs, whatever else the machine is doing), with the minimum beside them, and the CPU time as
a multiple of `python -c pass`; the targets are judged on CPU. The store is filled once
before timing (the first-use fill is not start-up), and shown once so that the vocabulary
cache of the filled store exists, as after any first run; nothing else is kept between
runs (stored monographs are read and rendered anew each time).

    .venv/bin/python bench/cli.py [--runs 15] [--db sqlite:///PATH]
    .venv/bin/python bench/cli.py --runs 9 --baseline-src /tmp/old/src [--db sqlite:///PATH]

Targets: `--help` <= 150 ms, `show kineret` <= 300 ms.

`--baseline-src` compares two versions of the code by alternating runs in the same minutes:
each command runs once with the baseline's source tree (PYTHONPATH, e.g. main's from `git
worktree add /tmp/old main`) and once with this one, N times, each side with a cache
directory of its own; both medians and their ratio are printed.
"""

from __future__ import annotations

import os
import sys

# Keep this folder off the import path, so that no benchmark script can shadow a standard-library
# module that urllib (first_serve) imports (bench/http.py once did).
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

BIN = Path(sys.executable).parent


def measure(cmd: list[str], runs: int, env: dict[str, str]) -> tuple[list[float], list[float]]:
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(cmd, env=env, capture_output=True)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr.decode()[-500:]}")
    return walls, cpus


def report(
    label: str,
    walls: list[float],
    cpus: list[float],
    target_ms: float | None,
    base_cpu: list[float] | None = None,
) -> None:
    """The verdict is on CPU time (what the command costs, whatever else the machine runs);
    the wall time and the ratio to `python -c pass` of the same run stand beside it."""
    wall = statistics.median(walls) * 1000
    cpu = statistics.median(cpus) * 1000
    ratio = f"  {cpu / (statistics.median(base_cpu) * 1000):5.1f}x pass" if base_cpu else ""
    verdict = ""
    if target_ms is not None:
        met = cpu <= target_ms
        verdict = f" | target cpu <= {target_ms:.0f} ms: {'MET' if met else 'NOT MET'}"
    print(
        f"{label:<30} wall p50 {wall:7.1f} ms (min {min(walls) * 1000:6.1f})"
        f"  cpu p50 {cpu:7.1f} ms (min {min(cpus) * 1000:6.1f}){ratio}{verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--db", default=None, help="a filled store (default: a new one)")
    parser.add_argument("--serve-only", action="store_true", help="only the first serve")
    parser.add_argument(
        "--baseline-src", default=None, help="another checkout's src, run alternately"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="druginfo-bench-cli-") as tmp:
        env = {
            **os.environ,
            "XDG_DATA_HOME": str(Path(tmp) / "data"),
            "DRUGINFO_CACHE_DIR": str(Path(tmp) / "cache"),
        }
        if args.db:
            env["DRUGINFO_DB"] = args.db
        # As installed: bytecode compiled once (an environment that forbids writing it
        # would otherwise time compiling every module from source on every start).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        import druginfo

        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(Path(druginfo.__file__).parent)],
            env=env,
            check=True,
        )
        druginfo = str(BIN / "druginfo")
        if args.serve_only:
            first_serve(druginfo, env, Path(tmp))
            return
        started = time.perf_counter()
        subprocess.run([druginfo, "show", "kineret"], env=env, capture_output=True, check=True)
        print(f"store filled (first use) in {time.perf_counter() - started:.1f} s")
        base = measure([sys.executable, "-c", "pass"], args.runs, env)
        report("python -c pass", *base, None)
        if args.baseline_src:
            alternate(druginfo, args.runs, env, Path(args.baseline_src), Path(tmp), base[1])
            return
        for label, cmd, target in COMMANDS:
            report(label, *measure([druginfo, *cmd], args.runs, env), target, base[1])
        first_serve(druginfo, env, Path(tmp))


COMMANDS: tuple[tuple[str, list[str], float], ...] = (
    ("druginfo --help", ["--help"], 150),
    ("druginfo show kineret", ["show", "kineret"], 300),
    # a brand among several products of one substance (more documents read)
    ("druginfo show humira", ["show", "humira"], 300),
    ("druginfo show xeljanz --json", ["show", "xeljanz", "--json"], 300),
)


def alternate(
    druginfo: str, runs: int, env: dict[str, str], src: Path, tmp: Path, base_cpu: list[float]
) -> None:
    """Each command alternately with the baseline's code and this code, in the same minutes
    (the machine's load moves both alike); CPU medians and the ratio this/baseline."""
    theirs = {**env, "PYTHONPATH": str(src.resolve()), "DRUGINFO_CACHE_DIR": str(tmp / "c0")}
    ours = {**env, "DRUGINFO_CACHE_DIR": str(tmp / "c1")}
    ours.pop("PYTHONPATH", None)
    # A store of its own for the baseline: two versions of the model code fingerprint the
    # curated monographs differently, and sharing one store would make each run re-store
    # them (and rebuild the vocabulary) after the other's.
    url = (
        env.get("DRUGINFO_DB")
        or f"sqlite:///{Path(env['XDG_DATA_HOME']) / 'druginfo' / 'druginfo.db'}"
    )
    if not url.startswith("sqlite:///"):
        raise SystemExit("--baseline-src needs a SQLite store (a copy is made for the baseline)")
    import sqlite3

    with (
        sqlite3.connect(url.removeprefix("sqlite:///")) as a,
        sqlite3.connect(tmp / "baseline.db") as b,
    ):
        a.backup(b)
    theirs["DRUGINFO_DB"] = f"sqlite:///{tmp / 'baseline.db'}"
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(src)], env=theirs, capture_output=True
    )
    for side in (theirs, ours):  # each side writes its own vocabulary cache once
        subprocess.run([druginfo, "show", "kineret"], env=side, capture_output=True, check=True)
    for label, cmd, target in COMMANDS:
        walls: tuple[list[float], list[float]] = ([], [])
        cpus: tuple[list[float], list[float]] = ([], [])
        for _ in range(runs):
            for i, side in enumerate((theirs, ours)):
                w, c = measure([druginfo, *cmd], 1, side)
                walls[i].extend(w)
                cpus[i].extend(c)
        report(f"{label} [baseline]", walls[0], cpus[0], None, base_cpu)
        report(f"{label} [this]", walls[1], cpus[1], target, base_cpu)
        ratio = statistics.median(cpus[1]) / statistics.median(cpus[0])
        print(f"{'':<30} cpu p50 this/baseline {ratio:.2f}")


def first_serve(druginfo: str, env: dict[str, str], tmp: Path) -> None:
    """`druginfo serve` on a new, empty data directory: seconds until /api/drugs/anakinra
    answers 200 (the bundled leaflets then keep filling in the background), and until the
    fill is complete (a leaflet-only medicine, Xeljanz, answers)."""
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    fresh = {**env, "XDG_DATA_HOME": str(tmp / "fresh-data")}
    fresh.pop("DRUGINFO_DB", None)
    started = time.perf_counter()
    proc = subprocess.Popen(
        [druginfo, "serve", "--port", str(port)],
        env=fresh,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def answers(path: str) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
                return bool(r.status == 200)
        except OSError:
            return False

    try:
        first = filled = None
        deadline = started + 600
        while time.perf_counter() < deadline and proc.poll() is None:
            if first is None and answers("/api/drugs/anakinra"):
                first = time.perf_counter() - started
            if first is not None and answers("/api/drugs/xeljanz"):
                filled = time.perf_counter() - started
                break
            time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    if first is None:
        print("first serve: no answer")
        return
    verdict = "MET" if first <= 5 else "NOT MET"
    print(f"first serve (empty data directory) answers in {first:.1f} s (target <= 5 s: {verdict})")
    if filled is not None:
        print(f"first serve: bundled leaflets searchable (Xeljanz answers) after {filled:.1f} s")


if __name__ == "__main__":
    main()
