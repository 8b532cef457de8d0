"""Which medicine a page is about, from its own words: title, brand blocks, generic-name lines.

A page's title or first heading names its subject ("Methotrexate", "Adalimumab: uses and
dosage", "PREDNISOLONE TABLETS"); a "Generic name:" line, a "Brand name(s):" line or a
"US Brand Name" block says more. A title word counts as a medicine only when the vocabulary
knows it, or a generic-name line names it, or the page itself speaks of it as a medicine
("X is used to treat", "X is a medicine", "taking X"): an ordinary word in a title ("Fever",
"Off-label use") is never a medicine. Names that disagree (a title naming one known medicine,
a generic line another) make the page unreadable, never a guess.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from druginfo.sources.page_layout import Block, PageLayout
from druginfo.vocab.text import normalise

_FORM_WORDS = re.compile(
    r"\b(?:tablets?|capsules?|injections?|injectable|oral|solution|suspension|syrup|cream|"
    r"ointment|gel|patch(?:es)?|drops|spray|inhaler|pens?|syringes?|vials?|for\s+injection|"
    r"subcutaneous|intravenous|intramuscular|route|parenteral|extended[- ]release|"
    r"delayed[- ]release|chewable|liquid|powder|(?:pre-?filled)|auto-?injector|patient|leaflet|"
    r"information|medicine|drug|uses|dosage|side\s+effects|interactions|warnings|"
    r"and|of|the|for)\b",
    re.IGNORECASE,
)
_GENERIC_LINE = re.compile(
    r"\bgeneric\s+name(?:\(s\)|s)?\s*[:\-–]\s*([A-Za-z][A-Za-z0-9 \-/]*?)\s*(?:[,;(\n]|$)",
    re.IGNORECASE,
)
_BRAND_LINE = re.compile(
    r"\b(?:(?:us|u\.s\.|uk|canadian|common)\s+)?brand\s+names?(?:\(s\))?\s*[:\-–]\s*([^\n]+)",
    re.IGNORECASE,
)
_BRAND_HEADING = re.compile(
    r"^(?:(?:us|u\.s\.|uk|canadian|common)\s+)?brand\s+names?(?:\(s\))?:?$|^all\s+brands$",
    re.IGNORECASE,
)
_PAREN = re.compile(r"\b([A-Z][A-Za-z0-9\-]{2,})\s*(?:®|™)?\s*\(([A-Za-z][a-z0-9\-]{2,})\)")
_ORDINARY = frozenset(
    normalise(w)
    for w in (
        "off-label",
        "off label",
        "overview",
        "home",
        "medicines",
        "medications",
        "drugs",
        "health",
        "news",
        "conditions",
        "symptoms",
        "treatment",
        "treatments",
        "patient information",
        "drug information",
        "about",
        "faq",
        "search",
        "fever",
        "flare",
        "flares",
        "pain",
        "vaccines",
        "arthritis",
        "summary",
        "contents",
        "print",
        "menu",
    )
)
# International nonproprietary name stems (WHO): a title word ending so is very likely a
# medicine, but only counts when the page is laid out as a drug page (see _drug_page).
_INN_STEM = re.compile(
    r"(?:mab|cept|kinra|tinib|ciclib|parib|pril|sartan|olol|alol|statin|cillin|mycin|micin|"
    r"cycline|oxacin|conazole|prazole|vir|formin|gliptin|gliflozin|glitazone|dipine|parin|"
    r"xaban|gatran|olone|asone|isone|glutide|lukast|terol|tropium|setron|triptan|profen|"
    r"coxib|fenac|oxetine|triptyline|azepam|azolam|dronate|tidine|semide|thiazide|trexate|"
    r"platin|taxel|rubicin|teplase|poetin|grastim|limus|zosin|afil|azosin|etine|amine|"
    r"pramine|peridol|apine|idone|pine|caine|quine|mide)$",
    re.IGNORECASE,
)
_DRUG_SECTIONS = frozenset({"dosing", "side-effect", "storage", "missed-dose", "interaction"})


def _drug_page(layout: PageLayout) -> bool:
    """Laid out as a drug page: at least two headings on dosing, side effects, storage,
    missed doses or interactions."""
    from druginfo.facts.topics import heading_topic

    topics = {
        str(t) for t in (heading_topic(b.text) for b in layout.blocks if b.kind == "heading") if t
    }
    return len(topics & _DRUG_SECTIONS) >= 2


def _is_condition(name: str) -> bool:
    from druginfo.facts.mentions import condition_names

    return normalise(name) in condition_names()


@dataclass(frozen=True)
class Identity:
    generic: str
    brands: list[str]


class Unidentified(ValueError):
    """The page's medicine cannot be told; the message says why."""


@functools.cache
def _bundled_vocab():  # type: ignore[no-untyped-def]
    from druginfo.vocab import Vocab

    return Vocab.bundled()


