"""The leaflet reader's fast paths give exactly what their plain definitions give:
`_heading_at` (a template sub-heading looked for at a sentence end, matched in place) against
`_heading` on the rest of the block copied out, and `_split_section` (each block's masked
text computed once) against masking every piece again. Texts are generated from the
template's own headings, brands of several shapes (one word, with spaces, with punctuation,
a brand that is also a heading word), punctuation, case and spacing of my own making."""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from druginfo.model import Topic
from druginfo.sources import epi, leaflet_text


@contextlib.contextmanager
def _without_literal_tests(table: str) -> Iterator[None]:
    """epi with one of its literal pre-tests emptied (every pattern tried), for comparing
    the fast path with the plain one (hypothesis's examples cannot take monkeypatch)."""
    saved = getattr(epi, table)
    setattr(epi, table, {})
    try:
        yield
    finally:
        setattr(epi, table, saved)


HEADINGS = [
    "Warnings and precautions",
    "Do not take",
    "Other medicines and",
    "Pregnancy and breast-feeding",
    "Driving and using machines",
    "If you take more",
    "Advarsler og forsigtighedsregler",
    "Gravidez e amamentação",
    "Children and adolescents",
]
WORDS = ["the", "Zorblex", "Mira Pen", "Q-Vax", "tablet", "Talk", "doctor", "(see", "section 2)"]
BRANDS = ["Zorblex", "Mira Pen", "Q-Vax", "Warnings", "Other"]

piece = st.one_of(
    st.sampled_from(HEADINGS),
    st.sampled_from(WORDS),
    st.sampled_from([". ", "! ", "? ", ") ", ": ", "  ", " ", ".\u00a0", ",", "\t"]),
    st.text(alphabet="abcXYZÆØ .:", max_size=6),
)
blocks = st.lists(piece, min_size=1, max_size=30).map("".join)


def plain_heading(
    block: str, masked: str, rules: list[tuple[re.Pattern[str], Topic]]
) -> tuple[str, Topic, str] | None:
    """`_heading` as it was: every rule tried in turn, no combined expression first."""
    for pattern, topic in rules:
        m = pattern.match(masked)
        if not m:
            continue
        title = block[: m.end()].strip()
        rest = block[m.end() :].lstrip()
        if rest.startswith(":"):
            return title, topic, rest[1:].lstrip()
        if not rest or rest[0].isupper():
            return title, topic, rest
    return None


# The sentence gap as first written, with a look-behind (the fast one starts with the
# punctuation; both end where the next sentence starts).
PLAIN_GAP = re.compile(r"(?<=[.!?)])\s+(?=[A-ZÆØÅÁÉÍÓÚÂÊÔÃÕÇ])")


def plain_mask(block: str, brand: str) -> str:
    """The brand masked as first written: every case-insensitive match, by the expression."""
    if not brand:
        return block
    return re.sub(
        re.escape(brand),
        lambda m: (epi._WORD_MASK if m.group(0).isalnum() else epi._MASK) * len(m.group(0)),
        block,
        flags=re.IGNORECASE,
    )


def plain_heading_cuts(
    block: str, masked: str, rules: list[tuple[re.Pattern[str], Topic]]
) -> list[int]:
    return [
        m.end()
        for m in PLAIN_GAP.finditer(block)
        if plain_heading(block[m.end() :], masked[m.end() :], rules) is not None
    ]


@settings(max_examples=400, deadline=None)
@given(
    block=blocks,
    brand=st.sampled_from(BRANDS),
    where=st.sampled_from([("2", "en"), ("3", "en"), ("4", "en"), ("2", "da"), ("2", "pt")]),
)
def test_heading_at_is_heading_on_the_rest(block: str, brand: str, where: tuple[str, str]) -> None:
    rules = epi._compile_subheadings(*where)
    masked = plain_mask(block, brand)
    fast = [
        m.end()
        for m in epi._SENTENCE_GAP.finditer(block)
        if epi._heading_at(block, masked, m.end(), epi._unanchored(rules))
    ]
    assert fast == plain_heading_cuts(block, masked, rules)
    for at in range(len(block) + 1):
        expected = plain_heading(block[at:], masked[at:], rules) is not None
        assert epi._heading(block[at:], masked[at:], rules) == plain_heading(
            block[at:], masked[at:], rules
        )
        assert epi._heading_at(block, masked, at, epi._unanchored(rules)) is expected, at


