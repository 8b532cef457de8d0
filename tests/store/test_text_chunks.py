"""`text_chunks` (the full-text rows of a document) gives the rows of its plain definition:
a claim gets a row of its own only when its quote is in neither its section's text nor the
whole text (`quote in text`). The fast path looks for each quote from where the previous
quote of its section was found; generated monographs put quotes in order, out of order,
twice, under a section that does not exist, under none, and quotes found in another section
only."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from druginfo.model import Claim, Identity, Monograph, Section, Source, SourceKind, Topic
from druginfo.store.common import monograph_names, text_chunks


def plain_chunks(mono: Monograph) -> list[tuple[str, str]]:
    chunks: list[tuple[str, str]] = []
    by_title: dict[str, str] = {}
    for section in mono.sections:
        body, title = section.text.strip(), section.title.strip()
        if body or title:
            chunks.append((title, body))
            by_title[section.title] = by_title.get(section.title, "") + "\n" + body
    joined = "\n".join(by_title.values())
    for claim in mono.claims:
        quote = claim.quote.strip()
        if not quote:
            continue
        if claim.section is not None and quote in by_title.get(claim.section, ""):
            continue
        if quote not in joined:
            chunks.append(((claim.section or claim.topic.value).strip(), quote))
    for statement in mono.identity.statements:
        if statement.text.strip() and statement.text not in joined:
            chunks.append(("identity", statement.text.strip()))
    chunks.append(("names", " · ".join(name for name, _ in monograph_names(mono))))
    return chunks


WORDS = ["Take", "one", "tablet.", "Do not", "drive.", "a", "a a", " ", "Øjne"]
TITLES = ["Dosage", "Warnings", "Other", " Dosage "]


@st.composite
def monographs(draw: st.DrawFn) -> Monograph:
    sections = [
        Section(
            topic=Topic.other,
            title=draw(st.sampled_from(TITLES)),
            text=" ".join(draw(st.lists(st.sampled_from(WORDS), max_size=12))),
        )
        for _ in range(draw(st.integers(0, 4)))
    ]
    claims = []
    for i in range(draw(st.integers(0, 12))):
        words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3))
        quote = " ".join(words)
        if not quote.strip():
            quote = "x"
        claims.append(
            Claim(
                id=f"c{i}",
                topic=Topic.other,
                source="s",
                quote=quote,
                section=draw(st.sampled_from([*TITLES, "Missing", None])),
            )
        )
    return Monograph(
        key="zorblex",
        identity=Identity(generic="zorblex", brands=["Zorblex"]),
        sources=[Source(id="s", publisher="p", document="d", kind=SourceKind.label)],
        claims=claims,
        sections=sections,
    )


@settings(max_examples=400, deadline=None)
@given(monographs())
def test_text_chunks_are_the_plain_definition(mono: Monograph) -> None:
    assert text_chunks(mono) == plain_chunks(mono)
