"""Backend-independent pieces of the stores: what is indexed, how queries are made safe, and
how name candidates are ranked, so SQLite and PostgreSQL answer the same question the same way.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import unicodedata
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from druginfo.model import DrugSummary, InteractionPair, Monograph, SearchHit

# Plain-text markers around matched words in snippets: safe to print in a terminal and easy
# for an HTML view to replace after escaping the text.
HIGHLIGHT_START = "**"
HIGHLIGHT_END = "**"

# Scores: every name hit ranks above every text hit.
SCORE_EXACT = 100.0
SCORE_PREFIX = 95.0
FUZZY_MIN = 78.0  # rapidfuzz ratio below which a name is not offered as a near-miss
TEXT_MAX = 50.0

LEVEL_RANK = {"unknown": 0, "minor": 1, "moderate": 2, "major": 3}

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_MAX_TERMS = 16
_MAX_QUERY_CHARS = 500


class MonographCache:
    """Decoded monographs by (document row, checksum).

    Reading a monograph re-validates its whole JSON (milliseconds for a curated one), and the
    web site and API read the same few again and again; a changed document has a new checksum,
    so an entry can never be stale. Callers must treat the objects as read-only.
    """

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._items: OrderedDict[tuple[object, str], Monograph] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self, row: object, checksum: str, load: Callable[[], Monograph | None]
    ) -> Monograph | None:
        key = (row, checksum)
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit
        mono = load()
        if mono is not None:
            with self._lock:
                self._items[key] = mono
                while len(self._items) > self._size:
                    self._items.popitem(last=False)
        return mono


def strip_diacritics(text: str) -> str:
    """The text decomposed (NFKD) without its combining marks. ASCII text (most names) is
    its own decomposition and holds no combining mark: it is returned as it is, without
    the walk over its characters."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize_name(text: str) -> str:
    """Case, accents, punctuation and spacing never distinguish two drug names."""
    words = _WORD.findall(strip_diacritics(text).casefold())
    return " ".join(words)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def document_kind(mono: Monograph) -> str:
    if mono.curated:
        return "curated"
    if mono.sources:
        return mono.sources[0].kind.value
    return "label"


def display_name(mono: Monograph) -> str:
    generic = mono.identity.generic or mono.key
    brands = [b for b in mono.identity.brands if b.strip()]
    if brands and normalize_name(brands[0]) != normalize_name(generic):
        return f"{brands[0]} ({generic})"
    # A medicine filed under its brand (no substance could be read) is shown as the brand is
    # written, not as the lower-case key: "AFLUNOV", not "aflunov".
    return brands[0] if brands else generic


def monograph_names(mono: Monograph) -> list[tuple[str, str]]:
    """(name, kind) of every name a person might type for this document's drug."""
    seen: set[str] = set()
    out: list[tuple[str, str]] = []

    def add(name: str, kind: str) -> None:
        name = " ".join(name.split())
        norm = normalize_name(name)
        if norm and norm not in seen:
            seen.add(norm)
            out.append((name, kind))

    add(mono.identity.generic, "generic")
    add(mono.key, "generic")
    for brand in mono.identity.brands:
        add(brand, "brand")
    # A combination's single substances are not names of the combination: "metformin" must
    # not resolve to "metformin + pioglitazone" (its text still finds it).
    if len(mono.identity.substances) == 1:
        add(mono.identity.substances[0], "substance")
    return out


def text_chunks(mono: Monograph) -> list[tuple[str, str]]:
    """(section title, text) rows for full-text search.

    Claims quoted verbatim from a section would only duplicate it, so only claims whose words
    are not already inside an indexed section get a row of their own.

    Linear in the document's length for the usual order (claims quote their section from
    start to end): each quote is looked for from where the previous quote of that section
    was found, and only a quote not found after it is looked for in the whole text (the
    answer is the same as `quote in text`; a 50 MB page no longer costs claims × text).
    """
    chunks: list[tuple[str, str]] = []
    by_title: dict[str, str] = {}
    for section in mono.sections:
        body = section.text.strip()
        title = section.title.strip()
        if body or title:
            chunks.append((title, body))
            by_title[section.title] = by_title.get(section.title, "") + "\n" + body
    found_at: dict[str | None, int] = {}
    joined: str | None = None
    for claim in mono.claims:
        quote = claim.quote.strip()
        if not quote:
            continue
        where = claim.section
        if where is not None:
            # `_contains(by_title.get(where, ""), quote, found_at, where)`, inlined: a
            # leaflet has ~180 claims, nearly all found in their section where the previous
            # one was.
            text = by_title.get(where, "")
            start = found_at.get(where, 0)
            at = text.find(quote, start)
            if at < 0 and start:
                at = text.find(quote)
            if at >= 0:
                found_at[where] = at
                continue
        if joined is None:
            joined = "\n".join(by_title.values())
        if not _contains(joined, quote, found_at, None):
            chunks.append(((claim.section or claim.topic.value).strip(), quote))
    if joined is None:
        joined = "\n".join(by_title.values())
    for statement in mono.identity.statements:
        if statement.text.strip() and statement.text not in joined:
            chunks.append(("identity", statement.text.strip()))
    names = " · ".join(name for name, _ in monograph_names(mono))
    chunks.append(("names", names))
    return chunks


