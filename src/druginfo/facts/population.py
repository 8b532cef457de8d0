"""Who a statement is for: age and weight bands, kidney function, adults.

Upper bounds are exclusive, as in `Population`: "2 to 17 years" covers 17-year-olds, so its
upper bound is 18; "less than 30 kg" is 30. Weights are continuous, so "10 to 30 kg" keeps 30.
A band this module cannot read leaves the field empty rather than widening or narrowing it.
"""

from __future__ import annotations

import re

from druginfo.facts.numbers import NUMBER, clean, parse_number
from druginfo.model.facts import Population

_AGE_UNIT = r"(years?|yrs?|months?|weeks?)(?:\s+(?:old|of\s+age))?"
_LESS = r"(?:less\s+than|under|below|younger\s+than|up\s+to\s+but\s+not\s+including|<)"
_MORE = r"(?:more\s+than|over|above|older\s+than|at\s+least|greater\s+than|≥|>=|>)"
_KG = r"(?:kg|kilograms?)(?!\s*/)"  # "kg" of a weight, never "mg/kg"


def _years(value: float, unit: str) -> float:
    u = unit.lower()
    if u.startswith("month"):
        return clean(value / 12)
    if u.startswith("week"):
        return clean(value / 52)
    return value


_AGE_RANGE = re.compile(
    rf"\b(?:aged\s+|ages\s+|from\s+|between\s+)?({NUMBER})\s*(?:{_AGE_UNIT})?\s*"
    rf"(?:-|–|to|and)\s*({_LESS}\s*)?({NUMBER})\s*{_AGE_UNIT}",
    re.IGNORECASE,
)
_AGE_MIN = re.compile(
    rf"(?:\b{_MORE}\s*({NUMBER})\s*{_AGE_UNIT}|\b({NUMBER})\s*{_AGE_UNIT}\s*"
    rf"(?:and|or)\s*(?:older|over|above|up|more)|\baged?\s+({NUMBER})\s*(?:and|or)\s*"
    rf"(?:older|over|above))",
    re.IGNORECASE,
)
_AGE_FROM = re.compile(
    rf"\b(?:from|aged|from\s+the\s+age\s+of)\s+({NUMBER})\s*{_AGE_UNIT}(?!\s*(?:-|–|to|and)\s*\d)",
    re.IGNORECASE,
)
_AGE_MAX = re.compile(rf"\b{_LESS}\s*(?:the\s+age\s+of\s+)?({NUMBER})\s*{_AGE_UNIT}", re.I)
_WEIGHT_RANGE = re.compile(
    rf"\b({NUMBER})\s*(?:{_KG})?\s*(?:-|–|to|and)\s*({_LESS}\s*)?({NUMBER})\s*{_KG}",
    re.IGNORECASE,
)
_WEIGHT_MIN = re.compile(
    rf"(?:\b{_MORE}\s*({NUMBER})\s*{_KG}|\b({NUMBER})\s*{_KG}\s*(?:and|or)\s*"
    rf"(?:more|over|above|heavier|greater)|\bweighing\s+({NUMBER})\s*{_KG}(?!\s*(?:-|–|to|and|or)))",
    re.IGNORECASE,
)
_WEIGHT_MAX = re.compile(rf"(?<![\d.,])\b{_LESS}\s*({NUMBER})\s*{_KG}", re.IGNORECASE)
_CRCL = re.compile(
    rf"\b(?:creatinine\s+clearance|CrCl|CLcr|eGFR|GFR)\b[^.;]{{0,40}}?"
    rf"(?:{_LESS}|≤|<=)\s*({NUMBER})\s*(?:ml|mL)\s*/\s*min",
    re.IGNORECASE,
)
_ADULTS = re.compile(r"\badults?\b(?!-onset|\s+onset)", re.IGNORECASE)
_YOUNG = re.compile(r"\b(?:child|children|adolescents?|infants?|paediatric|pediatric)\b", re.I)


def read_population(text: str) -> Population | None:
    """The population bands a piece of text states, or None when it states none."""
    fields: dict[str, float] = {}
    taken: list[tuple[int, int]] = []

    def free(m: re.Match[str]) -> bool:
        return not any(m.start() < e and s < m.end() for s, e in taken)

    for m in _WEIGHT_RANGE.finditer(text):
        low, high = parse_number(m.group(1)), parse_number(m.group(3))
        if low is None or high is None or high <= low:
            continue
        fields.setdefault("weight_min_kg", low)
        fields.setdefault("weight_max_kg", high)
        taken.append((m.start(), m.end()))
    for m in _WEIGHT_MIN.finditer(text):
        if not free(m):
            continue
        value = parse_number(m.group(1) or m.group(2) or m.group(3))
        if value is not None:
            fields.setdefault("weight_min_kg", value)
            taken.append((m.start(), m.end()))
    for m in _WEIGHT_MAX.finditer(text):
        if not free(m):
            continue
        value = parse_number(m.group(1))
        if value is not None:
            fields.setdefault("weight_max_kg", value)
            taken.append((m.start(), m.end()))
    for m in _AGE_RANGE.finditer(text):
        if not free(m):
            continue
        low, high = parse_number(m.group(1)), parse_number(m.group(4))
        unit = m.group(5)
        if low is None or high is None or high <= low:
            continue
        low = _years(low, m.group(2) if m.group(2) and not m.group(3) else unit)
        exclusive = bool(m.group(3))
        fields.setdefault("age_min_years", low)
        fields.setdefault("age_max_years", _years(high if exclusive else high + 1, unit))
        taken.append((m.start(), m.end()))
    for m in _AGE_MIN.finditer(text):
        if not free(m):
            continue
        if m.group(1):
            value, unit = parse_number(m.group(1)), m.group(2)
        elif m.group(3):
            value, unit = parse_number(m.group(3)), m.group(4)
        else:
            value, unit = parse_number(m.group(5)), "years"
        if value is not None:
            fields.setdefault("age_min_years", _years(value, unit))
            taken.append((m.start(), m.end()))
    for m in _AGE_FROM.finditer(text):
        if not free(m):
            continue
        value = parse_number(m.group(1))
        if value is not None:
            fields.setdefault("age_min_years", _years(value, m.group(2)))
            taken.append((m.start(), m.end()))
    for m in _AGE_MAX.finditer(text):
        if not free(m):
            continue
        value = parse_number(m.group(1))
        if value is not None:
            fields.setdefault("age_max_years", _years(value, m.group(2)))
            taken.append((m.start(), m.end()))
    if "age_min_years" not in fields and _ADULTS.search(text) and not _YOUNG.search(text):
        fields["age_min_years"] = 18.0
    crcl = _CRCL.search(text)
    if crcl:
        value = parse_number(crcl.group(1))
        if value is not None:
            fields["crcl_below_ml_min"] = value
    if not fields:
        return None
    return Population(**fields)


def names_adults(text: str) -> bool:
    return bool(_ADULTS.search(text))


def young_only(text: str) -> bool:
    """Text (a heading such as 'Use in children and adolescents', or a sentence) naming only
    the young, with no age of its own: in EU product information the paediatric population is
    under 18, so a dose given there is not an adult's dose."""
    return bool(_YOUNG.search(text)) and not _ADULTS.search(text)


def merge(outer: Population | None, inner: Population | None) -> Population | None:
    """A statement's own bands over its heading's: the inner text says more precisely."""
    if outer is None:
        return inner
    if inner is None:
        return outer
    data = outer.model_dump(exclude_none=True)
    data.update(inner.model_dump(exclude_none=True))
    return Population(**data)
