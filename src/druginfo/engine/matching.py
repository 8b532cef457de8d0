"""Does a profile meet a rule's `Match`? Shared by screening, monitoring and advice.

Semantics (see `druginfo.model.Match`): every non-empty field must hold, any item of a list
may match, terms match case-insensitively as whole words. Three outcomes, not two: a rule
whose `needs` are missing from the profile is *undecided*, never silently passed; so is a
vaccine rule when a planned vaccine is not recognised (it could be live). A value the profile
does not give and the rule does not list in `needs` does not match: the rule's author decides
what is worth asking for.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from druginfo.engine import memo
from druginfo.engine.allergies import allergen_classes, names_in
from druginfo.engine.citations import Evidence, external
from druginfo.engine.conditions import Mention, reader
from druginfo.engine.kidney import KidneyAssessment, kidney_function
from druginfo.model import Match, Monograph, Profile
from druginfo.vocab.base import ClassMembership, NameMatch, VaccineMatch, Vocabulary

State = Literal["fired", "no", "undecided"]

# Vaccine "classes" answered from VaccineMatch.live, so rules need no per-vaccine lists.
LIVE_CLASSES = frozenset({"live-vaccine", "live-vaccines", "live"})
NON_LIVE_CLASSES = frozenset(
    {"non-live-vaccine", "inactivated-vaccine", "inactivated-vaccines", "non-live"}
)
ANY_VACCINE_CLASSES = frozenset({"vaccine", "vaccines", "any-vaccine"})


@functools.lru_cache(maxsize=16384)
def normalise(text: str) -> str:
    """Lower case, punctuation to spaces: 'E. coli-derived' → 'e coli derived'."""
    return " ".join(re.sub(r"[\W_]+", " ", text.lower()).split())


@functools.lru_cache(maxsize=1024)
def _term_pattern(term: str) -> re.Pattern[str] | None:
    needle = normalise(term)
    if not needle:
        return None
    return re.compile(rf"(?<!\w){re.escape(needle)}(?:s|es)?(?!\w)")


@functools.lru_cache(maxsize=65536)
def has_term(text: str, term: str) -> bool:
    """Whole-word (or whole-phrase) match; a plural 's'/'es' on the last word still matches.

    Remembered per pair: rules ask the same few terms of the same profile lines and leaflet
    quotes on every check."""
    pattern = _term_pattern(term)
    return pattern is not None and pattern.search(normalise(text)) is not None


@dataclass(frozen=True)
class MedEntry:
    """One line of the medication list, resolved once per check."""

    text: str
    match: NameMatch | None
    classes: tuple[ClassMembership, ...]
    vaccine: VaccineMatch | None
    is_self: bool

    @property
    def display(self) -> str:
        if self.match is not None:
            return self.match.display
        if self.vaccine is not None:
            return self.vaccine.name
        return self.text


@dataclass
class Context:
    """Everything about a profile the rules look at, each part computed once, when first
    needed (a monograph without medication rules never asks the vocabulary anything)."""

    mono: Monograph
    profile: Profile
    vocab: Vocabulary
    today: dt.date | None = None
    evidence: Evidence = field(default_factory=dict)

    @cached_property
    def kidney(self) -> KidneyAssessment:
        return kidney_function(self.profile)

    @cached_property
    def treated_conditions(self) -> list[str]:
        """Conditions with the disease being treated taken out of their words.

        The disease a medicine is given for is not a reason against it: "COVID-19 pneumonia"
        is an indication of anakinra, not an active infection that rules it out. Only the
        indication's own names are removed, so "COVID-19 pneumonia and cellulitis" still
        reads as an infection.
        """
        ind = self.mono.indication(self.profile.indication) if self.profile.indication else None
        if ind is None:
            return list(self.profile.conditions)
        names = _indication_names((ind.id, ind.name, *ind.synonyms))
        return [_without_names(condition, names) for condition in self.profile.conditions]

    @cached_property
    def allergy_lines(self) -> list[str]:
        """Allergy lines that state an allergy ("no known drug allergies" does not)."""
        read = reader()
        lines = []
        for line in self.profile.allergies:
            mentions = read.read(line, extra_terms=ALLERGY_WORDS)
            if mentions and all(m.status == "negated" for m in mentions):
                continue
            lines.append(line)
        return lines

    @cached_property
    def _indication_id(self) -> str | None:
        if self.profile.indication is None:
            return None
        ind = self.mono.indication(self.profile.indication)
        return ind.id if ind is not None else None

    @cached_property
    def mentions(self) -> list[Mention]:
        """Every condition concept named in the profile, with its ConText status (the disease
        being treated taken out, see `treated_conditions`)."""
        read = reader()
        return [m for line in self.treated_conditions for m in read.read(line)]

    @cached_property
    def own_names(self) -> frozenset[str]:
        own = {self.mono.key.lower(), self.mono.identity.generic.lower()}
        return frozenset(own | {s.lower() for s in self.mono.identity.substances})

    @cached_property
    def meds(self) -> list[MedEntry]:
        meds: list[MedEntry] = []
        for text in self.profile.medications:
            nm = self.vocab.resolve_medication(text)
            classes = tuple(self.vocab.classes_of(nm.key)) if nm is not None else ()
            meds.append(
                MedEntry(
                    text=text,
                    match=nm,
                    classes=classes,
                    vaccine=self.vocab.vaccine(text),
                    is_self=nm is not None and nm.key.lower() in self.own_names,
                )
            )
        return meds

    @cached_property
    def planned(self) -> list[tuple[str, VaccineMatch | None]]:
        return [(text, self.vocab.vaccine(text)) for text in self.profile.planned_vaccines]

    def vaccines(self) -> list[tuple[str, VaccineMatch | None]]:
        """Planned vaccines (recognised or not) and medication lines that are vaccines."""
        return [*self.planned, *((m.text, m.vaccine) for m in self.meds if m.vaccine)]

    def missing(self, name: str) -> bool:
        """Whether a field a rule needs is absent. Lists are never missing (empty = none)."""
        p = self.profile
        if name in ("pregnant", "breastfeeding"):
            return getattr(p, name) is None and p.sex != "male"
        if name == "kidney" or name.startswith("kidney."):
            return not self.kidney.known
        if name == "surgery_planned":
            return False
        if name not in type(p).model_fields:
            return True
        value = getattr(p, name)
        return value is None

    def indication_id(self) -> str | None:
        return self._indication_id


def _indication_names(names: tuple[str, ...]) -> tuple[str, ...]:
    """An indication's names, normalised, longest first (a longer name is taken out first)."""
    return tuple(sorted({normalise(n) for n in names} - {""}, key=len, reverse=True))


