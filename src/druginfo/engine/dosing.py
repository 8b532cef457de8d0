"""The regimen for one person: which dose rule applies, the dose, the volume, the interval.

Safety rules the code holds to (and the property tests check):
- a per-kg dose never exists without a weight;
- no dose exceeds the rule's daily maximum (mg/kg/day × weight, and the absolute `max_dose_mg`),
  spread over the doses of a day when the interval is shorter than 24 hours;
- rounding is always downwards (to the syringe's graduation, then to 0.01 mg; volumes to
  0.01 mL), so the volume drawn never delivers more than the dose;
- a dose below what the product can measure is not rounded up: it is a `cannot-decide`;
- with kidney rules and unknown kidney function the interval is left empty (`None`).

Alerts cite references (claim ids or `source:<id>`); `check` turns them into S-keys.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from druginfo.engine import memo
from druginfo.engine.build import make
from druginfo.engine.citations import document_refs
from druginfo.engine.dose_rules import (
    DOSE_TRIGGER,
    Selection,
    alternative_notes,
    hours_words,
    select,
)
from druginfo.engine.kidney import kidney_function
from druginfo.engine.matching import kidney_text
from druginfo.model import (
    Alert,
    DoseRule,
    KidneyRule,
    Monograph,
    Product,
    Profile,
    Regimen,
    ScheduledDose,
    Severity,
    Topic,
)
from druginfo.wording import every_hours_words

# Volumes are given to 0.01 mL; anything that rounds below that is not a dose a person can draw.
MIN_VOLUME_ML = 0.01
KIDNEY_TRIGGER = "kidney-dose-adjustment"


def floor_to(value: float, step: float) -> float:
    """Largest multiple of `step` not above `value` (float noise tolerated, never exceeded)."""
    result = round(math.floor(value / step + 1e-9) * step, 9)
    while result > value:
        result = round(result - step, 9)
    return max(result, 0.0)


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _cannot(
    title: str, detail: str, field: str | None, refs: Sequence[str], severity: Severity = "high"
) -> Alert:
    return make(
        Alert,
        dict(
            kind="cannot-decide",
            trigger=DOSE_TRIGGER,
            severity=severity,
            title=title,
            detail=detail,
            field=field,
            sources=list(dict.fromkeys(refs)),
        ),
    )


def _rule_refs(rules: Sequence[DoseRule]) -> list[str]:
    return list(dict.fromkeys(c for r in rules for c in r.claims))


def _band(rule: DoseRule) -> str:
    lo, hi = rule.age_min_years, rule.age_max_years
    if lo is not None and hi is not None:
        return f"ages {lo:g} to under {hi:g}"
    if lo is not None:
        return f"ages {lo:g} and over"
    if hi is not None:
        return f"under {hi:g} years"
    return "all ages"


def choose_rule(mono: Monograph, profile: Profile) -> tuple[DoseRule | None, list[Alert]]:
    """The dose rule for the profile's indication, age and weight, or alerts saying why there is
    none (several fitting regimens included)."""
    selection = choose(mono, profile)
    return selection.rule, selection.alerts


def choose(mono: Monograph, profile: Profile) -> Selection:
    """The rules for the profile: indication and age here, weight band, phases and the choice
    between regimens in `dose_rules.select`."""
    generic = mono.identity.generic
    rules = mono.dose_rules
    if not rules:
        refs = document_refs(mono, (Topic.dosing,))
        return Selection(
            None,
            alerts=[
                _cannot(
                    f"No curated dose rules for {generic}",
                    f"No curated dose rules for {generic}; follow the label and your prescriber.",
                    None,
                    refs,
                    severity="moderate",
                )
            ],
        )
    dosed, names, dosed_names = _dosed_indications(mono)
    if profile.indication is None:
        if len(dosed) > 1:
            return Selection(
                None,
                alerts=[
                    _cannot(
                        "Indication needed to choose the dose",
                        f"The dose of {generic} depends on what it is used for ({dosed_names}); "
                        "add 'indication' to the profile.",
                        "indication",
                        _rule_refs(rules),
                    )
                ],
            )
        indication_id = dosed[0]
    else:
        ind = mono.indication(profile.indication)
        if ind is None or ind.id not in dosed:
            known = ", ".join(i.name for i in mono.indications) or dosed_names
            why = (
                "is not an indication we know for"
                if ind is None
                else "has no curated dose rule for"
            )
            return Selection(
                None,
                alerts=[
                    _cannot(
                        f"No dose for indication {profile.indication!r}",
                        f"{profile.indication!r} {why} {generic}. Dosed indications: {dosed_names}. "
                        f"Known indications: {known}. Ask your prescriber for the dose.",
                        "indication",
                        _rule_refs(rules),
                    )
                ],
            )
        indication_id = ind.id
    candidates, banded = _of_indication(mono, indication_id)
    name = names.get(indication_id, indication_id)
    if banded and profile.age_years is None:
        bands = "; ".join(dict.fromkeys(_band(r) for r in candidates))
        return Selection(
            None,
            alerts=[
                _cannot(
                    "Age needed to choose the dose",
                    f"The dose of {generic} for {name} depends on age ({bands}); add 'age_years' "
                    "to the profile.",
                    "age_years",
                    _rule_refs(candidates),
                )
            ],
        )
    if profile.age_years is not None:
        age = profile.age_years
        in_band = [
            r
            for r in candidates
            if (r.age_min_years is None or age >= r.age_min_years)
            and (r.age_max_years is None or age < r.age_max_years)
        ]
        if not in_band:
            bands = "; ".join(dict.fromkeys(_band(r) for r in candidates))
            return Selection(
                None,
                alerts=[
                    _cannot(
                        f"No dose for age {age:g} for {name}",
                        f"The curated doses of {generic} for {name} cover {bands}, not age "
                        f"{age:g}. Ask the prescriber.",
                        "age_years",
                        _rule_refs(candidates),
                    )
                ],
            )
        candidates = in_band
    return select(mono, profile, list(candidates), f"{generic} for {name}")


@memo.by_identity()
def _of_indication(mono: Monograph, indication_id: str) -> tuple[list[DoseRule], bool]:
    """The dose rules of one indication and whether they are banded by age (once per
    document; callers must not change them)."""
    candidates = [r for r in mono.dose_rules if r.indication == indication_id]
    banded = any(r.age_min_years is not None or r.age_max_years is not None for r in candidates)
    return candidates, banded


@memo.by_identity()
def _dosed_indications(mono: Monograph) -> tuple[list[str], dict[str, str], str]:
    """(indication ids with dose rules, indication names by id, the dosed ones in words):
    once per document; callers must not change them."""
    dosed: list[str] = list(dict.fromkeys(r.indication for r in mono.dose_rules))
    names = {i.id: i.name for i in mono.indications}
    return dosed, names, ", ".join(names.get(i, i) for i in dosed)


def _product(mono: Monograph, rule: DoseRule) -> Product | None:
    if rule.product is not None:
        return next((p for p in mono.products if p.id == rule.product), None)
    return mono.products[0] if len(mono.products) == 1 else None


def _kidney_rules(mono: Monograph, rule: DoseRule) -> list[KidneyRule]:
    return [k for k in mono.kidney_rules if not k.applies_to or rule.id in k.applies_to]


def compute_regimen(mono: Monograph, profile: Profile) -> tuple[Regimen | None, list[Alert]]:
    """Regimen (or None) and the dose alerts: cannot-decide reasons, kidney adjustments."""
    selection = choose(mono, profile)
    alerts = list(selection.alerts)
    rule = selection.rule
    if rule is None:
        if not selection.loading:
            return None, alerts
        return _first_doses_only(mono, profile, selection, alerts)
    refs: list[str] = [*rule.claims, *(c for n in rule.notes for c in n.claims)]
    notes: list[str] = []
    regimen = make(
        Regimen,
        dict(
            every_hours=rule.every_hours,
            duration_days=rule.duration_days,
            route=rule.route,
            indication=_indication_name(mono, rule),
            schedule=rule.schedule,
        ),
    )
    _amount(mono, rule, profile, regimen, notes, refs, alerts)
    if rule.schedule == "repeated":
        _kidney(mono, rule, profile, regimen, notes, refs, alerts)
    else:
        # One dose, or one when needed: there is no interval to state or to lengthen.
        regimen.every_hours = None
        regimen.min_interval_hours = rule.min_interval_hours
        notes.append(_schedule_note(rule))
    if selection.loading:
        _loading(mono, profile, rule, selection.loading, regimen, notes, refs, alerts)
    notes.extend(alternative_notes(selection.alternatives))
    refs.extend(c for r in selection.alternatives for c in r.claims)
    regimen.notes = [*notes, *(n.text for n in rule.notes)]
    regimen.sources = list(dict.fromkeys(refs))
    return regimen, _unique(alerts)


def _unique(alerts: list[Alert]) -> list[Alert]:
    seen: set[tuple[str, str, str]] = set()
    out = []
    for alert in alerts:
        key = (alert.kind, alert.title, alert.detail)
        if key not in seen:
            seen.add(key)
            out.append(alert)
    return out


def _indication_name(mono: Monograph, rule: DoseRule) -> str:
    ind = next((i for i in mono.indications if i.id == rule.indication), None)
    return ind.name if ind is not None else rule.indication


def _schedule_note(rule: DoseRule) -> str:
    if rule.schedule == "once":
        return "A single dose, not a repeating schedule; any further dose is the prescriber's decision."
    assert rule.min_interval_hours is not None
    return (
        "Given when needed, not on a schedule: at least "
        f"{hours_words(rule.min_interval_hours)} between two doses."
    )


def _amount(
    mono: Monograph,
    rule: DoseRule,
    profile: Profile,
    regimen: Regimen,
    notes: list[str],
    refs: list[str],
    alerts: list[Alert],
) -> float | None:
    """One administration of `rule` for this person: dose, caps, measurable amount, volume."""
    product = _product(mono, rule)
    weight = profile.weight_kg
    needs_weight = (
        rule.basis == "per-kg"
        or rule.max_mg_per_kg_day is not None
        or rule.max_mg_per_kg_dose is not None
    )
    if needs_weight and weight is None:
        alerts.append(
            _cannot(
                "Weight needed for the dose",
                f"The dose of {mono.identity.generic} for {regimen.indication} is based on body "
                'weight; add \'weight_kg\' to the profile (e.g. "20 kg" or "44 lb").',
                "weight_kg",
                rule.claims,
            )
        )
        dose: float | None = None
    else:
        dose = _dose(rule, weight, regimen, notes)
    if dose is not None and product is None and len(mono.products) > 1:
        names = "; ".join(p.name for p in mono.products)
        notes.append(
            f"No volume is worked out: the dose rule names no product and there are several "
            f"({names}); the volume depends on the one you were given."
        )
    if dose is not None and product is not None:
        refs.extend(product.claims)
        dose = _measurable(dose, rule, product, regimen, notes, alerts, mono)
    if dose is not None and product is not None:
        _volume(dose, product, regimen, notes, per_dose_cap(rule, weight))
        if regimen.volume_ml is not None and regimen.volume_ml < MIN_VOLUME_ML:
            # Rounded to a volume no syringe measures: never present "0 mL" as a dose.
            assert product.volume_ml is not None  # a volume was computed from it
            alerts.append(
                _cannot(
                    f"Dose too small to measure with {product.name}",
                    f"The computed dose ({_fmt(dose)} mg) is "
                    f"{_fmt(dose * product.volume_ml / product.strength_mg)} mL "
                    f"of the {product.form}, too little to measure. It cannot be given with this "
                    "product; ask your pharmacist or prescriber.",
                    "weight_kg",
                    [*rule.claims, *product.claims],
                )
            )
            regimen.volume_ml = None
            regimen.delivered_dose_mg = None
            notes.clear()
            dose = None
        elif (
            regimen.volume_ml is not None
            and dose < product.strength_mg
            and product.graduation_mg is None
        ):
            notes.append(
                f"Only part of the {product.form} is injected. The size of its markings is "
                "not in our sources: have your nurse or pharmacist show you the mark for "
                f"{_fmt(regimen.volume_ml)} mL before the first dose."
            )
    if dose is not None:
        regimen.dose_mg = dose
    return dose


def _dose_words(dose: float | None, volume: float | None) -> str:
    if dose is None:
        return "dose not decided (see the alerts)"
    return f"{_fmt(dose)} mg" + (f" ({_fmt(volume)} mL)" if volume is not None else "")


def _loading(
    mono: Monograph,
    profile: Profile,
    rule: DoseRule | None,
    loading_rules: list[DoseRule],
    regimen: Regimen,
    notes: list[str],
    refs: list[str],
    alerts: list[Alert],
) -> None:
    """The first doses, each computed like any dose (caps, product, volume) and dated from the
    profile's start date when it has one."""
    start = profile.start_date
    fixed: list[str] = []
    optional: list[str] = []
    for lr in sorted(loading_rules, key=lambda r: (r.day or 0, r.optional)):
        scratch = make(Regimen, dict(route=lr.route, indication=regimen.indication))
        scratch_notes: list[str] = []
        dose = _amount(mono, lr, profile, scratch, scratch_notes, refs, alerts)
        refs.extend(lr.claims)
        refs.extend(c for n in lr.notes for c in n.claims)
        day = lr.day or 0
        when = f"day {day}" + (f" ({start + dt.timedelta(days=day)})" if start else "")
        what = f"{_dose_words(dose, scratch.volume_ml)} on {when}"
        regimen.loading.append(
            make(
                ScheduledDose,
                dict(
                    day=day,
                    date=start + dt.timedelta(days=day) if start else None,
                    dose_mg=dose,
                    volume_ml=scratch.volume_ml,
                    optional=lr.optional,
                    text=" ".join([what, *scratch_notes, *(n.text for n in lr.notes)]),
                ),
            )
        )
        (optional if lr.optional else fixed).append(what)
    if fixed:
        notes.append("First doses: " + "; ".join(fixed) + ".")
    if optional:
        notes.append(
            "If the prescriber chooses, a first dose of " + "; ".join(optional) + " (optional)."
        )
    if rule is None:
        return
    regimen.starts_day = rule.day
    if rule.day is not None and rule.schedule == "repeated" and regimen.dose_mg is not None:
        begin = f"day {rule.day}" + (f" ({start + dt.timedelta(days=rule.day)})" if start else "")
        without = "" if fixed else " (from day 0 if the optional first dose is not given)"
        notes.append(
            f"Then {_fmt(regimen.dose_mg)} mg {every_hours_words(regimen.every_hours)} from "
            f"{begin}{without}."
            if regimen.every_hours
            else f"Then the repeated doses from {begin}{without}."
        )


