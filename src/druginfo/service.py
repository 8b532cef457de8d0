"""The application façade every interface (CLI, web, API, CDS Hooks, FHIR) calls.

It wires the store, the vocabulary and the pure engine together, so that each answer is
computed in one place and every interface presents the same result.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from druginfo.errors import AmbiguousName, InputError, NoDocument, UnknownDrug
from druginfo.model import (
    AdviceResult,
    CheckResult,
    DrugSummary,
    Feedback,
    Monograph,
    ProductChoice,
    SearchHit,
    Source,
)
from druginfo.sources.curated import curated_fingerprint, curated_keys, load_curated
from druginfo.store import open_store
from druginfo.store.base import Store
from druginfo.vocab import Vocab
from druginfo.vocab.base import NameMatch, Vocabulary

if TYPE_CHECKING:  # the engine, reconciliation and ingestion load when first used, so
    # that a command which only shows a monograph does not pay for importing them
    from druginfo.model.facts import FactSet, FactsReport
    from druginfo.reconcile import ReconcileReport
    from druginfo.store.private import PrivateRecords


class _TableSources(Mapping[str, Source]):
    """Interaction tables the engine may cite, by the source id stored with each pair.

    Filled on first use: the table readers (CSV parsing, their Source records) are not
    needed by a command that only shows a monograph."""

    def __init__(self) -> None:
        self._sources: dict[str, Source] | None = None

    def _all(self) -> dict[str, Source]:
        if self._sources is None:
            from druginfo.sources.ddinter import DDINTER_SOURCE

            self._sources = {DDINTER_SOURCE.id: DDINTER_SOURCE}
        return self._sources

    def __getitem__(self, source_id: str) -> Source:
        return self._all()[source_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


TABLE_SOURCES: Mapping[str, Source] = _TableSources()


# No medicine name is longer; a longer "name" is refused before any matching runs, so that
# name matching never costs more for a bigger input (a 1 MB name is a 4xx, not a busy server).
MAX_NAME_LENGTH = 200
# The same bound for a search: full-text and name matching cost grows with the query's words.
MAX_QUERY_LENGTH = 200
JSON_CACHE_SIZE = 128  # serialised monographs kept (about 100 KB each at most)
LIVE_CHECK_SECONDS = 1.0  # how often a long-running service asks the store what changed


class Service:
    """Holds the store and the vocabulary learned from it.

    The vocabulary follows the store: at most every LIVE_CHECK_SECONDS the store's generation
    counter (one indexed row) is read, and when another process (`druginfo ingest`) has
    committed new documents, names or classes since, the vocabulary is rebuilt, so a running
    server answers for a medicine ingested after it started. One thread rebuilds; the others
    keep answering from the previous vocabulary meanwhile.
    """

    def __init__(self, store: Store, vocab: Vocabulary) -> None:
        self.store = store
        self._store_backend = getattr(store, "backend", None)
        self._vocab = vocab
        self._generation = _store_generation(store)
        self._checked = time.monotonic()
        self._rebuilding = threading.Lock()
        self._json_cache: OrderedDict[int, tuple[Monograph, bytes]] = OrderedDict()
        self._json_lock = threading.Lock()
        self._json_by_name: dict[tuple[int | None, str, str | None, str | None], bytes] = {}
        self._resolved: dict[tuple[int | None, str], NameMatch] = {}
        self._private: PrivateRecords | None = None
        self._fact_cache: Any = None  # druginfo.facts.reading.FactCache, built on first use
        self._finder: Any = None
        # The check's work that does not depend on the person, for this store generation:
        # the product a name (and age group) picks, each document's facts, interaction pairs.
        self._products: dict[tuple[Any, ...], tuple[Monograph, ProductChoice | None]] = {}
        self._doc_facts: dict[int, tuple[Monograph, list[FactSet]]] = {}
        self._pairs: dict[tuple[str, tuple[str, ...]], list[Any]] = {}

    @property
    def private(self) -> PrivateRecords:
        """People's own records (accounts, diaries, saved plans), always read by owner."""
        if self._private is None:
            from druginfo.store.private import PrivateRecords

            self._private = PrivateRecords(self.store)  # type: ignore[arg-type]
        return self._private

    @property
    def vocab(self) -> Vocabulary:
        now = time.monotonic()
        if now - self._checked >= LIVE_CHECK_SECONDS:
            self._checked = now
            self._follow_store()
        return self._vocab

    @vocab.setter
    def vocab(self, value: Vocabulary) -> None:
        self._vocab = value

    def _follow_store(self) -> None:
        generation = _store_generation(self.store)
        if generation == self._generation or not self._rebuilding.acquire(blocking=False):
            return
        try:
            # Read before building: a write landing during the build triggers another one.
            self._vocab = cached_vocab(self.store)
            self._generation = generation
            self._fact_cache = self._finder = None  # the facts' name finder learns anew
            self._forget_check_work()
        finally:
            self._rebuilding.release()

    def _forget_check_work(self) -> None:
        """A new store generation: documents, names or pairs may have changed."""
        from druginfo.engine import memo

        self._products = {}
        self._doc_facts = {}
        self._pairs = {}
        memo.clear()

    @classmethod
    def open(
        cls, db_url: str | None = None, *, progress: bool = False, background_fill: bool = False
    ) -> Service:
        """Open the store (filling an empty one with the bundled data, whichever URL names it,
        since a site or a check over an empty store helps nobody), bring the curated
        monographs up to this version's data, and teach the vocabulary the store's names.

        `background_fill=True` (a server) answers at once: the curated monographs are stored
        first and the bundled leaflets follow in a background thread (store.fill_in_background);
        the vocabulary follows the store as it fills."""
        store = open_store(db_url, progress=progress, bootstrap=not background_fill)
        if background_fill:
            from druginfo.store import fill_in_background

            fill_in_background(store)
        refresh_curated(store)
        return cls(store, cached_vocab(store))

    def close(self) -> None:
        self.store.close()

    def resolve(self, name: str) -> NameMatch:
        cleaned = name.strip()
        if not cleaned:
            raise InputError("drug", "a medicine name is required")
        if len(cleaned) > MAX_NAME_LENGTH:
            raise InputError("drug", f"a medicine name is at most {MAX_NAME_LENGTH} characters")
        vocab = self.vocab  # follows the store first, so the memo below is keyed right
        memo_key = (self._generation, cleaned)
        match = self._resolved.get(memo_key)
        if match is None:
            match = vocab.resolve(cleaned)
            if match is None:
                shared = getattr(vocab, "alias_candidates", None)
                if callable(shared) and len(shared(cleaned)) > 1:
                    raise AmbiguousName(cleaned, vocab.suggest(cleaned))
                raise UnknownDrug(cleaned, vocab.suggest(cleaned))
            _remember(self._resolved, memo_key, match)
        return match

    def _containing(self, key: str) -> list[str]:
        """Stored combinations one of whose substances is `key` (by any of its names:
        'fviii' of 'fviii + vwf' is coagulation factor VIII)."""
        out = []
        known = getattr(self.vocab, "known_keys", None)
        keys: set[str] = known() if callable(known) else set()
        for combo in sorted(k for k in keys if " + " in k):
            for part in combo.split(" + "):
                hit = self.vocab.resolve(part)
                if part == key or (hit is not None and hit.exact and hit.key == key):
                    out.append(combo)
                    break
        return out

    def monograph(
        self, name: str, language: str | None = None, brand: str | None = None
    ) -> Monograph:
        """The monograph for a name; a brand name (or `brand`) picks that product's own
        document when several products share one substance (Humira is not Amsparity)."""
        return self.product(name, language, brand)[0]

    def product(
        self,
        name: str,
        language: str | None = None,
        brand: str | None = None,
        age_years: float | None = None,
        leaflet: str | None = None,
    ) -> tuple[Monograph, ProductChoice | None]:
        """The document for a name, and what was chosen when the name was a brand.

        A brand shows its own leaflet; one brand with several leaflets (a children's and an
        adult's) is picked by `choose_leaflet` (the one asked for by `leaflet`, else by
        `age_years`, else the adults'), the others offered as alternatives; a brand whose
        leaflet is not stored shows another product of the substance and says so, never
        silently. A `leaflet` id that names none of the product's leaflets is an InputError
        listing them."""
        match = self.resolve(name)
        wanted = brand or (
            match.matched
            if match.matched.lower() != match.key and match.display != match.key
            else None
        )
        if wanted:
            own = self.brand_documents(match.key, wanted)
            in_lang = [d for d in own if d.language == (language or "en")] or own
            leaflets = [d for d in in_lang if not d.curated]
            # Curated rules win; among one brand's leaflets, the person's age picks.
            pick = None
            if len(leaflets) > 1 and not any(d.curated for d in in_lang):
                pick = self._leaflet_of(leaflets, age_years, leaflet)
            elif leaflet is not None:
                pick = self._leaflet_of([d for d in in_lang if d.sources], None, leaflet)
            pick = pick or best_document(own, language)
            if pick is not None:
                others = [_title(d) for d in in_lang if d is not pick]
                note = None if _speaks_for(pick, wanted) else _other_product_note(pick, wanted)
                # Built from our own strings: no validator to build for it (model_construct).
                return pick, ProductChoice.model_construct(
                    asked=wanted,
                    shown=wanted if note is None else _shown(pick),
                    note=note,
                    alternatives=others,
                )
        mono = self.store.get_monograph(match.key, language)
        if mono is None:
            # A known substance without a document of its own (one only found inside a
            # combination) is said as such, with the products that contain it.
            raise NoDocument(name, match.key, self._containing(match.key), self._filling())
        # A generic name whose document is one of a brand's several leaflets: the same
        # choice as for the brand (the page and the CLI show the adults' unless asked).
        siblings = self.leaflet_siblings(mono)
        if siblings or leaflet is not None:
            mono = self._leaflet_of(siblings or [mono], age_years, leaflet)
        if not wanted:
            return mono, None
        return mono, ProductChoice.model_construct(
            asked=wanted, shown=_shown(mono), note=_other_product_note(mono, wanted)
        )

    def _filling(self) -> bool:
        """The bundled fill has started and not finished (a server answering meanwhile)."""
        from druginfo.store import FILL_MARK

        meta = getattr(self.store, "meta", None)
        return meta is not None and meta(FILL_MARK) == "started"

    def monograph_json(
        self, name: str, language: str | None = None, brand: str | None = None
    ) -> bytes:
        """`monograph(...)` serialised (pydantic's JSON), cached per stored document version.

        The store hands back the same decoded object until the document changes (its cache
        is keyed by checksum), so the bytes are kept beside that object: a changed or
        re-ingested document is a new object, hence a miss. Bytes are also remembered by the
        name asked for, within one store generation (seen at most LIVE_CHECK_SECONDS late)."""
        _ = self.vocab  # follows the store (at most once a second), moving the generation
        by_name = (self._generation, name.strip().casefold(), language, brand)
        cached = self._json_by_name.get(by_name)
        if cached is not None:
            return cached
        mono = self.monograph(name, language, brand)
        key = id(mono)
        with self._json_lock:
            hit = self._json_cache.get(key)
            if hit is not None and hit[0] is mono:
                self._json_cache.move_to_end(key)
                body: bytes | None = hit[1]
            else:
                body = None
        if body is None:
            body = mono.model_dump_json().encode()
            with self._json_lock:
                self._json_cache[key] = (mono, body)  # holding `mono` keeps its id unique
                while len(self._json_cache) > JSON_CACHE_SIZE:
                    self._json_cache.popitem(last=False)
        # By name too, for this store generation: a name asked again skips resolving it and
        # choosing among the documents (an ingest moves the generation: no stale answer
        # outlives LIVE_CHECK_SECONDS).
        _remember(self._json_by_name, by_name, body)
        return body

    def brand_documents(self, key: str, brand: str) -> list[Monograph]:
        """The documents of one product (brand) of a substance, in the store's order."""
        by_brand = getattr(self.store, "brand_documents", None)
        if by_brand is not None:  # reads only that product's documents
            found: list[Monograph] = by_brand(key, brand)
            return found
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
        if len(query) > MAX_QUERY_LENGTH:
            raise InputError("q", f"a search is at most {MAX_QUERY_LENGTH} characters")
        if not 1 <= limit <= 200:
            raise InputError("limit", "limit must be between 1 and 200")
        hits = self.store.search(query, limit=limit, language=language)
        return with_vocabulary_name(hits, self.vocab.resolve(query.strip()), self.store, limit)

    def check(
        self, drug: str | None, raw_profile: Mapping[str, Any], today: dt.date | None = None
    ) -> CheckResult:
        if type(raw_profile) is not dict and not isinstance(raw_profile, Mapping):
            raise InputError("profile", "the profile must be an object of fields")
        raw = dict(raw_profile)
        profile_drug = raw.pop("drug", None)
        name = drug or profile_drug
        if not name or not isinstance(name, str):
            raise InputError("drug", "name the medicine to check (for example --drug anakinra)")
        engine_check, parse_profile = _engine_check()
        profile = parse_profile(raw)
        mono, choice = self._checked_product(name, profile.age_years)
        pairs = self._table_interactions(mono.key, profile.medications)
        result = engine_check(
            mono,
            profile,
            self.vocab,
            interactions=pairs,
            interaction_sources=TABLE_SOURCES,
            today=today,
            facts=self.document_facts(mono),
        )
        if choice is not None:
            result.product = choice
        return result

    def check_ready(self, drug: str | None, raw_profile: Mapping[str, Any]) -> bool:
        """True when `check(drug, raw_profile)` would find its product and the product's facts
        in this store generation's memory, with no vocabulary follow due: then it costs a few
        hundred microseconds (at most one interaction-pair query besides), and the API may run
        it on the event loop instead of handing it to a thread. A first check of a medicine
        (fact extraction, 100+ ms) or one after an ingest (a new vocabulary) is False.
        Only a hint about cost: it reads memo tables without changing anything, and a
        wrong answer costs time, never a different result. Only for the embedded store: on
        a shared server (PostgreSQL) the interaction-pair query is a network round trip,
        which must not hold the event loop."""
        if (
            self._store_backend != "sqlite"
            or time.monotonic() - self._checked >= LIVE_CHECK_SECONDS
        ):
            return False
        name = drug or raw_profile.get("drug")
        age = raw_profile.get("age_years")
        if not isinstance(name, str) or not (age is None or type(age) in (int, float)):
            return False
        group = None if age is None else age < CHILD_BELOW_YEARS
        found = self._products.get((self._generation, name.strip(), group))
        if found is None:
            return False
        mono = found[0]
        if mono.curated:
            return True
        hit = self._doc_facts.get(id(mono))
        return hit is not None and hit[0] is mono

    def _checked_product(
        self, name: str, age_years: float | None
    ) -> tuple[Monograph, ProductChoice | None]:
        """`product(name, "en", age_years=…)`, remembered for this store generation by the
        name and the age group that picks among a brand's leaflets (child or adult): the
        same few names are checked for every person. Errors are not remembered."""
        _ = self.vocab  # follows the store first, so the memo below belongs to its generation
        group = None if age_years is None else age_years < CHILD_BELOW_YEARS
        key = (self._generation, name.strip(), group)
        found = self._products.get(key)
        if found is None:
            found = self.product(name, "en", age_years=age_years)
            _remember(self._products, key, found)
        return found

    def document_facts(self, mono: Monograph) -> list[FactSet]:
        """Machine-read facts of a document without curated rules (curated rules win).

        Remembered by the document object for this store generation (the store hands back
        the same object until the document changes): the fact cache's key is a digest of
        the whole document, too dear to compute for every check."""
        if mono.curated:
            return []
        hit = self._doc_facts.get(id(mono))
        if hit is not None and hit[0] is mono:
            return hit[1]
        from druginfo.facts.mentions import MentionFinder
        from druginfo.facts.reading import FactCache

        if self._fact_cache is None:
            self._fact_cache = FactCache()
            self._finder = MentionFinder(self.vocab, names=self.store.names())
        facts: list[FactSet] = self._fact_cache.facts(mono, self._finder)
        if len(self._doc_facts) >= DOC_FACTS_SIZE:
            self._doc_facts.clear()
        self._doc_facts[id(mono)] = (mono, facts)  # holding `mono` keeps its id unique
        return facts

    def advise(
        self, drug: str, event: str, raw_profile: Mapping[str, Any] | None = None
    ) -> AdviceResult:
        from druginfo.engine import advise as engine_advise
        from druginfo.engine import parse_profile

        mono = self.monograph(drug, "en")
        profile = None
        if raw_profile is not None:
            raw = dict(raw_profile)
            raw.pop("drug", None)
            profile = parse_profile(raw)
        return engine_advise(mono, event, profile, self.vocab)

    def reconcile(self, name: str, today: dt.date | None = None) -> ReconcileReport:
        from druginfo.reconcile import reconcile_documents

        match = self.resolve(name)
        docs = self.store.documents_for(match.key)
        if not docs:
            raise UnknownDrug(name, self.vocab.suggest(name))
        cache, finder = self._facts_reader()
        return reconcile_documents(
            match.key,
            docs,
            vocab=self.vocab,
            today=today,
            extract=lambda doc: cache.facts(doc, finder),
        )

    def facts(self, name: str) -> FactsReport:
        """Normalised facts of every stored document about a medicine, computed on read and
        cached by each document's fingerprint (see druginfo.facts.reading)."""
        from druginfo.facts.reading import report_for

        match = self.resolve(name)
        docs = self.store.documents_for(match.key)
        if not docs:
            raise UnknownDrug(name, self.vocab.suggest(name))
        cache, finder = self._facts_reader()
        return report_for(match.key, docs, cache=cache, finder=finder)

    def _facts_reader(self) -> tuple[Any, Any]:
        """The one fact cache and name finder, shared by facts and reconcile."""
        from druginfo.facts.mentions import MentionFinder
        from druginfo.facts.reading import FactCache

        if self._fact_cache is None:
            self._fact_cache = FactCache()
            self._finder = MentionFinder(self.vocab, names=self.store.names())
        return self._fact_cache, self._finder

    def add_feedback(self, feedback: Feedback) -> Feedback:
        return self.store.add_feedback(feedback)

    def _table_interactions(self, key: str, medications: list[str]) -> list[Any]:
        """Pairs from interaction tables between the checked drug and the person's medicines."""
        others = []
        resolve = self.vocab.resolve_medication
        for med in medications:
            match = resolve(med)
            if match is not None and match.key != key:
                others.append(match.key)
        if not others:
            return []
        memo_key = (key, tuple(sorted(set(others))))
        found = self._pairs.get(memo_key)
        if found is None:
            pairs = self.store.interactions_among([key, *others])
            found = [p for p in pairs if key in (p.drug_a, p.drug_b)]
            _remember(self._pairs, memo_key, found)
        return list(found)

    # --- product choice on pages (appended) ----------------------------------------------------

    def leaflet_siblings(self, mono: Monograph) -> list[Monograph]:
        """The leaflets of the product a page shows, in its language: one brand may have
        several (a children's strength and an adults' one), and the page offers each. A
        curated monograph, or a leaflet alone for its brand, has none to offer."""
        if mono.curated or not mono.identity.brands:
            return []
        brand = mono.identity.brands[0]
        docs = [
            d
            for d in self.brand_documents(mono.key, brand)
            if d.language == mono.language and not d.curated and d.sources
        ]
        return docs if len(docs) > 1 else []

    def choose_leaflet(
        self,
        docs: list[Monograph],
        age_years: float | None = None,
        leaflet: str | None = None,
    ) -> Monograph | None:
        """Which of one brand's leaflets is shown or checked — the one rule every interface
        uses (the web's `?leaflet=`, the CLI's `--leaflet`, the check's age): the one asked
        for by its id; else the one written for the person's age group; else the adults'
        (a reader of unknown age is not shown a leaflet written for a child's carer), else
        the first. None when `leaflet` names none of them."""
        if leaflet is not None:
            return next((d for d in docs if leaflet_id(d) == leaflet), None)
        fitting = pick_by_age(docs, ADULT_YEARS if age_years is None else age_years)
        return fitting or (docs[0] if docs else None)

    def _leaflet_of(
        self, docs: list[Monograph], age_years: float | None, leaflet: str | None
    ) -> Monograph:
        pick = self.choose_leaflet(docs, age_years, leaflet)
        if pick is None:
            ids = ", ".join(i for i in (leaflet_id(d) for d in docs) if i)
            raise InputError(
                "leaflet",
                f"no leaflet {leaflet!r} of this product"
                + (f"; its leaflets are: {ids}" if ids else ""),
            )
        return pick


