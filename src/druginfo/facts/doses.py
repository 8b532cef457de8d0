"""Dose amounts in one unit per kind: mg (from mcg, g, "milligrams (mg)"), mg/kg, mg/m², units.

An amount is a dose only where the text gives one: product strengths ("each syringe contains
100 mg"), concentrations ("100 mg/mL") and excipients ("less than 1 mmol sodium (23 mg)") are
not doses and are left out here, because a strength read as a dose is a wrong dose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from druginfo.facts.numbers import NUMBER, clean, parse_number

AmountKind = Literal["mg", "mg_per_kg", "mg_per_m2", "units"]

_SUFFIX = r"(?:\s*\(\s*(?:mg|mcg|µg|μg|g|IU|U)\s*\))?"
_MG = r"(?:milligrams?|milligrammes?|mg)"
_MCG = r"(?:micrograms?|microgrammes?|mcg|µg|μg)"
_G = r"(?:grams?|grammes?|gm|g)"
_UNITS = r"(?:international\s+units?|units?|IU)"
_MASS = rf"(?P<unit>(?:{_MG}|{_MCG}|{_G}|{_UNITS}){_SUFFIX})(?![A-Za-z])"
_PER_KG = (
    r"(?P<kg>\s*(?:/|per|a|for\s+each|each)\s*(?:kg|kilograms?)(?:\s*\(\s*mg\s*/\s*kg\s*\))?"
    r"(?:\s+(?:of\s+)?(?:body\s*weight|bodyweight))?)"
)
_PER_M2 = (
    r"(?P<m2>\s*(?:/|per)\s*(?:m2|m²|m\^2|square\s+met(?:re|er)s?)"
    r"(?:\s+(?:of\s+)?body\s+surface\s+area)?)"
)
_PER_DAY = r"(?P<day>\s*(?:/|per|a|each)\s*day\b)"
_AMOUNT = re.compile(
    rf"(?:(?<=[A-Za-z]{{3}})|(?<![\w.,]))(?P<low>{NUMBER})(?:\s*{_MASS.replace('(?P<unit>', '(?P<unit1>')})?"
    rf"(?:\s*(?:-|–|to|or)\s*(?P<high>{NUMBER}))?\s*{_MASS}"
    rf"(?:{_PER_KG}|{_PER_M2})?{_PER_DAY}?",
    re.IGNORECASE,
)
# "50 IU of Esperoct per kg body weight": the weight unit comes a few words after the amount.
# Missing it would turn a per-kg dose into a fixed one, the most dangerous misreading there is.
_PER_KG_LATER = re.compile(
    r"^\s*(?:of\s+)?(?:[A-Za-z][\w-]*\s+){0,3}?(?:/|per|for\s+each|each)\s*"
    r"(?:kg|kilograms?)\b",
    re.IGNORECASE,
)
# What follows an amount that makes it a concentration or strength, not a dose.
_CONCENTRATION = re.compile(
    r"^\s*(?:/|per|in(?:\s+each)?|in\s+every)\s*(?:\d+(?:[.,]\d+)?\s*)?(?:ml|mL|millilit|dl\b|"
    r"decilit|l\b|"
    r"litre|liter|tablet|capsule|vial|dose\s+of\s+solution|actuation|spray|puff|drop)",
    re.IGNORECASE,
)
_NOT_DOSE_BEFORE = re.compile(
    r"(?:\b(?:contains?|containing|strengths?|sodium|potassium|alcohol|ethanol|sugar|sucrose|"
    r"sorbitol|lactose|glucose|equivalent\s+to|equals|available\s+(?:as|in)|comes?\s+(?:as|in)|"
    r"supplied\s+(?:as|in)|packs?\s+of|each\s+(?:pre-?filled\s+)?(?:syringe|pen|vial|tablet|"
    r"capsule|ml|sachet|cartridge|ampoule))\b[^.;:]{0,40}$)",
    re.IGNORECASE,
)
# "two tablets of Apixaban 5 mg": the dose is the count times the strength.
_COUNT_BEFORE = re.compile(
    rf"\b({NUMBER}|one|a|an|half\s+a)\s+(?:film-coated\s+)?(?:tablets?|capsules?|pills?|"
    r"sachets?|pre-?filled\s+(?:pens?|syringes?)|pens?|syringes?|vials?|puffs?|injections?)"
    r"\s+of\s+(?:[A-Za-z][\w-]*\s*){0,3}$",
    re.IGNORECASE,
)
# "one 500 mg tablet" / "the 50 mg pre-filled pen": an amount naming a product's strength.
_FORM_AFTER = re.compile(
    r"^\s*(?:pre-?filled|film-coated|tablets?|capsules?|pens?|syringes?|vials?|solution|"
    r"powder|strength|cartridges?|ampoules?|injections?|infusions?)\b",
    re.IGNORECASE,
)
_DOSE_BEFORE = re.compile(
    r"\b(?:dose|doses|dosage|take|inject|use|give|swallow)\s+(?:(?:of|a|an|one)\s+)?$"
    r"|^\s*(?:one|a|an)\s+$"
    # "The recommended dose is one 200 mg injection": the dose is one unit of that strength.
    r"|\b(?:dose|dosage)\s+(?:is|will\s+be)\s+(?:one|a|an|1)\s+$"
    # "This will be followed by one 15 mg tablet", "increased to one 10 mg tablet".
    r"|\b(?:followed\s+by|then|(?:increased|reduced|decreased|changed)\s+to|continue\s+with)"
    r"\s+(?:one|a|an|1)\s+$",
    re.IGNORECASE,
)
# "in 0.5 to 1.0 mg/kg increments": a step of adjustment, not a dose.
_STEP_AFTER = re.compile(r"^\s*(?:increments?|decrements?|steps?)\b", re.IGNORECASE)
# "a dose higher than 100 mg" compares with an amount; it does not give one.
_COMPARISON_BEFORE = re.compile(
    r"\b(?:higher|lower|greater|larger|smaller|bigger)\s+than\s*$|\b(?:above|exceeding)\s*$",
    re.IGNORECASE,
)
_MAX_BEFORE = re.compile(
    r"(?:\b(?:maximum|max\.?|no\s+more\s+than|not\s+(?:to\s+)?exceed(?:ing)?|should\s+not\s+"
    r"exceed|must\s+not\s+exceed|(?:never|not|n[’']t)\s+(?:take|use|give|have|inject)\s+more\s+than|"
    r"not\s+more\s+than|"
    r"up\s+to\s+a\s+maximum\s+of|up\s+to|at\s+most|a\s+total\s+of\s+no\s+more\s+than|"
    r"no\s+higher\s+than)"
    r"\b[^.;]{0,30}$)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Amount:
    start: int
    end: int
    kind: AmountKind
    value: float  # mg, mg/kg, mg/m² or units
    high: float | None
    per_day: bool  # "/day", "a day": an amount for the whole day, however split
    is_max: bool  # "no more than 4 g a day"


def _unit_factor(unit: str) -> tuple[str, float]:
    u = re.sub(r"\s*\(.*\)$", "", unit.strip().lower())
    if u in ("mg", "milligram", "milligrams", "milligramme", "milligrammes"):
        return "mg", 1.0
    if u in ("mcg", "µg", "μg", "microgram", "micrograms", "microgramme", "microgrammes"):
        return "mg", 0.001
    if u in ("g", "gm", "gram", "grams", "gramme", "grammes"):
        return "mg", 1000.0
    return "units", 1.0


_CROSS_REFERENCE = re.compile(r"\bsee\s+(?:section|the\s+(?:leaflet|package|label))\b", re.I)


def find_amounts(text: str) -> list[Amount]:
    """Every dose amount of a text, in order; strengths, concentrations and excipients left out."""
    out: list[Amount] = []
    if _CROSS_REFERENCE.search(text):
        return out  # "For the 50 mg dose, see section 3": a pointer, not a dose
    for m in _AMOUNT.finditer(text):
        unit = m.group("unit")
        base, factor = _unit_factor(unit)
        if m.group("unit1") and _unit_factor(m.group("unit1"))[0] != base:
            continue
        low = parse_number(m.group("low"))
        high = parse_number(m.group("high")) if m.group("high") else None
        if low is None or low <= 0:
            continue
        if m.group("unit1") and high is None:
            continue
        rest = text[m.end() :]
        if not m.group("kg") and not m.group("m2") and _CONCENTRATION.match(rest):
            continue
        if _STEP_AFTER.match(rest):
            continue
        before = text[max(0, m.start() - 60) : m.start()]
        if out and _inside_aside(text, out[-1].end, m.start()) and not _MAX_BEFORE.search(before):
            continue  # "160 mg (given as four 40 mg injections ...)": detail of the dose before
        count = 1.0
        counted = _COUNT_BEFORE.search(before)
        if counted:
            word = counted.group(1).lower()
            count = 0.5 if word.startswith("half") else (parse_number(word) or 1.0)
        elif _FORM_AFTER.match(rest) and not _DOSE_BEFORE.search(before):
            continue  # "Simponi 50 mg pre-filled pen": a product's strength, not a dose
        if _NOT_DOSE_BEFORE.search(before) or _COMPARISON_BEFORE.search(before):
            continue
        if base == "mg" and unit.strip().lower() in ("g", "gm") and re.match(r"\s*/", rest):
            continue
        kind: AmountKind = "units" if base == "units" else "mg"
        per_kg_later = not m.group("kg") and not m.group("m2") and _PER_KG_LATER.match(rest)
        if per_kg_later:
            if base != "mg":
                continue  # units per kg: no field holds it, and it is never a fixed dose
            kind = "mg_per_kg"
        elif m.group("kg"):
            if base != "mg":
                continue
            kind = "mg_per_kg"
        elif m.group("m2"):
            if base != "mg":
                continue
            kind = "mg_per_m2"
        value = clean(low * factor * count)
        high_value = clean(high * factor * count) if high is not None and high > low else None
        if high is not None and high <= low:
            continue
        out.append(
            Amount(
                start=m.start(),
                end=m.end(),
                kind=kind,
                value=value,
                high=high_value,
                per_day=bool(m.group("day")),
                is_max=bool(_MAX_BEFORE.search(before)),
            )
        )
    return _merge_restatements(text, out)


def _inside_aside(text: str, after: int, at: int) -> bool:
    """The amount at `at` stands inside a parenthesis opened after the previous amount."""
    between = text[after:at]
    return between.count("(") > between.count(")") and not re.fullmatch(r"\s*[(\[]\s*", between)


def _merge_restatements(text: str, amounts: list[Amount]) -> list[Amount]:
    """ "4 g (4,000 mg) a day": the bracketed amount restates the one before it."""
    out: list[Amount] = []
    for a in amounts:
        prev = out[-1] if out else None
        if (
            prev is not None
            and re.fullmatch(r"\s*[(\[]\s*", text[prev.end : a.start])
            and a.kind == prev.kind
            and a.value == prev.value
        ):
            close = re.match(r"\s*[)\]]", text[a.end :])
            tail = text[a.end + (close.end() if close else 0) :]
            per_day = (
                prev.per_day
                or a.per_day
                or bool(re.match(r"\s*(?:a|per|each)\s+day\b", tail, re.I))
            )
            out[-1] = Amount(
                prev.start, a.end, prev.kind, prev.value, prev.high, per_day, prev.is_max
            )
            continue
        out.append(a)
    return out


_ROUTES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (route, re.compile(pattern, re.IGNORECASE))
    for route, pattern in (
        ("subcutaneous", r"\bsub-?cutaneous(?:ly)?\b|\bunder\s+the\s+skin\b|\bs\.?c\.?\s+inj"),
        ("intravenous", r"\bintravenous(?:ly)?\b|\binto\s+(?:a|the|your)\s+vein\b|\binfusion\b"),
        ("intramuscular", r"\bintramuscular(?:ly)?\b|\binto\s+(?:a|the)\s+muscle\b"),
        ("oral", r"\bby\s+mouth\b|\borally\b|\boral\b|\bswallow\w*\b"),
        ("inhaled", r"\binhal\w+\b"),
        ("topical", r"\bapply\s+(?:\w+\s+){0,3}to\s+the\s+skin\b|\btopical(?:ly)?\b"),
    )
)


def find_route(text: str) -> str | None:
    for route, pattern in _ROUTES:
        if pattern.search(text):
            return route
    return None


_LOADING = re.compile(
    r"\b(?:loading|initial|first|induction)\s+(?:dose|doses|injection|infusion)s?\b"
    r"|\binitially\b",
    re.IGNORECASE,
)
# A one-off time point: "on Day 1", "at week 0", "two weeks later", "Day 15".
_TIME_POINT = re.compile(
    r"\bon\s+day\s+\d+\b|\b(?:at|on)\s+weeks?\s+\d+\b|\b\w+\s+(?:days?|weeks?)\s+later\b"
    r"|\bday\s+\d+\b",
    re.IGNORECASE,
)
_MAINTENANCE = re.compile(
    r"\bmaintenance\b|\bthereafter\b|\bfrom\s+then\s+on\b|\bafter\s+that\b", re.IGNORECASE
)


def phase_of(
    clause: str, *, after_loading: bool, repeats: bool
) -> Literal["loading", "maintenance"] | None:
    """Loading or maintenance, when the clause says so: a one-off time point ("on Day 1",
    "two weeks later") or a named loading dose is loading; "maintenance", "thereafter", or a
    repeating dose after a loading one is maintenance; otherwise the text does not say."""
    if _MAINTENANCE.search(clause):
        return "maintenance"
    if _LOADING.search(clause) and not (after_loading and repeats):
        return "loading"
    if _TIME_POINT.search(clause) and not repeats:
        return "loading"
    if after_loading and repeats:
        return "maintenance"
    return None
