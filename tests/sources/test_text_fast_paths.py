"""The fast paths of the leaflet text helpers give exactly the text of their plain
definitions: `split_sentences` (linear, no slicing of the rest of the block) against the
regular-expression definition it replaced, and `repair_text` (cheap guards before each
expression) against the same expressions run on every block. Texts are generated: words
that look like abbreviations, initials, contractions, temperatures, and the characters
that case-insensitive matching treats specially (dotted/dotless i, long s, Kelvin sign)."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from druginfo.sources import leaflet_text
from druginfo.sources.text import (
    _ABBREVIATIONS,
    _SENTENCE_END,
    norm_space,
    split_normalized,
    split_sentences,
)

# --- the plain definitions ---------------------------------------------------------------

_END = re.compile(r"[.!?]+[\"'”’)\]]*\s+")
_LAST = re.compile(r"(\S+)$")
_POSSESSIVE = re.compile(r"(?<=[^\W\d_]{2}) s(?=[\s,.;:)]|$)")  # as first written


def reference_split(block: str) -> list[str]:
    text = norm_space(block)
    if not text:
        return []
    out: list[str] = []
    start = 0
    for m in _END.finditer(text):
        end = m.end()
        rest = text[end:]
        if not (rest and (rest[0].isupper() or rest[0].isdigit() or rest[0] in "\"'“‘([•–-")):
            continue
        candidate = text[start : m.start() + 1]
        token_m = _LAST.search(text[start : m.start()])
        token = token_m.group(1).lower().lstrip("(\"'“") if token_m else ""
        if m.group(0).startswith(".") and (
            token in _ABBREVIATIONS
            or (len(token) == 1 and token.isalpha())
            or re.fullmatch(r"(?:[a-z]\.)+[a-z]", token)
        ):
            continue
        sentence = text[start:end].strip()
        if sentence and candidate.strip():
            out.append(sentence)
        start = end
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def reference_repair(block: str, language: str) -> str:
    text = block
    if leaflet_text._TEMPERATURE_WORDS.search(text):
        text = leaflet_text._DEGREE.sub(leaflet_text._temperature, text)
        text = leaflet_text._RANGE.sub(leaflet_text._range, text)
    if language == "en":
        text = _POSSESSIVE.sub("'s", text)
        for pattern, replacement in leaflet_text._CONTRACTIONS:
            text = pattern.sub(replacement, text)
    return text


# --- generated text ----------------------------------------------------------------------

_WORDS = [
    "Take", "the", "tablet", "e.g.", "i.e.", "etc.", "Dr.", "no.", "E.", "coli", "a.b.c",
    "(see", "section", "2).", "“Quoted.”", "It", "ends!", "Why?", "5", "mg.", "Mr.", "f.eks.",
    "don", "t", "can", "DON", "T", "you", "re", "YOU", "RE", "they", "we", "I", "ve", "ll",
    "m", "Crohn", "s", "disease", "vitamin", "s,", "Store", "STORE", "store", "in", "a",
    "fridge", "2", "C", "8", "C.", "25", "C-8", "C)", "-20", "temperature", "køleskab",
    "Opbevar", "ſtore", "ſ", "ıt", "İt", "K", "\u212aøleskab", "doeſn", "iſ", "wa\u017fn",
    "ſhould", "can\u2019t", "–", "•", "\u00a0", "\n", "\t", "...", "?!", "”", ")", "°C", "°C.",
    "2°C", "c",
]  # fmt: skip
texts = st.lists(st.sampled_from(_WORDS), max_size=60).map(" ".join)
spaced = st.lists(
    st.tuples(st.sampled_from(_WORDS), st.sampled_from([" ", "", "  ", ". ", "\n"])),
    max_size=60,
).map(lambda parts: "".join(w + s for w, s in parts))


@settings(max_examples=400, deadline=None)
@given(st.one_of(texts, spaced, st.text(max_size=80)))
def test_split_sentences_matches_its_definition(text: str) -> None:
    assert split_sentences(text) == reference_split(text)


@settings(max_examples=400, deadline=None)
@given(st.one_of(texts, spaced, st.text(alphabet=".!?\"')] a\n”’", max_size=40)))
@example("Ends?!) Next. And... more.)) Then")
def test_sentence_end_finds_what_the_plain_pattern_finds(text: str) -> None:
    """`_SENTENCE_END` is written to start with a class (for re's skip to candidates);
    every match, searched from any position, is the plain `[.!?]+...` pattern's."""
    for pos in range(len(text) + 1):
        assert [m.span() for m in _SENTENCE_END.finditer(text, pos)] == [
            m.span() for m in _END.finditer(text, pos)
        ]


@settings(max_examples=400, deadline=None)
@given(st.one_of(texts, spaced, st.text(alphabet="ab1_é s,.)\n", max_size=40)))
@example("Crohn s disease, a1 s. _b s; éé s) x s")
def test_possessive_finds_what_its_first_form_finds(text: str) -> None:
    """`_POSSESSIVE` checks its two letters behind the " s" it starts with (for re's skip
    to candidates); it finds what the look-behind-first form found, from any position."""
    for pos in range(len(text) + 1):
        assert [m.span() for m in leaflet_text._POSSESSIVE.finditer(text, pos)] == [
            m.span() for m in _POSSESSIVE.finditer(text, pos)
        ]


@settings(max_examples=400, deadline=None)
@given(st.one_of(texts, spaced, st.text(max_size=80)), st.sampled_from(["en", "da", "pt"]))
@example("Store at 2 °C 8 °C in a fridge", "en")  # a range already marked, no bare "2 C"
@example("Opbevar ved 15 °C 25 °C.", "da")
@example("Store below 30C.", "pt")
def test_repair_text_matches_its_definition(text: str, language: str) -> None:
    assert leaflet_text.repair_text(text, language) == reference_repair(text, language)


@settings(max_examples=400, deadline=None)
@given(st.one_of(texts, spaced, st.text(max_size=80)))
def test_split_normalized_is_split_sentences_on_normalized_text(text: str) -> None:
    assert split_normalized(norm_space(text)) == reference_split(text)


# The contraction guard as first written (five alternatives tried at every position).
_PLAIN_ANY_CONTRACTION = re.compile(r"[nN] [tT]\b|[eEuUyY] [rR][eE]\b| ve\b| ll\b|I m\b")


@settings(max_examples=400, deadline=None)
@given(st.one_of(texts, spaced, st.text(alphabet="nNtTeEuUyYrRvlmI 'x.", max_size=40)))
@example("don t")
@example("n t")  # the letter before the gap at the very start
@example("You RE")
@example("I m")
@example("xI m")  # "I m" inside a word still counts for the guard (the pattern decides)
def test_contraction_guard_finds_what_the_plain_guard_finds(text: str) -> None:
    got = leaflet_text._ANY_CONTRACTION.search(text) is not None
    assert got == (_PLAIN_ANY_CONTRACTION.search(text) is not None)


def test_case_trap_test_names_the_case_traps() -> None:
    """repair_text spells out _CASE_TRAPS; a block holding any one of them, and only
    those, takes the slow path (which gives the same text either way)."""
    for trap in leaflet_text._CASE_TRAPS:
        assert leaflet_text.repair_text(f"do{trap} you don t", "en") == reference_repair(
            f"do{trap} you don t", "en"
        )
    assert set(leaflet_text._CASE_TRAPS) == {"\u0130", "\u0131", "\u017f"}


def test_case_traps_are_the_only_characters_lower_case_misses() -> None:
    """Lower-casing keeps every case-insensitive match of an ASCII letter except through the
    characters listed as traps (which send a block down the slow path)."""
    everything = "".join(chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000)
    missed = set()
    for letter in "abcdefghijklmnopqrstuvwxyzø":
        for ch in re.findall(re.escape(letter), everything, re.IGNORECASE):
            if ch.lower() != letter:
                missed.add(ch)
    assert missed <= set(leaflet_text._CASE_TRAPS), sorted(missed)
    assert all(len(ch.lower()) == 1 for ch in everything if ch not in leaflet_text._CASE_TRAPS)


_TRAILING = re.compile(r"(?<=[.!?])\s+([A-ZÆØÅÁÉÍÓÚÂÊÔÃÕÇ][^.!?:;]{1,60})$")  # as first written


def reference_trailing(block: str) -> list[str]:
    from druginfo.sources import epi

    if block.startswith(leaflet_text.LIST_MARK):
        return [block]
    m = _TRAILING.search(block)
    if m is None or not epi._looks_like_heading(m.group(1)):
        return [block]
    return [block[: m.start()].strip(), m.group(1).strip()]


_HEADINGS = ["Infections", "Other medicines", "Driving", "A", "Æble grød", "x" * 59, "Y" * 61]


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(texts, spaced),
    st.sampled_from(["", ". ", ".  ", "! \n ", "?\t", ".\u00a0"]),
    st.sampled_from(_HEADINGS),
    st.sampled_from(["", " ", "\n", "."]),
)
def test_trailing_heading_search_matches_its_definition(
    text: str, gap: str, heading: str, end: str
) -> None:
    from druginfo.sources.epi import _split_trailing_heading

    block = text + gap + heading + end
    assert _split_trailing_heading(block) == reference_trailing(block)


_SPACES = " \n\t\r\x0b\x0c\x1c\x85\u00a0\u1680\u2002\u2028\u2029\u202f\u3000\u200b\u00ad"


@settings(max_examples=600, deadline=None)
@given(
    st.one_of(
        texts,
        spaced,
        st.text(max_size=80),
        st.text(alphabet="ab.é’" + _SPACES, max_size=40),
        st.lists(st.sampled_from(_WORDS), max_size=30).map("\n".join),
    )
)
@example("")
@example(" ")
@example("\n")
@example(" wrapped\nline ")
@example("two  spaces")
@example("tab\there")
@example("no\u00a0break")
def test_norm_space_is_its_plain_definition(text: str) -> None:
    """`norm_space` takes a short cut for lines wrapped with single breaks; every text,
    whatever whitespace it holds (each Unicode kind, unprintable look-alikes), comes out
    as the plain definition makes it."""
    assert norm_space(text) == " ".join(text.split())
