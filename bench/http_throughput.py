"""HTTP throughput, latency and server CPU per request of the API, beside a bare Starlette app.

Both servers run under uvicorn with the event loop and HTTP parser pinned (`--loop asyncio
--http h11`: uvicorn otherwise picks uvloop/httptools when they happen to be installed, and
the two servers would not run the same machinery), one worker each, loopback only, in their
own processes; the load generator runs in a third process with N concurrent keep-alive
connections.

Request bodies vary: GET cycles through the monographs of `--names` medicines, POST through
10 medicines x varied profiles, so a cache of whole responses cannot "win" the benchmark.

The baselines (the framework's own cost):
- GET /api/drugs/{name}: a bare Starlette endpoint returning the bytes druginfo returned for
  that name (captured first);
- POST /api/check: a bare Starlette endpoint that runs the same check in process
  (`Service.check` on the same store) and returns its bytes.

Besides req/s and p50/p99, each run reports the server's CPU time per request (user + system
of the server process, from psutil, over the run): unlike throughput, it hardly moves when the
load generator or other work shares the cores.

    .venv/bin/python bench/http_throughput.py [--seconds 6] [--concurrency 8] [--runs 3]
        [--only get|post|both] [--store sqlite:///path/to/filled.db] [--max-requests 20000]

Each endpoint is measured `--runs` times, druginfo and the baseline taking turns to go first;
the summary gives the median ratio and its spread. The header prints the commit, the package
versions, the machine and its load average: everything needed to re-run it and compare.

Targets: CPU per request ratio baseline/druginfo >= 0.5 on both endpoints (the throughput
ratio is printed beside it; it moves with whatever else shares the cores).
"""

from __future__ import annotations

import os
import sys

# Keep this folder off the import path, so that no benchmark script can shadow a standard-library
# module that uvicorn/httpx import (this file was once bench/http.py).
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import quote  # noqa: E402

REPO = Path(_HERE).parent
HOST = "127.0.0.1"

PINNED = ["--loop", "asyncio", "--http", "h11"]
CHECK_DRUGS = [
    "Kineret",
    "anakinra",
    "Enbrel",
    "Humira",
    "Xeljanz",
    "Benepali",
    "Simponi",
    "Cimzia",
    "RoActemra",
    "Ilaris",
]
CHECK_BODY: dict[str, Any] = {
    "drug": "Kineret",
    "profile": {
        "age_years": 58,
        "weight_kg": "82 kg",
        "sex": "male",
        "indication": "rheumatoid arthritis",
        "conditions": ["rheumatoid arthritis", "hypertension"],
        "kidney": {"serum_creatinine_mg_dl": 1.1},
        "allergies": ["latex"],
        "medications": ["Enbrel 50 mg weekly", "methotrexate 15 mg weekly", "omeprazole 20 mg"],
        "planned_vaccines": ["MMR"],
        "start_date": "2026-12-01",
    },
}


def check_bodies() -> list[dict[str, Any]]:
    """10 medicines x varied profiles (age, weight, kidney, medicines): 40 distinct bodies."""
    meds = CHECK_BODY["profile"]["medications"]
    bodies = []
    for i in range(40):
        profile = dict(CHECK_BODY["profile"])
        profile["age_years"] = 30 + (i * 7) % 50
        profile["weight_kg"] = f"{55 + (i * 5) % 45} kg"
        profile["kidney"] = {"serum_creatinine_mg_dl": round(0.7 + (i % 5) * 0.4, 1)}
        profile["medications"] = meds[: 1 + i % len(meds)]
        bodies.append({"drug": CHECK_DRUGS[i % len(CHECK_DRUGS)], "profile": profile})
    return bodies


# --- the baseline server -----------------------------------------------------------------------


