"""One source per document: which fact sets are the same document, and how old each one is.

A page must never agree with itself, and two different documents must never fold into one.
Publisher names are compared after normalisation ("Medicinenet" = "MedicineNet", "Swedish
Orphan Biovitrum AB (publ)" = "Swedish Orphan Biovitrum"); two fact sets are the same document
only when publisher, date, language and title agree — so two leaflets of one publisher and one
date (Benepali, Erelzi) stay two sources, while the curated quotes of a leaflet and the same
leaflet ingested on its own become one source that lists both ids.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from druginfo.model.facts import Fact, FactDocument, FactSet
from druginfo.reconcile.model import ReportSource

STALE_AFTER_YEARS = 5
REFERENCE_KINDS = frozenset({"label", "leaflet"})

# Legal-form words that do not change who the publisher is.
_LEGAL = re.compile(
    r"\b(inc|incorporated|ltd|limited|llc|gmbh|ag|ab|publ|plc|sa|srl|bv|nv|co|corp|corporation|"
    r"company|the)\b"
)


def publisher_key(name: str) -> str:
    """A publisher name reduced to what identifies it: case, spacing, punctuation, legal form
    and a trailing web domain do not count."""
    text = name.casefold()
    text = re.sub(r"\.(com|org|net|co\.uk|ca|eu)\b", " ", text)
    text = re.sub(r"\(([^)]*)\)", r" \1 ", text)
    text = _LEGAL.sub(" ", text)
    return re.sub(r"[^0-9a-z]+", "", text)


def title_key(title: str) -> tuple[str, ...]:
    """The words of a title before any ':' (what follows names the document type)."""
    head = title.split(":", 1)[0].casefold()
    return tuple(re.findall(r"[0-9a-z]+(?:[.,][0-9]+)?", head))


def _same_title(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if not a or not b:
        return a == b
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return long_[: len(short)] == short


@dataclass
class SourceDocs:
    """The fact sets that are one source, and their facts without repeats."""

    source: ReportSource
    documents: list[FactDocument]
    facts: list[Fact] = field(default_factory=list)
    # (topic, values) → normalised quotes already kept: one statement read twice (a curated
    # quote may run a sentence longer than the same words read from the leaflet) is kept once
    seen: dict[tuple[str, object], list[str]] = field(default_factory=dict, repr=False)

    @property
    def reference(self) -> bool:
        return self.source.kind in REFERENCE_KINDS

    @property
    def machine_read(self) -> bool:
        """Any fact read by machine (facts without a basis count as machine-read)."""
        return any(f.basis != "curated" for f in self.facts)


SAME_WORDS_SHARE = 0.5


def same_document(a: FactDocument, b: FactDocument) -> bool:
    """By description alone: same publisher, date, language and title."""
    return _same_issue(a, b) and _same_title(title_key(a.title), title_key(b.title))


def _same_issue(a: FactDocument, b: FactDocument) -> bool:
    return (
        a.language == b.language
        and a.date == b.date
        and publisher_key(a.publisher) == publisher_key(b.publisher)
    )


def _words(text: str) -> str:
    return " ".join(re.findall(r"[0-9a-z]+", text.casefold()))


def same_source(home: SourceDocs, fs: FactSet) -> bool:
    """One document reached twice under two descriptions (a curated monograph calls the
    MedicineNet page "anakinra, Kineret", the ingested page calls it "anakinra (Medicinenet
    page)"): same publisher, date and language, no conflicting product, and at least half of
    the statements of one are found word for word in the other. Two leaflets of one publisher
    and date share boilerplate but name different products, so they stay apart."""
    doc = fs.document
    first = home.documents[0]
    if not _same_issue(first, doc):
        return False
    if _same_title(title_key(first.title), title_key(doc.title)):
        return True
    if {first.kind, doc.kind} & REFERENCE_KINDS or home.source.kind in REFERENCE_KINDS:
        return False  # a leaflet or label is named exactly by its title
    mine = {b.casefold() for b in home.source.brands}
    theirs = {b.casefold() for b in doc.brands}
    if mine and theirs and not mine & theirs:
        return False
    a = [_words(f.quote) for f in home.facts]
    b = [_words(f.quote) for f in fs.facts]
    if not a or not b:
        return False
    text_a, text_b = " | ".join(a), " | ".join(b)
    share_a = sum(q in text_b for q in a) / len(a)
    share_b = sum(q in text_a for q in b) / len(b)
    return max(share_a, share_b) >= SAME_WORDS_SHARE


def group_sources(fact_sets: list[FactSet], as_of: dt.date) -> list[SourceDocs]:
    """Fact sets folded into sources (copies of one document together), ids S1, S2, ..."""
    groups: list[SourceDocs] = []
    for fs in fact_sets:
        doc = fs.document
        home = next((g for g in groups if same_source(g, fs)), None)
        if home is None:
            home = SourceDocs(
                source=ReportSource(
                    id=f"S{len(groups) + 1}",
                    documents=[],
                    publisher=doc.publisher,
                    title=doc.title,
                    brands=list(doc.brands),
                    kind=doc.kind,
                    date=doc.date,
                    language=doc.language,
                ),
                documents=[],
            )
            groups.append(home)
        home.documents.append(doc)
        home.source.documents.append(doc.id)
        for b in doc.brands:
            if b.casefold() not in (x.casefold() for x in home.source.brands):
                home.source.brands.append(b)
        # The more authoritative reading of a document names its kind (a leaflet read by
        # machine and the same leaflet curated are still a leaflet).
        if doc.kind in REFERENCE_KINDS:
            home.source.kind = doc.kind
        for f in fs.facts:
            bucket = home.seen.setdefault((f.topic, values_key(f)), [])
            quote = _norm(f.quote)
            if not any(quote in q or q in quote for q in bucket):
                bucket.append(quote)
                home.facts.append(f)
    newest_reference = max(
        (g.source.date for g in groups if g.reference and g.source.date), default=None
    )
    for g in groups:
        g.source.why_stale = _why_stale(g, newest_reference, as_of)
        g.source.stale = g.source.why_stale is not None
    return groups


def _why_stale(g: SourceDocs, newest_reference: dt.date | None, as_of: dt.date) -> str | None:
    date = g.source.date
    if date is None:
        return "no date given"
    if (as_of - date).days > 365 * STALE_AFTER_YEARS:
        return f"dated {date.isoformat()}, more than {STALE_AFTER_YEARS} years ago"
    if newest_reference and not g.reference and date < newest_reference:
        return f"dated before the newest official leaflet or label ({newest_reference.isoformat()})"
    return None


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


_PROVENANCE = frozenset({"quote", "section", "claim", "source", "basis"})


def values_key(f: Fact) -> tuple[tuple[str, object], ...]:
    """What a fact says, without where it says it (hashable; facts are frozen)."""
    return tuple((k, v) for k, v in f.__dict__.items() if v is not None and k not in _PROVENANCE)
