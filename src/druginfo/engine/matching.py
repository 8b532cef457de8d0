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
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from druginfo.engine import memo
from druginfo.engine.allergies import Member, allergen_classes, names_in
from druginfo.engine.citations import Evidence, external
from druginfo.engine.conditions import Mention, reader
from druginfo.engine.kidney import KidneyAssessment, kidney_function
from druginfo.model import Match, Monograph, Profile, SourceRef
from druginfo.vocab.base import ClassMembership, NameMatch, VaccineMatch, Vocabulary

State = Literal["fired", "no", "undecided"]
T = TypeVar("T")


class lazy(Generic[T]):
    """`functools.cached_property` without its lock (Python 3.11 takes one on every first
    access): a Context belongs to one check, in one thread."""

    def __init__(self, fn: Callable[[Any], T]) -> None:
        self.fn = fn
        self.name = fn.__name__
        self.__doc__ = fn.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> T:
        if obj is None:
            return self  # type: ignore[return-value]
        value = self.fn(obj)
        obj.__dict__[self.name] = value  # later reads find it there, not here
        return value


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
    class_ids: frozenset[str] = frozenset()  # the classes' ids, lower case

    @property
    def display(self) -> str:
        if self.match is not None:
            return self.match.display
        if self.vaccine is not None:
            return self.vaccine.name
        return self.text


@memo.by_identity()
def _med_entry(vocab: Vocabulary, text: str, own_names: frozenset[str]) -> MedEntry:
    """One medication line resolved (a pure function of the words, the vocabulary and the
    checked medicine's names; MedEntry is frozen, so it is shared)."""
    nm = vocab.resolve_medication(text)
    classes = tuple(vocab.classes_of(nm.key)) if nm is not None else ()
    return MedEntry(
        text=text,
        match=nm,
        classes=classes,
        vaccine=vocab.vaccine(text),
        is_self=nm is not None and nm.key.lower() in own_names,
        class_ids=frozenset(cm.class_id.lower() for cm in classes),
    )


@dataclass
class Context:
    """Everything about a profile the rules look at, each part computed once, when first
    needed (a monograph without medication rules never asks the vocabulary anything)."""

    mono: Monograph
    profile: Profile
    vocab: Vocabulary
    today: dt.date | None = None
    evidence: Evidence = field(default_factory=dict)

    @lazy
    def kidney(self) -> KidneyAssessment:
        return kidney_function(self.profile)

    @lazy
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

    @lazy
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

    @lazy
    def _indication_id(self) -> str | None:
        if self.profile.indication is None:
            return None
        ind = self.mono.indication(self.profile.indication)
        return ind.id if ind is not None else None

    @lazy
    def mentions(self) -> list[Mention]:
        """Every condition concept named in the profile, with its ConText status (the disease
        being treated taken out, see `treated_conditions`)."""
        read = reader()
        return [m for line in self.treated_conditions for m in read.read(line)]

    @lazy
    def own_names(self) -> frozenset[str]:
        own = {self.mono.key.lower(), self.mono.identity.generic.lower()}
        return frozenset(own | {s.lower() for s in self.mono.identity.substances})

    @lazy
    def meds(self) -> list[MedEntry]:
        own = self.own_names
        return [_med_entry(self.vocab, text, own) for text in self.profile.medications]

    @lazy
    def med_class_ids(self) -> frozenset[str]:
        """Every class (lower case) of the listed medicines other than this one: a rule on
        classes none of them is in cannot hold."""
        out: set[str] = set()
        for med in self.meds:
            if not med.is_self and med.match is not None:
                out.update(med.class_ids)
        return frozenset(out)

    @lazy
    def mention_concepts(self) -> frozenset[str]:
        """Every condition concept named, with every concept above it: a rule on concepts
        none of them is cannot hold."""
        read = reader()
        return frozenset(
            a
            for m in self.mentions
            if m.concept is not None and m.concept in read.concepts
            for a in read.ancestors(m.concept)
        )

    @lazy
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


@functools.lru_cache(maxsize=1024)
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


def _med_classes(ctx: Context, wanted: frozenset[str], out: Outcome) -> Cond:
    """`wanted`: the rule's classes, lower case."""
    if wanted.isdisjoint(ctx.med_class_ids):
        return False
    hit = False
    for med in ctx.meds:
        if med.is_self or med.match is None:
            continue
        found = _class_hit(med, wanted)
        if found is not None:
            hit = True
            ref, src = found
            out.matched.append(med.display)
            out.med_keys.add(med.match.key)
            ctx.evidence[ref] = src
            out.refs.append(ref)
    return hit


