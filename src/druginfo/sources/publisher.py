"""Publisher pages (drug-information web pages saved as HTML, Markdown or text) as documents.

A page has no structured metadata, so everything is read from its own words: which medicine it
is about (page_names: title, brand blocks, generic-name lines, the vocabulary), when it was
reviewed (page_dates: reviewed / updated / revised lines, header or footer), its sections with
their heading paths, and its statements, with the site's furniture removed (trafilatura for
HTML, general patterns, and the site's template learned from its other pages). The publisher is
the first part of the file name ("healthline-anakinra.txt" → Healthline), else the site name
the page declares. A page whose medicine cannot be told, whose names contradict each other, or
that is not in English is a `Broken` record with the reason: guessing would file its claims
under the wrong medicine. One page is one document: the same page saved as .html and .txt has
one document id (the file stem) and, when their words agree, one checksum (of the statements,
not of the bytes), so the second is recognised as unchanged rather than replacing the first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePath

from druginfo.facts.topics import classify, heading_topic
from druginfo.model import Claim, Identity, Monograph, Section, Source, SourceKind, Topic
from druginfo.sources.base import Broken, ParsedDocument
from druginfo.sources.page_chrome import (
    SiteTemplates,
    is_furniture,
    is_template_candidate,
    mask,
    starts_tail,
)
from druginfo.sources.page_dates import page_date
from druginfo.sources.page_layout import PageLayout, read_html, read_markdown, read_text
from druginfo.sources.page_names import Unidentified, english_verdict, identify_page
from druginfo.sources.pages import normalize, split_sentences

PAGE_SUFFIXES = frozenset({".txt", ".text", ".html", ".htm", ".md", ".markdown", ".mdown"})


@dataclass(frozen=True)
class PageStatement:
    """One statement of a page with the heading path above it."""

    text: str
    path: tuple[str, ...]
    kind: str  # "para" | "item"


def doc_id_for(name: str) -> str:
    return f"page:{PurePath(name).stem}"


def _format(name: str, text: str) -> str:
    suffix = PurePath(name).suffix.lower()
    head = text.lstrip()[:500].lower()
    if head.startswith(("<!doctype html", "<html")) or "<body" in head:
        return "html"
    if suffix in (".html", ".htm"):
        return "html"
    if suffix in (".md", ".markdown", ".mdown"):
        return "markdown"
    return "text"


def read_layout(text: str, name: str) -> PageLayout:
    fmt = _format(name, text)
    if fmt == "html":
        return read_html(text)
    if fmt == "markdown":
        return read_markdown(text)
    return read_text(text)


def statements(layout: PageLayout) -> list[PageStatement]:
    """The page's paragraphs and list items with their heading paths, furniture removed."""
    out: list[PageStatement] = []
    stack: list[tuple[int, str]] = []
    # The page's own title or site name standing alone (a logo, a breadcrumb's last step).
    names = {normalize(n).lower() for n in (layout.title, layout.site) if n}
    for block in layout.blocks:
        if block.kind == "heading":
            if starts_tail(block.text):
                break
            if is_furniture(block.text):
                continue
            level = block.level or 2
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, block.text))
            continue
        if is_furniture(block.text) or normalize(block.text).lower() in names:
            continue
        path = tuple(h for _, h in stack)
        for sentence in split_sentences(block.text):
            if not is_furniture(sentence) and re.search(r"[A-Za-z]", sentence):
                out.append(PageStatement(sentence, path, block.kind))
    return out