def _first_doses_only(
    mono: Monograph, profile: Profile, selection: Selection, alerts: list[Alert]
) -> tuple[Regimen, list[Alert]]:
    """The sources give the first doses but not what follows: those are stated, the rest is
    the prescriber's (never a made-up maintenance dose)."""
    first = selection.loading[0]
    refs: list[str] = []
    notes: list[str] = []
    regimen = make(
        Regimen, dict(route=first.route, indication=_indication_name(mono, first), every_hours=None)
    )
    _loading(mono, profile, None, selection.loading, regimen, notes, refs, alerts)
    firsts = "; ".join(f"{_dose_words(d.dose_mg, None)} on day {d.day}" for d in regimen.loading)
    alerts.append(
        _cannot(
            "Dose after the first doses not given by the sources",
            f"The sources give the first doses of {mono.identity.generic} for "
            f"{regimen.indication} ({firsts}) but not the "
            "dose that follows them; ask the prescriber for it.",
            None,
            list(dict.fromkeys(refs)),
        )
    )
    regimen.notes = notes
    regimen.sources = list(dict.fromkeys(refs))
    return regimen, _unique(alerts)


def _daily_cap(rule: DoseRule, weight: float | None) -> float | None:
    caps = [rule.max_dose_mg] if rule.max_dose_mg is not None else []
    if rule.max_mg_per_kg_day is not None and weight is not None:
        caps.append(rule.max_mg_per_kg_day * weight)
    return min(caps) if caps else None


