"""Reading allergy lines: the medicine itself (any of its names, misspelt ones included), the
other ingredients of its products (leaflet section 6), and allergen classes such as medicines
made in E. coli — each written the many ways people write them ("E.coli", "Ecoli", "Kinneret").

Classes are data (`data/vocab/allergens.yaml`), every member with the quoted words that make it
one; this module only matches.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml
from rapidfuzz import fuzz

from druginfo.model import Source, SourceKind

# Misspellings are accepted for names of at least this length, at this similarity (0–100).
FUZZY_MIN_LENGTH = 6
FUZZY_SCORE = 85
_NON_WORD = re.compile(r"[\W_]+")


def words(text: str) -> list[str]:
    return list(_words(text))


@functools.lru_cache(maxsize=16384)
def _words(text: str) -> tuple[str, ...]:
    return tuple(_NON_WORD.sub(" ", text.lower()).split())


def _grams(tokens: list[str], n: int) -> Iterable[tuple[int, list[str]]]:
    for i in range(len(tokens) - n + 1):
        yield i, tokens[i : i + n]


@functools.lru_cache(maxsize=32768)
def names_in(line: str, name: str, fuzzy: bool = True) -> bool:
    """Whether `name` is written in `line`: as words, run together ("ecoli" for "e coli"), or
    (for long names) misspelt by a letter or two ("Kinneret")."""
    target = list(_words(name))
    if not target:
        return False
    tokens = list(_words(line))
    compact = "".join(target)
    for n in range(1, len(target) + 2):
        for _, gram in _grams(tokens, n):
            if gram == target or "".join(gram) == compact:
                return True
    if fuzzy and len(compact) >= FUZZY_MIN_LENGTH:
        for n in range(1, len(target) + 1):
            for _, gram in _grams(tokens, n):
                joined = "".join(gram)
                if (
                    abs(len(joined) - len(compact)) <= 2
                    and fuzz.ratio(joined, compact) >= FUZZY_SCORE
                ):
                    return True
    return False


@dataclass(frozen=True)
class Member:
    key: str
    names: tuple[str, ...]
    source: Source
    quote: str


@dataclass(frozen=True)
class AllergenClass:
    id: str
    name: str
    terms: tuple[str, ...]
    members: tuple[Member, ...]

    def match(self, line: str) -> tuple[str, Member | None] | None:
        """(what matched, the member it belongs to or None for the class's own terms)."""
        for term in self.terms:
            if names_in(line, term, fuzzy=False):
                return term, None
        for member in self.members:
            for name in member.names:
                if names_in(line, name):
                    return name, member
        return None


@functools.cache
def allergen_classes() -> dict[str, AllergenClass]:
    text = resources.files("druginfo").joinpath("data", "vocab", "allergens.yaml")
    data: dict[str, Any] = yaml.safe_load(text.read_text(encoding="utf-8"))
    sources = {
        s["id"]: Source(
            id=s["id"],
            publisher=s["publisher"],
            document=s["document"],
            kind=SourceKind(s.get("kind", "label")),
            reference=s.get("reference"),
            acknowledgement=s.get("acknowledgement"),
        )
        for s in data["sources"]
    }
    out = {}
    for c in data["classes"]:
        members = tuple(
            Member(
                key=m["key"],
                names=tuple(m["names"]),
                source=sources[m["source"]],
                quote=" ".join(str(m["quote"]).split()),
            )
            for m in c["members"]
        )
        out[c["id"]] = AllergenClass(c["id"], c["name"], tuple(c["terms"]), members)
    return out
