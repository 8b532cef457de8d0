"""The one interface every store backend implements (SQLite by default, PostgreSQL to share).

Interfaces and the engine read through this protocol only; sources write through it during
ingestion. Writes of one document are atomic: a killed ingestion never leaves half a document.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from druginfo.model import (
    ClassEntry,
    DrugSummary,
    Feedback,
    InteractionPair,
    Monograph,
    SearchHit,
)


@dataclass(frozen=True)
class UpsertOutcome:
    """What happened to one document: new, replaced (older version kept in history) or same."""

    status: Literal["inserted", "replaced", "unchanged"]
    key: str


class Store(Protocol):
    def migrate(self) -> None:
        """Create or upgrade the schema to the latest version (idempotent)."""

    def close(self) -> None: ...

    # documents -----------------------------------------------------------------------------
    def upsert_monograph(self, mono: Monograph, *, doc_id: str, checksum: str) -> UpsertOutcome:
        """Insert or atomically replace the document `doc_id` (a source document id such as
        'ema-epi:kineret.en'); an unchanged checksum is a no-op, a changed one moves the old
        version's date into history."""

    def upsert_many(
        self, items: Sequence[tuple[Monograph, str, str] | tuple[Monograph, str, str, str]]
    ) -> list[UpsertOutcome]:
        """Several (monograph, doc_id, checksum[, json]) in ONE transaction: all stored or
        none. `json`, when given, is the text the monograph was just validated from."""

    def document_checksums(self) -> dict[str, str]:
        """doc_id → checksum of every stored document (what a rerun may skip)."""

    def is_empty(self) -> bool:
        """No document stored yet (a new store, to be filled on first use)."""

    def get_monograph(self, key: str, language: str | None = None) -> Monograph | None:
        """The best monograph for a drug key: the curated one first (for its language), else
        the official leaflet/label in `language` (default English, then any)."""

    def documents_for(self, key: str) -> list[Monograph]:
        """Every stored document about a drug key (for reconciliation)."""

    def list_drugs(self) -> list[DrugSummary]: ...

    def names(self) -> Iterable[tuple[str, str]]:
        """(name, key) pairs of every brand, generic and substance name, for name resolution."""

    def search(self, query: str, limit: int = 20, language: str | None = None) -> list[SearchHit]:
        """Name matches first (tolerating misspellings), then full-text hits with a snippet."""

    # interaction tables and classes --------------------------------------------------------
    def add_interactions(self, pairs: Iterable[InteractionPair]) -> int: ...

    def interactions_among(self, generics: list[str]) -> list[InteractionPair]:
        """Every stored pair whose two drugs are both in `generics`."""

    def add_classes(self, entries: Iterable[ClassEntry]) -> int: ...

    def classes_of(self, generic: str) -> list[ClassEntry]:
        """Leaf classification entries naming this substance, with ancestors resolvable by
        `class_entry(code)`."""

    def class_entry(self, code: str, system: str = "atc") -> ClassEntry | None: ...

    def members_of(self, code_prefix: str, system: str = "atc") -> list[ClassEntry]: ...

    # feedback (anonymous; private records: druginfo.store.private) -------------------------
    def add_feedback(self, feedback: Feedback) -> Feedback: ...
