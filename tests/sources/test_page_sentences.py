"""Publisher pages to clinical sentences: splitting, headings, bullets and the furniture filter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from druginfo.sources.pages import (
    html_to_text,
    is_chrome,
    normalize,
    page_items,
    page_sentences,
    split_sentences,
)


def test_normalize_evens_out_whitespace_and_typographic_quotes() -> None:
    assert normalize("Don\u2019t  use\n it \u201cnow\u201d\u00a0") == 'Don\'t use it "now"'
    assert normalize("soft\u00adhyphen") == "softhyphen"
    assert normalize("36–46°F") == "36–46°F"  # words and symbols are never changed


def test_split_sentences_spares_abbreviations_and_initials() -> None:
    text = "Watch Dr. Smith explain it. Proteins from E. coli matter. See e.g. the box. Done!"
    assert split_sentences(text) == [
        "Watch Dr. Smith explain it.",
        "Proteins from E. coli matter.",
        "See e.g. the box.",
        "Done!",
    ]


def test_split_sentences_handles_closing_quotes_and_parentheses() -> None:
    text = 'It is "fine." (See the label.) Next one? Yes.'
    assert split_sentences(text) == ['It is "fine."', "(See the label.)", "Next one?", "Yes."]


PAGE = """Drug X, Brandy

Pharmacy Author:

GENERIC NAME: drugx

How It Works

Drug X blocks a protein. It reduces swelling.

Are There Any Alternatives?

Symptoms may include:

  • headache

  • nausea. Call your doctor.
  1. First numbered point.
1

Strengths: 10 mg/1 mL solution
Watch our video to learn how to inject Drug X:
Disclaimer: Our goal is to help. This is not medical advice.
Need help identifying pills and medications?
Use the pill identifier tool on ExampleRx.
It can be used with other agents. (See drug interactions.)
Send us your feedback
Thank you.
Your message has been sent.
We're sorry, an error occurred.
Back to Medications Index
Medically reviewed by A Doctor on May 1, 2020
This sentence was hard
wrapped by the editor.

Read This Next

Some Other Article
Advertisement
"""


def test_page_items_classifies_headings_sentences_and_bullets() -> None:
    items = page_items(PAGE)
    kinds = {i.text: i.kind for i in items}
    assert kinds["Drug X, Brandy"] == "heading"
    assert kinds["How It Works"] == "heading"
    assert kinds["Are There Any Alternatives?"] == "heading"
    assert kinds["GENERIC NAME: drugx"] == "sentence"
    assert kinds["Strengths: 10 mg/1 mL solution"] == "sentence"
    assert kinds["headache"] == "bullet"
    assert kinds["First numbered point."] == "bullet"
    blocks = next(i for i in items if i.text == "Drug X blocks a protein.")
    assert blocks.section == "How It Works"


def test_page_sentences_drop_site_furniture_only() -> None:
    assert page_sentences(PAGE) == [
        "GENERIC NAME: drugx",
        "Drug X blocks a protein.",
        "It reduces swelling.",
        "Symptoms may include:",
        "headache",
        "nausea.",
        "Call your doctor.",
        "First numbered point.",
        "Strengths: 10 mg/1 mL solution",
        "It can be used with other agents.",
        "This sentence was hard wrapped by the editor.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Disclaimer: this site is not a doctor.",
        "Send us your feedback",
        "Pharmacy Author:",
        "Medical and Pharmacy Editor:",
        "Medically reviewed by Someone on May 26, 2015",
        "(See drug interactions.)",
        "Back to Medications Index",
        "Advertisement",
        "Watch Dr. A introduce the drug in this short video:",
        "SECTION 1 of 4",
    ],
)
def test_chrome_patterns(text: str) -> None:
    assert is_chrome(text)


@pytest.mark.parametrize(
    "text",
    [
        "See a doctor straight away.",
        "Return to taking one tablet once a week, as originally scheduled.",
        "Thank-you notes are not medicine.",
        "Tell your doctor if you have a fever.",
        "Reviewed doses should be written down.",
    ],
)
def test_clinical_text_is_not_chrome(text: str) -> None:
    assert not is_chrome(text)


def test_html_to_text_keeps_blocks_and_list_items() -> None:
    markup = (
        "<div xmlns='http://www.w3.org/1999/xhtml'><p>Do not use\nit</p>"
        "<ul><li>if you are <b>allergic</b>;</li><li>if you have neutropenia.</li></ul>"
        "<p>Store in a refrigerator (2 C to 8 C).</p></div>"
    )
    text = html_to_text(markup)
    assert text.splitlines() == [
        "Do not use it",
        "• if you are allergic;",
        "• if you have neutropenia.",
        "Store in a refrigerator (2 C to 8 C).",
    ]
    assert html_to_text("  ") == ""


def _leaflet_sections(path: Path) -> list[str]:
    comp = json.loads(path.read_text(encoding="utf-8"))["entry"][0]["resource"]
    out: list[str] = []

    def walk(sections: list[dict]) -> None:
        for sec in sections:
            out.append(sec.get("text", {}).get("div", ""))
            walk(sec.get("section", []))

    walk(comp.get("section", []))
    return out


def test_kineret_leaflet_splits_into_its_items(data_dir: Path) -> None:
    texts = [html_to_text(d) for d in _leaflet_sections(data_dir / "ema-epi" / "kineret.en.json")]
    sentences = [s for t in texts for s in page_sentences(t)]
    assert len(sentences) > 100
    assert (
        "if you have neutropenia (low white blood cell count) determined after a blood test."
        in (sentences)
    )
    assert "You must not breast-feed if you use Kineret." in sentences


def test_official_leaflets_lose_nothing_but_cross_references(data_dir: Path) -> None:
    """The filter is about web sites: official leaflets (no site furniture) pass through."""
    files = sorted((data_dir / "ema-epi").glob("*.en.json"))[::15]
    assert len(files) > 50
    total = dropped = 0
    for path in files:
        for div in _leaflet_sections(path):
            for item in page_items(html_to_text(div)):
                if item.kind != "heading":
                    total += 1
            for line in html_to_text(div).splitlines():
                for sentence in split_sentences(line.lstrip("• ")):
                    if is_chrome(sentence):
                        dropped += 1
                        assert sentence.startswith("("), sentence  # only "(See section 4)" etc.
    assert total > 5000
    assert dropped <= total // 500


def test_seed_pages_lose_their_furniture(seeds_dir: Path) -> None:
    medicinenet = page_sentences((seeds_dir / "medicinenet-anakinra.txt").read_text())
    assert "Use the pill identifier tool on RxList." not in medicinenet
    assert "(See drug interactions.)" not in medicinenet
    assert "Visit the FDA MedWatch website or call 1-800-FDA-1088." in medicinenet
    healthline = page_sentences((seeds_dir / "healthline-anakinra.txt").read_text())
    assert not [s for s in healthline if "feedback" in s.lower() or s.startswith("Disclaimer")]
    assert "Never double up on doses to catch up." in healthline
    assert healthline[-1] == "Talk to your doctor about possible alternatives."
    rheuminfo = page_sentences((seeds_dir / "rheuminfo-anakinra.txt").read_text())
    assert not [s for s in rheuminfo if "video" in s.lower()]
    assert "Patients with active infections (such as tuberculosis)" in rheuminfo
