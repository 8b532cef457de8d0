"""Facts on read, cached by document fingerprint; and facts of a file that is not stored.

Extraction costs about 0.5 ms a statement, ~100 ms for an EU leaflet: 7x the leaflet's parse
(bench/extract.py --cost), too much to add to the ingestion of thousands of documents for facts
most are never asked for, and cheap enough on read. The
cache key is a digest of the document itself (its sources and claims), so a re-ingested,
changed document is never answered from a stale entry.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path

from druginfo.errors import InputError
from druginfo.facts.documents import extract_facts
from druginfo.facts.mentions import MentionFinder, default_finder
from druginfo.model import Monograph
from druginfo.model.facts import FactSet, FactsReport


def fingerprint(mono: Monograph) -> str:
    """Digest of what facts are read from: the document's sources, identity and claims."""
    h = hashlib.sha256()
    h.update(mono.key.encode())
    h.update(b"\x00curated" if mono.curated else b"\x00read")
    for s in mono.sources:
        h.update(s.model_dump_json().encode())
    h.update(mono.identity.model_dump_json(include={"generic", "brands", "substances"}).encode())
    for c in mono.claims:
        h.update(f"\x00{c.id}\x01{c.topic}\x01{c.section}\x01{c.source}\x01{c.quote}".encode())
    return h.hexdigest()


class FactCache:
    """A bounded, thread-safe LRU of FactSets by document fingerprint."""

    def __init__(self, maxsize: int = 512) -> None:
        self._items: OrderedDict[str, list[FactSet]] = OrderedDict()
        self._maxsize = maxsize
        self._lock = threading.Lock()

    def facts(self, mono: Monograph, finder: MentionFinder) -> list[FactSet]:
        key = fingerprint(mono)
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit
        sets = extract_facts(mono, finder=finder)
        with self._lock:
            self._items[key] = sets
            while len(self._items) > self._maxsize:
                self._items.popitem(last=False)
        return sets


def report_for(
    medicine: str,
    documents: Iterable[Monograph],
    *,
    cache: FactCache | None = None,
    finder: MentionFinder | None = None,
) -> FactsReport:
    finder = finder or default_finder()
    sets: list[FactSet] = []
    for doc in documents:
        sets.extend(cache.facts(doc, finder) if cache else extract_facts(doc, finder=finder))
    return FactsReport(medicine=medicine, documents=sets)


def report_for_path(path: Path, *, finder: MentionFinder | None = None) -> FactsReport:
    """Facts of every document in a file (or folder) read without storing it.

    A record that cannot be read is an input error naming the reason, as for ingestion.
    """
    from druginfo.sources.base import Broken, ParsedDocument
    from druginfo.sources.detect import iter_records

    if not path.exists():
        raise InputError("path", f"no such file or folder: {path}")
    docs: list[Monograph] = []
    problems: list[str] = []
    for record in iter_records([path]):
        if isinstance(record, ParsedDocument):
            docs.append(record.monograph)
        elif isinstance(record, Broken):
            problems.append(f"{record.origin}: {record.reason}")
    if not docs:
        reason = "; ".join(problems) if problems else "no document found"
        raise InputError("path", f"cannot read facts from {path}: {reason}")
    medicine = docs[0].key if len({d.key for d in docs}) == 1 else "several"
    return report_for(medicine, docs, finder=finder)
