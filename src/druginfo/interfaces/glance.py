"""The at-a-glance card: what a medicine is for, its usual dose, the most important "do not
use" and how to store it, computed from the monograph's own data, each line with its claims.

Curated monographs answer from their structured rules (the dose comes with its volume,
computed from the product the rule names). Ingested leaflets have no rules, so the card
quotes the leaflet's own sentences, chosen by topic and by the template wording every EU
leaflet shares; a line that cannot be found is left out rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from druginfo.interfaces import glance_dose, present
from druginfo.model import Claim, DoseRule, Monograph, Product, Topic
from druginfo.wording import every_hours_words, number

ROUTE_WORDS = {
    "subcutaneous": "under the skin",
    "intravenous": "into a vein",
    "intramuscular": "into a muscle",
    "oral": "by mouth",
}


@dataclass
class GlanceLine:
    id: str  # "for", "dose", "do-not-use", "storage"
    label: str
    text: str
    claims: list[str] = field(default_factory=list)
    more: str | None = None  # the reader group holding the rest ("how", "not-for", ...)


@dataclass
class Glance:
    lines: list[GlanceLine]
    machine_read: bool  # quoted from a leaflet by rule, not curated by a person
    language: str = "en"

    @property
    def title(self) -> str:
        return present.ui_word("at-a-glance", self.language)


def glance(mono: Monograph) -> Glance:
    if mono.curated:
        return Glance(_curated_lines(mono), machine_read=False, language=mono.language)
    return Glance(_leaflet_lines(mono), machine_read=True, language=mono.language)


# --- curated -----------------------------------------------------------------------------------


def _curated_lines(mono: Monograph) -> list[GlanceLine]:
    lines: list[GlanceLine] = []
    lang = mono.language
    if mono.indications:
        names = [ind.name for ind in mono.indications]
        shown = names[:4]
        text = "; ".join(shown)
        if len(names) > len(shown):
            text += f"; and {len(names) - len(shown)} more"
        claims = list(dict.fromkeys(ind.claims[0] for ind in mono.indications))
        lines.append(GlanceLine("for", present.ui_word("for", lang), text, claims, "about"))
    rule = usual_dose_rule(mono)
    if rule is not None:
        lines.append(
            GlanceLine(
                "dose",
                present.ui_word("dose", lang),
                dose_line(mono, rule),
                list(rule.claims),
                "how",
            )
        )
    blocking = [r for r in mono.screening if r.kind == "contraindication" and r.blocking]
    if blocking:
        blocking.sort(key=lambda r: present.SEVERITY_ORDER.get(r.severity, 3))
        shown_rules = blocking[:3]
        text = "; ".join(r.title for r in shown_rules)
        if len(blocking) > len(shown_rules):
            text += f"; and {len(blocking) - len(shown_rules)} more"
        claims = list(dict.fromkeys(r.claims[0] for r in shown_rules))
        lines.append(
            GlanceLine("do-not-use", present.ui_word("do-not-use", lang), text, claims, "not-for")
        )
    if mono.storage is not None:
        facts = present.storage_facts(mono.storage)[:2]
        if facts:
            lines.append(
                GlanceLine(
                    "storage",
                    present.ui_word("storage", lang),
                    " ".join(facts),
                    list(mono.storage.claims),
                    "storage",
                )
            )
    return lines


def usual_dose_rule(mono: Monograph) -> DoseRule | None:
    """The adult fixed dose of the first-listed indication that has one, else the first rule.

    Indications are listed in the curator's order (the main use first); an adult fixed dose
    is what most readers take, and a weight-based dose cannot be one number for everyone.
    """
    order = {ind.id: i for i, ind in enumerate(mono.indications)}
    # A repeated dose is the usual one; a first (loading) dose given once is not.
    rules = sorted(
        mono.dose_rules,
        key=lambda r: (r.schedule == "once", order.get(r.indication, len(order))),
    )
    for rule in rules:
        if rule.basis == "fixed" and (rule.age_min_years or 0) >= 12:
            return rule
    for rule in rules:
        if rule.basis == "fixed":
            return rule
    return rules[0] if rules else None


def _product(mono: Monograph, rule: DoseRule) -> Product | None:
    if rule.product:
        return next((p for p in mono.products if p.id == rule.product), None)
    return mono.products[0] if len(mono.products) == 1 else None


def dose_line(mono: Monograph, rule: DoseRule) -> str:
    """'100 mg = 0.67 mL (the whole syringe), once a day, under the skin — for adults with
    rheumatoid arthritis'."""
    names = {i.id: i.name for i in mono.indications}
    amount = present.dose_words(rule)
    product = _product(mono, rule)
    if (
        rule.basis == "fixed"
        and rule.dose_mg is not None
        and product is not None
        and product.volume_ml is not None
    ):
        ml = rule.dose_mg / product.strength_mg * product.volume_ml
        amount += f" = {number(ml, 2)} mL"
        if abs(rule.dose_mg - product.strength_mg) < 1e-9:
            amount += f" (one whole {_container(product.form)})"
    route = ROUTE_WORDS.get(rule.route, rule.route)
    who = names.get(rule.indication, rule.indication)
    band = present.age_band(rule.age_min_years, rule.age_max_years)
    return f"{amount}, {_often(rule)}, {route} — {who}, {band}"


