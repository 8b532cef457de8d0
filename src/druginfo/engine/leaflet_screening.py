"""Screening any medicine from the facts machine-read out of its official leaflet or label.

A curated monograph's rules are checked by a person; every other medicine still has a leaflet
that says who must not use it. This module applies those statements (`druginfo.model.facts`)
to a profile: allergies to the active substance or an ingredient, "Do not use … if"
conditions, medicines named under "Other medicines and X" (by substance or class), live
vaccines, pregnancy and breastfeeding stances and age limits. Every alert quotes the leaflet
sentence, keeps its strength ("must not" blocks; "not recommended" is high; "tell your doctor"
is a caution) and says `basis: leaflet | label`: no person checked that the machine read the
sentence right.

A missing profile field that a "must not" statement depends on is a `cannot-decide`, never a
pass.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import NamedTuple

import yaml

from druginfo.engine import memo
from druginfo.engine.build import make
from druginfo.engine.citations import Evidence, external
from druginfo.engine.kidney import SEVERE_BELOW_ML_MIN, kidney_function
from druginfo.engine.matching import has_term, normalise
from druginfo.facts.strength import Strength, effect, states_strength
from druginfo.model import (
    Alert,
    Basis,
    Claim,
    Monograph,
    Profile,
    Severity,
    Source,
    SourceKind,
    SourceRef,
)
from druginfo.model.facts import Fact, FactSet
from druginfo.vocab.base import ClassMembership, NameMatch, Vocabulary

LEAFLET_PREFIX = "leaflet"
# Words that turn a medicine statement into a prohibition.
_PROHIBITION = re.compile(
    r"\b(?:must\s+not|do\s+not|should\s+not|never|cannot)\b|\bnot\s+(?:be\s+)?(?:used|given)\b"
    r"|\bcontraindicated\b",
    re.IGNORECASE,
)
# Profile words that make a condition a different state from the one the leaflet forbids.
_MILDER = {
    "active": ("latent", "inactive", "history", "past", "previous", "previously", "treated"),
    "severe": ("mild", "moderate"),
    "acute": ("chronic", "history", "past"),
}
_ADVICE = re.compile(
    r"\b(?:tell|talk\s+to|consult|ask|check\s+with|speak\s+to)\s+(?:your|the|a)\s+"
    r"(?:\w+\s+)?(?:doctor|pharmacist|nurse)",
    re.IGNORECASE,
)
_INGREDIENT_WORDS = re.compile(
    r"\b(?:ingredient|excipient|component|constituent|section\s*6)", re.IGNORECASE
)
# Where a leaflet (section 6) or a label (SPL) lists what the product contains.
_OTHER_INGREDIENTS = re.compile(
    r"\b(?:the\s+)?other\s+ingredients?\s+(?:are|is)\b|\bexcipients?\b"
    r"|\binactive\s+ingredients?\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class LeafletRead:
    """What the documents offered to screen against, for the coverage line: conditions of
    'Do not use' sentences, conditions the warnings ask about, and medicines (or classes)
    named as ones to avoid or to tell the doctor about."""

    contraindications: int = 0
    precautions: int = 0
    medicines: int = 0


@dataclass
class LeafletScreening:
    alerts: list[Alert] = field(default_factory=list)
    evidence: Evidence = field(default_factory=dict)
    med_keys: set[str] = field(default_factory=set)
    facts_used: int = 0  # screening facts the document offered (0: nothing readable)
    read: LeafletRead = field(default_factory=LeafletRead)


def fact_basis(fs: FactSet) -> Basis:
    return "label" if fs.document.kind == "label" else "leaflet"


def _source(mono: Monograph, fs: FactSet, fact: Fact) -> Source:
    if fact.source:
        try:
            return mono.source(fact.source)
        except KeyError:
            pass
    doc = fs.document
    return Source(
        id=doc.id,
        publisher=doc.publisher,
        document=doc.title,
        kind=SourceKind.label if doc.kind in ("label", "leaflet") else SourceKind.publisher,
        reviewed=doc.date,
        language=doc.language,
    )


@memo.by_identity()
def _claim_ids(mono: Monograph) -> frozenset[str]:
    return frozenset(c.id for c in mono.claims)


class _Cite:
    """Turns facts into references: the monograph's claim where the fact names one, else an
    evidence entry holding the fact's own quote."""

    def __init__(self, mono: Monograph, evidence: Evidence) -> None:
        self.mono = mono
        self.evidence = evidence
        self.claim_ids = _claim_ids(mono)
        self._made: dict[int, dict[int, tuple[Fact, str, SourceRef]]] = {}

    def __call__(self, fs: FactSet, fact: Fact) -> str:
        if fact.claim and fact.claim in self.claim_ids:
            return fact.claim
        made = self._made.get(id(fs))
        if made is None:  # `fs` is held by the caller for the whole check
            made = self._made[id(fs)] = _fact_refs(self.mono, fs)
        hit = made.get(id(fact))
        if hit is None or hit[0] is not fact:
            ref, src = external(
                _source(self.mono, fs, fact), fact.quote, fact.topic, LEAFLET_PREFIX
            )
            if len(made) >= FACT_REFS_SIZE:
                made.clear()
            hit = made[id(fact)] = (fact, ref, src)  # holding the fact keeps its id unique
        self.evidence[hit[1]] = hit[2]
        return hit[1]


FACT_REFS_SIZE = 4096  # facts whose evidence entry is remembered per document


@memo.by_identity(objects=2)
def _fact_refs(mono: Monograph, fs: FactSet) -> dict[int, tuple[Fact, str, SourceRef]]:
    """The evidence entries of a document's facts made so far, by the fact's identity (each
    entry holds its fact): a fact cited for one person is cited the same way for the next."""
    return {}


def _severity(fact: Fact) -> tuple[Severity, bool]:
    """(severity, blocking) of a statement by its strength (data/facts/strength.yaml: "should
    not be used with" and "not recommended" are high and blocking, "tell your doctor" a
    caution). A contraindication fact was read from the document's "Do not use" statements
    (its extraction checked that), so it forbids even where the list item's own words do not
    repeat the prohibition."""
    return _strength_severity(fact.strength, fact.topic, fact.quote)


@functools.lru_cache(maxsize=8192)
def _strength_severity(strength: Strength | None, topic: str, quote: str) -> tuple[Severity, bool]:
    if strength is None and _ADVICE.search(quote) and not _PROHIBITION.search(quote):
        strength = "caution"  # 'talk to your doctor before using … if …' asks, not forbids
    if strength is None and topic == "contraindication":
        strength = states_strength(quote) or "must-not"
    if strength is None:
        strength = states_strength(quote) or (
            "must-not" if _PROHIBITION.search(quote) else "caution"
        )
    severity, blocking = effect(strength)
    return severity, blocking  # type: ignore[return-value]


@memo.by_identity()
def _own_names(mono: Monograph) -> frozenset[str]:
    names = {mono.key, mono.identity.generic, *mono.identity.substances, *mono.identity.brands}
    return frozenset(normalise(n) for n in names if n)


def _resolves_to_own(text: str, mono: Monograph, vocab: Vocabulary) -> bool:
    return _names_own(mono, vocab, text)


@memo.by_identity(objects=2)
def _names_own(mono: Monograph, vocab: Vocabulary, text: str) -> bool:
    own = _own_names(mono)
    if normalise(text) in own:
        return True
    match = vocab.resolve(text)
    return match is not None and normalise(match.key) in own


