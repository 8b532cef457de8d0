"""BM25 relevance of a bounded set of candidate text rows, in two passes.

Why not the full-text engine's own ranking (FTS5 `bm25()`, PostgreSQL `ts_rank`)? Both
cost time in proportion to every row of the store that holds a query word, however few
rows are ranked: FTS5's `bm25()` first counts the rows of each phrase across the whole
index (its IDF), and PostgreSQL reads every matching row to sort them. For a word such as
"the" or "doctor" that is most of the store, so ranking cost grew with the corpus (tens to
hundreds of milliseconds at 20×). Here the engine only *finds* at most TEXT_CANDIDATES
matching rows (the most recently stored first: a cheap walk of its index), and:

1. every candidate gets BM25 with each word group counted once in the body and as often as
   it occurs in the section title (weighted 3, as before), normalised by the row's length
   in tokens: what BM25 says of a row from its length and title alone, and the whole of
   BM25 for the many rows that hold a word once;
2. the best `rerank` of them are read and scored again with their real term frequencies
   (full BM25, k1 = 1.2, b = 0.75), and the query's words side by side, as typed, rank
   above the same words apart (proximity is a ranking signal on the candidates, not a
   second search of the whole store).

Each group's inverse document frequency comes from the store (exact when the query is
selective, else from the density of its newest matches). When a query matches at most
TEXT_CANDIDATES rows, every match is ranked; when it matches more (an unselective query),
BM25 ranks the most recently stored TEXT_CANDIDATES of them: newer documents are preferred
at equal relevance rather than reading the whole index for words that discriminate little.
A cascade of a cheap score over many candidates and an exact one over the best few is the
usual shape of ranking at scale; the cheap score here is BM25 itself with tf = 1.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass

from druginfo.store.common import TEXT_MAX, TextQuery

K1 = 1.2
B = 0.75
TITLE_WEIGHT = 3.0
SHORT = 3  # words this short are counted only whole ("do" is not "doctor")


def stem(word: str) -> str:
    """The prefix a word is counted by: 'reactions' ~ 'reaction'. The engine has already
    decided that the row matches (with its own stemmer); this only counts occurrences."""
    return word[: max(4, len(word) - 2)] if len(word) > 4 else word


def _sequence(words: Sequence[str]) -> str:
    """Words starting with these stems, in this order, separated by anything but a letter.

    Words of at most SHORT letters must end there ("the" is not "there"). The pattern
    starts with the first stem itself and checks the word boundary behind it:
    a pattern starting with the boundary makes `re` try every position of the text, about
    15× slower on a leaflet section."""
    stems = [re.escape(stem(w.lower())) + (r"(?!\w)" if len(w) <= SHORT else "") for w in words]
    first = stems[0]
    rest = "".join(r"\w*\W+" + s for s in stems[1:])
    return first + r"(?<=\b" + stems[0].removesuffix(r"(?!\w)") + ")" + rest


def idf(rows: float, matching: float) -> float:
    """BM25's inverse document frequency, as FTS5 computes it (never below a tiny positive)."""
    value = math.log((rows - matching + 0.5) / (matching + 0.5))
    return value if value > 0 else 1e-6


@dataclass
class Candidate:
    rowid: int
    section: str
    length: int  # tokens in the row (all columns), as the engine counted them
    score: float = 0.0  # in (0, TEXT_MAX)


