"""Which dose rules fit one person, once indication and age have narrowed them down.

Three things are decided here, each by data and never by picking the first rule in a file:
- the weight band: a banded rule needs a weight (missing → cannot-decide naming `weight_kg`),
  and a weight no band covers is said, with the bands, rather than dosed by the nearest one;
- the phases: loading doses go with the maintenance rule of the same band;
- the choice between regimens: two maintenance rules fitting the same person are alternatives
  the source offers (etanercept "25 mg twice a week or 50 mg once a week"). Unless exactly one is
  marked `usual`, the answer is cannot-decide listing each candidate with its quotes; the
  prescriber chooses, the engine does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from druginfo.engine import memo
from druginfo.engine.build import make
from druginfo.model import Alert, DoseRule, Monograph, Profile
from druginfo.wording import every_hours_words, number

DOSE_TRIGGER = "dose"


@dataclass
class Selection:
    """The rule to dose by (None: undecided), its loading doses, and what it was chosen over."""

    rule: DoseRule | None
    loading: list[DoseRule] = field(default_factory=list)
    alternatives: list[DoseRule] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)


def cannot(title: str, detail: str, field_name: str | None, refs: Sequence[str]) -> Alert:
    return make(
        Alert,
        dict(
            kind="cannot-decide",
            trigger=DOSE_TRIGGER,
            severity="high",
            title=title,
            detail=detail,
            field=field_name,
            sources=list(dict.fromkeys(refs)),
        ),
    )


def rule_refs(rules: Sequence[DoseRule]) -> list[str]:
    return list(dict.fromkeys(c for r in rules for c in r.claims))


def weight_band_words(rule: DoseRule) -> str:
    """The band as the leaflets write it: '10 kg to less than 30 kg', 'more than 40 kg'."""
    lo, hi = rule.weight_min_kg, rule.weight_max_kg
    if lo is None and hi is None:
        return "any weight"
    if lo is not None and hi is not None:
        start = f"more than {number(lo)} kg" if rule.weight_min_exclusive else f"{number(lo)} kg"
        end = f"{number(hi)} kg" if rule.weight_max_inclusive else f"less than {number(hi)} kg"
        joiner = " and up to " if rule.weight_min_exclusive else " to "
        return start + joiner + end
    if lo is not None:
        return (
            f"more than {number(lo)} kg"
            if rule.weight_min_exclusive
            else f"{number(lo)} kg or more"
        )
    assert hi is not None
    return f"up to {number(hi)} kg" if rule.weight_max_inclusive else f"less than {number(hi)} kg"


def amount_words(rule: DoseRule) -> str:
    if rule.basis == "fixed":
        assert rule.dose_mg is not None
        return f"{number(rule.dose_mg)} mg"
    assert rule.start_mg_per_kg_min is not None
    low, high = rule.start_mg_per_kg_min, rule.start_mg_per_kg_max
    per_kg = number(low) + (f"–{number(high)}" if high and high != low else "")
    return f"{per_kg} mg/kg"


def schedule_words(rule: DoseRule) -> str:
    if rule.phase == "loading":
        return f"on day {rule.day}" + (" (if the prescriber chooses)" if rule.optional else "")
    if rule.schedule == "once":
        return "as a single dose"
    if rule.schedule == "as-needed":
        assert rule.min_interval_hours is not None
        return f"when needed, at least {hours_words(rule.min_interval_hours)} apart"
    return every_hours_words(rule.every_hours)


def hours_words(hours: int) -> str:
    """A minimum gap in words: '12 weeks', '3 days', '8 hours'."""
    if hours % 168 == 0:
        weeks = hours // 168
        return f"{weeks} week" + ("" if weeks == 1 else "s")
    if hours % 24 == 0:
        days = hours // 24
        return f"{days} day" + ("" if days == 1 else "s")
    return f"{hours} hour" + ("" if hours == 1 else "s")


def rule_words(rule: DoseRule) -> str:
    """One candidate in words: '20 mg every 336 hours (every two weeks), 10 kg to less than 30
    kg'."""
    text = f"{amount_words(rule)} {schedule_words(rule)}"
    if rule.weight_banded:
        text += f", {weight_band_words(rule)}"
    return text


def quoted(mono: Monograph, rules: Sequence[DoseRule]) -> str:
    """The sources' own words for these rules, each quote once."""
    quotes = []
    for claim_id in rule_refs(rules):
        try:
            quotes.append(f"“{' '.join(mono.claim(claim_id).quote.split())}”")
        except KeyError:
            continue
    return " ".join(dict.fromkeys(quotes))


