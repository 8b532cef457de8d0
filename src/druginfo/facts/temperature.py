"""Temperatures in °C whatever the document used: ranges, limits, and the fridge.

"2 °C to 8 °C", "2-8°C", "36°F to 46°F", "between 2 and 8 degrees Celsius", "below 25 °C",
"(2 C to 8 C)" (a degree sign lost in conversion) all become bounds in °C. When a document
gives both scales ("2°C to 8°C (36°F to 46°F)") the Celsius figures are the ones kept; only a
text in Fahrenheit alone is converted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from druginfo.facts.numbers import clean, parse_number

_N = r"([-−–]?\d+(?:[.,]\d+)?)"
_DEG = r"(?:\s*(?:°|º|˚|degrees?)\s*)"
_SCALE = r"(celsius|centigrade|fahrenheit|c|f)\b"
_SEP = r"\s*(?:-|–|—|to|and)\s*"

_RANGE = re.compile(rf"{_N}{_DEG}?(?:{_SCALE})?{_SEP}{_N}{_DEG}{_SCALE}", re.IGNORECASE)
# Degree sign lost: both ends need their scale letter ("2 C to 8 C").
_RANGE_BARE = re.compile(rf"{_N}\s*([CF])\b{_SEP}{_N}\s*([CF])\b")
_SINGLE = re.compile(rf"{_N}{_DEG}{_SCALE}", re.IGNORECASE)
# Degree sign lost, single value: only after a limit word ("up to 25 C").
_SINGLE_BARE = re.compile(rf"{_N}\s*([CF])\b(?![-\w])")

_MAX_WORDS = re.compile(
    r"(?:below|under|up\s+to|not\s+above|no\s+(?:higher|warmer)\s+than|not\s+exceeding|"
    r"less\s+than|at\s+or\s+below|maximum(?:\s+of)?|max\.?|do\s+not\s+store\s+above|"
    r"not\s+(?:to\s+)?exceed|≤|<)\s*$",
    re.IGNORECASE,
)
_MIN_WORDS = re.compile(
    r"(?:above|over|at\s+least|not\s+below|no\s+(?:lower|colder)\s+than|more\s+than|"
    r"minimum(?:\s+of)?|do\s+not\s+store\s+below|≥|>)\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Temperature:
    start: int
    end: int
    min_c: float | None
    max_c: float | None
    scale: str  # "C" or "F" as written


def _num(text: str) -> float | None:
    return parse_number(text.replace("−", "-").replace("–", "-").lstrip("+"))


def _to_c(value: float, scale: str) -> float:
    return clean(round((value - 32) * 5 / 9, 1)) if scale == "F" else value


def _scale(word: str | None) -> str | None:
    if not word:
        return None
    return "F" if word.lower().startswith("f") else "C"


def find_temperatures(text: str) -> list[Temperature]:
    """Every temperature of a text, in order; Fahrenheit ones dropped when Celsius is given."""
    found: list[Temperature] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, low: float | None, high: float | None, scale: str) -> None:
        found.append(Temperature(start, end, low, high, scale))
        taken.append((start, end))

    for pattern in (_RANGE, _RANGE_BARE):
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            scale = _scale(m.group(4)) or "C"
            first_scale = _scale(m.group(2)) or scale
            if first_scale != scale:
                continue
            low, high = _num(m.group(1)), _num(m.group(3))
            if low is None or high is None or high < low:
                continue
            add(m.start(), m.end(), _to_c(low, scale), _to_c(high, scale), scale)
    for m in _SINGLE.finditer(text):
        if any(m.start() < e and s < m.end() for s, e in taken):
            continue
        value = _num(m.group(1))
        scale = _scale(m.group(2)) or "C"
        if value is None:
            continue
        before = text[max(0, m.start() - 40) : m.start()]
        c = _to_c(value, scale)
        if _MAX_WORDS.search(before):
            add(m.start(), m.end(), None, c, scale)
        elif _MIN_WORDS.search(before):
            add(m.start(), m.end(), c, None, scale)
        else:
            add(m.start(), m.end(), c, c, scale)
    for m in _SINGLE_BARE.finditer(text):
        if any(m.start() < e and s < m.end() for s, e in taken):
            continue
        value = _num(m.group(1))
        before = text[max(0, m.start() - 40) : m.start()]
        if value is None:
            continue
        c = _to_c(value, m.group(2))
        if _MAX_WORDS.search(before):
            add(m.start(), m.end(), None, c, m.group(2))
        elif _MIN_WORDS.search(before):
            add(m.start(), m.end(), c, None, m.group(2))
    if any(t.scale == "C" for t in found):
        found = [t for t in found if t.scale == "C"]
    return sorted(found, key=lambda t: t.start)
