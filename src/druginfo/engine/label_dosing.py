"""A dose from the leaflet's own words, for a medicine without curated dose rules.

The leaflet's "How to use" section states doses for populations (an indication, an age or a
weight band). This module returns one only where exactly one regimen fits the person: every
bound a candidate has must be known and met (a missing age, weight or indication that would
tell candidates apart is named), per-kg doses need the weight and keep their cap. Several
fitting regimens, or none, give `cannot-decide` listing the candidates with their quotes:
a wrong dose is the worst bug, so nothing is picked silently. Curated rules, where they exist,
are used instead of this (the caller decides).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from druginfo import dose_wording
from druginfo.engine import memo
from druginfo.engine.build import make
from druginfo.engine.citations import Evidence
from druginfo.engine.kidney import KidneyAssessment, kidney_function
from druginfo.engine.leaflet_screening import _Cite, _treats, fact_basis
from druginfo.engine.matching import has_term, normalise
from druginfo.model import Alert, Monograph, Profile, Regimen, Topic
from druginfo.model.facts import Fact, FactSet, Population
from druginfo.vocab.base import Vocabulary

DOSE_TRIGGER = "dose"
MAX_LISTED = 6


@dataclass
class LabelDose:
    regimen: Regimen | None = None
    alerts: list[Alert] = field(default_factory=list)
    evidence: Evidence = field(default_factory=dict)
    candidates: int = 0


# A dose sentence that scales with weight or body surface. A fixed amount read from such a
# sentence is a misreading (the "per kg" was missed): never a regimen, whatever the reader says.
_SCALED = re.compile(
    r"(?:/|\bper\b|\bfor\s+each\b)\s*(?:kg\b|kilograms?\b|m2\b|m²|square\s+met)",
    re.IGNORECASE,
)


# A band whose comparator was lost in the document ('4 mg once a day for patients 30 kg',
# where the source's '≥' glyph did not survive): it could as well have been '<', so the dose is
# for nobody we can name and is never returned.
_BARE_BAND = re.compile(
    r"\b(?:for|in)\s+(?:patients|children|adolescents|adults|people|those)\s+(?:weighing\s+)?"
    r"\d+(?:[.,]\d+)?\s*(?:kg|kilograms?|years?)\b"
    r"(?!\s*(?:of\s+age\s+)?(?:old\s+)?(?:and\b|or\b|to\b|-|–|\+))",
    re.IGNORECASE,
)


def _usable(f: Fact) -> bool:
    amount = f.dose_mg is not None or f.dose_mg_per_kg is not None or f.dose_units is not None
    interval = f.every_hours is not None or f.times_per_day is not None
    fixed_but_scaled = f.dose_mg_per_kg is None and bool(_SCALED.search(f.quote))
    return (
        f.topic == "dose"
        and amount
        and interval
        and not fixed_but_scaled
        and not _BARE_BAND.search(f.quote)
        and not getattr(f, "as_needed", None)
    )


def _amount(f: Fact) -> tuple[str, float] | None:
    if f.dose_mg is not None:
        return ("mg", f.dose_mg)
    if f.dose_mg_per_kg is not None:
        return ("mg/kg", f.dose_mg_per_kg)
    if f.dose_units is not None:
        return ("units", f.dose_units)
    return None


def _interval(f: Fact) -> float | None:
    if f.every_hours is not None:
        return f.every_hours
    if f.times_per_day:
        return 24 / f.times_per_day
    return None


# A dose stated under a condition ("If the child responds well …, treatment may be continued
# with …") is a step the doctor takes, not the regimen to start with.
_CONDITIONAL = re.compile(
    r"^\W*(?:if|when|for\s+(?:children|patients|adults)\s+(?:given|who))\b|\bmay\b",
    re.IGNORECASE,
)


def _has_population(f: Fact) -> bool:
    pop = f.population
    # Its fields hold plain values (no nested model), so those are what model_dump gives.
    return pop is not None and any(v is not None for v in pop.__dict__.values())


def _indication_fits(wanted: str, stated: str) -> bool:
    return has_term(wanted, stated) or has_term(stated, wanted)


def _modified(f: Fact) -> bool:
    """A dose for reduced kidney function or with a named co-medication."""
    pop = f.population
    return pop is not None and (pop.crcl_below_ml_min is not None or pop.with_medicine is not None)


def _outside_ages(pop: Population, age: float) -> bool:
    """The age is below the band's lower bound or at or above its (exclusive) upper one."""
    return (pop.age_min_years is not None and age < pop.age_min_years) or (
        pop.age_max_years is not None and age >= pop.age_max_years
    )