def _own_dose_cap(rule: DoseRule, weight: float | None) -> float | None:
    caps = [rule.max_per_dose_mg] if rule.max_per_dose_mg is not None else []
    if rule.max_mg_per_kg_dose is not None and weight is not None:
        caps.append(rule.max_mg_per_kg_dose * weight)
    return min(caps) if caps else None


def _once_a_day_or_less(rule: DoseRule) -> bool:
    return rule.schedule != "repeated" or rule.every_hours >= 24


def per_dose_cap(rule: DoseRule, weight: float | None) -> float | None:
    """Most in one administration: the per-dose caps, and the daily ones (shared out when dosed
    more often than daily)."""
    caps = []
    daily = _daily_cap(rule, weight)
    if daily is not None:
        caps.append(daily if _once_a_day_or_less(rule) else daily * rule.every_hours / 24)
    own = _own_dose_cap(rule, weight)
    if own is not None:
        caps.append(own)
    return min(caps) if caps else None


def _cap_note(rule: DoseRule, weight: float | None, regimen: Regimen) -> str | None:
    """The maximum in words that follow the interval: 'a day' only for daily (or more often)
    dosing; a dose every 4 weeks or a single dose has a maximum 'per dose'."""
    cap = per_dose_cap(rule, weight)
    if cap is None:
        return None
    daily_every = rule.schedule == "repeated" and rule.every_hours <= 24
    if daily_every and regimen.max_dose_mg is not None:
        per_kg = (
            f" ({_fmt(rule.max_mg_per_kg_day)} mg/kg/day)"
            if rule.max_mg_per_kg_day is not None and weight is not None
            else ""
        )
        text = f"Maximum {_fmt(regimen.max_dose_mg)} mg a day{per_kg}"
        if abs(cap - regimen.max_dose_mg) > 1e-9:
            text += f", {_fmt(cap)} mg per dose"
        return text + "."
    per_kg_dose = rule.max_mg_per_kg_dose
    if per_kg_dose is None and rule.max_mg_per_kg_day is not None and not daily_every:
        per_kg_dose = rule.max_mg_per_kg_day  # one dose on the day it is given
    per_kg = f" ({_fmt(per_kg_dose)} mg/kg)" if per_kg_dose is not None and weight else ""
    return f"Maximum {_fmt(cap)} mg per dose{per_kg}."


