"""Precision and recall of fact extraction per fact kind, on the hand-labelled set.

The labels (bench/data/extract/labels/*.yaml, written from the documents' own words) list every
dose, interval, storage, missed-dose, pregnancy and breast-feeding fact of each document: EU
leaflets and seed pages from ../shared, and our own pages in other layouts
(bench/data/extract/pages). Each document goes through the real pipeline (the page or leaflet
parser, then druginfo.facts.extract_facts); a predicted fact matches a label when its statement
contains the label's quote and its values equal the label's (numbers within 0.05).
Also printed: the share of each page's claims that quote site furniture (`template` labels),
the medicine and date read from each page, and extraction time per statement.

    .venv/bin/python bench/extract.py [--verbose]

Targets (issue 7): dose/interval/storage precision ≥ 0.97 and recall ≥ 0.90; boilerplate
≤ 2 % of a page's claims.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from druginfo.facts import extract_facts  # noqa: E402
from druginfo.model import Monograph  # noqa: E402
from druginfo.model.facts import Fact  # noqa: E402
from druginfo.sources.base import ParsedDocument  # noqa: E402
from druginfo.sources.epi import parse_epi  # noqa: E402
from druginfo.sources.pages import normalize  # noqa: E402
from druginfo.sources.publisher import parse_page  # noqa: E402
from druginfo.sources.spl import parse_spl  # noqa: E402

DATA = REPO / "bench" / "data" / "extract"
SHARED = (REPO / ".." / "shared").resolve()
KINDS = ("dose", "interval", "storage", "missed-dose", "pregnancy", "breastfeeding")
TARGETS = {"dose": (0.97, 0.90), "interval": (0.97, 0.90), "storage": (0.97, 0.90)}
DOSE_FIELDS = (
    "dose_mg",
    "dose_max_mg",
    "dose_mg_per_kg",
    "dose_max_mg_per_kg",
    "dose_mg_per_m2",
    "dose_units",
    "max_dose_mg",
    "max_dose_mg_per_kg",
)
FIELDS = {
    "dose": DOSE_FIELDS,
    "interval": ("every_hours",),
    "storage": ("topic", "temp_min_c", "temp_max_c", "max_days"),
    "missed-dose": ("action", "no_double"),
    "pregnancy": ("stance",),
    "breastfeeding": ("stance",),
}


@dataclass
class Item:
    kind: str
    quote: str
    values: dict[str, Any]
    exact: bool = False


def _key(text: str) -> str:
    return normalize(text).lower()


def predicted(facts: list[Fact]) -> list[Item]:
    out: list[Item] = []
    for f in facts:
        data = f.model_dump()
        if f.topic in ("dose", "kidney"):
            amounts = {k: data[k] for k in DOSE_FIELDS if data[k] is not None}
            if amounts:
                out.append(Item("dose", f.quote, amounts))
            if f.every_hours is not None:
                out.append(Item("interval", f.quote, {"every_hours": f.every_hours}))
        elif f.topic in ("storage", "room-temperature"):
            values = {k: data[k] for k in FIELDS["storage"] if data[k] is not None}
            out.append(Item("storage", f.quote, values))
        elif f.topic == "missed-dose":
            values = {k: data[k] for k in FIELDS["missed-dose"] if data[k] is not None}
            out.append(Item("missed-dose", f.quote, values))
        elif f.topic in ("pregnancy", "breastfeeding"):
            out.append(Item(f.topic, f.quote, {"stance": f.stance}))
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return abs(float(a) - float(b)) <= 0.05
    return a == b


def matches(label: Item, pred: Item) -> bool:
    if label.kind != pred.kind:
        return False
    lq, pq = _key(label.quote), _key(pred.quote)
    if (lq != pq) if label.exact else (lq not in pq):
        return False
    keys = set(label.values) | set(pred.values)
    return all(_same(label.values.get(k), pred.values.get(k)) for k in keys)


def load_document(ref: str) -> Monograph:
    path = SHARED / ref.removeprefix("shared:") if ref.startswith("shared:") else DATA / ref
    raw = path.read_bytes()
    if path.suffix == ".json":
        record = parse_epi(raw, str(path), name=path.name)
    elif path.suffix == ".xml":
        record = parse_spl(raw, str(path))
    else:
        record = parse_page(raw, str(path), name=path.name)
    if not isinstance(record, ParsedDocument):
        raise ValueError(f"{ref}: {getattr(record, 'reason', record)}")
    return record.monograph


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--verbose", action="store_true", help="list every miss")
    parser.add_argument(
        "--cost",
        type=int,
        default=0,
        metavar="N",
        help="also time extraction against parsing on N English EU leaflets",
    )
    args = parser.parse_args()
    if args.cost:
        cost(args.cost)
    # "labels": the set the extractor was developed against; "heldout": labels written before
    # the extractor was ever run on their pages, scored once and reported separately.
    for name, folder in (("development set", "labels"), ("held-out set", "heldout")):
        print(f"== {name} (bench/data/extract/{folder})")
        evaluate(DATA / folder, verbose=args.verbose)
        print()


def evaluate(folder: Path, *, verbose: bool) -> None:
    tp = dict.fromkeys(KINDS, 0)
    n_pred = dict.fromkeys(KINDS, 0)
    n_label = dict.fromkeys(KINDS, 0)
    statements = 0
    seconds = 0.0
    worst_template = 0.0
    print(f"{'document':34} {'medicine':14} {'date':11} labels  pred  match  template")
    for label_file in sorted(folder.glob("*.yaml")):
        spec = yaml.safe_load(label_file.read_text(encoding="utf-8"))
        try:
            mono = load_document(spec["document"])
        except ValueError as exc:
            print(f"{label_file.stem:34} UNREADABLE: {exc}")
            for lab in spec.get("facts") or []:
                n_label[lab["kind"]] += 1
            continue
        t0 = time.perf_counter()
        facts = [f for fs in extract_facts(mono) for f in fs.facts]
        seconds += time.perf_counter() - t0
        statements += len(mono.claims)
        labels = [
            Item(
                x["kind"],
                x["quote"],
                {k: v for k, v in x.items() if k in FIELDS[x["kind"]]},
                bool(x.get("exact")),
            )
            for x in spec.get("facts") or []
        ]
        preds = [p for p in predicted(facts) if p.kind in KINDS]
        unmatched = list(preds)
        missed: list[Item] = []
        for lab in labels:
            hit = next((p for p in unmatched if matches(lab, p)), None)
            if hit is None:
                missed.append(lab)
            else:
                unmatched.remove(hit)
                tp[lab.kind] += 1
        for lab in labels:
            n_label[lab.kind] += 1
        for p in preds:
            n_pred[p.kind] += 1
        template = [_key(t) for t in spec.get("template") or []]
        furniture = [c for c in mono.claims if any(t in _key(c.quote) for t in template)]
        share = len(furniture) / max(len(mono.claims), 1)
        if not spec["document"].startswith("shared:data/"):
            worst_template = max(worst_template, share)
        date = mono.sources[0].reviewed
        want = spec.get("date", "-")
        date_note = str(date) if want == "-" or _date_eq(want, date) else f"{date}≠{want}"
        print(
            f"{label_file.stem:34} {mono.key:14} {date_note:11} {len(labels):6} {len(preds):5}"
            f" {len(labels) - len(missed):6}  {share:6.1%}"
        )
        if verbose:
            for lab in missed:
                print(f"    MISSED {lab.kind} {lab.values} « {lab.quote} »")
            for p in unmatched:
                print(f"    EXTRA  {p.kind} {p.values} « {p.quote[:110]} »")
            for c in furniture:
                print(f"    FURNITURE « {c.quote[:110]} »")
    print()
    print(f"{'kind':14} {'labels':>6} {'pred':>6} {'precision':>9} {'recall':>7}  target")
    for kind in KINDS:
        precision = tp[kind] / n_pred[kind] if n_pred[kind] else 1.0
        recall = tp[kind] / n_label[kind] if n_label[kind] else 1.0
        target = TARGETS.get(kind)
        verdict = ""
        if target:
            ok = precision >= target[0] and recall >= target[1]
            verdict = f"P≥{target[0]} R≥{target[1]} {'met' if ok else 'NOT MET'}"
        print(
            f"{kind:14} {n_label[kind]:6} {n_pred[kind]:6} {precision:9.3f} {recall:7.3f}  {verdict}"
        )
    print(f"\nworst page boilerplate share: {worst_template:.1%} (target ≤ 2 %)")
    print(f"extraction: {1000 * seconds / max(statements, 1):.2f} ms per statement")


def cost(n: int) -> None:
    """What facts would add to ingestion: parse time vs extraction time on the same leaflets."""
    files = sorted((SHARED / "data" / "ema-epi").glob("*.en.json"))
    step = max(1, len(files) // n)
    sample = files[::step][:n]
    parse_s = extract_s = 0.0
    claims = 0
    for path in sample:
        raw = path.read_bytes()
        t0 = time.perf_counter()
        record = parse_epi(raw, str(path), name=path.name)
        t1 = time.perf_counter()
        if not isinstance(record, ParsedDocument):
            continue
        extract_facts(record.monograph)
        t2 = time.perf_counter()
        parse_s += t1 - t0
        extract_s += t2 - t1
        claims += len(record.monograph.claims)
    print(
        f"cost on {len(sample)} English leaflets ({claims} statements): parse "
        f"{1000 * parse_s / len(sample):.0f} ms/doc, extract {1000 * extract_s / len(sample):.0f}"
        f" ms/doc = {extract_s / parse_s:.1f}x the parse"
    )
    print()


def _date_eq(want: Any, got: dt.date | None) -> bool:
    if want is None:
        return got is None
    return str(want) == str(got)


if __name__ == "__main__":
    main()
