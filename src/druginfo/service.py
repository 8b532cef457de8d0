"""The application façade every interface (CLI, web, API, CDS Hooks, FHIR) calls.

It wires the store, the vocabulary and the pure engine together, so that each answer is
computed in one place and every interface presents the same result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from druginfo.engine import advise as engine_advise
from druginfo.engine import check as engine_check
from druginfo.engine import parse_profile
from druginfo.errors import InputError, UnknownDrug
from druginfo.ingest import curated_checksum
from druginfo.model import (
    AdviceResult,
    CheckResult,
    DiaryEntry,
    DrugSummary,
    Feedback,
    Monograph,
    SearchHit,
    Source,
)
from druginfo.model.facts import FactsReport
from druginfo.reconcile import ReconcileReport, reconcile
from druginfo.sources.curated import curated_keys, load_curated
from druginfo.sources.ddinter import DDINTER_SOURCE
from druginfo.store import open_store
from druginfo.store.base import Store
from druginfo.vocab import Vocab
from druginfo.vocab.base import NameMatch, Vocabulary

# Interaction tables the engine may cite, by the source id stored with each pair.
TABLE_SOURCES: dict[str, Source] = {DDINTER_SOURCE.id: DDINTER_SOURCE}


class Service:
    def __init__(self, store: Store, vocab: Vocabulary) -> None:
        self.store = store
        self.vocab = vocab
        self._fact_cache: Any = None  # druginfo.facts.reading.FactCache, built on first use
        self._finder: Any = None

    @classmethod
    def open(cls, db_url: str | None = None, *, progress: bool = False) -> Service:
        """Open the store (filling an empty one with the bundled data, whichever URL names it,
        since a site or a check over an empty store helps nobody), bring the curated
        monographs up to this version's data, and teach the vocabulary the store's names."""
        store = open_store(db_url, progress=progress, bootstrap=True)
        refresh_curated(store)
        return cls(store, build_vocab(store))

    def close(self) -> None:
        self.store.close()

    def resolve(self, name: str) -> NameMatch:
        cleaned = name.strip()
        if not cleaned:
            raise InputError("drug", "a medicine name is required")
        match = self.vocab.resolve(cleaned)
        if match is None:
            raise UnknownDrug(cleaned, self.vocab.suggest(cleaned))
        return match

    def monograph(
        self, name: str, language: str | None = None, brand: str | None = None
    ) -> Monograph:
        """The monograph for a name; a brand name (or `brand`) picks that product's own
        document when several products share one substance (Humira is not Amsparity)."""
        match = self.resolve(name)
        wanted = brand or (match.matched if match.matched.lower() != match.key else None)
        if wanted:
            pick = best_document(self.brand_documents(match.key, wanted), language)
            if pick is not None:
                return pick
        mono = self.store.get_monograph(match.key, language)
        if mono is None:
            raise UnknownDrug(name, self.vocab.suggest(name))
        return mono

    def brand_documents(self, key: str, brand: str) -> list[Monograph]:
        """The documents of one product (brand) of a substance, in the store's order."""
        wanted = brand.lower()
        return [
            d
            for d in self.store.documents_for(key)
            if wanted in (b.lower() for b in d.identity.brands)
        ]

    def documents(self, name: str) -> list[Monograph]:
        return self.store.documents_for(self.resolve(name).key)

    def list_drugs(self) -> list[DrugSummary]:
        return self.store.list_drugs()

    def search(self, query: str, limit: int = 20, language: str | None = None) -> list[SearchHit]:
        if not query.strip():
            raise InputError("q", "type something to search for")
        if not 1 <= limit <= 200:
            raise InputError("limit", "limit must be between 1 and 200")
        hits = self.store.search(query, limit=limit, language=language)
        return with_vocabulary_name(hits, self.vocab.resolve(query.strip()), self.store, limit)

    def check(
        self, drug: str | None, raw_profile: Mapping[str, Any], today: dt.date | None = None
    ) -> CheckResult:
        if not isinstance(raw_profile, Mapping):
            raise InputError("profile", "the profile must be an object of fields")
        raw = dict(raw_profile)
        profile_drug = raw.pop("drug", None)
        name = drug or profile_drug
        if not name or not isinstance(name, str):
            raise InputError("drug", "name the medicine to check (for example --drug anakinra)")
        mono = self.monograph(name, "en")
        profile = parse_profile(raw)
        pairs = self._table_interactions(mono.key, profile.medications)
        return engine_check(
            mono,
            profile,
            self.vocab,
            interactions=pairs,
            interaction_sources=TABLE_SOURCES,
            today=today,
        )

    def advise(
        self, drug: str, event: str, raw_profile: Mapping[str, Any] | None = None
    ) -> AdviceResult:
        mono = self.monograph(drug, "en")
        profile = None
        if raw_profile is not None:
            raw = dict(raw_profile)
            raw.pop("drug", None)
            profile = parse_profile(raw)
        return engine_advise(mono, event, profile, self.vocab)

    def reconcile(self, name: str, today: dt.date | None = None) -> ReconcileReport:
        match = self.resolve(name)
        docs = self.store.documents_for(match.key)
        if not docs:
            raise UnknownDrug(name, self.vocab.suggest(name))
        return reconcile(match.key, docs, today=today)

    def facts(self, name: str) -> FactsReport:
        """Normalised facts of every stored document about a medicine, computed on read and
        cached by each document's fingerprint (see druginfo.facts.reading)."""
        from druginfo.facts.mentions import MentionFinder
        from druginfo.facts.reading import FactCache, report_for

        match = self.resolve(name)
        docs = self.store.documents_for(match.key)
        if not docs:
            raise UnknownDrug(name, self.vocab.suggest(name))
        if self._fact_cache is None:
            self._fact_cache = FactCache()
            self._finder = MentionFinder(self.vocab, names=self.store.names())
        return report_for(match.key, docs, cache=self._fact_cache, finder=self._finder)

    def add_diary_entry(self, entry: DiaryEntry) -> DiaryEntry:
        return self.store.add_diary_entry(entry)

    def diary(self, drug: str | None = None) -> list[DiaryEntry]:
        return self.store.diary(drug)

    def add_feedback(self, feedback: Feedback) -> Feedback:
        return self.store.add_feedback(feedback)

    def _table_interactions(self, key: str, medications: list[str]) -> list[Any]:
        """Pairs from interaction tables between the checked drug and the person's medicines."""
        others = []
        for med in medications:
            match = self.vocab.resolve_medication(med)
            if match is not None and match.key != key:
                others.append(match.key)
        if not others:
            return []
        pairs = self.store.interactions_among([key, *others])
        return [p for p in pairs if key in (p.drug_a, p.drug_b)]