def _contains(text: str, quote: str, found_at: dict[str | None, int], where: str | None) -> bool:
    """`quote in text`, searched first from where the last quote of `where` was found."""
    start = found_at.get(where, 0)
    at = text.find(quote, start)
    if at < 0 and start:
        at = text.find(quote)
    if at < 0:
        return False
    found_at[where] = at
    return True


@dataclass(frozen=True, slots=True)
class PreparedDocument:
    """Everything a store writes for one document, derived once from the monograph as
    validated from its JSON, so the writer only writes (in a pooled ingest this is built in
    a worker process and travels back pickled).

    `blob` is the JSON compressed for SQLite; `json` the text for PostgreSQL (one of the two
    is set, as the store asked)."""

    doc_id: str
    checksum: str
    origin: str
    key: str
    language: str
    kind: str
    curated: bool
    display: str
    brands: list[str]
    document_date: dt.date | None
    json: str | None
    blob: bytes | None
    names: list[tuple[str, str, str]]  # (name, normalised name, kind)
    chunks: list[tuple[str, str]]  # (section title, text) rows for full-text search


def compress_monograph(text: str | bytes) -> bytes:
    """Monograph JSON (text, or its UTF-8 bytes as pydantic makes them), zlib-compressed at
    level 1 (leaflets shrink about 4x; level 3 took twice the CPU for a few per cent)."""
    return zlib.compress(text if isinstance(text, bytes) else text.encode("utf-8"), 1)


def prepare_document(
    text: str | bytes,
    doc_id: str,
    checksum: str,
    origin: str = "",
    *,
    compress: bool,
    validated: Monograph | None = None,
) -> PreparedDocument:
    """The rows of one document from its monograph JSON (text, or UTF-8 bytes: a worker
    compressing for SQLite takes pydantic's bytes as they are, without a decode and an
    encode of ~60 KB per leaflet).

    The monograph is validated once on its way to the store, so what is stored is what loads
    back: here, from exactly this text, unless `validated` is the monograph this text was
    made from and its parser built it from validated parts only (`ParsedDocument.validated`).
    Some parsers build parts with model_copy(update=...), which pydantic does not validate,
    and a monograph that cannot be read back must be refused here (ValueError), not found
    broken later."""
    if not doc_id or not checksum:
        raise ValueError("doc_id and checksum are required")
    mono = validated if validated is not None else Monograph.model_validate_json(text)
    return PreparedDocument(
        doc_id=doc_id,
        checksum=checksum,
        origin=origin,
        key=mono.key,
        language=mono.language,
        kind=document_kind(mono),
        curated=mono.curated,
        display=display_name(mono),
        brands=list(mono.identity.brands),
        document_date=mono.document_date,
        json=None if compress else text if isinstance(text, str) else text.decode("utf-8"),
        blob=compress_monograph(text) if compress else None,
        names=[(n, normalize_name(n), kind) for n, kind in monograph_names(mono)],
        chunks=text_chunks(mono),
    )


def canonical_pair(pair: InteractionPair) -> tuple[str, str]:
    a = " ".join(pair.drug_a.casefold().split())
    b = " ".join(pair.drug_b.casefold().split())
    return (a, b) if a <= b else (b, a)


def merge_level(old: str, new: str) -> str:
    """Two tables (or two rows) disagreeing on severity: keep the more severe one."""
    return new if LEVEL_RANK[new] > LEVEL_RANK[old] else old