@memo.by_identity()
def _ingredients_text(mono: Monograph) -> str:
    """Section 6's list of ingredients (or an SPL's ingredient section), for allergy checks."""
    parts = [c.quote for c in mono.claims if _OTHER_INGREDIENTS.search(c.quote)]
    if not parts:
        parts = [s.text for s in mono.sections if _OTHER_INGREDIENTS.search(s.text)]
    return " ".join(parts)


@memo.by_identity()
def _ingredient_claim(mono: Monograph, allergy: str) -> str | None:
    for c in mono.claims:
        if _OTHER_INGREDIENTS.search(c.quote) and has_term(c.quote, allergy):
            return c.id
    return None


def screen_leaflet(
    mono: Monograph, fact_sets: Sequence[FactSet], profile: Profile, vocab: Vocabulary
) -> LeafletScreening:
    result = LeafletScreening()
    cite = _Cite(mono, result.evidence)
    generic = mono.identity.generic
    for fs in fact_sets:
        basis = fact_basis(fs)
        screening = _screening_facts(fs)
        result.facts_used += len(screening)
        _allergies(mono, fs, screening, profile, vocab, cite, basis, result)
        _conditions(fs, screening, profile, cite, basis, generic, result)
        _medicines(mono, fs, screening, profile, vocab, cite, basis, generic, result)
        _class_statements(mono, fs, profile, vocab, basis, generic, result)
        _vaccines(fs, screening, profile, vocab, cite, basis, generic, result)
        _stances(fs, screening, profile, cite, basis, generic, result)
        _ages(fs, screening, profile, cite, basis, generic, result)
    result.alerts = _dedupe(result.alerts)
    contra: set[str] = set()
    warned: set[str] = set()
    named: set[str] = set()
    for fs in fact_sets:
        c, w, n = _read_of(fs)
        contra |= c
        warned |= w
        named |= n | _classes_named(mono, vocab, fs.document.id)
    result.read = LeafletRead(len(contra), len(warned - contra), len(named))
    if profile.conditions and result.facts_used and not (contra or warned):
        result.alerts.append(_conditions_unscreened(mono, profile))
    return result


def _conditions_unscreened(mono: Monograph, profile: Profile) -> Alert:
    """The leaflet was read but names no condition: the person's conditions were not checked,
    which must not pass for 'no problem' (the coverage line says so too)."""
    listed = ", ".join(profile.conditions)
    generic = mono.identity.generic
    return _alert(
        kind="warning",
        trigger="conditions-not-screened",
        severity="low",
        blocking=False,
        title=f"Your conditions were not checked against the leaflet of {generic}",
        detail=(
            f"You list {listed}. The leaflet of {generic} names no condition we could read in "
            "its 'Do not use' or 'Warnings and precautions' sections, so these were not "
            "checked. Read its section 2 and ask your doctor or pharmacist."
        ),
        matched=None,
        refs=[],
        basis="leaflet",
        field_name="conditions",
    )


@memo.by_identity(objects=2)
def _classes_named(mono: Monograph, vocab: Vocabulary, document_id: str) -> frozenset[str]:
    """The vocabulary classes a document's 'Do not use' and 'Other medicines' sentences name
    by a phrase ('targeted biologic (antibody) therapies'), as `_class_statements` reads them."""
    ids = getattr(vocab, "class_ids", None)
    class_def = getattr(vocab, "class_def", None)
    if not callable(ids) or not callable(class_def):
        return frozenset()
    claims = _medicine_claims(mono, document_id)
    out = set()
    for cid in ids():
        cdef = class_def(cid)
        pattern = _phrase_pattern(tuple(cdef.phrases)) if cdef is not None else None
        if pattern is not None and any(_names_class(pattern, c.quote) for c in claims):
            out.add(cid)
    return frozenset(out)


