"""The application façade every interface (CLI, web, API, CDS Hooks, FHIR) calls.

It wires the store, the vocabulary and the pure engine together, so that each answer is
computed in one place and every interface presents the same result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from druginfo.model import (
    AdviceResult,
    CheckResult,
    DiaryEntry,
    DrugSummary,
    Feedback,
    Monograph,
    SearchHit,
)
from druginfo.store.base import Store
from druginfo.vocab.base import NameMatch, Vocabulary


class Service:
    def __init__(self, store: Store, vocab: Vocabulary) -> None:
        self.store = store
        self.vocab = vocab

    @classmethod
    def open(cls, db_url: str | None = None) -> Service:
        """Open (and on first use create and fill) the store, and build the vocabulary."""
        raise NotImplementedError

    def resolve(self, name: str) -> NameMatch:
        """Raises UnknownDrug (with suggestions) when the name matches nothing."""
        raise NotImplementedError

    def monograph(self, name: str, language: str | None = None) -> Monograph:
        raise NotImplementedError

    def list_drugs(self) -> list[DrugSummary]:
        raise NotImplementedError

    def search(self, query: str, limit: int = 20, language: str | None = None) -> list[SearchHit]:
        raise NotImplementedError

    def check(
        self, drug: str | None, raw_profile: Mapping[str, Any], today: dt.date | None = None
    ) -> CheckResult:
        """Raises InputError (naming the field) or UnknownDrug."""
        raise NotImplementedError

    def advise(
        self, drug: str, event: str, raw_profile: Mapping[str, Any] | None = None
    ) -> AdviceResult:
        """Raises UnknownEvent, UnknownDrug or InputError."""
        raise NotImplementedError

    def add_diary_entry(self, entry: DiaryEntry) -> DiaryEntry:
        return self.store.add_diary_entry(entry)

    def diary(self, drug: str | None = None) -> list[DiaryEntry]:
        return self.store.diary(drug)

    def add_feedback(self, feedback: Feedback) -> Feedback:
        return self.store.add_feedback(feedback)
