"""Markup-to-text and sentence helpers shared by the label and leaflet parsers.

Claims must quote a source verbatim, so these helpers only normalise whitespace and drop
markup: they never rewrite words. Text is kept as *blocks* (paragraphs, list items, table
cells) because a list item without a full stop must not run into the next one when we cut
sentences.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # lxml loads with the first markup parsed: names and sentences need none
    from lxml import etree

# Elements whose text ends a block (HTML/XHTML of leaflets, and the HL7 narrative of SPL).
BLOCK_TAGS = frozenset(
    {
        "p",
        "li",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "td",
        "th",
        "tr",
        "caption",
        "dt",
        "dd",
        "blockquote",
        "pre",
        # HL7 v3 narrative block (SPL)
        "paragraph",
        "item",
        "title",
    }
)
_BREAK_TAGS = frozenset({"br"})
# Elements whose text a browser never shows.
INVISIBLE_TAGS: tuple[str, ...] = ("script", "style", "template")
_SKIP_TAGS = frozenset({*INVISIBLE_TAGS, "footnote", "renderMultiMedia", "observationMedia"})
_INVISIBLE_BLOCK = re.compile(
    r"<(script|style|template)\b[^>]*>.*?(</\1\s*>|\Z)", re.IGNORECASE | re.DOTALL
)


def norm_space(text: str) -> str:
    """Collapse runs of whitespace (the converters wrap lines mid-sentence).

    str.split() knows the same Unicode whitespace as re's \\s and is several times faster on
    the hundreds of thousands of text runs a corpus has. Most runs are lines wrapped with
    single line breaks: once the breaks are spaces, a run with no two spaces together and
    no other whitespace (every other whitespace character is unprintable) only loses a
    space at either end, found with a few C-speed scans instead of a list of its words."""
    flat = text.replace("\n", " ")
    if "  " not in flat and flat.isprintable():
        return flat.strip(" ")
    return " ".join(flat.split())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def local_name(tag: object) -> str:
    """Tag without namespace; comments and processing instructions give ''."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def element_blocks(root: etree._Element, *, skip: frozenset[str] = frozenset()) -> list[str]:
    """Text of an element tree as blocks, in document order.

    `skip` names child elements (local names) whose whole subtree is ignored: SPL uses it to
    keep nested sections out of their parent's text.
    """
    blocks: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        if not buf:
            return
        text = norm_space("".join(buf))
        buf.clear()
        if text:
            blocks.append(text)

    def walk(el: etree._Element) -> None:
        name = local_name(el.tag)
        if name in skip or name in _SKIP_TAGS:
            if el.tail:
                buf.append(el.tail)
            return
        block = name in BLOCK_TAGS
        if block:
            flush()
        if name in _BREAK_TAGS:
            flush()
        elif el.text and name:
            buf.append(el.text)
        for child in el:
            walk(child)
        if block:
            flush()
        if el.tail:
            buf.append(el.tail)

    # The root's own tail belongs to its parent, not to it.
    name = local_name(root.tag)
    if root.text:
        buf.append(root.text)
    for child in root:
        walk(child)
    if name:
        flush()
    return blocks


def xhtml_blocks(markup: str) -> list[str]:
    """Blocks of a FHIR narrative `div` (XHTML); malformed markup falls back to HTML recovery.

    The leaflet converter sometimes emits markup that is not well-formed XML; the HTML parser
    recovers the text rather than losing the section.
    """
    if not markup or not markup.strip():
        return []
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = etree.fromstring(markup.encode("utf-8"))
    except etree.XMLSyntaxError:
        try:
            root = lxml_html.fragment_fromstring(markup, create_parent="div")
        except (etree.ParserError, ValueError):
            text = norm_space(re.sub(r"<[^>]*>", " ", _INVISIBLE_BLOCK.sub(" ", markup)))
            return [text] if text else []
    return element_blocks(root)


# --- sentences -------------------------------------------------------------------------------

# Abbreviations after which a full stop does not end a sentence (lower-case, without the dot).
_ABBREVIATIONS = frozenset(
    {
        "e.g",
        "i.e",
        "etc",
        "vs",
        "approx",
        "ca",
        "cf",
        "dr",
        "mr",
        "mrs",
        "ms",
        "no",
        "nos",
        "fig",
        "figs",
        "inc",
        "ltd",
        "co",
        "st",
        "ref",
        "vol",
        "max",
        "min",
        "incl",
        # Danish / Portuguese
        "f.eks",
        "bl.a",
        "dvs",
        "evt",
        "pga",
        "mht",
        "jf",
        "nr",
        "ex",
        "p.ex",
        "sr",
        "sra",
        "dra",
    }
)
# Written to start with one character class rather than a repeat (`[.!?]+`, the same
# matches): re skips to the next candidate character only when a pattern starts with a
# literal or a class; one starting with a repeat is tried at every position of the text,
# which made this search most of the cost of splitting sentences.
_SENTENCE_END = re.compile(r"[.!?][.!?]*[\"'”’)\]]*\s+")
_INITIALS = re.compile(r"(?:[a-z]\.)+[a-z]")
_OPENERS = "\"'“‘([•–-"


