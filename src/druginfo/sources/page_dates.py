"""When a page was last reviewed, updated or revised, from the lines that say so.

Sites put the date in the header or the footer, in many forms: "Last updated: March 3, 2025",
"Page last reviewed: 14 January 2025", "Revised: 2024-11-02", "Medically reviewed ... on
12/15/2014". The newest such date is the page's date; "Next review due" is a plan, not a
review, and a copyright year is not a date. A numeric date whose day and month could be either
way round (05/11/2024) is read only when the page's language says which (en-GB: day first,
en-US: month first); otherwise it is not read at all.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

_MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for m in names
}
_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_STAMP = re.compile(
    r"\b(?:(?:medically\s+|last\s+|page\s+last\s+|information\s+last\s+|content\s+)?"
    r"(?:reviewed|updated|revised|modified)|last\s+(?:review|update|revision)|"
    r"(?:date\s+of\s+)?revision|review\s+date|updated\s+on|revised\s+on)\b",
    re.IGNORECASE,
)
_NOT_A_REVIEW = re.compile(r"\bnext\s+review\b|\breview\s+due\b|\bdue\s+for\s+review\b", re.I)
_DATE_FORMS = (
    ("mdy", re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)),
    ("dmy", re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH}\s+(\d{{4}})\b", re.I)),
    ("iso", re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")),
    ("iso", re.compile(r"\b(\d{4})/(\d{1,2})/(\d{1,2})\b")),
    ("num", re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")),
    ("my", re.compile(rf"\b{_MONTH}\s+(\d{{4}})\b", re.I)),
)


def _safe(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def is_stamp(text: str) -> bool:
    """The text names a review, update or revision (or a next review)."""
    return bool(_STAMP.search(text))


def read_dates(text: str, *, day_first: bool | None = None) -> list[dt.date]:
    """Every date written in `text`, in the forms sites use."""
    found: list[tuple[int, dt.date]] = []
    taken: list[tuple[int, int]] = []
    for form, pattern in _DATE_FORMS:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            date: dt.date | None = None
            if form == "mdy":
                date = _safe(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))
            elif form == "dmy":
                date = _safe(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))
            elif form == "iso":
                date = _safe(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            elif form == "num":
                a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
                if a > 12 >= b:
                    date = _safe(year, b, a)
                elif b > 12 >= a or a == b:
                    date = _safe(year, a, b)
                elif day_first is not None:
                    date = _safe(year, b, a) if day_first else _safe(year, a, b)
            elif form == "my":
                # A month without a day ("Revised: March 2024") is dated to its first day.
                date = _safe(int(m.group(2)), _MONTHS[m.group(1).lower()], 1)
            if date is not None and 1900 < date.year < 2200:
                found.append((m.start(), date))
                taken.append((m.start(), m.end()))
    return [d for _, d in sorted(found)]


def page_date(
    lines: Iterable[str], *, meta: Iterable[str] = (), language: str | None = None
) -> dt.date | None:
    """The newest reviewed/updated/revised date the page states, else its metadata's."""
    day_first = None
    if language:
        lang = language.lower()
        if lang in ("en-us", "en_us"):
            day_first = False
        elif lang.startswith("en-") or lang.startswith("en_"):
            day_first = True
    best: dt.date | None = None
    for line in lines:
        for stamp in _STAMP.finditer(line):
            before = line[max(0, stamp.start() - 12) : stamp.start()].lower()
            if "next" in before or "due" in line[stamp.end() : stamp.end() + 6].lower():
                continue  # "Next review due": a plan, not a review
            # The date follows the stamp ("Reviewed ... on May 26, 2015"), before any
            # "Next review" that shares the line.
            tail = line[stamp.end() : stamp.end() + 160]
            cut = _NOT_A_REVIEW.search(tail)
            if cut:
                tail = tail[: cut.start()]
            for date in read_dates(tail, day_first=day_first)[:1]:
                if best is None or date > best:
                    best = date
    if best is not None:
        return best
    for value in meta:
        iso = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", value)
        if iso:
            meta_date = _safe(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
            if meta_date is not None and (best is None or meta_date > best):
                best = meta_date
    return best
