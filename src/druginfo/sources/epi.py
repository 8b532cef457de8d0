"""EU electronic product information (ePI): EMA package leaflets as FHIR document Bundles.

A Bundle holds a `Composition` (language, date, EU number, title, nested `section[]` whose
`text.div` is XHTML) and usually a `MedicinalProductDefinition` (product name, legal status).
Every leaflet follows the QRD template: six numbered sections whose headings are the same in
every medicine and language, so sections are mapped to topics by their number first and by
heading words second; inside a section, template sub-headings ("Do not use X", "Warnings and
precautions", "If you forget to take X", ...) split it further where the markup allows.

Monograph key (the store key shared by all languages of one medicine):

1. the active substance(s) named by the leaflet itself ("X contains the active substance Y",
   "The active substance is Y", Danish "det aktive stof Y" / "Aktivt stof: Y", Portuguese
   "a substância ativa Y" / "A substância ativa é Y"), lower-cased, trailing salt/hydrate
   words removed ("memantine hydrochloride" → "memantine"); several substances are joined,
   sorted, with " + " ("metformin + pioglitazone");
2. for a Danish or Portuguese leaflet, the *English* leaflet of the same product (same file
   stem, e.g. `kineret.en.json` for `kineret.da.json`) wins when it is available, so that
   "semaglutid" (da) and "semaglutido" (pt) are filed under "semaglutide" like the English
   one; the leaflet's own words are the fallback when no English sibling can be read;
3. with no parsable substance at all, the brand name (lower case) is the key, so the document
   is still stored and findable, and `identity.substances` stays empty to show it.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
import re
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from druginfo.model import Identity, Monograph, Source, SourceKind, Topic
from druginfo.sources.base import Broken, ParsedDocument
from druginfo.sources.leaflet_text import (
    _CASE_TRAPS,
    LIST_MARK,
    marked_blocks,
    repair_text,
    unmark,
)
from druginfo.sources.text import (
    combination_key,
    norm_space,
    sha256,
    split_normalized,
    split_sentences,
)

PUBLISHER = "European Medicines Agency"
ACKNOWLEDGEMENT = (
    "Source: European Medicines Agency (ePI). Reuse with acknowledgement of the source."
)
DOC_PREFIX = "ema-epi:"
LANGUAGES = ("en", "da", "pt")

# Part of every checksum: a store built by an older reading of the same files re-reads them
# on the next ingest instead of keeping the old text as "unchanged".
PARSER_TAG = b"\0druginfo-epi-reader-2"

_FILE_RE = re.compile(r"^(?P<product>.+)\.(?P<lang>[a-z]{2})\.json$")


def bundled_epi_path() -> Path:
    """The leaflets shipped inside the package (`scripts/bundle_epi.py` builds the archive)."""
    return Path(str(resources.files("druginfo") / "data" / "epi" / "ema-epi.tar.xz"))


def split_name(name: str) -> tuple[str, str | None]:
    """`kineret.en.json` → (`kineret.en`, `en`); other names → (name without .json, None)."""
    base = name.rsplit("/", 1)[-1]
    m = _FILE_RE.match(base)
    if m:
        return f"{m['product']}.{m['lang']}", m["lang"]
    return base.removesuffix(".json"), None


def doc_id_for(name: str) -> str:
    """Document id from a file or archive member name, known before the bytes are read."""
    return DOC_PREFIX + split_name(name)[0]


# --- substances --------------------------------------------------------------------------------

_STOP = (
    r"(?=\s*[.;:(\[¶]|,\s|\s*$|\s(?i:which|that|this|it|is|and is|a|an|the|who|used|to|in|for|with|"
    r"belongs|works|as|helps|acts|produced|derived|extracted|made|obtained|consisting|encoding|"
    r"from|each|per|equivalent|hver|som|der|og er|er|det|de|i|til|fra|que|um|uma|é|e é|pertence|para|com|"
    r"num|em|cada|do|da|por|ajuda|atua)\b)"
)
# An amount may stand before the name ("The active substance is 1.5 mg fondaparinux sodium");
# its decimal point must not end the name's match.
_AMOUNT_LEAD = (
    r"(?:\d+(?:[.,]\d+)?\s*(?:mg|g|µg|micrograms?|mikrogram|microgramas|ml|units?|IU|IE)\s+"
    r"(?:of\s+|af\s+|de\s+)?)?"
)
_NAME = r"(?:¶\s)?" + _AMOUNT_LEAD + r"(?P<s>[^.;:()\[\]¶]{2,160}?)"
_SUBSTANCE_PATTERNS: dict[str, list[re.Pattern[str]]] = {
    "en": [
        re.compile(
            r"\bThe active (?:substances?|ingredients?)(?: in [^.,]{1,60}?| of [^.,]{1,60}?)? (?:is|are)(?: called| named)?:? "
            + _NAME
            + _STOP
        ),
        re.compile(
            r"\bThe active (?:substance|ingredient) (?:in|of) [^.,]{1,60}, " + _NAME + r"(?=,)"
        ),
        re.compile(r"\bActive (?:substances?|ingredients?): " + _NAME + _STOP),
        re.compile(
            r"\bcontains?(?: [\d.,]+ ?(?:mg|micrograms?|g|ml|units?) of)?(?: the| two| three| four| 2| 3| 4)? active (?:substances?|ingredients?)(?: called| named)?[:,]? "
            + _NAME
            + _STOP
        ),
    ],
    "da": [
        re.compile(
            r"\bDet aktive (?:stof|indholdsstof)(?: i [^.]{1,60}?)? er " + _NAME + _STOP,
            re.IGNORECASE,
        ),
        re.compile(r"\bDe aktive (?:stoffer|indholdsstoffer) er " + _NAME + _STOP, re.IGNORECASE),
        re.compile(r"\bAktiv(?:t|e) (?:stof(?:fer)?|indholdsstof(?:fer)?)\s*:\s*" + _NAME + _STOP),
        re.compile(
            r"\bindeholder(?: de (?:to|tre|fire))? (?:det |de )?aktive (?:stof(?:fer)?|indholdsstof(?:fer)?)[:,]? "
            + _NAME
            + _STOP
        ),
    ],
    "pt": [
        re.compile(
            r"\bAs? substâncias? ativas? (?:do [^.]{1,60}? |da [^.]{1,60}? )?(?:é|são)(?: o| a| os| as)? "
            + _NAME
            + _STOP,
            re.IGNORECASE,
        ),
        re.compile(r"\bSubstâncias? ativas?\s*:\s*" + _NAME + _STOP),
        re.compile(r"\bcontém como substâncias? ativas? (?:o |a |os |as )?" + _NAME + _STOP),
        re.compile(
            r"\bcontém(?: as)?(?: duas| três| 2| 3)? (?:a |as )?substâncias? ativas?[:,]?(?: o| a| os| as)? "
            + _NAME
            + _STOP
        ),
    ],
}
_SPLIT = {
    "en": re.compile(r"\s*(?:,\s*and\s+|,\s*|\s+and\s+)"),
    "da": re.compile(r"\s*(?:,\s*og\s+|,\s*|\s+og\s+)"),
    "pt": re.compile(r"\s*(?:,\s*e\s+|,\s*|\s+e\s+)"),
}
_LEADING_NOISE = re.compile(
    r"^(?:(?:called|named|kaldet|chamad[oa]s?|the|o|a|os|as|de|det)\s+|[\d.,]+\s*(?:mg|g|µg|micrograms?|mikrogram|microgramas|units?|ie|iu|ml)\s+(?:of\s+|de\s+|af\s+)?)+",
    re.IGNORECASE,
)


_DETERMINERS = frozenset(
    {"a", "an", "one", "two", "three", "en", "et", "to", "tre", "um", "uma", "dois", "duas"}
)
# Phrases the template puts where a substance name is expected in vaccine leaflets ("The
# active substances are: After reconstitution, 1 dose contains", "... are per dose (0.5 mL)").
_NOT_A_SUBSTANCE = re.compile(
    r"^(?:after|before|per|each|every|one|1|dose|doses|in|for|of|with|when|efter|pr\.?|hver|"
    r"após|por|cada|uma?)\b",
    re.IGNORECASE,
)
_TRAILING_JOINERS = re.compile(r"\s+(?:and|og|e|or|eller|ou)$", re.IGNORECASE)


def clean_substance(raw: str) -> str | None:
    """One substance phrase as written, or None when it does not look like a substance name.

    Rejected: amounts and other bare numbers ("50 mg", "type 26"), phrases longer than six
    words, and phrases opening with a determiner ("a dose"): the caller then tries the next
    phrase rather than storing a wrong key.
    """
    s = norm_space(raw).strip(" ,.:;\"'“”’")
    s = re.sub(
        r"^(?:(?:a|an|the|et|en|um|uma) )?(?:[\w-]+ )?(?:called|named|known as|kaldet|chamad[oa]) ",
        "",
        s,
        flags=re.I,
    )
    if not s or s.split()[0].lower() in _DETERMINERS:
        return None
    s = _LEADING_NOISE.sub("", s).strip()
    s = _TRAILING_JOINERS.sub("", s)
    # "desloratadine 5 mg" → "desloratadine": a trailing strength is not part of the name.
    s = re.sub(
        r"\s+\d+(?:[.,]\d+)?\s*(?:mg|g|µg|micrograms?|mikrogram|microgramas|ml|%|iu|ie|u)"
        r"(?:\s*/\s*\S+)?$",
        "",
        s,
        flags=re.I,
    )
    s = re.sub(r"\s*\*+$", "", s)
    # Footnote marks glued to a word ("Varicella-zoster virus1"): one digit after letters,
    # at the end of a word; "beta-1a", "alpha1-proteinase" and "CRM197" keep theirs.
    s = re.sub(r"(?<=[^\W\d_]{3})\d(?=\s|$|,)", "", s)
    # A vaccine strain's own name is not the substance: "measles virus Enders Edmonston
    # strain" → "measles virus".
    strain = re.match(r"^(.*?\b\w*(?:virus|bacteri\w*|toxoid|antigens?))\b.*\bstrain\b", s, re.I)
    if strain:
        s = strain.group(1)
    if not s or len(s) > 80 or _NOT_A_SUBSTANCE.match(s):
        return None
    words = s.split()
    if len(words) > 6 or words[0].lower() in _DETERMINERS:
        return None
    if re.search(r"(?:^|\s)\d+(?:[.,]\d+)?(?:\s|$)", s) or re.search(
        r"\d\s*(?:mg|g|ml|%|u|iu)\b", s, re.I
    ):
        return None
    return s.lower()


_WEAK_PATTERNS: dict[str, list[str]] = {
    "en": [
        r"^{B}(?: \w+)? contains? ",
        r"\b(?:medicine|medicinal product|vaccine) (?:that contains|containing) ",
    ],
    "da": [r"^{B}(?: \w+)? indeholder "],
    "pt": [r"^(?:O |A )?{B}(?: \w+)? contém "],
}


# A literal every match of a language's substance patterns holds, in lower case (a test checks
# each pattern needs it): the patterns start with \b, so re tries them at every position of
# every window, and most windows (the other paragraphs of sections 6 and 1) hold no such word.
_SUBSTANCE_NEEDS = {"en": "ctive", "da": "ktiv", "pt": "ativa"}


def _may_hold(text: str, need: str) -> bool:
    """Whether `need` may stand in `text` in any case, as re.IGNORECASE matches it:
    lower-casing keeps every such match except through a case trap
    (`leaflet_text._CASE_TRAPS`), so a text with one may hold it."""
    if need in text:
        return True
    if need in text.lower():
        return True
    return not text.isascii() and any(trap in text for trap in _CASE_TRAPS)


def _names_from(match: str, splitter: re.Pattern[str]) -> list[str]:
    """All parts must look like substance names: a half-read combination is worse than none."""
    names: list[str] = []
    for part in splitter.split(match):
        if not part.strip():
            continue
        cleaned = clean_substance(part)
        if cleaned is None:
            return []
        if cleaned not in names:
            names.append(cleaned)
    return names


def extract_substances(
    texts: list[str], language: str, *, brand: str | None = None, intro: str | None = None
) -> list[str]:
    """Active substances named by the leaflet text, in the order they are named.

    `texts` are searched for the template phrases ("The active substance is ..."); failing
    those, the opening sentence of section 1 (`intro`) is tried for "<brand> contains X".
    """
    splitter = _SPLIT.get(language, _SPLIT["en"])
    need = _SUBSTANCE_NEEDS.get(language, "")
    for text in texts:
        if not _may_hold(text, need):
            continue  # no pattern of the language can match here
        for pattern in _SUBSTANCE_PATTERNS.get(language, []):
            for m in pattern.finditer(text):
                names = _names_from(m["s"], splitter)
                if names:
                    return _all_strains(text[m.start() :], names)
    if intro and brand:
        first = split_sentences(intro)[:1]
        for weak in _WEAK_PATTERNS.get(language, []):
            pattern = _weak_pattern(weak, brand)
            weak_match = pattern.search(first[0]) if first else None
            if weak_match:
                names = _names_from(weak_match["s"], splitter)
                if names:
                    return names
    return []


_STRAIN = re.compile(
    r"\b((?:[A-Z][\w-]*|human|live) ?[\w-]*? ?\w*virus)\d?\b[^.]{0,60}?\bstrain\b", re.I
)


def _all_strains(text: str, names: list[str]) -> list[str]:
    """A live vaccine lists one virus per strain ("Measles virus ... strain, Mumps virus ...
    strain, ..."); the first name alone would be half a combination, so all are read."""
    if len(names) != 1 or not names[0].endswith("virus"):
        return names
    found: list[str] = []
    for m in _STRAIN.finditer(text[:1500]):
        name = clean_substance(m.group(1))
        if name and name not in found:
            found.append(name)
    return found if names[0] in found else names


@functools.lru_cache(maxsize=1024)
def _weak_pattern(weak: str, brand: str) -> re.Pattern[str]:
    return re.compile(weak.replace(_B, re.escape(brand)) + _NAME + _STOP, re.IGNORECASE)


# --- brand -------------------------------------------------------------------------------------

_FORM_WORDS = re.compile(
    r"\s(?:solution|tablets?|film-coated|capsules?|powder|concentrate|suspension|injection|"
    r"emulsion|cream|ointment|gel|inhalation|infusion|prolonged-release|gastro-resistant|"
    r"oral|eye|ear|nasal|pre-filled|granules|dispersion|implant|patch|transdermal|"
    r"chewable|orodispersible|effervescent|modified-release|hard|soft|kit|vial|pen)\b",
    re.IGNORECASE,
)


def brand_from_product_name(name: str) -> str:
    """`Kineret 100 mg/0.67 ml solution for injection ...` → `Kineret`.

    The name is cut at the first strength (a token starting with a digit) or form word; what
    remains is the invented name plus any device or company suffix ("Enurev Breezhaler",
    "Ibandronic Acid Teva"), which is how EMA itself names the medicine.
    """
    text = norm_space(name)
    cut = len(text)
    m = re.search(r"(?:^|\s)[-–]?\s*\d", text)
    if m:
        cut = min(cut, m.start())
    f = _FORM_WORDS.search(text)
    if f:
        cut = min(cut, f.start())
    glued = re.search(r"(?<=[^\W\d_])\d", text)  # "Voncento250 IU": a strength glued on
    if glued:
        cut = min(cut, glued.start())
    brand = text[:cut].strip(" -–,.;/")
    # An opening bracket whose inside was cut off ("Kaletra (80 mg + 20 mg)") goes too.
    while brand.count("(") > brand.count(")"):
        brand = brand[: brand.rindex("(")].rstrip(" -–,.;/")
    return brand or text.strip(" .")


# --- sections ----------------------------------------------------------------------------------

_NUMBER_TOPIC: dict[str, Topic] = {
    "1": Topic.indication,
    "2": Topic.warning,
    "3": Topic.dosing,
    "4": Topic.side_effect,
    "5": Topic.storage,
    "6": Topic.product,
}
# Unnumbered template headings: table of contents and the leaflet header carry no facts.
_SKIP_TITLES = re.compile(
    r"^(?:[A-Z]\.\s*)?(?:what is in this leaflet|package leaflet|oversigt over indlægssedlen|indlægsseddel|"
    r"o que contém este folheto|folheto informativo)",
    re.IGNORECASE,
)
_TITLE_TOPIC: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"used for|virkning og anvendelse|para que é utilizad", re.I), "1"),
    (re.compile(r"before you|før du|antes de", re.I), "2"),
    (re.compile(r"^how to (?:take|use)|sådan skal|^como (?:tomar|utilizar|usar)", re.I), "3"),
    (re.compile(r"side effects|bivirkninger|efeitos indesejáveis|efeitos secundários", re.I), "4"),
    (re.compile(r"store|opbevaring|conservar", re.I), "5"),
    (re.compile(r"contents of the pack|pakningsstørrelser|conteúdo da embalagem", re.I), "6"),
]