def _starts_sentence(rest: str) -> bool:
    """A new sentence starts with a capital, a digit, a bullet or an opening quote/bracket."""
    if not rest:
        return False
    ch = rest[0]
    return ch.isupper() or ch.isdigit() or ch in _OPENERS


def split_sentences(block: str) -> list[str]:
    """Cut one block into sentences without losing or changing a character (but edge spaces).

    Conservative on purpose: a missed cut only makes a claim longer, a wrong cut makes it
    misleading ("E." / "coli ..."), so we cut only before a capital or digit and never after
    a known abbreviation or a single capital letter (initials, "E. coli").

    Linear in the block's length: each candidate end looks at one character after it and at
    the word before it, never at the rest of the text (a long block with many full stops
    that are not sentence ends, "e.g. ... e.g. ...", once took quadratic time).
    """
    return split_normalized(norm_space(block))


def split_normalized(text: str) -> list[str]:
    """`split_sentences` of a block that is already `norm_space`d (the leaflet reader's
    blocks are, by construction): collapsing the spaces again was a quarter of the cost."""
    if not text:
        return []
    first_end = _SENTENCE_END.search(text)
    if first_end is None:
        return [text]  # most list items and short blocks: one sentence, no loop
    out: list[str] = []
    start = 0
    n = len(text)
    for m in _SENTENCE_END.finditer(text, first_end.start()):
        stop, end = m.span()
        if end >= n:
            continue
        ch = text[end]
        if not (ch.isupper() or ch.isdigit() or ch in _OPENERS):  # _starts_sentence
            continue
        if text[stop] == ".":
            # The word before the full stop (back to a space or the sentence's start): after
            # norm_space the only whitespace left is the single space.
            first = max(start, text.rfind(" ", start, stop) + 1)
            token = text[first:stop].lower().lstrip("(\"'“")
            if (
                token in _ABBREVIATIONS
                or (len(token) == 1 and token.isalpha())
                or _INITIALS.fullmatch(token)
            ):
                continue
        sentence = text[start:end].strip()
        if sentence:
            out.append(sentence)
        start = end
    if not start:
        out.append(text)  # one sentence: the text, which norm_space left without edge spaces
        return out
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def sentences(blocks: Iterable[str]) -> Iterator[str]:
    for block in blocks:
        yield from split_sentences(block)


# --- substance keys ------------------------------------------------------------------------------

# Salt, ester-free counter-ion and hydrate words dropped from the *key* (not from `substances`):
# the leaflet names the salt in the tablet, the INN names the medicine.
_SALT_WORDS = frozenset(
    {
        "hydrochloride",
        "dihydrochloride",
        "hydrobromide",
        "mesilate",
        "mesylate",
        "dimesilate",
        "maleate",
        "hydrogen",
        "fumarate",
        "succinate",
        "tartrate",
        "bitartrate",
        "citrate",
        "acetate",
        "phosphate",
        "sulfate",
        "sulphate",
        "besilate",
        "besylate",
        "tosilate",
        "tosylate",
        "ditosylate",
        "monohydrate",
        "dihydrate",
        "trihydrate",
        "hcl",
        "hbr",
        "hexahydrate",
        "sesquihydrate",
        "hemihydrate",
        "hydrate",
        "anhydrous",
        "sodium",
        "potassium",
        "calcium",
        "magnesium",
        "disodium",
        "malate",
        "lactate",
        "oxalate",
        "nitrate",
        "hyclate",
        "embonate",
        "pamoate",
        "xinafoate",
        "dipropionate",
        "propionate",
        "bromide",
    }
)


def substance_key(substance: str) -> str:
    """Key form of one substance name: lower case, trailing salt and hydrate words dropped.

    "ATORVASTATIN CALCIUM TRIHYDRATE" → "atorvastatin", "Diphenhydramine HCl" →
    "diphenhydramine": the label names the salt in the tablet, the INN names the medicine,
    and every source must file the same medicine under the same key.
    """
    words = norm_space(substance).lower().split()
    while len(words) > 1 and words[-1].strip(",.") in _SALT_WORDS:
        words.pop()
    return " ".join(words)


def combination_key(substances: Iterable[str]) -> str:
    """Several substances → "a + b", sorted so that the order of naming does not matter."""
    return " + ".join(sorted({k for k in (substance_key(s) for s in substances) if k}))


_NAME_LIST_SPLIT = re.compile(r"\s*(?:,\s*and\s+|,\s*|;\s*|\s+and\s+)\s*", re.IGNORECASE)


def split_name_list(text: str) -> list[str]:
    """ "Diphenhydramine HCl, Phenylephrine HCl" → the two names (labels list combinations)."""
    return [p for p in (norm_space(x) for x in _NAME_LIST_SPLIT.split(text)) if p]