def _by_weight(
    mono: Monograph, profile: Profile, rules: list[DoseRule], what: str
) -> tuple[list[DoseRule], list[Alert]]:
    banded = [r for r in rules if r.weight_banded]
    if not banded:
        return rules, []
    weight = profile.weight_kg
    if weight is not None:
        fitting = [r for r in rules if r.fits_weight(weight)]
        if fitting:
            return fitting, []
    # The bands in words, for the alert (only a weight that is missing or fits none needs them).
    bands = "; ".join(
        dict.fromkeys(
            f"{weight_band_words(r)}: {amount_words(r)} {schedule_words(r)}" for r in banded
        )
    )
    if weight is None:
        return [], [
            cannot(
                "Weight needed to choose the dose",
                f"The dose of {what} depends on body weight ({bands}); add 'weight_kg' to the "
                'profile (e.g. "20 kg" or "44 lb").',
                "weight_kg",
                rule_refs(banded),
            )
        ]
    return [], [
        cannot(
            f"No dose for a weight of {number(weight)} kg",
            f"The curated doses of {what} cover {bands}, not {number(weight)} kg. "
            "Ask the prescriber for the dose.",
            "weight_kg",
            rule_refs(rules),
        )
    ]


def _one_of(
    mono: Monograph, rules: list[DoseRule], what: str, which: str
) -> tuple[DoseRule | None, list[DoseRule], list[Alert]]:
    """The single rule, the one marked usual among several, or cannot-decide listing them."""
    if len(rules) == 1:
        return rules[0], [], []
    usual = [r for r in rules if r.usual]
    if len(usual) == 1:
        return usual[0], [r for r in rules if r is not usual[0]], []
    positions = _positions(mono)
    places = tuple(positions.get(id(r), -1) for r in rules)
    if -1 in places:  # not the document's own rules: nothing to remember them by
        title, detail, refs = _several_words(mono, rules, what, which)
    else:
        title, detail, refs = _several_remembered(mono, places, what, which)
    return None, [], [cannot(title, detail, None, refs)]


@memo.by_identity()
def _positions(mono: Monograph) -> dict[int, int]:
    """Where each of a document's dose rules is in its list, by the rule's identity."""
    return {id(r): i for i, r in enumerate(mono.dose_rules)}


@memo.by_identity()
def _several_remembered(
    mono: Monograph, places: tuple[int, ...], what: str, which: str
) -> tuple[str, str, list[str]]:
    """`_several_words` for rules of the document (by their places in it), made once:
    quoting the sources is the dearest part of a check that meets several regimens."""
    return _several_words(mono, [mono.dose_rules[i] for i in places], what, which)


def _several_words(
    mono: Monograph, rules: list[DoseRule], what: str, which: str
) -> tuple[str, str, list[str]]:
    listed = "; ".join(f"({i}) {rule_words(r)}" for i, r in enumerate(rules, 1))
    return (
        f"Several {which} for {what}: the prescriber chooses",
        f"The sources give {len(rules)} {which} for {what}: {listed}. "
        f"None is marked as the usual one, so none is chosen here; ask the prescriber "
        f"which applies to you. The sources say: {quoted(mono, rules)}",
        rule_refs(rules),
    )


def select(mono: Monograph, profile: Profile, candidates: list[DoseRule], what: str) -> Selection:
    """Narrow the rules of one indication and age band down to one regimen, or say why not.

    `what` names the medicine and indication in messages ('adalimumab for uveitis').
    """
    fitting, alerts = _by_weight(mono, profile, candidates, what)
    if alerts:
        return Selection(None, alerts=alerts)
    maintenance = [r for r in fitting if r.phase == "maintenance"]
    loading: list[DoseRule] = []
    for day in sorted({r.day or 0 for r in fitting if r.phase == "loading"}):
        on_day = [r for r in fitting if r.phase == "loading" and (r.day or 0) == day]
        fixed = [r for r in on_day if not r.optional]
        if len(fixed) > 1:
            chosen, _, why = _one_of(mono, fixed, what, f"first doses on day {day}")
            if chosen is None:
                return Selection(None, alerts=why)
            fixed = [chosen]
        loading.extend([*fixed, *(r for r in on_day if r.optional)])
    if not maintenance:
        return Selection(None, loading=loading)
    rule, alternatives, why = _one_of(mono, maintenance, what, "regimens")
    if rule is None:
        return Selection(None, alerts=why)
    return Selection(rule, loading=loading, alternatives=alternatives)


def alternative_notes(rules: Sequence[DoseRule]) -> list[str]:
    if not rules:
        return []
    listed = "; ".join(rule_words(r) for r in rules)
    return [
        "The sources also give "
        + ("this regimen" if len(rules) == 1 else "these regimens")
        + f": {listed}. The usual one is shown; the prescriber may choose another."
    ]