@memo.by_identity()
def _class_hit(med: MedEntry, wanted: frozenset[str]) -> tuple[str, SourceRef] | None:
    """The evidence entry of the first of a medication line's classes that is wanted, or
    None (once per line and rule: a MedEntry is remembered per line and vocabulary)."""
    for cm in med.classes:
        if cm.class_id.lower() in wanted:
            return external(cm.source, cm.quote, "interaction", "vocab")
    return None


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
    hit = False
    for line in _allergy_lines(ctx):
        matched = _allergy_line_to_self(ctx.mono, ctx.vocab, line, ctx.own_names)
        if matched is not None:
            out.matched.append(matched)
            hit = True
    return hit


@memo.by_identity(objects=2)
def _allergy_line_to_self(
    mono: Monograph, vocab: Vocabulary, line: str, own_names: frozenset[str]
) -> str | None:
    """What an allergy line says about this medicine (the line, or the line and the
    ingredient it names), or None: once per line, document and vocabulary."""
    ident = mono.identity
    names = {mono.key, ident.generic, *ident.substances, *ident.brands}
    resolved = vocab.resolve_medication(line)
    if any(names_in(line, n) for n in names) or (
        resolved is not None and resolved.key.lower() in own_names
    ):
        return line
    for product in mono.products:
        found = next((e for e in product.excipients if names_in(line, e, fuzzy=False)), None)
        if found is not None:
            return f"{line} ({found} is an ingredient of {product.name})"
    return None


def _allergy_classes(ctx: Context, class_ids: list[str], out: Outcome) -> Cond:
    classes = allergen_classes()
    hit = False
    for line in _allergy_lines(ctx):
        for cid in class_ids:
            klass = classes.get(cid)
            if klass is None:
                continue
            found = _allergen_match(cid, line)
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
def _allergen_match(class_id: str, line: str) -> tuple[str, Member | None] | None:
    """`AllergenClass.match` (the bundled classes never change), once per allergy line."""
    return allergen_classes()[class_id].match(line)


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


def _indication_ids_of(mono: Monograph, items: list[str]) -> frozenset[str]:
    """A rule's indications as ids of the monograph (an unknown one stays as written)."""
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
    if ctx.mention_concepts.isdisjoint(wanted):
        return False  # no mention is one of them or beneath them
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


def _vaccine_in(vm: VaccineMatch, classes: AbstractSet[str], vocab: Vocabulary) -> bool:
    if classes & ANY_VACCINE_CLASSES:
        return True
    if vm.live and classes & LIVE_CLASSES:
        return True
    if not vm.live and classes & NON_LIVE_CLASSES:
        return True
    return any(cm.class_id.lower() in classes for cm in vocab.classes_of(vm.vaccine_id))


def _vaccines(ctx: Context, wanted: frozenset[str], out: Outcome) -> Cond:
    """`wanted`: the rule's classes, lower case."""
    hit = False
    unknown: list[str] = []
    vocab = ctx.vocab
    for text, _ in ctx.vaccines():
        said = _vaccine_said(vocab, text, wanted)
        if said is None:
            unknown.append(text)
        elif said:
            hit = True
            matched, ref, src = said
            out.matched.append(matched)
            ctx.evidence[ref] = src
            out.refs.append(ref)
    if hit:
        return True
    if unknown:
        out.matched.extend(unknown)
        out.missing.append("planned_vaccines")
        return None
    return False


@memo.by_identity()
def _vaccine_said(
    vocab: Vocabulary, text: str, wanted: frozenset[str]
) -> tuple[str, str, SourceRef] | tuple[()] | None:
    """What one vaccine line says to a rule on `wanted` classes: None when it cannot be told
    (unknown, or in live and non-live forms), the words matched and the evidence entry when
    it is one of them, () when not (once per line, rule and vocabulary)."""
    vm = vocab.vaccine(text)
    if vm is None or getattr(vm, "ambiguous", False) or getattr(vm, "live", None) is None:
        return None
    if not _vaccine_in(vm, wanted, vocab):
        return ()
    ref, src = external(vm.source, vm.quote, "vaccine", "vocab")
    return (vm.name if normalise(vm.name) == normalise(text) else text), ref, src


# --- the steps of a rule, in the order their matched words are reported ----------------------
# Each step answers one field of a `Match` (True holds, False does not, None: the profile does
# not say) and records what it matched in the outcome. A rule's plan lists only the steps of
# the fields it sets, worked out once per rule (`_plan`).
Step = Callable[[Match, Context, Outcome], Cond]


def _step_allergies(match: Match, ctx: Context, out: Outcome) -> Cond:
    return _terms(ctx.profile.allergies, match.allergies_any, out)