@functools.lru_cache(maxsize=8192)
def _without_names(condition: str, names: tuple[str, ...]) -> str:
    text = normalise(condition)
    for name in names:
        text = _whole_words(name).sub(" ", text)
    return " ".join(text.split())


@functools.lru_cache(maxsize=2048)
def _whole_words(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")


ALLERGY_WORDS = ("allergy", "allergic", "allergies")


@dataclass
class Outcome:
    state: State
    matched: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    med_keys: set[str] = field(default_factory=set)
    refs: list[str] = field(default_factory=list)

    @property
    def matched_text(self) -> str | None:
        return ", ".join(dict.fromkeys(self.matched)) or None


Cond = bool | None  # True holds, False does not, None: the profile does not say


def _terms(values: list[str], terms: list[str], out: Outcome) -> Cond:
    hits = [v for v in values if any(has_term(v, t) for t in terms)]
    out.matched.extend(hits)
    return bool(hits)


def _med_classes(ctx: Context, classes: list[str], out: Outcome) -> Cond:
    wanted = {c.lower() for c in classes}
    hit = False
    for med in ctx.meds:
        if med.is_self or med.match is None:
            continue
        for cm in med.classes:
            if cm.class_id.lower() in wanted:
                hit = True
                out.matched.append(med.display)
                out.med_keys.add(med.match.key)
                ref, src = external(cm.source, cm.quote, "interaction", "vocab")
                ctx.evidence[ref] = src
                out.refs.append(ref)
                break
    return hit


def _med_names(ctx: Context, names: list[str], out: Outcome) -> Cond:
    wanted = {n.lower() for n in names}
    hit = False
    for med in ctx.meds:
        if med.is_self:
            continue
        by_key = med.match is not None and med.match.key.lower() in wanted
        if by_key or any(has_term(med.text, n) for n in names):
            hit = True
            out.matched.append(med.display)
            if med.match is not None:
                out.med_keys.add(med.match.key)
    return hit


# Statuses under which a plain condition term (e.g. "asthma") counts: anything but absent,
# only thought about, or someone else's.
_TERM_NOT_COUNTING = frozenset({"negated", "hypothetical", "family"})


@functools.lru_cache(maxsize=16384)
def _term_asserted(line: str, terms: tuple[str, ...]) -> bool:
    """Whether one of `terms` is named in `line` as something the person has or had
    ("no asthma", "risk of cancer", "mother had lymphoma" do not count)."""
    if not any(has_term(line, t) for t in terms):
        return False
    for mention in reader().read(line, extra_terms=terms):
        if mention.status in _TERM_NOT_COUNTING:
            continue
        if any(has_term(mention.words, t) or has_term(t, mention.words) for t in terms):
            return True
    return False


def _allergy_lines(ctx: Context) -> list[str]:
    return ctx.allergy_lines


def _self_allergy(ctx: Context, out: Outcome) -> Cond:
    """An allergy to this medicine under any name (brands, misspellings through the
    vocabulary) or to an ingredient of one of its products."""
    ident = ctx.mono.identity
    names = {ctx.mono.key, ident.generic, *ident.substances, *ident.brands}
    hit = False
    for line in _allergy_lines(ctx):
        resolved = ctx.vocab.resolve_medication(line)
        if any(names_in(line, n) for n in names) or (
            resolved is not None and resolved.key.lower() in ctx.own_names
        ):
            out.matched.append(line)
            hit = True
            continue
        for product in ctx.mono.products:
            found = next((e for e in product.excipients if names_in(line, e, fuzzy=False)), None)
            if found is not None:
                out.matched.append(f"{line} ({found} is an ingredient of {product.name})")
                hit = True
                break
    return hit


def _allergy_classes(ctx: Context, class_ids: list[str], out: Outcome) -> Cond:
    classes = allergen_classes()
    hit = False
    for line in _allergy_lines(ctx):
        for cid in class_ids:
            klass = classes.get(cid)
            if klass is None:
                continue
            found = klass.match(line)
            if found is None:
                continue
            _, member = found
            if member is not None and member.key.lower() in ctx.own_names:
                continue  # this medicine itself: the self-allergy rule says it
            hit = True
            out.matched.append(line if member is None else f"{line} ({member.key}: {klass.name})")
            if member is not None:
                ref, src = external(member.source, member.quote, "allergy", "vocab")
                ctx.evidence[ref] = src
                out.refs.append(ref)
            break
    return hit


@functools.lru_cache(maxsize=16384)
def _concept_present(line: str, concepts: frozenset[str]) -> bool:
    """A mention in `line` of one of `concepts` (or beneath them) that is there now, not a
    sign."""
    read = reader()
    return any(
        m.status == "present" and not m.sign and read.is_a(m.concept, concepts)
        for m in read.read(line)
    )


@functools.lru_cache(maxsize=4096)
def _head_concepts(terms: tuple[str, ...]) -> frozenset[str]:
    read = reader()
    return frozenset(c for c in (read.head_concept(t) for t in terms) if c)


def _indication_ids(ctx: Context, items: list[str]) -> frozenset[str]:
    """A rule's indications as ids of the monograph (an unknown one stays as written)."""
    return _rule_indication_ids(ctx.mono, tuple(items))


@memo.by_identity()
def _rule_indication_ids(mono: Monograph, items: tuple[str, ...]) -> frozenset[str]:
    out = set()
    for item in items:
        ind = mono.indication(item)
        out.add(ind.id if ind is not None else item)
    return frozenset(out)


def _concepts(ctx: Context, match: Match, out: Outcome) -> Cond:
    """Condition concepts: fired by a mention with a wanted status; undecided (the rule asks
    for confirmation) by a possible or recurrent mention, or a sign such as fever, when the
    rule wants the concept present."""
    read = reader()
    wanted = match.condition_concepts_any
    statuses = set(match.condition_status_any)
    hits: list[str] = []
    doubtful: list[str] = []
    for mention in ctx.mentions:
        if not read.is_a(mention.concept, wanted):
            continue
        if statuses:
            ok = mention.status in statuses or ("chronic" in statuses and mention.chronic)
            if ok and not mention.sign:
                hits.append(mention.line)
        elif mention.status == "present" and not mention.sign:
            hits.append(mention.line)
        elif mention.status in ("possible", "recurrent") or (
            mention.sign and mention.status == "present"
        ):
            doubtful.append(mention.line)
    originals = dict(zip(ctx.treated_conditions, ctx.profile.conditions, strict=True))
    if hits:
        out.matched.extend(originals.get(h, h) for h in dict.fromkeys(hits))
        return True
    if doubtful:
        out.matched.extend(originals.get(d, d) for d in dict.fromkeys(doubtful))
        out.missing.append("conditions")
        return None
    return False


def _vaccine_in(vm: VaccineMatch, classes: set[str], ctx: Context) -> bool:
    if classes & ANY_VACCINE_CLASSES:
        return True
    if vm.live and classes & LIVE_CLASSES:
        return True
    if not vm.live and classes & NON_LIVE_CLASSES:
        return True
    return any(cm.class_id.lower() in classes for cm in ctx.vocab.classes_of(vm.vaccine_id))


def _vaccines(ctx: Context, classes: list[str], out: Outcome) -> Cond:
    wanted = {c.lower() for c in classes}
    hit = False
    unknown: list[str] = []
    for text, vm in ctx.vaccines():
        if vm is None or getattr(vm, "ambiguous", False) or getattr(vm, "live", None) is None:
            unknown.append(text)
            continue
        if _vaccine_in(vm, wanted, ctx):
            hit = True
            out.matched.append(vm.name if normalise(vm.name) == normalise(text) else text)
            ref, src = external(vm.source, vm.quote, "vaccine", "vocab")
            ctx.evidence[ref] = src
            out.refs.append(ref)
    if hit:
        return True
    if unknown:
        out.matched.extend(unknown)
        out.missing.append("planned_vaccines")
        return None
    return False


def evaluate(match: Match, ctx: Context) -> Outcome:
    """Fired, not fired, or undecided (with the missing fields named)."""
    p = ctx.profile
    out = Outcome(state="no")
    conds: list[Cond] = []
    if match.allergies_any:
        conds.append(_terms(p.allergies, match.allergies_any, out))
    if match.allergy_to_self:
        conds.append(_self_allergy(ctx, out))
    if match.allergy_classes_any:
        conds.append(_allergy_classes(ctx, match.allergy_classes_any, out))
    if match.conditions_any:
        terms = tuple(match.conditions_any)
        heads = _head_concepts(terms)
        hits = [
            original
            for original, treated in zip(p.conditions, ctx.treated_conditions, strict=True)
            if not any(has_term(original, t) for t in match.conditions_excluding)
            and (_term_asserted(treated, terms) or (heads and _concept_present(treated, heads)))
        ]
        out.matched.extend(hits)
        conds.append(bool(hits))
    if match.condition_concepts_any:
        conds.append(_concepts(ctx, match, out))
    if match.medication_classes_any:
        conds.append(_med_classes(ctx, match.medication_classes_any, out))
    if match.medication_names_any:
        conds.append(_med_names(ctx, match.medication_names_any, out))
    if match.vaccine_classes_any:
        conds.append(_vaccines(ctx, match.vaccine_classes_any, out))
    for name in ("pregnant", "breastfeeding"):
        wanted = getattr(match, name)
        if wanted is None:
            continue
        value = getattr(p, name)
        if value is None and p.sex == "male":
            value = False
        ok = None if value is None else value == wanted
        conds.append(ok)
        if ok and wanted:
            out.matched.append(name)
    if match.age_at_least_years is not None:
        ok = None if p.age_years is None else p.age_years >= match.age_at_least_years
        conds.append(ok)
        if ok:
            out.matched.append(f"age {p.age_years:g}")
    if match.age_below_years is not None:
        ok = None if p.age_years is None else p.age_years < match.age_below_years
        conds.append(ok)
        if ok:
            out.matched.append(f"age {p.age_years:g}")
    if match.indication_not_in:
        excluded = _indication_ids(ctx, match.indication_not_in)
        ok = None if p.indication is None else ctx.indication_id() not in excluded
        conds.append(ok)
        if ok:
            out.matched.append(f"indication {p.indication}")
    if match.indication_in:
        wanted = _indication_ids(ctx, match.indication_in)
        ok = None if p.indication is None else ctx.indication_id() in wanted
        conds.append(ok)
        if ok:
            out.matched.append(f"indication {p.indication}")
    for bound, holds in (
        (match.weight_below_kg, lambda w, b: w < b),
        (match.weight_at_least_kg, lambda w, b: w >= b),
    ):
        if bound is None:
            continue
        ok = None if p.weight_kg is None else holds(p.weight_kg, bound)
        conds.append(ok)
        if ok:
            out.matched.append(f"weight {p.weight_kg:g} kg")
    if match.crcl_below_ml_min is not None:
        below = ctx.kidney.below(match.crcl_below_ml_min)
        if below is None and ctx.kidney.known:
            # An estimate whose range straddles the threshold, or contradictory facts.
            out.missing.append(ctx.kidney.missing[0] if ctx.kidney.missing else "kidney")
        conds.append(below)
        if below:
            out.matched.append(kidney_text(ctx.kidney))
    if match.surgery_planned is not None:
        d = p.planned_surgery_date
        planned = d is not None and (ctx.today is None or d >= ctx.today)
        ok = planned == match.surgery_planned
        conds.append(ok)
        if ok and planned:
            assert d is not None
            undated = d == dt.date.max  # advice for the 'surgery' event: date not told
            out.matched.append("surgery planned" if undated else f"surgery planned {d}")
    out.missing.extend(n for n in match.needs if ctx.missing(n))
    out.missing = list(dict.fromkeys(out.missing))
    if any(c is False for c in conds):
        out.state = "no"
    elif out.missing:
        out.state = "undecided"
    elif any(c is None for c in conds):
        # Unknown, and the rule does not list the field in `needs`: it does not match.
        out.state = "no"
    else:
        # An empty Match holds for everyone (a general warning); erring this way adds an
        # alert, never hides one.
        out.state = "fired"
    return out


def kidney_text(k: KidneyAssessment) -> str:
    if k.crcl_ml_min is not None:
        label = {
            "measured crcl": "CrCl",
            "cockcroft-gault": "CrCl (Cockcroft–Gault)",
            "egfr": "eGFR",
            "schwartz": "eGFR (bedside Schwartz)",
        }.get(k.method, "CrCl")
        text = f"{label} {k.crcl_ml_min:g} mL/min"
        return f"{text}, severe kidney disease" if k.severe else text
    if k.severe:
        return "severe kidney disease"
    if k.severe is False:
        return "no severe kidney disease"
    return "kidney function unknown"
