"""Coverage: what a check screened and what it could not, with the way to fix it."""

from __future__ import annotations

from druginfo.engine import parse_profile
from druginfo.engine.coverage import build_coverage
from druginfo.vocab import Vocab


def test_counts_and_unknowns() -> None:
    profile = parse_profile(
        {
            "allergies": ["latex"],
            "conditions": ["asthma"],
            "medications": ["metformin 500 mg", "Eliquis", "zorblexil 5 mg", "Shingrix"],
            "planned_vaccines": ["flu vaccine", "MMR"],
        }
    )
    cov = build_coverage(profile, Vocab.bundled(), ["leaflet", "class"], has_rules=True)
    assert cov.screened == ["allergies", "conditions", "2 medicines", "2 vaccines"]
    items = {n.item: n for n in cov.not_screened}
    assert set(items) == {"zorblexil 5 mg", "flu vaccine"}
    assert (
        items["zorblexil 5 mg"].field == "medications" and "spelling" in items["zorblexil 5 mg"].fix
    )
    assert items["flu vaccine"].field == "planned_vaccines"
    assert cov.summary.startswith(
        "screened against: allergies, conditions, 2 medicines, 2 vaccines"
    )
    assert "not screened: 'zorblexil 5 mg'" in cov.summary


def test_nothing_screened_without_rules() -> None:
    profile = parse_profile({"allergies": ["latex"], "medications": ["metformin"]})
    cov = build_coverage(profile, Vocab.bundled(), [], has_rules=False, no_rules_reason="none")
    assert cov.screened == []
    assert cov.not_screened[0].field == "drug" and cov.not_screened[0].reason == "none"
    assert cov.summary.startswith("screened against: nothing")


def test_the_class_screening_is_named_as_screening_not_as_a_raised_rule() -> None:
    """Every check screens for two medicines of one class; coverage says so, and does not use
    the words an alert based on a class rule carries ('no document names the pair')."""
    from druginfo.engine.provenance import BASIS_WORDS

    profile = parse_profile({"medications": ["metformin 500 mg"]})
    cov = build_coverage(profile, Vocab.bundled(), ["leaflet", "class"], has_rules=True)
    assert cov.rules == [
        BASIS_WORDS["leaflet"],
        "drug-class screening (two medicines of the same class)",
    ]
    assert not any("names the pair" in r for r in cov.rules)