# Template sub-headings per top-level section number and language. `{B}` is the brand (or
# any single word); a heading counts only when it is a whole block or is directly followed by
# a capitalised word (the converter often glues a heading to its first sentence).
_B = "{B}"
_SUBHEADINGS: dict[str, dict[str, list[tuple[str, Topic]]]] = {
    "2": {
        "en": [
            (
                r"(?:Do not|Don't|You must not|You should not) (?:use|take|be given|have|give|receive)(?: {B})?",
                Topic.contraindication,
            ),
            (r"Warnings and precautions", Topic.warning),
            (r"Contact your doctor immediately", Topic.warning),
            (r"(?:Children and adolescents|Children)", Topic.children),
            (r"(?:Elderly(?: patients| people)?|Older people)", Topic.seniors),
            (
                r"(?:Other medicines and {B}|Other medicines|Taking other medicines|Using other medicines)",
                Topic.interaction,
            ),
            (
                r"(?:{B} with (?:food(?:,)?(?: drink)?(?: and)?(?: drink)?(?: and alcohol)?|alcohol|drink))",
                Topic.interaction,
            ),
            (
                r"(?:Pregnancy(?:,| and)? (?:and )?breast-?feeding(?:,? and fertility)?|Pregnancy,? contraception,? breast-?feeding and fertility|Pregnancy and fertility|Pregnancy)",
                Topic.pregnancy,
            ),
            (r"(?:Breast-?feeding)", Topic.breastfeeding),
            (r"(?:Fertility)", Topic.pregnancy),
            (r"(?:Driving and using machines)", Topic.warning),
            (r"(?:Tests and checks|Blood tests|Monitoring)", Topic.monitoring),
            (r"(?:Vaccinations?)", Topic.vaccine),
            (r"(?:{B} contains [\w-]+(?: and [\w-]+)?)", Topic.warning),
        ],
        "da": [
            (
                r"(?:(?:Brug|Tag|Tage) ikke {B}|(?:Du|De) må ikke (?:bruge|tage|få|anvende) {B})",
                Topic.contraindication,
            ),
            (r"Advarsler og forsigtighedsregler", Topic.warning),
            (r"(?:De skal kontakte Deres læge med det samme|Kontakt straks lægen)", Topic.warning),
            (r"(?:Børn og unge|Børn)", Topic.children),
            (r"(?:Ældre(?: patienter)?)", Topic.seniors),
            (
                r"(?:Brug af (?:anden|andre) (?:medicin|lægemidler)(?: sammen med {B})?|Andre lægemidler og {B}|Brug af {B} sammen med anden medicin)",
                Topic.interaction,
            ),
            (
                r"(?:(?:Brug af )?{B} sammen med (?:mad(?:,)?(?: og)?(?: drikke)?(?: og alkohol)?|alkohol|drikke))",
                Topic.interaction,
            ),
            (
                r"(?:Graviditet(?:,)?(?: amning)?(?: og)?(?: amning| frugtbarhed)?(?: og frugtbarhed)?|Amning|Frugtbarhed)",
                Topic.pregnancy,
            ),
            (r"(?:Trafik- og arbejdssikkerhed)", Topic.warning),
            (r"(?:Vaccinationer?)", Topic.vaccine),
            (r"(?:{B} indeholder [\w-]+(?: og [\w-]+)?)", Topic.warning),
        ],
        "pt": [
            (
                r"(?:Não (?:tome|utilize|use|administre|receba)(?: (?:o |a )?{B})?)",
                Topic.contraindication,
            ),
            (r"Advertências e precauções", Topic.warning),
            (r"(?:Contacte o seu médico imediatamente)", Topic.warning),
            (r"(?:Crianças e adolescentes|Crianças)", Topic.children),
            (r"(?:Idosos)", Topic.seniors),
            (r"(?:Outros medicamentos e (?:o |a )?{B}|Outros medicamentos)", Topic.interaction),
            (
                r"(?:(?:O |A )?{B} com (?:alimentos(?:,)?(?: e)?(?: bebidas)?(?: e álcool)?|álcool|bebidas))",
                Topic.interaction,
            ),
            (
                r"(?:Gravidez(?:,)?(?: e)?(?: amamentação)?(?: e)?(?: fertilidade)?|Amamentação|Fertilidade)",
                Topic.pregnancy,
            ),
            (r"(?:Condução de veículos e utilização de máquinas)", Topic.warning),
            (r"(?:Vacinas?|Vacinação)", Topic.vaccine),
            (r"(?:(?:O |A )?{B} contém [\w-]+(?: e [\w-]+)?)", Topic.warning),
        ],
    },
    "3": {
        "en": [
            (
                r"If you (?:\w+ ){1,3}(?:more|too much)(?: {B}| of {B}| \S+)?(?: than you should| than you need| than you were told)?",
                Topic.overdose,
            ),
            (
                r"(?:If you (?:forget|forgot|have forgotten) to (?:\w+)(?: {B}| a dose(?: of {B})?)?|If you miss (?:a dose|an injection)(?: of {B})?)",
                Topic.missed_dose,
            ),
            (r"If you stop (?:\w+)(?: {B})?", Topic.stopping),
            (
                r"(?:Injecting {B} yourself|How to inject {B}|Instructions for use)",
                Topic.self_injection,
            ),
            (r"(?:Use in children and adolescents|Children and adolescents)", Topic.children),
        ],
        "da": [
            (
                r"Hvis (?:du|De) har (?:taget|brugt|injiceret|fået|anvendt) for (?:meget|mange|stor en dosis)(?: {B})?",
                Topic.overdose,
            ),
            (
                r"Hvis (?:du|De) har glemt at (?:tage|bruge|injicere|få|anvende)(?: {B})?",
                Topic.missed_dose,
            ),
            (r"Hvis (?:du|De) holder op med at (?:tage|bruge|få|anvende)(?: {B})?", Topic.stopping),
            (r"(?:Injicering af {B}|Sådan injicerer (?:du|De) {B})", Topic.self_injection),
            (r"(?:Brug til børn og unge|Børn og unge)", Topic.children),
        ],
        "pt": [
            (
                r"Se (?:tomar|utilizar|usar|administrar|receber|lhe for administrad[oa]) mais (?:(?:o |a )?{B} )?do que deveria",
                Topic.overdose,
            ),
            (
                r"(?:Caso se tenha esquecido de|Caso se esqueça de|Se se esquecer de) (?:tomar|utilizar|usar|administrar)(?: (?:o |a )?{B})?",
                Topic.missed_dose,
            ),
            (r"Se parar de (?:tomar|utilizar|usar)(?: (?:o |a )?{B})?", Topic.stopping),
            (r"(?:Administrar a si próprio a injeção de {B})", Topic.self_injection),
            (r"(?:Utilização em crianças e adolescentes|Crianças e adolescentes)", Topic.children),
        ],
    },
    "4": {
        "en": [
            (r"Reporting of side effects", Topic.reporting),
            (
                r"(?:Serious side effects|Stop (?:using|taking) {B} and (?:see|contact|tell) (?:a|your) doctor (?:straight away|immediately))",
                Topic.serious_side_effect,
            ),
        ],
        "da": [
            (r"Indberetning af bivirkninger", Topic.reporting),
            (r"(?:Alvorlige bivirkninger)", Topic.serious_side_effect),
        ],
        "pt": [
            (r"Comunicação de efeitos (?:indesejáveis|secundários)", Topic.reporting),
            (r"(?:Efeitos (?:indesejáveis|secundários) graves)", Topic.serious_side_effect),
        ],
    },
}
_SELF_INJECTION_WORDS = re.compile(
    r"inject|injekt|injeç|injet|instruction|vejledning|instruç", re.I
)


