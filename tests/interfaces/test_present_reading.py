"""Words as people read them on any page: leaflet prose whose font characters were lost to
private-use code points, dates in the page's language, a medicine's name in its own case in
section titles, and the product a list entry names. Inputs are invented."""

from __future__ import annotations

import datetime as dt

from druginfo.interfaces import present


def test_font_bullets_start_list_items_even_mid_line() -> None:
    text = (
        "Read this first. \uf0b7 Take 2 tablets. \uf0a7 Drink water.\n\uf0b7 Rest\nAfter the list."
    )
    assert present.blocks(text) == [
        present.Block("p", ["Read this first."]),
        present.Block("ul", ["Take 2 tablets.", "Drink water.", "Rest"]),
        present.Block("p", ["After the list."]),
    ]


def test_only_unambiguous_font_characters_are_replaced() -> None:
    assert present.display_text("Keep at 2 \uf0b0C to 8 \uf0b0C.") == "Keep at 2 °C to 8 °C."
    assert present.display_text("\uf0e8\uf020If so, tell us.") == "→ If so, tell us."
    # A comparison sign from an unknown font is never guessed: '≥' or '≤' in a dose?
    assert present.display_text("doses \uf0b3 90 mg") == "doses \uf0b3 90 mg"
    assert present.display_text("the \uf0b0 mark") == "the \uf0b0 mark"


def test_dates_in_the_pages_language() -> None:
    day = dt.date(2024, 3, 5)
    assert present.long_date(day) == "5 March 2024"
    assert present.long_date(day, "da") == "5. marts 2024"
    assert present.long_date(day, "pt") == "5 de março de 2024"
    assert present.long_date(None, "da") == ""


def test_section_titles_keep_the_medicines_own_case() -> None:
    assert present.heading("3. How to use zelvoxa", ["ZELVOXA"]) == "3. How to use ZELVOXA"
    # Only the whole name: a longer word that starts like it is left alone.
    assert present.heading("zelvoxamine and zelvoxa", ["Zelvoxa"]) == "zelvoxamine and Zelvoxa"
    assert present.heading("What it is", ["abc\\1"]) == "What it is"


def test_the_product_a_list_entry_names() -> None:
    assert present.name_brand("Zelvoxa Duo (zelvoxine)", "zelvoxine") == "Zelvoxa Duo"
    assert present.name_brand("zelvoxine", "zelvoxine") is None
    assert present.name_brand("Zelvoxine (zelvoxine)", "zelvoxine") is None
