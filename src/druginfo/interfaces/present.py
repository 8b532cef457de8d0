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
    Source,
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

# The reader groups' headings and the page's own words in each leaflet language, so that a
# Danish or Portuguese page is not framed by English headings. English is the fallback.
GROUP_TITLES: dict[str, dict[str, str]] = {
    "da": {
        "about": "Hvad det er, og hvordan det virker",
        "not-for": "Hvem må ikke tage det",
        "how": "Sådan tager du det",
        "side-effects": "Bivirkninger",
        "interactions": "Brug sammen med anden medicin",
        "monitoring": "Kontrol",
        "storage": "Opbevaring og rejser",
        "other": "Yderligere oplysninger",
    },
    "pt": {
        "about": "O que é e como funciona",
        "not-for": "Quem não deve tomar",
        "how": "Como tomar",
        "side-effects": "Efeitos indesejáveis",
        "interactions": "Interações",
        "monitoring": "Monitorização",
        "storage": "Conservação e viagens",
        "other": "Outras informações",
    },
}

UI_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "at-a-glance": "At a glance",
        "for": "Used for",
        "dose": "Usual dose",
        "do-not-use": "Do not use",
        "storage": "Storage",
        "more": "More",
        "sources": "Sources",
        "documents": "Documents this page draws on",
        "on-this-page": "On this page",
        "read-in": "Read in",
        "dated": "Document dated",
        "back": "Back to the text",
        "machine-read": "Quoted from the leaflet by druginfo's rules, not checked by a person.",
        "curated": "From druginfo's curated data; each line shows its sources.",
        "section": "section",
        "leaflet-note": "This page shows the official leaflet text as published. We have no "
        "dose rules for this medicine, so a personal plan cannot be made for it.",
        "other-products": "Other products with the same active substance",
        "skip": "Skip to main content",
        "see-dosing": "See the dosing section.",
        "compare": "Compare what the sources say",
        "leaflets": "This product has several leaflets",
        "for-children": "written for children",
        "shown": "shown here",
    },
    "da": {
        "at-a-glance": "Kort fortalt",
        "for": "Anvendes til",
        "dose": "Sædvanlig dosis",
        "do-not-use": "Brug ikke",
        "storage": "Opbevaring",
        "more": "Mere",
        "sources": "Kilder",
        "documents": "Dokumenter, siden bygger på",
        "on-this-page": "På denne side",
        "read-in": "Læs på",
        "dated": "Dokumentets dato",
        "back": "Tilbage til teksten",
        "machine-read": "Citeret fra indlægssedlen efter druginfos regler, ikke kontrolleret "
        "af en person.",
        "curated": "Fra druginfos kuraterede data; hver linje viser sine kilder.",
        "section": "afsnit",
        "leaflet-note": "Siden viser indlægssedlens officielle tekst. Vi har ingen doseringsregler "
        "for dette lægemiddel, så der kan ikke laves en personlig plan.",
        "other-products": "Andre produkter med samme aktive stof",
        "skip": "Gå til indholdet",
        "see-dosing": "Se afsnittet om dosering.",
        "compare": "Sammenlign, hvad kilderne siger",
        "leaflets": "Produktet har flere indlægssedler",
        "for-children": "skrevet til børn",
        "shown": "vises her",
    },
    "pt": {
        "at-a-glance": "Em resumo",
        "for": "Utilizado para",
        "dose": "Dose habitual",
        "do-not-use": "Não utilize",
        "storage": "Conservação",
        "more": "Mais",
        "sources": "Fontes",
        "documents": "Documentos em que esta página se baseia",
        "on-this-page": "Nesta página",
        "read-in": "Ler em",
        "dated": "Data do documento",
        "back": "Voltar ao texto",
        "machine-read": "Citado do folheto pelas regras do druginfo, não verificado por uma "
        "pessoa.",
        "curated": "Dos dados revistos do druginfo; cada linha mostra as suas fontes.",
        "section": "secção",
        "leaflet-note": "Esta página mostra o texto oficial do folheto. Não temos regras de dose "
        "para este medicamento, por isso não é possível fazer um plano pessoal.",
        "other-products": "Outros produtos com a mesma substância ativa",
        "skip": "Saltar para o conteúdo",
        "see-dosing": "Consulte a secção sobre a dose.",
        "compare": "Compare o que dizem as fontes",
        "leaflets": "Este produto tem vários folhetos",
        "for-children": "escrito para crianças",
        "shown": "mostrado aqui",
    },
}


