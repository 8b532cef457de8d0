"""Recognising vaccines in free text, and whether they are live.

A missed live vaccine can harm a person on an immunosuppressant, and a non-live vaccine taken for
live blocks a useful one; so the matcher decides only on words that settle the form: a product
name (Shingrix, Zostavax), a disease whose vaccines are all live or all non-live (measles,
tetanus), or a disease plus a word that settles the form ("flu shot", "oral typhoid").
A disease with both forms and no such word ("flu vaccine", "shingles vaccine") is reported as
ambiguous, and so is any other text that says "vaccine" but names none we know. When one line
names several vaccines, a live one wins, because that is the one a screen must not miss.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from druginfo.model import Source
from druginfo.vocab.base import VaccineMatch
from druginfo.vocab.text import compact, normalise, tokens

if TYPE_CHECKING:
    from druginfo.vocab.data import VaccineData, VaccineEntry, VaccineFamily

LIVE_UNSPECIFIED_ID = "live-vaccine-unspecified"
UNKNOWN_ID = "unknown-vaccine"


@dataclass(frozen=True)
class _Tag:
    kind: str  # vaccine | family | live | nonlive | word
    ref: str = ""  # vaccine or family id; for live/nonlive: family id or "" for any family


@dataclass(frozen=True)
class _Hit:
    tag: _Tag
    text: str


class VaccineMatcher:
    """Phrase lookup over the normalised words of a text, longest phrase first."""

    def __init__(self, data: VaccineData, sources: dict[str, Source]) -> None:
        self._data = data
        self._sources = sources
        self._entries: dict[str, VaccineEntry] = {e.id: e for e in data.vaccines}
        self._families: dict[str, VaccineFamily] = {f.id: f for f in data.families}
        self._spaced: dict[str, list[_Tag]] = {}
        self._compact: dict[str, list[_Tag]] = {}
        self._max_words = 1
        for e in data.vaccines:
            self._add(e.names, _Tag("vaccine", e.id))
        for f in data.families:
            self._add(f.names, _Tag("family", f.id))
            self._add(f.live_words, _Tag("live", f.id))
            self._add(f.nonlive_words, _Tag("nonlive", f.id))
        self._add(data.live_words, _Tag("live"))
        self._add(data.nonlive_words, _Tag("nonlive"))
        self._add(data.vaccine_words, _Tag("word"))

    def _add(self, phrases: Iterable[str], tag: _Tag) -> None:
        for phrase in phrases:
            spaced = normalise(phrase)
            if not spaced:
                continue
            self._spaced.setdefault(spaced, []).append(tag)
            if " " in spaced:
                self._compact.setdefault(compact(phrase), []).append(tag)
            self._max_words = max(self._max_words, spaced.count(" ") + 1)

    def ids(self) -> set[str]:
        return set(self._entries) | set(self._families) | {LIVE_UNSPECIFIED_ID, UNKNOWN_ID}

    def entry(self, vaccine_id: str) -> VaccineEntry | None:
        return self._entries.get(vaccine_id)

    def _scan(self, text: str) -> list[_Hit]:
        words = tokens(text)
        hits: list[_Hit] = []
        i = 0
        while i < len(words):
            for n in range(min(self._max_words, len(words) - i), 0, -1):
                window = words[i : i + n]
                found = self._spaced.get(" ".join(window))
                if found is None and n > 1:
                    found = self._compact.get("".join(window))
                if found is not None:
                    hits.extend(_Hit(tag, " ".join(window)) for tag in found)
                    i += n
                    break
            else:
                i += 1
        return hits

    def match(self, text: str) -> VaccineMatch | None:
        hits = self._scan(text)
        if not hits:
            return None
        products = [h for h in hits if h.tag.kind == "vaccine"]
        for h in products:
            entry = self._entries[h.tag.ref]
            if entry.live:
                return self._of_entry(entry, h.text)

        def said(kind: str, family: str) -> bool:
            return any(h.tag.kind == kind and h.tag.ref in ("", family) for h in hits)

        settled = {self._entries[h.tag.ref].family for h in products}
        ambiguous: list[tuple[VaccineFamily, str]] = []
        nonlive: list[tuple[VaccineEntry, str]] = [
            (self._entries[h.tag.ref], h.text) for h in products
        ]
        for h in hits:
            if h.tag.kind != "family" or h.tag.ref in settled:
                continue
            fam = self._families[h.tag.ref]
            live, non = said("live", fam.id), said("nonlive", fam.id)
            if live and not non:
                return self._of_entry(self._entries[fam.live_variant], h.text)
            if non and not live:
                nonlive.append((self._entries[fam.nonlive_variant], h.text))
            else:
                ambiguous.append((fam, h.text))
        if ambiguous:
            fam, matched = ambiguous[0]
            return VaccineMatch(
                vaccine_id=fam.id,
                name=fam.name,
                live=False,
                matched=matched,
                source=self._sources[fam.source],
                quote=fam.quote,
                ambiguous=True,
            )
        if nonlive:
            entry, matched = nonlive[0]
            return self._of_entry(entry, matched)
        if not any(h.tag.kind == "word" for h in hits):
            return None
        d = self._data
        if said("live", "") and not said("nonlive", ""):
            return VaccineMatch(
                vaccine_id=LIVE_UNSPECIFIED_ID,
                name="live vaccine (not named)",
                live=True,
                matched=normalise(text),
                source=self._sources[d.live_unspecified_source],
                quote=d.live_unspecified_quote,
            )
        return VaccineMatch(
            vaccine_id=UNKNOWN_ID,
            name="vaccine not recognised",
            live=False,
            matched=normalise(text),
            source=self._sources[d.unknown_source],
            quote=d.unknown_quote,
            ambiguous=True,
        )

    def _of_entry(self, entry: VaccineEntry, matched: str) -> VaccineMatch:
        return VaccineMatch(
            vaccine_id=entry.id,
            name=entry.name,
            live=entry.live,
            matched=matched,
            source=self._sources[entry.source],
            quote=entry.quote,
        )
