"""Publisher pages (plain text saved from a drug-information web site) as clinical sentences.

A page mixes the clinical text we want to cite with the site's own furniture: bylines, review
stamps, navigation, feedback forms, advertisements, video prompts and disclaimers about the web
site itself. Curated claims quote the clinical sentences verbatim, and the coverage test checks
that none is left unquoted, so the split must be deterministic and the furniture filter must be
small, explicit and about *sites*, never about a particular drug's wording.

The text is treated as one block per line (pages saved from HTML put each paragraph, heading
and list item on its own line); a hard-wrapped line whose successor starts in lower case is
joined to it. Blocks are classified as

- ``bullet``: a list item (``•``, ``-``, ``*``, ``1.`` …), kept and split into sentences;
- ``sentence``: prose ending in ``. ! ? :`` or a ``Label: value`` field (``Strengths: 100 mg``);
- ``heading``: anything else (no closing punctuation, or a question in Title Case). Headings
  are kept as section names, not as clinical sentences.

Comparison of quotes with page text goes through :func:`normalize`, which only evens out
whitespace and typographic quotes: it never changes words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from lxml import html as lxml_html

from druginfo.sources.text import INVISIBLE_TAGS

ItemKind = Literal["heading", "sentence", "bullet"]

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ad": None,  # soft hyphen: invisible, breaks substring search
        "\u200b": None,  # zero-width space
        "\ufeff": None,
    }
)


def normalize(text: str) -> str:
    """Even out whitespace and typographic quotes so that a quote matches its page.

    Only presentation differs between a copied quote and the page (curly vs straight
    apostrophes, wrapped lines, non-breaking spaces); the words themselves are left alone.
    """
    return " ".join(text.translate(_QUOTES).split())


# --- site furniture ---------------------------------------------------------------------------
# Each pattern is matched (case-insensitively, with re.search) against a normalised block or
# sentence. Keep this list short and about web sites in general.

CHROME_BLOCK_PATTERNS: tuple[str, ...] = (
    r"^disclaimer\b",  # the site's disclaimer about itself, with all its sentences
    r"\bfeedback\b",  # "Send us your feedback", "unable to collect your feedback" forms
    r"^advertisement$",
    r"^watch\b.*\bvideo\b",  # "Watch our video ...", "Watch Dr. X ... in this short video:"
    r"\b(author|editor|reviewer)s?:$",  # bylines whose names were stripped ("Pharmacy Author:")
    r"^(medically )?reviewed by\b",  # review stamps: the date is kept on the Source instead
)

CHROME_SENTENCE_PATTERNS: tuple[str, ...] = (
    r"^\(see [^()]{0,60}\)\.?$",  # parenthesised cross-references: "(See drug interactions.)"
    r"^(back|return) to (the )?(top|home|[\w ]*\bindex)$",  # navigation links
    r"\bpill (finder|identifier)\b|\bidentifying pills\b",  # site tool promotions
    r"^thank you\b",  # form acknowledgements
    r"^your message has been sent\b",
    r"\ban error occurred\b",
    r"^section \d+ of \d+$",  # pagination
)

# A heading after which the rest of the page is recommendations, not the article.
CHROME_TAIL_PATTERNS: tuple[str, ...] = (
    r"^read this next$",
    r"^related (articles|stories|content|pages)$",
    r"^you (might|may) also like$",
)

_BLOCK_RE = [re.compile(p, re.IGNORECASE) for p in CHROME_BLOCK_PATTERNS]
_SENTENCE_RE = [re.compile(p, re.IGNORECASE) for p in CHROME_SENTENCE_PATTERNS]
_TAIL_RE = [re.compile(p, re.IGNORECASE) for p in CHROME_TAIL_PATTERNS]


def is_chrome(text: str) -> bool:
    """True when a block or sentence is site furniture rather than clinical content."""
    t = normalize(text)
    return any(r.search(t) for r in (*_BLOCK_RE, *_SENTENCE_RE))


# --- splitting --------------------------------------------------------------------------------

_BULLET_RE = re.compile(r"^\s*(?:[•●▪◦‣∙·*\-–]|\d{1,2}[.)])\s+(?=\S)")
_LABEL_VALUE_RE = re.compile(r"^[A-Za-z][A-Za-z ()/'&-]{0,40}:\s+\S")
_BOUNDARY_RE = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_ABBREVIATIONS = frozenset(
    {"dr", "mr", "mrs", "ms", "st", "vs", "etc", "e.g", "i.e", "no", "fig", "approx", "inc", "co"}
)
_MINOR_WORDS = frozenset(
    {"a", "an", "the", "and", "or", "for", "of", "to", "in", "on", "at", "by", "with", "if", "as"}
)


@dataclass(frozen=True)
class PageItem:
    """One clinical sentence, list item or heading of a page, in page order."""

    text: str
    kind: ItemKind
    section: str | None = None  # the nearest heading above it


def split_sentences(text: str) -> list[str]:
    """Split prose at sentence ends, sparing abbreviations and initials ("Dr. X", "E. Coli")."""
    text = normalize(text)
    out: list[str] = []
    start = 0
    for m in _BOUNDARY_RE.finditer(text):
        before = text[start : m.start()].rstrip("\"')]")
        last_word = before.rsplit(" ", 1)[-1].rstrip(".!?").lower()
        if last_word in _ABBREVIATIONS or re.fullmatch(r"[a-z]", last_word):
            continue
        piece = text[start : m.start()].strip() + m.group(0).strip()
        if piece:
            out.append(piece)
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def _is_title_case(text: str) -> bool:
    words = re.findall(r"[A-Za-z][A-Za-z'’]*", text)
    significant = [w for w in words if w.lower() not in _MINOR_WORDS]
    return 0 < len(words) <= 12 and all(w[0].isupper() for w in significant)


def _classify(block: str, bullet: bool) -> ItemKind:
    if bullet:
        return "bullet"
    if block.endswith("?") and _is_title_case(block):
        return "heading"  # "Are There Any Alternatives?" is a section title, not a question
    if re.search(r"[.!?:][\"')\]]*$", block) or _LABEL_VALUE_RE.match(block):
        return "sentence"
    return "heading"


def _blocks(text: str) -> list[tuple[str, bool]]:
    """Lines as (text, is_bullet), with hard-wrapped continuation lines joined back."""
    # Lines of the open block are collected and joined once (linear in the page's size:
    # re-joining a growing block per line was quadratic on long hard-wrapped paragraphs).
    blocks: list[tuple[str, bool]] = []
    parts: list[str] = []
    parts_bullet = False

    def close() -> None:
        if parts:
            blocks.append((" ".join(parts), parts_bullet))
            parts.clear()

    for raw in text.splitlines():
        line = normalize(raw)
        if not line:
            close()
            continue
        bullet_match = _BULLET_RE.match(line)
        bullet = bullet_match is not None
        if bullet_match:
            line = line[bullet_match.end() :]
        if (
            not bullet
            and parts
            and parts[-1]
            and line
            and line[0].islower()
            and not re.search(r"[.!?:]$", parts[-1])
        ):
            parts.append(line)
            continue
        close()
        parts.append(line)
        parts_bullet = bullet
    close()
    return [b for b in blocks if b[0]]


def page_items(text: str) -> list[PageItem]:
    """Headings, sentences and list items of a page, site furniture removed, in page order."""
    items: list[PageItem] = []
    section: str | None = None
    for block, bullet in _blocks(text):
        if not re.search(r"[A-Za-z]", block):
            continue  # stray numbering such as "1" or "2 3" left by the page's layout
        if any(r.search(block) for r in _TAIL_RE):
            break
        if any(r.search(block) for r in _BLOCK_RE):
            continue
        kind = _classify(block, bullet)
        if kind == "heading":
            if not any(r.search(block) for r in _SENTENCE_RE):
                section = block
                items.append(PageItem(block, "heading", section))
            continue
        for sentence in split_sentences(block):
            if not is_chrome(sentence):
                items.append(PageItem(sentence, kind, section))
    return items


def page_sentences(text: str) -> list[str]:
    """The clinical sentences and list items of a page (normalised), without headings."""
    return [i.text for i in page_items(text) if i.kind != "heading"]


# Elements that start a new line of visible text; page_layout adds the sectioning elements of
# whole pages to these.
BLOCK_TAGS = (
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "br",
    "tr",
    "td",
    "th",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "dt",
    "dd",
)


def html_to_text(markup: str) -> str:
    """Visible text of an (X)HTML fragment, one line per block element.

    Leaflets and some publisher pages arrive as markup; quoting and sentence splitting work on
    the text a reader sees, so block boundaries become line breaks and inline tags vanish.
    """
    if not markup.strip():
        return ""
    root = lxml_html.fragment_fromstring(markup, create_parent="div")
    # Script, style and template bodies are never shown to a reader: drop them (keeping the
    # text that follows them), or code would be quoted as if the page said it.
    for el in list(root.iter(*INVISIBLE_TAGS)):
        el.drop_tree()
    for el in root.iter():
        # Source line wrapping inside a paragraph is not a boundary: flatten it first.
        el.text = re.sub(r"\s+", " ", el.text) if el.text else el.text
        el.tail = re.sub(r"\s+", " ", el.tail) if el.tail else el.tail
    for el in root.iter(*BLOCK_TAGS):
        el.tail = "\n" + (el.tail or "")
        if el.tag == "li":
            el.text = "\n• " + (el.text or "")  # keep list items recognisable as bullets
        elif el.tag != "br":
            el.text = "\n" + (el.text or "")
    text = root.text_content()
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)
