"""How often and for how long: intervals in hours and course lengths in days.

One reading for every source: "once a week", "weekly", "every 7 days" and "every other week"
become 168, 168, 168 and 336 hours, so a daily-versus-weekly error is a number that differs.
A month is 730.5 hours (365.25 / 12 days); "biweekly", which means both twice a week and every
two weeks, is not read at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from druginfo.facts.numbers import NUMBER, clean, parse_number

UNIT_HOURS: dict[str, float] = {
    "hour": 1.0,
    "hr": 1.0,
    "h": 1.0,
    "day": 24.0,
    "night": 24.0,
    "week": 168.0,
    "fortnight": 336.0,
    "month": 730.5,
    "year": 8766.0,
}
_UNIT = r"(hours?|hrs?|days?|nights?|weeks?|fortnights?|months?|years?)"
_TIMES = r"(once|twice|thrice|(?:" + NUMBER + r")\s*(?:times|x))"
_ORDINAL = {"other": 2, "second": 2, "third": 3, "fourth": 4, "alternate": 2}


@dataclass(frozen=True)
class Interval:
    start: int
    end: int
    every_hours: float | None = None
    every_hours_max: float | None = None
    times_per_day: float | None = None
    as_needed: bool = False


def _unit_hours(word: str) -> float:
    w = word.lower().rstrip("s")
    return UNIT_HOURS["hr" if w == "hr" else w]


def _times(word: str) -> float | None:
    w = word.lower().strip()
    if w == "once":
        return 1.0
    if w == "twice":
        return 2.0
    if w == "thrice":
        return 3.0
    m = re.match(rf"({NUMBER})\s*(?:times|x)", w)
    return parse_number(m.group(1)) if m else None


_PATTERNS: tuple[tuple[str, str], ...] = (
    # every other day / every second week / on alternate days
    ("ordinal", r"\b(?:once\s+)?every\s+(other|second|third|fourth)\s+" + _UNIT + r"\b"),
    ("ordinal", r"\bon\s+(alternate)\s+" + _UNIT + r"\b"),
    # every 8 weeks / once every 2 weeks / every 4 to 6 hours / every 12 hours
    (
        "every_n",
        rf"\b(?:once\s+)?every\s+({NUMBER})(?:\s*(?:-|–|to|or)\s*({NUMBER}))?\s*" + _UNIT + r"\b",
    ),
    # once a day / twice a week / three times per day / 2 times daily
    ("times_per", rf"\b{_TIMES}\s+(?:a|per|each|every)\s+(day|week|month|fortnight|year)\b"),
    ("times_adverb", rf"\b{_TIMES}\s+(daily|weekly|monthly|nightly|yearly|annually)\b"),
    # every day / each week / every month / daily / weekly / monthly / fortnightly
    ("every_unit", r"\b(?:once\s+)?(?:every|each)\s+(day|night|week|fortnight|month|year)\b"),
    ("adverb", r"\b(daily|weekly|monthly|fortnightly|nightly|yearly|annually)\b"),
    ("adverb", r"\bonce\s+(?:a|per)\s+(day|week|month|year)\b"),
)
_COMPILED = tuple((kind, re.compile(p, re.IGNORECASE)) for kind, p in _PATTERNS)
_AS_NEEDED = re.compile(r"\b(?:as|when|if)\s+(?:needed|required)\b|\bp\.?r\.?n\.?\b", re.IGNORECASE)
_ADVERB_HOURS = {"daily": 24.0, "nightly": 24.0, "weekly": 168.0, "monthly": 730.5}
_ADVERB_HOURS["fortnightly"] = 336.0
_ADVERB_HOURS["yearly"] = _ADVERB_HOURS["annually"] = 8766.0


# "never every day", "instead of every day": an interval the text rules out.
_RULED_OUT = re.compile(
    r"\b(?:never|not|instead\s+of|rather\s+than|no\s+longer)\s+(?:\w+\s+)?$", re.IGNORECASE
)
# "at the same time every day": when in the day, not how often.
_TIME_OF_DAY = re.compile(r"\bsame\s+times?\s+(?:of\s+(?:the\s+)?day\s+)?$", re.IGNORECASE)


def find_intervals(text: str) -> list[Interval]:
    """Every interval named in `text`, in order, without overlaps (the longest reading wins);
    intervals the text rules out ("never every day") or that only say when in the day
    ("at the same time every day") are left out."""
    found: list[Interval] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _COMPILED:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            before = text[max(0, m.start() - 30) : m.start()]
            if _RULED_OUT.search(before) or _TIME_OF_DAY.search(before):
                taken.append((m.start(), m.end()))
                continue
            interval = _read(kind, m)
            if interval is None:
                continue
            found.append(interval)
            taken.append((m.start(), m.end()))
    for m in _AS_NEEDED.finditer(text):
        if not any(m.start() < e and s < m.end() for s, e in taken):
            found.append(Interval(m.start(), m.end(), as_needed=True))
    return sorted(found, key=lambda i: i.start)


def _read(kind: str, m: re.Match[str]) -> Interval | None:
    if kind == "ordinal":
        hours = _ORDINAL[m.group(1).lower()] * _unit_hours(m.group(2))
        return Interval(m.start(), m.end(), every_hours=clean(hours))
    if kind == "every_n":
        n = parse_number(m.group(1))
        if n is None or n <= 0:
            return None
        unit = _unit_hours(m.group(3))
        high = parse_number(m.group(2)) if m.group(2) else None
        return Interval(
            m.start(),
            m.end(),
            every_hours=clean(n * unit),
            every_hours_max=clean(high * unit) if high and high > n else None,
            times_per_day=clean(24 / (n * unit)) if unit < 24 else None,
        )
    if kind in ("times_per", "times_adverb"):
        times = _times(m.group(1))
        if not times:
            return None
        word = m.group(2).lower()
        unit = _ADVERB_HOURS.get(word) or _unit_hours(word)
        return Interval(
            m.start(),
            m.end(),
            every_hours=clean(unit / times),
            times_per_day=clean(times) if unit == 24.0 else None,
        )
    if kind == "every_unit":
        unit = _unit_hours(m.group(1))
        return Interval(
            m.start(), m.end(), every_hours=unit, times_per_day=1.0 if unit == 24 else None
        )
    if kind == "adverb":
        word = m.group(1).lower()
        unit = _ADVERB_HOURS.get(word) or _unit_hours(word)
        return Interval(
            m.start(), m.end(), every_hours=unit, times_per_day=1.0 if unit == 24 else None
        )
    return None


# --- course length and time limits -------------------------------------------------------------

# How a limit is qualified between "for" and the figure: "for a maximum period of 14 days",
# "for a single period of up to 6 months", "for no longer than 2 weeks", "for up to 4 weeks".
_LIMIT_WORDS = (
    r"(?:up\s+to(?:\s+a\s+maximum\s+of)?|not\s+(?:more|longer)\s+than|no\s+(?:more|longer)\s+than"
    r"|not\s+exceeding|a\s+maximum\s+of|maximum(?:\s+of)?|at\s+least|at\s+most|a\s+further"
    r"|another|a\s+total\s+of)"
)
_PERIOD = r"(?:(?:a|one)\s+)?(?:(?:single|maximum|total|further)\s+)*(?:period|time)\s+of\s+"
# "a" / "an" count as one only right before a unit ("for up to a month", "for a week").
_AMOUNT = rf"(?:({NUMBER})(?:\s*(?:-|–|to|or)\s*({NUMBER}))?|(an?))"
_DURATION = re.compile(
    rf"\b(?:for|over|during)\s+(?:{_PERIOD})?(?:{_LIMIT_WORDS}\s+)?(?:{_PERIOD})?"
    rf"(?:a\s+(?={NUMBER}))?{_AMOUNT}\s*(?:consecutive\s+)?"
    r"(hours?|days?|weeks?|months?)\b",
    re.IGNORECASE,
)
# The same length restated exactly in brackets: "for up to a month (31 days)".
_RESTATED = re.compile(rf"^\s*\(\s*({NUMBER})\s*(hours?|days?|weeks?|months?)\s*\)", re.I)
_WITHIN = re.compile(
    rf"\b(?:within|in\s+the\s+next|no\s+longer\s+than|not\s+(?:for\s+)?longer\s+than|"
    rf"up\s+to(?:\s+a\s+maximum\s+of)?|a\s+maximum\s+of|not\s+exceeding)\s+({NUMBER})\s*"
    r"(hours?|days?|weeks?|months?)\b",
    re.IGNORECASE,
)
_COURSE = re.compile(
    rf"\b({NUMBER})[-\s](?:day|week)s?\s+course\b|\bcourse\s+of\s+({NUMBER})\s*(days?|weeks?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    days: float


def find_durations(text: str) -> list[Span]:
    """'for 10 days', 'for up to 14 days', 'for a single period of up to 6 months' (days)."""
    out: list[Span] = []
    for m in _DURATION.finditer(text):
        n = 1.0 if m.group(3) else parse_number(m.group(1))
        if n is None or n <= 0:
            continue
        high = parse_number(m.group(2)) if m.group(2) else None
        value = high if high and high > n and re.search(r"up\s+to", m.group(0), re.I) else n
        days = value * _unit_hours(m.group(4)) / 24
        restated = _RESTATED.match(text[m.end() :])
        if restated:
            exact = parse_number(restated.group(1))
            if exact:
                days = exact * _unit_hours(restated.group(2)) / 24
        out.append(Span(m.start(), m.end(), clean(days)))
    for m in _COURSE.finditer(text):
        n = parse_number(m.group(1) or m.group(2))
        if n is None:
            continue
        unit = "day" if m.group(1) and "day" in m.group(0).lower() else (m.group(3) or "week")
        if m.group(1) and "week" in m.group(0).lower():
            unit = "week"
        out.append(Span(m.start(), m.end(), clean(n * _unit_hours(unit) / 24)))
    return sorted(out, key=lambda s: s.start)


def find_time_limits(text: str) -> list[Span]:
    """Time limits: course lengths plus 'within 72 hours', 'up to 14 days' (in days)."""
    out = find_durations(text)
    for m in _WITHIN.finditer(text):
        if any(s.start <= m.start() < s.end for s in out):
            continue
        n = parse_number(m.group(1))
        if n is None or n <= 0:
            continue
        out.append(Span(m.start(), m.end(), clean(n * _unit_hours(m.group(2)) / 24)))
    return sorted(out, key=lambda s: s.start)
