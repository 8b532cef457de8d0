"""Normalised facts from any document: one set of readers for leaflets, labels, pages and
curated data (doses, intervals, course lengths, populations, temperatures, stances, missed-dose
actions, and the medicines, vaccines and conditions a statement names).

The readers are imported on first use: a parser that only needs `facts.topics` (the ingest's
worker processes: facts are read when a document is checked, not when it is stored) does not
pay ~70 ms for compiling every reader's expressions."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from druginfo.facts.documents import document_kind, extract_facts
    from druginfo.facts.extract import facts_from_text

__all__ = ["document_kind", "extract_facts", "facts_from_text"]

_HOMES = {
    "document_kind": "druginfo.facts.documents",
    "extract_facts": "druginfo.facts.documents",
    "facts_from_text": "druginfo.facts.extract",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
