"""ConText-style modifiers: is a mentioned condition negated, past, a relative's, or an "if"?

medspaCy's ConText and negspacy were measured first (bench/extract.py's README notes the
figures): they need spaCy (about 0.9 s to import with a blank pipeline and ~60 MB of wheels)
and their default rules, written for clinical notes, read "Do not use X if you have active
tuberculosis" as *no tuberculosis*, the opposite of the contraindication it states. This module
applies the same algorithm (trigger phrases with a direction and a scope that ends at a
terminator or a clause boundary) with rules written for drug information, kept as data in
data/facts/context.yaml.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import Literal

import yaml

Category = Literal["negated", "historical", "hypothetical", "family", "pseudo"]
Direction = Literal["forward", "backward", "both"]

_WORD = re.compile(r"[\w'’-]+")
_CLAUSE_END = re.compile(r"[.;:!?•]|\s[–—]\s|\)|\(")


@dataclass(frozen=True)
class _Modifier:
    pattern: re.Pattern[str]
    category: Category
    direction: Direction
    max_words: int


@dataclass(frozen=True)
class _Rules:
    modifiers: tuple[_Modifier, ...]
    terminator: re.Pattern[str]


@dataclass(frozen=True)
class Modifiers:
    """What the context says about one mention."""

    negated: bool = False
    historical: bool = False
    hypothetical: bool = False
    family: bool = False


@functools.cache
def _rules() -> _Rules:
    text = (
        resources.files("druginfo")
        .joinpath("data", "facts", "context.yaml")
        .read_text(encoding="utf-8")
    )
    raw = yaml.safe_load(text)
    mods = tuple(
        _Modifier(
            pattern=re.compile(rf"(?<![\w'-])(?:{m['phrase']})(?![\w'-])", re.IGNORECASE),
            category=m["category"],
            direction=m["direction"],
            max_words=int(m["max_words"]),
        )
        for m in raw["modifiers"]
    )
    terms = "|".join(f"(?:{t})" for t in raw["terminators"])
    return _Rules(mods, re.compile(rf"(?<![\w'-])(?:{terms})(?![\w'-])", re.IGNORECASE))


@dataclass(frozen=True)
class _Trigger:
    start: int
    end: int
    mod: _Modifier


def _triggers(text: str) -> list[_Trigger]:
    found: list[_Trigger] = []
    for mod in _rules().modifiers:
        for m in mod.pattern.finditer(text):
            if m.end() > m.start():
                found.append(_Trigger(m.start(), m.end(), mod))
    # Pseudo-triggers win over anything they overlap; otherwise the longer trigger wins.
    found.sort(key=lambda t: (t.mod.category != "pseudo", -(t.end - t.start), t.start))
    kept: list[_Trigger] = []
    for t in found:
        if any(t.start < k.end and k.start < t.end for k in kept):
            continue
        kept.append(t)
    return [t for t in kept if t.mod.category != "pseudo"]


def _forward_limit(text: str, start: int, max_words: int) -> int:
    """End of a forward scope: max_words words on, or a clause end or terminator first."""
    limit = len(text)
    stop = _CLAUSE_END.search(text, start)
    if stop:
        limit = stop.start()
    term = _rules().terminator.search(text, start)
    if term and term.start() < limit:
        limit = term.start()
    words = list(_WORD.finditer(text, start, limit))
    if len(words) > max_words:
        limit = words[max_words - 1].end() if max_words > 0 else start
    return limit


def _backward_limit(text: str, end: int, max_words: int) -> int:
    before = text[:end]
    start = 0
    for m in _CLAUSE_END.finditer(before):
        start = m.end()
    for m in _rules().terminator.finditer(before):
        start = max(start, m.end())
    words = list(_WORD.finditer(text, start, end))
    if len(words) > max_words:
        start = words[-max_words].start() if max_words > 0 else end
    return start


def modifiers_for(text: str, spans: list[tuple[int, int]]) -> list[Modifiers]:
    """Modifiers of each (start, end) mention span of `text`, in the order given."""
    if not spans:
        return []
    triggers = _triggers(text)
    out: list[Modifiers] = []
    for start, end in spans:
        flags: dict[str, bool] = {}
        for t in triggers:
            if t.start <= start < t.end or t.start < end <= t.end:
                continue  # the mention is inside its own trigger ("no" in "Nocdurna")
            hit = False
            if t.mod.direction in ("forward", "both") and t.end <= start:
                hit = end <= _forward_limit(text, t.end, t.mod.max_words)
            if not hit and t.mod.direction in ("backward", "both") and end <= t.start:
                hit = start >= _backward_limit(text, t.start, t.mod.max_words)
            if hit:
                flags[t.mod.category] = True
        out.append(
            Modifiers(
                negated=flags.get("negated", False),
                historical=flags.get("historical", False),
                hypothetical=flags.get("hypothetical", False),
                family=flags.get("family", False),
            )
        )
    return out