def ui_word(key: str, language: str = "en") -> str:
    return UI_WORDS.get(language, {}).get(key) or UI_WORDS["en"][key]


def leaflet_label(doc: Monograph, for_children: bool, language: str = "en") -> str:
    """A leaflet as its reader picks it: its title, which names the strength and form
    ("Humira 20 mg solution for injection in pre-filled syringe"), and whom it is written
    for when that is a child's carer."""
    title = doc.sources[0].document if doc.sources else doc.identity.generic
    return f"{title} ({ui_word('for-children', language)})" if for_children else title


def heading(title: str, names: Iterable[str]) -> str:
    """A leaflet's section title with the medicine's name as the medicine writes it: the
    converter lower-cases it ("1. What rayvow is and what it is used for")."""
    for name in names:
        if not name or name.lower() == name:
            continue
        pattern = re.compile(rf"(?<!\w){re.escape(name.lower())}(?!\w)")
        title = pattern.sub(name.replace("\\", "\\\\"), title)
    return title


def name_brand(display: str, key: str) -> str | None:
    """'Bretaris Genuair (aclidinium)' → 'Bretaris Genuair': the product a search hit or an
    index entry names, None when it names only the substance."""
    brand, sep, _ = display.partition(" (")
    if not sep or brand.strip().lower() == key.lower():
        return None
    return brand.strip()


def group_title(group: str, language: str = "en") -> str:
    titles = GROUP_TITLES.get(language, {})
    return titles.get(group) or dict(GROUPS)[group]


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


_SOURCE_PREFIX = "source:"

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

KIND_WORDS = {
    "label": "official product information",
    "publisher": "publisher's page",
    "curated": "curated reference",
}


MONTHS_IN: dict[str, tuple[str, ...]] = {
    "da": (
        "januar", "februar", "marts", "april", "maj", "juni",
        "juli", "august", "september", "oktober", "november", "december",
    ),
    "pt": (
        "janeiro", "fevereiro", "março", "abril", "maio", "junho",
        "julho", "agosto", "setembro", "outubro", "novembro", "dezembro",
    ),
}  # fmt: skip


def long_date(value: dt.date | None, language: str = "en") -> str:
    """'16 February 2022' ('16. februar 2022', '16 de fevereiro de 2022'): the way people
    write dates in the page's language, unambiguous in every country."""
    if not value:
        return ""
    if language == "da":
        return f"{value.day}. {MONTHS_IN['da'][value.month - 1]} {value.year}"
    if language == "pt":
        return f"{value.day} de {MONTHS_IN['pt'][value.month - 1]} de {value.year}"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def _unstop(text: str) -> str:
    """Without a final full stop, so that joining parts never doubles one."""
    return text.strip().rstrip(".").rstrip()


@dataclass(frozen=True)
class DocumentRef:
    """A source as people know it: who published it, its title, its date, a link. File paths
    and internal ids stay out: they mean nothing to a reader."""

    number: int
    publisher: str
    title: str
    date: dt.date | None
    url: str | None
    kind: str
    acknowledgement: str | None = None

    @property
    def words(self) -> str:
        parts = [_unstop(self.publisher), f"“{_unstop(self.title)}”"]
        if self.date:
            parts.append(long_date(self.date))
        return ", ".join(parts)

    @property
    def kind_words(self) -> str:
        return KIND_WORDS.get(self.kind, self.kind)


def document_ref(source: Source, number: int = 0) -> DocumentRef:
    kind = source.kind.value if hasattr(source.kind, "value") else str(source.kind)
    return DocumentRef(
        number=number,
        publisher=source.publisher,
        title=source.document,
        date=source.reviewed,
        url=source.url,
        kind=kind,
        acknowledgement=source.acknowledgement,
    )


