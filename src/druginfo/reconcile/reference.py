"""Statements that contradict reference data rather than another source.

A brand name set beside a substance ("infliximab (Enbrel)") is checked against the vocabulary,
whose brand lists are themselves cited; only exact name matches count, so an unknown or
misspelt word never produces an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from druginfo.vocab.base import NameMatch

Resolve = Callable[[str], NameMatch | None]

# "name (name)": the usual way a page pairs a substance with its brand, either way round.
_PAIR = re.compile(r"\b([A-Za-z][A-Za-z0-9-]{2,})\s*\(\s*([A-Za-z][A-Za-z0-9-]{2,})\s*\)")


@dataclass(frozen=True)
class BrandMismatch:
    written: str  # the words as they stand: "infliximab (Enbrel)"
    brand: str
    said_to_be: str
    actually: str


def brand_mismatches(quote: str, resolve: Resolve) -> list[BrandMismatch]:
    """Brand names the quote attaches to a substance the vocabulary says they are not."""
    out: list[BrandMismatch] = []
    for m in _PAIR.finditer(quote):
        left, right = m.group(1), m.group(2)
        ml, mr = _exact(left, resolve), _exact(right, resolve)
        if ml is None or mr is None or ml.key == mr.key:
            continue
        if _is_brand(mr) and not _is_brand(ml):
            brand, brand_match, substance = right, mr, ml.key
        elif _is_brand(ml) and not _is_brand(mr):
            brand, brand_match, substance = left, ml, mr.key
        else:
            continue
        out.append(BrandMismatch(m.group(0), brand, substance, brand_match.key))
    return out


def _exact(word: str, resolve: Resolve) -> NameMatch | None:
    match = resolve(word)
    if match is None or not match.exact or match.matched.casefold() != word.casefold():
        return None
    return match


def _is_brand(match: NameMatch) -> bool:
    return match.matched.casefold() != match.key.casefold()
