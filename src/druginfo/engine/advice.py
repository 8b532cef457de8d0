"""What to do when something happens (a missed dose, a fever, a planned vaccine).

The steps are the monograph's own, each citing its claims; the engine never writes clinical
advice of its own. With a profile, the screening alerts that concern the event are added: the
event itself is taken as a fact about the person (the 'pregnancy' event means pregnant), so
the pregnancy rule fires even if the profile predates the pregnancy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from druginfo.engine.check import drug_ref
from druginfo.engine.citations import Citations, Evidence, fallback_refs
from druginfo.engine.decision import sort_alerts
from druginfo.engine.dosing import compute_regimen
from druginfo.engine.screening import screen_details
from druginfo.errors import UnknownEvent
from druginfo.model import (
    EVENTS,
    AdviceResult,
    AdviceStep,
    Alert,
    Monograph,
    Profile,
    ScreeningRule,
    Topic,
)
from druginfo.vocab.base import Vocabulary
from druginfo.wording import every_hours_words

EVENT_TOPICS: Mapping[str, frozenset[str]] = {
    "missed-dose": frozenset({Topic.missed_dose.value}),
    "dropped-syringe": frozenset({Topic.dropped_syringe.value}),
    "frozen": frozenset({Topic.storage.value}),
    "left-out-of-fridge": frozenset({Topic.storage.value}),
    "fever": frozenset({Topic.infection.value}),
    "infection": frozenset({Topic.infection.value, Topic.tuberculosis.value}),
    "surgery": frozenset({Topic.surgery.value}),
    "vaccine": frozenset({Topic.vaccine.value}),
    "pregnancy": frozenset({Topic.pregnancy.value}),
    "breastfeeding": frozenset({Topic.breastfeeding.value}),
    "travel": frozenset({Topic.travel.value, Topic.storage.value}),
    "side-effect": frozenset(
        {Topic.side_effect.value, Topic.serious_side_effect.value, Topic.call_doctor.value}
    ),
}

# A planned surgery whose date the event does not tell: any date counts as ahead.
UNDATED_SURGERY = dt.date.max


def _relevant(mono: Monograph, rule: ScreeningRule, event: str) -> bool:
    m = rule.match
    by_field = {
        "vaccine": bool(m.vaccine_classes_any),
        "pregnancy": m.pregnant is not None,
        "breastfeeding": m.breastfeeding is not None,
        "surgery": m.surgery_planned is not None,
    }.get(event, False)
    if by_field:
        return True
    topics = EVENT_TOPICS.get(event, frozenset())
    claim_topics = set()
    for cid in rule.claims:
        try:
            claim_topics.add(mono.claim(cid).topic.value)
        except KeyError:
            continue
    return bool(claim_topics & topics)


def _with_event(profile: Profile, event: str) -> Profile:
    """The profile as the event makes it: pregnant, breastfeeding, having surgery, or having
    an infection (the event's own word becomes a condition, matched like any other)."""
    if event == "pregnancy":
        return profile.model_copy(update={"pregnant": True})
    if event == "breastfeeding":
        return profile.model_copy(update={"breastfeeding": True})
    if event in ("infection", "fever") and event not in profile.conditions:
        return profile.model_copy(update={"conditions": [*profile.conditions, event]})
    if event == "surgery" and profile.planned_surgery_date is None:
        return profile.model_copy(update={"planned_surgery_date": UNDATED_SURGERY})
    return profile


def advise(mono: Monograph, event: str, profile: Profile | None, vocab: Vocabulary) -> AdviceResult:
    """Raises `UnknownEvent` for an event outside `EVENTS`."""
    if event not in EVENTS:
        raise UnknownEvent(event, list(EVENTS))
    citations = Citations(mono)
    advice = mono.event(event)
    generic = mono.identity.generic
    raw_steps: list[tuple[str, list[str]]] = []
    if advice is not None:
        urgency: str = advice.urgency
        raw_steps = [(s.text, list(s.claims)) for s in advice.steps]
    else:
        urgency = "call-doctor"
        raw_steps = [
            (
                f"Our sources for {generic} give no specific advice for '{event}'. "
                "Ask your doctor, nurse or pharmacist what to do.",
                fallback_refs(mono, EVENT_TOPICS.get(event, ())),
            )
        ]
    alerts: list[Alert] = []
    evidence: Evidence = {}
    if profile is not None:
        if event == "missed-dose":
            regimen, dose_alerts = compute_regimen(mono, profile)
            if regimen is not None and regimen.every_hours is not None:
                dose = f"{regimen.dose_mg:g} mg " if regimen.dose_mg is not None else ""
                raw_steps.append(
                    (
                        f"Your schedule: {dose}{every_hours_words(regimen.every_hours)}.",
                        list(regimen.sources),
                    )
                )
            alerts.extend(a for a in dose_alerts if a.kind == "dose-adjustment")
        relevant = {r.trigger for r in mono.screening if _relevant(mono, r, event)}
        if relevant:
            screening = screen_details(mono, _with_event(profile, event), vocab)
            evidence = screening.evidence
            alerts.extend(a for a in screening.alerts if a.trigger in relevant)
    citations.add_evidence(evidence)
    steps = [AdviceStep(text=text, sources=citations.cite(refs)) for text, refs in raw_steps]
    cited = [
        a.model_copy(update={"sources": citations.cite(a.sources or fallback_refs(mono))})
        for a in sort_alerts(alerts)
    ]
    return AdviceResult(
        drug=drug_ref(mono),
        event=event,
        urgency=urgency,
        steps=steps,
        alerts=cited,
        sources=citations.sources,
    )