@dataclass(frozen=True)
class Quoted:
    quote: str
    document: DocumentRef
    section: str | None = None


@dataclass
class Footnote:
    """What one citation marker stands for: the quoted words (several sources may back one
    statement), or, for prose copied from a document, the document and its section."""

    number: int
    quotes: list[Quoted]
    documents: list[DocumentRef]
    section: str | None = None
    backrefs: list[str] = field(default_factory=list)


@dataclass
class Citations:
    """One marker per statement, numbered in the order the page first cites it.

    A statement resting on several claims gets a single number whose footnote lists every
    quote, so a line never carries a cluster such as [34–43]; the same set of claims cited
    again reuses its number. Rendering a template calls `cite` in document order, and
    `footnotes` is called at the end of the page.
    """

    monograph: Monograph
    _numbers: dict[tuple[str, ...], int] = field(default_factory=dict)
    _uses: dict[int, int] = field(default_factory=dict)
    _documents: dict[str, DocumentRef] = field(default_factory=dict)

    def number_for(self, claim_ids: Iterable[str]) -> int | None:
        """The marker number of a statement (None when it cites nothing we know)."""
        keys = tuple(dict.fromkeys(c for c in claim_ids if self._known(c)))
        if not keys:
            return None
        return self._numbers.setdefault(keys, len(self._numbers) + 1)

    def _known(self, claim_id: str) -> bool:
        try:
            self.monograph.source(self.monograph.claim(claim_id).source)
        except KeyError:
            return False
        return True

    def cite(self, claim_ids: Iterable[str]) -> Markup:
        ids = list(claim_ids)
        n = self.number_for(ids)
        if n is None:
            return Markup("")
        first = self.monograph.claim(next(c for c in ids if self._known(c)))
        hover = f"“{first.quote}” — {self.monograph.source(first.source).publisher}"
        return self._mark(n, hover)

    def section_number(self, section: Section) -> int | None:
        """The marker of prose copied whole from the page's document: document and section."""
        if len(self.monograph.sources) != 1:
            return self.number_for(section.claims)
        source = self.monograph.sources[0]
        key = (f"{_SOURCE_PREFIX}{source.id}", section.title)
        return self._numbers.setdefault(key, len(self._numbers) + 1)

    def cite_section(self, section: Section) -> Markup:
        """Prose copied whole from the page's document: one marker naming its section."""
        if len(self.monograph.sources) != 1:
            return self.cite(section.claims)
        n = self.section_number(section)
        assert n is not None
        return self._mark(n, f"{self.monograph.sources[0].publisher}: {section.title}")

    def cite_document(self) -> Markup:
        """For prose copied whole from the page's only document (an ingested leaflet)."""
        if len(self.monograph.sources) != 1:
            return Markup("")
        source = self.monograph.sources[0]
        n = self._numbers.setdefault((f"{_SOURCE_PREFIX}{source.id}",), len(self._numbers) + 1)
        return self._mark(n, f"{source.publisher}, {source.document}")

    def _mark(self, n: int, hover: str) -> Markup:
        use = self._uses.get(n, 0)
        self._uses[n] = use + 1
        if len(hover) > 160:
            hover = hover[:157].rstrip() + "…"
        return Markup(
            f'<a class="cite" href="#fn-{n}" id="ref-{n}-{use}" '
            f'title="{escape(hover)}" aria-label="source {n}">{n}</a>'
        )

    def document(self, source_id: str) -> DocumentRef:
        if source_id not in self._documents:
            ref = document_ref(self.monograph.source(source_id), len(self._documents) + 1)
            self._documents[source_id] = ref
        return self._documents[source_id]

    def footnotes(self) -> list[Footnote]:
        notes: list[Footnote] = []
        for key, n in sorted(self._numbers.items(), key=lambda kv: kv[1]):
            backrefs = [f"ref-{n}-{i}" for i in range(self._uses.get(n, 0))]
            if key[0].startswith(_SOURCE_PREFIX):
                doc = self.document(key[0].removeprefix(_SOURCE_PREFIX))
                section = key[1] if len(key) > 1 else None
                notes.append(Footnote(n, [], [doc], section, backrefs))
                continue
            quotes: list[Quoted] = []
            for claim_id in key:
                claim = self.monograph.claim(claim_id)
                quotes.append(Quoted(claim.quote, self.document(claim.source), claim.section))
            docs = list(dict.fromkeys(q.document for q in quotes))
            notes.append(Footnote(n, quotes, docs, None, backrefs))
        return notes

    def documents(self) -> list[DocumentRef]:
        """Every document of the monograph, those cited first in citation order."""
        for source in self.monograph.sources:
            self.document(source.id)
        return sorted(self._documents.values(), key=lambda d: d.number)