def _step_self_allergy(match: Match, ctx: Context, out: Outcome) -> Cond:
    return _self_allergy(ctx, out)


def _step_allergy_classes(match: Match, ctx: Context, out: Outcome) -> Cond:
    return _allergy_classes(ctx, match.allergy_classes_any, out)


def _condition_test(match: Match) -> Callable[[str, str], bool]:
    """The `conditions_any` test of one rule on one profile line: its terms, their concepts
    and the words that exclude a line worked out once, and each (line, line without the
    indication) answered once (a pure function of the words)."""
    terms = tuple(match.conditions_any)
    excluding = tuple(match.conditions_excluding)
    heads = _head_concepts(terms)
    answers: dict[tuple[str, str], bool] = {}

    def holds(original: str, treated: str) -> bool:
        found = answers.get((original, treated))
        if found is None:
            found = not any(has_term(original, t) for t in excluding) and bool(
                _term_asserted(treated, terms) or (heads and _concept_present(treated, heads))
            )
            if len(answers) >= LINE_ANSWERS:
                answers.clear()
            answers[(original, treated)] = found
        return found

    return holds


def _conditions_step(holds: Callable[[str, str], bool]) -> Step:
    """The `conditions_any` step of one rule: the lines that meet its test."""

    def step(match: Match, ctx: Context, out: Outcome) -> Cond:
        pairs = zip(ctx.profile.conditions, ctx.treated_conditions, strict=True)
        hits = [original for original, treated in pairs if holds(original, treated)]
        out.matched.extend(hits)
        return bool(hits)

    return step


LINE_ANSWERS = 4096  # condition lines remembered per rule


def _step_concepts(match: Match, ctx: Context, out: Outcome) -> Cond:
    return _concepts(ctx, match, out)


def _med_classes_step(match: Match) -> Step:
    wanted = frozenset(c.lower() for c in match.medication_classes_any)

    def step(match: Match, ctx: Context, out: Outcome) -> Cond:
        return _med_classes(ctx, wanted, out)

    return step


def _med_names_step(match: Match) -> Step:
    """The `medication_names_any` step of one rule, each medication line answered once (by
    its key or its words: a pure function of the line and its resolution)."""
    names = list(match.medication_names_any)
    wanted = {n.lower() for n in names}
    answers: dict[tuple[str, str | None], bool] = {}

    def names_it(med: MedEntry) -> bool:
        key = med.match.key if med.match is not None else None
        found = answers.get((med.text, key))
        if found is None:
            by_key = key is not None and key.lower() in wanted
            found = by_key or any(has_term(med.text, n) for n in names)
            if len(answers) >= LINE_ANSWERS:
                answers.clear()
            answers[(med.text, key)] = found
        return found

    def step(match: Match, ctx: Context, out: Outcome) -> Cond:
        hit = False
        for med in ctx.meds:
            if med.is_self or not names_it(med):
                continue
            hit = True
            out.matched.append(med.display)
            if med.match is not None:
                out.med_keys.add(med.match.key)
        return hit

    return step


def _vaccines_step(match: Match) -> Step:
    wanted = frozenset(c.lower() for c in match.vaccine_classes_any)

    def step(match: Match, ctx: Context, out: Outcome) -> Cond:
        return _vaccines(ctx, wanted, out)

    return step


# Steps answered from single profile values: (condition, matched words). They have no side
# effects, so a plan asks them first; one that does not hold settles the rule at once.
Scalar = Callable[[Match, Context], tuple[Cond, str | None]]


def _stance(name: str) -> Scalar:
    def scalar(match: Match, ctx: Context) -> tuple[Cond, str | None]:
        p = ctx.profile
        wanted = getattr(match, name)
        value = getattr(p, name)
        if value is None and p.sex == "male":
            value = False
        ok = None if value is None else value == wanted
        return ok, name if ok and wanted else None

    return scalar


def _age_at_least(match: Match, ctx: Context) -> tuple[Cond, str | None]:
    age = ctx.profile.age_years
    assert match.age_at_least_years is not None
    ok = None if age is None else age >= match.age_at_least_years
    return ok, f"age {age:g}" if ok else None


def _age_below(match: Match, ctx: Context) -> tuple[Cond, str | None]:
    age = ctx.profile.age_years
    assert match.age_below_years is not None
    ok = None if age is None else age < match.age_below_years
    return ok, f"age {age:g}" if ok else None


