"""Bad input must be cheap: a 1 MB medicine name, over-long fields and odd numbers are answered
with a 4xx quickly, and ordinary requests keep their latency while such requests keep coming.

The real app runs under uvicorn in its own process (one worker, loopback, the default store).
Everything is measured in this one run:
- the baseline: wall time of an ordinary POST /api/check (median of N);
- per bad request: status, median wall time, and the server process's CPU time per request
  (psutil, over a batch), with its ratio to the baseline;
- the baseline again while another connection sends 1 MB names back to back.

    .venv/bin/python bench/abuse.py [--repeat 20]
"""

from __future__ import annotations

import os
import sys

# bench/http.py is named like the standard library's `http`: keep this folder off the path.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402
import psutil  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
TARGET_MS = 50.0

CHECK_BODY: dict[str, Any] = {
    "drug": "Kineret",
    "profile": {
        "age_years": 58,
        "weight_kg": "82 kg",
        "sex": "male",
        "indication": "rheumatoid arthritis",
        "kidney": {"serum_creatinine_mg_dl": 1.1},
        "medications": ["Enbrel 50 mg weekly", "methotrexate 15 mg weekly"],
        "start_date": "2026-12-01",
    },
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "druginfo.interfaces.app:app_from_env",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    proc = subprocess.Popen(cmd, cwd=REPO, env=os.environ.copy())
    deadline = time.monotonic() + 600  # the first start may fill the default store
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("the server did not start")


def timed(send: Callable[[], httpx.Response], repeat: int) -> tuple[int, float]:
    """(last status, median wall ms) over `repeat` sends."""
    times, status = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        status = send().status_code
        times.append((time.perf_counter() - start) * 1000)
    return status, statistics.median(times)


def server_cpu_ms(proc: psutil.Process, send: Callable[[], httpx.Response], repeat: int) -> float:
    before = proc.cpu_times()
    for _ in range(repeat):
        send()
    after = proc.cpu_times()
    spent = (after.user - before.user) + (after.system - before.system)
    return spent * 1000 / repeat


def flood(base: str, rate: float) -> None:
    """Send 1 MB names at `rate` per second (0: back to back) until terminated."""
    body = b'{"drug": "' + b"a" * MB + b'"}'
    with httpx.Client(base_url=base, timeout=60) as attacker:
        while True:
            start = time.perf_counter()
            attacker.post("/api/check", content=body, headers={"Content-Type": "application/json"})
            if rate > 0:
                time.sleep(max(0.0, 1 / rate - (time.perf_counter() - start)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--flood", help=argparse.SUPPRESS)
    parser.add_argument(
        "--flood-rate",
        type=float,
        default=25,
        help="1 MB names per second per sending process (0: as fast as possible)",
    )
    args = parser.parse_args()
    if args.flood:
        flood(args.flood, args.flood_rate)
        return
    port = free_port()
    server = start_server(port)
    base = f"http://127.0.0.1:{port}"
    cpu = psutil.Process(server.pid)
    try:
        with httpx.Client(base_url=base, timeout=60) as c:
            page = c.get("/plan")
            token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            normal = lambda: c.post("/api/check", json=CHECK_BODY)  # noqa: E731
            for _ in range(5):
                normal()  # warm caches
            status, normal_ms = timed(normal, args.repeat)
            assert status == 200, status
            normal_cpu = server_cpu_ms(cpu, normal, args.repeat)

            long_items = ["x" * 499] * 200
            words = " ".join(f"zq{i}wx" for i in range(80))[:499]
            cases: list[tuple[str, Callable[[], httpx.Response]]] = [
                (
                    "1 MB name, JSON (POST /api/check)",
                    lambda: c.post("/api/check", json={"drug": "a" * MB}),
                ),
                (
                    "1 MB name, form (POST /plan)",
                    lambda: c.post("/plan", data={"drug": "a" * MB, "csrf_token": token}),
                ),
                (
                    "1 MB search (GET /api/search, 8 KB query)",
                    lambda: c.get("/api/search", params={"q": "a" * 8000}),
                ),
                (
                    "400-letter name (POST /api/check)",
                    lambda: c.post("/api/check", json={"drug": "kinaretx" * 50}),
                ),
                (
                    "199-letter near-name (POST /plan)",
                    lambda: c.post(
                        "/plan", data={"drug": ("anakinra" * 25)[:199], "csrf_token": token}
                    ),
                ),
                # Odd but valid: unknown medicines are listed as unknown (200), not refused.
                (
                    "200 × 499-char medicines (POST /api/check)",
                    lambda: c.post(
                        "/api/check",
                        json={"drug": "anakinra", "profile": {"medications": long_items}},
                    ),
                ),
                (
                    "80 unknown words in one medicine",
                    lambda: c.post(
                        "/api/check",
                        json={"drug": "anakinra", "profile": {"medications": [words] * 20}},
                    ),
                ),
                (
                    "401-digit weight (POST /api/check)",
                    lambda: c.post(
                        "/api/check",
                        json={"drug": "anakinra", "profile": {"weight_kg": int("1" * 401)}},
                    ),
                ),
                (
                    "5,000-digit diary id (GET /diary/report.json)",
                    lambda: c.get("/diary/report.json", params={"entry": "1" * 5000}),
                ),
            ]
            print(
                f"baseline POST /api/check: {normal_ms:.1f} ms wall, "
                f"{normal_cpu:.1f} ms server CPU (median of {args.repeat})"
            )
            print(
                f"{'bad request':48} {'status':>6} {'wall ms':>8} {'CPU ms':>7} "
                f"{'vs normal':>9}  ≤{TARGET_MS:.0f} ms"
            )
            worst = 0.0
            for label, send in cases:
                status, wall = timed(send, max(3, args.repeat // 4))
                spent = server_cpu_ms(cpu, send, max(3, args.repeat // 4))
                worst = max(worst, spent)
                ok = "yes" if spent <= TARGET_MS and status < 500 else "NO"
                print(
                    f"{label:48} {status:>6} {wall:>8.1f} {spent:>7.1f} "
                    f"{spent / max(normal_cpu, 0.01):>8.2f}x  {ok}"
                )

            # The calm baseline again, right before the flood, so both share the machine's mood.
            _, calm_ms = timed(normal, args.repeat)
            # The flood runs in other processes (not threads of this one), so the measured
            # latency is the server's, not this process's GIL.
            flooders = [
                subprocess.Popen(
                    [
                        sys.executable,
                        __file__,
                        "--flood",
                        base,
                        "--flood-rate",
                        str(args.flood_rate),
                    ]
                )
                for _ in range(2)
            ]
            time.sleep(1.0)
            before, started = cpu.cpu_times(), time.perf_counter()
            _, under_ms = timed(normal, args.repeat)
            after, window = cpu.cpu_times(), time.perf_counter() - started
            busy = ((after.user - before.user) + (after.system - before.system)) / window
            for f in flooders:
                f.terminate()
                f.wait(timeout=30)
            rate = f"{2 * args.flood_rate:g}/s" if args.flood_rate else "back to back"
            print(
                f"normal request while 2 processes send 1 MB names ({rate}): {under_ms:.1f} ms "
                f"({under_ms / calm_ms:.2f}x the {calm_ms:.1f} ms just before); the server was busy "
                f"{busy:.0%} of that time, {os.cpu_count()} CPUs shared with the senders"
            )
            print(f"worst server CPU per bad request: {worst:.1f} ms (target ≤ {TARGET_MS:.0f})")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