@dataclass
class ResultNote:
    """One numbered source note of an engine result's page: the quotes behind one statement."""

    number: int
    refs: list[tuple[SourceRef, DocumentRef]]
    backrefs: list[str] = field(default_factory=list)


@dataclass
class ResultCitations:
    """Citations of an engine result (a personal check, an advice), laid out as the monograph
    page lays out its own: one marker per statement, numbered in the order the page first
    cites it, whose note lists every quote behind the statement and leads back to each place
    citing it. The engine's S-keys stay in the result (API, calendar) but are not shown: a row
    of them after one sentence was a cluster nobody could tap."""

    sources: dict[str, SourceRef]
    acknowledgements: dict[tuple[str, str], str] = field(default_factory=dict)
    _numbers: dict[tuple[str, ...], int] = field(default_factory=dict)
    _uses: dict[int, int] = field(default_factory=dict)
    _documents: dict[tuple[str, str], DocumentRef] = field(default_factory=dict)

    def number_for(self, keys: Iterable[str]) -> int | None:
        known = tuple(dict.fromkeys(k for k in keys if k in self.sources))
        if not known:
            return None
        return self._numbers.setdefault(known, len(self._numbers) + 1)

    def cite(self, keys: Iterable[str]) -> Markup:
        wanted = list(keys)
        n = self.number_for(wanted)
        if n is None:
            return Markup("")
        first = self.sources[next(k for k in wanted if k in self.sources)]
        hover = f"“{first.quote}” — {first.publisher}, {first.document}"
        if len(hover) > 160:
            hover = hover[:157].rstrip() + "…"
        use = self._uses.get(n, 0)
        self._uses[n] = use + 1
        return Markup(
            f'<a class="cite" href="#fn-{n}" id="ref-{n}-{use}" '
            f'title="{escape(hover)}" aria-label="source {n}">{n}</a>'
        )

    def document(self, ref: SourceRef) -> DocumentRef:
        key = (ref.publisher, ref.document)
        if key not in self._documents:
            self._documents[key] = DocumentRef(
                number=len(self._documents) + 1,
                publisher=ref.publisher,
                title=ref.document,
                date=ref.reviewed,
                url=ref.url,
                kind=ref.kind or "",
                acknowledgement=self.acknowledgements.get(key),
            )
        return self._documents[key]

    def footnotes(self) -> list[ResultNote]:
        """The notes of every statement cited so far, then one for each source of the result
        that no statement on the page cited (nothing the result rests on is left out)."""
        cited = {k for keys in self._numbers for k in keys}
        for key in sorted(self.sources, key=_key_order):
            if key not in cited:
                self.number_for([key])
        notes: list[ResultNote] = []
        for keys, n in sorted(self._numbers.items(), key=lambda kv: kv[1]):
            refs = [(self.sources[k], self.document(self.sources[k])) for k in keys]
            backrefs = [f"ref-{n}-{i}" for i in range(self._uses.get(n, 0))]
            notes.append(ResultNote(n, refs, backrefs))
        return notes

    def documents(self) -> list[DocumentRef]:
        """Every document the result quotes, those cited first in citation order."""
        for key in sorted(self.sources, key=_key_order):
            self.document(self.sources[key])
        return sorted(self._documents.values(), key=lambda d: d.number)

    def listing(self) -> list[tuple[str, SourceRef]]:
        return [(k, self.sources[k]) for k in sorted(self.sources, key=_key_order)]

    def acknowledgement_texts(self) -> list[str]:
        texts: list[str] = []
        for ref in self.sources.values():
            text = self.acknowledgements.get((ref.publisher, ref.document))
            if text and text not in texts:
                texts.append(text)
        return texts


