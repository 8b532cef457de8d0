"""The usual dose of an ingested leaflet, as one short sentence for the at-a-glance card.

A leaflet claim is not always one sentence: the converter may glue a sub-heading to the
sentence after it ("Use in adults The recommended dose is …"), run bullet items together
(a Symbol-font bullet, U+F0B7, is not a sentence end for it) or flatten a table. Shown as is,
the card's "usual dose" became a paragraph. So the claim is cut again, here, at sentence
boundaries only (never inside a number such as "62.5 mg"), and at glued headings; the
sentence stating the dose is kept, and the heading it lost is put back in front when it names
who the dose is for ("Children from 2 years: …"), because a child's or a kidney patient's dose
must never read as everyone's.

The adult dose of the first-listed use wins; a sentence that is still too long is clipped at
a clause boundary (with "…") only where the dose survives, and when nothing fits the card
says "see the dosing section" instead of a fragment.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from druginfo.model import Claim
from druginfo.sources.text import split_sentences

MAX_WORDS = 40  # a card line longer than this is a paragraph, not a glance
_LABEL_WORDS = 14  # a longer "heading" is text the converter ran together, not a label

# How the usual dose is stated (QRD template wording and its common variants), per language.
DOSE = {
    "en": re.compile(
        r"\b(?:(?:recommended|usual|normal|standard)"
        r"(?: starting| initial| daily| maintenance| adult)? doses?|"
        r"(?:starting|initial|maintenance) dose|"
        r"(?:the|your) (?:daily |single )?dose (?:is|will be)|"
        r"doses? (?:is|are) (?:usually|normally))\b",
        re.I,
    ),
    "da": re.compile(
        r"\b(?:(?:anbefalede|sædvanlige|normale|almindelige)"
        r" (?:start|daglige |vedligeholdelses|voksen)?dos(?:is|er)|"
        r"(?:start|vedligeholdelses)dosis(?:en)? er|dosis(?:en)? er (?:normalt|sædvanligvis))",
        re.I,
    ),
    "pt": re.compile(
        r"\b(?:doses? (?:inicia(?:l|is) |diárias? |de manutenção )?"
        r"(?:recomendadas?|habitua(?:l|is)|norma(?:l|is)|usua(?:l|is))|"
        r"a dose (?:é|será|inicial é))\b",
        re.I,
    ),
}

_UNITS = (
    r"mg|g|ml|mikrogram|micrograms?|microgramas|µg|mcg|units?|enheder|unidades|IE|IU|"
    r"tablets?|tabletter?|comprimidos?|capsules?|kapsler?|kapsel|cápsulas?|doses?|dosis|"
    r"injections?|injektion(?:er)?|injeções|injeção|puffs?|pust|drops?|dråber|gotas|"
    r"sachets?|breve|saquetas?|inhalations?|inhalationer|inalações|sprays?|pens?|seringas?|"
    r"syringes?|sprøjter?|vials?|hætteglas|frascos?|patch(?:es)?|plastre?"
)
_NUMBER_WORDS = (
    r"one|two|three|four|five|six|half|a single|en|én|et|to|tre|fire|fem|seks|halv|"
    r"um|uma|dois|duas|três|quatro|cinco|seis|meio|meia"
)
# A dose number: digits with a unit of amount, or a number word before a unit.
AMOUNT = re.compile(
    rf"(?:\d(?:[.,]\d+)?\s*(?:{_UNITS})|\b(?:{_NUMBER_WORDS})\s+(?:\w+\s+)?(?:{_UNITS}))\b",
    re.I,
)

# Words that say whom a dose is for. A dose for a special group is never the "usual" one
# while an adult or unqualified dose exists, and it is never shown without its group.
_ADULT = re.compile(r"\b(?:adults?|voksne|adultos?)\b", re.I)
_SPECIAL = re.compile(
    r"\b(?:child(?:ren)?|paediatric|pediatric|adolescents?|infants?|babies|newborns?|elderly|"
    r"kidney|renal|liver|hepatic|weigh(?:s|ing)?|body surface|your child|"
    r"børn|barn(?:et)?|unge|spædbørn|ældre|nyre\w*|lever\w*|vejer|"
    r"crianças?|criança|adolescentes?|lactentes|idosos|rins?|renal|fígado|hepátic\w*|pesa\w*)\b",
    re.I,
)

# A capitalised word that starts a sentence, found after a lower-case word with no full stop
# between them: the join of a heading (or a table cell) and the sentence after it.
_STARTERS = {
    "en": r"The|Your|You|If|When|This|These|Take|Always|Adults|Children|Patients|Each|It|Do",
    "da": r"Den|Det|Du|Din|Dit|Hvis|Når|Tag|Voksne|Børn|Patienter|Lægen|Dosis|Brug",
    "pt": r"O|A|Os|As|Se|Quando|Tome|Adultos|Crianças|Doentes|Utilize|Deve|Cada",
}
_GLUE = {
    lang: re.compile(rf"(?<=[a-zæøåáéíóúâêôãõç0-9)])\s+(?=(?:{words})\s)")
    for lang, words in _STARTERS.items()
}
_BULLETS = re.compile(
    r"\s*[\uf0a7\uf0b7\uf0d8\uf076\uf0fc\u2022\u25aa\u25cf*]\s+|(?<=[.:;])\s+[−–-]\s+"
)
# Clause boundaries a long sentence may be clipped at: never a comma before a digit
# ("weeks 0, 2 and 4") nor inside brackets.
_CLAUSE = re.compile(r";\s+|\s+[–—-]\s+|,\s+(?!\d)")


# A worked example ("Example: if your daily dose is 1000 mg, …") illustrates a calculation;
# it is not the dose.
_EXAMPLE = re.compile(r"^(?:for example|example|e\.g\.|eksempel|fx|por exemplo|exemplo)\b", re.I)


@dataclass(frozen=True)
class DoseText:
    text: str
    claim: Claim | None  # None: the card refers the reader to the dosing section


@dataclass(frozen=True)
class _Candidate:
    text: str
    claim: Claim
    rank: tuple[int, int, int]


def _pieces(quote: str, language: str) -> list[tuple[str, str]]:
    """(lost heading, sentence) pieces of a claim: cut at bullets, sentence ends and glued
    headings; the heading is '' when the sentence stood on its own."""
    out: list[tuple[str, str]] = []
    glue = _GLUE.get(language, _GLUE["en"])
    for chunk in _BULLETS.split(quote):
        for sentence in split_sentences(chunk):
            parts = glue.split(sentence)
            heading = " ".join(p.strip() for p in parts[:-1])
            out.append((heading, parts[-1].strip()))
            # Every later join, too: "Adults The usual dose …" after "Notes Children …".
            for i in range(1, len(parts) - 1):
                out.append((" ".join(parts[:i]).strip(), " ".join(parts[i:]).strip()))
    return out


def _words(text: str) -> int:
    return len(text.split())


def _label(heading: str, section: str | None, body: str) -> str | None:
    """The group the dose is for, when the sentence itself does not say it: the lost heading
    or the claim's sub-heading, whichever is short and names a group."""
    if _ADULT.search(body) or _SPECIAL.search(body):
        return ""
    for text in (heading, section or ""):
        text = re.sub(r"^\d+(?:\.\d+)*\.?\s+", "", text.strip()).rstrip(":.")
        if text and _words(text) <= _LABEL_WORDS and (_ADULT.search(text) or _SPECIAL.search(text)):
            return text
    if _SPECIAL.search(heading) or _SPECIAL.search(section or ""):
        return None  # a special group too long to name: the sentence cannot stand alone
    return ""


