"""Leaflet text as the reader should see it: list items kept as list items, and the
characters the upstream conversion dropped put back where only one reading is possible.

The EU ePI conversion loses apostrophes ("Crohn s disease", "don t") and degree signs
("(2 C 8 C)"). Both are restored only where the context leaves a single reading: an
apostrophe-s after a word, the fixed English contractions, a degree sign after a plausible
temperature, and a dash between the two ends of a temperature range. Anything else that was
lost (a comparison sign in "fever ( 38 °C)") stays visibly missing rather than guessed.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from druginfo.sources.text import local_name, norm_space

# A list item keeps this mark at the start of its block; claims quote the text without it.
LIST_MARK = "• "

_BLOCK_TAGS = frozenset(
    {"p", "li", "div", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "tr", "caption", "dt",
     "dd", "blockquote", "pre"}
)  # fmt: skip
_SKIP_TAGS = frozenset({"script", "style"})


def unmark(block: str) -> str:
    return block[len(LIST_MARK) :] if block.startswith(LIST_MARK) else block


def marked_blocks(markup: str) -> list[str]:
    """Blocks of an XHTML narrative in document order; list items start with LIST_MARK."""
    if not markup or not markup.strip():
        return []
    try:
        root = etree.fromstring(markup.encode("utf-8"))
    except etree.XMLSyntaxError:
        try:
            root = lxml_html.fragment_fromstring(markup, create_parent="div")
        except (etree.ParserError, ValueError):
            text = norm_space(re.sub(r"<[^>]*>", " ", markup))
            return [text] if text else []
    blocks: list[str] = []
    buf: list[str] = []
    names = _LOCAL_NAMES

    def end_block(in_item: bool) -> None:
        text = norm_space("".join(buf))
        buf.clear()
        if text:
            blocks.append(LIST_MARK + text if in_item else text)

    def walk(parent: etree._Element, in_item: bool) -> None:
        # The children of `parent`, inside a list item or not. A block element ends the
        # text before it and its own; a line break ends the text before it; an element
        # skipped keeps only its tail. Nothing waits to be ended while `buf` is empty, and
        # a run of spaces alone (the line breaks between block elements) is not kept in
        # an empty `buf`: it would only be stripped again.
        for el in parent:
            tag = el.tag
            name = names.get(tag) if tag.__class__ is str else ""
            if name is None:
                name = local_name(tag)
                if len(names) < 512:
                    names[tag] = name
            if name in _SKIP_TAGS:
                pass
            elif name in _BLOCK_TAGS:
                if buf:
                    end_block(in_item)
                inner = in_item or name == "li"
                text = el.text
                if text and not text.isspace():
                    buf.append(text)
                if len(el):
                    walk(el, inner)
                if buf:
                    end_block(inner)
            else:
                if name == "br":
                    if buf:
                        end_block(in_item)
                elif name:  # comments and processing instructions: no text
                    text = el.text
                    if text and (buf or not text.isspace()):
                        buf.append(text)
                if len(el):
                    walk(el, in_item)
            tail = el.tail
            if tail and (buf or not tail.isspace()):
                buf.append(tail)

    if root.text and not root.text.isspace():
        buf.append(root.text)
    walk(root, False)
    if buf:
        end_block(False)
    return blocks


# Tag → local name, for the few dozen tags leaflets use (bounded, whatever tags a document
# makes up).
_LOCAL_NAMES: dict[str, str] = {}


# --- lost characters ---------------------------------------------------------------------------

# "2 C", "25 C", "-20 C": a temperature, then something that cannot continue a word.
_DEGREE = re.compile(r"(?<![\w.,/])(-?\d{1,2}(?:[.,]\d)?) ?C(?=[\s),.;:]|[-–]\s*\d|$)")
_RANGE = re.compile(r"(-?\d{1,2}(?:[.,]\d)?) °C (-?\d{1,2}(?:[.,]\d)?) °C")
# " s" after two letters; the letters are checked behind the literal " s" it starts with, so
# re jumps between the candidates rather than trying the look-behind at every position.
_POSSESSIVE = re.compile(r" s(?<=[^\W\d_]{2} s)(?=[\s,.;:)]|$)")
_CONTRACTIONS = [
    (
        re.compile(
            r"\b(do|does|did|is|are|was|were|ca|could|should|would|wo|have|has|had|must|need)n t\b",
            re.I,
        ),
        r"\1n't",
    ),
    (re.compile(r"\b(can) t\b", re.I), r"\1't"),
    (re.compile(r"\b(you|we|they) re\b", re.I), r"\1're"),
    (re.compile(r"\b(I|you|we|they) ve\b"), r"\1've"),
    (re.compile(r"\b(I|you|we|they|it|that|there|he|she) ll\b"), r"\1'll"),
    (re.compile(r"\bI m\b"), "I'm"),
]


def _temperature(m: re.Match[str]) -> str:
    value = float(m.group(1).replace(",", "."))
    if not -40 <= value <= 60:
        return m.group(0)
    return f"{m.group(1)} °C"


def _range(m: re.Match[str]) -> str:
    low, high = (float(g.replace(",", ".")) for g in m.groups())
    return f"{m.group(1)} °C – {m.group(2)} °C" if low < high else m.group(0)


# A bare "3 C" is a temperature only in a block about temperature ("stage 3 C" is not one).
_TEMPERATURE_WORDS = re.compile(
    r"store|refrigerat|fridge|temperature|freez|heat|fever|cool|warm|room|transport|"
    r"opbevar|køleskab|temperatur|feber|frys|conserv|frigor|febre|congel",
    re.I,
)


# Fast guards (a leaflet has ~150 blocks, and a case-insensitive alternation tried at every
# position of every block cost a third of the parse): each regular expression below runs only
# when a cheap test on the lower-cased block says it may match. A guard may let through a
# block the expression then leaves alone, never the reverse, so the text is the same.
# Lower-casing keeps every match of the case-insensitive expressions, except for the three
# characters `re.IGNORECASE` equates with an ASCII letter whose lower case is not that letter
# (dotted and dotless i, long s): a block holding one of them takes the slow path.
_CASE_TRAPS = ("\u0130", "\u0131", "\u017f")
_TEMPERATURE_STEMS = re.compile(_TEMPERATURE_WORDS.pattern)  # case-sensitive: on lower case
_POSSESSIVE_CANDIDATE = re.compile(r" s(?=[\s,.;:)]|$)")
# What each contraction pattern needs to find: a phrase in the lower-cased block (the
# case-insensitive ones), or in the block itself.
_CONTRACTION_NEEDS: list[tuple[re.Pattern[str], bool]] = [
    (re.compile("n t"), True),
    (re.compile("can t"), True),
    (re.compile("you re|we re|they re"), True),
    (re.compile(" ve"), False),
    (re.compile(" ll"), False),
    (re.compile("I m"), False),
]
# ... and what any of them needs, in the block itself: a lost apostrophe's gap before one of
# the endings, at a word end ('n', 't', 'r', 'e' have no other case-insensitive matches).
# Written to start with its one literal, the space, so the engine jumps from space to space
# instead of trying five alternatives at every position (the same matches: each alternative's
# letter before the gap is checked behind the space).
_ANY_CONTRACTION = re.compile(
    r" (?:(?<=[nN] )[tT]\b|(?<=[eEuUyY] )[rR][eE]\b|ve\b|ll\b|(?<=I )m\b)"
)


# What _DEGREE or _RANGE needs to change anything (both are case-sensitive): a digit before a
# "C", or a "°C". Most blocks have neither, and a capital C at all is found at memchr speed.
# Written as one character class first (it also lets "° C" through, which the expressions
# then leave alone): re skips to the candidates of a leading class, while an alternation
# ("\d ?C|°C") is tried at every position of the block.
_DEGREE_OR_RANGE = re.compile(r"[\d°] ?C")


def repair_text(block: str, language: str) -> str:
    """The block with the conversion's unambiguous losses restored (see the module doc)."""
    text = block
    # _CASE_TRAPS, spelt out: three "in" tests cost less than a generator over them.
    trap = not text.isascii() and ("\u0130" in text or "\u0131" in text or "\u017f" in text)
    if (
        "C" in text
        and _DEGREE_OR_RANGE.search(text)
        # Without a trap, the lower-cased block holds a stem exactly where the block holds
        # _TEMPERATURE_WORDS' case-insensitive match: one search decides.
        and (_TEMPERATURE_WORDS.search(text) if trap else _TEMPERATURE_STEMS.search(text.lower()))
    ):
        text = _DEGREE.sub(_temperature, text)
        text = _RANGE.sub(_range, text)
    if language == "en":
        if _POSSESSIVE_CANDIDATE.search(text):
            text = _POSSESSIVE.sub("'s", text)
        if not trap and not _ANY_CONTRACTION.search(text):
            return text
        lowered = text.lower()
        for (pattern, replacement), (needs, folded) in zip(
            _CONTRACTIONS, _CONTRACTION_NEEDS, strict=True
        ):
            if (trap and folded) or needs.search(lowered if folded else text):
                text = pattern.sub(replacement, text)
                lowered = text.lower()
    return text
