"""The personal check: regimen, screening, monitoring and decision, with S-key citations.

Takes an already parsed `Profile` (see `parse_profile`) so that every interface validates
input the same way and this function can stay pure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from druginfo.engine import memo
from druginfo.engine.build import make
from druginfo.engine.citations import Citations, fallback_refs
from druginfo.engine.coverage import build_coverage
from druginfo.engine.decision import decide, sort_alerts
from druginfo.engine.dosing import KIDNEY_TRIGGER, compute_regimen
from druginfo.engine.duplication import duplication_alerts
from druginfo.engine.label_dosing import label_dose
from druginfo.engine.leaflet_screening import screen_leaflet
from druginfo.engine.monitoring import monitoring_calendar
from druginfo.engine.plausibility import assess as assess_plausibility
from druginfo.engine.provenance import TABLE_TRIGGERS, document_basis
from druginfo.engine.screening import (
    NO_SCREENING_TRIGGER,
    UNKNOWN_MEDICATION_TRIGGER,
    screen_details,
)
from druginfo.model import (
    Alert,
    CheckResult,
    DrugRef,
    InteractionPair,
    MonitoringItem,
    Monograph,
    Profile,
    Source,
    Topic,
)
from druginfo.model.facts import FactSet
from druginfo.vocab.base import Vocabulary

MONITORING_TRIGGER = "monitoring"


def drug_ref(mono: Monograph) -> DrugRef:
    return make(DrugRef, dict(generic=mono.identity.generic, brands=list(mono.identity.brands)))


def merge_kidney(mono: Monograph, dose_alerts: list[Alert], screened: list[Alert]) -> list[Alert]:
    """Fold the regimen's kidney alert into a curated kidney screening rule saying the same.

    A monograph may state the kidney threshold twice: as a `KidneyRule` (which changes the
    interval) and as a screening rule on `crcl_below_ml_min` (which carries the contract's
    trigger id, e.g. 'severe-kidney-disease'). One finding deserves one alert: the screening
    alert is kept, with the interval details and the citations of both. Returns the dose
    alerts that remain.
    """
    if not dose_alerts:
        return []
    kidney_triggers = _kidney_triggers(mono)
    rank = {"high": 0, "moderate": 1, "low": 2}
    remaining: list[Alert] = []
    for alert in dose_alerts:
        twin = None
        if alert.trigger == KIDNEY_TRIGGER:
            twin = next(
                (a for a in screened if a.trigger in kidney_triggers and a.kind == alert.kind),
                None,
            )
        if twin is None:
            remaining.append(alert)
            continue
        twin.detail = f"{twin.detail} {alert.detail}"
        twin.sources = list(dict.fromkeys([*twin.sources, *alert.sources]))
        twin.matched = twin.matched or alert.matched
        twin.field = twin.field or alert.field
        if rank[alert.severity] < rank[twin.severity]:
            twin.severity = alert.severity
    return remaining


@memo.by_identity()
def _kidney_triggers(mono: Monograph) -> frozenset[str]:
    """The triggers of the document's screening rules on kidney function (once per document)."""
    return frozenset(r.trigger for r in mono.screening if r.match.crcl_below_ml_min is not None)


@memo.by_identity()
def _names_medicines(facts: Sequence[FactSet]) -> bool:
    """Whether the leaflet names medicines to avoid (once per fact list)."""
    return any(f.topic == "interaction" for fs in facts for f in fs.facts)


@memo.by_identity()
def _monitoring_tests(mono: Monograph) -> str:
    return "; ".join(dict.fromkeys(r.test for r in mono.monitoring))


@memo.by_identity()
def _monitoring_claims(mono: Monograph) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c for r in mono.monitoring for c in r.claims))


