"""Turning the engine's check result into CDS Hooks cards, one per alert plus the dose."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from druginfo import dose_wording
from druginfo.engine.provenance import BASIS_WORDS
from druginfo.engine.units import finite_float
from druginfo.interfaces.cdshooks.fhir_record import (
    FIELD_HINTS,
    Record,
)
from druginfo.interfaces.cdshooks.wire import (
    SUMMARY_MAX,
    TRIGGER_SYSTEM,
    Action,
    Card,
    CardSource,
    Coding,
    Link,
    Suggestion,
)
from druginfo.model import Alert, CheckResult, Regimen

# --- building cards --------------------------------------------------------------------------


def _clip(text: str, limit: int = SUMMARY_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _sources_md(result: CheckResult, keys: Iterable[str]) -> str:
    lines = []
    for key in keys:
        ref = result.sources.get(key)
        if ref is None:
            continue
        when = f", reviewed {ref.reviewed.isoformat()}" if ref.reviewed else ""
        where = f" — {ref.url}" if ref.url else ""
        lines.append(
            f"- [{key}] {md_escape(ref.publisher)}, *{md_escape(ref.document)}*{when}{where}:"
            f" “{md_escape(ref.quote)}”"
        )
    return ("\n\n**Sources**\n\n" + "\n".join(lines)) if lines else ""


def drug_label(result: CheckResult, ordered: Iterable[str] = ()) -> str:
    """The medicine as ordered: the brand the order names ('Enbrel (etanercept)'), else the
    generic alone — never another brand of the same generic picked from the monograph."""
    generic = result.drug.generic
    for name in ordered:
        words = " ".join(re.sub(r"[^\w]+", " ", name.lower()).split())
        for brand in result.drug.brands:
            b = " ".join(re.sub(r"[^\w]+", " ", brand.lower()).split())
            if b and re.search(rf"(?<!\w){re.escape(b)}(?!\w)", words):
                return f"{brand} ({generic})"
    return generic


KIND_WORDS = {
    "contraindication": "Contraindicated",
    "interaction": "Interaction",
    "warning": "Warning",
    "dose-adjustment": "Dose adjustment",
    "cannot-decide": "Cannot assess",
}
OVERRIDE_SYSTEM = "urn:druginfo:override-reason"
OVERRIDE_REASONS = [
    Coding(system=OVERRIDE_SYSTEM, code="benefit-outweighs-risk", display="Benefit outweighs risk"),
    Coding(
        system=OVERRIDE_SYSTEM, code="patient-informed", display="Risk discussed with the patient"
    ),
    Coding(system=OVERRIDE_SYSTEM, code="record-inaccurate", display="The record is not accurate"),
    Coding(system=OVERRIDE_SYSTEM, code="specialist-advice", display="On specialist advice"),
]


@dataclass
class Draft:
    resource: dict[str, Any]
    ref: str | None
    names: list[str]
    # The medicine as the order names it ("Enbrel (etanercept)"), when the vocabulary knows
    # the name; cards use it rather than a brand picked from the monograph.
    label: str | None = None


class CardMaker:
    def __init__(self, hook_instance: str, base_url: str) -> None:
        self.hook_instance = hook_instance
        self.base_url = base_url

    def uuid(self, *parts: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "|".join([self.hook_instance, *parts])))

    def link(self, key: str) -> Link:
        return Link(label="druginfo monograph", url=f"{self.base_url}drugs/{key}")

    def alert_card(self, result: CheckResult, key: str, alert: Alert, draft: Draft) -> Card:
        if alert.kind != "cannot-decide" and alert.severity == "high" and alert.blocking:
            indicator: Literal["info", "warning", "critical"] = "critical"
        elif alert.severity in ("high", "moderate"):
            indicator = "warning"
        else:
            indicator = "info"
        detail = md_escape(alert.detail)
        if alert.matched:
            detail += f"\n\nFound in the record: **{md_escape(alert.matched)}**"
        if alert.kind == "cannot-decide" and alert.field:
            hint = FIELD_HINTS.get(alert.field.split(".")[0])
            detail += f"\n\nMissing: `{alert.field}`" + (f" — send {hint}." if hint else ".")
        if alert.basis:
            detail += f"\n\nBasis: {BASIS_WORDS.get(alert.basis, alert.basis)}."
        detail += _sources_md(result, alert.sources)
        label = draft.label or drug_label(result, draft.names)
        if alert.avoid:
            summary = f"{label}: avoid {alert.avoid}"
            detail = (
                f"The sources rule out **{md_escape(alert.avoid)}**, not {md_escape(label)} "
                f"itself.\n\n{detail}"
            )
        else:
            summary = f"{label}: {KIND_WORDS.get(alert.kind, alert.kind)} — {alert.title}"
        card = Card(
            uuid=self.uuid(draft.ref or key, alert.trigger, alert.kind),
            summary=_clip(summary),
            detail=detail,
            indicator=indicator,
            source=CardSource(
                label="druginfo",
                url=f"{self.base_url}drugs/{key}",
                topic=Coding(system=TRIGGER_SYSTEM, code=alert.trigger, display=alert.title),
            ),
            links=[self.link(key)],
        )
        if indicator == "critical":
            card.overrideReasons = list(OVERRIDE_REASONS)
        vaccine = alert.avoid_kind == "vaccine"
        if indicator == "critical" and draft.ref and not vaccine:
            card.suggestions = [
                Suggestion(
                    label=_clip(f"Remove the {label} order"),
                    uuid=self.uuid(draft.ref, alert.trigger, "remove"),
                    actions=[
                        Action(
                            type="delete",
                            description=f"Remove the draft order for {label}",
                            resourceId=draft.ref,
                        )
                    ],
                )
            ]
            card.selectionBehavior = "at-most-one"
        return card

    def dose_card(
        self, result: CheckResult, key: str, regimen: Regimen, rec: Record, draft: Draft
    ) -> Card | None:
        if regimen.dose_mg is None:
            return None
        what = dose_wording.regimen_words(regimen)
        lines = [f"Dose from the sources: **{md_escape(what)}**."]
        if regimen.indication:
            lines.append(f"For: {md_escape(regimen.indication)}.")
        lines += dose_wording.limit_lines(regimen)
        lines += [md_escape(n) for n in regimen.notes]
        if regimen.basis:
            lines.append(f"Basis: {BASIS_WORDS.get(regimen.basis, regimen.basis)}.")
        if rec.used:
            lines.append("Based on the record: " + md_escape("; ".join(rec.used)) + ".")
        return Card(
            uuid=self.uuid(draft.ref or key, "dose"),
            summary=_clip(f"{(draft.label or drug_label(result, draft.names))}: {what}"),
            detail="\n\n".join(lines) + _sources_md(result, regimen.sources),
            indicator="info",
            source=CardSource(
                label="druginfo",
                url=f"{self.base_url}drugs/{key}",
                topic=Coding(system=TRIGGER_SYSTEM, code="dose", display="Dose"),
            ),
            links=[self.link(key)],
        )

    def monitoring_card(self, result: CheckResult, key: str, draft: Draft, start: str) -> Card:
        lines = [
            f"- **{item.due.isoformat()}** {md_escape(item.test)}: {md_escape(item.why)}"
            + (f" [{', '.join(item.sources)}]" if item.sources else "")
            for item in result.monitoring
        ]
        cited = list(dict.fromkeys(k for item in result.monitoring for k in item.sources))
        tests = ", ".join(dict.fromkeys(item.test for item in result.monitoring))
        return Card(
            uuid=self.uuid(draft.ref or key, "monitoring"),
            summary=_clip(
                f"{(draft.label or drug_label(result, draft.names))}: monitoring — {tests}"
            ),
            detail=f"Dates count from {md_escape(start)}.\n\n"
            + "\n".join(lines)
            + _sources_md(result, cited),
            indicator="info",
            source=CardSource(
                label="druginfo",
                url=f"{self.base_url}drugs/{key}",
                topic=Coding(system=TRIGGER_SYSTEM, code="monitoring", display="Monitoring"),
            ),
            links=[self.link(key)],
        )

    def ordered_dose_cards(
        self, result: CheckResult, key: str, regimen: Regimen, draft: Draft
    ) -> list[Card]:
        """Compare the dose and interval ordered with the regimen, when both are numbers."""
        ordered_mg, ordered_hours = _ordered(draft.resource)
        cards: list[Card] = []
        label = draft.label or drug_label(result, draft.names)
        daily_max = regimen.max_dose_mg
        if ordered_mg is not None:
            daily = ordered_mg * 24 / ordered_hours if ordered_hours else ordered_mg
            per_kg = (
                f" ({regimen.max_dose_mg_per_kg_day:g} mg/kg/day)"
                if regimen.max_dose_mg_per_kg_day is not None
                else ""
            )
            start_high = max(regimen.dose_range_mg) if regimen.dose_range_mg else regimen.dose_mg
            dose_max = regimen.max_dose_mg_per_dose
            if dose_max is not None and ordered_mg > dose_max + 1e-9:
                # A cap per administration (e.g. one infusion every 4 weeks), which a daily
                # average of a 4-weekly order would never reach.
                cards.append(
                    self._order_card(
                        result,
                        key,
                        draft,
                        "ordered-dose-above-maximum",
                        f"{label}: ordered {ordered_mg:g} mg exceeds the maximum "
                        f"{dose_max:g} mg per dose",
                        f"Ordered: {ordered_mg:g} mg per dose. Labelled maximum for this "
                        f"patient: **{dose_max:g} mg per dose**. Reduce the dose or document "
                        "the reason for exceeding the labelled maximum.",
                        regimen.sources,
                        indicator="critical",
                    )
                )
            elif daily_max is not None and daily > daily_max + 1e-9:
                cards.append(
                    self._order_card(
                        result,
                        key,
                        draft,
                        "ordered-dose-above-maximum",
                        f"{label}: ordered {daily:g} mg/day exceeds the maximum "
                        f"{daily_max:g} mg/day{per_kg}",
                        f"Ordered: {ordered_mg:g} mg per dose"
                        + (f" every {ordered_hours:g} h" if ordered_hours else "")
                        + f" = {daily:g} mg a day. Labelled maximum for this patient: "
                        f"**{daily_max:g} mg a day**{per_kg}. Reduce the dose or document "
                        "the reason for exceeding the labelled maximum.",
                        regimen.sources,
                        indicator="critical",
                    )
                )
            elif start_high is not None and ordered_mg > start_high + 1e-9:
                within = daily_max is not None
                cards.append(
                    self._order_card(
                        result,
                        key,
                        draft,
                        "ordered-dose",
                        (
                            f"{label}: ordered {ordered_mg:g} mg is above the starting dose, "
                            f"within the maximum {daily_max:g} mg/day"
                            if within
                            else f"{label}: ordered {ordered_mg:g} mg is above the labelled "
                            f"{start_high:g} mg dose"
                        ),
                        f"Ordered: {ordered_mg:g} mg per dose. Starting dose for this patient: "
                        f"up to {start_high:g} mg"
                        + (
                            f"; titration is allowed up to {daily_max:g} mg a day{per_kg}."
                            if within
                            else "; the sources give no higher dose for this patient."
                        ),
                        regimen.sources,
                        indicator="info" if within else "warning",
                    )
                )
        if (
            ordered_hours is not None
            and regimen.every_hours is not None
            and ordered_hours < regimen.every_hours - 1e-9
        ):
            cards.append(
                self._order_card(
                    result,
                    key,
                    draft,
                    "ordered-interval",
                    f"{label}: ordered every {ordered_hours:g} h, sources say every "
                    f"{regimen.every_hours} h",
                    f"The order repeats the dose every {ordered_hours:g} hours; for this patient "
                    f"the sources give every {regimen.every_hours} hours."
                    + (
                        " " + " ".join(md_escape(n) for n in regimen.notes) if regimen.notes else ""
                    ),
                    regimen.sources,
                )
            )
        return cards

    def _order_card(
        self,
        result: CheckResult,
        key: str,
        draft: Draft,
        topic: str,
        summary: str,
        detail: str,
        sources: list[str],
        indicator: Literal["info", "warning", "critical"] = "warning",
    ) -> Card:
        return Card(
            uuid=self.uuid(draft.ref or key, topic),
            summary=_clip(summary),
            detail=detail + _sources_md(result, sources),
            indicator=indicator,
            overrideReasons=list(OVERRIDE_REASONS) if indicator == "critical" else None,
            source=CardSource(
                label="druginfo",
                url=f"{self.base_url}drugs/{key}",
                topic=Coding(system=TRIGGER_SYSTEM, code=topic, display="Ordered dose"),
            ),
            links=[self.link(key)],
        )

    def info_card(self, topic: str, summary: str, detail: str, warning: bool = False) -> Card:
        return Card(
            uuid=self.uuid(topic),
            summary=_clip(summary),
            detail=detail,
            indicator="warning" if warning else "info",
            source=CardSource(
                label="druginfo", topic=Coding(system=TRIGGER_SYSTEM, code=topic, display=topic)
            ),
        )


_PERIOD_HOURS = {"s": 1 / 3600, "min": 1 / 60, "h": 1.0, "d": 24.0, "wk": 168.0, "mo": 720.0}


def _ordered(request: dict[str, Any]) -> tuple[float | None, float | None]:
    """(mg per dose, hours between doses) of a MedicationRequest, when stated in numbers."""
    instructions = request.get("dosageInstruction")
    if not isinstance(instructions, list) or len(instructions) != 1:
        return None, None  # tapering or several instructions: not compared
    dosage = instructions[0] if isinstance(instructions[0], dict) else {}
    mg: float | None = None
    for dr in dosage.get("doseAndRate") or []:
        q = dr.get("doseQuantity") if isinstance(dr, dict) else None
        if isinstance(q, dict) and not q.get("comparator"):
            value = finite_float(q.get("value"))
            unit = str(q.get("code") or q.get("unit") or "").lower()
            if value is not None:
                if unit == "mg":
                    mg = value
                elif unit == "g":
                    mg = value * 1000
    hours: float | None = None
    timing = dosage.get("timing")
    repeat = timing.get("repeat") if isinstance(timing, dict) else None
    if isinstance(repeat, dict):
        period, period_unit = repeat.get("period"), repeat.get("periodUnit")
        frequency = repeat.get("frequency", 1)
        if (
            isinstance(period, int | float)
            and isinstance(frequency, int)
            and frequency > 0
            and period > 0
            and period_unit in _PERIOD_HOURS
        ):
            hours = period * _PERIOD_HOURS[period_unit] / frequency
    return mg, hours
