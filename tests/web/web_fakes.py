"""A stand-in Service for testing the web layer on its own, built from real data.

It serves the curated anakinra monograph (the bundled YAML) and real EMA leaflets (parsed here
in the simplest way), so pages render real claims and sources. Its `check` is a deliberately
small dose calculation: the pages are under test here, not the engine, which has its own tests
and is exercised through the real Service in test_real_service.py and the browser test.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lxml import html as lxml_html
from rapidfuzz import fuzz, process

from druginfo.errors import InputError, UnknownDrug, UnknownEvent
from druginfo.model import (
    EVENTS,
    AdviceResult,
    AdviceStep,
    Alert,
    CheckResult,
    DrugRef,
    DrugSummary,
    Feedback,
    Identity,
    MonitoringItem,
    Monograph,
    Regimen,
    SearchHit,
    Section,
    Source,
    SourceKind,
    SourceRef,
    Topic,
)
from druginfo.service import Service
from druginfo.sources.curated import load_curated
from druginfo.store.private import PrivateRecords
from druginfo.store.sqlite import SqliteStore
from druginfo.vocab.base import NameMatch

LEAFLET_TOPICS = {
    "1": Topic.indication,
    "2": Topic.contraindication,
    "3": Topic.administration,
    "4": Topic.side_effect,
    "5": Topic.storage,
    "6": Topic.product,
}


def leaflet(path: Path, key: str, brand: str) -> Monograph:
    """An EMA ePI bundle as an ingested monograph: numbered sections only, no rules."""
    bundle = json.loads(path.read_text(encoding="utf-8"))
    comp = bundle["entry"][0]["resource"]
    language = comp.get("language", "en")
    source = Source(
        id=f"ema-epi-{brand.lower()}-{language}",
        publisher="European Medicines Agency",
        document=f"{brand} package leaflet ({language})",
        kind=SourceKind.label,
        reviewed=dt.date.fromisoformat(comp["date"][:10]),
        language=language,
        acknowledgement="Source: European Medicines Agency",
    )
    sections: list[Section] = []

    def walk(node: Mapping[str, Any]) -> None:
        for sub in node.get("section", []):
            title = " ".join(str(sub.get("title", "")).split())
            number = title.split(".", 1)[0].strip()
            if number in LEAFLET_TOPICS:
                div = sub.get("text", {}).get("div", "")
                text = (
                    "\n".join(
                        " ".join(t.split())
                        for t in lxml_html.fromstring(div).itertext()
                        if t.strip()
                    )
                    if div.strip()
                    else ""
                )
                if text:
                    sections.append(Section(topic=LEAFLET_TOPICS[number], title=title, text=text))
            walk(sub)

    walk(comp)
    return Monograph(
        key=key,
        identity=Identity(generic=key, brands=[brand]),
        language=language,
        document_date=source.reviewed,
        sources=[source],
        sections=sections,
    )


@functools.cache
def _documents(data_dir: Path) -> tuple[Monograph, ...]:
    """In the store's order: curated first, then English, then other languages."""
    epi = data_dir / "ema-epi"
    return (
        load_curated("anakinra"),
        leaflet(epi / "humira.en.json", "adalimumab", "Humira"),
        leaflet(epi / "amsparity.en.json", "adalimumab", "Amsparity"),
        leaflet(epi / "humira.da.json", "adalimumab", "Humira"),
    )