@dataclass
class TextQuery:
    """A user's search text made safe: groups of plain word tokens (a group of several words is
    a phrase). Nothing of the user's punctuation reaches the full-text engine."""

    groups: list[list[str]] = field(default_factory=list)
    explicit_phrases: bool = False

    @property
    def tokens(self) -> list[str]:
        return [t for g in self.groups for t in g]

    def is_empty(self) -> bool:
        return not self.groups


def parse_text_query(query: str) -> TextQuery:
    text = query[:_MAX_QUERY_CHARS]
    groups: list[list[str]] = []
    explicit = False
    # Text inside double quotes is a phrase; an unmatched quote just ends at the end.
    parts = text.split('"')
    for i, part in enumerate(parts):
        if i % 2 == 1:
            words = _WORD.findall(part)
            if words:
                groups.append(words)
                explicit = explicit or len(words) > 1
        else:
            for piece in part.split():
                words = _WORD.findall(piece)  # "e.coli" / "2-8" stay one phrase
                if words:
                    groups.append(words)
    # Bound the work one query can cause.
    bounded: list[list[str]] = []
    count = 0
    for g in groups:
        if count >= _MAX_TERMS:
            break
        g = g[: _MAX_TERMS - count]
        bounded.append(g)
        count += len(g)
    return TextQuery(bounded, explicit)


def fts5_phrase(words: Sequence[str]) -> str:
    return '"' + " ".join(w.replace('"', '""') for w in words) + '"'


def fts5_match(q: TextQuery, *, as_one_phrase: bool = False) -> str:
    """An FTS5 MATCH expression built only from quoted word tokens (never raises)."""
    if as_one_phrase:
        return fts5_phrase(q.tokens)
    return " AND ".join(fts5_phrase(g) for g in q.groups)


def trigram_match(norm: str) -> str | None:
    """OR of the query's trigrams: names sharing any of them are candidates for re-ranking."""
    grams = sorted({norm[i : i + 3] for i in range(len(norm) - 2)})
    grams = [g for g in grams if g.strip()]
    if not grams:
        return None
    return " OR ".join('"' + g.replace('"', '""') + '"' for g in grams[:64])


def fuzzy_score(query_norm: str, candidate_norm: str) -> float:
    """Similarity of whole names (not substrings: 'site' must not match a long brand)."""
    from rapidfuzz import fuzz  # here: opening a store to read a monograph needs no matcher

    return float(fuzz.ratio(query_norm, candidate_norm))


@dataclass
class NameRow:
    key: str
    language: str
    name: str
    display: str
    curated: bool


def rank_name_hits(
    query_norm: str,
    exact: Iterable[NameRow],
    prefix: Iterable[NameRow],
    fuzzy: Iterable[tuple[NameRow, str]],
) -> list[SearchHit]:
    """Name hits scored so exact > prefix > near-miss, curated documents first on ties."""
    hits: list[SearchHit] = []
    for row in exact:
        hits.append(_name_hit(row, SCORE_EXACT + (0.5 if row.curated else 0.0)))
    for row in prefix:
        norm = normalize_name(row.name)
        penalty = min(4.0, (len(norm) - len(query_norm)) / 4)
        hits.append(_name_hit(row, SCORE_PREFIX - penalty + (0.25 if row.curated else 0.0)))
    for row, norm in fuzzy:
        score = fuzzy_score(query_norm, norm)
        if score >= FUZZY_MIN:
            hits.append(_name_hit(row, 0.9 * score + (0.25 if row.curated else 0.0)))
    return hits


def _name_hit(row: NameRow, score: float) -> SearchHit:
    return SearchHit(
        key=row.key,
        name=row.display,
        language=row.language,
        section=None,
        snippet=f"name: {row.name}",
        score=round(score, 3),
        match="name",
    )


