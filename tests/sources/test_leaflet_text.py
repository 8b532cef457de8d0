"""Leaflet text as readers see it: lists kept, lost characters restored only where one
reading is possible, and nothing else changed. Inputs are made up here, not taken from a
fixture, so the rules are tested on wording no leaflet in the data has."""

from __future__ import annotations

import json

import pytest

from druginfo.model import Topic
from druginfo.sources.base import ParsedDocument
from druginfo.sources.epi import (
    EnglishSiblings,
    brand_from_product_name,
    clean_substance,
    parse_epi,
)
from druginfo.sources.leaflet_text import LIST_MARK, marked_blocks, repair_text, unmark


def test_list_items_keep_their_mark_and_paragraphs_do_not() -> None:
    div = (
        "<div xmlns='http://www.w3.org/1999/xhtml'><p>Tell your doctor if you have:</p>"
        "<ul><li>a fever</li><li><p>a cough</p> that lasts</li></ul><p>Then stop.</p></div>"
    )
    assert marked_blocks(div) == [
        "Tell your doctor if you have:",
        LIST_MARK + "a fever",
        LIST_MARK + "a cough",
        LIST_MARK + "that lasts",
        "Then stop.",
    ]
    assert unmark(LIST_MARK + "a fever") == "a fever" and unmark("plain") == "plain"


@pytest.mark.parametrize(
    ("lost", "restored"),
    [
        ("Patients with Behcet s disease", "Patients with Behcet's disease"),
        ("your baby s doctor", "your baby's doctor"),
        ("You don t need to", "You don't need to"),
        ("it can t be used", "it can't be used"),
        ("if you re unsure", "if you're unsure"),
        ("Keep in a fridge (3 C 7 C).", "Keep in a fridge (3 °C – 7 °C)."),
        ("Store below 30 C.", "Store below 30 °C."),
        ("Store in a refrigerator (2 C-8 C).", "Store in a refrigerator (2 °C-8 °C)."),
        ("a fever ( 39 C) is", "a fever ( 39 °C) is"),  # the lost sign before 39 stays lost
    ],
)
def test_lost_characters_come_back_where_unambiguous(lost: str, restored: str) -> None:
    assert repair_text(lost, "en") == restored


@pytest.mark.parametrize(
    "text",
    [
        "Hepatitis C infection",  # a letter, not a temperature
        "stage 3 C lymphoma was seen",  # no temperature words: a bare "3 C" is left alone
        "wait 10 s between puffs, then store it",  # seconds after a number, not a possessive
        "ingredient(s) of this medicine",
        "Stills sygdom og Downs syndrom",  # Danish has no apostrophe here
    ],
)
def test_nothing_ambiguous_is_changed(text: str) -> None:
    for language in ("en", "da"):
        assert repair_text(text, language) == text


def test_danish_and_portuguese_are_not_given_english_apostrophes() -> None:
    assert repair_text("barnets s ting", "da") == "barnets s ting"
    assert repair_text("Opbevares i køleskab (2 C 8 C).", "da") == (
        "Opbevares i køleskab (2 °C – 8 °C)."
    )


# --- whole leaflets, made up ----------------------------------------------------------------


def bundle(language: str, product: str, sections: list[tuple[str, str]]) -> bytes:
    def section(title: str, div: str) -> dict[str, object]:
        return {
            "title": title,
            "text": {"div": f"<div xmlns='http://www.w3.org/1999/xhtml'>{div}</div>"},
        }

    return json.dumps(
        {
            "resourceType": "Bundle",
            "entry": [
                {
                    "resource": {
                        "resourceType": "Composition",
                        "language": language,
                        "date": "2024-05-01",
                        "title": product,
                        "section": [section(t, d) for t, d in sections],
                    }
                },
                {
                    "resource": {
                        "resourceType": "MedicinalProductDefinition",
                        "name": [{"productName": product}],
                    }
                },
            ],
        }
    ).encode()


ZYLOFEN_EN = [
    (
        "1. What Zylofen is and what it is used for",
        "<p>Zylofen contains the active substance zylofenac. Zylofen is used to treat gout.</p>",
    ),
    (
        "2. What you need to know before you take Zylofen",
        "<p>Do not take Zylofen:</p><ul><li>if you are allergic to zylofenac.</li>"
        "<li>if you have kidney failure.</li></ul>"
        "<p>Talk to your doctor before you take Zylofen, see Warnings and precautions."
        " Warnings and precautions Tell your doctor if you had a stomach ulcer before."
        " Skin reactions</p><p>Serious skin reactions have been reported with this medicine"
        " in a few people.</p><p>Other medicines and Zylofen</p><p>Tell your doctor about"
        " every other medicine you take.</p>",
    ),
    ("5. How to store Zylofen", "<p>Store below 25 C. Do not freeze.</p>"),
    (
        "6. Contents of the pack and other information",
        "<p>What Zylofen contains</p><p>The active substance is 2.5 mg zylofenac sodium.</p>",
    ),
]


def parsed(raw: bytes, name: str, siblings: EnglishSiblings | None = None) -> ParsedDocument:
    doc = parse_epi(raw, name, name=name, siblings=siblings)
    assert isinstance(doc, ParsedDocument), doc
    return doc