def _decode(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _reader(path: Path) -> tuple[list[str], list[str]] | None:
    """(medicine names, statements) of a sibling page, for learning its site's template."""
    try:
        text = _decode(path.read_bytes())
    except OSError:
        return None
    if text is None:
        return None
    layout = read_layout(text, path.name)
    try:
        ident = identify_page(layout)
        names = [ident.generic, *ident.brands]
    except Unidentified:
        names = [path.stem.split("-", 1)[-1]]
    return names, [s.text for s in statements(layout)]


_TEMPLATES = SiteTemplates(_reader)


def _publisher(stem: str, layout: PageLayout) -> str:
    if "-" in stem:
        return stem.split("-")[0].replace("_", " ").title()
    if layout.site:
        return layout.site
    return stem


def parse_page(
    raw: bytes,
    origin: str,
    *,
    name: str | None = None,
    names: Iterable[tuple[str, str]] = (),
) -> ParsedDocument | Broken:
    """One saved page → one document, or Broken with the reason."""
    text = _decode(raw)
    if text is None:
        return Broken(origin, "a publisher page must be UTF-8 text, Markdown or HTML")
    file_name = name or origin
    stem = PurePath(file_name).stem
    if text.lstrip().startswith("<?xml") and "<html" not in text[:2000].lower():
        return Broken(origin, "an XML document, not a web page (SPL labels are read as labels)")
    layout = read_layout(text, file_name)
    found = statements(layout)
    lang = (layout.language or "").lower()
    if lang and not lang.startswith("en"):
        return Broken(origin, f"the page is in another language ({layout.language}): unreadable")
    if found and not english_verdict(" ".join(s.text for s in found)):
        return Broken(origin, "the page is not in English (unknown language): unreadable")
    try:
        ident = identify_page(layout, names=names)
    except Unidentified as exc:
        return Broken(origin, str(exc))
    if not found:
        return Broken(origin, "no statements found on the page (empty or only site furniture)")
    found = _without_template(found, Path(origin), stem, [ident.generic, *ident.brands])
    publisher = _publisher(stem, layout)
    reviewed = page_date(
        layout.full_text.splitlines(), meta=layout.meta_dates, language=layout.language
    )
    source = Source(
        id=f"page-{stem}",
        publisher=publisher,
        document=f"{ident.generic} ({publisher} page)",
        kind=SourceKind.publisher,
        reference=PurePath(origin).name,
        reviewed=reviewed,
    )
    claims, sections = _claims_and_sections(found, source.id, stem)
    mono = Monograph(
        key=ident.generic,
        identity=Identity(generic=ident.generic, brands=ident.brands, substances=[ident.generic]),
        curated=False,
        language="en",
        document_date=reviewed,
        sources=[source],
        claims=claims,
        sections=sections,
    )
    return ParsedDocument(
        doc_id=doc_id_for(file_name),
        checksum=content_checksum(ident.generic, reviewed, found),
        monograph=mono,
        origin=origin,
    )


def content_checksum(generic: str, reviewed: dt.date | None, found: list[PageStatement]) -> str:
    """Of what the page says, not of its bytes: one page saved as .html and as .txt agrees."""
    h = hashlib.sha256(f"{generic}\x00{reviewed}".encode())
    for s in found:
        h.update(b"\x00" + normalize(s.text).lower().encode())
    return h.hexdigest()


def _without_template(
    found: list[PageStatement], page: Path, stem: str, names: list[str]
) -> list[PageStatement]:
    site = stem.split("-", 1)[0].lower() if "-" in stem else ""
    if not site or not page.is_file():
        return found
    repeated = _TEMPLATES.repeated(page, site, PAGE_SUFFIXES)
    if not repeated:
        return found
    return [
        s for s in found if not (mask(s.text, names) in repeated and is_template_candidate(s.text))
    ]


def topic_for(heading: str | None) -> Topic:
    """The topic one heading names (the shared topic vocabulary), else `other`."""
    return heading_topic(heading) or Topic.other


def _claims_and_sections(
    found: list[PageStatement], source_id: str, stem: str
) -> tuple[list[Claim], list[Section]]:
    claims: list[Claim] = []
    sections: list[Section] = []
    for n, s in enumerate(found, 1):
        topic = classify(s.path, s.text)
        heading = s.path[-1] if s.path else None
        claim = Claim(
            id=f"{stem}-s{n}", topic=topic, source=source_id, quote=s.text, section=heading
        )
        claims.append(claim)
        title = heading or "About"
        if sections and sections[-1].title == title:
            last = sections[-1]
            sections[-1] = last.model_copy(
                update={"text": f"{last.text}\n{s.text}", "claims": [*last.claims, claim.id]}
            )
        else:
            section_topic = classify(s.path, "") if s.path else topic
            sections.append(
                Section(topic=section_topic, title=title, text=s.text, claims=[claim.id])
            )
    return claims, sections


def identify(text: str) -> tuple[str, list[str]] | None:
    """(generic, brands) a plain-text page names, or None when it does not say."""
    try:
        ident = identify_page(read_text(text))
    except Unidentified:
        return None
    return ident.generic, ident.brands