def _fits(f: Fact, profile: Profile, kidney: KidneyAssessment) -> tuple[bool, list[str]]:
    """(fits, missing fields): a bound the profile cannot answer is missing, not passed."""
    pop = f.population
    missing: list[str] = []
    if f.dose_mg_per_kg is not None and f.dose_mg is None and profile.weight_kg is None:
        missing.append("weight_kg")
    if pop is None:
        return not missing, missing
    if pop.indication:
        if profile.indication is None:
            missing.append("indication")
        elif not _indication_fits(profile.indication, pop.indication):
            return False, []
    age = profile.age_years
    if pop.age_min_years is not None or pop.age_max_years is not None:
        if age is None:
            missing.append("age_years")
        elif _outside_ages(pop, age):
            return False, []
    weight = profile.weight_kg
    if pop.weight_min_kg is not None or pop.weight_max_kg is not None:
        if weight is None:
            missing.append("weight_kg")
        elif (pop.weight_min_kg is not None and weight < pop.weight_min_kg) or (
            pop.weight_max_kg is not None and weight >= pop.weight_max_kg
        ):
            return False, []
    if pop.crcl_below_ml_min is not None:
        below = kidney.below(pop.crcl_below_ml_min)
        if below is None:
            missing.append("kidney")
        elif not below:
            return False, []
    if pop.with_medicine is not None and not any(
        has_term(m, pop.with_medicine) for m in profile.medications
    ):
        return False, []
    return not missing, missing


@memo.by_identity()
def _describe(f: Fact) -> str:
    """A dose in words (once per fact)."""
    amount = dose_wording.amount_words(f.dose_mg, f.dose_mg_per_kg, f.dose_units)
    return dose_wording.dose_statement(
        amount, _interval(f), dose_wording.population_words(f.population)
    )


def _names_other_medicine(f: Fact, mono: Monograph, vocab: Vocabulary | None) -> bool:
    """The dose sentence names another medicine ('75 to 100 mg acetylsalicylic acid daily'):
    the amount may be that medicine's, never taken for this one's."""
    if vocab is None:
        return False
    own = {normalise(n) for n in (mono.key, mono.identity.generic, *mono.identity.substances) if n}
    own |= {normalise(b) for b in mono.identity.brands}
    resolve_all = getattr(vocab, "resolve_medications", None)
    found = list(resolve_all(f.quote)) if resolve_all else []
    return any(normalise(m.key) not in own for m in found)


_Pairs = tuple[tuple[FactSet, Fact], ...]


@memo.by_identity(objects=3)
def _candidates(
    mono: Monograph, fact_sets: Sequence[FactSet], vocab: Vocabulary | None
) -> tuple[_Pairs, _Pairs, bool]:
    """What the document offers whoever asks (read once per document): the usable doses,
    the other amounts beside them, and whether the doses differ."""
    pool = tuple(
        (fs, f)
        for fs in fact_sets
        for f in fs.facts
        if _usable(f) and not _names_other_medicine(f, mono, vocab)
    )
    if not pool:
        return (), (), False
    # Other amounts stated beside these doses ('Day 1: 125 mg', a starting dose, a
    # titration step) without an interval or a population: the regimen is more than one
    # number, so none is returned alone.
    sections = {f.section for _, f in pool}
    values = {_amount(f) for _, f in pool}
    steps = tuple(
        (fs, f)
        for fs in fact_sets
        for f in fs.facts
        if f.topic == "dose"
        and not _usable(f)
        and f.section in sections
        and _amount(f) is not None
        and _amount(f) not in values
        and not _has_population(f)
        and not getattr(f, "as_needed", None)
        and not _CONDITIONAL.search(f.quote)
        and not _BARE_BAND.search(f.quote)  # named by `_unreadable_bands` instead
    )
    several = len({(f.dose_mg, f.dose_mg_per_kg, f.dose_units, _interval(f)) for _, f in pool}) > 1
    return pool, steps, several


def _uses(mono: Monograph, fact_sets: Sequence[FactSet]) -> tuple[list[Fact], list[str]]:
    """What the leaflet says it is for: its indication facts and its indication sentences."""
    facts = [f for fs in fact_sets for f in fs.facts if f.topic == "indication" and f.condition]
    quotes = [c.quote for c in mono.claims if c.topic is Topic.indication]
    return facts, quotes


@memo.by_identity(objects=2)
def _names_use(mono: Monograph, fact_sets: Sequence[FactSet], indication: str) -> bool:
    """The person's indication is one the leaflet names (as a use or a dose's population).

    A leaflet that names no use we can read says nothing against it; the leaflet's own words
    count besides the vocabulary, so a use the vocabulary lacks is not refused."""
    facts, quotes = _uses(mono, fact_sets)
    if not facts and not quotes:
        return True
    if any(_treats(indication, f.condition or "") for f in facts):
        return True
    if any(has_term(q, indication) for q in quotes):
        return True
    return any(
        f.population is not None
        and f.population.indication
        and _indication_fits(indication, f.population.indication)
        for fs in fact_sets
        for f in fs.facts
        if f.topic == "dose"
    )