@dataclass
class _Sub:
    title: str
    topic: Topic
    blocks: list[str] = field(default_factory=list)


# The brand in a heading is matched through a mask of the same length (a one-word brand becomes
# a run of one letter that no leaflet uses, so \w still matches it; a brand with spaces or
# punctuation becomes NULs), so one compiled set of patterns per section and language serves
# every leaflet: compiling them per brand cost most of the ingestion time.
_MASK = "\x00"
_WORD_MASK = "\ua66e"


@functools.lru_cache(maxsize=128)
def _compile_subheadings(number: str, language: str) -> list[tuple[re.Pattern[str], Topic]]:
    alt = rf"(?:{_MASK}+|{_WORD_MASK}+|\S+)"
    rules = _SUBHEADINGS.get(number, {}).get(language, [])
    return [
        (re.compile("^" + pattern.replace(_B, alt), re.IGNORECASE), topic)
        for pattern, topic in rules
    ]


def _mask_brand(block: str, brand: str, key: str | None = None) -> str:
    """The block with the brand masked (an empty brand: the block as it is). `key`, the
    lower-cased brand when it is ASCII, lets the brand be found with `str.find` in the
    lower-cased block rather than with a case-insensitive expression (compiled per brand,
    and tried at every position of the block, having no literal to skip to): lower-casing
    keeps every case-insensitive match of an ASCII character, one character for one,
    except through the three characters listed in `leaflet_text._CASE_TRAPS` (a block with
    one takes the expression)."""
    if not brand:
        return block
    if key is not None and (block.isascii() or not any(trap in block for trap in _CASE_TRAPS)):
        lowered = block.lower()
        at = lowered.find(key)
        return block if at < 0 else _mask_found(block, lowered, key, at)
    return re.compile(re.escape(brand), re.IGNORECASE).sub(_mask_match, block)


