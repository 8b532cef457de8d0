"""What a fact is about: the key that lines up facts of different documents on the same thing.

Facts are compared only when they answer the same question — the adult maintenance dose for
rheumatoid arthritis, the storage range, the time out of the fridge, the stance in pregnancy,
one indication, one interaction partner. Everything that narrows the question (indication, age
and weight band, kidney band, phase, how the dose is expressed) is part of the key, so a
child's per-kilogram dose is never held against an adult's fixed dose.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from druginfo.model.facts import Fact, Population

ADULT_AGE = 16.0

# Words that qualify a condition without changing which condition it is.
_QUALIFIERS = re.compile(
    r"\b(the treatment of|treatment of|treat|to treat|signs and symptoms of|adults? with|"
    r"patients with|people with|children with|moderately to severely|moderately|severely|"
    r"moderate to severe|moderate|severe|active|adult|adults|chronic|in combination with "
    r"methotrexate|disease activity)\b"
)


# "rheumatoid arthritis (RA)": a parenthesised capitalised short form after its long form
_ABBREVIATION = re.compile(r"\(([A-Z][A-Za-z-]{1,9})\)")


@dataclass(frozen=True)
class Key:
    """Topic plus the parts that narrow it; `unstated` marks a dose that names no indication."""

    topic: str
    parts: tuple[str, ...] = ()

    @property
    def slug(self) -> str:
        words = [self.topic, *(p for p in self.parts if p)]
        return re.sub(r"[^0-9a-z]+", "-", " ".join(words).casefold()).strip("-")


class ConditionNames:
    """Condition names reduced so that different wordings of one condition meet.

    Abbreviations are learnt from the documents themselves ("rheumatoid arthritis (RA)") and
    from any synonyms the caller knows (a curated monograph's indications)."""

    def __init__(self, synonyms: Mapping[str, Iterable[str]] | None = None) -> None:
        self._alias: dict[str, str] = {}
        for name, others in (synonyms or {}).items():
            canonical = self._plain(name)
            for other in [name, *others]:
                self._alias.setdefault(self._plain(other), canonical)

    def learn(self, text: str) -> None:
        """Take 'long name (ABBR)' as saying ABBR means the long name: the words just before
        the brackets whose initials spell it (hyphenated words count each part)."""
        for m in _ABBREVIATION.finditer(text):
            letters = m.group(1).replace("-", "").casefold()
            before = re.findall(r"[A-Za-z']+", text[max(0, m.start() - 160) : m.start()])
            for n in range(1, min(len(before), 10) + 1):
                initials = "".join(w[0] for w in before[-n:]).casefold()
                if initials == letters:
                    long_, short = self._plain(" ".join(before[-n:])), self._plain(m.group(1))
                    if long_ and short and short not in self._alias:
                        self._alias[short] = self._alias.get(long_, long_)
                    break

    def norm(self, text: str | None) -> str:
        if not text:
            return ""
        plain = self._plain(text)
        return self._alias.get(plain, plain)

    @staticmethod
    def _plain(text: str) -> str:
        t = text.casefold().replace("'s", "s").replace("’s", "s")
        t = re.sub(r"\([^)]*\)", " ", t)
        t = _QUALIFIERS.sub(" ", t)
        t = re.sub(r"[^0-9a-z]+", " ", t)
        return " ".join(w for w in t.split() if w not in ("a", "an", "of", "in", "and", "the"))


def _num(x: float | None) -> str:
    if x is None:
        return ""
    return f"{round(x, 2):g}"


def population_band(p: Population | None) -> str:
    """Age, weight, kidney and co-medication bounds in words ('adult' when none narrows it)."""
    if p is None:
        return "adult"
    parts: list[str] = []
    lo, hi = p.age_min_years, p.age_max_years
    if hi is not None and hi <= ADULT_AGE + 2:
        parts.append(f"age {_num(lo) or '0'}-{_num(hi)}")
    elif lo is not None and lo < ADULT_AGE:
        parts.append(f"age {_num(lo)}+" if hi is None else f"age {_num(lo)}-{_num(hi)}")
    elif hi is not None:
        parts.append(f"age <{_num(hi)}")
    else:
        parts.append("adult")
    lo_kg, hi_kg = p.weight_min_kg, p.weight_max_kg
    if lo_kg is not None and hi_kg is not None:
        parts.append(f"weight {_num(lo_kg)}-{_num(hi_kg)} kg")
    elif lo_kg is not None:
        parts.append(f"weight ≥{_num(lo_kg)} kg")
    elif hi_kg is not None:
        parts.append(f"weight <{_num(hi_kg)} kg")
    if p.crcl_below_ml_min is not None:
        parts.append(f"CrCl <{_num(p.crcl_below_ml_min)}")
    if p.with_medicine:
        parts.append(f"with {p.with_medicine.casefold()}")
    return ", ".join(parts)


def dose_basis(f: Fact) -> str:
    if f.dose_mg_per_kg is not None or f.max_dose_mg_per_kg is not None:
        return "per-kg"
    if f.dose_mg_per_m2 is not None:
        return "per-m2"
    if f.dose_units is not None:
        return "units"
    return "fixed"


def key_of(f: Fact, names: ConditionNames) -> Key:
    """The alignment key of one fact (the indication of a dose stays '' when not stated)."""
    t = f.topic
    if t == "dose":
        p = f.population
        return Key(
            t,
            (
                names.norm(p.indication if p else None),
                population_band(p),
                f.phase or "maintenance",
                dose_basis(f),
            ),
        )
    if t == "kidney":
        return Key(t, (names.norm(f.population.indication if f.population else None),))
    if t in ("interaction", "vaccine"):
        return Key(t, ((f.class_ or (f.with_ or "").casefold() or f.quote[:40].casefold()),))
    if t in ("indication", "contraindication"):
        return Key(t, (names.norm(f.condition or f.allergy or f.quote),))
    if t == "allergy":
        return Key(t, (names.norm(f.allergy or f.condition or f.quote),))
    if t == "age-limit":
        return Key(t, (names.norm(f.condition),))
    return Key(t)


_TOPIC_WORDS = {
    "storage": "storage range",
    "room-temperature": "time out of the fridge",
    "missed-dose": "missed dose",
    "pregnancy": "pregnancy",
    "breastfeeding": "breastfeeding",
    "kidney": "kidney dosing",
}


def subject(key: Key) -> str:
    """The key in words, for people."""
    t, parts = key.topic, key.parts
    if t == "dose":
        indication, band, phase, basis = parts
        words = f"{band} {'loading ' if phase == 'loading' else ''}dose"
        if basis != "fixed":
            words += f" ({basis})"
        return f"{words} — {indication or 'indication not stated'}"
    if t == "kidney":
        return "kidney dosing" + (f" — {parts[0]}" if parts and parts[0] else "")
    if t in ("interaction", "vaccine", "indication", "contraindication", "allergy", "age-limit"):
        return f"{t}: {parts[0]}" if parts and parts[0] else t
    return _TOPIC_WORDS.get(t, t)