def _key_order(key: str) -> tuple[int, str]:
    digits = "".join(ch for ch in key if ch.isdigit())
    return (int(digits) if digits else 10**9, key)


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


LIST_ITEM = "• "


@dataclass
class Block:
    """A paragraph, or a list whose items were list items in the source's markup."""

    kind: str  # "p" or "ul"
    items: list[str]


# Characters of the Symbol and Wingdings fonts that reach the leaflets' XHTML as Unicode
# private-use code points (U+F000 + the font's code): browsers show them as empty boxes.
# Those used as list markers start a list item; arrows become an arrow; the font's space a
# space; its degree sign only where a C follows ("2 °C"). Any other is left as it is: which
# font it came from is unknown, and a guessed "≥" in a dose would be worse than a box.
_FONT_BULLETS = re.compile(r"\s*[\uf0b7\uf0a7\uf09f\uf076\uf0d8\uf097](?:\s|\uf020)+")
_FONT_ARROWS = re.compile(r"[\uf0e0\uf0e8\uf0da](?:\s|\uf020)*")
_FONT_DEGREE = re.compile(r"\uf0b0(?=\s?C\b)")


def display_text(text: str) -> str:
    """Leaflet text as shown: the font characters above made readable, nothing else."""
    text = _FONT_DEGREE.sub("°", text)
    text = _FONT_ARROWS.sub("→ ", text)
    return text.replace("\uf020", " ")


def blocks(text: str) -> list[Block]:
    """Leaflet prose as stored: one block per line, list items marked with a bullet (or a
    font's bullet character, even in the middle of a line the converter ran together)."""
    out: list[Block] = []

    def item(words: str) -> None:
        if out and out[-1].kind == "ul":
            out[-1].items.append(words)
        else:
            out.append(Block("ul", [words]))

    for line in paragraphs(display_text(text)):
        pieces = [p.strip() for p in _FONT_BULLETS.split(" " + line)]
        head, rest = pieces[0], [p for p in pieces[1:] if p]
        if head.startswith(LIST_ITEM.strip()):
            item(head[1:].strip())
        elif head:
            out.append(Block("p", [head]))
        for words in rest:
            item(words)
    return out


# Other ways people name the events, beyond the slug and the page's own labels.
EVENT_WORDS: dict[str, tuple[str, ...]] = {
    "missed-dose": (
        "missed dose",
        "forgot dose",
        "forgot a dose",
        "forgot my dose",
        "skipped dose",
    ),
    "dropped-syringe": ("dropped syringe", "dropped the syringe", "dropped pen"),
    "frozen": ("it froze", "froze", "freezer"),
    "left-out-of-fridge": ("left out", "out of fridge", "out of the fridge", "not refrigerated"),
    "side-effect": ("side effects", "reaction"),
    "pregnancy": ("pregnant",),
    "vaccine": ("vaccination", "vaccines"),
    "surgery": ("operation",),
    "travel": ("travelling", "traveling", "trip"),
}


def _event_key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def parse_event(text: str) -> str | None:
    """An event given in words ("missed dose", "I dropped the syringe") → its id, or None.

    Only whole-phrase matches count (after case, hyphens and spaces are evened out): a word
    that could mean two events is refused rather than guessed.
    """
    wanted = _event_key(text)
    if not wanted:
        return None
    found: set[str] = set()
    for event in EVENT_LABELS:
        names = {event, EVENT_LABELS[event], *EVENT_WORDS.get(event, ())}
        if wanted in {_event_key(n) for n in names}:
            found.add(event)
    if len(found) == 1:
        return found.pop()
    words = {_event_key(n): e for e in EVENT_LABELS for n in (e, *EVENT_WORDS.get(e, ()))}
    # "I missed my dose" → drop filler words and try again.
    filler = {"i", "my", "a", "the", "have", "had", "am", "was", "it", "an"}
    core = " ".join(w for w in wanted.split() if w not in filler)
    return words.get(core)
