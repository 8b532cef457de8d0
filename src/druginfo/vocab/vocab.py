"""The vocabulary: drug names, brands, misspellings, classes and vaccines, each with its source.

Curated names (the bundled YAML) always win over names learned from the store, because a
mislabelled learned name must never re-route a brand to another substance. Fuzzy matching is
bounded by an edit distance that grows with the length of the word, and gives up whenever two
different substances are within reach: a wrong drug is worse than a 'did you mean'.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from druginfo.model import ClassEntry, Source
from druginfo.vocab.base import ClassMembership, NameMatch, VaccineMatch
from druginfo.vocab.text import (
    MEDICATION_STOPWORDS,
    SALT_WORDS,
    compact,
    is_dose_token,
    normalise,
    strip_fda_suffix,
    tokens,
    without_salt,
)
from druginfo.vocab.vaccines import VaccineMatcher

if TYPE_CHECKING:  # the parsed bundled YAML: a vocabulary read from the cache loads it
    # only when asked for a class or a vaccine record (store/vocab_cache.py)
    from druginfo.vocab.data import ClassDef, VocabData

# Shortest name (letters, spaces removed) that fuzzy matching may correct at all.
MIN_FUZZY_LENGTH = 5
# In a medication line, words shorter than this are never fuzzily corrected ("food", "pens").
MIN_FUZZY_LENGTH_IN_LINE = 6
# Longest run of words tried as one name inside a medication line.
MAX_NAME_WORDS = 4
# Source id (sources.yaml) of the openly licensed name bundle.
OPEN_NAMES_SOURCE = "open-drug-names"
# No known name is near this long (the longest are ~65 letters); a longer text cannot be within
# a few edits of one, so fuzzy matching stops here instead of growing with the input's length.
MAX_FUZZY_LENGTH = 120


def max_edits(length: int) -> int:
    """How many single-letter edits (OSA: insert, delete, substitute, swap) a name may carry.

    One, at most: over the 4,937 substance names of the WHO ATC index, two edits already turn
    real, different medicines into known ones (betamethasone → dexamethasone, cetuximab →
    rituximab, voclosporin → ciclosporin); one edit turns none of them.
    """
    return 0 if length < MIN_FUZZY_LENGTH else 1


@dataclass(frozen=True)
class _Name:
    """A known spelling: what it resolves to, and whether a curator vouched for it."""

    key: str
    name: str
    curated: bool
    misspelling: bool = False


class Vocab:
    """Implements `druginfo.vocab.base.Vocabulary` over bundled data plus learned names."""

    def __init__(self, data: VocabData) -> None:
        self._data = data
        self._sources: dict[str, Source] = dict(data.sources)
        self._classes: dict[str, ClassDef] = {c.id: c for c in data.classes}
        self._names: dict[str, _Name] = {}  # normalised (spaced and compact) → name
        self._conflicts: set[str] = set()  # learned spellings claimed by two substances
        # Names of other real substances (ATC leaves in no class we track): never resolved to,
        # but a misspelling within reach of one is too close to call.
        self._guards: set[str] = set()
        self._keys: set[str] = set()
        self._members: dict[str, dict[str, ClassMembership]] = {}
        # Shorter forms of multi-word product names ("Levemir" of "Levemir Penfill"): used only
        # when nothing else matches, and only when they point at one substance.
        self._aliases: dict[str, set[str]] = {}
        # Leading words of every known name → the substances they begin ('insulin' begins
        # insulin aspart and insulin lispro): an alias that begins several is ambiguous.
        self._heads: dict[str, set[str]] = {}
        # ATC leaves per substance key, with the source that lists them.
        self._atc: dict[str, dict[str, tuple[str, Source]]] = {}
        self.open_source: Source | None = data.sources.get(OPEN_NAMES_SOURCE)
        self._choices: list[str] | None = None
        # Medication lines repeat across rules and checks; answers change only with the names.
        self._med_cache: dict[str, list[NameMatch]] = {}
        # The vaccine vocabulary is fixed once built: answers per text never change.
        self._vaccine_cache: dict[str, VaccineMatch | None] = {}
        # Names, classes and near misses asked again and again (every rule, every check);
        # forgotten whenever the vocabulary learns anything (`_forget`).
        self._resolve_memo: dict[str, NameMatch | None] = {}
        self._class_memo: dict[str, list[ClassMembership]] = {}
        self._fuzzy_memo: dict[tuple[str, int], NameMatch | None] = {}
        for d in data.drugs:
            self._add_name(d.key, d.key, curated=True)
            for n in [*d.brands, *d.synonyms]:
                self._add_name(n.name, d.key, curated=True)
            for n in d.misspellings:
                self._add_name(n.name, d.key, curated=True, misspelling=True)
            for cc in d.classes:
                self._add_membership(d.key, cc.class_id, self._sources[cc.source], cc.quote)
            atc_source = self._sources[d.generic_source]
            for code in d.atc:
                self._add_atc_membership(d.key, code.code, code.name, atc_source)
                self._atc.setdefault(d.key, {})[code.code] = (code.name, atc_source)
        self._vaccines = VaccineMatcher(data.vaccines, self._sources)
        for entry in data.vaccines.vaccines:
            if entry.live:
                self._add_membership(
                    entry.id, "live-vaccine", self._sources[entry.source], entry.quote
                )

    @classmethod
    def bundled(cls) -> Vocab:
        """A fresh vocabulary of the bundled data (parsed once per process), safe to extend."""
        from druginfo.vocab.data import bundled_data

        return cls(bundled_data())

    # learning ----------------------------------------------------------------------------
    def extend_names(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Learn (name, key) pairs from the store; curated spellings are never overridden.

        A name that is itself a drug key belongs to that key: "niraparib" names the single
        substance, not also the combination "abiraterone + niraparib" whose leaflet lists it,
        which would otherwise make the plain name ambiguous and unresolvable.
        """
        clean = [
            (name, key.strip().lower())
            for name, key in pairs
            if isinstance(name, str) and isinstance(key, str) and name.strip() and key.strip()
        ]
        keys = {normalise(key) for _, key in clean}
        for name, key in clean:
            self._add_name(key, key, curated=False)
            form = normalise(name)
            if form in keys and form != normalise(key):
                continue
            self._add_name(name, key, curated=False)
            self._add_aliases(name, key, brand=form != normalise(key))
        self._forget()

    def _add_aliases(self, name: str, key: str, *, brand: bool) -> None:
        """Shorter forms of a multi-word name: its leading words ('Fluad' of 'Fluad Tetra')
        and the name without salt or ester words ('certolizumab' of 'certolizumab pegol').

        A leading part that is one of the substance's own words is not an alias of a
        combination ('abacavir' does not name 'abacavir + lamivudine'); a form claimed by two
        substances is ambiguous and resolves to neither.
        """
        words = tokens(name)
        key_words = set(tokens(key))
        forms: list[str] = []
        salt_free = without_salt(name)
        if salt_free is not None and "+" not in key:
            forms.append(salt_free)
        for n in range(len(words) - 1 if brand else 0, 0, -1):
            head = words[:n]
            if any(w in MEDICATION_STOPWORDS or is_dose_token(w) or w in SALT_WORDS for w in head):
                continue
            if len("".join(head)) < 4 or ("+" in key and set(head) <= key_words):
                continue
            forms.append(" ".join(head))
        for form in forms:
            self._aliases.setdefault(form, set()).add(key)

    def extend_from_atc(self, entries: Iterable[ClassEntry], source: Source) -> None:
        """Make every ATC leaf under a class's prefixes a member of that class, citing ATC."""
        if source.id not in self._sources:
            self._sources[source.id] = source
        for entry in entries:
            code = entry.code.strip().upper()
            name = entry.name.strip()
            if len(code) != 7 or not name or entry.system.lower() != "atc":
                continue
            in_class = any(
                code.startswith(p) for c in self._classes.values() for p in c.atc_prefixes
            )
            if not in_class and not _names_one_substance(name):
                form = normalise(name)
                if form and form not in self._names:
                    self._guards.add(form)
                    self._invalidate()
                continue
            # An ATC leaf names one substance: knowing it lets a medication list say
            # "metformin" without the check giving up on an unknown medicine.
            key = self._key_for_substance(name)
            self._atc.setdefault(key, {}).setdefault(code, (name, source))
            if in_class:
                self._add_atc_membership(key, code, name, source)
        self._forget()

    def _key_for_substance(self, name: str) -> str:
        known = self._names.get(normalise(name))
        if known is not None and normalise(name) not in self._conflicts:
            return known.key
        key = " ".join(name.lower().split())
        self._add_name(key, key, curated=False)
        return key

    def _add_atc_membership(self, key: str, code: str, name: str, source: Source) -> None:
        for c in self._classes.values():
            if any(code.startswith(p) for p in c.atc_prefixes):
                self._add_membership(key, c.id, source, f"{code} {name}")

    def _add_membership(self, key: str, class_id: str, source: Source, quote: str) -> None:
        """Record a class and, on the same words, its parent classes (first citation wins)."""
        members = self._members.setdefault(key, {})
        todo = [class_id]
        while todo:
            cid = todo.pop(0)
            if cid in members:
                continue
            cdef = self._classes[cid]
            members[cid] = ClassMembership(
                class_id=cid, class_name=cdef.name, source=source, quote=quote
            )
            todo.extend(cdef.parents)

    def _add_name(self, name: str, key: str, *, curated: bool, misspelling: bool = False) -> None:
        self._keys.add(key)
        words = tokens(name)
        for n in range(1, len(words)):
            self._heads.setdefault(" ".join(words[:n]), set()).add(key)
        entry = _Name(key, name.strip(), curated, misspelling)
        for form in {normalise(name), compact(name)}:
            if not form:
                continue
            have = self._names.get(form)
            if have is None:
                self._names[form] = entry
                self._invalidate()
            elif have.key != key:
                if have.curated and not curated:
                    continue
                if curated and not have.curated:
                    self._names[form] = entry
                    self._conflicts.discard(form)
                    self._invalidate()
                    continue
                self._conflicts.add(form)
                self._invalidate()

    def _invalidate(self) -> None:
        self._choices = None
        self._forget()

    def _forget(self) -> None:
        """Drop every remembered answer: the names, aliases or classes have changed. The
        check's work remembered by this vocabulary's identity (druginfo.engine.memo) goes
        too, if there is any: the same object now answers differently."""
        self._med_cache.clear()
        self._resolve_memo.clear()
        self._class_memo.clear()
        self._fuzzy_memo.clear()
        memo = sys.modules.get("druginfo.engine.memo")  # not loaded: nothing remembered
        if memo is not None:
            memo.forget(self)

    # lookups -----------------------------------------------------------------------------
    def known_keys(self) -> set[str]:
        """Every substance key known (bundled, learned, from ATC, or named by the open name
        bundle)."""
        from druginfo.vocab.data import open_names

        return set(self._keys) | set(open_names().values())

    def _exact(self, text: str) -> NameMatch | None:
        for form in (normalise(text), compact(text)):
            if not form:
                continue
            if form in self._conflicts:
                return None
            hit = self._names.get(form)
            if hit is not None:
                return self._match(hit, 100.0, exact=True)
        return self._secondary(text)

    def _secondary(self, text: str) -> NameMatch | None:
        """Names known less directly, tried only when no curated or learned name matches:
        a shorter form of a product name, the name without its salt or ester, or a name of
        the openly licensed bundle (mapped onto a known substance where it names one)."""
        form = normalise(text)
        if not form:
            return None
        keys = self._aliases.get(form)
        if keys is not None:
            keys = keys | self._heads.get(form, set())
            if len(keys) != 1:
                return None  # two substances share the short form: do not guess
            key = next(iter(keys))
            return NameMatch(key=key, matched=text.strip(), display=f"{text.strip()} ({key})")

        salt_free = without_salt(text)
        if salt_free is not None:
            base = self._names.get(salt_free)
            if base is not None and salt_free not in self._conflicts:
                return NameMatch(
                    key=base.key, matched=text.strip(), display=f"{text.strip()} ({base.key})"
                )
        from druginfo.vocab.data import open_names

        found = open_names().get(form)
        if found is None and salt_free is not None:
            found = open_names().get(salt_free)
        if found is None or self.vaccine(text) is not None:
            return None  # vaccines are told apart (live or not) by the vaccine vocabulary
        key = found
        known = self._names.get(normalise(key))
        if known is not None and normalise(key) not in self._conflicts:
            key = known.key
        shown = text.strip()
        display = key if normalise(shown) == normalise(key) else f"{shown} ({key})"
        return NameMatch(key=key, matched=shown, display=display)

    def _title_with_added_word(self, text: str) -> NameMatch | None:
        """A product title that adds words to a known name ('NovoRapid Penfill'); the added
        words must not themselves name a medicine or a vaccine."""
        words = normalise(text).split()
        for n in range(len(words) - 1, 0, -1):
            head, rest = " ".join(words[:n]), " ".join(words[n:])
            hit = self._names.get(head)
            if hit is None or head in self._conflicts or hit.misspelling:
                continue
            if self._exact(rest) is not None or self._vaccines.match(rest) is not None:
                return None
            return NameMatch(
                key=hit.key, matched=text.strip(), display=f"{text.strip()} ({hit.key})"
            )
        return None

    def alias_candidates(self, text: str) -> list[str]:
        """Substances a short or shared name could mean ('Insulin' → several), for the
        message that lists the candidates."""
        form = normalise(text)
        if form not in self._aliases and form not in self._heads:
            return []
        return sorted(self._aliases.get(form, set()) | self._heads.get(form, set()))

    def atc_codes(self, key: str) -> list[tuple[str, str, Source]]:
        """ATC leaves of a substance: (code, name as the index spells it, source)."""
        k = key.strip().lower() if isinstance(key, str) else ""
        return [(code, name, src) for code, (name, src) in sorted(self._atc.get(k, {}).items())]

    def class_def(self, class_id: str) -> ClassDef | None:
        return self._classes.get(class_id)

    def _match(self, hit: _Name, score: float, *, exact: bool) -> NameMatch:
        if hit.misspelling:
            # A known misspelling is a correction, not a name: show the substance instead.
            return NameMatch(
                key=hit.key, matched=hit.key, display=hit.key, score=min(score, 95.0), exact=False
            )
        display = (
            hit.key if normalise(hit.name) == normalise(hit.key) else f"{hit.name} ({hit.key})"
        )
        return NameMatch(key=hit.key, matched=hit.name, display=display, score=score, exact=exact)

    def _fuzzy(self, text: str, min_length: int = MIN_FUZZY_LENGTH) -> NameMatch | None:
        key = (text, min_length)
        if key in self._fuzzy_memo:
            return self._fuzzy_memo[key]
        found = self._fuzzy_uncached(text, min_length)
        _bounded_put(self._fuzzy_memo, key, found)
        return found

    def _fuzzy_uncached(self, text: str, min_length: int) -> NameMatch | None:
        query = normalise(text)
        letters = len(query.replace(" ", ""))
        if letters < min_length or letters > MAX_FUZZY_LENGTH:
            return None
        limit = max_edits(letters)
        if limit == 0:
            return None
        from rapidfuzz import process  # here: exact names (most) need no fuzzy matcher loaded
        from rapidfuzz.distance import OSA

        found = process.extract(
            query, self._fuzzy_choices(), scorer=OSA.distance, score_cutoff=limit, limit=25
        )
        if not found:
            return None
        if any(choice not in self._names for choice, _, _ in found):
            return None  # another real substance is as close: do not guess
        hits = [(self._names[choice], dist) for choice, dist, _ in found]
        candidates = {h.key for h, _ in hits}
        if len(candidates) != 1:
            return None  # two substances within reach: do not guess
        best, dist = min(hits, key=lambda hd: hd[1])
        score = 100.0 * (1 - dist / max(letters, 1))
        return self._match(best, round(score, 1), exact=False)

    def _fuzzy_choices(self) -> list[str]:
        if self._choices is None:
            names = [n for n in self._names if n not in self._conflicts]
            self._choices = names + sorted(self._guards - self._names.keys())
        return self._choices

    def resolve(self, text: str) -> NameMatch | None:
        if not isinstance(text, str) or not text.strip():
            return None
        if text in self._resolve_memo:
            return self._resolve_memo[text]
        found = self._resolve(text)
        _bounded_put(self._resolve_memo, text, found)
        return found

    def _resolve(self, text: str) -> NameMatch | None:
        hit = self._exact(text)
        if hit is not None:
            return hit
        if normalise(text) in self._guards:
            return None  # a real substance we hold nothing on; never correct it into another
        core = strip_fda_suffix(text)
        if core is not None:
            base = self._exact(core)
            if base is not None and normalise(core) == normalise(base.key):
                return NameMatch(
                    key=base.key,
                    matched=text.strip(),
                    display=f"{text.strip()} ({base.key})",
                    score=100.0,
                    exact=False,
                )
        return self._title_with_added_word(text) or self._fuzzy(text)

    def suggest(self, text: str, limit: int = 5) -> list[str]:
        """Closest known names, best first: whole-word likeness (ratio) ranks, so that a
        near miss of 'Kineret' is not drowned by long names that merely contain similar letters;
        partial likeness (WRatio) only lets a typed prefix ('adali') find its name. A short
        name several products share ('Insulin') lists those products first."""
        if not isinstance(text, str) or limit <= 0:
            return []
        query = normalise(text)
        if not query or len(query) > MAX_FUZZY_LENGTH:
            return []
        shared = self.alias_candidates(text)
        if len(shared) > 1:
            return shared[: max(limit, 10)]
        from rapidfuzz import fuzz, process

        found = process.extract(
            query, self._fuzzy_choices(), scorer=fuzz.WRatio, score_cutoff=60, limit=limit * 8
        )
        ranked: list[tuple[float, float, str]] = []
        for choice, wratio, _ in found:
            hit = self._names.get(choice)
            if hit is None:
                continue
            whole = fuzz.ratio(query, choice)
            if whole < 50 and not choice.startswith(query[:4]):
                continue
            name = hit.key if hit.misspelling else hit.name
            ranked.append((whole, wratio, name))
        ranked.sort(key=lambda r: (-r[0], -r[1]))
        out: list[str] = []
        for _, _, name in ranked:
            if name not in out:
                out.append(name)
            if len(out) == limit:
                break
        return out

    def resolve_medication(self, text: str) -> NameMatch | None:
        found = self.resolve_medications(text)
        return found[0] if found else None

    def resolve_medications(self, text: str) -> list[NameMatch]:
        """Every distinct substance named in a medication line ('Enbrel + methotrexate').

        Exact names are looked for among all runs of words (longest first, so 'Simponi Aria'
        beats 'Simponi'); misspellings are corrected only in words that are not doses, units,
        frequencies, routes or forms, and only when nothing exact was found.
        """
        if not isinstance(text, str) or not text.strip():
            return []
        cached = self._med_cache.get(text)
        if cached is None:
            cached = self._find_medications(text)
            _bounded_put(self._med_cache, text, cached)
        return list(cached)

    def _find_medications(self, text: str) -> list[NameMatch]:
        whole = self._exact(text)
        if whole is not None:
            return [whole]
        words = tokens(text)
        found: list[NameMatch] = []
        used = [False] * len(words)
        for n in range(min(MAX_NAME_WORDS, len(words)), 0, -1):
            for i in range(len(words) - n + 1):
                if any(used[i : i + n]):
                    continue
                window = words[i : i + n]
                if all(w in MEDICATION_STOPWORDS or is_dose_token(w) for w in window):
                    continue
                hit = self._exact(" ".join(window))
                if hit is not None:
                    for j in range(i, i + n):
                        used[j] = True
                    found.append(hit)
        if found:
            return _distinct_in_order(found, text)
        spans: list[list[str]] = [[]]
        for w in words:
            if w in MEDICATION_STOPWORDS or is_dose_token(w):
                spans.append([])
            else:
                spans[-1].append(w)
        fuzzy: list[NameMatch] = []
        for span in spans:
            for n in range(min(MAX_NAME_WORDS, len(span)), 0, -1):
                for i in range(len(span) - n + 1):
                    hit = self._fuzzy(" ".join(span[i : i + n]), MIN_FUZZY_LENGTH_IN_LINE)
                    if hit is not None:
                        fuzzy.append(hit)
        if not fuzzy:
            return []
        keys = {m.key for m in fuzzy}
        if len(keys) > 1:
            best = max(fuzzy, key=lambda m: m.score)
            rivals = [m for m in fuzzy if m.key != best.key and m.score >= best.score]
            if rivals:
                return []
            return [best]
        return [max(fuzzy, key=lambda m: m.score)]

    def classes_of(self, key: str) -> list[ClassMembership]:
        if not isinstance(key, str):
            return []
        found = self._class_memo.get(key)
        if found is None:
            found = self._classes_of(key)
            _bounded_put(self._class_memo, key, found)
        return list(found)

    def _classes_of(self, key: str) -> list[ClassMembership]:
        k = key.strip().lower()
        members = self._members.get(k)
        if members is None:
            hit = self._exact(key)
            members = self._members.get(hit.key) if hit is not None else None
        return list(members.values()) if members else []

    def class_ids(self) -> set[str]:
        return set(self._classes)

    def vaccine(self, text: str) -> VaccineMatch | None:
        if not isinstance(text, str) or not text.strip():
            return None
        if text in self._vaccine_cache:
            return self._vaccine_cache[text]
        found = self._vaccines.match(text)
        _bounded_put(self._vaccine_cache, text, found)
        return found

    def source(self, source_id: str) -> Source | None:
        return self._sources.get(source_id)


# Entries per memo: a server sees endless new strings, so a full memo starts afresh.
MEMO_SIZE = 20_000


def _bounded_put(memo: dict[Any, Any], key: Any, value: Any) -> None:
    if len(memo) >= MEMO_SIZE:
        memo.clear()
    memo[key] = value


def _distinct_in_order(found: list[NameMatch], text: str) -> list[NameMatch]:
    """One match per substance, in the order the names appear in the line."""
    lowered = normalise(text)
    found = sorted(found, key=lambda m: _position(lowered, m.matched))
    out: list[NameMatch] = []
    for m in found:
        if all(m.key != o.key for o in out):
            out.append(m)
    return out


def _position(haystack: str, name: str) -> int:
    pos = haystack.find(normalise(name))
    return pos if pos >= 0 else len(haystack)


def _names_one_substance(atc_name: str) -> bool:
    """ATC leaves such as 'combinations' or 'various' name groups, not one substance."""
    lowered = atc_name.lower()
    return not any(w in lowered for w in ("combination", "various", " and ", "other"))