def _clean(name: str) -> str:
    return " ".join(name.replace("®", " ").replace("™", " ").split()).strip(" -:,.")


def _subject(title: str) -> str | None:
    """The subject of a title: 'Adalimumab: uses | Site' → 'Adalimumab';
    'Etanercept (Subcutaneous Route)' → 'Etanercept'; 'PREDNISOLONE TABLETS' → 'PREDNISOLONE'."""
    head = re.split(r"\s*(?:[:|–—(]|\s-\s)\s*", title, maxsplit=1)[0]
    # "Ibuprofen for pain and fever", "Warfarin in pregnancy": the subject comes first.
    head = re.split(
        r"\s+(?:for|in|to|with|during|vs\.?|versus|and\s+(?:its|your))\s+", head, maxsplit=1
    )[0]
    head = _FORM_WORDS.sub(" ", head)
    head = _clean(head)
    words = head.split()
    if not words or len(words) > 4:
        return None
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9\- ]{2,60}", head):
        return None
    return head


def _treated_as_medicine(name: str, text: str) -> bool:
    """The page speaks of `name` as a medicine."""
    n = re.escape(name)
    patterns = (
        rf"\b{n}\b\s+(?:is|are)\s+(?:a|an|the)?\s*(?:[\w-]+\s+){{0,3}}?(?:medicine|medication|"
        rf"drug|antibiotic|steroid|corticosteroid|vaccine|biologic|injection|tablet|treatment|"
        rf"inhibitor|blocker|antagonist|antibody|hormone|painkiller|analgesic|antiviral|"
        rf"antifungal|antidepressant|statin|insulin|anticoagulant|antihistamine|"
        rf"chemotherapy|immunosuppressant)s?\b",
        rf"\b{n}\b\s+(?:is|are|can\s+be|may\s+be)\s+(?:[\w-]+\s+){{0,4}}?used\s+"
        rf"(?:to\s+treat|for|in|to)\b",
        rf"\b(?:take|taking|took|use|using|inject|injecting|stop\s+taking)\s+{n}\b",
        rf"\b{n}\s+(?:tablets?|capsules?|injections?|pens?|syringes?|doses?|treatment)\b",
    )
    return any(re.search(p, text, re.IGNORECASE) for p in patterns)


def _brand_block(blocks: list[Block]) -> list[str]:
    """Items under a 'Brand names' / 'US Brand Name' / 'All Brands' heading."""
    out: list[str] = []
    inside = False
    from druginfo.facts.topics import heading_topic

    for b in blocks:
        if b.kind == "heading":
            if _BRAND_HEADING.match(b.text.strip()):
                inside = True
                continue
            if inside and heading_topic(b.text) is None and len(b.text.split()) <= 4:
                out.append(_clean(b.text))  # plain text lists brands one per line
                continue
            if inside:
                break
            continue
        if inside:
            for part in re.split(r"[,;•]", b.text):
                name = _clean(part)
                if name and len(name.split()) <= 4:
                    out.append(name)
    return out


def _title_medicine(
    title: str,
    text: str,
    resolve: Callable[[str], str | None],
    brands: list[str],
    drug_page: bool,
) -> str | None:
    """The medicine a title names, vouched for by the vocabulary or the page's own words;
    a brand in the title is added to `brands`."""
    paren = _PAREN.search(title)
    if paren:
        key = resolve(paren.group(2)) or (
            paren.group(2).lower() if _treated_as_medicine(paren.group(2), text) else None
        )
        if key is not None:
            brands.append(paren.group(1))
            return key
    subject = _subject(title)
    if not subject or normalise(subject) in _ORDINARY or _is_condition(subject):
        return None
    key = resolve(subject)
    if key is not None:
        if normalise(subject) != normalise(key):
            brands.append(subject)
        return key
    if _treated_as_medicine(subject, text):
        return subject.lower()
    if (
        len(subject.split()) == 1
        and _INN_STEM.search(subject)
        and not _is_condition(subject)
        and drug_page
    ):
        return subject.lower()
    return None