def _indication(ids: frozenset[str], *, inside: bool) -> Scalar:
    """The person's indication is (`inside`) or is not one of the rule's (as the monograph's
    indication ids, worked out with the plan)."""

    def scalar(match: Match, ctx: Context) -> tuple[Cond, str | None]:
        p = ctx.profile
        ok = None if p.indication is None else (ctx.indication_id() in ids) == inside
        return ok, f"indication {p.indication}" if ok else None

    return scalar


def _weight_below(match: Match, ctx: Context) -> tuple[Cond, str | None]:
    w = ctx.profile.weight_kg
    assert match.weight_below_kg is not None
    ok = None if w is None else w < match.weight_below_kg
    return ok, f"weight {w:g} kg" if ok else None


def _weight_at_least(match: Match, ctx: Context) -> tuple[Cond, str | None]:
    w = ctx.profile.weight_kg
    assert match.weight_at_least_kg is not None
    ok = None if w is None else w >= match.weight_at_least_kg
    return ok, f"weight {w:g} kg" if ok else None


def _scalar_step(scalar: Scalar) -> Step:
    def step(match: Match, ctx: Context, out: Outcome) -> Cond:
        ok, matched = scalar(match, ctx)
        if matched is not None:
            out.matched.append(matched)
        return ok

    return step


def _step_kidney(match: Match, ctx: Context, out: Outcome) -> Cond:
    assert match.crcl_below_ml_min is not None
    below = ctx.kidney.below(match.crcl_below_ml_min)
    if below is None and ctx.kidney.known:
        # An estimate whose range straddles the threshold, or contradictory facts.
        out.missing.append(ctx.kidney.missing[0] if ctx.kidney.missing else "kidney")
    if below:
        out.matched.append(kidney_text(ctx.kidney))
    return below


def _surgery(match: Match, ctx: Context) -> tuple[Cond, str | None]:
    d = ctx.profile.planned_surgery_date
    planned = d is not None and (ctx.today is None or d >= ctx.today)
    ok = planned == match.surgery_planned
    if not (ok and planned):
        return ok, None
    assert d is not None
    undated = d == dt.date.max  # advice for the 'surgery' event: date not told
    return ok, "surgery planned" if undated else f"surgery planned {d}"


@dataclass(frozen=True)
class RulePlan:
    scalars: tuple[Scalar, ...]  # asked first: one that does not hold settles the rule
    steps: tuple[Step, ...]  # every field, in the order matched words are reported
    # Profile lists that must not all be empty for the rule to hold (a rule on medications
    # cannot hold for a person who lists none).
    lists: tuple[tuple[str, ...], ...]
    # The rule's `conditions_any` test of one (line, line without the indication), if any.
    conditions: Callable[[str, str], bool] | None = None
    # The rule's `allergies_any` terms (a line names one of them, or the rule cannot hold).
    allergies: tuple[str, ...] = ()


def _plan_for(match: Match, mono: Monograph) -> RulePlan:
    scalars: list[Scalar] = []
    steps: list[Step] = []
    lists: list[tuple[str, ...]] = []
    if match.allergies_any:
        steps.append(_step_allergies)
        lists.append(("allergies",))
    if match.allergy_to_self:
        steps.append(_step_self_allergy)
        lists.append(("allergies",))
    if match.allergy_classes_any:
        steps.append(_step_allergy_classes)
        lists.append(("allergies",))
    conditions = None
    if match.conditions_any:
        conditions = _condition_test(match)
        steps.append(_conditions_step(conditions))
        lists.append(("conditions",))
    if match.condition_concepts_any:
        steps.append(_step_concepts)
        lists.append(("conditions",))
    if match.medication_classes_any:
        steps.append(_med_classes_step(match))
        lists.append(("medications",))
    if match.medication_names_any:
        steps.append(_med_names_step(match))
        lists.append(("medications",))
    if match.vaccine_classes_any:
        steps.append(_vaccines_step(match))
        lists.append(("planned_vaccines", "medications"))
    ordered: list[tuple[bool, Scalar]] = [
        (match.pregnant is not None, _stance("pregnant")),
        (match.breastfeeding is not None, _stance("breastfeeding")),
        (match.age_at_least_years is not None, _age_at_least),
        (match.age_below_years is not None, _age_below),
        (
            bool(match.indication_not_in),
            _indication(_indication_ids_of(mono, match.indication_not_in), inside=False),
        ),
        (
            bool(match.indication_in),
            _indication(_indication_ids_of(mono, match.indication_in), inside=True),
        ),
        (match.weight_below_kg is not None, _weight_below),
        (match.weight_at_least_kg is not None, _weight_at_least),
    ]
    for used, scalar in ordered:
        if used:
            scalars.append(scalar)
            steps.append(_scalar_step(scalar))
    if match.crcl_below_ml_min is not None:
        steps.append(_step_kidney)
    if match.surgery_planned is not None:
        scalars.append(_surgery)
        steps.append(_scalar_step(_surgery))
    allergies = tuple(match.allergies_any)
    return RulePlan(
        tuple(scalars), tuple(steps), tuple(dict.fromkeys(lists)), conditions, allergies
    )


