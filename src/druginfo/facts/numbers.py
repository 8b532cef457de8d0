"""Numbers as documents write them: digits, decimal commas, words ("two", "one and a half").

Every normaliser reads its quantities through here so that "2 to 8", "2-8", "two" and
"0,5" mean the same wherever they appear. A number this module cannot read is not read at all:
a missed value is a gap the check reports, a misread one is a wrong dose.
"""

from __future__ import annotations

import re

WORD_NUMBERS: dict[str, float] = {
    "a": 1,
    "an": 1,
    "one": 1,
    "single": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "eighteen": 18,
    "twenty": 20,
    "twenty-one": 21,
    "twenty-four": 24,
    "twenty-eight": 28,
    "thirty": 30,
    "forty": 40,
    "forty-eight": 48,
    "seventy-two": 72,
    "half": 0.5,
}

# Digits with an optional decimal part (point or comma) or thousands separators ("1,000").
DIGITS = r"\d{1,3}(?:,\d{3})+(?![\d,])|\d+(?:[.,]\d+)?|[.,]\d+"
# A number word; "a"/"an" are left out here (callers that accept "a day" say so themselves).
WORDS = (
    r"(?:twenty-one|twenty-four|twenty-eight|forty-eight|seventy-two|one|two|three|four|five"
    r"|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|eighteen"
    r"|twenty|thirty|forty)"
)
NUMBER = rf"(?:{DIGITS}|{WORDS}\b)"
# "2 to 8", "2-8", "2–8", "2 and 8" (after "between"), "20 or 40".
RANGE_SEP = r"\s*(?:-|–|—|to|and|or|up to)\s*"

_UNICODE_FRACTIONS = {"½": 0.5, "¼": 0.25, "¾": 0.75}


def parse_number(text: str) -> float | None:
    """One number written in digits or words; None for anything else."""
    t = text.strip().lower()
    if not t:
        return None
    if t in _UNICODE_FRACTIONS:
        return _UNICODE_FRACTIONS[t]
    if t in WORD_NUMBERS:
        return WORD_NUMBERS[t]
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", t):
        return float(t.replace(",", ""))
    if re.fullmatch(r"\d*[.,]\d+|\d+", t):
        return float(t.replace(",", "."))
    return None


def clean(value: float) -> float:
    """Round away binary noise (0.1 + 0.2) so that equal quantities compare equal."""
    return round(value, 4)
