"""FDA Structured Product Labeling (SPL): HL7 v3 XML, one label per file.

Sections are identified by LOINC codes; `LOINC_SECTIONS` maps each code to its name, the
openFDA field that carries it and our topic. It was generated once from the CC0 tables of
FDA/openfda (`sections.csv`, beside `loinc.csv`, in ../shared/data/fda-spl); code 43685-7 is
named "Warnings and cautions" there, as in openFDA's field name. Sections coded "SPL
unclassified" (42229-5) take a topic from their heading words when they stand at the top level
(OTC labels, old labels) and inherit their parent's topic when nested ("5.1 Serious
infections" under "5 Warnings and precautions").

Pharmacologic class indexing documents (LOINC 60685-5) carry no prose: they become a
`ClassBatch`. For each class the batch holds the class itself (`system` "fda-epc", "fda-moa",
"fda-pe" or "fda-cs" by its bracketed kind, `code` the NUI, no parent) and one entry per
indexed substance, shaped like an ATC leaf: `code` "<NUI>/<UNII>", `name` the substance in
lower case, `parent` the NUI. "Which classes is methoxsalen in?" is then the same query as
for ATC: entries named "methoxsalen", their parents.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

from druginfo.model import (
    Claim,
    ClassEntry,
    Identity,
    Monograph,
    Section,
    Source,
    SourceKind,
    Topic,
)
from druginfo.sources.base import Broken, ClassBatch, ParsedDocument
from druginfo.sources.text import (
    combination_key,
    element_blocks,
    local_name,
    norm_space,
    sha256,
    split_name_list,
    split_sentences,
)

NS = "urn:hl7-org:v3"
_N = {"v3": NS}
LOINC_SYSTEM = "2.16.840.1.113883.6.1"
NDC_SYSTEM = "2.16.840.1.113883.6.69"
FDA = "U.S. Food and Drug Administration"
DOC_PREFIX = "fda-spl:"
INDEXING_PHARM_CLASS = "60685-5"
BOXED_WARNING = "34066-1"
UNCLASSIFIED = "42229-5"
_DATA_ELEMENTS = frozenset({"48779-3", "48780-1"})

# LOINC section code → (name, openFDA field or None, topic or None for "decide by heading").
LOINC_SECTIONS: dict[str, tuple[str, str | None, Topic | None]] = {
    "34086-9": ("Abuse", "abuse", Topic.warning),
    "60555-0": ("Accessories", "accessories", Topic.product),
    "34084-4": ("Adverse Reactions", "adverse_reactions", Topic.side_effect),
    "69761-5": ("Alarms", "alarms", Topic.other),
    "34091-9": (
        "Animal Pharmacology & or Toxicology",
        "animal_pharmacology_and_or_toxicology",
        Topic.other,
    ),
    "60556-8": (
        "Assembly or Installation Instructions",
        "assembly_or_installation_instructions",
        Topic.administration,
    ),
    "34066-1": ("Boxed Warning", "boxed_warning", Topic.warning),
    "60557-6": ("Calibration Instructions", "calibration_instructions", Topic.administration),
    "34083-6": (
        "Carcinogenesis & Mutagenesis & Impairment of Fertility",
        "carcinogenesis_and_mutagenesis_and_impairment_of_fertility",
        Topic.warning,
    ),
    "60684-8": ("Cellular Therapy", None, Topic.other),
    "34090-1": ("Clinical Pharmacology", "clinical_pharmacology", Topic.mechanism),
    "60558-4": (
        "Cleaning, Disinfecting, and Sterilization Instructions",
        "cleaning",
        Topic.administration,
    ),
    "34092-7": ("Clinical Studies", "clinical_studies", Topic.effectiveness),
    "69760-7": ("Compatible Accessories", "compatible_accessories", Topic.product),
    "60559-2": ("Components", "components", Topic.product),
    "34070-3": ("Contraindications", "contraindications", Topic.contraindication),
    "34085-1": ("Controlled Substance", "controlled_substance", Topic.warning),
    "34087-7": ("Dependence", "dependence", Topic.warning),
    "34089-3": ("Description", "description", Topic.identity),
    "69758-1": ("Diagram of Device", "diagram_of_device", Topic.product),
    "69763-1": ("Disposal and Waste Handling", "disposal_and_waste_handling", Topic.storage),
    "34068-7": ("Dosage & Administration", "dosage_and_administration", Topic.dosing),
    "43678-2": ("Dosage Forms & Strengths", "dosage_forms_and_strengths", Topic.product),
    "34074-5": (
        "Drug & or Laboratory Test Interactions",
        "drug_and_or_laboratory_test_interactions",
        Topic.interaction,
    ),
    "42227-9": ("Drug Abuse and Dependence", "drug_abuse_and_dependence", Topic.warning),
    "34073-7": ("Drug Interactions", "drug_interactions", Topic.interaction),
    "50742-6": ("Environmental Warning", "environmental_warning", Topic.warning),
    "50743-4": ("Food Safety Warning", "food_safety_warning", Topic.warning),
    "34072-9": ("General Precautions", "general_precautions", Topic.warning),
    "34082-8": ("Geriatric Use", "geriatric_use", Topic.seniors),
    "50740-0": ("Guaranteed Analysis of Feed", "guaranteed_analysis_of_feed", Topic.other),
    "71744-7": ("Health Care Provider Letter", "health_care_provider_letter", Topic.other),
    "69719-3": ("Health Claim", "health_claim", Topic.other),
    "34069-5": ("How Supplied", "how_supplied", Topic.product),
    "51727-6": ("Inactive Ingredient", "inactive_ingredient", Topic.product),
    "34067-9": ("Indications & Usage", "indications_and_usage", Topic.indication),
    "50744-2": (
        "Information for Owners/Caregivers",
        "information_for_owners_or_caregivers",
        Topic.other,
    ),
    "34076-0": ("Information for Patients", "information_for_patients", Topic.other),
    "59845-8": ("Instructions for Use", "instructions_for_use", Topic.administration),
    "60560-0": ("Intended Use of the Device", "intended_use_of_the_device", Topic.indication),
    "34079-4": ("Labor & Delivery", "labor_and_delivery", Topic.pregnancy),
    "34075-2": ("Laboratory Tests", "laboratory_tests", Topic.monitoring),
    "43679-0": ("Mechanism of Action", "mechanism_of_action", Topic.mechanism),
    "49489-8": ("Microbiology", "microbiology", Topic.other),
    "43680-8": ("Nonclinical Toxicology", "nonclinical_toxicology", Topic.other),
    "34078-6": ("Nonteratogenic Effects", "nonteratogenic_effects", Topic.pregnancy),
    "34080-2": ("Nursing Mothers", "nursing_mothers", Topic.breastfeeding),
    "60561-8": ("Other Safety Information", "other_safety_information", Topic.warning),
    "34088-5": ("Overdosage", "overdosage", Topic.overdose),
    "55106-9": ("Active Ingredient", "active_ingredient", Topic.identity),
    "50569-3": ("Ask Doctor", "ask_doctor", Topic.warning),
    "50568-5": ("Ask Doctor/Pharmacist", "ask_doctor_or_pharmacist", Topic.warning),
    "50570-1": ("Do Not Use", "do_not_use", Topic.contraindication),
    "50565-1": ("Keep Out of Reach of Children", "keep_out_of_reach_of_children", Topic.warning),
    "53414-9": ("Pregnancy or Breast Feeding", "pregnancy_or_breast_feeding", Topic.pregnancy),
    "55105-1": ("Purpose", "purpose", Topic.indication),
    "53413-1": ("Questions", "questions", Topic.other),
    "50566-9": ("Stop Use", "stop_use", Topic.call_doctor),
    "50567-7": ("When Using", "when_using", Topic.warning),
    "51945-4": (
        "Package Label: Principal Display Panel",
        "package_label_principal_display_panel",
        Topic.product,
    ),
    "68498-5": ("Patient Medication Information", "patient_medication_information", Topic.other),
    "34081-0": ("Pediatric Use", "pediatric_use", Topic.children),
    "43681-6": ("Pharmacodynamics", "pharmacodynamics", Topic.mechanism),
    "66106-6": ("Pharmacogenomics", "pharmacogenomics", Topic.other),
    "43682-4": ("Pharmacokinetics", "pharmacokinetics", Topic.other),
    "42232-9": ("Precautions", "precautions", Topic.warning),
    "42228-7": ("Pregnancy", "pregnancy", Topic.pregnancy),
    "43683-2": ("Recent Major Changes", "recent_major_changes", Topic.other),
    "34093-5": ("References", "references", Topic.other),
    "53412-3": ("Residue Warning", "residue_warning", Topic.warning),
    "69759-9": ("Risks", "risks", Topic.warning),
    "60562-6": ("Route, Method and Frequency of Administration", "route", Topic.administration),
    "50741-8": ("Safe Handling Warning", "safe_handling_warning", Topic.warning),
    "48779-3": ("SPL Indexing Data Elements", "spl_indexing_data_elements", None),
    "48780-1": ("SPL Product Data Elements", "spl_product_data_elements", None),
    "42231-1": ("SPL Medguide", "spl_medguide", Topic.other),
    "42230-3": ("SPL Patient Package Insert", "spl_patient_package_insert", Topic.other),
    "42229-5": ("SPL Unclassified", "spl_unclassified_section", None),
    "69718-5": ("Statement of Identity", "statement_of_identity", Topic.identity),
    "44425-7": ("Storage and Handling", "storage_and_handling", Topic.storage),
    "60563-4": (
        "Summary of Safety and Effectiveness",
        "summary_of_safety_and_effectiveness",
        Topic.effectiveness,
    ),
    "34077-8": ("Teratogenic Effects", "teratogenic_effects", Topic.pregnancy),
    "69762-3": ("Troubleshooting", "troubleshooting", Topic.other),
    "43684-0": ("Use in Specific Populations", "use_in_specific_populations", Topic.warning),
    "54433-8": ("User Safety Warnings", "user_safety_warnings", Topic.warning),
    "50745-9": ("Veterinary Indications", "veterinary_indications", Topic.indication),
    "43685-7": ("Warnings and cautions", "warnings_and_cautions", Topic.warning),
    "34071-1": ("Warnings", "warnings", Topic.warning),
}

# openFDA field → (section name, topic), for the openFDA parser.
OPENFDA_FIELDS: dict[str, tuple[str, Topic]] = {
    f: (name, topic or Topic.other) for name, f, topic in LOINC_SECTIONS.values() if f is not None
}
for _data_field in ("spl_product_data_elements", "spl_indexing_data_elements"):
    OPENFDA_FIELDS.pop(_data_field, None)

# Headings of unclassified top-level sections (OTC "Drug Facts", old labels without codes).
_HEADING_TOPICS: list[tuple[re.Pattern[str], Topic]] = [
    (re.compile(r"boxed warning", re.I), Topic.warning),
    (re.compile(r"indications?|\buses?\b|purpose", re.I), Topic.indication),
    (re.compile(r"contraindications?|do not use", re.I), Topic.contraindication),
    (re.compile(r"dosage|directions|administration|how to (?:use|take)", re.I), Topic.dosing),
    (re.compile(r"interactions?", re.I), Topic.interaction),
    (re.compile(r"adverse|side effects?", re.I), Topic.side_effect),
    (re.compile(r"overdos", re.I), Topic.overdose),
    (re.compile(r"pregnan", re.I), Topic.pregnancy),
    (re.compile(r"nursing|breast", re.I), Topic.breastfeeding),
    (re.compile(r"pediatric|children", re.I), Topic.children),
    (re.compile(r"geriatric|elderly", re.I), Topic.seniors),
    (re.compile(r"stop use", re.I), Topic.call_doctor),
    (re.compile(r"warnings?|precautions?|ask a doctor", re.I), Topic.warning),
    (re.compile(r"storage|store|other information", re.I), Topic.storage),
    (
        re.compile(r"how supplied|inactive ingredients?|package|principal display", re.I),
        Topic.product,
    ),
    (re.compile(r"active ingredients?|description", re.I), Topic.identity),
    (re.compile(r"mechanism|clinical pharmacology", re.I), Topic.mechanism),
]


def topic_for_heading(heading: str) -> Topic | None:
    for pattern, topic in _HEADING_TOPICS:
        if pattern.search(heading):
            return topic
    return None


class SplError(ValueError):
    """The file is not a usable SPL document; the message says why."""


@dataclass
class SplSection:
    code: str | None
    title: str
    topic: Topic
    blocks: list[str]  # the section's own text, without nested sections
    depth: int
    parent: int | None  # index of the parent in SplLabel.sections
    children: list[int] = field(default_factory=list)


@dataclass
class PharmClass:
    system: str  # fda-epc | fda-moa | fda-pe | fda-cs
    code: str
    name: str


@dataclass
class SplLabel:
    """Everything one SPL document says about its product, before it becomes a monograph."""

    document_id: str | None
    set_id: str | None
    version: str | None
    effective: dt.date | None
    document_type: str | None  # LOINC code of the document, e.g. 34391-3 (Rx), 34390-5 (OTC)
    document_type_name: str | None
    title: str
    manufacturer: str | None
    brands: list[str]
    generic_names: list[str]
    substances: list[str]  # active ingredient substances as named (salts included)
    moieties: list[str]
    uniis: list[str]
    product_ndcs: list[str]
    package_ndcs: list[str]
    routes: list[str]
    forms: list[str]
    sections: list[SplSection]
    pharm_classes: list[PharmClass]
    indexed_substances: list[tuple[str, str]]  # (UNII, name) of an indexing document

    @property
    def boxed_warning(self) -> str | None:
        """Text of the boxed warning(s), nested parts included; None when there is none."""
        texts = [
            "\n".join(self.full_blocks(i))
            for i, s in enumerate(self.sections)
            if s.code == BOXED_WARNING
        ]
        return "\n".join(t for t in texts if t) or None

    def full_blocks(self, index: int) -> list[str]:
        """A section's own blocks followed by those of all its descendants, in order."""
        sec = self.sections[index]
        out = list(sec.blocks)
        for child in sec.children:
            child_sec = self.sections[child]
            out.extend([child_sec.title] if child_sec.title else [])
            out.extend(self.full_blocks(child))
        return out

    def key(self) -> str:
        """Store key: the generic name(s), salts dropped; active moieties or brand as fallback."""
        names = [n for g in self.generic_names for n in split_name_list(g)]
        if not names:
            names = self.moieties or self.substances
        key = combination_key(names)
        if not key and self.brands:
            key = self.brands[0].lower()
        return key


