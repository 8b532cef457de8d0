"""The personal check: regimen, screening, monitoring and decision, with S-key citations.

Takes an already parsed `Profile` (see `parse_profile`) so that every interface validates
input the same way and this function can stay pure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from druginfo.engine.citations import Citations, fallback_refs
from druginfo.engine.decision import decide, sort_alerts
from druginfo.engine.dosing import KIDNEY_TRIGGER, compute_regimen
from druginfo.engine.monitoring import monitoring_calendar
from druginfo.engine.plausibility import assess as assess_plausibility
from druginfo.engine.screening import screen_details
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
from druginfo.vocab.base import Vocabulary

MONITORING_TRIGGER = "monitoring"


def drug_ref(mono: Monograph) -> DrugRef:
    return DrugRef(generic=mono.identity.generic, brands=list(mono.identity.brands))


def merge_kidney(mono: Monograph, dose_alerts: list[Alert], screened: list[Alert]) -> list[Alert]:
    """Fold the regimen's kidney alert into a curated kidney screening rule saying the same.

    A monograph may state the kidney threshold twice: as a `KidneyRule` (which changes the
    interval) and as a screening rule on `crcl_below_ml_min` (which carries the contract's
    trigger id, e.g. 'severe-kidney-disease'). One finding deserves one alert: the screening
    alert is kept, with the interval details and the citations of both. Returns the dose
    alerts that remain.
    """
    kidney_triggers = {r.trigger for r in mono.screening if r.match.crcl_below_ml_min is not None}
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


def check(
    mono: Monograph,
    profile: Profile,
    vocab: Vocabulary,
    *,
    interactions: Sequence[InteractionPair] = (),
    interaction_sources: Mapping[str, Source] | None = None,
    today: dt.date | None = None,
) -> CheckResult:
    """`today` only decides whether a planned surgery date is still ahead; None: any date is."""
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
    alerts = [
        *plausible.alerts,
        *merge_kidney(mono, dose_alerts, screening.alerts),
        *screening.alerts,
    ]
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
                Alert(
                    kind="cannot-decide",
                    trigger=MONITORING_TRIGGER,
                    severity="low",
                    title="No start date: monitoring tests not dated",
                    detail=(
                        "Add 'start_date' (YYYY-MM-DD) to the profile to get the dates of the "
                        "tests: " + "; ".join(dict.fromkeys(r.test for r in mono.monitoring)) + "."
                    ),
                    field="start_date",
                    sources=list(dict.fromkeys(c for r in mono.monitoring for c in r.claims)),
                )
            )
    alerts = sort_alerts(alerts)
    citations = Citations(mono, screening.evidence)
    if regimen is not None:
        regimen = regimen.model_copy(update={"sources": citations.cite(regimen.sources)})
    cited_alerts = []
    for alert in alerts:
        refs = alert.sources or fallback_refs(mono, (Topic.warning,))
        cited_alerts.append(alert.model_copy(update={"sources": citations.cite(refs)}))
    cited_monitoring = [
        m.model_copy(update={"sources": citations.cite(m.sources)}) for m in monitoring
    ]
    return CheckResult(
        drug=drug_ref(mono),
        decision=decide(cited_alerts),
        regimen=regimen,
        alerts=cited_alerts,
        monitoring=cited_monitoring,
        sources=citations.sources,
        avoid=list(dict.fromkeys(a.avoid for a in cited_alerts if a.avoid)),
    )