def _dose(rule: DoseRule, weight: float | None, regimen: Regimen, notes: list[str]) -> float:
    cap = per_dose_cap(rule, weight)
    regimen.max_dose_mg = _daily_cap(rule, weight)
    if _own_dose_cap(rule, weight) is not None or (
        cap is not None and _once_a_day_or_less(rule) and rule.every_hours != 24
    ):
        regimen.max_dose_mg_per_dose = cap
    regimen.max_mg_per_kg_dose = rule.max_mg_per_kg_dose
    if rule.basis == "fixed":
        assert rule.dose_mg is not None
        dose = rule.dose_mg
    else:
        assert weight is not None and rule.start_mg_per_kg_min is not None
        regimen.max_dose_mg_per_kg_day = rule.max_mg_per_kg_day
        low = rule.start_mg_per_kg_min * weight
        high = (rule.start_mg_per_kg_max or rule.start_mg_per_kg_min) * weight
        if cap is not None:
            low, high = min(low, cap), min(high, cap)
        regimen.dose_range_mg = [floor_to(low, 0.01), floor_to(high, 0.01)]
        per_kg = _fmt(rule.start_mg_per_kg_min)
        if rule.start_mg_per_kg_max and rule.start_mg_per_kg_max != rule.start_mg_per_kg_min:
            per_kg += f"–{_fmt(rule.start_mg_per_kg_max)}"
        low_mg, high_mg = regimen.dose_range_mg
        notes.append(
            f"Weight-based dose: {per_kg} mg/kg × {_fmt(weight)} kg = {_fmt(low_mg)} mg."
            if low_mg == high_mg
            else f"Weight-based dose: starting dose {per_kg} mg/kg × {_fmt(weight)} kg = "
            f"{_fmt(low_mg)}–{_fmt(high_mg)} mg; the lowest starting dose is shown, your "
            "prescriber sets the exact dose."
        )
        dose = low
    cap_note = _cap_note(rule, weight, regimen)
    if cap_note is not None:
        notes.append(cap_note)
    if cap is not None and dose > cap:
        notes.append(f"Dose limited to the maximum of {_fmt(cap)} mg.")
        dose = cap
    return floor_to(dose, 0.01)