_ENGINE: tuple[Any, Any] | None = None


def _engine_check() -> tuple[Any, Any]:
    """The engine's check and profile parser, imported on the first check (a command that
    never checks does not load the engine), then a plain lookup for every later one."""
    global _ENGINE
    if _ENGINE is None:
        from druginfo.engine import check, parse_profile

        _ENGINE = (check, parse_profile)
    return _ENGINE


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
    # One document (the one its page shows), not every one of the key: at scale a substance
    # has dozens of leaflets, and decoding them all cost more than the search.
    doc = store.get_monograph(match.key)
    if doc is None:
        return hits
    found = SearchHit(
        key=match.key,
        name=match.display,
        language=doc.language,
        snippet=f"{match.matched} contains {match.key}",
        score=100.0,
        match="name",
    )
    return [found, *hits][:limit]


# Words of a leaflet written for a child's carer ("If your child …").
_CHILD_WORDS = ("your child", "the child", "children and adolescents")


def _childrens(doc: Monograph) -> bool:
    """A leaflet addressed to a child's carer: most of its 'Do not use' statements say 'child'."""
    contra = [c.quote.lower() for c in doc.claims if c.topic.value == "contraindication"]
    if not contra:
        return False
    return sum(any(w in q for w in _CHILD_WORDS) for q in contra) * 2 > len(contra)


