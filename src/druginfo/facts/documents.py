"""Monographs → one FactSet per source, facts in document order.

A stored monograph is one document (a leaflet, a label, a page) or, for curated data, the
curator's quotes of several sources; either way each Source gets its own FactSet, so a
reconciler can compare one document with another and cite each fact's own words.
"""

from __future__ import annotations

import re

from druginfo.facts.extract import facts_from_text
from druginfo.facts.mentions import MentionFinder, default_finder
from druginfo.facts.population import merge
from druginfo.facts.precautions import ends_list, is_lead, lead_kind
from druginfo.model import Claim, Monograph, Source, SourceKind, Topic
from druginfo.model.facts import DocumentKind, Fact, FactDocument, FactSet, Population

LEAFLET_PUBLISHERS = frozenset({"european medicines agency"})
# A short statement that opens a list of who must not use the medicine ("Rotarix should not be
# given", "You must not be given Inflectra if:", "Do not use ProQuad"), written as a sentence of
# the section rather than as its heading.
_FORBIDDING_LEAD = re.compile(
    r"^\W*(?:[\w/-]+\s+){0,4}?(?:must|should|shall|do|does|will|may|can)\s*not\s+(?:be\s+)?"
    r"(?:given|used|use|take|taken|receive|have|start)\b(?:\s+[\w/-]+){0,4}?"
    r"(?:\s*:|\s+if\s*:?\s*$|\s*$)",
    re.IGNORECASE,
)
_LEAD_TOPICS = frozenset(
    {Topic.contraindication, Topic.warning, Topic.other, Topic.allergy, Topic.vaccine}
)
# What ends such a list: the next subsection or the closing advice.
_LIST_END = re.compile(
    r"^\W*(?:warnings?\s+and\s+precautions|talk\s+to|tell\s+your|ask\s+your|check\s+with|"
    r"other\s+medicines|pregnancy|children\s+and|if\s+(?:you\s+are\s+)?not\s+sure|"
    r"if\s+any\s+of\s+the\s+above|(?:do\s+not|don[’']t)\s+(?:use|take|give)\b.*\bif\s+any)",
    re.IGNORECASE,
)
# An item of such a list: 'if your child has …', 'you have heart failure …'.
_ITEM = re.compile(
    r"^\W*(?:if\s+|are\s+|have\s+|has\s+)|^\W*(?:you|your\s+child|the\s+(?:person|patient|child))\s+"
    r"(?:have|has|had|are|is|were|was|suffer|suffers|receive|take|are\s+taking)\b",
    re.IGNORECASE,
)


def readable_language(language: str) -> bool:
    """The readers' words are English; a document in another language yields no facts rather
    than the few its numbers would give without their words."""
    return language.lower().split("-")[0] == "en"


def document_kind(mono: Monograph, source: Source) -> DocumentKind:
    """curated for curated data, leaflet for an EU package leaflet, label for SPL/openFDA,
    publisher for a web page."""
    if mono.curated:
        return "curated"
    if source.kind is SourceKind.publisher:
        return "publisher"
    if source.kind is SourceKind.curated:
        return "curated"
    if source.publisher.strip().lower() in LEAFLET_PUBLISHERS or source.id.startswith("ema-epi"):
        return "leaflet"
    return "label"


def claim_facts(
    claim: Claim,
    *,
    own_names: frozenset[str],
    own_key: str | None,
    finder: MentionFinder,
    curated: bool,
    lead: str | None = None,
    by_structure: bool = False,
    warn_lead: str | None = None,
) -> list[Fact]:
    """The facts of one claim: its heading names the topic first (through the shared topic
    vocabulary), then the claim's own topic (a curator's, a QRD section's, a LOINC code's or a
    page's heading path), then the statement's words when both are broad."""
    # A document's own heading is read through the one topic vocabulary ("16 How supplied/
    # storage and handling" is storage whatever LOINC filed it under); a curator's topic stands.
    # An item of a 'Do not use' list the structure found (by_structure) is read as such
    # whatever its broad section heading says.
    path = [claim.section] if (claim.section and not curated and not by_structure) else []
    facts = facts_from_text(
        claim.quote,
        claim.section,
        path=path,
        structural=claim.topic,
        own_names=own_names,
        own_key=own_key,
        lead=lead,
        warn_lead=warn_lead,
        finder=finder,
    )
    basis = "curated" if curated else "machine"
    return [
        f.model_copy(update={"claim": claim.id, "source": claim.source, "basis": basis})
        for f in facts
    ]


# A dose sentence that continues the one before ("This will be followed by one 15 mg tablet
# once a day", "Then 40 mg every other week"): it is for the same people.
_CONTINUATION = re.compile(
    r"^\W*(?:(?:this|that|these|it)\s+(?:will\s+be|is|are)\s+followed\b|then\b|"
    r"after\s+(?:that|this)\b|afterwards\b|thereafter\b)",
    re.IGNORECASE,
)