def _ranges_text(ranges: Sequence[tuple[float, float]]) -> str:
    return " or ".join(
        f"{_fmt(lo)}" + (f" to {_fmt(hi)}" if hi != lo else "") + " mg" for lo, hi in ranges
    )


def _ceil_to(value: float, step: float) -> float:
    result = round(math.ceil(value / step - 1e-9) * step, 9)
    while result < value - 1e-9:
        result = round(result + step, 9)
    return result


def _measurable_set(product: Product) -> list[tuple[float, float]]:
    """The doses one container can give, as ranges (the label's, or from its smallest mark up
    to its strength)."""
    if product.measurable_ranges_mg:
        return sorted(product.measurable_ranges_mg)
    low = product.min_measurable_mg or product.graduation_mg or 0.0
    return [(low, product.strength_mg)]


def _up(dose: float, product: Product) -> float | None:
    """The smallest measurable dose at or above `dose`."""
    found = []
    for lo, hi in _measurable_set(product):
        y = max(dose, lo)
        if product.graduation_mg is not None:
            y = _ceil_to(y, product.graduation_mg)
        if y <= hi + 1e-9 and y > 0:
            found.append(y)
    return min(found, default=None)


def _down(dose: float, product: Product) -> float | None:
    """The largest measurable dose at or below `dose`."""
    found = []
    for lo, hi in _measurable_set(product):
        y = min(dose, hi)
        if product.graduation_mg is not None:
            y = floor_to(y, product.graduation_mg)
        if y >= lo - 1e-9 and y > 0:
            found.append(y)
    return max(found, default=None)


