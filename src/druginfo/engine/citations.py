"""From the engine's references to the short citation keys (S1, S2, ...) every answer shows.

Engine functions cite with *references*: a monograph claim id, `source:<id>` for a monograph
source as a whole (used when a document has no structured claim to point at), or the id of an
`Evidence` entry for words that live outside the monograph (a vocabulary's class list, an
interaction table). `Citations` turns references into S-keys in order of first use, so the
same quote always has the same key within one answer.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Mapping

from druginfo.engine import memo
from druginfo.model import Monograph, Source, SourceRef, Topic

Evidence = dict[str, SourceRef]

SOURCE_PREFIX = "source:"


def source_ref(source: Source, quote: str, topic: str | None = None) -> SourceRef:
    return SourceRef(
        publisher=source.publisher,
        document=source.document,
        quote=quote,
        reviewed=source.reviewed,
        kind=source.kind.value,
        url=source.url,
        topic=topic,
        claim=None,
    )


@functools.lru_cache(maxsize=8192)
def external(source: Source, quote: str, topic: str | None, kind: str) -> tuple[str, SourceRef]:
    """An evidence entry for words outside the monograph, with a reference id stable per quote.

    Remembered (the same class memberships and leaflet sentences are cited on every check);
    the SourceRef is shared, so it is never changed once made."""
    digest = hashlib.sha1(f"{source.id}\n{quote}".encode()).hexdigest()[:12]
    return f"{kind}:{source.id}:{digest}", source_ref(source, quote, topic)


def whole_source(source: Source) -> str:
    return f"{SOURCE_PREFIX}{source.id}"


def resolve(mono: Monograph, ref: str, evidence: Mapping[str, SourceRef]) -> SourceRef:
    """The quoted evidence behind one reference; KeyError for a reference nobody defined."""
    if ref in evidence:
        return evidence[ref]
    return _document_ref(mono, ref)


@memo.by_identity()
def _document_refs_made(mono: Monograph) -> dict[str, SourceRef]:
    """The document's references resolved so far (filled as they are cited, once each)."""
    return {}


def _document_ref(mono: Monograph, ref: str) -> SourceRef:
    try:
        claim = mono.claim(ref)
    except KeyError:
        if ref.startswith(SOURCE_PREFIX):
            source = mono.source(ref.removeprefix(SOURCE_PREFIX))
            return source_ref(source, source.document, None)
        raise
    source = mono.source(claim.source)
    return SourceRef(
        publisher=source.publisher,
        document=source.document,
        quote=claim.quote,
        reviewed=source.reviewed,
        kind=source.kind.value,
        url=source.url,
        topic=claim.topic.value,
        claim=claim.id,
    )


def fallback_refs(mono: Monograph, topics: Iterable[Topic | str] = ()) -> list[str]:
    wanted = frozenset(t.value if isinstance(t, Topic) else t for t in topics)
    return list(_fallback_refs(mono, wanted))


@memo.by_identity()
def _fallback_refs(mono: Monograph, wanted: frozenset[str]) -> tuple[str, ...]:
    """What to cite when no rule speaks to a question: the monograph's own words on the topic.

    Preference: claims on the topics from a label, then from any source, then any label claim,
    then any claim, then the first source as a whole. Empty only for a monograph without
    sources, which the model does not allow to be useful.
    """
    kinds = {s.id: s.kind.value for s in mono.sources}
    on_topic = [c for c in mono.claims if c.topic.value in wanted]
    for pool in (
        [c for c in on_topic if kinds.get(c.source) == "label"],
        on_topic,
        [c for c in mono.claims if kinds.get(c.source) == "label"],
        list(mono.claims),
    ):
        if pool:
            return (pool[0].id,)
    label = [s for s in mono.sources if s.kind.value == "label"]
    first = (label or mono.sources)[:1]
    return tuple(whole_source(s) for s in first)


def document_refs(mono: Monograph, topics: Iterable[Topic | str], per_topic: int = 3) -> list[str]:
    """Cite a whole monograph on a topic: its first few claims on the topic, and every source
    that those claims do not already stand for (as `source:<id>`)."""
    wanted = frozenset(t.value if isinstance(t, Topic) else t for t in topics)
    return list(_document_refs(mono, wanted, per_topic))


@memo.by_identity()
def _document_refs(mono: Monograph, wanted: frozenset[str], per_topic: int) -> tuple[str, ...]:
    claims = [c for c in mono.claims if c.topic.value in wanted][:per_topic]
    covered = {c.source for c in claims}
    return tuple(
        [c.id for c in claims] + [whole_source(s) for s in mono.sources if s.id not in covered]
    )


class Citations:
    """Assigns S-keys in order of first use and keeps the evidence behind each."""

    def __init__(self, mono: Monograph, evidence: Mapping[str, SourceRef] | None = None) -> None:
        self.mono = mono
        self.evidence: dict[str, SourceRef] = dict(evidence or {})
        self._keys: dict[str, str] = {}
        self.sources: dict[str, SourceRef] = {}
        self._made = _document_refs_made(mono)

    def add_evidence(self, evidence: Mapping[str, SourceRef]) -> None:
        self.evidence.update(evidence)

    def _resolve(self, ref: str) -> SourceRef:
        """`resolve`, with the document's own references made once per document."""
        if ref in self.evidence:
            return self.evidence[ref]
        made = self._made.get(ref)
        if made is None:
            made = self._made[ref] = _document_ref(self.mono, ref)
        return made

    def cite(self, refs: Iterable[str]) -> list[str]:
        keys: list[str] = []
        for ref in refs:
            key = self._keys.get(ref)
            if key is None:
                ref_obj = self._resolve(ref)
                key = f"S{len(self._keys) + 1}"
                self._keys[ref] = key
                self.sources[key] = ref_obj
            if key not in keys:
                keys.append(key)
        return keys