def _continue_dose(
    claim: Claim, facts: list[Fact], last: tuple[str, str | None, Population] | None
) -> tuple[list[Fact], tuple[str, str | None, Population] | None]:
    """Dose facts of a continuing sentence take the population of the dose before it in the
    same section (their own bands, where stated, still win); the population of the latest
    dose that states one is remembered for the next sentence."""
    doses = [f for f in facts if f.topic in ("dose", "kidney")]
    if not doses:
        return facts, last
    same = last is not None and (last[0], last[1]) == (claim.source, claim.section)
    if same and last is not None and _CONTINUATION.match(claim.quote):
        facts = [
            f.model_copy(update={"population": merge(last[2], f.population)}) if f in doses else f
            for f in facts
        ]
        return facts, last
    stated = next((f.population for f in doses if f.population is not None), None)
    if stated is not None:
        return facts, (claim.source, claim.section, stated)
    return facts, last if same else None


def extract_facts(monograph: Monograph, *, finder: MentionFinder | None = None) -> list[FactSet]:
    """One FactSet per Source of the monograph, facts in document order."""
    finder = finder or default_finder()
    own = frozenset(
        n.lower()
        for n in (
            monograph.key,
            monograph.identity.generic,
            *monograph.identity.brands,
            *monograph.identity.substances,
        )
        if n
    )
    by_source: dict[str, list[Fact]] = {s.id: [] for s in monograph.sources}
    languages = {s.id: (s.language or monograph.language or "en") for s in monograph.sources}
    lead: Claim | None = None  # the last "... include:" of the section, while its list runs
    forbidding: Claim | None = None  # a "Rotarix should not be given" lead, while items follow
    last_dose: tuple[str, str | None, Population] | None = None  # (source, section, population)
    warn_lead: Claim | None = None  # "Talk to your doctor … if you:", over its items
    for claim in monograph.claims:
        if claim.source not in by_source or not readable_language(languages[claim.source]):
            continue  # the readers know English words only: other languages yield no facts
        if lead is not None and (lead.source, lead.section) != (claim.source, claim.section):
            lead = None
        if forbidding is not None and (
            (forbidding.source, forbidding.section) != (claim.source, claim.section)
            or _LIST_END.match(claim.quote)
        ):
            forbidding = None
        if warn_lead is not None and (warn_lead.source, warn_lead.section) != (
            claim.source,
            claim.section,
        ):
            warn_lead = None
        lead_text = lead.quote if lead is not None else None
        listed = forbidding is not None and _ITEM.match(claim.quote) is not None
        if forbidding is not None and listed:
            # An item of a "Do not use" list whose lead is a sentence of the section, not a
            # heading: the item is a contraindication as under a 'Do not use' heading.
            claim = claim.model_copy(update={"topic": Topic.contraindication})
            lead_text = forbidding.quote.rstrip(" .") + ("" if lead_text else ":")
            lead_text = lead_text if lead_text.endswith(":") else lead_text + ":"
        if claim.topic in _LEAD_TOPICS and _FORBIDDING_LEAD.match(claim.quote):
            forbidding = claim
        if claim.quote.rstrip().endswith(":"):
            lead = claim
        elif re.search(r"[.!?]\W*$", claim.quote):
            lead = None  # a full sentence ends the list the lead-in introduced
        facts = claim_facts(
            claim,
            own_names=own,
            own_key=monograph.key,
            finder=finder,
            curated=monograph.curated,
            lead=lead_text,
            by_structure=listed,
            warn_lead=warn_lead.quote if warn_lead is not None else None,
        )
        if is_lead(claim.quote):
            # A new lead ends the list before it, and so does one about side effects or
            # symptoms; a sub-lead inside the list ('an increased risk of bleeding, such
            # as:') keeps it.
            if lead_kind(claim.quote) is not None:
                warn_lead = claim
            elif ends_list(claim.quote):
                warn_lead = None
        facts, last_dose = _continue_dose(claim, facts, last_dose)
        by_source[claim.source].extend(facts)
    sets: list[FactSet] = []
    for source in monograph.sources:
        by_source[source.id] = _without_own_indications(by_source[source.id])
        document = FactDocument(
            id=source.id,
            medicine=monograph.key,
            brands=list(monograph.identity.brands),
            publisher=source.publisher,
            title=source.document,
            date=source.reviewed,
            language=source.language or monograph.language,
            kind=document_kind(monograph, source),
        )
        sets.append(FactSet(document=document, facts=by_source[source.id]))
    return sets


def _without_own_indications(facts: list[Fact]) -> list[Fact]:
    """A warnings sentence about the disease the medicine treats ("If you have Crohn's
    disease, …" in a leaflet for Crohn's disease) is no caution against its treatment: such
    precaution facts are dropped where the same document names the condition as its
    indication."""
    treated = {f.condition for f in facts if f.topic == "indication" and f.condition}
    if not treated:
        return facts
    return [f for f in facts if not (f.topic == "precaution" and f.condition in treated)]