class FakeService:
    def __init__(self, data_dir: Path) -> None:
        self.all_docs = _documents(data_dir)
        # People's records live in a real (in-memory) store: their isolation is what's tested.
        self.private = PrivateRecords(SqliteStore(":memory:"))
        self.feedback: list[Feedback] = []
        self.names: dict[str, str] = {}
        for mono in self.all_docs:
            self.names[mono.key] = mono.key
            for brand in mono.identity.brands:
                self.names[brand.lower()] = mono.key

    # names -----------------------------------------------------------------------------
    def _display(self, key: str) -> str:
        mono = next(d for d in self.all_docs if d.key == key)
        brand = mono.identity.brands[0] if mono.identity.brands else None
        return f"{brand} ({key})" if brand else key

    def resolve(self, name: str) -> NameMatch:
        text = name.strip().lower()
        if not text:
            raise InputError("drug", "a medicine name is required")
        if text in self.names:
            key = self.names[text]
            known = next(
                (b for d in self.all_docs for b in d.identity.brands if b.lower() == text), key
            )
            return NameMatch(key=key, matched=known, display=self._display(key))
        best = process.extractOne(text, list(self.names), scorer=fuzz.ratio)
        if best and best[1] >= 80:
            key = self.names[best[0]]
            return NameMatch(
                key=key, matched=best[0], display=self._display(key), score=best[1], exact=False
            )
        raise UnknownDrug(name, self.suggest(name))

    def suggest(self, name: str) -> list[str]:
        found = process.extract(name.lower(), list(self.names), scorer=fuzz.ratio, limit=3)
        return [n for n, score, _ in found if score >= 50]

    def monograph(self, name: str, language: str | None = None) -> Monograph:
        key = self.resolve(name).key
        for mono in self.all_docs:
            if mono.key == key and mono.language == (language or "en"):
                return mono
        raise UnknownDrug(name, [])

    def documents(self, name: str) -> list[Monograph]:
        key = self.resolve(name).key
        return [d for d in self.all_docs if d.key == key]

    def brand_documents(self, key: str, brand: str) -> list[Monograph]:
        wanted = brand.lower()
        return [
            d
            for d in self.all_docs
            if d.key == key and wanted in (b.lower() for b in d.identity.brands)
        ]

    # The page's product choice is the real service's, over these documents.
    def leaflet_siblings(self, mono: Monograph) -> list[Monograph]:
        return Service.leaflet_siblings(self, mono)  # type: ignore[arg-type]

    def choose_leaflet(
        self, docs: list[Monograph], age_years: float | None = None, leaflet: str | None = None
    ) -> Monograph | None:
        return Service.choose_leaflet(self, docs, age_years, leaflet)  # type: ignore[arg-type]

    def list_drugs(self) -> list[DrugSummary]:
        out = []
        for key in sorted({d.key for d in self.all_docs}):
            docs = self.documents(key)
            out.append(
                DrugSummary(
                    key=key,
                    name=self._display(key),
                    generic=key,
                    brands=sorted({b for d in docs for b in d.identity.brands}),
                    languages=sorted({d.language for d in docs}),
                    curated=any(d.curated for d in docs),
                )
            )
        return out

    def search(self, q: str, limit: int = 20, language: str | None = None) -> list[SearchHit]:
        if not q.strip():
            raise InputError("q", "type something to search for")
        needle = q.lower()
        hits: list[SearchHit] = []
        for mono in self.all_docs:
            key, lang = mono.key, mono.language
            if language and lang != language:
                continue
            texts = [(c.section, c.quote) for c in mono.claims] + [
                (s.title, s.text) for s in mono.sections
            ]
            for section, text in texts:
                at = text.lower().find(needle)
                if at >= 0:
                    hits.append(
                        SearchHit(
                            key=key,
                            name=self._display(key),
                            language=lang,
                            section=section,
                            snippet=text[max(0, at - 60) : at + 80],
                        )
                    )
                    break
        return hits[:limit]

    # engine-backed answers ---------------------------------------------------------------
    def check(self, drug: str | None, raw_profile: Mapping[str, Any]) -> CheckResult:
        mono = self.monograph(drug or "", "en")
        ref = DrugRef(generic=mono.identity.generic, brands=mono.identity.brands)
        weight = None
        if raw_profile.get("weight_kg") is not None:
            m = re.fullmatch(r"\s*(-?[\d.]+)\s*(kg|lb)?\s*", str(raw_profile["weight_kg"]))
            if not m:
                raise InputError("weight_kg", "not a weight")
            weight = float(m.group(1)) * (0.45359237 if m.group(2) == "lb" else 1)
            if not 0.3 <= weight <= 400:
                raise InputError("weight_kg", "a weight between 0.3 and 400 kg is needed")
        indication = mono.indication(str(raw_profile.get("indication") or ""))
        if indication is None:
            return CheckResult(
                drug=ref,
                decision="cannot-decide",
                alerts=[
                    Alert(
                        kind="cannot-decide",
                        trigger="indication",
                        severity="high",
                        title="Indication needed",
                        detail="Say what it is for.",
                        field="indication",
                    )
                ],
            )
        age = raw_profile.get("age_years")
        rules = [
            r
            for r in mono.dose_rules
            if r.indication == indication.id
            and (r.age_min_years is None or (age is not None and age >= r.age_min_years))
        ]
        rule = rules[0]
        sources: dict[str, SourceRef] = {}

        def cite(claim_id: str) -> str:
            claim = mono.claim(claim_id)
            src = mono.source(claim.source)
            key = f"S{len(sources) + 1}"
            sources[key] = SourceRef(
                publisher=src.publisher,
                document=src.document,
                quote=claim.quote,
                reviewed=src.reviewed,
            )
            return key

        if rule.basis == "fixed":
            dose = rule.dose_mg
        else:
            assert weight is not None and rule.start_mg_per_kg_min is not None
            dose = rule.start_mg_per_kg_min * weight
        product = next(p for p in mono.products if p.id == rule.product)
        volume = round((dose or 0) / product.strength_mg * product.volume_ml, 2)
        regimen = Regimen(
            dose_mg=dose,
            every_hours=rule.every_hours,
            volume_ml=volume,
            route=rule.route,
            indication=indication.id,
            sources=[cite(rule.claims[0])],
        )
        alerts: list[Alert] = []
        allergies = " ".join(raw_profile.get("allergies", [])).lower()
        for rule_ in mono.screening:
            terms = rule_.match.allergies_any
            if terms and any(t.lower() in allergies for t in terms):
                alerts.append(
                    Alert(
                        kind=rule_.kind,
                        trigger=rule_.trigger,
                        severity=rule_.severity,
                        title=rule_.title,
                        detail=rule_.detail,
                        sources=[cite(rule_.claims[0])],
                    )
                )
        alerts.append(
            Alert(
                kind="warning",
                trigger="low-test",
                severity="low",
                title="A low one",
                detail="Listed to check ordering.",
            )
        )
        alerts.reverse()
        start = dt.date.fromisoformat(raw_profile.get("start_date") or "2026-12-01")
        monitoring = [
            MonitoringItem(
                test=m.test,
                due=start + dt.timedelta(days=30 * i),
                why=m.why,
                sources=[cite(m.claims[0])],
            )
            for i, m in enumerate(mono.monitoring[:3])
        ]
        decision = "do-not-use" if any(a.severity == "high" for a in alerts) else "ok"
        return CheckResult(
            drug=ref,
            decision=decision,
            regimen=regimen,
            alerts=alerts,
            monitoring=monitoring,
            sources=sources,
        )

    def advise(
        self, drug: str, event: str, raw_profile: Mapping[str, Any] | None = None
    ) -> AdviceResult:
        mono = self.monograph(drug, "en")
        if event not in EVENTS:
            raise UnknownEvent(event, list(EVENTS))
        advice = mono.event(event)
        if advice is None:
            raise UnknownEvent(event, [e.event for e in mono.events])
        sources: dict[str, SourceRef] = {}
        steps = []
        for step in advice.steps:
            keys = []
            for claim_id in step.claims:
                claim = mono.claim(claim_id)
                src = mono.source(claim.source)
                key = f"S{len(sources) + 1}"
                sources[key] = SourceRef(
                    publisher=src.publisher,
                    document=src.document,
                    quote=claim.quote,
                    reviewed=src.reviewed,
                )
                keys.append(key)
            steps.append(AdviceStep(text=step.text, sources=keys))
        return AdviceResult(
            drug=DrugRef(generic=mono.identity.generic, brands=mono.identity.brands),
            event=event,
            urgency=advice.urgency,
            steps=steps,
            sources=sources,
        )

    # records -----------------------------------------------------------------------------
    def add_feedback(self, feedback: Feedback) -> Feedback:
        saved = feedback.model_copy(update={"id": len(self.feedback) + 1})
        self.feedback.append(saved)
        return saved