def _whole_and_rest(dose: float, product: Product, notes: list[str]) -> float:
    """A dose above one container: whole containers plus a remainder that must itself be
    measurable; a remainder the markings cannot give is rounded down (never up), and said."""
    whole = math.floor(dose / product.strength_mg + 1e-9)
    base = whole * product.strength_mg
    rest = round(dose - base, 9)
    if rest <= 1e-9:
        return dose
    fitted_rest = _down(rest, product) or 0.0
    fitted = round(base + fitted_rest, 9)
    if abs(fitted - dose) > 1e-9:
        notes.append(
            f"Rounded down from {_fmt(dose)} mg to {_fmt(fitted)} mg: the last "
            f"{product.form} would have to give {_fmt(rest)} mg, and it measures "
            f"{_ranges_text(_measurable_set(product))}."
        )
    return fitted


def _measurable_containers(
    dose: float, rule: DoseRule, product: Product, notes: list[str], alerts: list[Alert]
) -> float | None:
    """A dose of several containers: only if a whole container is a dose the product can give
    (otherwise nothing is decided); the last part must itself be measurable (`_whole_and_rest`)."""
    strength = product.strength_mg
    whole = _down(strength, product)
    if whole is None or abs(whole - strength) > 1e-9:
        ranges = _measurable_set(product)
        alerts.append(
            _cannot(
                f"Dose cannot be measured with {product.name}",
                f"The computed dose ({_fmt(dose)} mg) needs more than one {product.form}, but "
                f"the {product.form} measures {_ranges_text(ranges)}, not its whole "
                f"{_fmt(strength)} mg. Ask your pharmacist or prescriber.",
                "weight_kg" if rule.basis == "per-kg" else None,
                [*rule.claims, *product.claims],
            )
        )
        return None
    return _whole_and_rest(dose, product, notes)


