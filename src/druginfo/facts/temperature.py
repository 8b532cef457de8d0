"""Temperatures in °C whatever the document used: ranges, limits, and the fridge.

"2 °C to 8 °C", "2-8°C", "36°F to 46°F", "between 2 and 8 degrees Celsius", "below 25 °C",
"(2 C to 8 C)" (a degree sign lost in conversion) all become bounds in °C. When a document
gives both scales ("2°C to 8°C (36°F to 46°F)") the Celsius figures are the ones kept; only a
text in Fahrenheit alone is converted.

EU leaflets converted to text lose more than the degree sign: "2 °C – 8 °C" arrives as
"2 C 8 C" and "room temperature (≤ 25 °C)" as "room temperature ( 25 C)". These are read only
where the shape admits one reading: a bare range needs both scale letters and a rising pair of
plausible temperatures; a lost comparison sign is read as a ceiling only after "room
temperature" (room temperature is an upper limit by definition), never elsewhere ("fever
( 38 C)" lost a "≥").
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
_RANGE_BARE = re.compile(rf"(?<![\w.,]){_N}\s*([CF])\b{_SEP}{_N}\s*([CF])\b")
# The dash lost too ("2 C 8 C"): only inside brackets or after "at" / "between" / "from",
# where nothing but a range stands ("grade 3 C 4 C" is no temperature).
_RANGE_SPACED = re.compile(rf"(?:\(\s*|\b(?i:at|between|from)\s+){_N}\s*(C)\b\s+{_N}\s*(C)\b")
# Degree sign lost, scale letter only after the second figure: "at 2 to 8 C", "2-8 C".
_RANGE_BARE_TAIL = re.compile(rf"(?<![\w.,]){_N}\s*(?:-|–|—|to)\s*{_N}\s*(C)\b(?![-\w])")
# "room temperature ( 25 C)": a comparison sign lost between the bracket and the figure.
_ROOM_LOST_SIGN = re.compile(
    rf"\broom\s+temperature\s*\(\s+{_N}\s*(?:{_DEG})?(C)\b\s*\)", re.IGNORECASE
)
# A limit word after the figure: "-20 °C or below", "25 °C or less".
_MAX_AFTER = re.compile(r"^\s*(?:or|and)\s+(?:below|lower|less|colder|under)\b", re.I)
_MIN_AFTER = re.compile(r"^\s*(?:or|and)\s+(?:above|higher|more|warmer|over)\b", re.I)
# Temperatures a medicine is kept at; a bare pair outside these is not read as one.
_PLAUSIBLE_C = (-90.0, 60.0)
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
    t = text.replace("−", "-").replace("–", "-").lstrip("+")
    if t.startswith("-"):
        value = parse_number(t[1:])
        return -value if value is not None else None
    return parse_number(t)


def _plausible(*values: float) -> bool:
    return all(_PLAUSIBLE_C[0] <= v <= _PLAUSIBLE_C[1] for v in values)


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

    for pattern in (_RANGE, _RANGE_BARE, _RANGE_SPACED):
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
            low_c, high_c = _to_c(low, scale), _to_c(high, scale)
            if pattern is not _RANGE and not (low < high and _plausible(low_c, high_c)):
                continue  # "5 C 3 C" is no range a leaflet writes
            add(m.start(), m.end(), low_c, high_c, scale)
    for m in _RANGE_BARE_TAIL.finditer(text):
        if any(m.start() < e and s < m.end() for s, e in taken):
            continue
        low, high = _num(m.group(1)), _num(m.group(2))
        if low is None or high is None or not (low < high and _plausible(low, high)):
            continue
        add(m.start(), m.end(), low, high, "C")
    for m in _ROOM_LOST_SIGN.finditer(text):
        value = _num(m.group(1))
        span = (m.start(1), m.end())
        if value is None or not _plausible(value):
            continue
        if any(span[0] < e and s < span[1] for s, e in taken):
            continue
        add(span[0], span[1], None, value, "C")
    for m in _SINGLE.finditer(text):
        if any(m.start() < e and s < m.end() for s, e in taken):
            continue
        value = _num(m.group(1))
        scale = _scale(m.group(2)) or "C"
        if value is None:
            continue
        before = text[max(0, m.start() - 40) : m.start()]
        after = text[m.end() : m.end() + 20]
        c = _to_c(value, scale)
        if _MAX_WORDS.search(before) or _MAX_AFTER.search(after):
            add(m.start(), m.end(), None, c, scale)
        elif _MIN_WORDS.search(before) or _MIN_AFTER.search(after):
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
