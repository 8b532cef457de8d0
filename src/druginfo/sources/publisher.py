"""Publisher pages (drug-information web pages saved as text or HTML) as ingested documents.

A page has no structured metadata, so everything is read from its own words: which medicine
it is about ("Generic Name: anakinra", "Kineret (anakinra) is ..."), when it was reviewed
("Medically reviewed ... on May 26, 2015"), and its sections (headings). The publisher is the
first part of the file name ("healthline-anakinra.txt" → Healthline), because a saved page
rarely names its own site in the text. A page whose medicine cannot be told is a `Broken`
record: guessing the drug would file its claims under the wrong medicine.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import PurePath

from druginfo.model import Claim, Identity, Monograph, Section, Source, SourceKind, Topic
from druginfo.sources.base import Broken, ParsedDocument
from druginfo.sources.pages import PageItem, html_to_text, page_items

PAGE_SUFFIXES = frozenset({".txt", ".text", ".html", ".htm"})

_GENERIC = re.compile(r"\bgeneric name\s*:\s*([A-Za-z][A-Za-z0-9 \-]*?)\s*(?:,|\n|$)", re.I)
_BRAND = re.compile(r"\bbrand names?\s*:\s*([A-Za-z][A-Za-z0-9 \-]*?)\s*(?:,|\n|$)", re.I)
_BRAND_PAREN = re.compile(r"\b([A-Z][A-Za-z0-9\-]{2,})\s*\(([A-Za-z][a-z0-9\-]{2,})\)")
_REVIEWED = re.compile(
    r"\breviewed\b[^\n]{0,120}?\bon\s+([A-Z][a-z]+ \d{1,2}, \d{4}|\d{1,2}/\d{1,2}/\d{4})", re.I
)

# Heading words → topic, first match wins (headings of drug pages, in reading order).
_HEADING_TOPICS: tuple[tuple[re.Pattern[str], Topic], ...] = tuple(
    (re.compile(pattern, re.I), topic)
    for pattern, topic in (
        (r"serious side effect", Topic.serious_side_effect),
        (r"side.?effect", Topic.side_effect),
        (r"interact|vaccin", Topic.interaction),
        (r"kidney", Topic.kidney),
        (r"pregnan", Topic.pregnancy),
        (r"nursing|breast", Topic.breastfeeding),
        (r"senior|elderly", Topic.seniors),
        (r"child", Topic.children),
        (r"allerg", Topic.allergy),
        (r"tuberculosis|\bTB\b", Topic.tuberculosis),
        (r"infection", Topic.infection),
        (r"should not take|contraindicat", Topic.contraindication),
        (r"warning|important|risk", Topic.warning),
        (r"miss", Topic.missed_dose),
        (r"dosage|dose|how to take|administration", Topic.dosing),
        (r"self|inject", Topic.self_injection),
        (r"monitor|test", Topic.monitoring),
        (r"stor|refrigerat", Topic.storage),
        (r"travel", Topic.travel),
        (r"call a doctor|when to call", Topic.call_doctor),
        (r"report", Topic.reporting),
        (r"how it works|mechanism|class", Topic.mechanism),
        (r"used|prescribed for|uses", Topic.indication),
        (r"stop", Topic.stopping),
        (r"cost|insurance", Topic.cost),
    )
)


def _clean_name(text: str) -> str:
    return " ".join(text.split()).strip(" -").lower()


def identify(text: str) -> tuple[str, list[str]] | None:
    """(generic, brands) named by the page itself, or None when it does not say."""
    generic = _GENERIC.search(text)
    brand = _BRAND.search(text)
    paren = _BRAND_PAREN.search(text)
    name = _clean_name(generic.group(1)) if generic else None
    brands: list[str] = []
    if brand:
        brands.append(" ".join(brand.group(1).split()))
    if paren and (name is None or _clean_name(paren.group(2)) == name):
        name = name or _clean_name(paren.group(2))
        if paren.group(1).lower() != name and paren.group(1) not in brands:
            brands.append(paren.group(1))
    return (name, brands) if name else None


def reviewed_date(text: str) -> dt.date | None:
    m = _REVIEWED.search(text)
    if not m:
        return None
    for fmt in ("%B %d, %Y", "%m/%d/%Y"):
        try:
            return dt.datetime.strptime(m.group(1), fmt).date()
        except ValueError:
            continue
    return None


def topic_for(heading: str | None) -> Topic:
    if heading:
        for pattern, topic in _HEADING_TOPICS:
            if pattern.search(heading):
                return topic
    return Topic.other


def doc_id_for(name: str) -> str:
    return f"page:{PurePath(name).stem}"


def parse_page(raw: bytes, origin: str, *, name: str | None = None) -> ParsedDocument | Broken:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Broken(origin, "a publisher page must be UTF-8 text or HTML")
    stem = PurePath(name or origin).stem
    if PurePath(name or origin).suffix.lower() in (".html", ".htm"):
        text = html_to_text(text)
    found = identify(text)
    if found is None:
        return Broken(origin, "cannot tell which medicine this page is about (no generic name)")
    generic, brands = found
    items = [i for i in page_items(text) if i.kind != "heading"]
    if not items:
        return Broken(origin, "no clinical sentences found on the page")
    publisher = stem.split("-")[0].replace("_", " ").title() if "-" in stem else stem
    source = Source(
        id=f"page-{stem}",
        publisher=publisher,
        document=f"{generic} ({publisher} page)",
        kind=SourceKind.publisher,
        reference=PurePath(origin).name,
        reviewed=reviewed_date(text),
    )
    claims, sections = _claims_and_sections(items, source.id, stem)
    mono = Monograph(
        key=generic,
        identity=Identity(generic=generic, brands=brands, substances=[generic]),
        curated=False,
        language="en",
        document_date=source.reviewed,
        sources=[source],
        claims=claims,
        sections=sections,
    )
    return ParsedDocument(
        doc_id=doc_id_for(name or origin),
        checksum=hashlib.sha256(raw).hexdigest(),
        monograph=mono,
        origin=origin,
    )


def _claims_and_sections(
    items: list[PageItem], source_id: str, stem: str
) -> tuple[list[Claim], list[Section]]:
    claims: list[Claim] = []
    sections: list[Section] = []
    for n, item in enumerate(items, 1):
        # The heading says what a sentence is about; pages with inline labels instead of
        # headings ("DRUG CLASS AND MECHANISM: ...") fall back to the sentence's own words.
        topic = topic_for(item.section)
        if topic is Topic.other:
            topic = topic_for(item.text)
        claim = Claim(
            id=f"{stem}-s{n}", topic=topic, source=source_id, quote=item.text, section=item.section
        )
        claims.append(claim)
        title = item.section or "About"
        if sections and sections[-1].title == title:
            last = sections[-1]
            sections[-1] = last.model_copy(
                update={"text": f"{last.text}\n{item.text}", "claims": [*last.claims, claim.id]}
            )
        else:
            sections.append(Section(topic=topic, title=title, text=item.text, claims=[claim.id]))
    return claims, sections