def _measurable(
    dose: float,
    rule: DoseRule,
    product: Product,
    regimen: Regimen,
    notes: list[str],
    alerts: list[Alert],
    mono: Monograph,
) -> float | None:
    """Fit the dose to what the presentation can give: its graduation marks and the dose
    ranges its label states ("20 to 90 mg or 100 mg"). With a starting range (1–2 mg/kg) the
    smallest measurable dose inside it is chosen; otherwise the dose is rounded down, never up
    past what was computed. Nothing measurable: cannot decide, never rounded up to a mark."""
    if dose > product.strength_mg + 1e-9:
        return _measurable_containers(dose, rule, product, notes, alerts)
    high = regimen.dose_range_mg[1] if regimen.dose_range_mg is not None else dose
    up = _up(dose, product)
    fitted = up if up is not None and up <= high + 1e-9 else _down(dose, product)
    ranges = _measurable_set(product)
    stated = _ranges_text(ranges)
    if fitted is None or dose <= 0:
        smallest = ranges[0][0]
        alerts.append(
            _cannot(
                f"Dose too small to measure with {product.name}",
                f"The computed dose ({_fmt(dose)} mg) is below the smallest dose the "
                f"{product.form} can give ({_fmt(smallest)} mg; it measures {stated}). It "
                "cannot be given with this product; ask your pharmacist or prescriber.",
                "weight_kg",
                [*rule.claims, *product.claims],
            )
        )
        return None
    if abs(fitted - dose) > 1e-9:
        where = (
            f"the nearest {_fmt(product.graduation_mg)} mg mark"
            if product.graduation_mg is not None
            else "the nearest dose it can give"
        )
        within = (
            f", within the starting range {_fmt(regimen.dose_range_mg[0])}–"
            f"{_fmt(regimen.dose_range_mg[1])} mg"
            if regimen.dose_range_mg is not None and fitted > dose
            else ""
        )
        notes.append(
            f"{'Rounded up' if fitted > dose else 'Rounded down'} from {_fmt(dose)} mg to "
            f"{_fmt(fitted)} mg, {where} on the {product.form} (it measures {stated}){within}."
        )
    return fitted


def _volume(
    dose: float, product: Product, regimen: Regimen, notes: list[str], cap: float | None
) -> None:
    """The volume to draw up, to the nearest 0.01 mL that does not exceed the maximum, with the
    dose that volume actually delivers stated (rounding is never a silent under- or overdose)."""
    if product.volume_ml is None:
        notes.append(
            f"No volume is given: the source of {product.name} does not state how much solution "
            f"it holds, so the dose is in mg only (one {product.form} holds "
            f"{_fmt(product.strength_mg)} mg)."
        )
        return
    per_mg = product.volume_ml / product.strength_mg
    if dose > product.strength_mg:
        count = math.ceil(dose / product.strength_mg - 1e-9)
        rest = dose - (count - 1) * product.strength_mg
        notes.append(
            f"This dose needs more than one injection: {count} {product.form}s "
            f"({count - 1} × {_fmt(product.strength_mg)} mg in {_fmt(product.volume_ml)} mL "
            f"and {_fmt(rest)} mg in {_fmt(floor_to(rest * per_mg, 0.01))} mL). One "
            f"{product.form} holds at most {_fmt(product.strength_mg)} mg."
        )
        return
    exact = dose * per_mg
    volume = round(exact + 1e-12, 2)
    if cap is not None and volume / per_mg > cap + 1e-9:
        volume = floor_to(exact, 0.01)
    volume = min(volume, product.volume_ml)
    delivered = round(volume / per_mg, 2)
    regimen.volume_ml = volume
    regimen.delivered_dose_mg = delivered
    if abs(delivered - dose) < 0.005 or volume == product.volume_ml:
        notes.append(
            f"{_fmt(dose)} mg = {_fmt(volume)} mL of {product.name} "
            f"({_fmt(product.strength_mg)} mg/{_fmt(product.volume_ml)} mL)."
        )
        return
    change = (delivered - dose) / dose * 100
    notes.append(
        f"{_fmt(volume)} mL of {product.name} ({_fmt(product.strength_mg)} mg/"
        f"{_fmt(product.volume_ml)} mL) delivers {_fmt(delivered)} mg: the {_fmt(dose)} mg dose "
        f"is {exact:.3f} mL, which cannot be drawn to 0.01 mL, so the nearest measurable "
        f"volume gives {abs(change):.1f} % {'more' if change > 0 else 'less'}"
        + (" (still within the maximum)." if change > 0 else ".")
    )


