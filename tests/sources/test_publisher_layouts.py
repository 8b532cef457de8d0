"""Publisher pages of other layouts than the seeds: Markdown, HTML with site furniture, plain
text; bad pages reported with their reason; one page = one document."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from druginfo.model import Topic
from druginfo.sources.base import Broken, ParsedDocument
from druginfo.sources.detect import iter_records
from druginfo.sources.page_dates import page_date, read_dates
from druginfo.sources.publisher import parse_page


def _parse(path: Path) -> ParsedDocument | Broken:
    return parse_page(path.read_bytes(), str(path), name=path.name)


def _doc(path: Path) -> ParsedDocument:
    record = _parse(path)
    assert isinstance(record, ParsedDocument), getattr(record, "reason", record)
    return record


MARKDOWN_TITLE_ONLY = """# Lisinopril

## How to take it

The usual dose is 10 mg once a day.

## Side effects

### More common

- dizziness
- dry cough

### Less common

- rash

## Storage

Store below 25°C.
"""


def test_markdown_names_its_medicine_only_in_the_title(tmp_path: Path) -> None:
    page = tmp_path / "wellsite-lisinopril.md"
    page.write_text(MARKDOWN_TITLE_ONLY, encoding="utf-8")
    mono = _doc(page).monograph
    assert mono.key == "lisinopril"
    by_quote = {c.quote: c for c in mono.claims}
    assert by_quote["dizziness"].topic is Topic.side_effect  # "More common" under "Side effects"
    assert by_quote["rash"].section == "Less common"
    assert by_quote["Store below 25°C."].topic is Topic.storage


HTML_WITH_FURNITURE = """<!doctype html><html lang="en"><head>
<title>Losartan - uses and dosage | Pillbox Health</title>
<style>p{color:red}</style><script>var advice = "take 900 mg hourly";</script></head>
<body><div class="cookies">We use cookies to improve this site. Accept cookies</div>
<nav class="crumbs"><a href="/">Home</a> &gt; <a href="/d">Drugs</a> &gt; Losartan</nav>
<main><h1>Losartan</h1>
<h2>Dosage</h2><p>Adults: 50 mg once a day.</p>
<h2>Storage</h2><p>Store below 30°C.</p>
<h2>Side effects</h2><h3>More common</h3><ul><li>dizziness</li></ul>
<div class="newsletter"><p>Subscribe to our newsletter for weekly health updates.</p></div>
</main>
<footer><p>Page last reviewed: 2 April 2024. Next review due: 2 April 2027.</p>
<p>&copy; 2024 Pillbox Health Ltd. All rights reserved.</p><a href="/privacy">Privacy policy</a>
</footer></body></html>
"""


def test_html_page_drops_furniture_script_and_style(tmp_path: Path) -> None:
    page = tmp_path / "pillbox-losartan.html"
    page.write_text(HTML_WITH_FURNITURE, encoding="utf-8")
    record = _doc(page)
    mono = record.monograph
    quotes = [c.quote for c in mono.claims]
    assert mono.key == "losartan"
    assert quotes == ["Adults: 50 mg once a day.", "Store below 30°C.", "dizziness"]
    assert mono.sources[0].reviewed == dt.date(2024, 4, 2)  # reviewed, not "next review due"
    assert not any("900 mg" in q or "color" in q for q in quotes)


def test_brand_block_and_generic_line(tmp_path: Path) -> None:
    page = tmp_path / "drugdb-sitagliptin.txt"
    page.write_text(
        "DrugDB\nSitagliptin\nUS Brand Name\nJanuvia\n\nDosing\n"
        "Adults: 100 mg once daily.\n\nSide effects\nMore common\nheadache\n",
        encoding="utf-8",
    )
    mono = _doc(page).monograph
    assert (mono.key, mono.identity.brands) == ("sitagliptin", ["Januvia"])


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        (
            "blog-fever.md",
            "# Fever\n\n## Treatment\n\nRest and drink water.\n\n## Brand names: Flare\n",
            "cannot tell which medicine",
        ),
        (
            "site-offlabel.md",
            "# Off-label use\n\nDoctors sometimes prescribe medicines off-label. "
            "Ask your doctor why.\n",
            "cannot tell which medicine",
        ),
        (
            "site-mixup.txt",
            "Humira\nGeneric name: etanercept\n\nDosage\nAdults: 50 mg once a week.\n",
            "contradictory names",
        ),
        (
            "sitio-ibuprofeno.txt",
            "Ibuprofeno\n\nDosis\nLos adultos deben tomar 400 mg cada 8 horas con comida.\n"
            "No tome más de la dosis recomendada por su médico o farmacéutico.\n",
            "not in English",
        ),
    ],
)
def test_bad_pages_are_reported_not_guessed(
    tmp_path: Path, name: str, text: str, reason: str
) -> None:
    page = tmp_path / name
    page.write_text(text, encoding="utf-8")
    record = _parse(page)
    assert isinstance(record, Broken)
    assert reason in record.reason


def test_declared_language_other_than_english(tmp_path: Path) -> None:
    page = tmp_path / "site-x.html"
    page.write_text(
        '<html lang="da"><body><h1>Metformin</h1><p>Tag 500 mg to gange dagligt.</p></body></html>'
    )
    record = _parse(page)
    assert isinstance(record, Broken) and "language" in record.reason


def test_same_page_as_html_and_text_is_one_document(tmp_path: Path) -> None:
    html = tmp_path / "rxnotes-bisoprolol.html"
    html.write_text(
        "<html><head><title>Bisoprolol - RxNotes</title></head><body><h1>Bisoprolol</h1>"
        "<h2>Dosage</h2><p>Adults: 5 mg once a day.</p><h2>Storage</h2>"
        "<p>Store below 25°C.</p></body></html>",
        encoding="utf-8",
    )
    txt = tmp_path / "rxnotes-bisoprolol.txt"
    txt.write_text(
        "Bisoprolol\n\nDosage\nAdults: 5 mg once a day.\n\nStorage\nStore below 25°C.\n",
        encoding="utf-8",
    )
    a, b = _doc(html), _doc(txt)
    assert a.doc_id == b.doc_id and a.checksum == b.checksum


def test_two_undated_pages_of_one_site_stay_two_sources(tmp_path: Path) -> None:
    for drug, dose in (("ramipril", "2.5 mg"), ("atenolol", "50 mg")):
        (tmp_path / f"medsite-{drug}.md").write_text(
            f"# {drug.title()}\n\n## Dosage\n\nAdults: {dose} once a day.\n\n"
            "## Storage\n\nStore below 25°C.\n",
            encoding="utf-8",
        )
    docs = [r for r in iter_records([tmp_path]) if isinstance(r, ParsedDocument)]
    assert sorted(d.doc_id for d in docs) == ["page:medsite-atenolol", "page:medsite-ramipril"]
    assert len({d.monograph.sources[0].id for d in docs}) == 2
    assert all(d.monograph.sources[0].reviewed is None for d in docs)


def test_site_template_repeated_across_pages_is_dropped(tmp_path: Path) -> None:
    template = (
        "Our pharmacists write every article for Medsite readers.\n\n"
        "Medsite is funded by readers like you, thank you for reading about {drug}.\n"
    )
    for drug in ("ramipril", "atenolol", "amlodipine"):
        (tmp_path / f"medsite-{drug}.md").write_text(
            f"# {drug.title()}\n\n## Dosage\n\nAdults: 5 mg once a day.\n\n"
            "## Storage\n\nStore below 25°C.\n\n" + template.format(drug=drug),
            encoding="utf-8",
        )
    doc = _doc(tmp_path / "medsite-ramipril.md")
    quotes = [c.quote for c in doc.monograph.claims]
    assert not any("Medsite" in q for q in quotes)
    # Clinical statements repeated on every page are kept: they are real advice.
    assert "Store below 25°C." in quotes


@pytest.mark.parametrize(
    ("line", "language", "expected"),
    [
        ("Last updated: March 3, 2025", None, dt.date(2025, 3, 3)),
        ("Reviewed 4 Feb 2025", None, dt.date(2025, 2, 4)),
        ("Revised: 2024-11-02", None, dt.date(2024, 11, 2)),
        ("Medically reviewed on 12/15/2014", None, dt.date(2014, 12, 15)),
        ("Information last revised: 11/05/2024", None, None),  # day/month order unknown
        ("Information last revised: 11/05/2024", "en-GB", dt.date(2024, 5, 11)),
        ("Updated Sept. 9, 2023", None, dt.date(2023, 9, 9)),
        ("Next review due: 14 January 2028", None, None),
        ("© 2025 Example Ltd", None, None),
    ],
)
def test_page_dates(line: str, language: str | None, expected: dt.date | None) -> None:
    assert page_date([line], language=language) == expected


def test_newest_of_several_stamps() -> None:
    lines = ["Published: 1 May 2020", "Last reviewed: 1 June 2023", "Updated: 2 July 2024"]
    assert page_date(lines) == dt.date(2024, 7, 2)
    assert read_dates("from Jan 5, 2021 to 2021-02-03") == [
        dt.date(2021, 1, 5),
        dt.date(2021, 2, 3),
    ]


def test_an_xml_document_is_not_a_page(tmp_path: Path) -> None:
    page = tmp_path / "label.txt"
    page.write_text('<?xml version="1.0"?><document xmlns="urn:hl7-org:v3"></document>')
    record = _parse(page)
    assert isinstance(record, Broken) and "XML" in record.reason