# Blocks of a section: list items (which are never cut), paragraphs long enough not to be a
# heading, short ones that may be, with spaces at their ends or not.
section_blocks = st.one_of(
    blocks,
    blocks.map(lambda b: epi.LIST_MARK + b),
    st.builds(
        lambda b, n, pad: pad + b + " More words follow here." * n + pad,
        blocks,
        st.integers(0, 4),
        st.sampled_from(["", " ", "\t"]),
    ),
)


def _plain_split_section(
    number: str | None, title: str, default: Topic, blocks: list[str], language: str, brand: str
) -> list[tuple[str, Topic, list[str]]]:
    """`_split_section` as it was: every piece masked again, the rest of the block copied."""
    rules = epi._compile_subheadings(number or "", language)
    brand = brand if rules else ""
    pieces: list[str] = []
    for block in blocks:
        parts = [block]
        if rules and not block.startswith(epi.LIST_MARK):
            masked = plain_mask(block, brand)
            cuts = plain_heading_cuts(block, masked, rules)
            if cuts:
                bounds = [0, *cuts, len(block)]
                parts = [
                    block[a:b].strip() for a, b in itertools.pairwise(bounds) if block[a:b].strip()
                ]
        for part in parts:
            pieces.extend(epi._split_trailing_heading(part))
    subs = [epi._Sub(title=title, topic=default)]
    for i, block in enumerate(pieces):
        found = plain_heading(block, plain_mask(block, brand), rules) if rules else None
        if found:
            sub_title, topic, rest = found
            subs.append(epi._Sub(title=sub_title, topic=topic, blocks=[rest] if rest else []))
        elif number == "6" and epi._is_caps_heading(block):
            topic = Topic.self_injection if epi._SELF_INJECTION_WORDS.search(block) else default
            subs.append(epi._Sub(title=block, topic=topic))
        elif plain_is_own_heading(pieces, i):
            subs.append(epi._Sub(title=block, topic=default))
        else:
            subs[-1].blocks.append(block)
    return [(s.title, s.topic, s.blocks) for s in subs if s.blocks]


def plain_is_own_heading(pieces: list[str], i: int) -> bool:
    """`_is_own_heading` without the length test before it."""
    if i + 1 >= len(pieces) or not epi._looks_like_heading(pieces[i]):
        return False
    before = pieces[i - 1] if i > 0 else None
    return plain_is_paragraph(pieces[i + 1], ".!?:") and (
        before is None or plain_is_paragraph(before, ".!?")
    )


def plain_is_paragraph(block: str, ends: str) -> bool:
    """`_is_paragraph` as first written: every word counted."""
    text = epi.unmark(block).rstrip(" )”’\"'")
    return len(text.split()) >= 6 and text[-1:] != "" and text[-1] in ends


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(["Take", "it.", "(see", "2)", "”", "word", "•", "?", ":", "\t", ""]),
        max_size=12,
    ).map(" ".join),
    st.sampled_from([".!?", ".!?:"]),
)
def test_paragraph_test_is_as_first_written(block: str, ends: str) -> None:
    for text in (block, epi.LIST_MARK + block):
        assert epi._is_paragraph(text, ends) == plain_is_paragraph(text, ends)


