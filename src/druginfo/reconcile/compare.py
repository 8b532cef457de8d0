"""Two facts about the same thing: do they give the same advice?

Values are compared after normalisation (°C, hours, days, mg), with the tolerances of
`data/reconcile/rules.yaml`, so "every other day" and "every 48 hours" agree and 2–8 °C agrees
with 36–46 °F. Only values both facts state are compared: silence is not disagreement.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

import yaml

from druginfo.model.facts import Fact
from druginfo.wording import every_hours_words

Verdict = Literal["agree", "conflict"]


@dataclass(frozen=True)
class Check:
    """One value both facts state (a temperature, a number of days, a stance): same or not."""

    dim: str
    ok: bool
    text: str  # the values side by side; numeric checks that agree leave it empty (unused)
    confidence: float
    near: bool = False  # the same advice in a different strength


@dataclass(frozen=True)
class Comparison:
    verdict: Verdict
    reason: str
    confidence: float
    checks: list[Check] = field(default_factory=list)
    near: bool = False  # a difference of strength within one group of advice


@functools.cache
def rules() -> dict[str, Any]:
    text = resources.files("druginfo").joinpath("data", "reconcile", "rules.yaml").read_text()
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def _tol(name: str) -> float:
    return float(rules()["tolerance"][name])


def confidence(name: str) -> float:
    return float(rules()["confidence"][name])


def _group(value: str, groups_name: str) -> int:
    for i, group in enumerate(rules()[groups_name]):
        if value in group:
            return i
    return -1


def strongest(facts: list[Fact]) -> list[Fact]:
    """A document's own position on a stance or an interaction: its most restrictive words
    ('ask your doctor' beside 'not recommended' is boilerplate, not a second opinion)."""
    if not facts:
        return facts
    t = facts[0].topic
    if t in ("pregnancy", "breastfeeding"):
        order = [s for g in rules()["stance_groups"] for s in g]
        field = "stance"
    elif t in ("interaction", "vaccine"):
        order = [s for g in rules()["strength_groups"] for s in g]
        field = "strength"
    else:
        return facts

    def rank(f: Fact) -> int:
        value = getattr(f, field)
        return order.index(value) if value in order else len(order)

    best = min(rank(f) for f in facts)
    return [f for f in facts if rank(f) == best]


def _n(x: float) -> str:
    return f"{round(x, 2):g}"


def interval_of(f: Fact) -> float | None:
    if f.every_hours is not None:
        return f.every_hours
    if f.times_per_day:
        return 24.0 / f.times_per_day
    return None


def _interval_words(hours: float) -> str:
    if hours == int(hours):
        words = every_hours_words(int(hours))
        if words:
            return words
    return f"every {_n(hours)} hours"


def describe(f: Fact) -> str:
    """The normalised value of a fact in words."""
    t = f.topic
    if t in ("dose", "kidney"):
        parts: list[str] = []
        if f.dose_mg is not None:
            hi = f" to {_n(f.dose_max_mg)}" if f.dose_max_mg is not None else ""
            parts.append(f"{_n(f.dose_mg)}{hi} mg")
        if f.dose_mg_per_kg is not None:
            hi = f" to {_n(f.dose_max_mg_per_kg)}" if f.dose_max_mg_per_kg is not None else ""
            parts.append(f"{_n(f.dose_mg_per_kg)}{hi} mg/kg")
        if f.dose_mg_per_m2 is not None:
            parts.append(f"{_n(f.dose_mg_per_m2)} mg/m²")
        if f.dose_units is not None:
            parts.append(f"{_n(f.dose_units)} units")
        if f.daily_total and parts:
            parts[-1] += " a day"
        hours = interval_of(f)
        if hours is not None:
            parts.append(_interval_words(hours))
        if f.max_dose_mg is not None:
            parts.append(f"at most {_n(f.max_dose_mg)} mg")
        if f.max_dose_mg_per_kg is not None:
            parts.append(f"at most {_n(f.max_dose_mg_per_kg)} mg/kg")
        if f.duration_days is not None:
            parts.append(f"for {_n(f.duration_days)} days")
        if t == "kidney" and f.population and f.population.crcl_below_ml_min is not None:
            parts.append(f"when CrCl < {_n(f.population.crcl_below_ml_min)} mL/min")
        return ", ".join(parts) or "no amount given"
    if t in ("storage", "room-temperature"):
        t_lo, t_hi = f.temp_min_c, f.temp_max_c
        if t_lo is not None and t_hi is not None:
            temp = f"{_n(t_lo)}–{_n(t_hi)} °C"
        elif t_hi is not None:
            temp = f"up to {_n(t_hi)} °C"
        elif t_lo is not None:
            temp = f"from {_n(t_lo)} °C"
        else:
            temp = "no temperature given"
        if f.max_days is not None:
            temp += f" for up to {_n(f.max_days)} days"
        return temp
    if t == "missed-dose":
        words = (f.action or "no action given").replace("-", " ")
        if f.no_double:
            words += "; do not double"
        return words
    if t in ("pregnancy", "breastfeeding"):
        return (f.stance or "no stance given").replace("-", " ")
    if t in ("interaction", "vaccine"):
        who = f.with_ or f.class_ or "?"
        return f"{who}: {f.strength or 'no strength given'}"
    if t in ("indication", "age-limit"):
        ages = ""
        if f.age_min_years is not None:
            ages = f" from age {_n(f.age_min_years)}"
        if f.age_max_years is not None:
            ages += f" below age {_n(f.age_max_years)}"
        return f"{f.condition or 'stated'}{ages}"
    return f.condition or f.allergy or "stated"


def _close(x: float, y: float, rel: float, absolute: float = 0.0) -> bool:
    return abs(x - y) <= max(absolute, rel * max(abs(x), abs(y)))


def _range_overlap(a: tuple[float, float], b: tuple[float, float], rel: float) -> bool:
    slack = rel * max(a[1], b[1])
    return a[0] <= b[1] + slack and b[0] <= a[1] + slack


def compare(a: Fact, b: Fact) -> Comparison:
    """Agree or conflict, with the reason in words. Facts must share an alignment key."""
    return judge(checks(a, b))


def checks(a: Fact, b: Fact) -> list[Check]:
    """Each value both facts state, compared on its own."""
    t = a.topic
    if t in ("dose", "kidney"):
        return _dose_checks(a, b)
    if t in ("storage", "room-temperature"):
        return _temperature_checks(a, b)
    if t == "missed-dose":
        return _missed_checks(a, b)
    if t in ("pregnancy", "breastfeeding"):
        return _category_checks(a.stance, b.stance, "stance_groups", "stance")
    if t in ("interaction", "vaccine"):
        return _category_checks(a.strength, b.strength, "strength_groups", "strength")
    if t in ("indication", "age-limit"):
        return _age_checks(a, b)
    return []


def judge(found: list[Check]) -> Comparison:
    """The verdict of a set of checks: a conflict when some value disagrees."""
    bad = [c for c in found if not c.ok]
    if bad:
        return Comparison("conflict", "; ".join(c.text for c in bad), bad[0].confidence, found)
    if not found:
        return Comparison("agree", "no value both state", confidence("presence"), found)
    near = [c for c in found if c.near]
    if near:
        return Comparison("agree", "; ".join(c.text for c in near), near[0].confidence, found, True)
    return Comparison("agree", "same values", min(c.confidence for c in found), found)


def judge_sources(pairs: list[list[Check]]) -> Comparison:
    """Two documents, each with several statements: on each value both state, they agree
    when some statement of one agrees with some statement of the other (a leaflet giving two
    schedules agrees with a page giving one of them); they disagree on a value no pair of
    statements agrees on. Values are judged one by one, so agreeing on the temperature does
    not hide a disagreement on the number of days."""
    by_dim: dict[str, list[Check]] = {}
    for found in pairs:
        for c in found:
            by_dim.setdefault(c.dim, []).append(c)
    result: list[Check] = []
    for cs in by_dim.values():
        good = [c for c in cs if c.ok]
        if good:
            result.append(min(good, key=lambda c: (c.near, -c.confidence)))
        else:
            result.append(max(cs, key=lambda c: c.confidence))
    return judge(result)


_AMOUNTS = (
    ("dose_mg", "dose_max_mg", "max_dose_mg", "mg"),
    ("dose_mg_per_kg", "dose_max_mg_per_kg", "max_dose_mg_per_kg", "mg/kg"),
    ("dose_mg_per_m2", "dose_mg_per_m2_max", None, "mg/m²"),
    ("dose_units", "dose_units_max", None, "units"),
)


def _amount(f: Fact, low: str, high: str) -> tuple[float, float] | None:
    lo = getattr(f, low, None)
    if lo is None:
        return None
    hi = getattr(f, high, None)
    return (lo, hi if hi is not None else lo)


def _per_day(f: Fact, r: tuple[float, float]) -> tuple[float, float] | None:
    """An amount as a daily total: as written when the text says 'a day', else per dose
    times doses a day; None when the interval is not known."""
    if f.daily_total:
        return r
    hours = interval_of(f)
    if hours is None:
        return None
    return (r[0] * 24 / hours, r[1] * 24 / hours)


def _dose_checks(a: Fact, b: Fact) -> list[Check]:
    """Amounts overlap (within tolerance), a dose stays within the other's ceiling, intervals
    match; an amount 'a day' is compared with the other's amount per dose times doses a day."""
    rel = _tol("dose_relative")
    num = confidence("numeric")
    out: list[Check] = []
    per_day = bool(a.daily_total) != bool(b.daily_total)
    for low, high, ceiling, unit in _AMOUNTS:
        ar, br = _amount(a, low, high), _amount(b, low, high)
        if ar is not None and br is not None:
            words = unit
            if per_day:
                ar, br = _per_day(a, ar), _per_day(b, br)
                words = f"{unit} a day"
            if ar is not None and br is not None:
                ok = _range_overlap(ar, br, rel)
                text = "" if ok else f"{_span(ar)} {words} vs {_span(br)} {words}"
                out.append(Check(unit, ok, text, num))
        if ceiling is None:
            continue
        ca, cb = getattr(a, ceiling, None), getattr(b, ceiling, None)
        if ca is not None and cb is not None:
            ok = _close(ca, cb, rel)
            text = "" if ok else f"at most {_n(ca)} {unit} vs at most {_n(cb)} {unit}"
            out.append(Check(f"max {unit}", ok, text, num))
        for amount, cap, first in ((ar, cb, True), (br, ca, False)):
            if amount is None or cap is None:
                continue
            ok = amount[0] <= cap * (1 + rel)
            text = "" if ok else f"{_span(amount)} {unit} vs at most {_n(cap)} {unit}"
            out.append(Check(unit, ok, text if first or ok else _swap(text), num))
    ha, hb = interval_of(a), interval_of(b)
    if ha is not None and hb is not None:
        hi_a = a.every_hours_max if a.every_hours_max is not None else ha
        hi_b = b.every_hours_max if b.every_hours_max is not None else hb
        ok = _range_overlap((ha, hi_a), (hb, hi_b), _tol("hours_relative"))
        text = "" if ok else f"{_interval_words(ha)} vs {_interval_words(hb)}"
        out.append(Check("interval", ok, text, num))
    pa, pb = a.population, b.population
    if pa and pb and pa.crcl_below_ml_min is not None and pb.crcl_below_ml_min is not None:
        ok = _close(pa.crcl_below_ml_min, pb.crcl_below_ml_min, 0, _tol("crcl_ml_min"))
        text = f"below {_n(pa.crcl_below_ml_min)} vs {_n(pb.crcl_below_ml_min)} mL/min CrCl"
        out.append(Check("crcl", ok, text, num))
    return out