def fold(text: str) -> str:
    """Lower-case ASCII skeleton of a text, for quick approximate matching (C speed)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()


def relevance_scorer(q: TextQuery) -> Callable[[str, str], float]:
    """A BM25-like relevance of a text row (section title, body) to the query, without corpus
    statistics: saturating frequency of each word group, normalised by length, plus the
    words in the section title. Words match by prefix, as stems do ('reaction' ~ 'reactions')."""
    # Patterns start with a literal (no \b) so `re` can scan for it quickly; a single word is
    # counted with str.count. Both ignore the word boundary before the stem: close enough
    # for ordering rows that all matched already.
    patterns: list[re.Pattern[str] | str] = []
    for group in q.groups:
        stems = [_stem(fold(w)) for w in group]
        if all(stems):
            if len(stems) == 1:
                patterns.append(stems[0])
            else:
                patterns.append(re.compile(r"\w*\W+".join(map(re.escape, stems))))

    def score(section: str, body: str) -> float:
        text = fold(body)
        title = fold(section)
        norm = 0.25 + 0.75 * (text.count(" ") + 1) / 120.0
        total = 0.0
        for pattern in patterns:
            if isinstance(pattern, str):
                tf = text.count(pattern)
                in_title = pattern in title
            else:
                tf = len(pattern.findall(text))
                in_title = pattern.search(title) is not None
            total += tf / (tf + 1.2 * norm)
            if in_title:
                total += 0.5
        return total

    return score


SNIPPET_CHARS = 160


def make_snippet(q: TextQuery, body: str) -> str:
    """About SNIPPET_CHARS characters of `body` around the first match of the query's words,
    each matched word between HIGHLIGHT_START and HIGHLIGHT_END; the start of the text when
    no word is found verbatim (a match through stemming or accents only)."""
    return snippet_maker(q)(body)


def snippet_maker(q: TextQuery) -> Callable[[str], str]:
    """`make_snippet` for one query and many bodies: its patterns are compiled once (a search
    makes up to 20 snippets for the same query)."""
    stems = sorted({_stem(w.casefold()) for w in q.tokens if w}, key=len, reverse=True)
    if not stems:
        return _plain_snippet
    word = re.compile(
        r"(?<![^\W_])(?:" + "|".join(map(re.escape, stems)) + r")[^\W_]*", re.IGNORECASE
    )
    # Centre on the whole query as typed if it occurs, else on a word group, else a word.
    # Searched in the lower-cased text with patterns that start with a literal (the word
    # boundary is checked behind it): `re` then skips ahead to each occurrence of the first
    # word instead of trying every position, as it must with IGNORECASE or a leading
    # look-behind. The case-blind patterns remain for texts whose length lower() changes.
    sequences = [[re.escape(_stem(w.casefold())) for w in words] for words in [q.tokens, *q.groups]]
    fast = [
        re.compile(
            seq[0]
            + r"(?<=(?<![^\W_])"
            + seq[0]
            + ")"
            + "".join(r"[^\W_]*[\W_]+" + s for s in seq[1:])
        )
        if seq
        else re.compile("")
        for seq in sequences
    ]
    slow = [
        re.compile(r"(?<![^\W_])" + r"[^\W_]*[\W_]+".join(seq), re.IGNORECASE) for seq in sequences
    ]

    def snippet(body: str) -> str:
        text = " ".join(body.split())
        low = text.lower()
        patterns, haystack = (fast, low) if len(low) == len(text) else (slow, text)
        center = None
        for pattern in patterns:
            found = pattern.search(haystack)
            if found:
                center = found.start()
                break
        if center is None:
            first = word.search(text)
            center = first.start() if first else 0
        start = max(0, center - SNIPPET_CHARS // 3)
        if start > 0:
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < center else start
        end = min(len(text), start + SNIPPET_CHARS)
        if end < len(text):
            space = text.rfind(" ", start, end)
            end = space if space > center else end
        window = word.sub(
            lambda m: f"{HIGHLIGHT_START}{m.group(0)}{HIGHLIGHT_END}", text[start:end]
        )
        return ("…" if start > 0 else "") + window + ("…" if end < len(text) else "")

    return snippet


def _plain_snippet(body: str) -> str:
    text = " ".join(body.split())
    return text[:SNIPPET_CHARS] + ("…" if len(text) > SNIPPET_CHARS else "")


def _stem(word: str) -> str:
    return word[: max(4, len(word) - 2)] if len(word) > 4 else word


def text_score(relevance: float) -> float:
    """Map an engine relevance (bigger = better, unbounded) into (0, TEXT_MAX)."""
    r = max(relevance, 0.0)
    return round(TEXT_MAX * r / (1.0 + r), 4)


def query_language(hits: Sequence[SearchHit], asked: str | None = None) -> str:
    """The language a query is in: the one asked for, else the language most of its text
    matches are in (a word of one language rarely occurs in the others' leaflets), else
    English. Names are the same in every language, so name hits do not vote."""
    if asked:
        return asked
    votes: dict[str, float] = {}
    for hit in hits:
        if hit.match == "text":
            votes[hit.language] = votes.get(hit.language, 0.0) + 1.0
    if not votes:
        return "en"
    top = max(votes.values())
    winners = sorted(lang for lang, n in votes.items() if n == top)
    return "en" if "en" in winners else winners[0]


def dedupe_hits(
    hits: Iterable[SearchHit], limit: int, language: str | None = None
) -> list[SearchHit]:
    """One hit per document a reader would tell apart, best first.

    Name matches come before text matches; within each, the query's language first, then
    relevance. The same medicine under the same name in several languages is one result (in
    the query's language), so "kinaret" gives Kineret once, not three times.
    """
    items = list(hits)
    preferred = query_language(items, language)
    best: dict[tuple[str, str], SearchHit] = {}
    for hit in items:
        k = (hit.key, hit.name.casefold())
        cur = best.get(k)
        if cur is None or _hit_order(hit, preferred) < _hit_order(cur, preferred):
            best[k] = hit
    ordered = sorted(best.values(), key=lambda h: (*_hit_order(h, preferred), h.key))
    return ordered[:limit]


def _hit_order(hit: SearchHit, preferred: str) -> tuple[int, int, float, int]:
    return (
        0 if hit.match == "name" else 1,
        0 if hit.language == preferred else 1,
        -hit.score,
        0 if hit.language == "en" else 1,
    )


def summarize_drugs(
    rows: Iterable[tuple[str, str, bool, str, list[str]]],
) -> list[DrugSummary]:
    """Rows of (key, language, curated, display name, brands) → one summary per key."""
    by_key: dict[str, dict[str, object]] = {}
    for key, language, curated, display, brands in rows:
        entry = by_key.setdefault(
            key,
            {"name": display, "rank": (2, 2), "brands": [], "languages": set(), "curated": False},
        )
        rank = (0 if curated else 1, 0 if language == "en" else 1)
        if rank < entry["rank"]:  # type: ignore[operator]
            entry["name"] = display
            entry["rank"] = rank
        blist: list[str] = entry["brands"]  # type: ignore[assignment]
        for b in brands:
            if b not in blist:
                blist.append(b)
        langs: set[str] = entry["languages"]  # type: ignore[assignment]
        langs.add(language)
        entry["curated"] = bool(entry["curated"]) or curated
    return [
        DrugSummary(
            key=key,
            name=str(e["name"]),
            generic=key,
            brands=list(e["brands"]),  # type: ignore[call-overload]
            languages=sorted(e["languages"]),  # type: ignore[call-overload]
            curated=bool(e["curated"]),
        )
        for key, e in sorted(by_key.items())
    ]


def migration_scripts(backend: str) -> list[tuple[int, str, str]]:
    """(version, name, sql) of the numbered migrations bundled for a backend, in order."""
    from druginfo.package_files import files

    folder = files() / "store" / "migrations" / backend
    out: list[tuple[int, str, str]] = []
    for entry in folder.iterdir():
        m = re.fullmatch(r"(\d{4})_(\w+)\.sql", entry.name)
        if m:
            out.append((int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    out.sort()
    versions = [v for v, _, _ in out]
    if versions != list(range(1, len(versions) + 1)):
        raise RuntimeError(f"{backend} migrations are not numbered 1..n: {versions}")
    return out


def language_order(language: str | None) -> list[str]:
    """Languages to try for a non-curated document: the asked one, then English."""
    order = [language or "en"]
    if "en" not in order:
        order.append("en")
    return order


def pick_best(rows: Sequence[tuple[Any, bool, str, str, object, str]], language: str | None) -> Any:
    """Curated (when the language fits), else the asked language, else English, else any.

    Among equals: an official label before a publisher page, then the newest document.
    """
    if not rows:
        return None
    order = language_order(language)

    def sort_key(r: tuple[Any, bool, str, str, object, str]) -> tuple[object, ...]:
        curated, lang, kind, date = r[1], r[2], r[3], str(r[4] or "")
        if curated and (language is None or lang == language):
            tier = -1
        else:
            tier = order.index(lang) if lang in order else len(order)
        return (tier, not curated, kind != "label", _neg(date), r[5])

    return sorted(rows, key=sort_key)[0][0]


def _neg(date: str) -> str:
    """Sort key for 'newest first' on ISO dates (missing dates last)."""
    if not date:
        return "~"
    return "".join(chr(0x7E - ord(ch)) if ch.isdigit() else ch for ch in date)
