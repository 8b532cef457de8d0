"""Reconciliation: conflict precision and recall on hand-labelled pairs, and the time to
reconcile a medicine with ten documents beside a baseline measured in the same run.

Evaluation (bench/data/reconcile-pairs.yaml): each pair is two quoted statements from two
documents, labelled agree / conflict / unrelated from the words. Each pair is run through the
real engine as a medicine with two documents; the pair is predicted
- "unrelated" when no finding holds a statement of both documents on the pair's topic,
- "conflict" when that finding has a conflict or an error between them,
- "agree" otherwise.
Two readings are scored: the facts a reader wrote beside each quote (the comparison alone),
and the facts druginfo.facts reads from the quotes (extraction + comparison, end to end).

Timing: the ten English documents of a medicine (the adalimumab leaflets of the bundled store
and publisher pages written here), reconciled by the Service; baseline = decoding the same ten
documents from their JSON (Monograph.model_validate_json), i.e. merely reading the input.
"Cold" includes reading every sentence into facts; "warm" is the usual case once the facts of
unchanged documents are cached. Times are CPU time of this process (time.process_time), so that
other work on a shared machine does not count; the ratio to the baseline is the figure.

    .venv/bin/python bench/reconcile.py [--runs 20] [--db sqlite:///tmp/bench.db]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from druginfo.model import Claim, Identity, Monograph, Source, SourceKind, Topic
from druginfo.model.facts import Fact, FactDocument, FactSet, Population
from druginfo.reconcile import ReconcileReport, reconcile_documents, reconcile_facts
from druginfo.service import Service

PAIRS = Path(__file__).resolve().parent / "data" / "reconcile-pairs.yaml"
AS_OF = dt.date(2026, 11, 29)
DATE = dt.date(2024, 1, 1)
LABEL_DOCS = ("leaflet", "label")
STRUCTURAL = {
    "dose": Topic.dosing,
    "kidney": Topic.kidney,
    "storage": Topic.storage,
    "room-temperature": Topic.storage,
    "missed-dose": Topic.missed_dose,
    "pregnancy": Topic.pregnancy,
    "breastfeeding": Topic.breastfeeding,
    "interaction": Topic.interaction,
    "vaccine": Topic.vaccine,
    "indication": Topic.indication,
}


def _kind(doc: str) -> str:
    words = doc.casefold()
    return "leaflet" if "leaflet" in words else "label" if "label" in words else "publisher"


def _document(side: dict[str, Any], sid: str) -> FactDocument:
    return FactDocument(
        id=sid,
        medicine="m",
        publisher=f"{side['doc']} ({sid})",  # the two sides are always two documents
        title=side["doc"],
        date=DATE,
        kind=_kind(side["doc"]),  # type: ignore[arg-type]
    )


def _hand_facts(side: dict[str, Any]) -> list[Fact]:
    out = []
    for fields in side["facts"]:
        data = dict(fields)
        if isinstance(data.get("population"), dict):
            data["population"] = Population(**data["population"])
        out.append(Fact.model_validate({"topic": side["topic"], "quote": side["quote"], **data}))
    return out


# The headings every EU package leaflet has (the QRD template), by topic: a leaflet's quote
# is read under its heading, as it is when the whole leaflet is read.
QRD_HEADINGS = {
    "dose": "3. How to take {brand}",
    "kidney": "3. How to take {brand}",
    "storage": "5. How to store {brand}",
    "room-temperature": "5. How to store {brand}",
    "missed-dose": "If you forget to use {brand}",
    "pregnancy": "Pregnancy and breast-feeding",
    "breastfeeding": "Pregnancy and breast-feeding",
    "interaction": "Other medicines and {brand}",
    "vaccine": "Other medicines and {brand}",
    "indication": "1. What {brand} is and what it is used for",
}


def _section(side: dict[str, Any]) -> str | None:
    if side.get("section"):
        return str(side["section"])
    if _kind(side["doc"]) == "leaflet":
        brand = side["doc"].split()[0]
        return QRD_HEADINGS.get(side["topic"], "").format(brand=brand) or None
    return None


def _read_facts(side: dict[str, Any]) -> list[Fact]:
    from druginfo.facts import facts_from_text

    return facts_from_text(side["quote"], _section(side), structural=STRUCTURAL.get(side["topic"]))


def predict(report: ReconcileReport, topic: str) -> str:
    for f in report.findings:
        if f.topic != topic or set(f.sources) != {"S1", "S2"}:
            continue
        between = [d for d in f.differences if set(d.sources) == {"S1", "S2"}]
        if any(d.kind in ("conflict", "error", "changed") for d in between):
            return "conflict"
        return "agree"
    return "unrelated"


def evaluate(pairs: list[dict[str, Any]], read: Any, vocab: Any) -> dict[str, Any]:
    confusion: Counter[tuple[str, str]] = Counter()
    wrong: list[str] = []
    for p in pairs:
        sets = [
            FactSet(document=_document(p[side], sid), facts=read(p[side]))
            for side, sid in (("a", "a"), ("b", "b"))
        ]
        report = reconcile_facts("m", sets, today=AS_OF, resolve=vocab.resolve)
        topic = p["a"]["topic"] if p["label"] != "unrelated" else None
        if topic is None:
            # unrelated pairs: related would mean one finding holds both on either topic
            guesses = {predict(report, p["a"]["topic"]), predict(report, p["b"]["topic"])}
            guess = "unrelated" if guesses == {"unrelated"} else sorted(guesses - {"unrelated"})[0]
        else:
            guess = predict(report, topic)
        confusion[(p["label"], guess)] += 1
        if guess != p["label"]:
            wrong.append(f"    {p['label']:>9} → {guess:<9} {p['why']}")
    tp = confusion[("conflict", "conflict")]
    predicted = sum(v for (_, g), v in confusion.items() if g == "conflict")
    actual = sum(v for (lab, _), v in confusion.items() if lab == "conflict")
    right = sum(v for (lab, g), v in confusion.items() if lab == g)
    return {
        "precision": tp / predicted if predicted else float("nan"),
        "recall": tp / actual if actual else float("nan"),
        "accuracy": right / len(pairs),
        "predicted": predicted,
        "actual": actual,
        "wrong": wrong,
    }


def _page(key: str, publisher: str, claims: list[tuple[Topic, str]]) -> Monograph:
    src = Source(
        id=publisher.lower().replace(" ", "-"),
        publisher=publisher,
        document=f"{key} ({publisher})",
        kind=SourceKind.publisher,
        reviewed=dt.date(2025, 6, 1),
    )
    return Monograph(
        key=key,
        identity=Identity(generic=key, brands=["Humira"]),
        sources=[src],
        claims=[
            Claim(id=f"{src.id}-{i}", topic=t, source=src.id, quote=q, section=None)
            for i, (t, q) in enumerate(claims)
        ],
    )


def ten_documents(svc: Service) -> tuple[str, list[Monograph]]:
    key = "adalimumab"
    docs = [d for d in svc.store.documents_for(key) if d.language == "en"][:8]
    docs.append(
        _page(
            key,
            "Example Health",
            [
                (Topic.storage, "Store the pens in the fridge at 2 to 8 °C."),
                (Topic.storage, "A pen can be kept at room temperature (up to 25 °C) for 14 days."),
                (Topic.missed_dose, "If you miss a dose, skip the missed dose."),
                (Topic.dosing, "Adults with rheumatoid arthritis use 40 mg every other week."),
            ],
        )
    )
    docs.append(
        _page(
            key,
            "Pharmacy Notes",
            [
                (Topic.storage, "Store at room temperature, 15 to 25 °C."),
                (Topic.missed_dose, "If you forget a dose, inject it as soon as you remember."),
                (Topic.breastfeeding, "Do not breast-feed while using adalimumab."),
            ],
        )
    )
    return key, docs


def p50(samples: list[float]) -> float:
    return statistics.median(samples)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--db", default=None, help="store URL (default: a fresh temporary SQLite)")
    ap.add_argument("--pairs-only", action="store_true", help="only the labelled pairs")
    args = ap.parse_args()
    pairs = yaml.safe_load(PAIRS.read_text())["pairs"]
    labels = Counter(p["label"] for p in pairs)

    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        svc = Service.open(url)
        try:
            print(f"labelled pairs: {len(pairs)} ({dict(labels)}) from {PAIRS.name}")
            for name, read in (("hand-read facts", _hand_facts), ("druginfo.facts", _read_facts)):
                r = evaluate(pairs, read, svc.vocab)
                print(
                    f"  {name:16} conflict precision {r['precision']:.2f}  recall "
                    f"{r['recall']:.2f}  (predicted {r['predicted']}, labelled {r['actual']}); "
                    f"all three classes right {r['accuracy']:.2f}"
                )
                for line in r["wrong"]:
                    print(line)
            if args.pairs_only:
                return

            key, docs = ten_documents(svc)
            blobs = [d.model_dump_json() for d in docs]
            baseline: list[float] = []
            cold: list[float] = []
            warm: list[float] = []
            engine: list[float] = []
            report = None
            for _ in range(args.runs):
                t = time.process_time()
                for b in blobs:
                    Monograph.model_validate_json(b)
                baseline.append(time.process_time() - t)
            from druginfo.facts.mentions import MentionFinder
            from druginfo.facts.reading import FactCache

            finder = MentionFinder(svc.vocab, names=svc.store.names())
            cache = FactCache()

            def cached(doc: Monograph) -> list[FactSet]:
                return cache.facts(doc, finder)

            for _ in range(max(2, args.runs // 5)):
                cache = FactCache()
                t = time.process_time()
                reconcile_documents(key, docs, vocab=svc.vocab, today=AS_OF, extract=cached)
                cold.append(time.process_time() - t)
            for _ in range(args.runs):
                t = time.process_time()
                report = reconcile_documents(
                    key, docs, vocab=svc.vocab, today=AS_OF, extract=cached
                )
                warm.append(time.process_time() - t)
            from druginfo.reconcile.reading import class_lookup, read_fact_sets

            sets, _ = read_fact_sets(docs, cached)
            lookup = class_lookup(sets, svc.vocab)
            for _ in range(args.runs):
                t = time.process_time()
                reconcile_facts(
                    key, sets, today=AS_OF, resolve=svc.vocab.resolve, class_lookup=lookup
                )
                engine.append(time.process_time() - t)
            assert report is not None
            base = p50(baseline)
            print(
                f"\nreconcile {key}: {len(docs)} documents, {len(report.sources)} sources, "
                f"{sum(len(s.facts) for s in sets)} facts → {report.counts()}"
            )
            print(f"  baseline (decode the {len(docs)} documents' JSON) p50 {base * 1000:7.1f} ms")
            for name, samples in (
                ("warm (facts cached)", warm),
                ("  of which engine", engine),
                ("cold (reads every sentence)", cold),
            ):
                m = p50(samples)
                print(f"  {name:28} p50 {m * 1000:7.1f} ms  = {m / base:6.1f} × baseline")
            print("  target: ≤ 200 ms")
        finally:
            svc.close()


if __name__ == "__main__":
    main()