@settings(max_examples=300, deadline=None)
@given(
    section=st.lists(section_blocks, min_size=1, max_size=6),
    brand=st.sampled_from([*BRANDS, ""]),
    number=st.sampled_from(["2", "3", "4", "6", None]),
    language=st.sampled_from(["en", "da", "pt"]),
)
def test_split_section_is_the_plain_definition(
    section: list[str], brand: str, number: str | None, language: str
) -> None:
    got = epi._split_section(number, "Title", Topic.other, section, language, brand)
    assert [(s.title, s.topic, s.blocks) for s in got] == _plain_split_section(
        number, "Title", Topic.other, section, language, brand
    )


# --- sentence gaps, the length test before a heading, the anchors' literals ----------------

gap_texts = st.lists(
    st.one_of(
        st.sampled_from(["Take it", "(see section 2)", "e.g.", "Æble", "ømt", "Über", "x"]),
        st.sampled_from([".", "!", "?", ")", ".)", ". ", "!  ", "?\t", ")\u00a0", " ", "\n"]),
        st.text(alphabet="aZÉ .)!\t", max_size=5),
    ),
    max_size=25,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(gap_texts)
def test_sentence_gap_ends_where_the_look_behind_gap_ends(text: str) -> None:
    assert [m.end() for m in epi._SENTENCE_GAP.finditer(text)] == [
        m.end() for m in PLAIN_GAP.finditer(text)
    ]


def _required_literals(pattern: re.Pattern[str]) -> list[str]:
    """Runs of literal characters at the top level of `pattern` (outside any group,
    alternative or repeat): every match contains each of them."""
    from re import _parser  # type: ignore[attr-defined]

    runs: list[str] = []
    current = ""
    for op, arg in _parser.parse(pattern.pattern, pattern.flags):
        if op is _parser.LITERAL:
            current += chr(arg)
        else:
            if current:
                runs.append(current)
            current = ""
    if current:
        runs.append(current)
    return runs


def test_each_anchor_literal_is_one_its_pattern_needs() -> None:
    for language, needs in epi._ANCHOR_NEEDS.items():
        for number, need in needs.items():
            pattern = epi._ANCHORS[language][number]
            assert not pattern.flags & re.IGNORECASE
            assert any(need in run for run in _required_literals(pattern)), (language, number)


ANCHOR_TEXTS = [
    "Always take this medicine exactly as your doctor has told you.",
    "Always use Zorblex exactly as described.",
    "Like all medicines, this medicine can cause side effects.",
    "Brug altid dette lægemiddel nøjagtigt som beskrevet.",
    "Zorblex kan som alle andre lægemidler give bivirkninger.",
    "Tome sempre este medicamento exatamente como indicado.",
    "Como todos os medicamentos, este medicamento pode causar efeitos.",
    "Keep this medicine out of the sight and reach of children.",
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(ANCHOR_TEXTS),
            st.builds(
                lambda pad, text: pad + text,
                st.text(alphabet="ab .", max_size=260),
                st.sampled_from(ANCHOR_TEXTS),
            ),
            st.text(alphabet="aA .,", max_size=40),
        ),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from(["en", "da", "pt"]),
)
def test_aligning_with_anchor_literals_is_aligning_without(
    blocks: list[str], language: str
) -> None:
    parts = [(f"{n}. Heading", blocks[i::3]) for i, n in enumerate("243")]
    fast = epi.align_sections(parts, language)
    with _without_literal_tests("_ANCHOR_NEEDS"):
        plain = epi.align_sections(parts, language)
    assert fast == plain


# --- the brand mask's lower-case test -------------------------------------------------------


def test_lower_case_keeps_every_case_insensitive_match_of_ascii() -> None:
    """What `_mask_brand`'s `key` relies on, for every printable ASCII character a brand may
    hold (not only letters): whatever matches it case-insensitively lower-cases to its lower
    case, one character for one, except the case traps."""
    everything = "".join(chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000)
    traps = set(leaflet_text._CASE_TRAPS)
    for code in range(0x20, 0x7F):
        char = chr(code)
        for ch in re.findall(re.escape(char), everything, re.IGNORECASE):
            if ch not in traps:
                assert ch.lower() == char.lower(), (char, ch)