@memo.by_identity()
def _read_of(fs: FactSet) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The conditions forbidden, the conditions asked about and the medicines or classes
    named by one document (once per document's facts)."""
    contra: set[str] = set()
    warned: set[str] = set()
    named: set[str] = set()
    for f in _screening_facts(fs):
        if f.topic == "contraindication" and f.condition:
            contra.add(f.condition)
        elif f.topic == "precaution" and f.condition:
            warned.add(f.condition)
        elif f.topic == "interaction" and (f.with_ or f.class_):
            named.add(f.with_ or f.class_ or "")
    return frozenset(contra), frozenset(warned), frozenset(named)


@memo.by_identity()
def _screening_facts_of(fs: FactSet) -> tuple[Fact, ...]:
    return tuple(
        f
        for f in fs.facts
        if f.topic
        in ("allergy", "contraindication", "interaction", "vaccine", "pregnancy",
            "breastfeeding", "age-limit", "precaution")
    )  # fmt: skip


def _screening_facts(fs: FactSet) -> Sequence[Fact]:
    """The facts of a document that screen a profile (read once per document; the same
    tuple every time, so what is worked out from it is remembered by its identity)."""
    return _screening_facts_of(fs)


def _alert(
    *,
    kind: str,
    trigger: str,
    severity: Severity,
    blocking: bool,
    title: str,
    detail: str,
    matched: str | None,
    refs: Iterable[str],
    basis: Basis,
    field_name: str | None = None,
    avoid: str | None = None,
    avoid_kind: str | None = None,
) -> Alert:
    return make(
        Alert,
        {
            "avoid": avoid if blocking else None,
            "avoid_kind": avoid_kind if blocking else None,
            "kind": kind,
            "trigger": trigger,
            "severity": severity,
            "blocking": blocking,
            "title": title,
            "detail": detail,
            "matched": matched,
            "field": field_name,
            "sources": list(dict.fromkeys(refs)),
            "basis": basis,
        },
    )


def _says(fact: Fact) -> str:
    return f'The leaflet says: "{fact.quote.strip()}"'


def _allergies(
    mono: Monograph,
    fs: FactSet,
    facts: Sequence[Fact],
    profile: Profile,
    vocab: Vocabulary,
    cite: _Cite,
    basis: Basis,
    result: LeafletScreening,
) -> None:
    if not profile.allergies:
        return
    allergy_facts = _allergy_targets(mono, facts, vocab)
    generic = mono.identity.generic
    for allergy in profile.allergies:
        to_self = _resolves_to_own(allergy, mono, vocab)
        for fact, own in allergy_facts:
            target = fact.allergy or ""
            refs = [cite(fs, fact)]
            if to_self and (own or not _INGREDIENT_WORDS.search(target)):
                why = f"You list an allergy to {allergy}, which is {generic} itself."
            elif _INGREDIENT_WORDS.search(target) and (
                has_term(fact.quote, allergy) or has_term(_ingredients_text(mono), allergy)
            ):
                claim = _ingredient_claim(mono, allergy)
                refs += [claim] if claim else []
                why = f"You list an allergy to {allergy}, an ingredient of this medicine."
            elif has_term(target, allergy) or (
                len(normalise(target)) > 3 and has_term(allergy, target)
            ):
                why = f"You list an allergy to {allergy}."
            else:
                continue
            severity, blocking = _severity(fact)
            result.alerts.append(
                _alert(
                    kind="contraindication" if blocking else "warning",
                    trigger="allergy",
                    severity="high" if blocking else severity,
                    blocking=blocking,
                    title=(
                        f"Allergy: do not use {generic}"
                        if blocking
                        else f"Allergy: talk to your doctor before using {generic}"
                    ),
                    detail=f"{why} {_says(fact)}",
                    matched=allergy,
                    refs=refs,
                    basis=basis,
                )
            )
            break
        else:
            if to_self:
                # Every leaflet forbids the medicine to a person allergic to it; where that
                # statement was not read as a fact, cite the document's own words.
                refs = [cite(fs, f) for f in facts if f.topic == "contraindication"][:1]
                refs = _allergy_claims(mono, fs) or refs
                if refs:
                    result.alerts.append(
                        _alert(
                            kind="contraindication",
                            trigger="allergy",
                            severity="high",
                            blocking=True,
                            title=f"Allergy: do not use {generic}",
                            detail=f"You list an allergy to {allergy}, which is {generic} itself.",
                            matched=allergy,
                            refs=refs,
                            basis=basis,
                        )
                    )


@memo.by_identity(objects=3)
def _allergy_targets(
    mono: Monograph, facts: Sequence[Fact], vocab: Vocabulary
) -> tuple[tuple[Fact, bool], ...]:
    """The allergy facts, each with whether its allergen is the medicine itself."""
    return tuple((f, _resolves_to_own(f.allergy or "", mono, vocab)) for f in facts if f.allergy)


def _allergy_claims(mono: Monograph, fs: FactSet) -> list[str]:
    """The document's 'allergic to <the substance>' sentence under its contraindications."""
    return list(_allergy_claims_of(mono, fs))


@memo.by_identity(objects=2)
def _allergy_claims_of(mono: Monograph, fs: FactSet) -> tuple[str, ...]:
    own = _own_names(mono)
    for claim in mono.claims:
        if claim.source != fs.document.id or claim.topic.value not in (
            "contraindication",
            "allergy",
        ):
            continue
        text = claim.quote.lower()
        if "allergic" in text and any(has_term(text, n) for n in own):
            return (claim.id,)
    return ()


_PAST_OR_DORMANT = ("latent", "inactive", "history", "past", "previous", "previously",
                    "treated", "resolved", "cured")  # fmt: skip


@functools.lru_cache(maxsize=8192)
def _milder(profile_text: str, quote: str) -> bool:
    """The profile names a milder, dormant or past state of what the leaflet forbids ('latent
    TB' against 'active tuberculosis'): still an alert, but the doctor decides."""
    p = normalise(profile_text)
    q = normalise(quote)
    if any(has_term(p, w) for w in _PAST_OR_DORMANT):
        return True
    # 'moderate heart failure' is not milder than "heart failure that is moderate or severe":
    # a form the sentence names itself is one it forbids.
    return any(
        has_term(q, strong) and any(has_term(p, w) and not has_term(q, w) for w in weaker)
        for strong, weaker in _MILDER.items()
    )


_FORM_WORDS = ("acute", "active", "severe", "uncontrolled", "unstable", "decompensated")


_ADJECTIVES = frozenset({*_FORM_WORDS, "moderate", "mild"})
# "high blood pressure which is not being controlled" speaks of the uncontrolled form.
_NOT_CONTROLLED = re.compile(
    r"\b(?:not|poorly|inadequately)\s+(?:being\s+|well\s+|adequately\s+)?controlled\b", re.I
)


def _words_before(text: str) -> list[str]:
    """Up to three words before a mention, back to a list's separator: "severe dehydration or
    lactic acidosis" does not make the lactic acidosis severe, while "a severe or
    uncontrolled infection" is severe (the separator joins two of its form words)."""
    tokens = re.findall(r"[,;(]|\w+", text)
    out: list[str] = []
    i = len(tokens) - 1
    while i >= 0 and len(out) < 3:
        tok = tokens[i]
        if tok in (",", ";", "(") or tok.lower() in ("or", "and"):
            prev = tokens[i - 1].lower() if i > 0 else ""
            if prev not in _ADJECTIVES:
                break
            i -= 1
            continue
        out.insert(0, tok)
        i -= 1
    return out


def _around(quote: str, condition: str | None) -> str:
    """The words about the condition itself: a few before its mention and a few after
    ("heart failure that is moderate or severe"); the whole quote where it is not found.
    'uncontrolled diabetes … or ketoacidosis' does not make the ketoacidosis 'uncontrolled'."""
    find = getattr(_finder(), "find", None)
    spans = [
        (m.start, m.end)
        for m in (find(quote) if find and condition else [])
        if m.kind == "condition" and m.key == condition
    ]
    if not spans:
        return quote
    parts = []
    for start, end in spans:
        before = _words_before(quote[:start])
        after = quote[end:].split()[:5]
        parts.append(" ".join([*before, quote[start:end], *after]))
    return " ".join(parts)


@functools.lru_cache(maxsize=8192)
def _unstated_qualifier(profile_text: str, quote: str, condition: str | None = None) -> str | None:
    """A form word the leaflet puts on the condition ('acute heart failure') that the
    profile's words do not have. A profile that states one of the quote's forms has said which
    form it is ('active TB' against "a severe infection such as … active tuberculosis")."""
    p = set(normalise(profile_text).split())
    q = set(normalise(_NOT_CONTROLLED.sub(" uncontrolled ", _around(quote, condition))).split())
    if any(word in p and word in q for word in (*_FORM_WORDS, "moderate", "mild")):
        return None
    for word in _FORM_WORDS:
        if word in q and word not in p:
            return word
    return None


@functools.cache
def _condition_groups() -> dict[str, frozenset[str]]:
    """Condition id → the narrower ids it includes (data/vocab/condition-groups.yaml)."""
    text = (
        resources.files("druginfo").joinpath("data", "vocab", "condition-groups.yaml").read_text()
    )
    raw = yaml.safe_load(text)["groups"]
    return {k: frozenset(v or ()) for k, v in raw.items()}


@functools.cache
def _finder() -> object:
    from druginfo.facts.mentions import default_finder

    return default_finder()


def condition_groups_of(text: str) -> set[str]:
    """The broader condition groups that the condition ids a profile's words name belong to
    ('active tuberculosis' → infection)."""
    return set(_condition_groups_of(text))


@functools.lru_cache(maxsize=8192)
def _condition_groups_of(text: str) -> frozenset[str]:
    ids = {key for key, _ in _conditions_named(text)}
    return frozenset(group for group, members in _condition_groups().items() if ids & members)


@functools.lru_cache(maxsize=8192)
def _conditions_named(text: str) -> tuple[tuple[str, str], ...]:
    """(condition id, the words naming it) of every condition the default finder sees in
    `text` (a pure function of the words: read once per profile line)."""
    find = getattr(_finder(), "find", None)
    return tuple((m.key, m.text) for m in (find(text) if find else []) if m.kind == "condition")


# Words that qualify a condition without changing which disease it is; the rest of a
# profile's words must be in the leaflet's sentence ('type 2 diabetes' is not matched by a
# sentence about 'type 1 diabetes').
_QUALIFIERS = frozenset(
    [
        "active",
        "latent",
        "inactive",
        "severe",
        "mild",
        "moderate",
        "chronic",
        "acute",
        "history",
        "of",
        "in",
        "ago",
        "uncontrolled",
        "unstable",
        "decompensated",
        "past",
        "previous",
        "previously",
        "treated",
        "untreated",
        "resolved",
        "cured",
        "recent",
        "recently",
        "current",
        "a",
        "an",
        "the",
        "my",
        "with",
        "disease",
        "diseases",
        "problem",
        "problems",
    ]
)


# A word that tells one form of a disease from another ('type 2', 'hepatitis C', 'stage 4');
# a year ('treated in 2015') or a site ('pulmonary') does not.
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_DISCRIMINATOR = re.compile(r"^(?:[a-z]|\d{1,2}|[ivx]{1,4}|type|stage|grade|class)$")


def _direct(profile_condition: str, fact: Fact) -> bool:
    """The profile's condition is the one the fact names (by its words, or by the condition
    vocabulary's names: 'severe liver problems' is liver disease), and any other words it has
    ('type 2') are in the leaflet's sentence too."""
    return _direct_words(profile_condition, fact.condition or "", fact.quote)


@functools.lru_cache(maxsize=16384)
def _direct_words(profile_condition: str, stated: str, sentence: str) -> bool:
    """`_direct` on plain words (a pure function: remembered across checks)."""
    quote = set(normalise(sentence).split())
    if has_term(profile_condition, stated) or has_term(stated, profile_condition):
        if not has_term(profile_condition, stated):
            # The sentence names a narrower condition than the person ('HIV infection'
            # against 'an infection'): where the person's words name a condition of their
            # own, a broader one does not say they have the narrower one.
            named = {key for key, _ in _conditions_named(profile_condition)}
            if named and stated not in named:
                return False
        extra = set(normalise(profile_condition).split()) - set(normalise(stated).split())
        missing = extra - _QUALIFIERS - quote
        if not missing:
            return True
        # 'pulmonary' only narrows 'tuberculosis'; 'type 2' tells one diabetes from another
        # that the sentence may name, so a missing discriminator is no match.
        # A date ('treated in 2015') only says when; a word that tells one form from
        # another ('type 2') must be the sentence's; any other ('pulmonary', 'disorder')
        # must make the profile's condition a kind of the sentence's in the hierarchy.
        missing = {w for w in missing if not _YEAR.match(w) and w + "s" not in quote}
        if not missing:
            return True
        if any(_DISCRIMINATOR.search(w) for w in missing):
            return False
        return _is_a_present(profile_condition, stated)
    for key, words in _conditions_named(profile_condition):
        if key != stated:
            continue
        extra = set(normalise(profile_condition).split()) - set(normalise(words).split())
        if all(w in quote or _YEAR.match(w) for w in extra - _QUALIFIERS):
            return True
    return _is_a_present(profile_condition, stated)


@functools.lru_cache(maxsize=8192)
def _names_exactly(profile_condition: str, stated: str) -> bool:
    """The profile's words name the sentence's condition itself, not a narrower kind of it:
    of two cautions met by 'active TB' the one about tuberculosis speaks, not 'an infection'."""
    return has_term(profile_condition, stated) or any(
        key == stated for key, _ in _conditions_named(profile_condition)
    )


@functools.lru_cache(maxsize=8192)
def _is_a_present(profile_condition: str, stated: str) -> bool:
    """The profile names, as present now, a narrower concept of the leaflet's condition in the
    ICD-10-grounded hierarchy ('active pulmonary TB' is tuberculosis)."""
    from druginfo.engine.conditions import reader

    concepts = reader()
    target = concepts.head_concept(stated) if stated else None
    if target is None:
        return False
    return any(
        m.concept is not None and m.status == "present" and concepts.is_a(m.concept, [target])
        for m in concepts.read(profile_condition)
    )


def _kidney_conditions(profile: Profile) -> dict[str, str]:
    """Kidney numbers in the words leaflets use: a clearance or eGFR below 30 mL/min is the
    'serious kidney problems' of a "do not use" sentence even when the person listed no kidney
    condition (metformin's leaflets forbid it; a number alone must not slip past)."""
    if kidney_function(profile).below(SEVERE_BELOW_ML_MIN):
        return {
            "severe kidney disease": "Your kidney function is below "
            f"{SEVERE_BELOW_ML_MIN:g} mL/min (severe kidney disease)."
        }
    return {}


@memo.by_identity()
def _condition_facts(facts: Sequence[Fact]) -> list[Fact]:
    """The 'Do not use … if' facts and the warnings section's precautions that name a
    condition (once per document's facts); where both meet one condition the strongest
    speaks (`_conditions`)."""
    return [f for f in facts if f.topic in ("contraindication", "precaution") and f.condition]


_SEVERITY_RANK = {"low": 0, "moderate": 1, "high": 2}


def _condition_outcome(condition: str, fact: Fact) -> tuple[Fact, Severity, bool, bool, str | None]:
    """What one sentence makes of one listed condition: (fact, severity, blocking, milder,
    unstated form word)."""
    severity, blocking = _severity(fact)
    # A leaflet that forbids a past episode ('has previously had intussusception') is met by
    # a past one: only a present-tense prohibition is softened by 'history of'.
    milder = _milder(condition, fact.quote) and not fact.history
    unstated = _unstated_qualifier(condition, fact.quote, fact.condition)
    if milder:
        severity, blocking = "moderate", False
    elif unstated and blocking:
        # The leaflet forbids only the 'acute' or 'severe' form, and the profile does not
        # say which form: a high alert for the doctor, not a block we cannot justify.
        blocking = False
    return fact, severity, blocking, milder, unstated


ConditionVerdict = tuple[Fact, Severity, bool, bool, str | None]


@memo.by_identity()
def _condition_verdict(stated: Sequence[Fact], condition: str) -> ConditionVerdict | None:
    """What a document's condition sentences make of one listed condition: the strongest
    sentence that applies, as `_condition_outcome`, or None (a pure function of the words and
    the document's facts: worked out once per document and profile line, not per check)."""
    direct = [f for f in stated if _direct(condition, f)]
    direct_ids = {id(f) for f in direct}  # by identity: model equality is slow
    groups = condition_groups_of(condition)
    grouped = [f for f in stated if id(f) not in direct_ids and f.condition in groups]
    if not direct and not grouped:
        return None
    # Several sentences may meet one condition ('a severe infection' and 'active
    # tuberculosis' both meet active TB): the strongest that applies speaks.
    return max(
        (_condition_outcome(condition, f) for f in [*direct, *grouped]),
        key=lambda o: (
            o[2],
            _SEVERITY_RANK[o[1]],
            not o[3],  # a sentence covering the person's past state over a softened one
            id(o[0]) in direct_ids,
            _names_exactly(condition, o[0].condition or ""),
        ),
    )


def _conditions(
    fs: FactSet,
    facts: Sequence[Fact],
    profile: Profile,
    cite: _Cite,
    basis: Basis,
    generic: str,
    result: LeafletScreening,
) -> None:
    stated = _condition_facts(facts)
    if not stated:
        return
    treated = profile.indication or ""
    derived = _kidney_conditions(profile)
    for condition in [*profile.conditions, *derived]:
        if treated and _same_disease(condition, treated):
            continue  # the disease being treated is not a reason against its treatment
        verdict = _condition_verdict(stated, condition)
        if verdict is None:
            continue
        fact, severity, blocking, milder, unstated = verdict
        result.alerts.append(
            _alert(
                kind="contraindication" if blocking else "warning",
                trigger=normalise(fact.condition or condition).replace(" ", "-"),
                severity=severity,
                blocking=blocking,
                title=(
                    f"{condition}: do not use {generic}"
                    if blocking
                    else f"{condition}: ask your doctor before using {generic}"
                ),
                detail=(
                    (derived.get(condition) or f"You list {condition!r}.")
                    + f" {_says(fact)}"
                    + (
                        " Your condition may be a milder, dormant or past form of what the "
                        "leaflet names: ask your doctor."
                        if milder
                        else ""
                    )
                    + (
                        f" The leaflet speaks of the {unstated} form; your profile does not "
                        "say whether yours is: ask your doctor."
                        if unstated and not milder
                        else ""
                    )
                ),
                matched=condition,
                refs=[cite(fs, fact)],
                basis=basis,
            )
        )


@functools.lru_cache(maxsize=4096)
def _same_disease(condition: str, treated: str) -> bool:
    """The profile's condition is the disease the medicine is taken for, give or take a form
    word ('severe rheumatoid arthritis' for 'rheumatoid arthritis'; 'type 1 diabetes' is not
    'type 2 diabetes')."""
    if has_term(condition, treated) and has_term(treated, condition):
        return True
    a = set(normalise(condition).split()) - _QUALIFIERS
    b = set(normalise(treated).split()) - _QUALIFIERS
    return bool(a) and a == b


def _class_matches(fact: Fact, med_classes: set[str], vocab: Vocabulary) -> bool:
    """A class named beside an example ('TNF blockers such as etanercept') covers every
    member; a class the extraction merely looked up for the named medicine does not, unless
    the statement's own words name the class."""
    cid = fact.class_
    if not cid or cid not in med_classes:
        return False
    cdef = getattr(vocab, "class_def", lambda _c: None)(cid)
    if cdef is not None and cdef.duplication:
        return True
    phrases = _phrase_pattern(tuple(cdef.phrases)) if cdef is not None else None
    if phrases is not None and phrases.search(fact.quote):
        return True  # the sentence names the class by one of its phrases
    words = [w for w in re.split(r"[^a-z0-9]+", (cdef.name if cdef else cid).lower()) if len(w) > 3]
    generic_words = {"inhibitor", "blocker", "medicine", "drug", "agent", "alpha", "factor"}
    return any(has_term(fact.quote, w) for w in words if w not in generic_words)


@memo.by_identity(objects=2)
def _interaction_facts(
    facts: Sequence[Fact], vocab: Vocabulary
) -> tuple[tuple[Fact, frozenset[str], str | None], ...]:
    """The interaction facts, each with the normalised keys that name its medicine (as
    written and as the vocabulary resolves it) and the class it covers (`_class_matches`:
    a class a person's medicine must be in), worked out once per document."""
    out = []
    for f in facts:
        if f.topic != "interaction" or not (f.with_ or f.class_):
            continue
        names: set[str] = set()
        if f.with_:
            names.add(normalise(f.with_))
            m = vocab.resolve(f.with_)
            if m is not None:
                names.add(normalise(m.key))
        klass = f.class_ if f.class_ and _class_matches(f, {f.class_}, vocab) else None
        out.append((f, frozenset(names), klass))
    return tuple(out)


@memo.by_identity()
def _interaction_index(
    inter: tuple[tuple[Fact, frozenset[str], str | None], ...],
) -> tuple[dict[str, tuple[tuple[int, Fact], ...]], dict[str, tuple[tuple[int, Fact, bool], ...]]]:
    """The interaction facts by the names they name and by the class they cover, each with
    its place in the document (once per document: a person's medicine is then two lookups,
    not a walk over every fact)."""
    names: dict[str, list[tuple[int, Fact]]] = {}
    classes: dict[str, list[tuple[int, Fact, bool]]] = {}
    for i, (fact, keys, klass) in enumerate(inter):
        for k in keys:
            names.setdefault(k, []).append((i, fact))
        if klass is not None:
            classes.setdefault(klass, []).append((i, fact, bool(keys)))
    return (
        {k: tuple(v) for k, v in names.items()},
        {k: tuple(v) for k, v in classes.items()},
    )


class _MedicineHit(NamedTuple):
    """A medicine of the person's line that the document's sentences name (or whose class
    they name): the strongest sentence first, and up to two distinct sentences to cite."""

    match: NameMatch
    fact: Fact
    severity: Severity
    blocking: bool
    cited: tuple[Fact, ...]


class _MedicineUnknownClass(NamedTuple):
    """A medicine of unknown class beside the document's sentences forbidding classes."""

    match: NameMatch
    forbidding: tuple[Fact, ...]


@memo.by_identity(objects=3)
def _medicine_line(
    mono: Monograph, facts: Sequence[Fact], vocab: Vocabulary, line: str
) -> tuple[_MedicineHit | _MedicineUnknownClass, ...]:
    """What a document's interaction sentences make of one medication line, per medicine it
    names (a pure function of the line, the document's facts and the vocabulary: worked out
    once per document and line, not per check)."""
    inter = _interaction_facts(facts, vocab)
    if not inter or vocab.vaccine(line) is not None:
        return ()
    own = _own_names(mono)
    resolve_all = getattr(vocab, "resolve_medications", None)
    matches = list(resolve_all(line)) if resolve_all else []
    if not matches:
        one = vocab.resolve_medication(line)
        matches = [one] if one is not None else []
    out: list[_MedicineHit | _MedicineUnknownClass] = []
    for match in matches:
        key = normalise(match.key)
        if key in own:
            continue
        by_name, by_class = _interaction_index(inter)
        # A sentence naming the medicine speaks first, then the one naming its most
        # specific class ('biologic therapies' before 'medicines that depress the immune
        # system'), each in document order. The leaflet's own companion ('used together
        # with methotrexate') is met only by a sentence naming it.
        found: dict[int, tuple[int, Fact]] = {i: (0, f) for i, f in by_name.get(key, ())}
        if key not in _companions(mono):
            for depth, c in enumerate(vocab.classes_of(match.key), start=1):
                for order, fact, _named in by_class.get(c.class_id, ()):
                    found.setdefault(order, (depth, fact))
        if not found:
            forbidding = _forbidding_class_facts(by_class)
            if forbidding and _unclassified(vocab, match.key):
                out.append(_MedicineUnknownClass(match, forbidding))
            continue
        rank = {"must-not": 0, "avoid": 1, "caution": 2, None: 3}
        ordered = sorted(found.items(), key=lambda kv: (rank[kv[1][1].strength], kv[1][0], kv[0]))
        hits = [fact for _, (_, fact) in ordered]
        severity, blocking = _severity(hits[0])
        # up to two sentences that say so (a list item and the sentence naming its class
        # say the same twice)
        out.append(
            _MedicineHit(match, hits[0], severity, blocking, tuple(_distinct_quotes(hits)[:2]))
        )
    return tuple(out)


def _medicines(
    mono: Monograph,
    fs: FactSet,
    facts: Sequence[Fact],
    profile: Profile,
    vocab: Vocabulary,
    cite: _Cite,
    basis: Basis,
    generic: str,
    result: LeafletScreening,
) -> None:
    if not _interaction_facts(facts, vocab):
        return
    for line in profile.medications:
        for said in _medicine_line(mono, facts, vocab, line):
            match = said.match
            if isinstance(said, _MedicineUnknownClass):
                forbidding = [(f.class_ or "", f.quote, cite(fs, f)) for f in said.forbidding]
                _unknown_class_alert(forbidding, match.display, basis, generic, result)
                continue
            fact, blocking = said.fact, said.blocking
            result.med_keys.add(match.key)
            result.alerts.append(
                _alert(
                    kind="interaction",
                    trigger="interaction-" + normalise(fact.class_ or match.key).replace(" ", "-"),
                    severity=said.severity,
                    blocking=blocking,
                    title=(
                        f"Do not use {generic} with {match.display}"
                        if blocking
                        else f"{generic} with {match.display}: tell your doctor"
                    ),
                    detail=f"You take {match.display}. {_says(fact)}",
                    matched=match.display,
                    refs=[cite(fs, f) for f in said.cited],
                    basis=basis,
                    avoid=f"{match.display} (do not combine)",
                    avoid_kind="medication",
                )
            )


def _unclassified(vocab: Vocabulary, key: str) -> bool:
    """No class and no ATC code is known for the substance (a fresh install has no WHO ATC
    index): whether a leaflet's class names it cannot be told either way."""
    atc_codes = getattr(vocab, "atc_codes", None)
    return not vocab.classes_of(key) and not (atc_codes(key) if atc_codes else [])


@memo.by_identity()
def _forbidding_class_facts(
    by_class: dict[str, tuple[tuple[int, Fact, bool], ...]],
) -> tuple[Fact, ...]:
    """A document's class facts that forbid (once per document), in document order."""
    forbidding = sorted(
        {(order, fact) for entries in by_class.values() for order, fact, _ in entries
         if _severity(fact)[1]},
        key=lambda pair: pair[0],
    )  # fmt: skip
    return tuple(_distinct_quotes([fact for _, fact in forbidding]))


@memo.by_identity(objects=2)
def _forbidding_class_claims(
    mono: Monograph, vocab: Vocabulary, document_id: str
) -> tuple[tuple[str, Claim], ...]:
    """The document's sentences that forbid a class of medicines by one of its phrases (once
    per document)."""
    ids = getattr(vocab, "class_ids", None)
    out: dict[str, tuple[str, Claim]] = {}
    for cid in sorted(ids()) if ids else []:
        claim = _claim_naming_class(mono, vocab, document_id, cid)
        if claim is None or claim.id in out:
            continue
        fact = Fact(topic="contraindication" if claim.topic.value == "contraindication"
                    else "interaction", quote=claim.quote)  # fmt: skip
        forbids = _PROHIBITION.search(claim.quote) or (
            claim.topic.value == "contraindication" and _IF_ITEM.match(claim.quote)
        )
        if forbids and _severity(fact)[1]:
            out[claim.id] = (cid, claim)
    return tuple(out.values())


def _unknown_class_alert(
    said: Sequence[tuple[str, str, str]],
    display: str,
    basis: Basis,
    generic: str,
    result: LeafletScreening,
) -> None:
    """A medicine of unknown class beside a leaflet that forbids a class: it may be one of
    them, so the answer is 'cannot decide', never 'ok' (natalizumab with fingolimod read as
    safe because nothing said fingolimod affects the immune system). `said`: (class id,
    quote, citation) of each forbidding sentence."""
    if not said:
        return
    classes = list(dict.fromkeys(cid for cid, _, _ in said if cid))
    result.alerts.append(
        _alert(
            kind="cannot-decide",
            trigger="interaction-unknown-class",
            severity="high",
            blocking=False,
            title=f"{generic} with {display}: cannot tell whether the leaflet forbids it",
            detail=(
                f"You take {display}, whose drug class we do not know. The leaflet forbids "
                f"{generic} with some classes of medicines ({', '.join(classes)}); ask your "
                f"doctor or pharmacist whether {display} is one of them. (Installing the WHO "
                "ATC classification, `druginfo ingest <ATC csv>`, lets the check tell.) "
                f'The leaflet says: "{said[0][1].strip()}"'
            ),
            matched=display,
            refs=[ref for _, _, ref in said[:2]],
            basis=basis,
        )
    )


def _distinct_quotes(facts: Sequence[Fact]) -> list[Fact]:
    seen: set[str] = set()
    out = []
    for f in facts:
        if f.quote not in seen:
            seen.add(f.quote)
            out.append(f)
    return out


_IF_ITEM = re.compile(r"^\W*if\s+(?:you|your|the\s+(?:person|patient|child))\b", re.IGNORECASE)
_MEDICINE_WORDS = re.compile(
    r"\b(?:medicines?|medications?|treatments?|therapy|therapies|taking|drugs?)\b", re.IGNORECASE
)


@functools.cache
def _phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    if not phrases:
        return None
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b", re.IGNORECASE)


class _ClassHit(NamedTuple):
    """A medicine of the person's line in a class a document's sentence names."""

    match: NameMatch
    cm: ClassMembership
    claim: Claim
    fact: Fact
    severity: Severity
    blocking: bool


class _ClassUnknown(NamedTuple):
    """A medicine of unknown class beside the document's sentences forbidding classes."""

    match: NameMatch
    said: tuple[tuple[str, str, str], ...]


@memo.by_identity(objects=2)
def _class_line(
    mono: Monograph, vocab: Vocabulary, document_id: str, line: str
) -> _ClassHit | _ClassUnknown | None:
    """What a document's class sentences make of one medication line (a pure function of the
    line, the document and the vocabulary: once per document and line, not per check)."""
    if vocab.vaccine(line) is not None:
        return None
    match = vocab.resolve_medication(line)
    if match is None or normalise(match.key) in _own_names(mono):
        return None
    if normalise(match.key) in _companions(mono):
        # The leaflet says it is used together with this medicine; a class phrase
        # elsewhere ('medicines that depress the immune system') does not name it.
        return None
    forbidding = _forbidding_class_claims(mono, vocab, document_id)
    if forbidding and _unclassified(vocab, match.key):
        return _ClassUnknown(match, tuple((cid, c.quote, c.id) for cid, c in forbidding))
    for cm in vocab.classes_of(match.key):
        claim = _claim_naming_class(mono, vocab, document_id, cm.class_id)
        if claim is None:
            continue
        fact = Fact(topic="contraindication" if claim.topic.value == "contraindication"
                    else "interaction", quote=claim.quote, claim=claim.id,
                    source=claim.source)  # fmt: skip
        severity, blocking = _severity(fact)
        if not _PROHIBITION.search(claim.quote) and (
            claim.topic.value == "interaction" or not _IF_ITEM.match(claim.quote)
        ):
            # Neither its words nor an 'if you …' item of the 'Do not use' list forbid
            # (a list item often filed under that heading belongs to 'Other medicines').
            severity, blocking = "moderate", False
        return _ClassHit(match, cm, claim, fact, severity, blocking)
    return None


def _class_statements(
    mono: Monograph,
    fs: FactSet,
    profile: Profile,
    vocab: Vocabulary,
    basis: Basis,
    generic: str,
    result: LeafletScreening,
) -> None:
    """Medicines a 'Do not use' or 'Other medicines' sentence names only by their class
    ('if you have a weakened immune system as a result of … medicines', 'medicines to prevent
    blood clotting'): every medicine of the person's list in that class matches, using the
    class's phrases from the vocabulary."""
    document_id = fs.document.id
    if not _medicine_claims(mono, document_id):
        return
    for line in profile.medications:
        said = _class_line(mono, vocab, document_id, line)
        if said is None or said.match.key in result.med_keys:
            continue
        match = said.match
        if isinstance(said, _ClassUnknown):
            _unknown_class_alert(said.said, match.display, basis, generic, result)
            continue
        cm, blocking = said.cm, said.blocking
        result.med_keys.add(match.key)
        result.alerts.append(
            _alert(
                kind="interaction",
                trigger="interaction-" + cm.class_id,
                severity=said.severity,
                blocking=blocking,
                # The class is said in the detail ("You take X, an immunosuppressant"): in
                # the title it nested brackets ("prednisone (corticosteroid for systemic use
                # (glucocorticoid))", "Kineret (anakinra) (immunosuppressant)").
                title=(
                    f"Do not use {generic} with {match.display}"
                    if blocking
                    else f"{generic} with {match.display}: tell your doctor"
                ),
                detail=(
                    f"You take {match.display}, {_article_for(cm.class_name)}. {_says(said.fact)}"
                ),
                matched=match.display,
                refs=[said.claim.id],
                basis=basis,
                avoid=f"{match.display} (do not combine)",
                avoid_kind="medication",
            )
        )


@memo.by_identity()
def _companions(mono: Monograph) -> frozenset[str]:
    """Medicines the document says it is used together with ("X can be used alone or
    together with methotrexate"), normalised: a class phrase does not make them a caution,
    only a sentence naming them does."""
    from druginfo.facts.precautions import names_companion

    find = getattr(_finder(), "find", None)
    out: set[str] = set()
    for claim in mono.claims:
        if claim.topic.value != "indication" or find is None:
            continue
        at = names_companion(claim.quote)
        if at is None:
            continue
        out.update(
            normalise(m.key)
            for m in find(claim.quote)
            if m.kind == "medicine" and m.start >= at.start() and not m.negated
        )
    return frozenset(out)


@memo.by_identity(objects=2)
def _claim_naming_class(
    mono: Monograph, vocab: Vocabulary, document_id: str, class_id: str
) -> Claim | None:
    """The document's strongest medicine sentence naming a class by one of its phrases as
    medicines taken (`_names_class`)."""
    class_def = getattr(vocab, "class_def", None)
    cdef = class_def(class_id) if class_def is not None else None
    pattern = _phrase_pattern(tuple(cdef.phrases)) if cdef is not None else None
    if pattern is None:
        return None
    return next(
        (c for c in _medicine_claims(mono, document_id) if _names_class(pattern, c.quote)), None
    )


@memo.by_identity()
def _medicine_claims(mono: Monograph, document_id: str) -> tuple[Claim, ...]:
    """A document's 'Do not use' and 'Other medicines' sentences that speak of medicines,
    the strongest first: a 'Do not use' sentence over an 'Other medicines' one."""
    claims = [
        c
        for c in mono.claims
        if c.source == document_id
        and c.topic.value in ("contraindication", "interaction")
        and _MEDICINE_WORDS.search(c.quote)
    ]
    claims.sort(
        key=lambda c: (c.topic.value != "contraindication", not _PROHIBITION.search(c.quote))
    )
    return tuple(claims)


_ALLERGIC = re.compile(r"\b(?:allergic|hypersensitive|hypersensitivity)\b", re.IGNORECASE)


def _names_class(pattern: re.Pattern[str], quote: str) -> bool:
    """The sentence names the class as medicines taken, not as an allergy ('if you are
    allergic to other NSAIDs' is about an allergy: the allergy check reads it)."""
    at = pattern.search(quote)
    if at is None:
        return False
    allergic = _ALLERGIC.search(quote)
    return allergic is None or allergic.start() > at.start()


def _article_for(name: str) -> str:
    return f"an {name}" if name[:1].lower() in "aeiou" else f"a {name}"


def _vaccines(
    fs: FactSet,
    facts: Sequence[Fact],
    profile: Profile,
    vocab: Vocabulary,
    cite: _Cite,
    basis: Basis,
    generic: str,
    result: LeafletScreening,
) -> None:
    found = _live_vaccine_fact(cite.mono, fs, facts)
    if found is None:
        return
    fact, vague = found
    severity, blocking = _severity(fact)
    if vague:
        severity, blocking = "high", False
    lines = [*profile.planned_vaccines, *(m for m in profile.medications if vocab.vaccine(m))]
    for text in lines:
        vm = vocab.vaccine(text)
        if vm is not None and vm.live and not vm.ambiguous:
            result.alerts.append(
                _alert(
                    kind="contraindication" if blocking else "interaction",
                    trigger="live-vaccine",
                    severity=severity,
                    blocking=blocking,
                    title=f"Live vaccine with {generic}",
                    detail=f"{vm.name} is a live vaccine. {_says(fact)}",
                    matched=text,
                    refs=[cite(fs, fact)],
                    basis=basis,
                    avoid=f"{text} (live vaccine)",
                    avoid_kind="vaccine",
                )
            )
        elif vm is None or vm.ambiguous:
            result.alerts.append(
                _alert(
                    kind="cannot-decide",
                    trigger="live-vaccine",
                    severity=severity,
                    blocking=False,
                    title=f"Cannot tell whether {text!r} is a live vaccine",
                    detail=(
                        f"The leaflet of {generic} speaks about live vaccines, and we cannot "
                        f"tell whether {text!r} is one. Give the vaccine's product name or ask "
                        f"your doctor. {_says(fact)}"
                    ),
                    matched=text,
                    refs=[cite(fs, fact)],
                    basis=basis,
                    field_name="planned_vaccines",
                )
            )


@memo.by_identity(objects=3)
def _live_vaccine_fact(
    mono: Monograph, fs: FactSet, facts: Sequence[Fact]
) -> tuple[Fact, bool] | None:
    """The document's strongest statement about live vaccines and whether it is only a vague
    prohibition of "certain vaccines" (once per document)."""
    live_facts = [
        f
        for f in facts
        if f.topic == "vaccine" and (f.class_ == "live-vaccine" or getattr(f, "live", None))
    ]
    vague = False
    if not live_facts:
        live_facts, vague = _live_vaccine_sentences(mono, fs)
    if not live_facts:
        return None
    order = {"must-not": 0, "avoid": 1}
    return sorted(live_facts, key=lambda f: order.get(f.strength or "", 2))[0], vague


_LIVE_WORDS = re.compile(r"\blive\s+(?:\w+\s+)?vaccin", re.IGNORECASE)


_SOME_VACCINES = re.compile(r"\bvaccin", re.IGNORECASE)


def _live_vaccine_sentences(mono: Monograph, fs: FactSet) -> tuple[list[Fact], bool]:
    """The document's own sentences about live vaccines, where extraction named none: the
    standard leaflet wording ("You should not be given live vaccines …") is enough to warn.
    A prohibition of "certain vaccines" that does not say which is read as about live ones,
    as a high alert that does not block (the doctor knows which): the second value is True
    for such a vague prohibition."""
    out = _vaccine_sentences(mono, fs, _LIVE_WORDS)
    if out:
        return out, False
    vague = [f for f in _vaccine_sentences(mono, fs, _SOME_VACCINES) if f.strength == "must-not"]
    return vague, bool(vague)


def _vaccine_sentences(mono: Monograph, fs: FactSet, words: re.Pattern[str]) -> list[Fact]:
    out = []
    for claim in mono.claims:
        if claim.source == fs.document.id and words.search(claim.quote):
            strength = "must-not" if _PROHIBITION.search(claim.quote) else "caution"
            out.append(
                Fact.model_validate(
                    {
                        "topic": "vaccine",
                        "class": "live-vaccine",
                        "strength": strength,
                        "quote": claim.quote,
                        "claim": claim.id,
                        "source": claim.source,
                    }
                )
            )
    return out


_STANCE_RANK = {"must-not": 0, "not-recommended": 1, "if-clearly-needed": 2, "ask": 3, "can-use": 4}


@memo.by_identity()
def _stance_fact(facts: Sequence[Fact], topic: str) -> Fact | None:
    """The document's strongest pregnancy or breastfeeding stance (once per document)."""
    stated = [f for f in facts if f.topic == topic and f.stance]
    if not stated:
        return None
    return min(stated, key=lambda f: _STANCE_RANK[f.stance or "ask"])


def _stances(
    fs: FactSet,
    facts: Sequence[Fact],
    profile: Profile,
    cite: _Cite,
    basis: Basis,
    generic: str,
    result: LeafletScreening,
) -> None:
    for topic, value, word in (
        ("pregnancy", profile.pregnant, "pregnant"),
        ("breastfeeding", profile.breastfeeding, "breastfeeding"),
    ):
        fact = _stance_fact(facts, topic)
        if fact is None:
            continue
        stance = fact.stance or "ask"
        if stance == "can-use":
            continue
        if value is None and profile.sex != "male":
            if stance in ("must-not", "not-recommended"):
                result.alerts.append(
                    _alert(
                        kind="cannot-decide",
                        trigger=topic,
                        severity="moderate" if stance == "must-not" else "low",
                        blocking=False,
                        title=f"Are you {word}? The leaflet has a rule about it",
                        detail=f"Add '{word}: true/false' to the profile. {_says(fact)}",
                        matched=None,
                        refs=[cite(fs, fact)],
                        basis=basis,
                        field_name=word,
                    )
                )
            continue
        if not value:
            continue
        severity: Severity = {"must-not": "high", "not-recommended": "high"}.get(stance, "moderate")  # type: ignore[assignment]
        blocking = stance == "must-not"
        result.alerts.append(
            _alert(
                kind="contraindication" if blocking else "warning",
                trigger=topic,
                severity=severity,
                blocking=blocking,
                title=f"{word.capitalize()}: "
                + ("do not use" if blocking else "ask your doctor before using")
                + f" {generic}",
                detail=f"You are {word}. {_says(fact)}",
                matched=word,
                refs=[cite(fs, fact)],
                basis=basis,
            )
        )


def _limit_indication(fact: Fact) -> str | None:
    return fact.population.indication if fact.population is not None else None


def _treats(indication: str, limit_indication: str) -> bool:
    """The person's indication is the one an age limit is stated for (by the condition
    vocabulary's names, or as a member of its group: Crohn's disease under inflammatory bowel
    disease)."""
    if has_term(indication, limit_indication) or has_term(limit_indication, indication):
        return True
    keys = condition_keys(indication)
    return limit_indication in keys or bool(keys & _condition_groups().get(limit_indication, set()))


@functools.lru_cache(maxsize=4096)
def condition_keys(text: str) -> frozenset[str]:
    """The condition vocabulary's keys a person's words name (remembered: a profile's
    indication is asked about once per fact of every document it is checked against)."""
    find = getattr(_finder(), "find", None)
    return frozenset(m.key for m in (find(text) if find else []) if m.kind == "condition")


def _known_condition(key: str) -> bool:
    """A key of the condition vocabulary (not words a leaflet used for a use it scoped)."""
    return key in condition_keys(key)


@memo.by_identity()
def _age_limits(facts: Sequence[Fact]) -> list[Fact]:
    """The document's age limits (once per document; callers must not change the list)."""
    return [f for f in facts if f.topic == "age-limit" and f.age_min_years is not None]


def _ages(
    fs: FactSet,
    facts: Sequence[Fact],
    profile: Profile,
    cite: _Cite,
    basis: Basis,
    generic: str,
    result: LeafletScreening,
) -> None:
    """Age limits, each for the population it was stated for: a limit the leaflet gives for
    one indication ('psoriatic arthritis … under 18') does not refuse a person treated for
    another ('plaque psoriasis … from 6'); where the person's indication is not given and a
    limit for some indication is above their age, the check says the indication is missing."""
    limits = _age_limits(facts)
    if not limits:
        return
    if profile.age_years is None:
        fact = max(limits, key=lambda f: f.age_min_years or 0)
        result.alerts.append(
            _alert(
                kind="cannot-decide",
                trigger="age-limit",
                severity="moderate",
                blocking=False,
                title="Age needed: the leaflet sets an age limit",
                detail=f"Add 'age_years' to the profile. {_says(fact)}",
                matched=None,
                refs=[cite(fs, fact)],
                basis=basis,
                field_name="age_years",
            )
        )
        return
    age = profile.age_years
    below = [f for f in limits if age < (f.age_min_years or 0)]
    applying = [
        f
        for f in below
        if _limit_indication(f) is None
        or (profile.indication and _treats(profile.indication, _limit_indication(f) or ""))
    ]
    if applying:
        # The strongest statement first ('do not use' over 'not recommended'), then the highest.
        fact = max(
            applying,
            key=lambda f: (bool(_PROHIBITION.search(f.quote)), f.age_min_years or 0),
        )
        minimum = fact.age_min_years or 0
        blocking = bool(_PROHIBITION.search(fact.quote))
        scope = _limit_indication(fact)
        result.alerts.append(
            _alert(
                kind="contraindication" if blocking else "warning",
                trigger="age-limit",
                severity="high",
                blocking=blocking,
                title=f"Not for under {minimum:g}-year-olds"
                + (f" with {scope}" if scope else "")
                + f": {generic}",
                detail=f"The profile's age is {age:g}. {_says(fact)}",
                matched=f"age {age:g}",
                refs=[cite(fs, fact)],
                basis=basis,
            )
        )
        return
    unread = [
        f
        for f in below
        if profile.indication and (scope := _limit_indication(f)) and not _known_condition(scope)
    ]
    if unread:
        # The limit names a use in words the vocabulary does not know, and the person's use
        # does not contain them: we cannot tell whether it is theirs, so we say so.
        fact = max(unread, key=lambda f: f.age_min_years or 0)
        scope = _limit_indication(fact) or ""
        result.alerts.append(
            _alert(
                kind="warning",
                trigger="age-limit",
                severity="high",
                blocking=False,
                title=f"Age limit for {scope}: check it does not apply",
                detail=(
                    f"The profile's age is {age:g} and its indication '{profile.indication}'. "
                    f"The leaflet limits the use under {fact.age_min_years or 0:g} for {scope}; "
                    f"we cannot tell whether that is this use. {_says(fact)}"
                ),
                matched=f"age {age:g}",
                refs=[cite(fs, fact)],
                basis=basis,
            )
        )
        return
    unknown = [f for f in below if _limit_indication(f) and not profile.indication]
    if unknown:
        scopes = list(dict.fromkeys(_limit_indication(f) or "" for f in unknown))
        fact = max(unknown, key=lambda f: f.age_min_years or 0)
        result.alerts.append(
            _alert(
                kind="cannot-decide",
                trigger="age-limit",
                severity="high",
                blocking=False,
                title="Indication needed: the leaflet sets an age limit for some uses",
                detail=(
                    f"The profile's age is {age:g}, and the leaflet limits the use at this age "
                    f"for {', '.join(scopes)}. Add 'indication' (what it is used for) to the "
                    f"profile. {_says(fact)}"
                ),
                matched=None,
                refs=[cite(fs, f) for f in unknown[:3]],
                basis=basis,
                field_name="indication",
            )
        )


def _dedupe(alerts: list[Alert]) -> list[Alert]:
    """One alert per (trigger, matched): the first (several facts may say the same)."""
    seen: set[tuple[str, str | None]] = set()
    out = []
    for a in alerts:
        key = (a.trigger, a.matched)
        if key in seen:
            continue
        seen.add(key)
        out.append(a)
    return out