def _mask_match(m: re.Match[str]) -> str:
    found = m.group(0)
    return (_WORD_MASK if found.isalnum() else _MASK) * len(found)


def _mask_found(block: str, lowered: str, key: str, at: int) -> str:
    """The case-insensitive expression's `sub(_mask_match, block)` from the key's places in the lower-cased block
    (the first at `at`), taken as re takes matches: leftmost first, none overlapping."""
    size = len(key)
    parts: list[str] = []
    last = 0
    while at >= 0:
        end = at + size
        parts.append(block[last:at])
        parts.append((_WORD_MASK if block[at:end].isalnum() else _MASK) * size)
        last = end
        at = lowered.find(key, end)
    parts.append(block[last:])
    return "".join(parts)


def _heading(
    block: str, masked: str, rules: list[tuple[re.Pattern[str], Topic]]
) -> tuple[str, Topic, str] | None:
    """(title, topic, rest of the block) when the block opens with a template sub-heading."""
    if not rules or not _any_rule(rules).match(masked):
        return None  # most blocks: no rule matches here, found with one expression
    for pattern, topic in rules:
        m = pattern.match(masked)
        if not m:
            continue
        title = block[: m.end()].strip()
        rest = block[m.end() :].lstrip()
        if rest.startswith(":"):
            rest = rest[1:].lstrip()
            return title, topic, rest
        if not rest or rest[0].isupper():
            return title, topic, rest
    return None


def _heading_at(
    block: str, masked: str, at: int, unanchored: list[tuple[re.Pattern[str], Topic]]
) -> bool:
    """`_heading(block[at:], masked[at:], rules) is not None`, without copying the rest of
    the block at every sentence end (a long block has hundreds); `unanchored` is
    `_unanchored(rules)`."""
    if not _any_rule(unanchored).match(masked, at):
        return False  # most sentence ends: no rule matches there, found with one expression
    n = len(block)
    for pattern, _topic in unanchored:
        m = pattern.match(masked, at)
        if not m:
            continue
        end = m.end()
        while end < n and block[end].isspace():
            end += 1
        if end == n or block[end] == ":" or block[end].isupper():
            return True
    return False