def _kidney(
    mono: Monograph,
    rule: DoseRule,
    profile: Profile,
    regimen: Regimen,
    notes: list[str],
    refs: list[str],
    alerts: list[Alert],
) -> None:
    kidney_rules = _kidney_rules(mono, rule)
    if not kidney_rules:
        return
    assessment = kidney_function(profile)
    kidney_refs = [c for k in kidney_rules for c in k.claims]
    thresholds = ", ".join(
        f"below {k.crcl_below_ml_min:g} mL/min: {every_hours_words(k.every_hours)}"
        + (" (to consider)" if k.advisory else "")
        for k in kidney_rules
    )
    states = [assessment.below(k.crcl_below_ml_min) for k in kidney_rules]
    if not assessment.known or any(state is None for state in states):
        regimen.every_hours = None
        field = assessment.missing[0] if assessment.missing else "kidney"
        if assessment.method == "conflict":
            title = "Kidney facts contradict each other"
            ask = "Correct the profile."
        elif assessment.known:
            title = "Kidney estimate too uncertain to decide the dosing interval"
            ask = (
                f"Add {', '.join(assessment.missing)} to the profile, or a measured clearance."
                if assessment.missing
                else "A measured creatinine clearance would decide it."
            )
        else:
            title = "Kidney function needed to decide the dosing interval"
            missing = ", ".join(assessment.missing) or "kidney"
            ask = (
                f"Add {missing} to the profile (e.g. kidney: "
                "{crcl_ml_min: 80} or {severe_kidney_disease: false})."
            )
        alerts.append(
            make(
                Alert,
                dict(
                    kind="cannot-decide",
                    trigger=KIDNEY_TRIGGER,
                    severity="moderate",
                    title=title,
                    detail=(
                        f"The interval between doses depends on kidney function ({thresholds}); "
                        f"{assessment.note}. {ask}"
                    ),
                    field=field,
                    sources=list(dict.fromkeys(kidney_refs)),
                ),
            )
        )
        refs.extend(kidney_refs)
        return
    applying = [k for k, state in zip(kidney_rules, states, strict=True) if state]
    if not applying:
        limits = ", ".join(f"{k.crcl_below_ml_min:g}" for k in kidney_rules)
        # The assessment's note may say what kidney_text says ("no severe kidney disease").
        said = "; ".join(dict.fromkeys(t for t in (kidney_text(assessment), assessment.note) if t))
        notes.append(
            f"Kidney function ({said}): no change to the interval (it changes below "
            f"{limits} mL/min)."
        )
        refs.extend(kidney_refs)
        return
    chosen = max(applying, key=lambda k: (k.every_hours, -k.crcl_below_ml_min))
    base = regimen.every_hours or rule.every_hours
    described = kidney_text(assessment)
    refs.extend(chosen.claims)
    if chosen.advisory:
        # "Should consider every other day": the prescriber's choice, so no interval is fixed
        # here and the daily wording of the label is not printed beside a 48 h interval.
        regimen.every_hours = None
        options = f"{every_hours_words(base)} or {every_hours_words(chosen.every_hours)}"
        notes.append(
            f"Kidney function ({described}): the label says the prescriber should consider one "
            f"dose {every_hours_words(chosen.every_hours)} instead of {every_hours_words(base)}; "
            f"ask the prescriber which interval ({options}) applies to you."
        )
        alerts.append(
            make(
                Alert,
                dict(
                    kind="dose-adjustment",
                    trigger=KIDNEY_TRIGGER,
                    severity="moderate",
                    title=(
                        f"Kidney function: the prescriber should consider one dose "
                        f"{every_hours_words(chosen.every_hours)}"
                    ),
                    detail=(
                        f"{chosen.text} Kidney function: {described} ({assessment.note}); below "
                        f"{chosen.crcl_below_ml_min:g} mL/min the label advises considering "
                        f"{every_hours_words(chosen.every_hours)}. The interval is the "
                        "prescriber's decision."
                    ),
                    matched=described,
                    sources=list(chosen.claims),
                ),
            )
        )
        return
    regimen.every_hours = max(base, chosen.every_hours)
    notes.append(
        f"Kidney function ({described}): one dose {every_hours_words(regimen.every_hours)} "
        f"instead of {every_hours_words(base)}."
    )
    alerts.append(
        make(
            Alert,
            dict(
                kind="dose-adjustment",
                trigger=KIDNEY_TRIGGER,
                severity="moderate",
                title=f"Kidney function: one dose {every_hours_words(regimen.every_hours)}",
                detail=(
                    f"{chosen.text} Kidney function: {described} ({assessment.note}); below "
                    f"{chosen.crcl_below_ml_min:g} mL/min the interval is "
                    f"{every_hours_words(chosen.every_hours)}."
                ),
                matched=described,
                sources=list(chosen.claims),
            ),
        )
    )
