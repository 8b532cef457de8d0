"""Personal check in process: p50/p99 beside parsing the request's JSON.

Requests vary: 10 medicines checked (the curated anakinra and leaflet-only medicines) against
profiles of 10 other medicines with varied age, weight, kidney function and medicine lists,
so no cache of whole answers can serve them. The ratio (check time / JSON parse time) says
how much work the check adds on top of merely reading the request.

    .venv/bin/python bench/check.py [--runs 2000] [--db sqlite:///tmp/bench.db]

Target: check p50 <= 300 µs.
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


DRUGS = [
    "anakinra",
    "Kineret",
    "Enbrel",
    "Humira",
    "Xeljanz",
    "Benepali",
    "Simponi",
    "Cimzia",
    "RoActemra",
    "Ilaris",
]


def requests(n: int) -> list[tuple[str, str]]:
    """(drug, profile JSON) pairs, varied (see the module docstring)."""
    meds = PROFILE["medications"]
    out = []
    for i in range(n):
        profile = dict(PROFILE)
        profile["age_years"] = 25 + (i * 7) % 60
        profile["weight_kg"] = f"{50 + (i * 3) % 60} kg"
        profile["kidney"] = {"serum_creatinine_mg_dl": round(0.6 + (i % 7) * 0.3, 1)}
        profile["medications"] = meds[i % 3 : i % 3 + 5 + i % 6]
        out.append((DRUGS[i % len(DRUGS)], json.dumps(profile)))
    return out


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
        varied = requests(200)
        decisions: dict[str, int] = {}
        for drug, text in varied:  # warm caches, build the vocabulary
            d = svc.check(drug, json.loads(text)).decision
            decisions[d] = decisions.get(d, 0) + 1

        base: list[float] = []
        for i in range(args.runs):
            text = varied[i % len(varied)][1]
            t0 = time.perf_counter()
            json.loads(text)
            base.append(time.perf_counter() - t0)

        timed: list[float] = []
        for i in range(args.runs):
            drug, text = varied[i % len(varied)]
            t0 = time.perf_counter()
            result = svc.check(drug, json.loads(text))
            timed.append(time.perf_counter() - t0)
        svc.close()

    b50, b99 = percentiles(base)
    c50, c99 = percentiles(timed)
    print(
        f"{len(DRUGS)} medicines checked x 200 varied profiles (up to "
        f"{len(PROFILE['medications'])} medicines each), {args.runs} runs; decisions {decisions}"
    )
    print(f"last decision: {result.decision}, {len(result.alerts)} alerts")
    print(f"baseline json.loads      p50 {b50 * 1e6:9.1f} µs   p99 {b99 * 1e6:9.1f} µs")
    print(f"check (parse + engine)   p50 {c50 * 1e6:9.1f} µs   p99 {c99 * 1e6:9.1f} µs")
    print(f"ratio check/baseline     p50 {c50 / b50:9.1f}×    p99 {c99 / b99:9.1f}×")
    verdict = "MET" if c50 <= 300e-6 else "NOT MET"
    print(f"target check p50 <= 300 µs: {verdict} ({c50 * 1e6:.0f} µs)")


if __name__ == "__main__":
    main()