_UNANCHORED: dict[int, tuple[object, list[tuple[re.Pattern[str], Topic]]]] = {}


def _unanchored(
    rules: list[tuple[re.Pattern[str], Topic]],
) -> list[tuple[re.Pattern[str], Topic]]:
    """The rules without their leading '^' (which matches only at a string's real start,
    not at `pos`); `pattern.match(text, pos)` anchors them at `pos` instead. Remembered
    per rules list (the template's few, from `_compile_subheadings`): the entry keeps the
    list itself, so its id cannot be reused by another list while it is remembered."""
    found = _UNANCHORED.get(id(rules))
    if found is not None and found[0] is rules:
        return found[1]
    if len(_UNANCHORED) >= 256:
        _UNANCHORED.clear()
    out = [(re.compile(p.pattern[1:], p.flags), t) for p, t in rules]
    _UNANCHORED[id(rules)] = (rules, out)
    return out


_ANY_RULE: dict[int, tuple[object, re.Pattern[str]]] = {}


def _any_rule(rules: list[tuple[re.Pattern[str], Topic]]) -> re.Pattern[str]:
    """One expression matching wherever any of `rules` matches (their alternation, same
    flags; the rules have no groups a reference could count): a sub-heading is looked for
    at every block and sentence end, and almost never found. Remembered like `_unanchored`."""
    found = _ANY_RULE.get(id(rules))
    if found is not None and found[0] is rules:
        return found[1]
    if len(_ANY_RULE) >= 256:
        _ANY_RULE.clear()
    flags = {p.flags for p, _ in rules}
    if len(flags) == 1:
        combined = re.compile("|".join(f"(?:{p.pattern})" for p, _ in rules), flags.pop())
    else:  # mixed flags cannot share one expression: a pattern that lets everything through
        combined = re.compile("")
    _ANY_RULE[id(rules)] = (rules, combined)
    return combined


_ASCII_LOWER = re.compile("[a-z]")


def _is_caps_heading(block: str) -> bool:
    # A lower-case ASCII letter is a letter that is not upper case: found within the first
    # characters of nearly every block, it rules the block out before any word is counted.
    if _ASCII_LOWER.search(block):
        return False
    # More than 15 words, counted without splitting a long paragraph into all its words.
    if len(block.split(None, 16)) > 15:
        return False
    letters = list(filter(str.isalpha, block))
    return len(letters) >= 6 and all(map(str.isupper, letters))


def _split_section(
    number: str | None, title: str, default: Topic, blocks: list[str], language: str, brand: str
) -> list[_Sub]:
    rules = _compile_subheadings(number or "", language)
    brand = brand if rules else ""  # no rule: nothing is matched on the masked text
    key = brand.lower() if brand and brand.isascii() else None
    # Most pieces are whole blocks: their masked text is computed once, for both uses.
    masked: dict[str, str] = {}
    pieces: list[str] = []
    unanchored = _unanchored(rules) if rules else rules
    for block in blocks:
        if block.startswith(LIST_MARK):
            pieces.append(block)  # a list item is neither cut nor has a trailing heading
            continue
        for part in _split_embedded(block, brand, rules, masked, unanchored, key):
            pieces.extend(_split_trailing_heading(part))
    # `_heading`'s first test, hoisted: one expression rules out most pieces.
    any_rule = _any_rule(rules).match if rules else None
    subs = [_Sub(title=title, topic=default)]
    for i, block in enumerate(pieces):
        found = None
        if any_rule is not None:
            mask = masked.get(block)
            if mask is None:
                mask = _mask_brand(block, brand, key)
            if any_rule(mask):
                found = _heading(block, mask, rules)
        if found:
            sub_title, topic, rest = found
            subs.append(_Sub(title=sub_title, topic=topic, blocks=[rest] if rest else []))
        elif number == "6" and _is_caps_heading(block):
            topic = Topic.self_injection if _SELF_INJECTION_WORDS.search(block) else default
            subs.append(_Sub(title=block, topic=topic))
        elif (
            # `_looks_like_heading` is False for a piece longer than a heading with no space
            # at either end for its `strip` to take (most pieces: paragraphs), so the full
            # test runs only on the others.
            (len(block) <= _HEADING_MAX or block[0].isspace() or block[-1].isspace())
            and _is_own_heading(pieces, i)
        ):
            subs.append(_Sub(title=block, topic=default))
        else:
            subs[-1].blocks.append(block)
    return [s for s in subs if s.blocks]


# Where the converter glued a template sub-heading into the paragraph before it ("... (see
# Warnings and precautions). Warnings and precautions Talk to your doctor ..."): a heading is
# looked for after every sentence end, and cut out only where it reads as one.
# Each match ends where the next sentence starts. It begins with its punctuation rather than
# a look-behind, so the engine jumps between the few candidate characters instead of trying
# every position (the same ends: a gap always follows its punctuation directly).
_SENTENCE_GAP = re.compile(r"[.!?)]\s+(?=[A-ZÆØÅÁÉÍÓÚÂÊÔÃÕÇ])")


def _split_embedded(
    block: str,
    brand: str,
    rules: list[tuple[re.Pattern[str], Topic]],
    masked_blocks: dict[str, str] | None = None,
    unanchored: list[tuple[re.Pattern[str], Topic]] | None = None,
    key: str | None = None,
) -> list[str]:
    """The block cut before each template sub-heading glued into it; `unanchored` is
    `_unanchored(rules)` when the caller has it, `key` as for `_mask_brand`."""
    if not rules or block.startswith(LIST_MARK):
        return [block]
    masked = _mask_brand(block, brand, key)
    if masked_blocks is not None:
        masked_blocks[block] = masked
    if unanchored is None:
        unanchored = _unanchored(rules)
    any_rule = _any_rule(unanchored).match  # `_heading_at`'s first test, hoisted
    ends = [m.end() for m in _SENTENCE_GAP.finditer(block)]
    cuts = [
        at for at in ends if any_rule(masked, at) and _heading_at(block, masked, at, unanchored)
    ]
    if not cuts:
        return [block]
    bounds = [0, *cuts, len(block)]
    return [block[a:b].strip() for a, b in itertools.pairwise(bounds) if block[a:b].strip()]


# A short capitalised phrase after the last full stop of a block is the next paragraph's
# heading that the converter appended ("... can be life-threatening. Infections").
# Matched from the full stop itself (the heading's cut is one character after the match's
# start): re skips to the candidates of a leading class, while a leading look-behind is
# tried at every position.
_TRAILING = re.compile(r"[.!?]\s+([A-ZÆØÅÁÉÍÓÚÂÊÔÃÕÇ][^.!?:;]{1,60})$")


def _split_trailing_heading(block: str) -> list[str]:
    if block.startswith(LIST_MARK):
        return [block]
    # A match ends the block and its phrase is at most 60 characters: only the tail (and
    # the run of spaces and the full stop before it) can hold one, so the search starts
    # there, not at 0.
    start = max(0, len(block) - 62)
    while start > 0 and block[start - 1].isspace():
        start -= 1
    m = _TRAILING.search(block, max(0, start - 1))
    if m is None or not _looks_like_heading(m.group(1)):
        return [block]
    return [block[: m.start() + 1].strip(), m.group(1).strip()]