def _often(rule: DoseRule) -> str:
    """How often, in the card's plain words ('every two weeks'); the exact hours are in the
    dosing section beside the full rule."""
    if rule.schedule != "repeated" or rule.every_hours is None:
        return present.schedule_words(rule)
    words = every_hours_words(rule.every_hours)
    plain = re.search(r"\((.+)\)$", words)
    return plain.group(1) if plain else words


def _container(form: str) -> str:
    for word in ("syringe", "pen", "vial", "cartridge", "tablet", "capsule", "sachet"):
        if word in form.lower():
            return word
    return "unit"


# --- leaflets ----------------------------------------------------------------------------------

# Template wording of EU leaflets (QRD), per language: how section 1 says what the medicine is
# used for, how section 3 states the usual dose, and the words of a storage temperature.
_USED_FOR = {
    "en": re.compile(r"\b(?:is|are) used (?:to treat|for|in|to prevent|to)\b", re.I),
    "da": re.compile(r"\b(?:anvendes|bruges|benyttes) (?:til|mod|ved)\b", re.I),
    "pt": re.compile(r"\b(?:é|são) (?:utilizad|usad)[oa]s? (?:para|no|na|em)\b", re.I),
}
_TEMPERATURE = re.compile(
    r"\d\s*°?\s*C\b|refrigerator|fridge|køleskab|frigorífico|frigorifico|below \d|under \d", re.I
)


def _claims_of(mono: Monograph, topics: set[Topic]) -> list[Claim]:
    return [c for c in mono.claims if c.topic in topics]


_LONGEST = 300  # a longer "sentence" is run-together text the converter failed to split


def _first(claims: list[Claim], *tests: re.Pattern[str] | None) -> Claim | None:
    """The first claim passing every test that reads as a sentence of its own: not the
    opening of a list (it ends with a colon) and not text the converter ran together."""
    for claim in claims:
        quote = claim.quote.strip()
        if quote.endswith(":") or len(quote) > _LONGEST:
            continue
        if all(t is None or t.search(quote) for t in tests):
            return claim
    return None


def _leaflet_lines(mono: Monograph) -> list[GlanceLine]:
    lang = mono.language
    lines: list[GlanceLine] = []
    used = _first(_claims_of(mono, {Topic.indication}), _USED_FOR.get(lang))
    if used is not None:
        lines.append(
            GlanceLine("for", present.ui_word("for", lang), used.quote, [used.id], "about")
        )
    names = [*mono.identity.brands, *mono.identity.substances, mono.identity.generic]
    dose = glance_dose.usual_dose(_claims_of(mono, {Topic.dosing}), lang, names)
    if dose is not None:
        text = dose.text if dose.claim else present.ui_word("see-dosing", lang)
        claims = [dose.claim.id] if dose.claim else []
        lines.append(GlanceLine("dose", present.ui_word("dose", lang), text, claims, "how"))
    contra = _claims_of(mono, {Topic.contraindication})
    if contra:
        first = contra[0]
        lead = first.section or present.ui_word("do-not-use", lang)
        text = f"{_unstop_colon(lead)}: {first.quote}"
        lines.append(
            GlanceLine(
                "do-not-use", present.ui_word("do-not-use", lang), text, [first.id], "not-for"
            )
        )
    store = _first(_claims_of(mono, {Topic.storage}), _TEMPERATURE)
    if store is not None:
        lines.append(
            GlanceLine(
                "storage", present.ui_word("storage", lang), store.quote, [store.id], "storage"
            )
        )
    for line in lines:
        line.text = present.display_text(line.text)
    return lines


def _unstop_colon(text: str) -> str:
    return text.strip().rstrip(":.").rstrip()