CHILD_BELOW_YEARS = 18  # a children's leaflet is for a person below this age


def pick_by_age(docs: list[Monograph], age_years: float | None) -> Monograph | None:
    """Among one brand's leaflets, the one written for the person's age group; None when age
    is unknown or the leaflets do not differ in audience."""
    if age_years is None:
        return None
    child = age_years < CHILD_BELOW_YEARS
    fitting = [d for d in docs if _childrens(d) == child]
    return fitting[0] if fitting and len(fitting) < len(docs) else None


def leaflet_id(doc: Monograph) -> str | None:
    """The id a leaflet is asked for by (`?leaflet=`, `--leaflet`): its first source's id."""
    return doc.sources[0].id if doc.sources else None


def _speaks_for(doc: Monograph, brand: str) -> bool:
    """Whether one of the document's sources is that brand's own leaflet or label (a curated
    monograph may list a brand whose leaflet it never quotes)."""
    wanted = brand.lower()
    return any(wanted in s.document.lower() for s in doc.sources)


def _leaflet_brands(doc: Monograph) -> list[str]:
    """Brands whose own documents the monograph quotes, in its sources' order."""
    return [b for b in doc.identity.brands if _speaks_for(doc, b)]


def _shown(doc: Monograph) -> str:
    named = _leaflet_brands(doc)
    return ", ".join(named) if named else _brand_of(doc, doc.identity.generic)