def with_vocabulary_name(
    hits: list[SearchHit], match: NameMatch | None, store: Store, limit: int
) -> list[SearchHit]:
    """A brand the vocabulary knows but no stored document is named by (Enbrel, when only
    its biosimilars' leaflets are loaded) still finds its substance's documents, first: an
    exact name is the strongest signal a query can give."""
    if match is None or not match.exact:
        return hits
    if any(h.match == "name" and h.key == match.key for h in hits):
        return hits
    docs = store.documents_for(match.key)
    if not docs:
        return hits
    found = SearchHit(
        key=match.key,
        name=match.display,
        language=docs[0].language,
        snippet=f"{match.matched} contains {match.key}",
        score=100.0,
        match="name",
    )
    return [found, *hits][:limit]


def best_document(docs: list[Monograph], language: str | None) -> Monograph | None:
    """Curated data first, in the language asked for (English when none), then any language."""
    lang = language or "en"

    def rank(doc: Monograph) -> tuple[int, int]:
        return (
            0 if doc.language == lang else 1 if language is None else 2,
            0 if doc.curated else 1,
        )

    ranked = sorted(docs, key=rank)
    if not ranked or (language is not None and ranked[0].language != language):
        return None
    return ranked[0]


def refresh_curated(store: Store) -> None:
    """Curated data ships with the package: an upgraded package must not serve stale rules.

    Unchanged monographs are a checksum comparison, so this is cheap on every start.
    """
    for key in curated_keys():
        mono = load_curated(key)
        store.upsert_monograph(mono, doc_id=f"curated:{key}", checksum=curated_checksum(mono))


def build_vocab(store: Store) -> Vocab:
    """The bundled vocabulary, extended with every name and ATC class the store has learned."""
    vocab = Vocab.bundled()
    vocab.extend_names(store.names())
    atc = store.members_of("", "atc")
    if atc:
        from druginfo.sources.atc import ATC_SOURCE

        vocab.extend_from_atc(atc, ATC_SOURCE)
    return vocab
