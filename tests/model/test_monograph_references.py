"""A monograph refuses claims that repeat an id or cite an unknown source, naming the first
faulty claim in document order (the check decides with sets, and walks the claims only to
name the fault), and refuses references to claims it does not have."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from druginfo.model import Monograph


def _claim(claim_id: str, source: str = "src-a") -> dict[str, Any]:
    return {"id": claim_id, "topic": "other", "source": source, "quote": f"Quote {claim_id}."}


def _monograph(claims: list[dict[str, Any]], section_claims: list[str] | None = None) -> Monograph:
    return Monograph(
        key="examplumab",
        identity={"generic": "examplumab"},
        sources=[
            {"id": "src-a", "publisher": "P", "document": "D", "kind": "label"},
            {"id": "src-b", "publisher": "Q", "document": "E", "kind": "publisher"},
        ],
        claims=claims,
        sections=[
            {
                "topic": "other",
                "title": "T",
                "text": "x",
                "claims": section_claims if section_claims is not None else [],
            }
        ],
    )


def test_claims_citing_known_sources_with_distinct_ids_load() -> None:
    mono = _monograph([_claim("c1"), _claim("c2", "src-b")], ["c2", "c1"])
    assert [c.id for c in mono.claims] == ["c1", "c2"]


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ([_claim("c1"), _claim("c1")], "duplicate claim id 'c1'"),
        ([_claim("c1"), _claim("c2", "nowhere")], "claim 'c2' cites unknown source 'nowhere'"),
        # The first fault in document order is named, whichever kind comes first.
        (
            [_claim("c1"), _claim("c1"), _claim("c3", "nowhere")],
            "duplicate claim id 'c1'",
        ),
        (
            [_claim("c1", "nowhere"), _claim("c2"), _claim("c2")],
            "claim 'c1' cites unknown source 'nowhere'",
        ),
        (
            [_claim("c1"), _claim("c2", "elsewhere"), _claim("c2", "nowhere")],
            "claim 'c2' cites unknown source 'elsewhere'",
        ),
    ],
)
def test_the_first_faulty_claim_is_named(claims: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _monograph(claims)
    assert message in str(caught.value)


def test_a_reference_to_a_missing_claim_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown claim ids referenced: c9"):
        _monograph([_claim("c1")], ["c1", "c9"])