_HEADING_MAX = 70  # characters
_BRACKETED = re.compile(r"\([^)]*\)")


def _looks_like_heading(text: str) -> bool:
    text = text.strip()
    if not text or text.startswith(LIST_MARK) or len(text) > _HEADING_MAX:
        return False
    if not text[0].isupper() or text[-1] in ".!?:;,":
        return False
    outside = _BRACKETED.sub(" ", text)
    words = outside.split()
    return 0 < len(words) <= 4 and not any(w.isdigit() for w in words)


def _is_own_heading(pieces: list[str], i: int) -> bool:
    """A short capitalised block between two paragraphs heads what follows it. Paragraphs
    here are whole sentences; a run of short items (a list set as paragraphs, the names of
    the conditions a medicine treats) has none, so nothing in it becomes a heading."""
    if i + 1 >= len(pieces) or not _looks_like_heading(pieces[i]):
        return False
    before = pieces[i - 1] if i > 0 else None
    # After a colon comes the list it announces, whose items are not headings.
    return _is_paragraph(pieces[i + 1], ".!?:") and (before is None or _is_paragraph(before, ".!?"))


def _is_paragraph(block: str, ends: str) -> bool:
    text = unmark(block).rstrip(" )”’\"'")
    # The last character first; then at least six words, counted without splitting a long
    # paragraph into all of them.
    return text[-1:] != "" and text[-1] in ends and len(text.split(None, 6)) >= 6


_BREASTFEEDING_WORDS = re.compile(r"breast-?feed|amning|amme|amamenta", re.IGNORECASE)


def _sentence_topic(section_topic: Topic, sentence: str) -> Topic:
    if section_topic is Topic.pregnancy and _BREASTFEEDING_WORDS.search(sentence):
        return Topic.breastfeeding
    return section_topic


def _top_number(title: str) -> str | None:
    m = re.match(r"^\s*(\d)\s*[.)]?\s", title)
    if m and m.group(1) in _NUMBER_TOPIC:
        return m.group(1)
    for pattern, number in _TITLE_TOPIC:
        if pattern.search(title):
            return number
    return None


# The upstream conversion sometimes shifts content against headings (e.g. the text of section
# 4 under the heading of section 2). Every QRD leaflet opens sections 3-6 with fixed template
# sentences, so those anchor the content; headings are trusted only where anchors agree.
_ANCHORS: dict[str, dict[str, re.Pattern[str]]] = {
    "en": {
        "2": re.compile(r"^(?:Do not|Don't) (?:use|take|give|have)\b"),
        "3": re.compile(
            r"^.{0,250}?\bAlways (?:take|use|give|inject) (?:this medicine|\S+(?: \S+)?) exactly\b"
        ),
        "4": re.compile(
            r"^.{0,200}?\bLike all medicines, (?:this medicine|\S+) can (?:cause|have) side effects"
        ),
        "5": re.compile(r"^Keep (?:this medicine|\S+) out of the sight and reach of children"),
        "6": re.compile(r"^What .{1,80}? contains?\b"),
    },
    "da": {
        "2": re.compile(r"^(?:(?:Brug|Tag|Tage) ikke|(?:Du|De) må ikke (?:bruge|tage|få))\b"),
        "3": re.compile(
            r"^.{0,250}?\b(?:Brug|Tag|Anvend|Giv) altid (?:dette lægemiddel|lægemidlet|medicinen|\S+) nøjagtigt"
        ),
        "4": re.compile(
            r"^.{0,200}?kan som alle andre lægemidler (?:give|have|forårsage) bivirkninger"
        ),
        "5": re.compile(
            r"^Opbevar (?:lægemidlet|dette lægemiddel|medicinen|\S+) utilgængeligt for børn"
        ),
        "6": re.compile(r"^(?:\S+(?: \S+){0,3} indeholder\s*:|Aktivt? stof(?:fer)?\s*:)"),
    },
    "pt": {
        "2": re.compile(r"^Não (?:tome|utilize|use|administre|receba)\b"),
        "3": re.compile(
            r"^.{0,250}?\b(?:Tome|Utilize|Use|Administre|Aplique) (?:sempre )?este medicamento exatamente"
        ),
        "4": re.compile(r"^.{0,200}?Como todos os medicamentos, este medicamento pode causar"),
        "5": re.compile(r"^Manter este medicamento fora da vista"),
        "6": re.compile(r"^Qual a composição"),
    },
}


# A literal every match of an anchor contains, tested with `in` before the expression: the
# anchors that may start up to 250 characters into a block try every position of every
# block until their section is found (a test checks each literal is one the pattern needs).
_ANCHOR_NEEDS: dict[str, dict[str, str]] = {
    "en": {"3": "Always ", "4": "Like all medicines, "},
    "da": {"3": " nøjagtigt", "4": "kan som alle andre lægemidler "},
    "pt": {
        "3": "este medicamento exatamente",
        "4": "Como todos os medicamentos, este medicamento pode causar",
    },
}


def align_sections(
    parts: list[tuple[str, list[str]]], language: str
) -> list[tuple[str | None, str, list[str]]]:
    """Top-level parts → (QRD section number or None, heading, blocks), content re-anchored.

    Parts whose heading is a table of contents or the leaflet header are dropped. When every
    template anchor found sits under the heading of its own number, the headings stand; when
    any disagrees, each block is re-labelled by the last anchor before it, and each section
    keeps the document's own heading for its number.
    """
    numbered: list[tuple[str, str, list[str]]] = []
    other: list[tuple[str | None, str, list[str]]] = []
    for title, blocks in parts:
        if _SKIP_TITLES.match(title):
            continue
        number = _top_number(title)
        if number is None:
            other.append((None, title, blocks))
        else:
            numbered.append((number, title, blocks))
    anchors = _ANCHORS.get(language)
    flat = [(number, block) for number, _, blocks in numbered for block in blocks]
    plain = [unmark(block) for _, block in flat]
    if not anchors or not flat:
        return [*numbered, *other]
    found: dict[int, str] = {}
    start = 0
    needs = _ANCHOR_NEEDS.get(language, {})
    for number in ("3", "4", "5", "6"):
        anchor = anchors[number].match
        need = needs.get(number, "")
        for i in range(start, len(flat)):
            if need in plain[i] and anchor(plain[i]):
                found[i] = number
                start = i + 1
                break
    if all(flat[i][0] == number for i, number in found.items()):
        return [*numbered, *other]
    # Misaligned: section 2 starts at its "Do not use" block if one precedes the first anchor,
    # else where its heading stood; blocks before any anchor keep heading numbers, capped.
    first = min(found) if found else len(flat)
    for i in range(1, first):
        if anchors["2"].match(plain[i]):
            found[i] = "2"
            break
    titles = {number: title for number, title, _ in reversed(numbered)}
    cap = min(found.values())
    labels: list[str] = []
    current: str | None = None
    for i, (title_number, _) in enumerate(flat):
        if i in found:
            current = found[i]
        labels.append(current if current is not None else min(title_number, str(int(cap) - 1)))
    out: list[tuple[str | None, str, list[str]]] = []
    for label, (_, block) in zip(labels, flat, strict=True):
        if out and out[-1][0] == label:
            out[-1][2].append(block)
        else:
            default = _DEFAULT_TITLES.get(language, _DEFAULT_TITLES["en"])[label]
            out.append((label, titles.get(label, default), [block]))
    return [*out, *other]


