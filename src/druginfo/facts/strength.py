"""How strongly a sentence speaks against a combination: must-not, avoid or caution.

The wording is data (data/facts/strength.yaml), so a new phrasing is a line there, and both
the fact readers (which strength a sentence states) and the screening (what that strength
means: severity, blocking) read the same table.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

import yaml

from druginfo.model.facts import Strength

_ORDER: tuple[Strength, ...] = ("must-not", "avoid", "caution")


@dataclass(frozen=True)
class StrengthRule:
    strength: Strength
    severity: str
    blocking: bool
    pattern: re.Pattern[str] | None


@functools.cache
def _raw() -> dict[str, object]:
    text = resources.files("druginfo").joinpath("data", "facts", "strength.yaml").read_text()
    raw: dict[str, object] = yaml.safe_load(text)
    return raw


@functools.cache
def _not_prohibitions() -> re.Pattern[str] | None:
    patterns = _raw().get("not_prohibitions") or []
    if not isinstance(patterns, list) or not patterns:
        return None
    return re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in patterns) + r")\b", re.IGNORECASE)


def _words(text: str) -> str:
    """The sentence without the words that only look like a prohibition ('if you do not
    take calcium supplements' is a condition, not 'do not take')."""
    pattern = _not_prohibitions()
    return pattern.sub(" ", text) if pattern is not None else text


@functools.cache
def strength_rules() -> tuple[StrengthRule, ...]:
    raw = _raw()["strengths"]
    assert isinstance(raw, dict)
    rules = []
    for name in _ORDER:
        entry = raw[name]
        patterns = entry.get("patterns") or []
        pattern = (
            re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in patterns) + r")\b", re.IGNORECASE)
            if patterns
            else None
        )
        rules.append(StrengthRule(name, str(entry["severity"]), bool(entry["blocking"]), pattern))
    return tuple(rules)


def read_strength(text: str) -> Strength:
    """The strongest strength the sentence's words state; caution when none."""
    text = _words(text)
    for rule in strength_rules():
        if rule.pattern is not None and rule.pattern.search(text):
            return rule.strength
    return "caution"


def states_strength(text: str) -> Strength | None:
    """The strength the words state, or None when they state none (a list item)."""
    text = _words(text)
    for rule in strength_rules():
        if rule.pattern is not None and rule.pattern.search(text):
            return rule.strength
    return None


def effect(strength: Strength) -> tuple[str, bool]:
    """(severity, blocking) of a strength."""
    for rule in strength_rules():
        if rule.strength == strength:
            return rule.severity, rule.blocking
    return "moderate", False
