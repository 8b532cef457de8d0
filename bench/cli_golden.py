"""Differential harness for the command line: what `druginfo` prints, saved or compared.

Start-up work must not change one byte a user sees. Run this on the code before a change
(`--write`), then after it (`--compare`): every command's stdout, stderr and exit code are
compared byte for byte.

    .venv/bin/python bench/cli_golden.py --write /tmp/cli-golden.json [--pythonpath OLD/src]
    .venv/bin/python bench/cli_golden.py --compare /tmp/cli-golden.json

`--pythonpath` runs another checkout's code with this environment (e.g. main's, from
`git worktree add /tmp/old main`). The store is the one the environment names (DRUGINFO_DB
or the default store under XDG_DATA_HOME; `--db` to choose); each side gets a cache
directory of its own, so neither reuses the other's vocabulary cache.

Commands: `show` for named medicines of every kind (curated by generic and brand, a brand
among several products of its substance, leaflet-only tablets, insulins, vaccines,
combinations, Danish and Portuguese leaflets, a children's leaflet), for a seeded spread
over the store's whole list, and for misspelt, unknown, ambiguous, empty and over-long
names; each as text and as `--json`, some with `--full`, `--section`, `--lang` and
`--leaflet`; bad options, missing arguments, `--help` of the group and of each command,
`--version`. Output goes to a pipe at two widths (COLUMNS unset, i.e. 80, and 123).
"""

from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

BIN = Path(sys.executable).parent

NAMED = [
    "kineret", "Kineret", "anakinra", "humira", "adalimumab", "enbrel", "etanercept",
    "ilaris", "roactemra", "benepali", "amgevita", "xeljanz", "olumiant", "rinvoq",
    "jardiance", "metformin", "synjardy", "janumet", "novorapid", "lantus", "tresiba",
    "shingrix", "gardasil 9", "comirnaty", "m-m-rvaxpro", "eliquis", "xarelto",
    "ibuprofen", "paracetamol", "stelara", "cosentyx",
    # misspelt, unknown, ambiguous, empty, odd
    "humria", "kinerret", "zzqqxx", "insulin", "interferon", "", "   ", "x" * 201,
    "Kineret 100 mg", "ki\udcffneret",
]  # fmt: skip

VARIANTS: list[list[str]] = [
    ["--full"],
    ["--section", "how"],
    ["--section", "storage", "--json"],
    ["--section", "bogus"],
    ["--lang", "da"],
    ["--lang", "pt"],
    ["--lang", "xx"],
    ["--leaflet", "bogus"],
]

OTHERS: list[list[str]] = [
    [],
    ["--help"],
    ["--version"],
    ["show"],
    ["show", "--help"],
    ["show", "kineret", "--bogus"],
    ["show", "kineret", "--section"],
    ["search", "--help"],
    ["check", "--help"],
    ["advise", "--help"],
    ["ingest", "--help"],
    ["serve", "--help"],
    ["nosuchcommand"],
    ["show", "kineret", "extra-argument"],
    ["show", "kineret", "--db", "nosuchscheme://x"],
    ["show", "kineret", "--db", "sqlite:////etc/hostname/x.db"],  # parent is a file
]


def commands(sample: list[str]) -> list[list[str]]:
    out: list[list[str]] = []
    for name in [*NAMED, *sample]:
        out.append(["show", name])
        out.append(["show", name, "--json"])
    for i, name in enumerate(NAMED[:12] + sample[:6]):
        out.append(["show", name, *VARIANTS[i % len(VARIANTS)]])
    out.extend(OTHERS)
    return out


def store_sample(env: dict[str, str], n: int, seed: int) -> list[str]:
    """Names from the store's whole list (generic and brand), chosen by a seeded draw."""
    code = (
        "import json\n"
        "from druginfo.store import open_store\n"
        "s = open_store(None if not __import__('os').environ.get('DRUGINFO_DB') else "
        "__import__('os').environ['DRUGINFO_DB'], bootstrap=False)\n"
        "print(json.dumps([[d.key, *d.brands] for d in s.list_drugs()]))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(run.stderr[-2000:])
    drugs = json.loads(run.stdout)
    rng = random.Random(seed)
    picked = rng.sample(drugs, min(n, len(drugs)))
    return [rng.choice(d) for d in picked]


def run_all(cmds: list[list[str]], env: dict[str, str]) -> list[dict[str, object]]:
    druginfo = str(BIN / "druginfo")
    results = []
    for args in cmds:
        for columns in (None, "123"):
            child = dict(env)
            child.pop("COLUMNS", None)
            if columns:
                child["COLUMNS"] = columns
            done = subprocess.run(
                [druginfo, *(a.encode("utf-8", "surrogateescape") for a in args)],
                env=child,
                capture_output=True,
                timeout=300,
            )
            results.append(
                {
                    "args": args,
                    "columns": columns,
                    "code": done.returncode,
                    "stdout": done.stdout.decode("utf-8", "surrogateescape"),
                    "stderr": done.stderr.decode("utf-8", "surrogateescape"),
                }
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", type=Path)
    mode.add_argument("--compare", type=Path)
    parser.add_argument("--pythonpath", default=None, help="run another checkout's src")
    parser.add_argument("--db", default=None)
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="druginfo-cli-golden-") as tmp:
        env = {**os.environ, "DRUGINFO_CACHE_DIR": str(Path(tmp) / "cache"), "TERM": "dumb"}
        env.pop("PYTHONPATH", None)
        if args.pythonpath:
            env["PYTHONPATH"] = str(Path(args.pythonpath).resolve())
        if args.db:
            env["DRUGINFO_DB"] = args.db
        started = time.perf_counter()
        if args.write:
            cmds = commands(store_sample(env, args.sample, args.seed))
            results = run_all(cmds, env)
            args.write.write_text(json.dumps(results, indent=1) + "\n")
            codes: dict[int, int] = {}
            for r in results:
                codes[int(str(r["code"]))] = codes.get(int(str(r["code"])), 0) + 1
            print(
                f"wrote {len(results)} runs ({len(cmds)} commands x 2 widths) in "
                f"{time.perf_counter() - started:.0f} s; exit codes {codes}"
            )
            return
        saved = json.loads(args.compare.read_text())
        cmds = [r["args"] for r in saved[::2]]
        results = run_all(cmds, env)
        diffs = [
            (old, new)
            for old, new in zip(saved, results, strict=True)
            if (old["code"], old["stdout"], old["stderr"])
            != (new["code"], new["stdout"], new["stderr"])
        ]
        for old, new in diffs[:10]:
            print(f"DIFFERENT: {old['args']} COLUMNS={old['columns']}")
            for part in ("code", "stdout", "stderr"):
                if old[part] != new[part]:
                    print(f"  {part}: {str(old[part])[:300]!r}\n   now: {str(new[part])[:300]!r}")
        print(
            f"compared {len(results)} runs ({len(cmds)} commands x 2 widths) in "
            f"{time.perf_counter() - started:.0f} s: {len(diffs)} differences"
        )
        if diffs:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