def test_sub_headings_lists_and_repairs_reach_the_sections() -> None:
    mono = parsed(bundle("en", "Zylofen 2.5 mg tablets", ZYLOFEN_EN), "zylofen.en.json").monograph
    assert mono.key == "zylofenac"  # an amount before the name is not part of it
    titles = [(s.title, s.topic) for s in mono.sections]
    assert ("Do not take Zylofen", Topic.contraindication) in titles
    # A template heading glued into the paragraph before it, and a short heading appended
    # to a paragraph, both become headings of their own.
    assert ("Warnings and precautions", Topic.warning) in titles
    assert ("Skin reactions", Topic.warning) in titles
    contra = next(s for s in mono.sections if s.topic is Topic.contraindication)
    assert contra.text.splitlines()[:2] == [
        LIST_MARK + "if you are allergic to zylofenac.",
        LIST_MARK + "if you have kidney failure.",
    ]
    # Claims quote the words without the list mark; the storage claim has its degree sign.
    assert any(c.quote == "if you are allergic to zylofenac." for c in mono.claims)
    assert any(c.quote == "Store below 25 °C." for c in mono.claims)
    # No text is lost by the splitting.
    text = " ".join(s.text for s in mono.sections)
    for words in ("stomach ulcer before.", "in a few people.", "every other medicine"):
        assert words in text


def test_a_list_of_short_paragraphs_gives_no_headings() -> None:
    sections = [
        ("1. What Qx is and what it is used for", "<p>Qx is used to treat the following:</p>"
         "<p>Rheumatoid arthritis</p><p>Psoriatic arthritis</p><p>Gout</p>"
         "<p>Qx works by blocking an enzyme in the joints of the body.</p>"),
    ]  # fmt: skip
    mono = parsed(bundle("en", "Qx tablets", sections), "qx.en.json").monograph
    assert [s.title for s in mono.sections] == ["1. What Qx is and what it is used for"]


def test_other_languages_follow_their_english_leaflet() -> None:
    danish = [
        (
            "1. Virkning og anvendelse",
            "<p>Zylofen indeholder det aktive stof zylofenacnatrium.</p>",
        ),
        ("5. Opbevaring", "<p>Opbevares under 25 C.</p>"),
    ]
    english = bundle("en", "Zylofen 2.5 mg tablets", ZYLOFEN_EN)
    siblings = EnglishSiblings(lambda n: english if n == "zylofen.en.json" else None)
    da = parsed(bundle("da", "Zylofen 2,5 mg tabletter", danish), "zylofen.da.json", siblings)
    assert da.monograph.key == "zylofenac"
    # An English leaflet naming no substance files its siblings under its brand, too.
    nameless = [("1. What Vaxo is and what it is used for", "<p>Vaxo is a vaccine.</p>")]
    english2 = bundle("en", "VAXO suspension for injection", nameless)
    siblings2 = EnglishSiblings(lambda n: english2 if n == "vaxo.en.json" else None)
    danish2 = [("1. Virkning og anvendelse", "<p>Det aktive stof er vaxoantigen.</p>")]
    da2 = parsed(bundle("da", "VAXO injektionsvæske", danish2), "vaxo.da.json", siblings2)
    assert da2.monograph.key == "vaxo"


@pytest.mark.parametrize(
    ("phrase", "name"),
    [
        ("Mumps virus1 Jeryl Lynn strain", "mumps virus"),
        ("Varicella-zoster virus1", "varicella-zoster virus"),
        ("interferon beta-1a", "interferon beta-1a"),
        ("human alpha1-proteinase inhibitor", "human alpha1-proteinase inhibitor"),
        ("After reconstitution", None),
        ("per dose", None),
    ],
)
def test_substance_names_of_vaccines(phrase: str, name: str | None) -> None:
    assert clean_substance(phrase) == name


@pytest.mark.parametrize(
    ("product", "brand"),
    [
        ("Qolvex (40 mg + 10 mg)/ml oral solution", "Qolvex"),
        ("Hemofix250 IU powder and solvent for solution for injection", "Hemofix"),
        ("Zylofen 2.5 mg tablets", "Zylofen"),
    ],
)
def test_brand_names_lose_strengths_and_dangling_brackets(product: str, brand: str) -> None:
    assert brand_from_product_name(product) == brand


# --- the blocks are normalised (the sentence splitter relies on it) -----------------------

ODD_MARKUP = [
    '<div xmlns="http://www.w3.org/1999/xhtml"><p>\n  Take\tthe\u00a0tablet.\r\n'
    "Do not   chew it. </p><ul><li> one\n<ul><li>\tnested <b>bold</b>\u2003item </li></ul>"
    " tail of one </li><li/></ul><p>Store below 25 C in a fridge; you don t need to</p></div>",
    "<div><table><tr><td> a\u2028b </td><td>\u3000c</td></tr></table>x<br/> y <!-- c -->z</div>",
    "<div><p>broken &nbsp; markup<p>Crohn s disease<br>  second line</div>",  # HTML recovery
    "<div><ol><li>First.<li>Second:<ul><li>  deep <i>er</i></ul></ol>\u00a0\u00a0</div>",
]


@pytest.mark.parametrize("markup", ODD_MARKUP)
@pytest.mark.parametrize("language", ["en", "da"])
def test_repaired_blocks_are_normalised(markup: str, language: str) -> None:
    from druginfo.sources.text import norm_space, split_normalized, split_sentences

    blocks = [repair_text(b, language) for b in marked_blocks(markup)]
    assert blocks
    for block in blocks:
        text = unmark(block)
        assert text == norm_space(text), block
        assert split_normalized(text) == split_sentences(text)
