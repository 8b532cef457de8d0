"""Turning the engine's check result into CDS Hooks cards, one per alert plus the dose."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

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
from druginfo.wording import every_hours_words

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


def drug_label(result: CheckResult) -> str:
    brands = result.drug.brands
    return f"{brands[0]} ({result.drug.generic})" if brands else result.drug.generic


@dataclass
class Draft:
    resource: dict[str, Any]
    ref: str | None
    names: list[str]


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
        detail += _sources_md(result, alert.sources)
        card = Card(
            uuid=self.uuid(draft.ref or key, alert.trigger, alert.kind),
            summary=_clip(f"{drug_label(result)}: {alert.title}"),
            detail=detail,
            indicator=indicator,
            source=CardSource(
                label="druginfo",
                url=f"{self.base_url}drugs/{key}",
                topic=Coding(system=TRIGGER_SYSTEM, code=alert.trigger, display=alert.title),
            ),
            links=[self.link(key)],
        )
        if indicator == "critical" and draft.ref:
            card.suggestions = [
                Suggestion(
                    label=_clip(f"Remove the {drug_label(result)} order"),
                    uuid=self.uuid(draft.ref, alert.trigger, "remove"),
                    actions=[
                        Action(
                            type="delete",
                            description=f"Remove the draft order for {drug_label(result)}",
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
        what = f"{regimen.dose_mg:g} mg"
        if regimen.route:
            what += f" {regimen.route}"
        if regimen.every_hours:
            what += " " + every_hours_words(regimen.every_hours)
        if regimen.volume_ml is not None:
            what += f" ({regimen.volume_ml:g} mL)"
        lines = [f"Dose from the sources: **{md_escape(what)}**."]
        if regimen.indication:
            lines.append(f"For: {md_escape(regimen.indication)}.")
        if regimen.max_dose_mg_per_kg_day is not None:
            lines.append(f"At most {regimen.max_dose_mg_per_kg_day:g} mg/kg a day.")
        if regimen.max_dose_mg is not None:
            lines.append(f"At most {regimen.max_dose_mg:g} mg a day.")
        lines += [md_escape(n) for n in regimen.notes]
        if rec.used:
            lines.append("Based on the record: " + md_escape("; ".join(rec.used)) + ".")
        return Card(
            uuid=self.uuid(draft.ref or key, "dose"),
            summary=_clip(f"{drug_label(result)}: {what}"),
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
            summary=_clip(f"{drug_label(result)}: monitoring — {tests}"),
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
        label = drug_label(result)
        limit = None
        if regimen.dose_range_mg:
            limit = max(regimen.dose_range_mg)
        elif regimen.dose_mg is not None:
            limit = regimen.dose_mg
        if ordered_mg is not None and limit is not None and ordered_mg > limit + 1e-9:
            cards.append(
                self._order_card(
                    result,
                    key,
                    draft,
                    "ordered-dose",
                    f"{label}: ordered {ordered_mg:g} mg is above the {limit:g} mg dose",
                    f"The order asks for {ordered_mg:g} mg per dose; for this patient the sources "
                    f"give {limit:g} mg.",
                    regimen.sources,
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
    ) -> Card:
        return Card(
            uuid=self.uuid(draft.ref or key, topic),
            summary=_clip(summary),
            detail=detail + _sources_md(result, sources),
            indicator="warning",
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
