"""HTTP throughput and p99 latency of the API, beside a bare Starlette app serving the same bytes.

Both servers run under uvicorn (one worker each, loopback only) in their own processes; the
load generator runs in a third process with N concurrent keep-alive connections. The baseline
returns the exact response bodies druginfo produced (captured first), so the ratio is the cost
of druginfo's own work (routing, validation, store reads, the check itself) per request.

    .venv/bin/python bench/http.py [--seconds 6] [--concurrency 8] [--max-requests 20000]
"""

from __future__ import annotations

import os
import sys

# This file is named like the standard library's `http`: keep its folder off the import path,
# or `import http` inside uvicorn/httpx would import this script instead.
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

REPO = Path(_HERE).parent
HOST = "127.0.0.1"

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
ENDPOINTS = [
    ("GET /api/drugs/anakinra", "GET", "/api/drugs/anakinra", None),
    ("POST /api/check", "POST", "/api/check", CHECK_BODY),
]


# --- the baseline server -----------------------------------------------------------------------


def baseline_app(drug_file: str, check_file: str) -> Any:
    """A bare Starlette app: the same routes and bytes, none of the work."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    drug = Path(drug_file).read_bytes()
    check = Path(check_file).read_bytes()

    async def get_drug(request: Request) -> Response:
        return Response(drug, media_type="application/json")

    async def post_check(request: Request) -> Response:
        await request.body()  # read the request like a real handler must
        return Response(check, media_type="application/json")

    async def health(request: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    return Starlette(
        routes=[
            Route("/api/drugs/anakinra", get_drug),
            Route("/api/check", post_check, methods=["POST"]),
            Route("/api/health", health),
        ]
    )


def serve_baseline(port: int, drug_file: str, check_file: str) -> None:
    import uvicorn

    uvicorn.run(
        baseline_app(drug_file, check_file),
        host=HOST,
        port=port,
        log_level="warning",
        access_log=False,
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


async def _load(
    base: str, method: str, path: str, body: Any, seconds: float, concurrency: int, limit: int
) -> dict[str, Any]:
    """N connections, each sending its next request as soon as the last answer is read.

    A minimal HTTP/1.1 client on asyncio streams: a full client library costs more CPU per
    request than a bare server, and would measure itself instead of the servers.
    """
    host, port = base.removeprefix("http://").split(":")
    payload = json.dumps(body).encode() if body is not None else b""
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n"
    if payload:
        head += f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
    raw = (head + "\r\n").encode() + payload
    latencies: list[float] = []
    errors = 0
    sent = 0
    deadline = 0.0
    ready = 0
    all_ready = asyncio.Event()
    go = asyncio.Event()

    async def worker(warmup: int) -> None:
        nonlocal sent, errors, ready
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            for _ in range(warmup):  # open the connection, let the server fill its caches
                await _request(reader, writer, raw)
            ready += 1
            if ready == concurrency:
                all_ready.set()
            await go.wait()
            while sent < limit and time.perf_counter() < deadline:
                sent += 1
                t0 = time.perf_counter()
                status = await _request(reader, writer, raw)
                latencies.append(time.perf_counter() - t0)
                if status != 200:
                    errors += 1
        finally:
            writer.close()

    tasks = [asyncio.create_task(worker(5)) for _ in range(concurrency)]
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
    body = json.loads(args.body) if args.body else None
    result = asyncio.run(
        _load(args.base, args.method, args.path, body, args.seconds, args.concurrency, args.limit)
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
    base: str, method: str, path: str, body: Any, args: argparse.Namespace
) -> dict[str, Any]:
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--role",
        "load",
        "--base",
        base,
        "--method",
        method,
        "--path",
        path,
        "--seconds",
        str(args.seconds),
        "--concurrency",
        str(args.concurrency),
        "--limit",
        str(args.max_requests),
    ]
    if body is not None:
        cmd += ["--body", json.dumps(body)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=REPO)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def orchestrate(args: argparse.Namespace) -> None:
    import httpx

    procs: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            from druginfo.store import open_store

            db_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            open_store(db_url, bootstrap=True).close()  # the bundled data, as on a fresh install
            env = {**os.environ, "DRUGINFO_DB": db_url}
            app_port, base_port = free_port(), free_port()
            app_url, base_url = f"http://{HOST}:{app_port}", f"http://{HOST}:{base_port}"
            procs.append(
                subprocess.Popen(
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
                    ],
                    cwd=REPO,
                    env=env,
                )
            )
            wait_ready(app_url, procs[0])

            # Capture druginfo's own answers: the baseline serves exactly these bytes.
            drug = httpx.get(f"{app_url}/api/drugs/anakinra", timeout=30)
            check = httpx.post(f"{app_url}/api/check", json=CHECK_BODY, timeout=30)
            for r in (drug, check):
                r.raise_for_status()
            drug_file, check_file = Path(tmp) / "drug.json", Path(tmp) / "check.json"
            drug_file.write_bytes(drug.content)
            check_file.write_bytes(check.content)
            decision = check.json()["decision"]

            procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        str(Path(__file__).resolve()),
                        "--role",
                        "baseline",
                        "--port",
                        str(base_port),
                        "--drug-file",
                        str(drug_file),
                        "--check-file",
                        str(check_file),
                    ],
                    cwd=REPO,
                )
            )
            wait_ready(base_url, procs[1])
            same = httpx.get(f"{base_url}/api/drugs/anakinra").content == drug.content
            assert same, "baseline must serve the same bytes"

            print(
                f"druginfo HTTP bench: uvicorn, 1 worker per server, {args.concurrency} "
                f"connections, {args.seconds:g} s per run, loopback; {os.cpu_count()} CPUs"
            )
            print(
                f"bodies: GET drug {len(drug.content):,} bytes; POST check "
                f"{len(check.content):,} bytes (decision {decision})"
            )
            header = (
                f"{'endpoint':26} {'server':9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
                f"{'errors':>6}"
            )
            print(header)
            print("-" * len(header))
            for label, method, path, body in ENDPOINTS:
                ours = measure(app_url, method, path, body, args)
                bare = measure(base_url, method, path, body, args)
                for name, res in (("druginfo", ours), ("baseline", bare)):
                    print(
                        f"{label:26} {name:9} {res['rps']:9.0f} {res['p50_ms']:8.2f} "
                        f"{res['p99_ms']:8.2f} {res['errors']:6d}"
                    )
                print(
                    f"{'':26} ratio     throughput druginfo/baseline = "
                    f"{ours['rps'] / bare['rps']:.2f}, p99 druginfo/baseline = "
                    f"{ours['p99_ms'] / bare['p99_ms']:.2f}"
                )
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
    ap.add_argument("--drug-file")
    ap.add_argument("--check-file")
    ap.add_argument("--base")
    ap.add_argument("--method")
    ap.add_argument("--path")
    ap.add_argument("--body")
    ap.add_argument("--limit", type=int, default=20000)
    args = ap.parse_args()
    if args.role == "baseline":
        serve_baseline(args.port, args.drug_file, args.check_file)
    elif args.role == "load":
        run_load(args)
    else:
        orchestrate(args)


if __name__ == "__main__":
    main()