def _not_a_use(
    mono: Monograph, fact_sets: Sequence[FactSet], indication: str, cite: _Cite
) -> Alert:
    """No leaflet dose for a use the leaflet does not name: its doses are for its own uses, and
    the one that 'fits' an unnamed use only because it names none would be a guess."""
    facts, _ = _uses(mono, fact_sets)
    named = list(dict.fromkeys(f.condition for f in facts if f.condition))[:8]
    pairs = [(fs, f) for fs in fact_sets for f in fs.facts if f.topic == "indication"][:3]
    return make(
        Alert,
        dict(
            kind="cannot-decide",
            trigger="dose",
            severity="high",
            title=f"Dose of {mono.identity.generic}: the leaflet gives none for {indication}",
            detail=(
                f"The leaflet does not name '{indication}' among its uses"
                + (f" (it names: {', '.join(named)})" if named else "")
                + ". It gives no dose for it; only your prescriber can. If the use has another "
                "name, give that as 'indication'."
            ),
            field="indication",
            sources=[cite(fs, f) for fs, f in pairs],
        ),
    )


@memo.by_identity()
def _pool_read(candidates: _Pairs) -> tuple[tuple[FactSet, Fact, bool, bool], ...]:
    """Each usable dose with whether it names whom it is for and whether it is a conditional
    step (once per document's doses)."""
    return tuple(
        (fs, f, _has_population(f), bool(_CONDITIONAL.search(f.quote))) for fs, f in candidates
    )


@memo.by_identity(objects=3)
def _unreadable_bands(
    mono: Monograph, fact_sets: Sequence[FactSet], vocab: Vocabulary | None
) -> _Pairs:
    """Dose sentences set aside because their band lost its comparison (`_BARE_BAND`): never
    a dose, but named when the check cannot decide, since one of them may be this person's
    (read once per document)."""
    return tuple(
        (fs, f)
        for fs in fact_sets
        for f in fs.facts
        if f.topic == "dose"
        and _amount(f) is not None
        and _BARE_BAND.search(f.quote)
        and not _names_other_medicine(f, mono, vocab)
    )


_BAND_IN_YEARS = re.compile(r"\d\s*years?\b", re.IGNORECASE)


def _may_apply(f: Fact, profile: Profile) -> bool:
    """Whether a dose sentence whose band is unreadable may be this person's: only an age
    or a use the sentence states elsewhere (its heading, another clause) rules the person
    out; its weight, or its age when the lost band is in years, is not known."""
    pop = f.population
    if pop is None:
        return True
    if (
        pop.indication
        and profile.indication is not None
        and not _indication_fits(profile.indication, pop.indication)
    ):
        return False
    age = profile.age_years
    if age is None or _BAND_IN_YEARS.search(f.quote):
        return True
    return not _outside_ages(pop, age)


def _unreadable_words(lost: Sequence[tuple[FactSet, Fact]]) -> str:
    if not lost:
        return ""
    quoted = "; ".join(f'"{f.quote.strip().rstrip(".")}"' for _, f in lost)
    return (
        f". Whom {'this sentence is' if len(lost) == 1 else 'these sentences are'} for cannot "
        f"be read (the sign before the weight or age, such as ≥ or <, is missing from the "
        f"leaflet's text), so {'it' if len(lost) == 1 else 'they'} may be yours: {quoted}"
    )