def check(
    mono: Monograph,
    profile: Profile,
    vocab: Vocabulary,
    *,
    interactions: Sequence[InteractionPair] = (),
    interaction_sources: Mapping[str, Source] | None = None,
    today: dt.date | None = None,
    facts: Sequence[FactSet] = (),
) -> CheckResult:
    """`today` only decides whether a planned surgery date is still ahead; None: any date is.

    The document, the facts and the vocabulary are read-only here: what is derived from them
    alone is remembered by their identity (`druginfo.engine.memo`), so a changed document must
    be a new object (as the store hands out).

    `facts`: what was machine-read from the medicine's own leaflet or label. They screen and
    dose a medicine without curated rules; where curated rules exist, those win."""
    plausible = assess_plausibility(profile, today)
    if not plausible.weight_ok:
        # An implausible weight is asked about, never used for a dose or a kidney estimate.
        profile = profile.model_copy(update={"weight_kg": None})
    regimen, dose_alerts = compute_regimen(mono, profile)
    if not plausible.weight_ok:
        dose_alerts = [
            a for a in dose_alerts if not (a.kind == "cannot-decide" and a.field == "weight_kg")
        ]
    screening = screen_details(mono, profile, vocab, interactions, interaction_sources or {}, today)
    basis = document_basis(mono)
    named = {k for keys in screening.med_keys.values() for k in keys}
    leaflet_rules = 0
    leaflet_read = None
    no_rules_reason = None
    if not mono.curated and facts:
        leaflet = screen_leaflet(mono, facts, profile, vocab)
        leaflet_rules = leaflet.facts_used
        leaflet_read = leaflet.read if leaflet_rules else None
        screening.evidence.update(leaflet.evidence)
        # A leaflet naming the pair as a caution does not lower the class rule's high alert.
        if leaflet_rules:
            screening.alerts = [a for a in screening.alerts if a.trigger != NO_SCREENING_TRIGGER]
            screening.alerts.extend(leaflet.alerts)
            if _names_medicines(facts):
                # The leaflet names medicines to avoid: an unknown one could be among them.
                for a in screening.alerts:
                    if a.trigger == UNKNOWN_MEDICATION_TRIGGER and a.severity == "low":
                        a.severity = "moderate"
        else:
            no_rules_reason = "the leaflet has no safety statements we could read"
            for a in screening.alerts:
                if a.trigger == NO_SCREENING_TRIGGER:
                    a.title = f"The leaflet of {mono.identity.generic} has no rules we can read"
                    a.detail = (
                        f"We read the leaflet of {mono.identity.generic} but found no "
                        "contraindication, interaction, vaccine, pregnancy or age statement we "
                        "could apply, so this profile was not screened. Read its section 2 "
                        "and ask your doctor or pharmacist."
                    )
        if regimen is None and not mono.dose_rules:
            dosed = label_dose(mono, facts, profile, vocab)
            screening.evidence.update(dosed.evidence)
            if dosed.regimen is not None or dosed.alerts:
                dose_alerts = [a for a in dose_alerts if a.trigger != "dose"] + dosed.alerts
                regimen = dosed.regimen
    alerts = [
        *plausible.alerts,
        *merge_kidney(mono, dose_alerts, screening.alerts),
        *screening.alerts,
    ]
    duplication = duplication_alerts(mono, profile, vocab, skip_keys=named)
    alerts.extend(duplication.alerts)
    screening.evidence.update(duplication.evidence)
    bases = [basis] if mono.screening or leaflet_rules or regimen is not None else []
    if interactions:
        bases.append("table")
    bases.append("class")
    monitoring: list[MonitoringItem] = []
    if mono.monitoring:
        if profile.start_date is not None:
            monitoring = monitoring_calendar(
                mono,
                profile,
                profile.start_date,
                vocab,
                duration_days=regimen.duration_days if regimen is not None else None,
            )
        else:
            alerts.append(
                make(
                    Alert,
                    dict(
                        kind="cannot-decide",
                        trigger=MONITORING_TRIGGER,
                        severity="low",
                        title="No start date: monitoring tests not dated",
                        detail=(
                            "Add 'start_date' (YYYY-MM-DD) to the profile to get the dates of the "
                            "tests: " + _monitoring_tests(mono) + "."
                        ),
                        field="start_date",
                        sources=list(_monitoring_claims(mono)),
                    ),
                )
            )
    alerts = sort_alerts(alerts)
    citations = Citations(mono, screening.evidence)
    # The regimen, alerts and monitoring items were all made by this check for this answer:
    # they take their citations and basis in place (no copies).
    if regimen is not None:
        regimen.sources = citations.cite(regimen.sources)
        if regimen.basis is None:
            regimen.basis = basis
    cited_alerts = []
    for alert in alerts:
        alert.sources = citations.cite(alert.sources or fallback_refs(mono, (Topic.warning,)))
        if alert.basis is None:
            alert.basis = "table" if alert.trigger in TABLE_TRIGGERS else basis
        cited_alerts.append(alert)
    cited_monitoring = monitoring
    for m in cited_monitoring:
        m.sources = citations.cite(m.sources)
    return make(
        CheckResult,
        dict(
            drug=drug_ref(mono),
            decision=decide(cited_alerts),
            regimen=regimen,
            alerts=cited_alerts,
            monitoring=cited_monitoring,
            sources=citations.sources,
            coverage=build_coverage(
                profile,
                vocab,
                bases,
                has_rules=bool(mono.screening) or leaflet_rules > 0,
                no_rules_reason=no_rules_reason,
                leaflet=leaflet_read,
            ),
            avoid=list(dict.fromkeys(a.avoid for a in cited_alerts if a.avoid)),
        ),
    )
