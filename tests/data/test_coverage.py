"""Every clinical sentence of the seed pages is quoted by a claim, and every quote is real.

The curated anakinra monograph promises that it leaves nothing of its three publisher pages
behind and invents nothing: each clinical sentence (`pages.page_sentences`, site furniture
removed by the small explicit filter in `pages.py`) must be quoted by a claim of that page, and
each claim quote must occur verbatim (whitespace and typographic quotes evened out) in its
document, the EU leaflet included. Run with `pytest -s` to see the counts.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from druginfo.model import Claim, Monograph
from druginfo.sources import pages
from druginfo.sources.curated import load_curated
from druginfo.sources.pages import html_to_text, normalize, page_sentences

SEEDS = {
    "medicinenet": "medicinenet-anakinra.txt",
    "healthline": "healthline-anakinra.txt",
    "rheuminfo": "rheuminfo-anakinra.txt",
}
EU_SOURCE = "ema-epi-kineret-en"
UNVERIFIABLE = {"us-pi-kineret"}  # no copy of the US label in this repository
MIN_SENTENCES = {
    "medicinenet": 15,
    "healthline": 180,
    "rheuminfo": 45,
}  # guards a collapsing splitter


@pytest.fixture(scope="module")
def mono() -> Monograph:
    return load_curated("anakinra")


def leaflet_text(path: Path) -> str:
    """The EU leaflet as a reader sees it: product name, number, section titles and texts."""
    bundle = json.loads(path.read_text(encoding="utf-8"))
    parts: list[str] = []

    def walk(sections: list[dict]) -> None:
        for sec in sections:
            parts.append(sec.get("title", ""))
            parts.append(html_to_text(sec.get("text", {}).get("div", "")))
            walk(sec.get("section", []))

    for entry in bundle["entry"]:
        res = entry["resource"]
        for ident in res.get("identifier", []) if isinstance(res.get("identifier"), list) else []:
            parts.append(ident.get("value", ""))
        if isinstance(res.get("identifier"), dict):
            parts.append(res["identifier"].get("value", ""))
        for name in res.get("name", []):
            parts.append(name.get("productName", ""))
        if res["resourceType"] == "Composition":
            parts.append(res.get("title", ""))
            walk(res.get("section", []))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def source_texts(seeds_dir: Path, data_dir: Path) -> dict[str, str]:
    texts = {sid: (seeds_dir / name).read_text(encoding="utf-8") for sid, name in SEEDS.items()}
    texts[EU_SOURCE] = leaflet_text(data_dir / "ema-epi" / "kineret.en.json")
    return texts


def uncovered(sentences: list[str], quotes: list[str]) -> list[str]:
    """Sentences no quote covers.

    A sentence is covered when one quote contains it whole, or when the quotes found inside it
    together span every letter and digit of it (a long sentence quoted in parts).
    """
    quotes = [normalize(q) for q in quotes]
    missing: list[str] = []
    for raw in sentences:
        s = normalize(raw)
        if any(s in q for q in quotes):
            continue
        marked = [False] * len(s)
        for q in quotes:
            start = s.find(q)
            while start != -1:
                for i in range(start, start + len(q)):
                    marked[i] = True
                start = s.find(q, start + 1)
        if not all(marked[i] for i, ch in enumerate(s) if ch.isalnum()):
            missing.append(raw)
    return missing


def quotes_of(mono: Monograph, source: str, drop: set[str] | None = None) -> list[str]:
    return [c.quote for c in mono.claims if c.source == source and c.id not in (drop or set())]


def _claim_ids(claims: list[Claim]) -> str:
    return ", ".join(c.id for c in claims)


@pytest.mark.parametrize("source", [*SEEDS, EU_SOURCE])
def test_every_quote_occurs_verbatim_in_its_source(
    mono: Monograph, source_texts: dict[str, str], source: str
) -> None:
    text = normalize(source_texts[source])
    claims = [c for c in mono.claims if c.source == source]
    assert claims, f"no claims quote {source}"
    invented = [c for c in claims if normalize(c.quote) not in text]
    assert not invented, f"quotes not found in {source}: " + "; ".join(
        f"{c.id}: {c.quote!r}" for c in invented
    )


def test_every_claim_source_is_checked_or_declared_unverified(mono: Monograph) -> None:
    checked = {*SEEDS, EU_SOURCE}
    for source in mono.sources:
        if source.id in checked:
            continue
        assert source.id in UNVERIFIABLE, f"source {source.id} has no file to check quotes against"
        # A source we cannot check must say so where every user of it can read it.
        assert source.reference and "NOT verified" in source.reference


@pytest.mark.parametrize("source", list(SEEDS))
def test_every_seed_sentence_is_quoted(
    mono: Monograph, source_texts: dict[str, str], source: str
) -> None:
    sentences = page_sentences(source_texts[source])
    assert len(sentences) >= MIN_SENTENCES[source]
    missing = uncovered(sentences, quotes_of(mono, source))
    print(f"\n{source}: {len(sentences) - len(missing)}/{len(sentences)} sentences quoted")
    assert not missing, f"{len(missing)} sentences of {source} lack a claim:\n" + "\n".join(missing)


def test_coverage_totals(mono: Monograph, source_texts: dict[str, str]) -> None:
    total = covered = 0
    for source in SEEDS:
        sentences = page_sentences(source_texts[source])
        total += len(sentences)
        covered += len(sentences) - len(uncovered(sentences, quotes_of(mono, source)))
    print(f"\nseed sentences quoted: {covered}/{total}")
    assert covered == total
    assert total >= sum(MIN_SENTENCES.values())


@pytest.mark.parametrize(
    ("source", "claim_id", "sentence"),
    [
        ("healthline", "hl-missed-dose", "Never double up on doses to catch up."),
        ("rheuminfo", "ri-tb-test", "It is important to get a TB (tuberculosis) skin test"),
        ("medicinenet", "mn-tnf-not-with", "it should not be used with drugs that block tumor"),
    ],
)
def test_losing_a_claim_is_detected(
    mono: Monograph, source_texts: dict[str, str], source: str, claim_id: str, sentence: str
) -> None:
    sentences = page_sentences(source_texts[source])
    missing = uncovered(sentences, quotes_of(mono, source, drop={claim_id}))
    assert any(sentence in m for m in missing), missing


def test_partial_quotes_cover_only_when_they_span_the_sentence() -> None:
    sentence = "Keep it cold. Do not freeze it."
    assert uncovered([sentence], ["Keep it cold.", "Do not freeze it."]) == []
    assert uncovered([sentence], ["Keep it cold."]) == [sentence]
    assert uncovered(["Do not freeze it."], ["Store cold. Do not freeze it. Protect."]) == []


def test_claims_of_other_sources_do_not_count(
    mono: Monograph, source_texts: dict[str, str]
) -> None:
    # The E. coli warning is on Healthline; a leaflet quote saying the same must not cover it.
    sentences = page_sentences(source_texts["healthline"])
    assert uncovered(sentences, quotes_of(mono, EU_SOURCE))


def test_chrome_filter_stays_small_and_hides_no_quote(mono: Monograph) -> None:
    patterns = (
        pages.CHROME_BLOCK_PATTERNS + pages.CHROME_SENTENCE_PATTERNS + pages.CHROME_TAIL_PATTERNS
    )
    assert len(patterns) <= 20
    for claim in mono.claims:
        assert not pages.is_chrome(claim.quote), f"{claim.id} quotes text the filter drops"
