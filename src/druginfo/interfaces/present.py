"""Turning model objects into the plain words and numbered citations people read.

Shared by the web pages and the command line, so that each wording rule (hours to words, age
bands, reader order, footnote numbering) is written once, and testable without HTTP.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from druginfo.engine import dose_rules
from druginfo.model import (
    Alert,
    CheckResult,
    DoseRule,
    MonitoringRule,
    Monograph,
    Product,
    Section,
    SourceRef,
    Storage,
    Topic,
)
from druginfo.wording import number

# Reader order of the monograph page: each group gathers the structured facts and the prose
# sections (of ingested leaflets) whose topic belongs to it.
GROUPS: tuple[tuple[str, str], ...] = (
    ("about", "What it is and how it works"),
    ("not-for", "Who should not take it"),
    ("how", "How to take it"),
    ("side-effects", "Side effects"),
    ("interactions", "Interactions"),
    ("monitoring", "Monitoring"),
    ("storage", "Storage and travel"),
    ("other", "More information"),
)

TOPIC_GROUP: dict[str, str] = {
    Topic.identity.value: "about",
    Topic.mechanism.value: "about",
    Topic.indication.value: "about",
    Topic.effectiveness.value: "about",
    Topic.contraindication.value: "not-for",
    Topic.warning.value: "not-for",
    Topic.allergy.value: "not-for",
    Topic.infection.value: "not-for",
    Topic.tuberculosis.value: "not-for",
    Topic.surgery.value: "not-for",
    Topic.pregnancy.value: "not-for",
    Topic.breastfeeding.value: "not-for",
    Topic.seniors.value: "not-for",
    Topic.children.value: "not-for",
    Topic.dosing.value: "how",
    Topic.kidney.value: "how",
    Topic.administration.value: "how",
    Topic.self_injection.value: "how",
    Topic.missed_dose.value: "how",
    Topic.dropped_syringe.value: "how",
    Topic.overdose.value: "how",
    Topic.stopping.value: "how",
    Topic.product.value: "how",
    Topic.side_effect.value: "side-effects",
    Topic.serious_side_effect.value: "side-effects",
    Topic.call_doctor.value: "side-effects",
    Topic.reporting.value: "side-effects",
    Topic.interaction.value: "interactions",
    Topic.vaccine.value: "interactions",
    Topic.monitoring.value: "monitoring",
    Topic.storage.value: "storage",
    Topic.travel.value: "storage",
}

# Events whose advice belongs inside a reader group rather than only in "What if...".
EVENT_GROUP: dict[str, str] = {
    "missed-dose": "how",
    "dropped-syringe": "how",
    "frozen": "storage",
    "left-out-of-fridge": "storage",
    "travel": "storage",
    "side-effect": "side-effects",
}

EVENT_LABELS: dict[str, str] = {
    "missed-dose": "I missed a dose",
    "dropped-syringe": "I dropped the syringe",
    "frozen": "It was frozen",
    "left-out-of-fridge": "It was left out of the fridge",
    "fever": "I have a fever",
    "infection": "I have an infection",
    "surgery": "I am having surgery",
    "vaccine": "I need a vaccine",
    "pregnancy": "I am or may be pregnant",
    "breastfeeding": "I am breastfeeding",
    "travel": "I am travelling",
    "side-effect": "I have a side effect",
}

SEVERITY_ORDER = {"high": 0, "moderate": 1, "low": 2}

DECISION_WORDS: dict[str, tuple[str, str]] = {
    "ok": ("OK to use", "Nothing in what you told us stops you from using {drug}."),
    "caution": (
        "Use with caution",
        "You may be able to use {drug}, but talk to your doctor about the points below first.",
    ),
    "do-not-use": (
        "Do not use",
        "What you told us means {drug} should not be used. Talk to your doctor.",
    ),
    "cannot-decide": (
        "Cannot decide",
        "We cannot give an answer for {drug} yet: some facts are missing or not known to us.",
    ),
}


def age_words(years: float) -> str:
    """Ages under two are spoken in months, as leaflets do."""
    if years < 2:
        months = years * 12
        if abs(months - round(months)) < 0.05:
            m = round(months)
            return f"{m} month" + ("" if m == 1 else "s")
    return f"{number(years, 1)} years"


def age_band(age_min: float | None, age_max: float | None) -> str:
    if age_min is None and age_max is None:
        return "any age"
    if age_max is None:
        return f"{age_words(age_min or 0)} and older"
    if age_min is None or age_min == 0:
        return f"younger than {age_words(age_max)}"
    return f"from {age_words(age_min)} to younger than {age_words(age_max)}"


def dose_words(rule: DoseRule) -> str:
    """The amount of one dose rule, in words; schedule and route are shown beside it."""
    if rule.basis == "fixed" and rule.dose_mg is not None:
        text = f"{number(rule.dose_mg)} mg"
    else:
        low = rule.start_mg_per_kg_min
        high = rule.start_mg_per_kg_max
        start = f"{number(low)}–{number(high)} mg" if high and high != low else f"{number(low)} mg"
        text = f"{start} per kg of body weight to start"
        if rule.max_mg_per_kg_day is not None:
            text += f", at most {number(rule.max_mg_per_kg_day)} mg per kg a day"
        if rule.max_mg_per_kg_dose is not None:
            text += f", at most {number(rule.max_mg_per_kg_dose)} mg per kg per dose"
    if rule.max_dose_mg is not None:
        text += f", never more than {number(rule.max_dose_mg)} mg a day"
    if rule.max_per_dose_mg is not None:
        text += f", never more than {number(rule.max_per_dose_mg)} mg per dose"
    if rule.weight_banded:
        text = f"{dose_rules.weight_band_words(rule)}: {text}"
    return text


def schedule_words(rule: DoseRule) -> str:
    """How often a dose rule is given: an interval, a single dose, when needed, or a loading
    dose's day; the first doses and 'when needed' are never shown as an interval."""
    return dose_rules.schedule_words(rule)