class Bm25:
    """One query's word groups compiled once, scoring many rows.

    Text is compared in lower case only, as UTF-8 bytes (whose lower() is a fast ASCII
    mapping): folding accents would cost more than the rest of the ranking, and a word
    whose form we do not count (typed without its accent, another stem) still counts once,
    since the engine found every group in every candidate.
    """

    def __init__(
        self, q: TextQuery, weights: Sequence[float], average_length: float | None
    ) -> None:
        self.groups = [re.compile(_sequence(g).encode("utf-8")) for g in q.groups if g]
        self.weights = list(weights) + [1.0] * (len(self.groups) - len(weights))
        self.average = average_length
        # The words as typed, side by side, rank first: only meaningful when they were typed
        # apart. The store finds those rows among the candidates with its own phrase search
        # (its tokenizer and stemmer) and hands them to first_pass.
        self.phrased = len(q.groups) > 1 and not q.explicit_phrases
        self.bands = 2 if self.phrased else 1
        self._together: Container[int] = ()
        self._titles: dict[str, list[int]] = {}
        # Most titles hold none of the words: one search for any of them settles those.
        self._any = re.compile(b"|".join(p.pattern for p in self.groups)) if self.groups else None
        self._none = [0] * len(self.groups)

    def _title_counts(self, section: str) -> list[int]:
        """How often each group occurs in a section title (titles repeat: counted once)."""
        counts = self._titles.get(section)
        if counts is None:
            title = section.lower().encode("utf-8")
            if self._any is None or self._any.search(title) is None:
                counts = self._none
            else:
                counts = [len(p.findall(title)) for p in self.groups]
            self._titles[section] = counts
        return counts

    def _scorer(self, average: float) -> Callable[[list[float], int, int], float]:
        """score(term frequencies, row length, band) in (0, TEXT_MAX): BM25 of the groups
        (each tf at least 1), mapped to (0, 1) and placed in its band."""
        k1a, k1b, k1p = K1 * (1.0 - B), K1 * B / average, K1 + 1.0
        weights = self.weights
        bands = self.bands

        def score(tfs: list[float], length: int, band: int) -> float:
            norm = k1a + k1b * length
            relevance = 0.0
            for tf, weight in zip(tfs, weights, strict=False):
                if tf < 1.0:
                    tf = 1.0
                relevance += weight * tf * k1p / (tf + norm)
            return TEXT_MAX * (band + relevance / (1.0 + relevance)) / bands

        return score

    def first_pass(
        self, candidates: list[Candidate], together: Container[int] = ()
    ) -> list[Candidate]:
        """Every candidate scored from its length and title alone (body tf = 1), best first.

        `together`: the rows in which the engine found the query's words side by side (its
        phrase match), which rank first here as they will in the second pass."""
        self._together = together
        if not candidates:
            return []
        average = self.average or sum(c.length for c in candidates) / len(candidates)
        score = self._scorer(average)
        title_tfs: dict[str, list[float] | None] = {}
        phrased = self.phrased
        # A row whose title holds none of the words has tf = 1 for every group: its BM25 is
        # the sum of the weights times (k1 + 1) / (1 + norm), computed here inline (most
        # candidates; the same value the general scorer gives, without its call and loop).
        k1a, k1b = K1 * (1.0 - B), K1 * B / average
        wk1p = sum(self.weights[: len(self.groups)]) * (K1 + 1.0)
        bands = self.bands
        for c in candidates:
            section = c.section
            if section in title_tfs:
                tfs = title_tfs[section]
            else:
                counts = self._title_counts(section)
                tfs = None if counts is self._none else [TITLE_WEIGHT * n + 1.0 for n in counts]
                title_tfs[section] = tfs
            band = 1 if phrased and c.rowid in together else 0
            if tfs is None:
                relevance = wk1p / (1.0 + k1a + k1b * c.length)
                c.score = TEXT_MAX * (band + relevance / (1.0 + relevance)) / bands
            else:
                c.score = score(tfs, c.length, band)
        return sorted(candidates, key=_order, reverse=True)

    def second_pass(self, candidates: list[tuple[Candidate, bytes]]) -> list[Candidate]:
        """The candidates scored with their real term frequencies, best first."""
        if not candidates:
            return []
        average = self.average or sum(c.length for c, _ in candidates) / len(candidates)
        score = self._scorer(average)
        for c, raw in candidates:
            text = raw.lower()
            tfs = [
                TITLE_WEIGHT * n + len(p.findall(text))
                for n, p in zip(self._title_counts(c.section), self.groups, strict=True)
            ]
            band = 1 if self.phrased and c.rowid in self._together else 0
            c.score = round(score(tfs, c.length, band), 4)
        return sorted((c for c, _ in candidates), key=_order, reverse=True)


def _order(c: Candidate) -> tuple[float, int]:
    """Best first when sorted in reverse: higher score, then the most recently stored."""
    return (c.score, c.rowid)


def best_per_document(
    ranked: Iterable[Candidate], limit: int, documents: Mapping[int, tuple[str, str, str]]
) -> list[Candidate]:
    """The best row of each (medicine, language), best first, at most `limit`.

    `documents` maps a row to its document's (key, language, display name)."""
    seen: set[tuple[str, str]] = set()
    out: list[Candidate] = []
    for c in ranked:  # already best first
        k = documents[c.rowid][:2]
        if k in seen:
            continue
        seen.add(k)
        out.append(c)
        if len(out) >= limit:
            break
    return out


def varint_sum(blob: bytes) -> int:
    """The sum of the varints in `blob` (a row's tokens per column: its length). Token
    counts never reach the 9-byte form, so every byte carries 7 bits."""
    total = value = 0
    for byte in blob:
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            total += value
            value = 0
    return total


def varints(blob: bytes) -> list[int]:
    """SQLite/FTS5 variable-length integers (big-endian, 7 bits a byte; a 9th byte holds 8)."""
    out: list[int] = []
    i = 0
    while i < len(blob):
        value = 0
        for n in range(9):
            byte = blob[i]
            i += 1
            if n == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        out.append(value)
    return out