def plan_for(match: Match, mono: Monograph) -> RulePlan:
    """The plan of one match on one document (see `RulePlan`)."""
    return _plan_for(match, mono)


@memo.by_identity()
def rule_plans(mono: Monograph) -> tuple[RulePlan, ...]:
    """The plan of each of a monograph's screening rules, in order (once per document)."""
    return tuple(_plan_for(rule.match, mono) for rule in mono.screening)


@memo.by_identity()
def _line_gated(mono: Monograph) -> tuple[frozenset[int], frozenset[int]]:
    """The rules (by index) with a `conditions_any` step, and those with an `allergies_any`
    step: such a rule cannot hold unless one of the person's lines meets it."""
    plans = rule_plans(mono)
    return (
        frozenset(i for i, plan in enumerate(plans) if plan.conditions is not None),
        frozenset(i for i, plan in enumerate(plans) if plan.allergies),
    )


@memo.by_identity()
def _condition_rules(mono: Monograph, original: str, treated: str) -> frozenset[int]:
    """The rules whose `conditions_any` one profile line meets (once per document and line)."""
    return frozenset(
        i
        for i, plan in enumerate(rule_plans(mono))
        if plan.conditions is not None and plan.conditions(original, treated)
    )


@memo.by_identity()
def _allergy_rules(mono: Monograph, line: str) -> frozenset[int]:
    """The rules whose `allergies_any` terms one allergy line names (once per document and
    line)."""
    return frozenset(
        i
        for i, plan in enumerate(rule_plans(mono))
        if plan.allergies and any(has_term(line, t) for t in plan.allergies)
    )


def rules_that_cannot_hold(ctx: Context) -> frozenset[int]:
    """Rules (by index) that no line of the person's conditions or allergies meets, though
    they need one to: their outcome is "no" whatever the rest of the profile says, so they
    need not be asked (a per-line lookup per document instead of every rule's test)."""
    by_condition, by_allergy = _line_gated(ctx.mono)
    if not by_condition and not by_allergy:
        return frozenset()
    p = ctx.profile
    out: set[int] = set()
    if by_condition:
        met: set[int] = set()
        if p.conditions:
            mono = ctx.mono
            for original, treated in zip(p.conditions, ctx.treated_conditions, strict=True):
                met.update(_condition_rules(mono, original, treated))
        out.update(by_condition - met)
    if by_allergy:
        named: set[int] = set()
        for line in p.allergies:
            named.update(_allergy_rules(ctx.mono, line))
        out.update(by_allergy - named)
    return frozenset(out)


def settled_no(match: Match, ctx: Context, plan: RulePlan) -> bool:
    """Whether the rule's cheap conditions (single values, empty lists) already settle it as
    "no": such a rule names nothing."""
    p = ctx.profile
    for names in plan.lists:
        for name in names:
            if getattr(p, name):
                break
        else:
            return True
    for scalar in plan.scalars:  # noqa: SIM110 (a loop: no generator per rule and check)
        if scalar(match, ctx)[0] is False:
            return True
    return False


def evaluate(match: Match, ctx: Context, plan: RulePlan | None = None) -> Outcome:
    """Fired, not fired, or undecided (with the missing fields named).

    `plan`: the match's plan when already made (`rule_plans`). A rule that does not hold is
    settled by its first condition that fails (the cheap ones on single values and empty
    lists first): its outcome is "no" whatever the others say, and it names nothing."""
    if plan is None:
        plan = _plan_for(match, ctx.mono)
    if settled_no(match, ctx, plan):
        return Outcome(state="no")
    return run_steps(match, ctx, plan)


def run_steps(match: Match, ctx: Context, plan: RulePlan) -> Outcome:
    """`evaluate` after `settled_no` said the rule is not settled yet."""
    out = Outcome(state="no")
    unknown = False
    for step in plan.steps:
        cond = step(match, ctx, out)
        if cond is False:
            out.matched.clear()
            out.missing.clear()
            out.med_keys.clear()
            out.refs.clear()
            return out
        unknown = unknown or cond is None
    if match.needs:
        out.missing.extend(n for n in match.needs if ctx.missing(n))
    if out.missing:
        out.missing = list(dict.fromkeys(out.missing))
        out.state = "undecided"
    elif unknown:
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
