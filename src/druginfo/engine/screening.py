"""Contraindications, interactions and warnings: a monograph's screening rules on a profile.

Nothing is dropped silently: a rule whose needed facts are missing becomes a `cannot-decide`
alert naming the field; a medication the vocabulary does not know becomes a `cannot-decide`
alert naming the medication (it could belong to a class that must not be combined); a planned
vaccine that is not recognised makes a vaccine rule undecided (it could be live).

Alerts cite *references* (claim ids, `source:<id>`, or evidence ids; see `citations`);
`check` turns them into S-keys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from druginfo.engine import memo
from druginfo.engine.build import make
from druginfo.engine.citations import Evidence, document_refs, external, fallback_refs
from druginfo.engine.matching import (
    Context,
    has_term,
    rule_plans,
    rules_that_cannot_hold,
    run_steps,
    settled_no,
)
from druginfo.model import (
    Alert,
    InteractionPair,
    Monograph,
    Profile,
    ScreeningRule,
    Severity,
    Source,
    SourceKind,
    Topic,
)
from druginfo.vocab.base import Vocabulary

LEVEL_SEVERITY: Mapping[str, Severity] = {
    "major": "high",
    "moderate": "moderate",
    "minor": "low",
    "unknown": "low",
}
INTERACTION_TRIGGER = "drug-interaction"
UNKNOWN_MEDICATION_TRIGGER = "unknown-medication"
NO_SCREENING_TRIGGER = "no-screening-rules"


@dataclass
class Screening:
    """Alerts plus what `check` needs to cite them and to merge table interactions."""

    alerts: list[Alert] = field(default_factory=list)
    evidence: Evidence = field(default_factory=dict)
    # Index into `alerts` → generic names of the medications that made the rule fire.
    med_keys: dict[int, set[str]] = field(default_factory=dict)


def rule_alert(rule: ScreeningRule, matched: str | None, refs: Sequence[str]) -> Alert:
    avoid = None
    if rule.avoid is not None:
        what = "live vaccine" if rule.avoid == "vaccine" else "do not combine"
        avoid = f"{matched} ({what})" if matched else rule.title
    return make(
        Alert,
        dict(
            kind=rule.kind,
            trigger=rule.trigger,
            severity=rule.severity,
            title=rule.title,
            detail=rule.detail,
            matched=matched,
            sources=list(dict.fromkeys([*rule.claims, *refs])),
            blocking=rule.blocking,
            avoid=avoid,
            avoid_kind=rule.avoid,
        ),
    )


def undecided_alert(rule: ScreeningRule, missing: list[str], matched: str | None) -> Alert:
    """The rule could apply, but a fact it needs is missing: ask for it, cite the rule."""
    fields = ", ".join(missing)
    what = {
        "planned_vaccines": (
            f"the planned vaccine(s) {matched} could not be identified, so we cannot tell "
            "whether they are live vaccines"
        ),
        "conditions": (
            f"the condition(s) {matched} may mean it applies now (a possible or recurring "
            "condition, or a sign such as fever): ask the doctor whether it is present now, "
            "and do not start until that is known"
        ),
    }.get(missing[0], f"the profile does not give {fields}")
    title = f"Cannot check: {rule.title}"
    if missing[0] == "conditions":
        title = f"To confirm before starting: {rule.title}"
    return make(
        Alert,
        dict(
            kind="cannot-decide",
            trigger=rule.trigger,
            severity=rule.severity,
            title=title,
            detail=f"{rule.title} depends on {fields}, and {what}. Rule: {rule.detail}",
            matched=matched if missing[0] in ("planned_vaccines", "conditions") else None,
            field=missing[0],
            sources=list(rule.claims),
        ),
    )


@memo.by_identity()
def _no_rules_refs(mono: Monograph) -> tuple[str, ...]:
    """What a document without screening rules cites for it (once per document)."""
    return tuple(document_refs(mono, (Topic.contraindication, Topic.warning, Topic.interaction)))


def no_rules_alert(mono: Monograph) -> Alert:
    """A document without screening rules (an ingested leaflet) was not screened: say so."""
    generic = mono.identity.generic
    return make(
        Alert,
        dict(
            kind="cannot-decide",
            trigger=NO_SCREENING_TRIGGER,
            severity="moderate",
            title=f"No curated safety rules for {generic}",
            detail=(
                f"We have no curated contraindication, interaction or warning rules for {generic}, "
                "so this profile was not screened against them. Read the label's warnings and ask "
                "your doctor or pharmacist."
            ),
            sources=list(_no_rules_refs(mono)),
        ),
    )


def _medication_rules(mono: Monograph) -> list[ScreeningRule]:
    return [
        r for r in mono.screening if r.match.medication_classes_any or r.match.medication_names_any
    ]


@memo.by_identity()
def _medication_rule_summary(mono: Monograph) -> tuple[bool, tuple[str, ...], str]:
    """(any medication rule, what to cite, the classes checked in words): per document."""
    med_rules = _medication_rules(mono)
    refs = [c for r in med_rules for c in r.claims] or fallback_refs(mono, (Topic.interaction,))
    checked = sorted({t for r in med_rules for t in r.match.medication_classes_any})
    against = f" (e.g. for {', '.join(checked)})" if checked else ""
    return bool(med_rules), tuple(dict.fromkeys(refs)), against


def _unknown_medication_alerts(ctx: Context, has_table: bool) -> list[Alert]:
    """An unrecognised medicine could be one that must not be combined: never skip it."""
    unknown = [m for m in ctx.meds if m.match is None and m.vaccine is None]
    if not unknown:
        return []
    has_rules, refs, against = _medication_rule_summary(ctx.mono)
    severity: Severity = "moderate" if has_rules or has_table else "low"
    alerts = []
    for med in unknown:
        alerts.append(
            make(
                Alert,
                dict(
                    kind="cannot-decide",
                    trigger=UNKNOWN_MEDICATION_TRIGGER,
                    severity=severity,
                    title=f"Unknown medicine {med.text!r} not screened",
                    detail=(
                        f"We do not recognise the medicine {med.text!r}, so it was not checked for "
                        f"interactions with {ctx.mono.identity.generic}{against}. Check the "
                        "spelling, use the generic name, or ask your pharmacist."
                    ),
                    matched=med.text,
                    field="medications",
                    sources=list(refs),
                ),
            )
        )
    return alerts


def _table_source(pair: InteractionPair, sources: Mapping[str, Source]) -> Source:
    src = sources.get(pair.source)
    if src is not None:
        return src
    return Source(
        id=pair.source,
        publisher=pair.source,
        document=f"{pair.source} interaction table",
        kind=SourceKind.curated,
    )


def _pair_quote(pair: InteractionPair) -> str:
    return f"{pair.drug_a.title()} – {pair.drug_b.title()}: {pair.level.title()}"


def _interaction_alerts(
    ctx: Context,
    result: Screening,
    interactions: Sequence[InteractionPair],
    sources: Mapping[str, Source],
) -> None:
    own = ctx.own_names
    seen: set[tuple[str, str, str]] = set()
    for pair in interactions:
        a, b = pair.drug_a.lower(), pair.drug_b.lower()
        if a in own:
            other = b
        elif b in own:
            other = a
        else:
            continue
        meds = [
            m
            for m in ctx.meds
            if not m.is_self
            and ((m.match is not None and m.match.key.lower() == other) or has_term(m.text, other))
        ]
        if not meds or (other, pair.source, pair.level) in seen:
            continue
        seen.add((other, pair.source, pair.level))
        ref, evidence = external(
            _table_source(pair, sources), _pair_quote(pair), Topic.interaction.value, "table"
        )
        result.evidence[ref] = evidence
        publisher = evidence.publisher
        curated = [i for i, keys in result.med_keys.items() if other in {k.lower() for k in keys}]
        if curated:
            # Mention the agreement once, on the most serious curated alert it confirms.
            rank = {"high": 0, "moderate": 1, "low": 2}
            for i in sorted(curated, key=lambda j: rank[result.alerts[j].severity])[:1]:
                alert = result.alerts[i]
                alert.detail += f" The interaction table {publisher} agrees: {_pair_quote(pair)}."
                if ref not in alert.sources:
                    alert.sources.append(ref)
            continue
        display = meds[0].display
        severity = LEVEL_SEVERITY.get(pair.level, "low")
        result.alerts.append(
            make(
                Alert,
                dict(
                    kind="interaction",
                    trigger=INTERACTION_TRIGGER,
                    severity=severity,
                    title=f"Interaction: {ctx.mono.identity.generic} and {other}",
                    detail=(
                        f"The interaction table {publisher} rates {ctx.mono.identity.generic} with "
                        f"{other} as {pair.level}. Tell your doctor and pharmacist that you take "
                        f"{display}."
                    ),
                    matched=display,
                    sources=[ref],
                ),
            )
        )


def screen_details(
    mono: Monograph,
    profile: Profile,
    vocab: Vocabulary,
    interactions: Sequence[InteractionPair] = (),
    interaction_sources: Mapping[str, Source] | None = None,
    today: dt.date | None = None,
) -> Screening:
    """`screen` plus the evidence behind non-monograph references (for citing them)."""
    ctx = Context(mono, profile, vocab, today)
    result = Screening()
    if not mono.screening:
        result.alerts.append(no_rules_alert(mono))
    # Rules no condition or allergy line meets are "no" without asking them; the others are
    # asked as `evaluate` would (cheap single values first, then every step).
    skipped = rules_that_cannot_hold(ctx) if mono.screening else frozenset()
    for i, (rule, plan) in enumerate(zip(mono.screening, rule_plans(mono), strict=True)):
        if i in skipped or settled_no(rule.match, ctx, plan):
            continue
        out = run_steps(rule.match, ctx, plan)
        if out.state == "fired":
            result.med_keys[len(result.alerts)] = set(out.med_keys)
            result.alerts.append(rule_alert(rule, out.matched_text, out.refs))
        elif out.state == "undecided":
            result.alerts.append(undecided_alert(rule, out.missing, out.matched_text))
    result.alerts.extend(_unknown_medication_alerts(ctx, bool(interactions)))
    _interaction_alerts(ctx, result, interactions, interaction_sources or {})
    result.evidence.update(ctx.evidence)
    return result


def screen(
    mono: Monograph,
    profile: Profile,
    vocab: Vocabulary,
    interactions: Sequence[InteractionPair] = (),
    interaction_sources: Mapping[str, Source] | None = None,
    today: dt.date | None = None,
) -> list[Alert]:
    """Screening alerts; `sources` hold references, resolved to S-keys by `check`."""
    return screen_details(mono, profile, vocab, interactions, interaction_sources, today).alerts
