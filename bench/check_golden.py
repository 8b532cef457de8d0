"""Differential harness for the personal check: thousands of varied checks, saved or compared.

Speed work must not change one answer. Run this on the code before a change (`--write`), then
after it (`--compare`): every result (or error message) is compared byte for byte as JSON.
Nothing in a result depends on the clock (`today` is fixed here), so nothing is excluded.

    .venv/bin/python bench/check_golden.py --write /tmp/golden.jsonl [--n 4000]
    .venv/bin/python bench/check_golden.py --compare /tmp/golden.jsonl

Medicines: the curated monographs under several names, and leaflet-only medicines of every
kind in the bundled store (TNF blockers, JAK inhibitors, insulins, metformin combinations,
vaccines, and a deterministic spread over the whole A–Z list). Profiles are drawn from a
seeded generator: ages from babies to the very old (and missing), weights in several units
(and implausible ones), every way of giving kidney function, conditions in free text with
negations, history and lab values, allergies (to the medicine itself, to ingredients, none),
medication lists with brands, doses, misspellings, unknown names and vaccines, planned
vaccines, pregnancy and breastfeeding.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

from druginfo.errors import DruginfoError
from druginfo.service import Service

TODAY = dt.date(2026, 11, 1)

NAMED = [
    # curated, by generic and brand
    "anakinra", "Kineret", "adalimumab", "Humira", "etanercept", "Enbrel", "canakinumab",
    "Ilaris", "tocilizumab", "RoActemra",
    # TNF blockers and other biologics (leaflet-only or biosimilars)
    "Benepali", "Erelzi", "Amgevita", "Hyrimoz", "Imraldi", "Simponi", "Cimzia", "Remicade",
    "Inflectra", "Stelara", "Cosentyx", "Taltz", "Orencia", "MabThera",
    # JAK inhibitors
    "Xeljanz", "Olumiant", "Rinvoq", "Jyseleca",
    # insulins
    "NovoRapid", "Levemir", "Tresiba", "Lantus", "Humalog", "Fiasp", "Toujeo", "Abasaglar",
    # metformin and its combinations, other tablets
    "metformin", "Synjardy", "Janumet", "Eucreas", "Jentadueto", "Vokanamet", "Xigduo",
    "Eliquis", "Xarelto", "Pradaxa", "lisinopril", "ibuprofen", "paracetamol",
    # vaccines
    "Shingrix", "M-M-RVaxPro", "ProQuad", "Zostavax", "Fluad Tetra", "Vaxelis", "Gardasil 9",
    "Comirnaty", "Dengvaxia", "Qdenga", "Vaxchora",
]  # fmt: skip

CONDITIONS = [
    "active tuberculosis", "latent tuberculosis", "active pulmonary TB", "history of TB",
    "no tuberculosis", "hepatitis B", "chronic hepatitis B", "mother had lymphoma",
    "lymphoma", "heart failure", "severe heart failure", "acute heart failure",
    "moderate heart failure (NYHA III)", "type 2 diabetes", "type 1 diabetes",
    "diabetic ketoacidosis", "rheumatoid arthritis", "asthma", "no asthma", "COPD",
    "pneumonia", "COVID-19 pneumonia", "recurrent infections", "possible sepsis", "fever",
    "shingles", "HIV", "HIV negative", "ANC 0.8", "neutrophils 900/µL", "neutrophils were 3000",
    "severe liver problems", "liver disease", "severe kidney disease", "kidney problems",
    "multiple sclerosis", "demyelinating disease", "heart attack last year", "stroke",
    "cancer", "risk of cancer", "pregnancy", "lactic acidosis", "dehydration", "alcoholism",
    "severe infection", "cellulitis", "septic arthritis", "inflammatory bowel disease",
    "Crohn's disease", "weakened immune system", "immunodeficiency", "low blood sugar",
    "hypertension", "epilepsy", "psoriasis", "interstitial lung disease", "blood clots",
    "deep vein thrombosis", "bleeding disorder", "high cholesterol",
]  # fmt: skip

ALLERGIES = [
    "penicillin", "latex", "polysorbate 80", "sucrose", "E. coli-derived proteins",
    "no known drug allergies", "sulfa drugs", "neomycin", "eggs", "gelatin", "mannitol",
    "histidine", "metacresol", "sodium chloride", "aspirin", "NSAIDs", "cephalosporins",
]  # fmt: skip

MEDICATIONS = [
    "Enbrel 50 mg weekly", "methotrexate 15 mg weekly", "folic acid 5 mg",
    "prednisone 5 mg daily", "metformin 1000 mg twice daily", "lisinopril 10 mg",
    "atorvastatin 20 mg", "omeprazole 20 mg", "warfarin 5 mg", "hydroxychloroquine 200 mg",
    "Humira", "adalimumab 40 mg", "Kineret", "Ilaris", "rilonacept", "tocilizumab",
    "Xeljanz 5 mg", "baricitinib", "insulin glargine 20 units", "NovoRapid", "apixaban",
    "rivaroxaban 20 mg", "dabigatran", "aspirin 75 mg", "ibuprofen 400 mg", "paracetamol",
    "ciclosporin", "azathioprine", "mycophenolate", "abatacept", "rituximab",
    "metoprolol", "furosemide 40 mg", "spironolactone", "digoxin", "amiodarone",
    "clarithromycin", "rifampicin", "ketoconazole", "fluconazole", "phenytoin",
    "carbamazepine", "St John's wort", "iodinated contrast", "alcohol",
    "Enbrl", "metfromin", "zzqx 10 mg", "Lipitor", "Simponi Aria", "Cimzia",
    "empagliflozin", "sitagliptin", "dapagliflozin", "MMR vaccine", "yellow fever vaccine",
    "Shingrix", "certolizumab pegol", "golimumab", "infliximab", "Zostavax",
]  # fmt: skip

VACCINES = [
    "MMR", "Shingrix", "yellow fever", "flu jab", "BCG", "Zostavax", "varicella",
    "Pneumovax 23", "rotavirus", "typhoid oral", "hepatitis B vaccine", "COVID-19 vaccine",
    "mystery vaccine X", "oral polio",
]  # fmt: skip

INDICATIONS = [
    "rheumatoid arthritis", "NOMID", "Still's disease", "COVID-19 pneumonia",
    "psoriatic arthritis", "type 2 diabetes", "ulcerative colitis", "plaque psoriasis",
    "CAPS", "juvenile idiopathic arthritis", "prevention of shingles", "gout",
]  # fmt: skip


def leaflet_spread(svc: Service, count: int) -> list[str]:
    """A deterministic spread over every non-curated English medicine of the store."""
    drugs = sorted(
        {d.key for d in svc.list_drugs() if not d.curated and "en" in d.languages},
    )
    if not drugs:
        return []
    step = max(1, len(drugs) // count)
    return drugs[::step][:count]


def medicines(svc: Service, spread: int) -> list[str]:
    return [*NAMED, *leaflet_spread(svc, spread)]


def _weight(rng: random.Random, age: float | None) -> Any:
    base = 3.5 if age is None else min(110.0, 3.5 + (age or 0) * 3.2) if (age or 0) < 18 else 70
    kg = max(2.0, rng.gauss(base, base * 0.25))
    form = rng.randrange(7)
    if form == 0:
        return None
    if form == 1:
        return f"{kg * 2.2046:.0f} lb"
    if form == 2:
        return f"{kg:.1f} kg"
    if form == 3:
        return rng.choice([250, 1.2, 400])  # implausible
    return round(kg, 1)


def _kidney(rng: random.Random) -> dict[str, Any] | None:
    form = rng.randrange(7)
    if form == 0:
        return None
    if form == 1:
        return {"crcl_ml_min": rng.choice([8, 15, 25, 29, 30, 35, 50, 60, 90, 120])}
    if form == 2:
        return {"egfr_ml_min_1_73m2": rng.choice([10, 20, 28, 31, 45, 59, 75, 100])}
    if form == 3:
        return {"serum_creatinine_mg_dl": round(rng.uniform(0.4, 6.0), 1)}
    if form == 4:
        return {"serum_creatinine_umol_l": rng.choice([50, 88, 150, 300, 500])}
    if form == 5:
        return {"severe_kidney_disease": rng.choice([True, False])}
    return {"serum_creatinine_mg_dl": round(0.6 + rng.randrange(7) * 0.3, 1)}


def profile(rng: random.Random) -> dict[str, Any]:
    p: dict[str, Any] = {}
    age_form = rng.randrange(10)
    age: float | None
    if age_form == 0:
        age = None
    elif age_form == 1:
        age = round(rng.uniform(0.1, 2), 2)
    elif age_form == 2:
        age = float(rng.randrange(2, 18))
    else:
        age = float(rng.randrange(18, 96))
    if age is not None:
        p["age_years"] = age
    weight = _weight(rng, age)
    if weight is not None:
        p["weight_kg"] = weight
    if rng.random() < 0.2:
        p["weight_confirmed"] = True
    if rng.random() < 0.3:
        p["height_cm"] = round(rng.uniform(50, 195))
    if rng.random() < 0.85:
        p["sex"] = rng.choice(["female", "male"])
    for field in ("pregnant", "breastfeeding"):
        if rng.random() < 0.5:
            p[field] = rng.random() < 0.3
    if rng.random() < 0.7:
        p["indication"] = rng.choice(INDICATIONS)
    p["conditions"] = rng.sample(CONDITIONS, rng.choice([0, 0, 1, 1, 2, 3, 5]))
    kidney = _kidney(rng)
    if kidney is not None:
        p["kidney"] = kidney
    p["allergies"] = rng.sample(ALLERGIES, rng.choice([0, 0, 1, 1, 2, 3]))
    p["medications"] = rng.sample(MEDICATIONS, rng.choice([0, 1, 2, 3, 5, 8, 12]))
    p["planned_vaccines"] = rng.sample(VACCINES, rng.choice([0, 0, 0, 1, 2]))
    if rng.random() < 0.2:
        p["planned_surgery_date"] = (TODAY + dt.timedelta(days=rng.randrange(-30, 90))).isoformat()
    if rng.random() < 0.6:
        p["start_date"] = (TODAY + dt.timedelta(days=rng.randrange(0, 60))).isoformat()
    return p


def self_allergy(rng: random.Random, drug: str, p: dict[str, Any]) -> dict[str, Any]:
    """Now and then, an allergy to the medicine being checked, under the name asked for."""
    if rng.random() < 0.1:
        p = {**p, "allergies": [*p.get("allergies", []), drug]}
    return p


def cases(svc: Service, n: int, seed: int, spread: int) -> list[tuple[str, dict[str, Any]]]:
    rng = random.Random(seed)
    drugs = medicines(svc, spread)
    out = []
    for i in range(n):
        drug = drugs[i % len(drugs)] if i < len(drugs) * 2 else rng.choice(drugs)
        out.append((drug, self_allergy(rng, drug, profile(rng))))
    return out


def run_one(svc: Service, drug: str, p: dict[str, Any]) -> str:
    try:
        result = svc.check(drug, p, today=TODAY)
    except DruginfoError as exc:
        return json.dumps({"error": type(exc).__name__, "message": str(exc)}, sort_keys=True)
    return result.model_dump_json()


def run_all(svc: Service, work: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [
        json.dumps({"i": i, "drug": d, "profile": p}, sort_keys=True) + "\t" + run_one(svc, d, p)
        for i, (d, p) in enumerate(work)
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--write", type=Path)
    ap.add_argument("--compare", type=Path)
    ap.add_argument("--n", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=20261129)
    ap.add_argument("--spread", type=int, default=60, help="leaflet medicines from the A–Z")
    ap.add_argument("--db", default=None, help="store URL (default: the default store)")
    ap.add_argument("--twice", action="store_true", help="run every case twice (warm caches)")
    args = ap.parse_args()
    if (args.write is None) == (args.compare is None):
        ap.error("give exactly one of --write or --compare")

    svc = Service.open(args.db)
    work = cases(svc, args.n, args.seed, args.spread)
    t0 = time.process_time()
    lines = run_all(svc, work)
    cpu = time.process_time() - t0
    if args.twice:
        t0 = time.process_time()
        again = run_all(svc, work)
        warm = time.process_time() - t0
        print(f"again, warm: {warm:.1f} s CPU ({warm / len(lines) * 1e3:.2f} ms each)")
        if again != lines:
            bad = sum(a != b for a, b in zip(again, lines, strict=True))
            print(f"FAIL: {bad} results differ between the first and the second run")
            return 1
    svc.close()
    kinds: dict[str, int] = {}
    for line in lines:
        body = json.loads(line.split("\t", 1)[1])
        key = body.get("decision") or body.get("error", "?")
        kinds[key] = kinds.get(key, 0) + 1
    print(f"{len(lines)} checks in {cpu:.1f} s CPU ({cpu / len(lines) * 1e3:.2f} ms each); {kinds}")
    if args.write is not None:
        args.write.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"written {args.write}")
        return 0
    want = args.compare.read_text(encoding="utf-8").splitlines()
    if len(want) != len(lines):
        print(f"FAIL: {len(want)} saved results, {len(lines)} now")
        return 1
    diffs = [i for i, (a, b) in enumerate(zip(want, lines, strict=True)) if a != b]
    for i in diffs[:5]:
        print(f"--- case {i}\nwant: {want[i][:1500]}\ngot:  {lines[i][:1500]}")
    print(f"{'FAIL' if diffs else 'OK'}: {len(diffs)} of {len(lines)} results differ")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