def test_what_lower_cases_to_ascii_matches_it_case_insensitively() -> None:
    """The other direction, for `_mask_brand`'s `str.find` in the lower-cased block: a
    character that lower-cases to one ASCII character matches that character
    case-insensitively, so no place the key is found there is one re would not match."""
    for i in range(0x110000):
        ch = chr(i)
        if 0xD800 <= i < 0xE000 or ch in leaflet_text._CASE_TRAPS:
            continue
        lower = ch.lower()
        if len(lower) == 1 and lower.isascii():
            assert re.fullmatch(re.escape(lower), ch, re.IGNORECASE), hex(i)


ASCII_BRANDS = ["Zorblex", "Mira Pen", "Q-Vax", "KISQALI", "st", "Ki 2", "3TC", "aa"]


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(ASCII_BRANDS),
            st.sampled_from(["zorBLEX", "mira pen", "q-vAX", "\u212aisqali", "\u017ft", "\u0130"]),
            st.text(alphabet="aKkSsſıİiI -2Ø.3TC", max_size=6),
        ),
        max_size=12,
    ).map(" ".join),
    st.sampled_from(ASCII_BRANDS),
)
def test_mask_with_key_is_mask_without(block: str, brand: str) -> None:
    assert epi._mask_brand(block, brand, brand.lower()) == plain_mask(block, brand)
    assert epi._mask_brand(block, brand) == plain_mask(block, brand)


def plain_is_caps_heading(block: str) -> bool:
    if len(block.split()) > 15:
        return False
    letters = list(filter(str.isalpha, block))
    return len(letters) >= 6 and all(map(str.isupper, letters))


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["HOW", "TO", "INJECT", "Use", "a", "•", "PEN", "–", "ⓐ", "\t", "B12", "ÆBLE", "ø"]
        ),
        max_size=24,
    ).map(" ".join)
)
def test_caps_heading_counts_words_as_first_written(block: str) -> None:
    assert epi._is_caps_heading(block) == plain_is_caps_heading(block)


# --- the substance patterns' literal --------------------------------------------------------


def test_each_substance_pattern_needs_its_languages_literal() -> None:
    for language, patterns in epi._SUBSTANCE_PATTERNS.items():
        need = epi._SUBSTANCE_NEEDS[language]
        for pattern in patterns:
            runs = _required_literals(pattern)
            if pattern.flags & re.IGNORECASE:
                runs = [run.lower() for run in runs]
            assert any(need in run for run in runs), (language, pattern.pattern[:40])


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet="aAkKtTiIvVeEcC ıİ\u212aøã", max_size=24),
    st.sampled_from(sorted(set(epi._SUBSTANCE_NEEDS.values()))),
)
def test_may_hold_lets_through_every_case_insensitive_match(text: str, need: str) -> None:
    if re.search(re.escape(need), text, re.IGNORECASE):
        assert epi._may_hold(text, need)


SUBSTANCE_TEXTS = [
    "Zorblex contains the active substance examplumab.",
    "THE ACTIVE SUBSTANCE IS EXAMPLUMAB.",
    "Det aktive stof er eksemplumab.",
    "DET AKTIVE STOF ER EKSEMPLUMAB.",
    "DET A\u212aTIVE STOF ER EKSEMPLUMAB.",
    "DET AKTİVE STOF ER EKSEMPLUMAB.",
    "A substância ativa é o exemplumab.",
    "A SUBSTÂNCIA ATIVA É O EXEMPLUMAB.",
    "Take it with food.",
    "Zorblex indeholder:",
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(SUBSTANCE_TEXTS), min_size=1, max_size=5),
    st.sampled_from(["en", "da", "pt"]),
)
def test_substances_are_found_as_without_the_literal_test(texts: list[str], language: str) -> None:
    fast = epi.extract_substances(texts, language)
    with _without_literal_tests("_SUBSTANCE_NEEDS"):
        plain = epi.extract_substances(texts, language)
    assert fast == plain