_DEFAULT_TITLES: dict[str, dict[str, str]] = {
    "en": {
        "1": "1. What the medicine is and what it is used for",
        "2": "2. What you need to know before you take the medicine",
        "3": "3. How to take the medicine",
        "4": "4. Possible side effects",
        "5": "5. How to store the medicine",
        "6": "6. Contents of the pack and other information",
    },
    "da": {
        "1": "1. Virkning og anvendelse",
        "2": "2. Det skal du vide, før du begynder at tage lægemidlet",
        "3": "3. Sådan skal du tage lægemidlet",
        "4": "4. Bivirkninger",
        "5": "5. Opbevaring",
        "6": "6. Pakningsstørrelser og yderligere oplysninger",
    },
    "pt": {
        "1": "1. O que é o medicamento e para que é utilizado",
        "2": "2. O que precisa de saber antes de tomar o medicamento",
        "3": "3. Como tomar o medicamento",
        "4": "4. Efeitos indesejáveis possíveis",
        "5": "5. Como conservar o medicamento",
        "6": "6. Conteúdo da embalagem e outras informações",
    },
}


# --- bundle ------------------------------------------------------------------------------------


class EpiError(ValueError):
    """The bundle is not a usable ePI document; the message says why."""


def _resources(bundle: Any, kind: str) -> list[dict[str, Any]]:
    out = []
    for entry in bundle.get("entry") or []:
        res = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(res, dict) and res.get("resourceType") == kind:
            out.append(res)
    return out


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})", value)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _identifier_values(ident: Any) -> list[str]:
    items = ident if isinstance(ident, list) else [ident]
    return [str(i["value"]) for i in items if isinstance(i, dict) and i.get("value")]


_EU_NUMBER = re.compile(r"EU/\d/\d{2}/\d+(?:/\d+(?:[-–]\d{3}\b)?)?")


@dataclass(frozen=True)
class _Leaflet:
    stem: str
    language: str
    date: dt.date | None
    title: str
    product_name: str | None
    brand: str
    eu_numbers: list[str]
    legal_status: str | None
    sections: list[tuple[str, list[str]]]  # top-level (title, blocks)

    @functools.cached_property
    def aligned(self) -> list[tuple[str | None, str, list[str]]]:
        """`align_sections` of the leaflet, computed once (substances and claims both read
        it; neither changes it)."""
        return align_sections(self.sections, self.language)


def _read_leaflet(raw: bytes, stem: str, file_language: str | None) -> _Leaflet:
    try:
        bundle = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EpiError(f"not JSON: {exc}") from exc
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise EpiError("not a FHIR Bundle")
    comps = _resources(bundle, "Composition")
    if not comps:
        raise EpiError("FHIR Bundle without a Composition")
    comp = comps[0]
    mpds = _resources(bundle, "MedicinalProductDefinition")
    product_name = None
    legal = None
    if mpds:
        names = mpds[0].get("name") or []
        for n in names if isinstance(names, list) else []:
            if (
                isinstance(n, dict)
                and isinstance(n.get("productName"), str)
                and n["productName"].strip()
            ):
                product_name = norm_space(n["productName"])
                break
        coding = ((mpds[0].get("legalStatusOfSupply") or {}).get("coding") or [{}])[0]
        legal = coding.get("display") if isinstance(coding, dict) else None
    language = str(comp.get("language") or file_language or "en").lower()[:2]
    title = norm_space(str(comp.get("title") or ""))
    title = re.sub(r"^TEST PURPOSES ONLY\s*-\s*", "", title)
    eu: list[str] = []
    for value in _identifier_values(comp.get("identifier")) + [
        v for m in mpds[:1] for v in _identifier_values(m.get("identifier"))
    ]:
        for found in _EU_NUMBER.findall(value):
            cleaned = re.sub(r"\s+", "", found)
            if cleaned not in eu:
                eu.append(cleaned)

    sections: list[tuple[str, list[str]]] = []

    def walk(items: Any) -> None:
        for sec in items if isinstance(items, list) else []:
            if not isinstance(sec, dict):
                continue
            sec_title = norm_space(
                str(sec.get("title") or (sec.get("code") or {}).get("text") or "")
            )
            div = (sec.get("text") or {}).get("div") if isinstance(sec.get("text"), dict) else None
            blocks = (
                [repair_text(b, language) for b in marked_blocks(div)]
                if isinstance(div, str)
                else []
            )
            if blocks or not sec.get("section"):
                sections.append((sec_title, blocks))
            walk(sec.get("section"))

    walk(comp.get("section"))
    if not any(blocks for _, blocks in sections):
        raise EpiError("Composition has no section text")
    product = stem.rsplit(".", 1)[0]
    brand = brand_from_product_name(product_name) if product_name else ""
    if not brand:
        brand = title if title and title.lower() != product else product.capitalize()
    return _Leaflet(
        stem=stem,
        language=language,
        date=_date(comp.get("date")),
        title=title,
        product_name=product_name,
        brand=brand,
        eu_numbers=eu,
        legal_status=legal if isinstance(legal, str) else None,
        sections=sections,
    )


def _substance_texts(leaflet: _Leaflet) -> tuple[list[str], str | None]:
    """Windows of section 6 ("What X contains") then section 1, and section 1's first block.

    Section 6 comes first because its wording is the most regular.
    """
    by_number: dict[str, list[str]] = {}
    for number, _title, blocks in leaflet.aligned:
        if number:
            by_number.setdefault(number, []).extend(blocks)
    ordered = by_number.get("6", []) + by_number.get("1", [])
    if not ordered:
        ordered = [b for _, blocks in leaflet.sections for b in blocks]
    section_one = by_number.get("1") or []
    intro = unmark(section_one[0]) if section_one else None
    # Each block is in three windows: its spaces are collapsed once, not once per window.
    ordered = [norm_space(unmark(b)) for b in ordered]
    windows = [" ¶ ".join(ordered[i : i + 3]) for i in range(len(ordered))]
    return windows, intro


def _leaflet_substances(leaflet: _Leaflet) -> list[str]:
    texts, intro = _substance_texts(leaflet)
    return extract_substances(texts, leaflet.language, brand=leaflet.brand, intro=intro)


def leaflet_substances(raw: bytes, name: str) -> list[str]:
    """Substances named by one leaflet (empty when none can be read); used for siblings."""
    facts = _english_facts(raw, name)
    return facts[0] if facts else []


def _english_facts(raw: bytes, name: str) -> tuple[list[str], str] | None:
    """(substances, brand key) of a readable leaflet, None when it cannot be read."""
    stem, lang = split_name(name)
    try:
        leaflet = _read_leaflet(raw, stem, lang)
    except EpiError:
        return None
    return _leaflet_substances(leaflet), leaflet.brand.lower()


