"""Name normalisation gives what its plain definition gives: `strip_diacritics` returns ASCII
text as it is (it is its own NFKD decomposition, with no combining mark) and decomposes
everything else; invented names with and without diacritics, ligatures, compatibility
characters and combining marks."""

from __future__ import annotations

import unicodedata

from hypothesis import example, given, settings
from hypothesis import strategies as st

from druginfo.store.common import normalize_name, strip_diacritics


def plain_strip(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


NAMES = [
    "Zorblex", "ZORBLEX 50 mg", "Q-Vax", "Mira  Pen", "Ødegårdumab", "Crème", "Façtrix",
    "ﬁlgrastim", "Ⅳ-line", "Ｚｏｒｂｌｅｘ", "e\u0301lixir", "Säure", "İstanbulin", "naïve",
    "", " ", "\u00a0", "µg", "ß",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.sampled_from(NAMES),
        st.lists(st.sampled_from(NAMES), max_size=4).map(" ".join),
        st.text(max_size=20),
        st.text(alphabet="abc -ÆØÅéèüçñ\u0301\u0308ﬁ", max_size=20),
    )
)
@example("ascii only name")
@example("Ødegård")
def test_strip_diacritics_is_its_plain_definition(text: str) -> None:
    assert strip_diacritics(text) == plain_strip(text)


def test_names_normalise_alike_with_and_without_accents() -> None:
    assert normalize_name("Crème  Façtrix") == normalize_name("creme factrix") == "creme factrix"
    assert normalize_name("ZORBLEX-50") == "zorblex 50"