def baseline_app(drug_file: str, db_url: str) -> Any:
    """A bare Starlette app: the same routes; GET serves druginfo's captured bytes, POST runs
    the same check in process and returns its JSON."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from druginfo.errors import DruginfoError
    from druginfo.service import Service

    drugs: dict[str, bytes] = {
        k: v.encode("latin-1") for k, v in json.loads(Path(drug_file).read_text()).items()
    }
    service = Service.open(db_url)

    async def get_drug(request: Request) -> Response:
        body = drugs.get(request.path_params["name"])
        if body is None:
            return Response(b'{"error":"unknown"}', status_code=404)
        return Response(body, media_type="application/json")

    async def post_check(request: Request) -> Response:
        data = json.loads(await request.body())
        try:
            result = service.check(data.get("drug"), data.get("profile") or {})
        except DruginfoError as exc:
            return Response(json.dumps({"error": str(exc)}).encode(), status_code=400)
        return Response(result.model_dump_json().encode(), media_type="application/json")

    async def health(request: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    return Starlette(
        routes=[
            Route("/api/drugs/{name}", get_drug),
            Route("/api/check", post_check, methods=["POST"]),
            Route("/api/health", health),
        ]
    )


def serve_baseline(port: int, drug_file: str, db_url: str) -> None:
    import uvicorn

    uvicorn.run(
        baseline_app(drug_file, db_url),
        host=HOST,
        port=port,
        log_level="warning",
        access_log=False,
        loop="asyncio",
        http="h11",
    )


# --- the load generator ------------------------------------------------------------------------


async def _request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes) -> int:
    """One HTTP/1.1 keep-alive exchange; returns the status code (body read and dropped)."""
    writer.write(raw)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


def _raw(method: str, host: str, path: str, body: Any) -> bytes:
    payload = json.dumps(body).encode() if body is not None else b""
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n"
    if payload:
        head += f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
    return (head + "\r\n").encode() + payload


async def _load(
    base: str,
    requests: list[tuple[str, str, Any]],
    seconds: float,
    concurrency: int,
    limit: int,
) -> dict[str, Any]:
    """N connections, each sending its next request as soon as the last answer is read;
    connection i starts at request i and cycles through the list.

    A minimal HTTP/1.1 client on asyncio streams: a full client library costs more CPU per
    request than a bare server, and would measure itself instead of the servers.
    """
    host, port = base.removeprefix("http://").split(":")
    raws = [_raw(method, host, path, body) for method, path, body in requests]
    latencies: list[float] = []
    errors = 0
    sent = 0
    deadline = 0.0
    ready = 0
    all_ready = asyncio.Event()
    go = asyncio.Event()

    async def worker(offset: int) -> None:
        nonlocal sent, errors, ready
        reader, writer = await asyncio.open_connection(host, int(port))
        i = offset
        try:
            for raw in raws[offset::concurrency] or raws[:1]:  # warm every distinct request
                await _request(reader, writer, raw)
            ready += 1
            if ready == concurrency:
                all_ready.set()
            await go.wait()
            while sent < limit and time.perf_counter() < deadline:
                sent += 1
                raw = raws[i % len(raws)]
                i += 1
                t0 = time.perf_counter()
                status = await _request(reader, writer, raw)
                latencies.append(time.perf_counter() - t0)
                if status != 200:
                    errors += 1
        finally:
            writer.close()

    tasks = [asyncio.create_task(worker(k)) for k in range(concurrency)]
    await all_ready.wait()
    start = time.perf_counter()
    deadline = start + seconds
    go.set()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "errors": errors,
        "rps": len(ordered) / elapsed,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
    }


def run_load(args: argparse.Namespace) -> None:
    requests = [tuple(r) for r in json.loads(Path(args.requests).read_text())]
    result = asyncio.run(
        _load(args.base, requests, args.seconds, args.concurrency, args.limit)  # type: ignore[arg-type]
    )
    print(json.dumps(result))


# --- orchestration -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 180) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"server at {base} not ready after {timeout:.0f} s")


def measure(
    base: str,
    server_pid: int,
    requests: list[tuple[str, str, Any]],
    args: argparse.Namespace,
    tmp: Path,
) -> dict[str, Any]:
    """One load run against `base`; adds the server process's CPU µs per request."""
    import psutil

    req_file = tmp / "requests.json"
    req_file.write_text(json.dumps(requests))
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--role",
        "load",
        "--base",
        base,
        "--requests",
        str(req_file),
        "--seconds",
        str(args.seconds),
        "--concurrency",
        str(args.concurrency),
        "--limit",
        str(args.max_requests),
    ]
    server = psutil.Process(server_pid)
    before = server.cpu_times()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=REPO)
    after = server.cpu_times()
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    cpu = (after.user - before.user) + (after.system - before.system)
    result["cpu_us"] = cpu / max(result["requests"], 1) * 1e6
    return result