def _other_product_note(doc: Monograph, wanted: str) -> str:
    """'Enbrel's leaflet is not available; showing Benepali, a biosimilar of etanercept.'"""
    generic = doc.identity.generic
    named = _leaflet_brands(doc)
    if doc.curated:
        drawn = f" from the leaflets of {', '.join(named)}" if named else ""
        return (
            f"{wanted}'s leaflet is not available; showing the curated information on "
            f"{generic}{drawn}."
        )
    shown = named[0] if named else _brand_of(doc, generic)
    relation = (
        f"a biosimilar of {generic}"
        if any("biosimilar" in c.quote.lower() for c in doc.claims)
        else f"another product of the same active substance, {generic}"
    )
    return f"{wanted}'s leaflet is not available; showing {shown}, {relation}."


def _title(doc: Monograph) -> str:
    return doc.sources[0].document if doc.sources else doc.identity.generic


def _brand_of(doc: Monograph, fallback: str) -> str:
    return doc.identity.brands[0] if doc.identity.brands else fallback


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

    An unchanged monograph is not even loaded: the fingerprint of its files (YAML and model
    code) is compared with the one recorded when it was last stored.
    """
    meta = getattr(store, "meta", None)
    set_meta = getattr(store, "set_meta", None)
    for key in curated_keys():
        mark = f"curated-files:{key}"
        fingerprint = curated_fingerprint(key)
        if meta is not None and meta(mark) == fingerprint:
            continue
        from druginfo.ingest import curated_checksum

        mono = load_curated(key)
        store.upsert_monograph(mono, doc_id=f"curated:{key}", checksum=curated_checksum(mono))
        if set_meta is not None:
            set_meta(mark, fingerprint)


MEMO_SIZE = 4096  # names remembered per memo (resolved names, serialised monographs)
DOC_FACTS_SIZE = 256  # documents whose facts are remembered by object


def _remember(memo: dict[Any, Any], key: Any, value: Any) -> None:
    """Bounded memo: when full, it starts afresh (entries are cheap to make again, and
    keys of an older store generation are dropped that way too)."""
    if len(memo) >= MEMO_SIZE:
        memo.clear()
    memo[key] = value


def _store_generation(store: Store) -> int | None:
    generation = getattr(store, "generation", None)
    return int(generation()) if generation is not None else None


def cached_vocab(store: Store) -> Vocab:
    """`build_vocab(store)`, loaded from the cache of the last run when the store has not
    changed since (druginfo.store.vocab_cache)."""
    from druginfo.store.vocab_cache import cached

    return cached(store, lambda: build_vocab(store))


def build_vocab(store: Store) -> Vocab:
    """The bundled vocabulary, extended with every name and ATC class the store has learned."""
    vocab = Vocab.bundled()
    vocab.extend_names(store.names())
    atc = store.members_of("", "atc")
    if atc:
        from druginfo.sources.atc import ATC_SOURCE

        vocab.extend_from_atc(atc, ATC_SOURCE)
    return vocab


# The age at which a page's unknown reader is taken to be an adult (product choice only).
ADULT_YEARS = 18.0


def childrens_leaflet(doc: Monograph) -> bool:
    """Public name of the test the check uses: a leaflet addressed to a child's carer."""
    return _childrens(doc)