def _clip(text: str, dose: re.Pattern[str]) -> str | None:
    """The sentence, or its start up to a clause boundary, within MAX_WORDS and still holding
    the dose wording and its amount; None when no such cut exists."""
    if _words(text) <= MAX_WORDS:
        return text
    best: str | None = None
    for m in _CLAUSE.finditer(text):
        head = text[: m.start()].rstrip(" ,;")
        if _words(head) > MAX_WORDS - 1:
            break
        if head.count("(") != head.count(")"):
            continue
        if dose.search(head) and AMOUNT.search(head):
            best = head
    return f"{best} …" if best else None


_OF = {"en": "of", "da": "af", "pt": "de"}
_NOT_A_NAME = re.compile(
    rf"(?:\d|(?:{_NUMBER_WORDS}|an?|this|the|your|it|each|denne|dette|din|dit|este|esta|o|a)\b)",
    re.I,
)


def _fold(word: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", word.lower()) if ch.isalnum())


def _of_another_medicine(body: str, end: int, language: str, names: set[str]) -> bool:
    """'The recommended dose of heparin is …' in another medicine's leaflet: the dose of a
    medicine given with it, not its own. A name counts as the medicine's own when one of its
    next three words starts like one of the medicine's names ('Ácido Ibandrónico' for
    'Ibandronic Acid', 'Renvela-tabletter')."""
    m = re.match(rf"\s+{_OF.get(language, 'of')}\s+(\S+(?:\s+\S+){{0,2}})", body[end:], re.I)
    if m is None or _NOT_A_NAME.match(m.group(1)):
        return False
    stems = {_fold(w)[:5] for n in names for w in re.split(r"[\s/-]+", n) if len(_fold(w)) >= 4}
    words = [_fold(w) for w in re.split(r"[\s/-]+", m.group(1))]
    return not any(w[:5] in stems for w in words if len(w) >= 4)


def usual_dose(
    claims: list[Claim], language: str, names: list[str] | tuple[str, ...] = ()
) -> DoseText | None:
    """The card's dose line from a leaflet's dosing claims (in the leaflet's order); `names`
    are the medicine's own (brands, substances), so that a dose of another medicine named in
    its leaflet is not shown as its own."""
    if not claims:
        return None
    dose = DOSE.get(language, DOSE["en"])
    own = {n.lower() for n in names if n}
    found: list[_Candidate] = []
    for order, claim in enumerate(claims):
        for heading, body in _pieces(claim.quote, language):
            m = dose.search(body)
            if not m or not AMOUNT.search(body) or body.endswith(":") or _EXAMPLE.match(body):
                continue
            if own and _of_another_medicine(body, m.end(), language, own):
                continue
            label = _label(heading, claim.section, body)
            if label is None:
                continue
            text = _clip(body, dose)
            if text is None:
                continue
            if label:
                text = f"{label}: {text}"
                if _words(text) > MAX_WORDS:
                    continue
            context = " ".join((label, body))
            who = 0 if _ADULT.search(context) and not _SPECIAL.search(context) else 1
            if _SPECIAL.search(context):
                who = 2
            # The dose as the sentence's subject ("The recommended dose is …") reads better
            # than a dose named in passing at its end.
            early = 0 if _words(body[: m.start()]) <= 8 else 1
            found.append(_Candidate(text, claim, (who, early, order)))
    if found:
        best = min(found, key=lambda c: c.rank)
        return DoseText(best.text, best.claim)
    return DoseText("", None)
