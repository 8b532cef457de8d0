"""Normalised facts from any document: one set of readers for leaflets, labels, pages and
curated data (doses, intervals, course lengths, populations, temperatures, stances, missed-dose
actions, and the medicines, vaccines and conditions a statement names)."""

from druginfo.facts.documents import document_kind, extract_facts
from druginfo.facts.extract import facts_from_text

__all__ = ["document_kind", "extract_facts", "facts_from_text"]
