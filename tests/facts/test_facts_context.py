"""Negation, history and 'if' around mentions (the ConText-style component)."""

from __future__ import annotations

from druginfo.facts.mentions import MentionFinder


def _cond(text: str, key: str):  # type: ignore[no-untyped-def]
    found = [m for m in MentionFinder().find(text) if m.key == key]
    assert found, f"{key} not found in {text!r}"
    return found[0]


def test_history_of() -> None:
    m = _cond("Tell your doctor if you have a history of hepatitis B.", "hepatitis b")
    assert m.historical and not m.negated


def test_do_not_use_is_not_a_negated_condition() -> None:
    m = _cond("Do not take this medicine if you have heart failure.", "heart failure")
    assert not m.negated and m.hypothetical


def test_plain_negation() -> None:
    assert _cond("You do not have tuberculosis.", "tuberculosis").negated
    assert _cond("Patients without diabetes were studied.", "diabetes").negated


def test_negation_stops_at_but() -> None:
    m = _cond("No rash was seen, but asthma got worse.", "asthma")
    assert not m.negated


def test_family_history() -> None:
    assert _cond("if someone in your family has epilepsy", "epilepsy").family


def test_abbreviations_only_in_capitals() -> None:
    finder = MentionFinder()
    assert any(m.key == "rheumatoid arthritis" for m in finder.find("used in RA"))
    assert not any(m.key == "rheumatoid arthritis" for m in finder.find("the ra of it"))


def test_brand_needs_a_capital() -> None:
    finder = MentionFinder()
    assert any(m.key == "etanercept" for m in finder.find("Do not use with Enbrel."))
    assert any(m.key == "etanercept" for m in finder.find("do not use with etanercept"))
