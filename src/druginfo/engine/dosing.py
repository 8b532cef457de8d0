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

import math
from collections.abc import Sequence

from druginfo.engine.citations import document_refs
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
    Severity,
    Topic,
)
from druginfo.wording import every_hours_words

DOSE_TRIGGER = "dose"
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
    return Alert(
        kind="cannot-decide",
        trigger=DOSE_TRIGGER,
        severity=severity,
        title=title,
        detail=detail,
        field=field,
        sources=list(dict.fromkeys(refs)),
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
    """The dose rule for the profile's indication and age, or alerts saying why there is none."""
    generic = mono.identity.generic
    rules = mono.dose_rules
    if not rules:
        refs = document_refs(mono, (Topic.dosing,))
        return None, [
            _cannot(
                f"No curated dose rules for {generic}",
                f"No curated dose rules for {generic}; follow the label and your prescriber.",
                None,
                refs,
                severity="moderate",
            )
        ]
    dosed: list[str] = list(dict.fromkeys(r.indication for r in rules))
    names = {i.id: i.name for i in mono.indications}
    dosed_names = ", ".join(names.get(i, i) for i in dosed)
    if profile.indication is None:
        if len(dosed) > 1:
            return None, [
                _cannot(
                    "Indication needed to choose the dose",
                    f"The dose of {generic} depends on what it is used for ({dosed_names}); "
                    "add 'indication' to the profile.",
                    "indication",
                    _rule_refs(rules),
                )
            ]
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
            return None, [
                _cannot(
                    f"No dose for indication {profile.indication!r}",
                    f"{profile.indication!r} {why} {generic}. Dosed indications: {dosed_names}. "
                    f"Known indications: {known}. Ask your prescriber for the dose.",
                    "indication",
                    _rule_refs(rules),
                )
            ]
        indication_id = ind.id
    candidates = [r for r in rules if r.indication == indication_id]
    name = names.get(indication_id, indication_id)
    banded = any(r.age_min_years is not None or r.age_max_years is not None for r in candidates)
    if banded and profile.age_years is None:
        bands = "; ".join(_band(r) for r in candidates)
        return None, [
            _cannot(
                "Age needed to choose the dose",
                f"The dose of {generic} for {name} depends on age ({bands}); add 'age_years' "
                "to the profile.",
                "age_years",
                _rule_refs(candidates),
            )
        ]
    if profile.age_years is not None:
        age = profile.age_years
        in_band = [
            r
            for r in candidates
            if (r.age_min_years is None or age >= r.age_min_years)
            and (r.age_max_years is None or age < r.age_max_years)
        ]
        if not in_band:
            bands = "; ".join(_band(r) for r in candidates)
            return None, [
                _cannot(
                    f"No dose for age {age:g} for {name}",
                    f"The curated doses of {generic} for {name} cover {bands}, not age "
                    f"{age:g}. Ask the prescriber.",
                    "age_years",
                    _rule_refs(candidates),
                )
            ]
        candidates = in_band
    return candidates[0], []


def _product(mono: Monograph, rule: DoseRule) -> Product | None:
    if rule.product is not None:
        return next((p for p in mono.products if p.id == rule.product), None)
    return mono.products[0] if len(mono.products) == 1 else None


def _kidney_rules(mono: Monograph, rule: DoseRule) -> list[KidneyRule]:
    return [k for k in mono.kidney_rules if not k.applies_to or rule.id in k.applies_to]


def compute_regimen(mono: Monograph, profile: Profile) -> tuple[Regimen | None, list[Alert]]:
    """Regimen (or None) and the dose alerts: cannot-decide reasons, kidney adjustments."""
    rule, alerts = choose_rule(mono, profile)
    if rule is None:
        return None, alerts
    product = _product(mono, rule)
    refs: list[str] = [*rule.claims, *(c for n in rule.notes for c in n.claims)]
    notes: list[str] = []
    ind = next((i for i in mono.indications if i.id == rule.indication), None)
    regimen = Regimen(
        every_hours=rule.every_hours,
        route=rule.route,
        indication=ind.name if ind is not None else rule.indication,
    )
    weight = profile.weight_kg
    needs_weight = rule.basis == "per-kg" or rule.max_mg_per_kg_day is not None
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
    if dose is not None and product is not None:
        refs.extend(product.claims)
        dose = _measurable(dose, rule, product, regimen, notes, alerts, mono)
    if dose is not None and product is not None:
        _volume(dose, product, regimen, notes)
        if regimen.volume_ml is not None and regimen.volume_ml < MIN_VOLUME_ML:
            # Rounded down to a volume no syringe measures: never present "0 mL" as a dose.
            alerts.append(
                _cannot(
                    f"Dose too small to measure with {product.name}",
                    f"The computed dose ({_fmt(dose)} mg) is {_fmt(dose * product.volume_ml / product.strength_mg)} mL "
                    f"of the {product.form}, too little to measure. It cannot be given with this "
                    "product; ask your pharmacist or prescriber.",
                    "weight_kg",
                    [*rule.claims, *product.claims],
                )
            )
            regimen.volume_ml = None
            notes.clear()
            dose = None
        elif (
            regimen.volume_ml is not None
            and dose < product.strength_mg
            and product.graduation_mg is None
            and product.min_measurable_mg is None
        ):
            notes.append(
                f"Only part of the {product.form} is injected. The markings of the {product.form} "
                "are not in our sources: have your nurse or pharmacist show you the mark for "
                f"{_fmt(regimen.volume_ml)} mL before the first dose."
            )
    if dose is not None:
        regimen.dose_mg = dose
    _kidney(mono, rule, profile, regimen, notes, refs, alerts)
    regimen.notes = [*notes, *(n.text for n in rule.notes)]
    regimen.sources = list(dict.fromkeys(refs))
    return regimen, alerts


def _daily_cap(rule: DoseRule, weight: float | None) -> float | None:
    caps = [rule.max_dose_mg] if rule.max_dose_mg is not None else []
    if rule.max_mg_per_kg_day is not None and weight is not None:
        caps.append(rule.max_mg_per_kg_day * weight)
    return min(caps) if caps else None


def per_dose_cap(rule: DoseRule, weight: float | None) -> float | None:
    """The daily maximum as a per-administration cap (shared out when dosed more than daily)."""
    daily = _daily_cap(rule, weight)
    if daily is None:
        return None
    return daily * min(1.0, rule.every_hours / 24)


def _dose(rule: DoseRule, weight: float | None, regimen: Regimen, notes: list[str]) -> float:
    cap = per_dose_cap(rule, weight)
    regimen.max_dose_mg = _daily_cap(rule, weight)
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
        notes.append(
            f"Weight-based dose: starting dose {per_kg} mg/kg × {_fmt(weight)} kg = "
            f"{_fmt(regimen.dose_range_mg[0])}–{_fmt(regimen.dose_range_mg[1])} mg; the lowest "
            "starting dose is shown, your prescriber sets the exact dose."
        )
        dose = low
    if regimen.max_dose_mg is not None:
        per_kg_text = (
            f" ({_fmt(rule.max_mg_per_kg_day)} mg/kg/day)"
            if rule.max_mg_per_kg_day is not None and weight is not None
            else ""
        )
        notes.append(f"Maximum {_fmt(regimen.max_dose_mg)} mg a day{per_kg_text}.")
    if cap is not None and dose > cap:
        notes.append(f"Dose limited to the maximum of {_fmt(cap)} mg.")
        dose = cap
    return floor_to(dose, 0.01)


def _measurable(
    dose: float,
    rule: DoseRule,
    product: Product,
    regimen: Regimen,
    notes: list[str],
    alerts: list[Alert],
    mono: Monograph,
) -> float | None:
    """Round down to what the syringe can measure; below its smallest mark: cannot decide."""
    if product.graduation_mg is not None:
        rounded = floor_to(dose, product.graduation_mg)
        if rounded != dose:
            notes.append(
                f"Rounded down from {_fmt(dose)} mg to {_fmt(rounded)} mg, the nearest "
                f"{_fmt(product.graduation_mg)} mg mark on the {product.form}."
            )
        dose = rounded
    smallest = product.min_measurable_mg or product.graduation_mg
    if dose <= 0 or (smallest is not None and dose < smallest):
        alerts.append(
            _cannot(
                f"Dose too small to measure with {product.name}",
                f"The computed dose ({_fmt(dose)} mg) is below the smallest dose the "
                f"{product.form} can measure ({_fmt(smallest or 0)} mg). It cannot be given "
                "with this product; ask your pharmacist or prescriber.",
                "weight_kg",
                [*rule.claims, *product.claims],
            )
        )
        return None
    return dose


def _volume(dose: float, product: Product, regimen: Regimen, notes: list[str]) -> None:
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
    regimen.volume_ml = floor_to(dose * per_mg, 0.01)
    notes.append(
        f"{_fmt(dose)} mg = {_fmt(regimen.volume_ml)} mL of {product.name} "
        f"({_fmt(product.strength_mg)} mg/{_fmt(product.volume_ml)} mL)."
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
    if not assessment.known:
        regimen.every_hours = None
        thresholds = ", ".join(
            f"below {k.crcl_below_ml_min:g} mL/min: {every_hours_words(k.every_hours)}"
            for k in kidney_rules
        )
        field = assessment.missing[0] if assessment.missing else "kidney"
        missing = ", ".join(assessment.missing) or "kidney"
        alerts.append(
            Alert(
                kind="cannot-decide",
                trigger=KIDNEY_TRIGGER,
                severity="moderate",
                title="Kidney function needed to decide the dosing interval",
                detail=(
                    f"The interval between doses depends on kidney function ({thresholds}); "
                    f"{assessment.note}. Add {missing} to the profile (e.g. kidney: "
                    "{crcl_ml_min: 80} or {severe_kidney_disease: false})."
                ),
                field=field,
                sources=list(dict.fromkeys(kidney_refs)),
            )
        )
        refs.extend(kidney_refs)
        return
    applying = [k for k in kidney_rules if assessment.below(k.crcl_below_ml_min)]
    if not applying:
        limits = ", ".join(f"{k.crcl_below_ml_min:g}" for k in kidney_rules)
        notes.append(
            f"Kidney function ({kidney_text(assessment)}): no change to the interval "
            f"(it changes below {limits} mL/min)."
        )
        refs.extend(kidney_refs)
        return
    chosen = max(applying, key=lambda k: (k.every_hours, -k.crcl_below_ml_min))
    base = regimen.every_hours or rule.every_hours
    regimen.every_hours = max(base, chosen.every_hours)
    described = kidney_text(assessment)
    notes.append(
        f"Kidney function ({described}): one dose {every_hours_words(regimen.every_hours)} instead of "
        f"{every_hours_words(base)}."
    )
    refs.extend(chosen.claims)
    alerts.append(
        Alert(
            kind="dose-adjustment",
            trigger=KIDNEY_TRIGGER,
            severity="moderate",
            title=f"Kidney function: one dose {every_hours_words(regimen.every_hours)}",
            detail=(
                f"{chosen.text} Kidney function: {described} ({assessment.note}); below "
                f"{chosen.crcl_below_ml_min:g} mL/min the interval is {every_hours_words(chosen.every_hours)}."
            ),
            matched=described,
            sources=list(chosen.claims),
        )
    )