def identify_page(
    layout: PageLayout, extra_titles: Iterable[str] = (), names: Iterable[tuple[str, str]] = ()
) -> Identity:
    """The page's medicine and brands, or Unidentified with the reason."""
    vocab = _bundled_vocab()
    known = {normalise(n): k for n, k in names}

    def resolve(name: str) -> str | None:
        form = normalise(name)
        if not form:
            return None
        if form in known:
            return known[form]
        hit = vocab.resolve(name)
        if hit is not None and hit.exact:
            return hit.key
        return None

    text = layout.full_text
    brands: list[str] = []
    for m in _BRAND_LINE.finditer(text):
        for part in re.split(r"[,;•]|\band\b", m.group(1)):
            name = _clean(part)
            if name and len(name.split()) <= 4 and not _BRAND_HEADING.match(name):
                brands.append(name)
    brands += _brand_block(layout.blocks)

    generic_line = None
    line = _GENERIC_LINE.search(text)
    if line:
        generic_line = _clean(line.group(1)).lower() or None

    # The subject: the title (or, failing it, the first early heading that names a medicine).
    titles = [t for t in (layout.title, *extra_titles) if t]
    titles += [b.text for b in layout.blocks[:8] if b.kind == "heading"]
    subject_key: str | None = None
    drug_page = _drug_page(layout)
    for title in titles:
        found = _title_medicine(title, text, resolve, brands, drug_page)
        if found is not None:
            subject_key = found
            break

    candidates: list[str] = []
    if generic_line:
        candidates.append(resolve(generic_line) or generic_line)
    if subject_key is not None:
        candidates.append(subject_key)
    body_paren = _PAREN.search(text)
    if not candidates and body_paren:
        brand, generic = body_paren.group(1), body_paren.group(2).lower()
        if (
            resolve(generic)
            or _treated_as_medicine(generic, text)
            or _treated_as_medicine(brand, text)
        ):
            candidates.append(resolve(generic) or generic)
            brands.append(brand)
    if not candidates:
        for brand in brands:
            key = resolve(brand)
            if key is not None:
                candidates.append(key)
                break

    distinct = list(dict.fromkeys(c for c in candidates if normalise(c) not in _ORDINARY))
    if not distinct:
        raise Unidentified(
            "cannot tell which medicine this page is about (its title, brand and generic-name "
            "lines name no medicine the vocabulary or the page itself vouches for)"
        )
    if len(distinct) > 1:
        raise Unidentified(
            "contradictory names: the page names "
            + " and ".join(repr(c) for c in distinct)
            + " as its medicine"
        )
    generic = distinct[0]
    seen: set[str] = set()
    clean_brands: list[str] = []
    for b in brands:
        if normalise(b) in (normalise(generic), "") or normalise(b) in seen:
            continue
        if resolve(b) not in (None, generic):
            continue  # a brand of another medicine named on the page is not this page's brand
        seen.add(normalise(b))
        clean_brands.append(b)
    return Identity(generic=generic, brands=clean_brands)


_ENGLISH = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "in",
        "is",
        "it",
        "you",
        "your",
        "for",
        "with",
        "if",
        "or",
        "be",
        "are",
        "not",
        "this",
        "do",
        "take",
        "may",
        "can",
        "should",
        "have",
        "has",
        "use",
        "by",
        "on",
        "as",
        "at",
        "from",
        "that",
        "will",
        "doctor",
        "dose",
        "an",
        "any",
        "than",
        "which",
        "when",
    ]
)
# Function words of other languages drug pages come in, none of them English words.
_FOREIGN = frozenset(
    # Spanish, Portuguese, French, Italian, German, Danish/Norwegian/Swedish, Dutch
    [
        "el",
        "la",
        "los",
        "las",
        "del",
        "por",
        "con",
        "para",
        "una",
        "su",
        "que",
        "se",
        "es",
        "lo",
        "al",
        "más",
        "usted",
        "sus",
        "como",
        "pero",
        "não",
        "com",
        "uma",
        "os",
        "ao",
        "seu",
        "sua",
        "você",
        "mais",
        "também",
        "le",
        "les",
        "des",
        "et",
        "est",
        "pour",
        "une",
        "avec",
        "dans",
        "vous",
        "sur",
        "pas",
        "votre",
        "aux",
        "il",
        "di",
        "che",
        "della",
        "con",
        "per",
        "sono",
        "nel",
        "gli",
        "questo",
        "und",
        "der",
        "die",
        "das",
        "ist",
        "nicht",
        "mit",
        "sie",
        "ein",
        "eine",
        "zu",
        "auf",
        "für",
        "werden",
        "og",
        "er",
        "det",
        "til",
        "med",
        "på",
        "af",
        "ikke",
        "den",
        "som",
        "du",
        "har",
        "skal",
        "kan",
        "eller",
        "och",
        "att",
        "är",
        "inte",
        "och",
        "av",
        "het",
        "een",
        "van",
        "niet",
        "voor",
        "zijn",
    ]
) - frozenset(["a", "in", "to", "be", "on", "at", "as", "an"])


def english_verdict(text: str) -> bool:
    """False only when the words are clearly another language: more function words of other
    languages than of English, and at least three of them. Short English pages (a dose line
    and a list of side effects) have few function words of any language and pass."""
    words = re.findall(r"[a-zà-ÿæøå']+", text.lower())
    english = sum(1 for w in words if w in _ENGLISH)
    foreign = sum(1 for w in words if w in _FOREIGN)
    return not (foreign >= 3 and foreign > english)