SiblingLoader = Callable[[str], bytes | None]


class EnglishSiblings:
    """What the English leaflet of each product is filed under, read on demand and
    remembered (a small LRU): its substances, or, when it names none we can read, its brand.

    `loader(name)` returns the bytes of e.g. `kineret.en.json` or None; `remember` lets a
    streaming reader (tar archive with English members first) feed what it already parsed.
    A Danish or Portuguese leaflet follows its English sibling's key either way, so one
    medicine is one entry of the index, not one per language ("arixtra" and
    "fondaparinuxnatrium").
    """

    def __init__(self, loader: SiblingLoader | None = None, maxsize: int = 256) -> None:
        self._loader = loader
        self._cache: OrderedDict[str, tuple[list[str], str] | None] = OrderedDict()
        self._maxsize = maxsize

    def remember(self, product: str, substances: list[str], brand_key: str = "") -> None:
        self._store(product, (substances, brand_key))

    def _store(self, product: str, facts: tuple[list[str], str] | None) -> None:
        self._cache[product] = facts
        self._cache.move_to_end(product)
        while len(self._cache) > self._maxsize:
            self._cache.popitem(last=False)

    def facts(self, product: str) -> tuple[list[str], str] | None:
        """(substances, brand key) of the English sibling; None when there is none."""
        if product in self._cache:
            self._cache.move_to_end(product)
            return self._cache[product]
        found: tuple[list[str], str] | None = None
        if self._loader is not None:
            name = f"{product}.en.json"
            raw = self._loader(name)
            if raw is not None:
                found = _english_facts(raw, name)
        self._store(product, found)
        return found

    def get(self, product: str) -> list[str]:
        facts = self.facts(product)
        return facts[0] if facts else []


def parse_epi(
    raw: bytes, origin: str, *, name: str | None = None, siblings: EnglishSiblings | None = None
) -> ParsedDocument | Broken:
    """One ePI Bundle → a ParsedDocument, or Broken with the reason.

    `name` is the file or member name (`kineret.en.json`); it gives the stem used in ids and
    the English sibling. Defaults to the last part of `origin`.
    """
    fname = (name or origin).replace("\\", "/").rsplit("/", 1)[-1].rsplit("!", 1)[-1]
    stem, file_lang = split_name(fname)
    try:
        leaflet = _read_leaflet(raw, stem, file_lang)
        product = stem.rsplit(".", 1)[0] if file_lang else stem
        key: str | None = None
        english = None
        if leaflet.language != "en" and siblings is not None and file_lang:
            english = siblings.facts(product)
        if english is not None:
            # Filed with its English leaflet: its own substances would not be used.
            substances = english[0]
            if not substances and english[1]:
                key = english[1]  # under the English leaflet's brand
        else:
            substances = _leaflet_substances(leaflet)
            if leaflet.language == "en" and siblings is not None and file_lang:
                siblings.remember(product, substances, leaflet.brand.lower())
        monograph = _monograph(leaflet, substances, key)
    except EpiError as exc:
        return Broken(origin=origin, reason=f"ePI: {exc}")
    except ValueError as exc:  # pydantic ValidationError is a ValueError
        return Broken(origin=origin, reason=f"ePI: invalid monograph: {exc}")
    except (TypeError, KeyError, IndexError, AttributeError) as exc:
        # Valid JSON in an unexpected shape (a list where an object belongs, ...).
        return Broken(origin=origin, reason=f"ePI: unexpected Bundle structure: {exc!r}")
    return ParsedDocument(
        doc_id=DOC_PREFIX + stem,
        checksum=sha256(raw + PARSER_TAG),
        monograph=monograph,
        origin=origin,
        validated=True,  # built with pydantic's validating constructors only
    )


def _monograph(leaflet: _Leaflet, substances: list[str], key: str | None = None) -> Monograph:
    stem = leaflet.stem
    source_id = f"ema-epi-{stem}"
    key = key or (combination_key(substances) if substances else leaflet.brand.lower())
    identifiers: dict[str, str] = {}
    if leaflet.eu_numbers:
        first = leaflet.eu_numbers[0]
        identifiers["EU"] = "/".join(first.split("/")[:4])
        if first != identifiers["EU"]:
            identifiers["EU-pack"] = first
    if leaflet.legal_status:
        identifiers["legal-status"] = leaflet.legal_status
    source = Source(
        id=source_id,
        publisher=PUBLISHER,
        document=leaflet.product_name or leaflet.title or leaflet.brand,
        kind=SourceKind.label,
        reference=f"EMA ePI package leaflet {stem}"
        + (f" ({identifiers['EU']})" if "EU" in identifiers else ""),
        reviewed=leaflet.date,
        language=leaflet.language,
        acknowledgement=ACKNOWLEDGEMENT,
    )
    # Claims and sections go to the Monograph's constructor as plain dicts, validated there in
    # one call (pydantic builds the same models from them): constructing a leaflet's ~200
    # claims one by one cost twice as much.
    claims: list[dict[str, Any]] = []
    sections: list[dict[str, Any]] = []
    for number, title, blocks in leaflet.aligned:
        if not blocks:
            continue
        default = _NUMBER_TOPIC[number] if number else Topic.other
        for sub in _split_section(number, title, default, blocks, leaflet.language, leaflet.brand):
            ids: list[str] = []
            sub_title = sub.title
            sub_topic = sub.topic
            pregnancy = sub_topic is Topic.pregnancy
            for block in sub.blocks:
                # Blocks are norm_space'd by marked_blocks (repair_text and the sub-heading
                # cuts add no space and strip their pieces): no second collapse of spaces.
                for sentence in split_normalized(unmark(block)):
                    claim_id = f"{stem}-s{len(claims) + 1}"
                    claims.append(
                        {
                            "id": claim_id,
                            "topic": _sentence_topic(sub_topic, sentence)
                            if pregnancy
                            else sub_topic,
                            "source": source_id,
                            "quote": sentence,
                            "section": sub_title,
                        }
                    )
                    ids.append(claim_id)
            sections.append(
                {
                    "topic": sub_topic,
                    "title": sub_title,
                    "text": "\n".join(sub.blocks),
                    "claims": ids,
                }
            )
    if not claims:
        raise EpiError("no leaflet text in any numbered or named section")
    generic = key
    return Monograph(
        key=key,
        identity=Identity(
            generic=generic,
            brands=[leaflet.brand] if leaflet.brand else [],
            substances=substances,
            identifiers=identifiers,
        ),
        curated=False,
        language=leaflet.language,
        document_date=leaflet.date,
        sources=[source],
        claims=claims,  # validated into Claim models
        sections=sections,  # ... and Section models
    )


def iter_epi_folder(folder: Path) -> Iterator[ParsedDocument | Broken]:
    """Every `*.json` leaflet of a folder, sorted, with English siblings read from it."""

    def loader(name: str) -> bytes | None:
        path = folder / name
        return path.read_bytes() if path.is_file() else None

    siblings = EnglishSiblings(loader)
    for path in sorted(folder.glob("*.json")):
        yield parse_epi(path.read_bytes(), str(path), name=path.name, siblings=siblings)
