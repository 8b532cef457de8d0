"""Comparable facts pulled out of quoted words: temperatures, intervals, doses, durations.

Sources rarely disagree in the same words; they disagree in numbers ("36–46 °F" vs "2 to 8 °C",
"every other day" vs "every day"). Normalising those to one unit per dimension lets the
reconciler see a disagreement without understanding the prose around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Fact:
    dimension: str  # "temperature-c", "interval-h", "dose-mg", "dose-mg-per-kg", "duration-d"...
    value: float
    text: str


_NUM = r"(\d+(?:[.,]\d+)?)"
_RANGE = rf"{_NUM}(?:\s*(?:–|-|to)\s*{_NUM})?"

_TEMPERATURE = re.compile(rf"{_RANGE}\s*(?:°|º|degrees?\s*)?\s*([CF])\b")
_MG_PER_KG = re.compile(rf"{_RANGE}\s*mg\s*(?:per|/)\s*(?:kilogram|kg)")
_MG = re.compile(rf"{_RANGE}\s*mg\b(?!\s*(?:per|/)\s*(?:kilogram|kg))")
_HOURS = re.compile(rf"{_NUM}\s*hours?\b")
_MONTHS = re.compile(rf"{_NUM}\s*months?\b")
_WORD_INTERVALS = {
    "every other day": 48.0,
    "every two days": 48.0,
    "every 2 days": 48.0,
    "once a day": 24.0,
    "once per day": 24.0,
    "every day": 24.0,
    "daily": 24.0,
    "each day": 24.0,
}


def _num(text: str) -> float:
    return float(text.replace(",", "."))


def _range_values(m: re.Match[str]) -> list[float]:
    values = [_num(m.group(1))]
    if m.group(2):
        values.append(_num(m.group(2)))
    return values


def extract_facts(quote: str) -> list[Fact]:
    """Every normalised quantity in a quote; units converted to one per dimension."""
    facts: list[Fact] = []
    for m in _TEMPERATURE.finditer(quote):
        unit = m.group(3)
        for v in _range_values(m):
            celsius = (v - 32) * 5 / 9 if unit == "F" else v
            facts.append(Fact("temperature-c", round(celsius, 1), m.group(0)))
    for m in _MG_PER_KG.finditer(quote):
        facts.extend(Fact("dose-mg-per-kg", v, m.group(0)) for v in _range_values(m))
    for m in _MG.finditer(quote):
        facts.extend(Fact("dose-mg", v, m.group(0)) for v in _range_values(m))
    for m in _HOURS.finditer(quote):
        facts.append(Fact("hours", _num(m.group(1)), m.group(0)))
    for m in _MONTHS.finditer(quote):
        facts.append(Fact("months", _num(m.group(1)), m.group(0)))
    lowered = quote.lower()
    for phrase, hours in _WORD_INTERVALS.items():
        if re.search(rf"\b{re.escape(phrase)}\b", lowered):
            facts.append(Fact("interval-h", hours, phrase))
    return facts


def disagreements(a: list[Fact], b: list[Fact], tolerance: float = 0.1) -> list[tuple[Fact, Fact]]:
    """Dimensions on which two sources share no value at all, as one example pair each.

    Only dimensions both sides mention are compared: silence is not disagreement, and one
    source listing more values than another (a child's dose beside the adult's) is not either;
    two sources with no value in common for the same quantity are.
    """
    out: list[tuple[Fact, Fact]] = []
    dims = {f.dimension for f in a} & {f.dimension for f in b}
    for dim in sorted(dims):
        av = [f for f in a if f.dimension == dim]
        bv = [f for f in b if f.dimension == dim]
        if not any(_close(fa.value, fb.value, tolerance) for fa in av for fb in bv):
            out.append((av[0], bv[0]))
    return out


def _close(x: float, y: float, tolerance: float) -> bool:
    return abs(x - y) <= max(0.5, tolerance * max(abs(x), abs(y)))