def label_dose(
    mono: Monograph,
    fact_sets: Sequence[FactSet],
    profile: Profile,
    vocab: Vocabulary | None = None,
) -> LabelDose:
    """`vocab`: to recognise a dose sentence that is about another medicine (then skipped)."""
    out = LabelDose()
    cite = _Cite(mono, out.evidence)
    candidates, step_facts, several = _candidates(mono, fact_sets, vocab)
    pool = list(candidates)
    out.candidates = len(pool)
    lost = [p for p in _unreadable_bands(mono, fact_sets, vocab) if _may_apply(p[1], profile)]
    lost = lost[:MAX_LISTED]
    if not pool:
        if lost:
            out.alerts.append(_only_unreadable(mono, lost, cite))
        return out
    steps = list(step_facts)
    if profile.indication and not _names_use(mono, fact_sets, profile.indication):
        out.alerts.append(_not_a_use(mono, fact_sets, profile.indication, cite))
        return out
    kidney = kidney_function(profile)
    fitting: list[tuple[FactSet, Fact]] = []
    missing: list[str] = []
    unsure: list[tuple[FactSet, Fact]] = []
    for fs, f, populated, conditional in _pool_read(candidates):
        if not populated:
            if conditional:
                continue  # a step the doctor takes ('if … may be continued with …')
            if several:
                # Among several regimens, one that says nothing of whom it is for might be
                # this person's: it cannot be ruled out, so nothing is picked.
                unsure.append((fs, f))
                continue
        ok, need = _fits(f, profile, kidney)
        if ok:
            fitting.append((fs, f))
        missing.extend(need)
    if any(_modified(f) for _, f in fitting):
        # A reduced dose for this person's kidneys or co-medication replaces the usual one.
        fitting = [(fs, f) for fs, f in fitting if _modified(f)]
    maintenance = [(fs, f) for fs, f in fitting if f.phase != "loading"]
    loading = [(fs, f) for fs, f in fitting if f.phase == "loading"]
    distinct = {(f.dose_mg, f.dose_mg_per_kg, f.dose_units, _interval(f)) for _, f in maintenance}
    generic = mono.identity.generic
    unsure += steps
    if len(distinct) == 1 and not missing and not unsure and not lost:
        fs, f = maintenance[0]
        notes = [f'The leaflet says: "{f.quote.strip()}"']
        notes += [
            f'Loading dose first — the leaflet says: "{lf.quote.strip()}"' for _, lf in loading
        ]
        dose = f.dose_mg
        capped = False
        if dose is None and f.dose_mg_per_kg is not None and profile.weight_kg is not None:
            dose = round(f.dose_mg_per_kg * profile.weight_kg, 2)
            if f.max_dose_mg is not None and dose > f.max_dose_mg:
                dose, capped = f.max_dose_mg, True
        if capped and f.max_dose_mg is not None:
            notes.append(dose_wording.capped_note(f.max_dose_mg))
        if dose is None and f.dose_units is not None:
            notes.insert(0, dose_wording.units_note(f.dose_units))
        hours = _interval(f)
        notes.append(
            "Read by machine from the leaflet, not checked by a person: confirm with your "
            "prescriber or pharmacist."
        )
        out.regimen = make(
            Regimen,
            dict(
                dose_mg=dose,
                every_hours=round(hours) if hours is not None else None,
                route=f.route,
                max_dose_mg=f.max_dose_mg,
                indication=f.population.indication if f.population else None,
                notes=notes,
                sources=[cite(fs, f), *(cite(lfs, lf) for lfs, lf in loading)],
                basis=fact_basis(fs),
            ),
        )
        return out
    listed_all = [*maintenance, *unsure] or list(pool)
    by_words: dict[str, tuple[FactSet, Fact]] = {}
    for fs, f in listed_all:
        by_words.setdefault(_describe(f), (fs, f))
    listed = list(by_words.values())[:MAX_LISTED]
    need = sorted(set(missing))
    if need:
        reason = "the profile does not give " + ", ".join(need)
    elif unsure:
        reason = "the leaflet gives several doses or steps and does not say which is for whom"
    elif not maintenance:
        reason = "no dose in the leaflet fits this profile"
    elif lost and len(distinct) == 1:
        reason = "one dose fits this profile, but another dose sentence may be for you too"
    else:
        reason = "the leaflet gives several doses that fit this profile"
    out.alerts.append(
        make(
            Alert,
            dict(
                kind="cannot-decide",
                trigger=DOSE_TRIGGER,
                severity="high" if need else "moderate",
                title=f"Dose of {generic}: cannot decide from the leaflet",
                detail=(
                    f"The leaflet's doses ({reason}): "
                    + "; ".join(_describe(f) for _, f in listed)
                    + _unreadable_words(lost)
                    + ". Your prescriber decides which applies."
                ),
                field=need[0] if need else None,
                sources=list(dict.fromkeys(cite(fs, f) for fs, f in [*listed, *lost])),
                basis=fact_basis(listed[0][0]),
            ),
        )
    )
    return out


def _only_unreadable(mono: Monograph, lost: Sequence[tuple[FactSet, Fact]], cite: _Cite) -> Alert:
    """Every dose sentence of the leaflet lost its band's comparison: no dose, and why."""
    return make(
        Alert,
        dict(
            kind="cannot-decide",
            trigger=DOSE_TRIGGER,
            severity="moderate",
            title=f"Dose of {mono.identity.generic}: cannot decide from the leaflet",
            detail=(
                "The leaflet gives its doses for a weight or an age"
                + _unreadable_words(lost)
                + ". Your prescriber decides which applies."
            ),
            sources=list(dict.fromkeys(cite(fs, f) for fs, f in lost)),
            basis=fact_basis(lost[0][0]),
        ),
    )