def _server(cmd: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(cmd, cwd=REPO, env=env)


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "absent"


def _commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{head}{' (with uncommitted changes)' if dirty else ''}" or "unknown"


def print_setup(args: argparse.Namespace, db_url: str) -> None:
    """Everything needed to re-run the same measurement elsewhere and compare."""
    import platform

    packages = ", ".join(
        f"{d} {_version(d)}"
        for d in ("fastapi", "starlette", "uvicorn", "h11", "pydantic", "pydantic-core")
    )
    others = ", ".join(f"{d} {_version(d)}" for d in ("uvloop", "httptools"))
    import druginfo

    print(
        f"druginfo HTTP bench at {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}, "
        f"commit {_commit()}; druginfo imported from {Path(druginfo.__file__).parent}"
    )
    print(
        f"  re-run: .venv/bin/python bench/http_throughput.py --seconds {args.seconds:g} "
        f"--concurrency {args.concurrency} --runs {args.runs} --names {args.names} "
        f"--only {args.only} --max-requests {args.max_requests}"
    )
    print(
        f"  machine: {os.cpu_count()} CPUs, {platform.machine()}, {platform.system()} "
        f"{platform.release()}; load average at start {load_average()} (1, 5, 15 min)"
    )
    print(
        f"  python {platform.python_version()} ({platform.python_implementation()}); {packages}; "
        f"not used (pinned away): {others}"
    )
    print(
        f"  servers: uvicorn --loop asyncio --http h11 (pinned in both), 1 worker each, "
        f"loopback; druginfo = uvicorn --factory druginfo.interfaces.app:app_from_env; "
        f"store {db_url.split('///')[0]}/// {'(given)' if args.store else '(bundled data)'}"
    )
    print(
        f"  load: {args.concurrency} keep-alive connections from a third process, "
        f"{args.seconds:g} s per run (at most {args.max_requests} requests), "
        f"druginfo and baseline alternating first; CPU = user+system of the server process"
    )


def orchestrate(args: argparse.Namespace) -> None:
    import httpx

    procs: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        try:
            from druginfo.service import Service
            from druginfo.store import open_store

            db_url = args.store or f"sqlite:///{tmp / 'bench.db'}"
            if not args.store:  # the bundled data, as on a fresh install
                open_store(db_url, bootstrap=True).close()
            svc = Service.open(db_url)
            names = [d.key for d in svc.list_drugs()][
                :: max(1, len(svc.list_drugs()) // args.names)
            ]
            names = sorted({"anakinra", *names[: args.names - 1]})
            svc.close()
            env = {**os.environ, "DRUGINFO_DB": db_url}
            app_port, base_port = free_port(), free_port()
            app_url, base_url = f"http://{HOST}:{app_port}", f"http://{HOST}:{base_port}"
            procs.append(
                _server(
                    [
                        sys.executable,
                        "-m",
                        "uvicorn",
                        "--factory",
                        "druginfo.interfaces.app:app_from_env",
                        "--host",
                        HOST,
                        "--port",
                        str(app_port),
                        "--log-level",
                        "warning",
                        "--no-access-log",
                        *PINNED,
                    ],
                    env,
                )
            )
            wait_ready(app_url, procs[0])

            # Capture druginfo's own answers: the GET baseline serves exactly these bytes.
            drugs: dict[str, str] = {}
            for name in names:
                r = httpx.get(f"{app_url}/api/drugs/{quote(name)}", timeout=30)
                r.raise_for_status()
                drugs[name] = r.content.decode("latin-1")
            drug_file = tmp / "drugs.json"
            drug_file.write_text(json.dumps(drugs))
            bodies = check_bodies()
            decisions: dict[str, int] = {}
            for body in bodies:
                r = httpx.post(f"{app_url}/api/check", json=body, timeout=30)
                r.raise_for_status()
                decisions[r.json()["decision"]] = decisions.get(r.json()["decision"], 0) + 1

            procs.append(
                _server(
                    [
                        sys.executable,
                        str(Path(__file__).resolve()),
                        "--role",
                        "baseline",
                        "--port",
                        str(base_port),
                        "--drug-file",
                        str(drug_file),
                        "--db",
                        db_url,
                    ],
                    env,
                )
            )
            wait_ready(base_url, procs[1])
            for name in names:
                ours = httpx.get(f"{app_url}/api/drugs/{quote(name)}").content
                assert httpx.get(f"{base_url}/api/drugs/{quote(name)}").content == ours
            same = httpx.post(f"{base_url}/api/check", json=bodies[0]).json()
            assert same == httpx.post(f"{app_url}/api/check", json=bodies[0]).json(), (
                "the baseline must compute the same check"
            )

            sizes = [len(v) for v in drugs.values()]
            print_setup(args, db_url)
            print(
                f"bodies: GET {len(names)} monographs of {min(sizes):,}-{max(sizes):,} bytes; "
                f"POST {len(bodies)} checks ({len(CHECK_DRUGS)} medicines x varied profiles; "
                f"decisions {decisions})"
            )
            header = (
                f"{'endpoint':22} {'run':>3} {'server':9} {'req/s':>8} {'p50 ms':>8} "
                f"{'p99 ms':>8} {'cpu µs/req':>10} {'errors':>6}"
            )
            print(header)
            print("-" * len(header))
            runs: list[tuple[str, list[tuple[str, str, Any]]]] = [
                (
                    "GET /api/drugs/{name}",
                    [("GET", f"/api/drugs/{quote(n)}", None) for n in names],
                ),
                ("POST /api/check", [("POST", "/api/check", b) for b in bodies]),
            ]
            wanted = {"get": runs[:1], "post": runs[1:], "both": runs}[args.only]
            summary: list[tuple[str, list[float], list[float]]] = []
            for label, requests in wanted:
                cpu_ratios: list[float] = []
                rps_ratios: list[float] = []
                for run in range(1, args.runs + 1):
                    # Alternate which server goes first, so a burst of other work on a shared
                    # machine does not always land on the same one.
                    order = [("druginfo", app_url, 0), ("baseline", base_url, 1)]
                    if run % 2 == 0:
                        order.reverse()
                    res: dict[str, dict[str, Any]] = {}
                    for who, url, index in order:
                        res[who] = measure(url, procs[index].pid, requests, args, tmp)
                    for who in ("druginfo", "baseline"):
                        got = res[who]
                        print(
                            f"{label:22} {run:3d} {who:9} {got['rps']:8.0f} "
                            f"{got['p50_ms']:8.2f} {got['p99_ms']:8.2f} {got['cpu_us']:10.0f} "
                            f"{got['errors']:6d}"
                        )
                    mine, bare = res["druginfo"], res["baseline"]
                    cpu_ratios.append(bare["cpu_us"] / mine["cpu_us"])
                    rps_ratios.append(mine["rps"] / bare["rps"])
                    print(
                        f"{'':22} {run:3d} ratio     CPU per request (baseline/druginfo) "
                        f"{cpu_ratios[-1]:.2f}, throughput {rps_ratios[-1]:.2f}, "
                        f"p99 druginfo/baseline {mine['p99_ms'] / bare['p99_ms']:.2f}"
                    )
                summary.append((label, cpu_ratios, rps_ratios))
            print()
            print(f"summary over {args.runs} run(s) each (median, min-max):")
            for label, cpu_ratios, rps_ratios in summary:
                cpu_mid = statistics.median(cpu_ratios)
                verdict = "MET" if cpu_mid >= 0.5 else "NOT MET"
                print(
                    f"  {label:22} CPU-per-request ratio {cpu_mid:.2f} "
                    f"({min(cpu_ratios):.2f}-{max(cpu_ratios):.2f}) target >= 0.5: {verdict} | "
                    f"throughput ratio {statistics.median(rps_ratios):.2f} "
                    f"({min(rps_ratios):.2f}-{max(rps_ratios):.2f})"
                )
            print(f"  load average at the end: {load_average()}")
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--role", choices=["run", "baseline", "load"], default="run")
    ap.add_argument("--seconds", type=float, default=6.0, help="measured time per run")
    ap.add_argument("--concurrency", type=int, default=8, help="concurrent connections")
    ap.add_argument("--max-requests", type=int, default=20000, help="cap per run")
    ap.add_argument("--port", type=int)
    ap.add_argument("--names", type=int, default=20, help="monographs the GET run cycles")
    ap.add_argument("--drug-file")
    ap.add_argument("--db")
    ap.add_argument("--base")
    ap.add_argument("--requests")
    ap.add_argument("--limit", type=int, default=20000)
    ap.add_argument(
        "--runs", type=int, default=3, help="runs per endpoint (ratios: median, spread)"
    )
    ap.add_argument("--only", choices=["get", "post", "both"], default="both")
    ap.add_argument(
        "--store", help="a filled store's URL to serve (default: a new one of the bundled data)"
    )
    args = ap.parse_args()
    if args.role == "baseline":
        serve_baseline(args.port, args.drug_file, args.db)
    elif args.role == "load":
        run_load(args)
    else:
        orchestrate(args)


if __name__ == "__main__":
    main()
