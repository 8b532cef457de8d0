"""What every source parser yields, so ingestion can treat all formats alike.

Parsers stream: they yield one record per document (or per batch of table rows) and never hold
a whole corpus in memory. A record that cannot be parsed becomes a `Broken` record, reported
and skipped by the ingester, never half-written.
"""

from __future__ import annotations

from dataclasses import dataclass

from druginfo.model import ClassEntry, InteractionPair, Monograph


@dataclass(frozen=True)
class ParsedDocument:
    doc_id: str  # stable per source document and language, e.g. 'ema-epi:kineret.en'
    checksum: str  # of the raw bytes; unchanged checksum → nothing to do
    monograph: Monograph
    origin: str  # file (and member, for zips) it came from
    json: str | None = None  # the monograph's JSON when it was just validated from it
    # True when the parser built the monograph from validated parts only (pydantic
    # constructors, never model_copy(update=...) or model_construct): its JSON then loads
    # back as it is, and the store need not validate it a second time from that JSON.
    validated: bool = False


@dataclass(frozen=True)
class InteractionBatch:
    pairs: list[InteractionPair]
    origin: str


@dataclass(frozen=True)
class ClassBatch:
    entries: list[ClassEntry]
    origin: str


@dataclass(frozen=True)
class Broken:
    origin: str
    reason: str


Record = ParsedDocument | InteractionBatch | ClassBatch | Broken
