"""Personal check of a 10-medicine profile, in process: p50/p99 beside parsing its JSON.

Run for the curated medicine (anakinra) and for a leaflet-only one (Xarelto: screened and
dosed from its machine-read EU leaflet; the first check reads the leaflet, later ones reuse it).

The ratio (check time / JSON parse time) is the figure: it says how much work the check adds
on top of merely reading the request, independent of the machine's speed.

    .venv/bin/python bench/check.py [--runs 2000] [--db sqlite:///tmp/bench.db]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from druginfo.service import Service

PROFILE = {
    "age_years": 58,
    "weight_kg": "82 kg",
    "sex": "male",
    "indication": "rheumatoid arthritis",
    "conditions": ["rheumatoid arthritis", "hypertension", "type 2 diabetes"],
    "kidney": {"serum_creatinine_mg_dl": 1.1},
    "allergies": ["penicillin", "latex"],
    "medications": [
        "Enbrel 50 mg weekly",
        "methotrexate 15 mg weekly",
        "folic acid 5 mg",
        "prednisone 5 mg daily",
        "metformin 1000 mg twice daily",
        "lisinopril 10 mg",
        "atorvastatin 20 mg",
        "omeprazole 20 mg",
        "warfarin 5 mg",
        "hydroxychloroquine 200 mg",
    ],
    "planned_vaccines": ["MMR", "Shingrix"],
    "start_date": "2026-12-01",
}


DRUGS = ("anakinra", "Xarelto")


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return p50, p99


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--db", default=None, help="store URL (default: a fresh temporary SQLite)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        svc = Service.open(url)
        text = json.dumps(PROFILE)
        for drug in DRUGS:
            t0 = time.perf_counter()
            svc.check(drug, json.loads(text))  # warm caches, build the vocabulary, read leaflet
            first = time.perf_counter() - t0

            base: list[float] = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                json.loads(text)
                base.append(time.perf_counter() - t0)

            timed: list[float] = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                result = svc.check(drug, json.loads(text))
                timed.append(time.perf_counter() - t0)

            b50, b99 = percentiles(base)
            c50, c99 = percentiles(timed)
            print(f"== {drug}: profile {len(PROFILE['medications'])} medicines, {args.runs} runs")
            print(f"decision: {result.decision}, {len(result.alerts)} alerts")
            print(f"first check (cold)       {first * 1e3:9.1f} ms")
            print(f"baseline json.loads      p50 {b50 * 1e6:9.1f} µs   p99 {b99 * 1e6:9.1f} µs")
            print(f"check (parse + engine)   p50 {c50 * 1e6:9.1f} µs   p99 {c99 * 1e6:9.1f} µs")
            print(f"ratio check/baseline     p50 {c50 / b50:9.1f}×    p99 {c99 / b99:9.1f}×")
        svc.close()


if __name__ == "__main__":
    main()