def product_words(product: Product) -> str:
    amount = (
        f"{number(product.strength_mg)} mg in {number(product.volume_ml)} mL"
        if product.volume_ml is not None
        else f"{number(product.strength_mg)} mg (volume not stated in the source)"
    )
    text = f"{product.name}: {amount} ({product.form}, {product.route})"
    if product.graduation_mg:
        text += f"; the markings measure steps of {number(product.graduation_mg)} mg"
    if product.single_use:
        text += "; use once and throw away what is left"
    if product.excipients:
        text += "; other ingredients: " + ", ".join(product.excipients)
    if product.storage is not None:
        # Where products of one medicine differ (e.g. time allowed out of the fridge).
        text += "; " + " ".join(storage_facts(product.storage))
    return text


def phases_words(rule: MonitoringRule) -> str:
    parts: list[str] = []
    if rule.before_start:
        parts.append("before you start")
    for phase in rule.phases:
        every = "every month" if phase.every_months == 1 else f"every {phase.every_months} months"
        parts.append(f"{every} until month {phase.until_month}")
    return ", then ".join(parts) if parts else "as your doctor decides"


def _name_key(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def other_names(name: str, synonyms: Iterable[str], limit: int = 3) -> list[str]:
    """Synonyms worth showing: not already in the name, not spelling variants of each other."""
    seen = {_name_key(name)}
    words = {_name_key(w) for w in re.findall(r"\w+", name)}
    shown: list[str] = []
    for syn in synonyms:
        key = _name_key(syn)
        if not key or key in seen or key in words:
            continue
        # Long names hidden inside a shown one are variants; short ones may be abbreviations.
        if len(key) > 5 and any(key in s for s in seen):
            continue
        seen.add(key)
        shown.append(syn)
        if len(shown) == limit:
            break
    return shown


def storage_facts(storage: Storage) -> list[str]:
    facts: list[str] = []
    if storage.temp_min_c is not None and storage.temp_max_c is not None:
        facts.append(
            f"Keep it between {number(storage.temp_min_c)} °C and "
            f"{number(storage.temp_max_c)} °C (in a fridge)."
        )
    elif storage.temp_max_c is not None:
        facts.append(f"Keep it at or below {number(storage.temp_max_c)} °C.")
    if storage.freeze_ok is False:
        facts.append("Do not freeze it.")
    if storage.shake_ok is False:
        facts.append("Do not shake it.")
    if storage.protect_from_light:
        facts.append("Keep it in its carton to protect it from light.")
    if storage.room_temp_max_c is not None:
        held = storage.room_temp_max_hours
        hours = (
            f" for up to {number(held)} hours"
            + (f" ({number(held / 24)} days)" if held % 24 == 0 and held > 48 else "")
            if held
            else ""
        )
        facts.append(f"It may be kept at up to {number(storage.room_temp_max_c)} °C{hours}.")
    return facts


def sorted_alerts(alerts: Iterable[Alert]) -> list[Alert]:
    """Most severe first; a stable sort keeps the engine's order inside a severity."""
    return sorted(alerts, key=lambda a: SEVERITY_ORDER.get(a.severity, 3))


def missing_fields(result: CheckResult) -> list[str]:
    fields: list[str] = []
    for alert in result.alerts:
        if alert.kind == "cannot-decide" and alert.field and alert.field not in fields:
            fields.append(alert.field)
    return fields


def date_words(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


@dataclass
class Footnote:
    number: int
    quote: str
    publisher: str
    document: str
    reviewed: dt.date | None
    url: str | None
    section: str | None = None


_SOURCE_PREFIX = "source:"


@dataclass
class Citations:
    """Numbers claims in the order the page first cites them, so footnotes read top to bottom.

    Rendering a template calls `cite` in document order; `footnotes` is then called at the end
    of the page and lists exactly what was cited, nothing more.
    """

    monograph: Monograph
    _numbers: dict[str, int] = field(default_factory=dict)

    def cite(self, claim_ids: Iterable[str]) -> Markup:
        marks: list[str] = []
        for claim_id in claim_ids:
            try:
                claim = self.monograph.claim(claim_id)
                source = self.monograph.source(claim.source)
            except KeyError:
                continue
            hover = f"“{claim.quote}” — {source.publisher}, {source.document}"
            marks.append(self._mark(claim_id, hover, len(marks)))
        return self._wrap(marks)

    def cite_document(self) -> Markup:
        """For prose copied whole from the page's only document (an ingested leaflet)."""
        if len(self.monograph.sources) != 1:
            return Markup("")
        source = self.monograph.sources[0]
        hover = f"{source.publisher}, {source.document}"
        return self._wrap([self._mark(f"{_SOURCE_PREFIX}{source.id}", hover, 0)])

    def _mark(self, key: str, hover: str, index: int) -> str:
        n = self._numbers.setdefault(key, len(self._numbers) + 1)
        return (
            f'<a class="cite" href="#fn-{n}" id="ref-{n}-{index}" '
            f'title="{escape(hover)}" aria-label="source {n}">{n}</a>'
        )

    @staticmethod
    def _wrap(marks: list[str]) -> Markup:
        if not marks:
            return Markup("")
        return Markup('<sup class="cites">[' + ", ".join(marks) + "]</sup>")

    def footnotes(self) -> list[Footnote]:
        notes: list[Footnote] = []
        for key, n in sorted(self._numbers.items(), key=lambda kv: kv[1]):
            if key.startswith(_SOURCE_PREFIX):
                source = self.monograph.source(key.removeprefix(_SOURCE_PREFIX))
                quote, section = "", None
            else:
                claim = self.monograph.claim(key)
                source = self.monograph.source(claim.source)
                quote, section = claim.quote, claim.section
            notes.append(
                Footnote(
                    number=n,
                    quote=quote,
                    publisher=source.publisher,
                    document=source.document,
                    reviewed=source.reviewed,
                    url=source.url,
                    section=section,
                )
            )
        return notes


@dataclass
class ResultCitations:
    """Citations of an engine result: its S-keys are already numbered by the engine."""

    sources: dict[str, SourceRef]
    acknowledgements: dict[tuple[str, str], str] = field(default_factory=dict)

    def cite(self, keys: Iterable[str]) -> Markup:
        marks: list[str] = []
        for key in keys:
            ref = self.sources.get(key)
            if ref is None:
                continue
            hover = f"“{ref.quote}” — {ref.publisher}, {ref.document}"
            marks.append(
                f'<a class="cite" href="#src-{escape(key)}" title="{escape(hover)}">'
                f"{escape(key)}</a>"
            )
        if not marks:
            return Markup("")
        return Markup('<sup class="cites">[' + ", ".join(marks) + "]</sup>")

    def listing(self) -> list[tuple[str, SourceRef]]:
        def order(key: str) -> tuple[int, str]:
            digits = "".join(ch for ch in key if ch.isdigit())
            return (int(digits) if digits else 10**9, key)

        return [(k, self.sources[k]) for k in sorted(self.sources, key=order)]

    def acknowledgement_texts(self) -> list[str]:
        texts: list[str] = []
        for ref in self.sources.values():
            text = self.acknowledgements.get((ref.publisher, ref.document))
            if text and text not in texts:
                texts.append(text)
        return texts


def acknowledgement_index(monograph: Monograph | None) -> dict[tuple[str, str], str]:
    """Engine results cite SourceRefs; the licence text lives on the monograph's Source."""
    if monograph is None:
        return {}
    return {
        (s.publisher, s.document): s.acknowledgement for s in monograph.sources if s.acknowledgement
    }


def group_sections(sections: Iterable[Section]) -> dict[str, list[Section]]:
    grouped: dict[str, list[Section]] = {key: [] for key, _ in GROUPS}
    for section in sections:
        topic = section.topic.value if isinstance(section.topic, Topic) else str(section.topic)
        grouped[TOPIC_GROUP.get(topic, "other")].append(section)
    return grouped


def group_conflicts(monograph: Monograph) -> dict[str, list[object]]:
    grouped: dict[str, list[object]] = {key: [] for key, _ in GROUPS}
    for conflict in monograph.conflicts:
        topic = conflict.topic.value if isinstance(conflict.topic, Topic) else str(conflict.topic)
        grouped[TOPIC_GROUP.get(topic, "other")].append(conflict)
    return grouped


def paragraphs(text: str) -> list[str]:
    """Prose of ingested leaflets keeps its line breaks (lists stay lists); nothing is parsed."""
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]
