"""Editor notes: the disagreements a curator wrote into a monograph (`conflicts:`).

They are shown beside the computed findings, never instead of them: the computed report must
stand on its own (a test removes the notes), and a note the computation does not echo is a
prompt for the editor to look again.
"""

from __future__ import annotations

from collections.abc import Iterable

from druginfo.model import Monograph
from druginfo.reconcile.documents import SourceDocs, publisher_key
from druginfo.reconcile.model import EditorNote, Finding, NoteQuote

# Claim topics (model.source.Topic) → fact topics they are about.
_FACT_TOPICS: dict[str, tuple[str, ...]] = {
    "dosing": ("dose",),
    "storage": ("storage", "room-temperature"),
    "travel": ("room-temperature",),
    "kidney": ("kidney",),
}


def fact_topics(claim_topic: str) -> tuple[str, ...]:
    return _FACT_TOPICS.get(claim_topic, (claim_topic,))


def editor_notes(curated: Iterable[Monograph], sources: list[SourceDocs]) -> list[EditorNote]:
    notes: list[EditorNote] = []
    for mono in curated:
        src_of = {s.id: s for s in mono.sources}
        for conflict in mono.conflicts:
            quotes = []
            for cid in conflict.claims:
                claim = next((c for c in mono.claims if c.id == cid), None)
                if claim is None:
                    continue
                origin = src_of.get(claim.source)
                report_id = None
                if origin is not None:
                    report_id = next(
                        (
                            s.source.id
                            for s in sources
                            if claim.source in s.source.documents
                            or (
                                publisher_key(s.source.publisher) == publisher_key(origin.publisher)
                                and s.source.date == origin.reviewed
                            )
                        ),
                        None,
                    )
                quotes.append(NoteQuote(claim=cid, source=report_id, quote=claim.quote))
            notes.append(
                EditorNote(
                    topic=conflict.topic.value,
                    note=" ".join(conflict.note.split()),
                    claims=list(conflict.claims),
                    quotes=quotes,
                )
            )
    return notes


def link_notes(notes: list[EditorNote], findings: list[Finding]) -> None:
    """Tie each note to the computed findings on its topic that are not plain agreement, or
    that quote one of its claims."""
    for i, note in enumerate(notes):
        topics = fact_topics(note.topic)
        claims = set(note.claims)
        for f in findings:
            quotes_claim = any(x.claim in claims for x in f.facts if x.claim)
            if quotes_claim or (
                f.topic in topics and f.status in ("conflict", "error", "new-stale")
            ):
                note.findings.append(f.id)
                f.notes.append(i)