def _parser() -> etree.XMLParser:
    # No DTDs, entities or network: a label is data, never instructions to fetch anything.
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True, recover=False
    )


def _text(el: etree._Element | None) -> str:
    if el is None:
        return ""
    return norm_space(" ".join(el.itertext()))


def _unique(items: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.append(item)
    return seen


def _date(value: str | None) -> dt.date | None:
    if not value or not re.match(r"^\d{8}", value):
        return None
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return None


def _title_lines(el: etree._Element | None) -> list[str]:
    """A title split at its <br/>s: highlights titles pack three statements into one."""
    if el is None:
        return []
    lines: list[str] = [el.text or ""]
    for child in el:
        if local_name(child.tag) == "br":
            lines.append(child.tail or "")
        else:
            lines[-1] += " ".join(child.itertext()) + (child.tail or "")
    return [norm_space(line) for line in lines if norm_space(line)]


def _document_title(el: etree._Element | None) -> str:
    lines = _title_lines(el)
    if not lines:
        return ""
    if lines[0].lower().startswith("these highlights do not include") and len(lines) > 1:
        return lines[1]
    return " ".join(lines)


def read_spl(raw: bytes) -> SplLabel:
    """Parse one SPL document; raises SplError when it is not one."""
    try:
        root = etree.fromstring(raw, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise SplError(f"not well-formed XML: {exc}") from exc
    if root.tag != f"{{{NS}}}document":
        raise SplError(f"not an HL7 v3 SPL document (root element {local_name(root.tag)!r})")

    def attr(path: str, name: str) -> str | None:
        el = root.find(path, _N)
        return el.get(name) if el is not None else None

    doc_code = root.find("v3:code", _N)
    manufacturer = _text(
        root.find("v3:author/v3:assignedEntity/v3:representedOrganization/v3:name", _N)
    )
    products = root.findall(".//v3:manufacturedProduct/v3:manufacturedProduct", _N)
    products += root.findall(".//v3:manufacturedProduct/v3:manufacturedMedicine", _N)
    brands = _unique(_text(p.find("v3:name", _N)) for p in products)
    generics = _unique(
        _text(g)
        for p in products
        for g in p.findall("v3:asEntityWithGeneric/v3:genericMedicine/v3:name", _N)
    )
    substances: list[str] = []
    moieties: list[str] = []
    uniis: list[str] = []
    for ing in root.iter(f"{{{NS}}}ingredient", f"{{{NS}}}activeIngredient"):
        cls = ing.get("classCode", "")
        if local_name(ing.tag) == "ingredient" and not cls.startswith("ACT"):
            continue
        sub = ing.find("v3:ingredientSubstance", _N)
        if sub is None:
            sub = ing.find("v3:activeIngredientSubstance", _N)
        if sub is None:
            continue
        substances.append(_text(sub.find("v3:name", _N)))
        code = sub.find("v3:code", _N)
        if code is not None and code.get("code"):
            uniis.append(code.get("code", ""))
        moieties.extend(
            _text(m) for m in sub.findall("v3:activeMoiety/v3:activeMoiety/v3:name", _N)
        )
    product_ndcs = _unique(
        c.get("code", "")
        for p in root.iter(f"{{{NS}}}manufacturedProduct", f"{{{NS}}}partProduct")
        for c in p.findall("v3:code", _N)
        if c.get("codeSystem") == NDC_SYSTEM
    )
    package_ndcs = _unique(
        c.get("code", "")
        for c in root.findall(".//v3:containerPackagedProduct/v3:code", _N)
        if c.get("codeSystem") == NDC_SYSTEM
    )
    routes = _unique((r.get("displayName") or "").lower() for r in root.iter(f"{{{NS}}}routeCode"))
    forms = _unique(
        (f.get("displayName") or "").lower() for p in products for f in p.findall("v3:formCode", _N)
    )

    sections: list[SplSection] = []

    def walk(parent_el: etree._Element, parent: int | None, depth: int) -> None:
        for sec in parent_el.findall("v3:component/v3:section", _N):
            code_el = sec.find("v3:code", _N)
            code = code_el.get("code") if code_el is not None else None
            if code in _DATA_ELEMENTS:
                continue
            known = LOINC_SECTIONS.get(code or "")
            title = _text(sec.find("v3:title", _N))
            topic: Topic | None = known[2] if known else None
            if parent is not None and sections[parent].topic is Topic.contraindication:
                # "4.3 Pregnancy" under Contraindications is a contraindication first.
                topic = Topic.contraindication
            if topic is None:
                by_heading = topic_for_heading(title) if parent is None and title else None
                if by_heading is not None:
                    topic = by_heading
                elif parent is not None:
                    topic = sections[parent].topic
                else:
                    topic = Topic.other
            if not title:
                if known and code != UNCLASSIFIED:
                    title = known[0]
                elif parent is not None:
                    title = sections[parent].title
            text_el = sec.find("v3:text", _N)
            blocks = element_blocks(text_el) if text_el is not None else []
            index = len(sections)
            sections.append(SplSection(code, title, topic, blocks, depth, parent))
            if parent is not None:
                sections[parent].children.append(index)
            walk(sec, index, depth + 1)

    body = root.find("v3:component/v3:structuredBody", _N)
    if body is not None:
        walk(body, None, 0)

    pharm_classes: list[PharmClass] = []
    indexed: list[tuple[str, str]] = []
    for ident in root.iter(f"{{{NS}}}identifiedSubstance"):
        inner = ident.find("v3:identifiedSubstance", _N)
        if inner is None:
            continue
        code = inner.find("v3:code", _N)
        name = _text(inner.find("v3:name", _N))
        if code is not None and name:
            indexed.append((code.get("code", ""), name))
        for kind in inner.findall("v3:asSpecializedKind/v3:generalizedMaterialKind/v3:code", _N):
            display = kind.get("displayName") or ""
            m = re.match(r"^(?P<name>.*?)\s*\[(?P<kind>[^\]]+)\]\s*$", display)
            system = {
                "EPC": "fda-epc",
                "MOA": "fda-moa",
                "PE": "fda-pe",
                "CHEMICAL/INGREDIENT": "fda-cs",
            }.get((m["kind"] if m else "").upper(), "fda-class")
            pharm_classes.append(
                PharmClass(system, kind.get("code", ""), m["name"] if m else display)
            )

    return SplLabel(
        document_id=attr("v3:id", "root"),
        set_id=attr("v3:setId", "root"),
        version=attr("v3:versionNumber", "value"),
        effective=_date(attr("v3:effectiveTime", "value")),
        document_type=doc_code.get("code") if doc_code is not None else None,
        document_type_name=doc_code.get("displayName") if doc_code is not None else None,
        title=_document_title(root.find("v3:title", _N)),
        manufacturer=manufacturer or None,
        brands=brands,
        generic_names=generics,
        substances=_unique(s.lower() for s in substances),
        moieties=_unique(m.lower() for m in moieties),
        uniis=_unique(uniis),
        product_ndcs=product_ndcs,
        package_ndcs=package_ndcs,
        routes=routes,
        forms=forms,
        sections=sections,
        pharm_classes=pharm_classes,
        indexed_substances=indexed,
    )


_SET_ID_RE = re.compile(rb"<setId\b[^>]*\broot=\"([^\"]+)\"")


def sniff_set_id(head: bytes) -> str | None:
    """Set id from the first kilobytes, so a resumed ingest can skip without parsing."""
    m = _SET_ID_RE.search(head)
    return m.group(1).decode("ascii", "replace") if m else None


def doc_id_for(set_id: str) -> str:
    return DOC_PREFIX + set_id


def class_batch(label: SplLabel, origin: str) -> ClassBatch:
    entries: list[ClassEntry] = []
    seen: set[tuple[str, str]] = set()
    for cls in label.pharm_classes:
        if (cls.system, cls.code) not in seen:
            seen.add((cls.system, cls.code))
            entries.append(ClassEntry(system=cls.system, code=cls.code, name=cls.name))
        for unii, name in label.indexed_substances:
            entries.append(
                ClassEntry(
                    system=cls.system,
                    code=f"{cls.code}/{unii}",
                    name=name.lower(),
                    parent=cls.code,
                )
            )
    return ClassBatch(entries=entries, origin=origin)


def to_monograph(label: SplLabel) -> Monograph:
    set_id = label.set_id or label.document_id or "unknown"
    key = label.key()
    if not key:
        raise SplError("no brand, generic or active ingredient name")
    source_id = f"fda-spl-{set_id}"
    brand = label.brands[0] if label.brands else None
    document = label.title or " ".join(
        x for x in (brand, f"({key})" if brand else key, label.document_type_name or "label") if x
    )
    source = Source(
        id=source_id,
        publisher=label.manufacturer or FDA,
        document=document,
        kind=SourceKind.label,
        url=f"https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid={set_id}"
        if label.set_id
        else None,
        reference=f"SPL set id {set_id} version {label.version or '?'}",
        reviewed=label.effective,
        language="en",
    )
    identifiers: dict[str, str] = {"SPL-set-id": set_id}
    if label.version:
        identifiers["SPL-version"] = label.version
    if label.product_ndcs:
        identifiers["NDC"] = ", ".join(label.product_ndcs)
    if label.routes:
        identifiers["route"] = ", ".join(label.routes)
    if label.forms:
        identifiers["dosage-form"] = ", ".join(label.forms)
    if label.uniis:
        identifiers["UNII"] = ", ".join(label.uniis)
    if label.document_type_name:
        identifiers["SPL-type"] = label.document_type_name
    claims: list[Claim] = []
    sections: list[Section] = []
    seen_quotes: set[tuple[str, str]] = set()
    for sec in label.sections:
        if not sec.blocks:
            continue
        title = sec.title or (LOINC_SECTIONS.get(sec.code or "", ("Section",))[0])
        ids: list[str] = []
        for block in sec.blocks:
            for sentence in split_sentences(block):
                if (sec.topic.value, sentence) in seen_quotes:
                    continue
                seen_quotes.add((sec.topic.value, sentence))
                claim_id = f"{source_id}-s{len(claims) + 1}"
                claims.append(
                    Claim(
                        id=claim_id,
                        topic=sec.topic,
                        source=source_id,
                        quote=sentence,
                        section=title,
                    )
                )
                ids.append(claim_id)
        sections.append(
            Section(topic=sec.topic, title=title, text="\n".join(sec.blocks), claims=ids)
        )
    return Monograph(
        key=key,
        identity=Identity(
            generic=key,
            brands=label.brands,
            substances=label.substances or label.moieties,
            identifiers=identifiers,
        ),
        curated=False,
        language="en",
        document_date=label.effective,
        sources=[source],
        claims=claims,
        sections=sections,
    )


def parse_spl(raw: bytes, origin: str) -> ParsedDocument | ClassBatch | Broken:
    """One SPL file → its monograph, or its class entries (indexing documents), or Broken."""
    try:
        label = read_spl(raw)
        if label.document_type == INDEXING_PHARM_CLASS or (
            label.pharm_classes and not label.brands and not label.sections
        ):
            if not label.pharm_classes:
                raise SplError("indexing document without pharmacologic classes")
            return class_batch(label, origin)
        monograph = to_monograph(label)
    except SplError as exc:
        return Broken(origin=origin, reason=f"SPL: {exc}")
    except ValueError as exc:
        return Broken(origin=origin, reason=f"SPL: invalid monograph: {exc}")
    set_id = label.set_id or label.document_id or sha256(raw)[:16]
    return ParsedDocument(
        doc_id=doc_id_for(set_id), checksum=sha256(raw), monograph=monograph, origin=origin
    )
