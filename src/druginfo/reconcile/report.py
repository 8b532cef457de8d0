"""Claims per topic across sources: where they agree, conflict, stand alone or have aged.

A reader needs to know not only what a source says but whether the other sources back it and
whether it is still current. Conflicts come from two places: numbers that disagree (found
automatically) and disagreements a curator recorded in the monograph (`Monograph.conflicts`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, Field

from druginfo.model import Claim, Monograph, Source, SourceKind
from druginfo.reconcile.facts import disagreements, extract_facts

Status = Literal["agree", "conflict", "only-one-source", "stale"]

STALE_AFTER_YEARS = 5


class SourceStatus(BaseModel):
    id: str
    publisher: str
    document: str
    kind: str
    reviewed: dt.date | None
    stale: bool
    why_stale: str | None = None


class TopicQuote(BaseModel):
    source: str
    claim: str
    quote: str


class TopicReport(BaseModel):
    topic: str
    status: Status
    sources: list[str]
    quotes: list[TopicQuote]
    differences: list[str] = Field(default_factory=list)


class ReconcileReport(BaseModel):
    drug: str
    as_of: dt.date
    sources: list[SourceStatus]
    topics: list[TopicReport]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for t in self.topics:
            out[t.status] = out.get(t.status, 0) + 1
        return out


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _source_key(src: Source) -> str:
    """The same document reached twice (the curated monograph quotes the EU leaflet that is
    also ingested on its own) shares publisher, kind, date and language, whatever its title."""
    return f"{src.publisher}|{src.kind.value}|{src.reviewed}|{src.language}"


def reconcile(
    drug: str, documents: list[Monograph], *, language: str = "en", today: dt.date | None = None
) -> ReconcileReport:
    as_of = today or dt.date.today()
    sources: dict[str, Source] = {}
    claims: dict[str, Claim] = {}
    seen_quotes: set[tuple[str, str]] = set()
    alias: dict[str, str] = {}
    curated_conflicts = []
    for doc in documents:
        if doc.language != language:
            continue
        for src in doc.sources:
            key = _source_key(src)
            canonical = next((s.id for s in sources.values() if _source_key(s) == key), src.id)
            sources.setdefault(canonical, src)
            alias[f"{doc.key}|{doc.language}|{src.id}"] = canonical
        for c in doc.claims:
            sid = alias.get(f"{doc.key}|{doc.language}|{c.source}", c.source)
            if (sid, _norm(c.quote)) in seen_quotes:
                continue
            seen_quotes.add((sid, _norm(c.quote)))
            claims[c.id] = c.model_copy(update={"source": sid})
        curated_conflicts.extend(doc.conflicts)

    newest_label = max(
        (s.reviewed for s in sources.values() if s.kind == SourceKind.label and s.reviewed),
        default=None,
    )
    statuses = {sid: _source_status(src, newest_label, as_of) for sid, src in sources.items()}

    by_topic: dict[str, list[Claim]] = {}
    for c in claims.values():
        by_topic.setdefault(c.topic.value, []).append(c)

    topics: list[TopicReport] = []
    for topic in sorted(by_topic):
        topic_claims = by_topic[topic]
        per_source: dict[str, list[Claim]] = {}
        for c in topic_claims:
            per_source.setdefault(c.source, []).append(c)
        differences = _numeric_differences(per_source, sources)
        differences += [
            f"{conf.note} ({', '.join(conf.claims)})"
            for conf in curated_conflicts
            if conf.topic.value == topic
        ]
        if differences:
            status: Status = "conflict"
        elif len(per_source) == 1:
            status = "only-one-source"
        elif all(statuses[sid].stale for sid in per_source):
            status = "stale"
        else:
            status = "agree"
        if status == "only-one-source" and all(statuses[sid].stale for sid in per_source):
            status = "stale"
        topics.append(
            TopicReport(
                topic=topic,
                status=status,
                sources=sorted(per_source),
                quotes=[
                    TopicQuote(source=c.source, claim=c.id, quote=c.quote) for c in topic_claims
                ],
                differences=differences,
            )
        )
    return ReconcileReport(drug=drug, as_of=as_of, sources=list(statuses.values()), topics=topics)


def _source_status(src: Source, newest_label: dt.date | None, as_of: dt.date) -> SourceStatus:
    why: str | None = None
    if src.reviewed is None:
        why = "no review date given"
    elif (as_of - src.reviewed).days > 365 * STALE_AFTER_YEARS:
        why = f"last reviewed {src.reviewed.isoformat()}, more than {STALE_AFTER_YEARS} years ago"
    elif newest_label and src.kind != SourceKind.label and src.reviewed < newest_label:
        why = f"reviewed before the newest official label ({newest_label.isoformat()})"
    return SourceStatus(
        id=src.id,
        publisher=src.publisher,
        document=src.document,
        kind=src.kind.value,
        reviewed=src.reviewed,
        stale=why is not None,
        why_stale=why,
    )


def _numeric_differences(
    per_source: dict[str, list[Claim]], sources: dict[str, Source]
) -> list[str]:
    ids = sorted(per_source)
    facts = {sid: [f for c in per_source[sid] for f in extract_facts(c.quote)] for sid in ids}
    out: list[str] = []
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            for fa, fb in disagreements(facts[a], facts[b]):
                out.append(
                    f"{sources[a].publisher} says {fa.text!r}, "
                    f"{sources[b].publisher} says {fb.text!r} ({fa.dimension})"
                )
    return out