def _swap(text: str) -> str:
    left, right = text.split(" vs ", 1)
    return f"{right} vs {left}"


def _span(r: tuple[float, float]) -> str:
    return _n(r[0]) if r[0] == r[1] else f"{_n(r[0])}–{_n(r[1])}"


def _temperature_checks(a: Fact, b: Fact) -> list[Check]:
    tol = _tol("temperature_c")
    num = confidence("numeric")
    out: list[Check] = []
    for name, words in (("temp_min_c", "lowest"), ("temp_max_c", "highest")):
        av, bv = getattr(a, name), getattr(b, name)
        if av is not None and bv is not None:
            out.append(Check(name, abs(av - bv) <= tol, f"{words} {_n(av)} °C vs {_n(bv)} °C", num))
    if a.max_days is not None and b.max_days is not None:
        ok = _close(a.max_days, b.max_days, _tol("days_relative"), _tol("days_absolute"))
        out.append(Check("days", ok, f"{_n(a.max_days)} days vs {_n(b.max_days)} days", num))
    return out


def _missed_checks(a: Fact, b: Fact) -> list[Check]:
    far = confidence("category_far")
    out: list[Check] = []
    if a.action and b.action:
        text = f"{a.action.replace('-', ' ')} vs {b.action.replace('-', ' ')}"
        out.append(Check("action", a.action == b.action, text, far))
    if a.no_double is not None and b.no_double is not None:
        text = "one says not to double the dose, the other allows it"
        out.append(Check("no_double", a.no_double == b.no_double, text, far))
    return out


def _category_checks(x: str | None, y: str | None, groups: str, what: str) -> list[Check]:
    if x is None or y is None:
        return []
    words = f"{x.replace('-', ' ')} vs {y.replace('-', ' ')}"
    if x == y:
        return [Check(what, True, f"both: {x.replace('-', ' ')}", confidence("category_far"))]
    gx, gy = _group(x, groups), _group(y, groups)
    if gx == gy and gx >= 0:
        text = f"same advice, different strength: {words}"
        return [Check(what, True, text, confidence("category_near"), near=True)]
    return [Check(what, False, words, confidence("category_far"))]


def _age_checks(a: Fact, b: Fact) -> list[Check]:
    tol = _tol("age_years")
    out: list[Check] = []
    for name, words in (("age_min_years", "from age"), ("age_max_years", "below age")):
        av, bv = getattr(a, name), getattr(b, name)
        if av is not None and bv is not None:
            text = f"{words} {_n(av)} vs {_n(bv)} years"
            out.append(Check(name, abs(av - bv) <= tol, text, confidence("numeric")))
    return out
