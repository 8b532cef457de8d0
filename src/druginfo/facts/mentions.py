"""Medicines, vaccines and conditions named in a statement, with their ConText modifiers.

Names resolve through the vocabulary (druginfo.vocab: generic names, brands, synonyms, and the
names the store has learned) and the condition list (data/facts/conditions.yaml); only exact
names count here, never fuzzy matches: a sentence is full of ordinary words that are one
letter away from some brand. Brand names count only when written with a capital, generic
names in any case; all-capital abbreviations ("RA", "TB") only in capitals.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Literal

import yaml

from druginfo.facts.context import modifiers_for
from druginfo.vocab.base import Vocabulary
from druginfo.vocab.data import bundled_data
from druginfo.vocab.text import normalise

MentionKind = Literal["medicine", "vaccine", "condition"]

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")
MAX_WORDS = 7
# Words that are names of some product somewhere but ordinary words in a sentence.
_COMMON_WORDS = """
    fever flare aspire relief care plus calm clear daily active advance balance comfort
    control cover lift rest sleep spring table tablet tablets capsule injection medicine
    medicines solution other this that your with pain cough cold flu allergy nurse doctor
"""
_COMMON = frozenset(normalise(w) for w in _COMMON_WORDS.split())


@dataclass(frozen=True)
class Mention:
    kind: MentionKind
    key: str  # substance key, vaccine id or condition id
    text: str  # the words as written
    start: int
    end: int
    negated: bool = False
    historical: bool = False
    hypothetical: bool = False
    family: bool = False
    live: bool | None = None  # vaccines: True live, False non-live, None not settled


@dataclass(frozen=True)
class _Entry:
    kind: MentionKind
    key: str
    case: Literal["any", "capital", "exact"]
    written: str


def _case_of(name: str, *, brand: bool) -> Literal["any", "capital", "exact"]:
    letters = name.replace(" ", "")
    if len(letters) <= 5 and letters.isupper():
        return "exact"
    return "capital" if brand else "any"


@functools.cache
def _conditions() -> tuple[tuple[str, tuple[str, ...]], ...]:
    text = (
        resources.files("druginfo")
        .joinpath("data", "facts", "conditions.yaml")
        .read_text(encoding="utf-8")
    )
    raw = yaml.safe_load(text)
    return tuple((c["id"], tuple(c["names"])) for c in raw["conditions"])


@functools.cache
def condition_names() -> frozenset[str]:
    """Every spelling of every condition, normalised (a page title that is one is no medicine)."""
    return frozenset(normalise(n) for _, names in _conditions() for n in names)


class MentionFinder:
    """Finds names of medicines and conditions (longest first, non-overlapping) in text."""

    def __init__(self, vocab: Vocabulary | None = None, names: Iterable[tuple[str, str]] = ()):
        self._vocab = vocab
        self._phrases: tuple[tuple[str, re.Pattern[str]], ...] | None = None
        self._index: dict[str, _Entry] = {}
        data = bundled_data()
        for d in data.drugs:
            self._add(d.key, d.key, "medicine", brand=False)
            for syn in d.synonyms:
                self._add(syn.name, d.key, "medicine", brand=False)
            for brand in d.brands:
                self._add(brand.name, d.key, "medicine", brand=True)
        known = getattr(vocab, "known_keys", None)
        if callable(known):
            for key in known():
                if isinstance(key, str) and "+" not in key:
                    self._add(key, key, "medicine", brand=False)
        for name, key in names:
            if "+" in key:
                continue
            self._add(name, key, "medicine", brand=normalise(name) != normalise(key))
        for cid, cnames in _conditions():
            for cname in cnames:
                self._add(cname, cid, "condition", brand=False, override=True)

    def _add(
        self, name: str, key: str, kind: MentionKind, *, brand: bool, override: bool = False
    ) -> None:
        form = normalise(name)
        if not form or len(form.replace(" ", "")) < 2 or form in _COMMON:
            return
        if kind == "medicine" and len(form.replace(" ", "")) < 4:
            return
        if form in self._index and not override:
            return
        self._index[form] = _Entry(kind, key, _case_of(name.strip(), brand=brand), name.strip())

    def find(self, text: str) -> list[Mention]:
        """Every name in `text`, with negation, history, family and 'if' modifiers."""
        tokens = list(_TOKEN.finditer(text))
        # Each word normalised once; a run of words is the join of its words' forms, which is
        # what normalise() gives for the run (words are separated by non-letters).
        forms = [_word_form(m.group(0)) for m in tokens]
        raw: list[tuple[_Entry, int, int]] = []
        i = 0
        while i < len(tokens):
            matched = False
            for n in range(min(MAX_WORDS, len(tokens) - i), 0, -1):
                start, end = tokens[i].start(), tokens[i + n - 1].end()
                written = text[start:end]
                entry = self._index.get(" ".join(forms[i : i + n]))
                if entry is None or not _case_ok(entry, written):
                    continue
                raw.append((entry, start, end))
                i += n
                matched = True
                break
            if not matched:
                i += 1
        raw = self._with_ellipses(text, tokens, forms, raw)
        mentions: list[Mention] = []
        mods = modifiers_for(text, [(s, e) for _, s, e in raw])
        for (entry, start, end), mod in zip(raw, mods, strict=True):
            mentions.append(
                Mention(
                    kind=entry.kind,
                    key=entry.key,
                    text=text[start:end],
                    start=start,
                    end=end,
                    negated=mod.negated,
                    historical=mod.historical,
                    hypothetical=mod.hypothetical,
                    family=mod.family,
                )
            )
        vaccine = self._vaccine(text)
        if vaccine is not None:
            mentions.append(vaccine)
        return sorted(mentions, key=lambda m: m.start)

    def _with_ellipses(
        self,
        text: str,
        tokens: list[re.Match[str]],
        forms: list[str],
        raw: list[tuple[_Entry, int, int]],
    ) -> list[tuple[_Entry, int, int]]:
        """Conditions written with a shared word: 'kidney or liver disease' names kidney
        disease too, 'hepatitis B or C' hepatitis C. The other word (between the two words
        'or'/'and') is added as a mention where the condition list knows the whole name."""
        if not raw:
            return raw
        taken = {(s, e) for _, s, e in raw}
        starts = {t.start(): i for i, t in enumerate(tokens)}
        ends = {t.end(): i for i, t in enumerate(tokens)}
        extra: list[tuple[_Entry, int, int]] = []
        for entry, start, end in raw:
            if entry.kind != "condition":
                continue
            first, last = starts.get(start), ends.get(end)
            if first is None or last is None or last == first:
                continue
            words = forms[first : last + 1]
            # 'kidney or liver disease': the word before 'or' takes the mention's last words.
            if first >= 2 and forms[first - 1] in ("or", "and"):
                other = first - 2
                name = " ".join([forms[other], *words[1:]])
                self._ellipsis(name, tokens[other], taken, extra)
            # 'hepatitis B or C': the word after 'or' takes the mention's first words.
            if last + 2 < len(tokens) and forms[last + 1] in ("or", "and"):
                other = last + 2
                name = " ".join([*words[:-1], forms[other]])
                self._ellipsis(name, tokens[other], taken, extra)
        if not extra:
            return raw
        return sorted([*raw, *extra], key=lambda r: r[1])

    def _ellipsis(
        self,
        name: str,
        token: re.Match[str],
        taken: set[tuple[int, int]],
        extra: list[tuple[_Entry, int, int]],
    ) -> None:
        entry = self._index.get(name)
        span = (token.start(), token.end())
        if entry is None or entry.kind != "condition" or span in taken:
            return
        if any(s <= span[0] < e for s, e in taken):
            return
        taken.add(span)
        extra.append((entry, *span))

    def class_phrases(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        """(class id, the pattern of its phrases) of every vocabulary class a leaflet may name
        as a whole ('medicines that weaken the immune system'), compiled once per finder."""
        if self._phrases is None:
            out: list[tuple[str, re.Pattern[str]]] = []
            ids = getattr(self._vocab, "class_ids", None)
            class_def = getattr(self._vocab, "class_def", None)
            if callable(ids) and callable(class_def):
                for cid in sorted(ids()):
                    cdef = class_def(cid)
                    if cdef is not None and cdef.phrases:
                        body = "|".join(f"(?:{p})" for p in cdef.phrases)
                        out.append((cid, re.compile(rf"\b(?:{body})\b", re.IGNORECASE)))
            self._phrases = tuple(out)
        return self._phrases

    def classes_of(self, key: str) -> list[str]:
        """Vocabulary class ids of a substance, most specific first (as the vocabulary lists)."""
        if self._vocab is None:
            return []
        return [c.class_id for c in self._vocab.classes_of(key)]

    def _vaccine(self, text: str) -> Mention | None:
        if self._vocab is None or not re.search(r"vaccin|immuni[sz]", text, re.I):
            return None
        found = self._vocab.vaccine(text)
        if found is None:
            return None
        at = re.search(r"\w*vaccin\w*|\w*immuni[sz]\w*", text, re.I)
        start, end = (at.start(), at.end()) if at else (0, len(text))
        mod = modifiers_for(text, [(start, end)])[0]
        return Mention(
            kind="vaccine",
            key=found.vaccine_id,
            text=found.matched or text[start:end],
            start=start,
            end=end,
            negated=mod.negated,
            historical=mod.historical,
            hypothetical=mod.hypothetical,
            family=mod.family,
            live=None if found.ambiguous else found.live,
        )


@functools.lru_cache(maxsize=65536)
def _word_form(word: str) -> str:
    return normalise(word)


def _case_ok(entry: _Entry, written: str) -> bool:
    if entry.case == "exact":
        return written.replace(" ", "") == entry.written.replace(" ", "")
    if entry.case == "capital":
        return written[:1].isupper()
    return True


@functools.cache
def default_finder() -> MentionFinder:
    """A finder over the bundled vocabulary (names learned by a store are added by callers)."""
    from druginfo.vocab import Vocab

    return MentionFinder(Vocab.bundled())
