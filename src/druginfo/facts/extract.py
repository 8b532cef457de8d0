"""Statements → normalised facts, with one set of readers for every kind of document.

A statement is read in its place: the topic comes from its heading path first (or the
document's own structure: a QRD section, an SPL LOINC code, a curator's topic) and its own
words second; then only the readers that belong to that topic run (a temperature is a storage
fact only in a storage statement, an amount a dose only in a dosing statement). Each fact keeps
the statement's exact words as its quote.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from druginfo.facts.doses import Amount, find_amounts, find_route, phase_of
from druginfo.facts.intervals import (
    Interval,
    Span,
    find_durations,
    find_intervals,
    find_time_limits,
)
from druginfo.facts.mentions import Mention, MentionFinder, default_finder
from druginfo.facts.population import merge, names_adults, read_population, young_only
from druginfo.facts.precautions import (
    LeadKind,
    is_lead,
    lead_kind,
    person_condition,
    person_takes,
    takes_at,
)
from druginfo.facts.stances import read_missed_dose, read_stance
from druginfo.facts.strength import read_strength, states_strength
from druginfo.facts.temperature import find_temperatures
from druginfo.facts.topics import classify, path_topic, statement_topic, vocabulary
from druginfo.model import Topic
from druginfo.model.facts import Fact, Population, Strength

DOSE_TOPICS = frozenset(
    {
        Topic.dosing,
        Topic.administration,
        Topic.kidney,
        Topic.children,
        Topic.seniors,
        Topic.self_injection,
    }
)
_DOSE_VERB = re.compile(
    r"\b(?:dose|doses|dosage|dosing|take|takes|taken|taking|inject|injects|injected|injecting|"
    r"give|given|giving|use|used|using|administer\w*|apply|applied|swallow|receive|received|"
    r"recommended|usual|start(?:ing)?|maintenance|loading|infus\w*)\b",
    re.IGNORECASE,
)
_ROOM = re.compile(
    r"\broom\s+temperature\b|\bout(?:side)?\s+(?:of\s+)?(?:the\s+)?(?:fridge|refrigerator)\b"
    r"|\b(?:removed|taken\s+out)\s+(?:of|from)\s+(?:the\s+)?(?:fridge|refrigerator)\b"
    r"|\bsingle\s+period\b|\bnot\s+refrigerated\b|\bunrefrigerated\b",
    re.IGNORECASE,
)
_STORAGE_WORDS = re.compile(
    r"\b(?:stor(?:e|ed|ing|age)|keep|kept|refrigerat\w*|fridge|room\s+temperature|freez\w*)\b",
    re.IGNORECASE,
)
_PREGNANCY = re.compile(r"\bpregnan\w*|\bunborn\b|\bhave\s+a\s+baby\b", re.IGNORECASE)
_BREASTFEEDING = re.compile(
    r"\bbreast-?\s?feed\w*|\bbreastfeed\w*|\bbreast\s+milk\b|\bnursing\b|\blactat\w*", re.I
)
# The allergen runs to the end of the clause; a full stop inside "E. coli" does not end it.
_ALLERGIC_TO = re.compile(
    r"\b(?:allergic|hypersensitive|hypersensitivity)\s+(?:reaction\s+)?to\s+"
    r"((?:[^.;:()]|\.(?=\s*[a-z]))+)",
    re.I,
)
_PRONOUN = re.compile(r"^(?:it|them|this\s+(?:drug|medicine|medication))\b", re.I)
_AGE_LIMIT = re.compile(
    r"\b(?:not\s+(?:be\s+)?(?:used|given|recommended|approved|studied|established)|"
    r"should\s+not|must\s+not|do\s+not|don[’']t|has\s+not\s+been|have\s+not\s+been|no\s+"
    r"(?:data|information|experience))\b",
    re.IGNORECASE,
)
_YOUNG = re.compile(
    r"\b(?:child|children|adolescents?|infants?|babies|paediatric|pediatric|under\s+\d+|"
    r"below\s+\d+|younger\s+than)\b",
    re.I,
)
_CLAUSE_BREAK = re.compile(r";|,?\s*\bfollowed\s+by\b|,?\s*\bthen\b|\.\s+|,\s+and\s+|,\s+or\s+")


@dataclass(frozen=True)
class Context:
    """Where a statement stands: its heading path and what the document's structure says."""

    path: tuple[str, ...] = ()
    structural: Topic | None = None
    own_names: frozenset[str] = frozenset()  # the document's own medicine, never "interacting"
    own_key: str | None = None
    lead: str | None = None  # the sentence that introduces a list ("... include:")
    # The lead of a warnings list ("Talk to your doctor before using X if you:"), kept over
    # the items and the explanations between them until the next lead or section.
    warn_lead: str | None = None


def statement_topic_for(text: str, ctx: Context) -> Topic:
    return classify(ctx.path, text, ctx.structural)


def facts_from_text(
    text: str,
    section: str | None = None,
    *,
    path: Sequence[str] | None = None,
    structural: Topic | None = None,
    own_names: Iterable[str] = (),
    own_key: str | None = None,
    lead: str | None = None,
    warn_lead: str | None = None,
    finder: MentionFinder | None = None,
) -> list[Fact]:
    """Every fact one statement states, in the order of its kinds.

    `section` is the heading it stands under; `path` (outermost first) may give the headings
    above it too; `structural` is a topic the document's structure gives; `own_names` the
    names of the medicine the document is about.
    """
    if not text or not text.strip():
        return []
    headings = tuple(path) if path is not None else ((section,) if section else ())
    ctx = Context(
        path=tuple(h for h in headings if h),
        structural=structural,
        own_names=frozenset(n.lower() for n in own_names),
        own_key=own_key,
        lead=lead if lead and lead.rstrip().endswith(":") else None,
        warn_lead=warn_lead if warn_lead and is_lead(warn_lead) else None,
    )
    topic = statement_topic_for(text, ctx)
    heading = section if section is not None else (ctx.path[-1] if ctx.path else None)
    return list(_read(text, topic, ctx, heading, finder or default_finder()))


def _read(
    text: str, topic: Topic, ctx: Context, section: str | None, finder: MentionFinder
) -> Iterable[Fact]:
    broad = topic in vocabulary().broad or topic is Topic.other
    if (
        topic is Topic.storage
        or (broad and _STORAGE_WORDS.search(text))
        or (topic is Topic.travel and find_temperatures(text))
    ):
        yield from _storage(text, section)
    if topic in DOSE_TOPICS or (broad and (_DOSE_VERB.search(text) or _amount_with_interval(text))):
        yield from _doses(text, topic, ctx, section, finder)
    if topic is Topic.missed_dose or statement_topic(text) is Topic.missed_dose:
        yield from _missed(text, section)
    if topic in (Topic.pregnancy, Topic.breastfeeding) or (
        topic not in _NO_STANCE_TOPICS and (_PREGNANCY.search(text) or _BREASTFEEDING.search(text))
    ):
        yield from _stances(text, topic, ctx, section)
    mentions = finder.find(text)
    yield from _mention_facts(text, topic, ctx, section, mentions, finder)


def _amount_with_interval(text: str) -> bool:
    """An amount beside an interval ("40 mg every other week") is a dose whatever the heading."""
    return bool(find_amounts(text)) and any(i.every_hours for i in find_intervals(text))


# --- storage ---------------------------------------------------------------------------------


def _storage(text: str, section: str | None) -> Iterable[Fact]:
    temps = find_temperatures(text)
    limits = find_time_limits(text)
    room = _ROOM.search(text)
    facts: list[Fact] = []
    used: set[int] = set()
    if room and (limits or any(t.min_c is None and t.max_c is not None for t in temps)):
        after = [i for i, t in enumerate(temps) if t.start >= room.start() - 40]
        pick = after[0] if after else None
        if pick is None and temps and not limits:
            pick = None
        t = temps[pick] if pick is not None else None
        if t is not None and t.min_c is not None and t.min_c <= 8 and t.max_c and t.max_c <= 8:
            t = None  # the fridge range, named beside a room-temperature allowance
            pick = None
        if pick is not None:
            used.add(pick)
        # The limit nearest the room-temperature words is theirs: "refrigerated for up to
        # 3 hours, followed by up to 1 hour at room temperature" allows one hour out.
        near = [s for s in limits if s.start >= room.start() - 80]
        limit = min(near, key=lambda s: _gap(s, room)) if near else None
        limit = limit or (limits[0] if limits else None)
        if t is not None or limit is not None:
            facts.append(
                Fact(
                    topic="room-temperature",
                    temp_min_c=t.min_c if t is not None and t.min_c != t.max_c else None,
                    temp_max_c=t.max_c if t is not None else None,
                    max_days=limit.days if limit is not None else None,
                    quote=text,
                    section=section,
                )
            )
    for i, t in enumerate(temps):
        if i in used:
            continue
        facts.insert(
            0,
            Fact(
                topic="storage",
                temp_min_c=t.min_c,
                temp_max_c=t.max_c,
                quote=text,
                section=section,
            ),
        )
        break  # one storage range per statement: the others restate it in another scale
    return facts


def _gap(span: Span, words: re.Match[str]) -> int:
    """Characters between a time limit and the words it may qualify (0 when they touch)."""
    return max(span.start - words.end(), words.start() - span.end, 0)


# --- doses -----------------------------------------------------------------------------------


@dataclass
class _Clause:
    start: int
    end: int


def _clauses(text: str, amounts: list[Amount]) -> list[_Clause]:
    """One clause per amount: cut between consecutive amounts at the last break between them."""
    cuts = [0]
    for a, b in itertools.pairwise(amounts):
        between = text[a.end : b.start]
        breaks = list(_CLAUSE_BREAK.finditer(between))
        cuts.append(a.end + breaks[-1].start() if breaks else b.start)
    cuts.append(len(text))
    return [_Clause(cuts[i], cuts[i + 1]) for i in range(len(amounts))]


_NOT_INDICATIONS = ("infection", "pain", "fever", "kidney disease")
# Between two indications of one list: "rheumatoid arthritis, psoriatic arthritis or axial
# spondyloarthritis" (commas, 'or', 'and', 'and/or' and nothing else).
_LIST_GAP = re.compile(r"^[\s,;/]*(?:(?:and/)?or|and)?[\s,;/]*$", re.IGNORECASE)


def _indication(mentions: list[Mention], text: str | None = None) -> str | None:
    """The indication a statement names: one condition, or one list of them ("If you have
    RA, PsA or axial spondyloarthritis, the dose is …"), written 'A or B or C' so that each
    fits; conditions named otherwise (as a reason, a warning) make it unknown."""
    found = [
        m
        for m in mentions
        if m.kind == "condition" and not m.negated and m.key not in _NOT_INDICATIONS
    ]
    names = list(dict.fromkeys(m.key for m in found))
    if len(names) == 1:
        return names[0]
    if not names or text is None:
        return None
    for a, b in itertools.pairwise(found):
        if a.key != b.key and not _LIST_GAP.match(text[a.end : b.start]):
            return None
    return " or ".join(names)


def _young_bound(pop: Population | None, young_heading: bool, text: str) -> Population | None:
    """Under 18 for a dose stated for the young (by its heading or its own words) with no age
    band of its own; a sentence naming adults, or any age, keeps what it says."""
    if pop is not None and (pop.age_min_years is not None or pop.age_max_years is not None):
        return pop
    if not (young_only(text) or (young_heading and not names_adults(text))):
        return pop
    return merge(pop, Population(age_max_years=18.0))


def _doses(
    text: str, topic: Topic, ctx: Context, section: str | None, finder: MentionFinder
) -> Iterable[Fact]:
    amounts = find_amounts(text)
    intervals = [i for i in find_intervals(text) if i.every_hours or i.as_needed]
    if not amounts and not intervals:
        return
    if not _DOSE_VERB.search(text) and not amounts:
        return
    heading_pop = None
    for h in ctx.path:
        heading_pop = merge(heading_pop, read_population(h))
    heading_ind = None
    for h in ctx.path:
        heading_ind = _indication(finder.find(h)) or heading_ind
    # A dose under a heading for the young ('Use in children and adolescents') is theirs even
    # where its sentence names no age: read unscoped it would be offered to adults too.
    young_heading = any(young_only(h) for h in ctx.path)
    kidney = topic is Topic.kidney or bool(
        re.search(r"\bkidney|\brenal\b|creatinine\s+clearance", text, re.I)
    )
    fact_topic = "kidney" if kidney else "dose"
    route = find_route(text)
    durations = find_durations(text)
    if not amounts:
        # An interval alone: "Kineret is injected once a day".
        timed = [i for i in intervals if i.every_hours]
        if not _DOSE_VERB.search(text) or not timed:
            return  # "as needed" alone says nothing comparable
        first = timed[0]
        pop = _young_bound(merge(heading_pop, read_population(text)), young_heading, text)
        yield _dose_fact(
            fact_topic,
            None,
            first,
            durations[0].days if durations else None,
            None,
            route,
            _with_indication(pop, heading_ind, finder.find(text), text),
            text,
            section,
        )
        return
    clauses = _clauses(text, amounts)
    spans = [text[c.start : c.end] for c in clauses]
    own = [[i for i in intervals if c.start <= i.start < c.end] for c in clauses]
    phases: list[Literal["loading", "maintenance"] | None] = []
    after_loading = False
    for words, mine in zip(spans, own, strict=True):
        phase = phase_of(words, after_loading=after_loading, repeats=bool(mine))
        after_loading = after_loading or phase == "loading"
        phases.append(phase)
    # One interval named once for several amounts ("50 mg or 100 mg once a week") belongs to
    # each of them; never across phases, where each step has its own timing.
    distinct = {(i.every_hours, i.as_needed) for i in intervals}
    shared = intervals[0] if len(distinct) == 1 and not any(phases) else None
    for n, amount in enumerate(amounts):
        words, mine, phase, clause = spans[n], own[n], phases[n], clauses[n]
        interval: Interval | None = mine[0] if mine else (None if amount.is_max else shared)
        dur = [d for d in durations if clause.start <= d.start < clause.end]
        pop = read_population(words)
        if pop is None and len(amounts) == 1:
            pop = read_population(text)
        pop = _young_bound(merge(heading_pop, pop), young_heading, words if pop else text)
        own_mentions = finder.find(words)
        pop = _with_indication(
            pop,
            heading_ind,
            own_mentions or finder.find(text),
            words if own_mentions else text,
        )
        yield _dose_fact(
            fact_topic,
            amount,
            interval,
            dur[0].days if dur else None,
            phase,
            route,
            pop,
            text,
            section,
        )


def _with_indication(
    pop: Population | None, heading_ind: str | None, mentions: list[Mention], text: str
) -> Population | None:
    ind = _indication(mentions, text) or heading_ind
    if ind is None:
        return pop
    data = pop.model_dump(exclude_none=True) if pop else {}
    data.setdefault("indication", ind)
    return Population(**data)


def _dose_fact(
    topic: str,
    amount: Amount | None,
    interval: Interval | None,
    duration: float | None,
    phase: str | None,
    route: str | None,
    pop: Population | None,
    text: str,
    section: str | None,
) -> Fact:
    fields: dict[str, object] = {}
    if amount is not None:
        if amount.is_max:
            if amount.kind == "mg":
                fields["max_dose_mg"] = amount.high or amount.value
            elif amount.kind == "mg_per_kg":
                fields["max_dose_mg_per_kg"] = amount.high or amount.value
        elif amount.kind == "mg":
            fields["dose_mg"] = amount.value
            fields["dose_max_mg"] = amount.high
        elif amount.kind == "mg_per_kg":
            fields["dose_mg_per_kg"] = amount.value
            fields["dose_max_mg_per_kg"] = amount.high
        elif amount.kind == "mg_per_m2":
            fields["dose_mg_per_m2"] = amount.value
            fields["dose_mg_per_m2_max"] = amount.high
        else:
            fields["dose_units"] = amount.value
            fields["dose_units_max"] = amount.high
        if amount.per_day:
            fields["daily_total"] = True
    if interval is not None:
        fields["every_hours"] = interval.every_hours
        fields["every_hours_max"] = interval.every_hours_max
        fields["times_per_day"] = interval.times_per_day
        if interval.as_needed:
            fields["as_needed"] = True
    if pop is not None and topic == "kidney" and pop.crcl_below_ml_min is None:
        pass
    return Fact.model_validate(
        {
            "topic": topic,
            **{k: v for k, v in fields.items() if v is not None},
            "duration_days": duration,
            "phase": phase,
            "route": route,
            "population": pop,
            "quote": text,
            "section": section,
        }
    )


# --- missed dose, pregnancy, breast-feeding ------------------------------------------------------


def _missed(text: str, section: str | None) -> Iterable[Fact]:
    action, no_double, near = read_missed_dose(text)
    if action is None and not no_double:
        return
    yield Fact(
        topic="missed-dose",
        action=action,
        no_double=True if no_double else None,
        skip_if_next_dose_near=True if near else None,
        quote=text,
        section=section,
    )


# Statements under these topics mention pregnancy as a fact about the medicine (a side effect,
# what it is for, what it contains), never as advice on using it.
_NO_STANCE_TOPICS = frozenset(
    {
        Topic.side_effect,
        Topic.serious_side_effect,
        Topic.product,
        Topic.indication,
        Topic.mechanism,
        Topic.effectiveness,
        Topic.overdose,
    }
)
_STRONG_STANCES = frozenset({"must-not", "not-recommended", "if-clearly-needed"})


# Contraception advice is about not becoming pregnant, not about using the medicine in
# pregnancy: "use contraception to avoid becoming pregnant" is no stance, and "must not take it
# without contraception" forbids use without contraception, not use in pregnancy. Such a
# statement takes a stance only where its other words speak of pregnancy itself; its purpose
# clause ("to avoid becoming pregnant") does not count as such words, a direct instruction
# ("you must avoid becoming pregnant") does.
_CONTRACEPTION = re.compile(
    r"\bcontracepti\w*|\bbirth\s+control\b|\bchild-?\s?bearing\s+potential\b", re.IGNORECASE
)
_PREVENTING_PREGNANCY = re.compile(
    r"\b(?:to|so\s+as\s+to|in\s+order\s+to)\s+(?:avoid|prevent)\s+(?:(?:becoming|getting)\s+)?"
    r"pregnan\w*|\bprevent(?:s|ing)\s+pregnan\w*",
    re.IGNORECASE,
)


def _stances(text: str, topic: Topic, ctx: Context, section: str | None) -> Iterable[Fact]:
    contraception = bool(_CONTRACEPTION.search(text))
    words = _PREVENTING_PREGNANCY.sub(" ", text) if contraception else text
    about: list[str] = []
    if _PREGNANCY.search(words):
        about.append("pregnancy")
    if _BREASTFEEDING.search(words):
        about.append("breastfeeding")
    if contraception and not about:
        return
    stance = read_stance(words)
    if stance is None and about:
        # A list item takes the stance of the sentence that introduces it ("People who should
        # not take it include: • women who are pregnant"), or of its 'Do not use' heading.
        if ctx.lead is not None:
            stance = read_stance(ctx.lead)
        elif topic is Topic.contraindication and _contraindicates(text):
            stance = "must-not"
    if stance is None:
        return
    if not about and topic in (Topic.pregnancy, Topic.breastfeeding):
        if stance not in _STRONG_STANCES:
            return  # "please contact your doctor" under the heading says nothing on pregnancy
        about.append(topic.value)
    for subject in about:
        yield Fact.model_validate(
            {"topic": subject, "stance": stance, "quote": text, "section": section}
        )


# --- mentions: interactions, vaccines, contraindications, indications, age limits -------------


def _strength(text: str) -> Strength:
    return read_strength(text)


def _mention_facts(
    text: str,
    topic: Topic,
    ctx: Context,
    section: str | None,
    mentions: list[Mention],
    finder: MentionFinder,
) -> Iterable[Fact]:
    seen: set[tuple[str, str]] = set()
    own = ctx.own_names
    warns = _in_warnings(text, topic, ctx)
    warn_kind = lead_kind(ctx.warn_lead) if ctx.warn_lead else None
    precautions: dict[str, bool] = {}
    for m in mentions:
        if m.negated or m.family:
            continue
        if m.kind == "vaccine" and m.key == "unknown-vaccine":
            continue  # "if you require vaccinations": no vaccine is named
        if m.kind == "vaccine" and topic in (
            Topic.vaccine,
            Topic.interaction,
            Topic.warning,
            Topic.contraindication,
            Topic.other,
            Topic.infection,
        ):
            key = ("vaccine", m.key)
            if key in seen:
                continue
            seen.add(key)
            yield Fact.model_validate(
                {
                    "topic": "vaccine",
                    "with": m.key,
                    "class": "live-vaccine" if m.live else None,
                    "live": m.live,
                    "strength": _strength(text),
                    "quote": text,
                    "section": section,
                }
            )
        elif m.kind == "medicine" and (
            (forbidden := _forbids_medicine(text, topic, ctx, m))
            or topic is Topic.interaction
            or (warns and person_takes(text, m, warn_kind))
        ):
            # A medicine named in a "Do not use" statement ('if you are taking other medicines
            # to prevent blood clotting (e.g. warfarin …)') must not be combined; one named
            # under "Other medicines" has the strength its sentence states.
            if m.key.lower() in own or m.text.lower() in own:
                continue
            key = ("interaction", m.key)
            if key in seen:
                continue
            seen.add(key)
            classes = finder.classes_of(m.key) or _phrase_classes(m.text, finder)
            yield Fact.model_validate(
                {
                    "topic": "interaction",
                    "with": m.key,
                    "class": classes[0] if classes else None,
                    "strength": (states_strength(text) or "must-not")
                    if forbidden
                    else _strength(text),
                    "quote": text,
                    "section": section,
                }
            )
        elif m.kind == "condition" and _condition_forbidden(text, topic, ctx, m):
            key = ("contraindication", m.key)
            if key in seen:
                continue
            seen.add(key)
            yield Fact(
                topic="contraindication",
                condition=m.key,
                history=True if m.historical else None,
                quote=text,
                section=section,
            )
        elif (
            m.kind == "condition"
            and warns
            and (history := person_condition(text, m, warn_kind)) is not None
        ):
            # A condition the warnings section asks about: the doctor must hear of it first
            # (one fact per condition; 'a liver problem or a history of liver problems'
            # covers the past too).
            if _TREATS_BEFORE.search(text[max(0, m.start - 60) : m.start]):
                continue
            precautions[m.key] = precautions.get(m.key, False) or history
        elif m.kind == "condition" and topic is Topic.indication:
            key = ("indication", m.key)
            if key in seen or m.hypothetical or m.historical:
                continue
            seen.add(key)
            pop = read_population(text)
            yield Fact(
                topic="indication",
                condition=m.key,
                age_min_years=pop.age_min_years if pop else None,
                age_max_years=pop.age_max_years if pop else None,
                quote=text,
                section=section,
            )
    for condition, past in precautions.items():
        if ("contraindication", condition) in seen:
            continue  # the sentence forbids it: the stronger fact speaks
        yield Fact(
            topic="precaution",
            condition=condition,
            history=True if past else None,
            strength=_strength(text),
            quote=text,
            section=section,
        )
    if warns or (topic is Topic.interaction and _MEDICINE_WORDS.search(text)):
        # Under 'Other medicines' a class phrase names medicines to tell the doctor about
        # ('injectable medicines that depress the immune system, including … biologic
        # therapies'); elsewhere only in a clause about what the person takes.
        anywhere = not warns
        yield from _class_phrase_facts(text, ctx, section, finder, warn_kind, seen, anywhere)
    if topic in (Topic.contraindication, Topic.allergy):
        for allergic in _ALLERGIC_TO.finditer(text):
            target = _allergen(allergic.group(1), finder, ctx.own_key)
            if target and ("allergy", target) not in seen:
                seen.add(("allergy", target))
                yield Fact(
                    topic="contraindication" if topic is Topic.contraindication else "allergy",
                    allergy=target,
                    quote=text,
                    section=section,
                )
    if topic in (Topic.children, Topic.dosing, Topic.warning, Topic.contraindication) and (
        _YOUNG.search(text) and _AGE_LIMIT.search(text)
    ):
        pop = read_population(text)
        if pop is not None and pop.age_max_years is not None and pop.age_min_years is None:
            # A limit stated for some indications ("… under 18 years of age with Crohn's
            # disease", "… for the treatment of heart failure") holds for those only.
            scoped: list[str | None] = list(_limit_indications(text, mentions))
            for indication in scoped or [None]:
                yield Fact(
                    topic="age-limit",
                    age_min_years=pop.age_max_years,
                    population=Population(indication=indication) if indication else None,
                    quote=text,
                    section=section,
                )


# The reason a statement gives ("because it has not been studied", "due to the risk of
# infection") names no indication.
_REASON = re.compile(r"\b(?:because|since|due\s+to|as\s+(?:it|there|the)|owing\s+to)\b", re.I)


# "children and adolescents with <some use> under 18": the words naming the use an age limit
# is stated for, whether or not the condition vocabulary knows them.
_LIMIT_SCOPE = re.compile(
    r"\b(?:children|adolescents|patients|infants|teenagers)\s+with\s+"
    r"([a-z][a-z'’ -]{2,60}?)\s+(?:who\s+are\s+|aged\s+)?(?:under|below|younger\s+than|"
    r"less\s+than|<)\s*\d",
    re.IGNORECASE,
)


def _limit_indications(text: str, mentions: list[Mention]) -> list[str]:
    """The conditions an age-limit statement is for, in order, outside its reason clause.

    A limit scoped to a use the vocabulary does not know keeps that use's own words: read as
    unscoped it would refuse every child the medicine is approved for (a limit for alopecia
    areata blocking a child treated for arthritis)."""
    cut = _REASON.search(text)
    end = cut.start() if cut else len(text)
    out: list[str] = []
    for m in mentions:
        if m.kind == "condition" and m.start < end and not m.negated and m.key not in out:
            out.append(m.key)
    if not out:
        scope = _LIMIT_SCOPE.search(text[:end])
        if scope:
            out.append(" ".join(scope.group(1).lower().split()))
    return out


_MUST_NOT_USE = re.compile(
    r"\b(?:do\s+not|don[’']t|must\s+not|should\s+not|never|will\s+not|cannot|may\s+not)\s+"
    r"(?:\w+\s+){0,2}?"
    r"(?:use|take|give|be\s+(?:given|used|treated)|receive|start)\b|\bcontraindicated\b",
    re.IGNORECASE,
)
# A prohibition that names the medicine it forbids as its object: "Do not give acetylsalicylic
# acid to children for 4 weeks after vaccination", "you must not take ketoconazole".
_PROHIBITS_OBJECT = re.compile(
    r"\b(?:do\s+not|don[’']t|must\s+not|should\s+not|never)\s+(?:\w+\s+){0,1}?"
    r"(?:give|take|use|combine\s+\w+\s+with|receive)\s+(?:\w+\s+){0,2}?$",
    re.IGNORECASE,
)
_IF_PERSON_BEFORE = re.compile(
    r"\bif\s+(?:you|your\s+child|the\s+(?:patient|person|child)|he|she)\s*$", re.IGNORECASE
)
_IF_ITEM = re.compile(
    r"^\W*if\s+(?:you|your\s+(?:child|baby)|the\s+(?:patient|person|child)|he|she)\b",
    re.IGNORECASE,
)
_SUPPOSING = re.compile(
    r"\b(?:think|suspect|believe)\s+(?:you|she|he)\s+(?:may|might)\s+be\b", re.I
)
# An 'if' sentence that goes on to a consequence or an instruction is a warning.
_CONSEQUENCE = re.compile(r"\b(?:may|might|could|will|should|must|can)\b", re.IGNORECASE)
_ADVICE = re.compile(
    r"\b(?:tell|talk\s+to|consult|ask|check\s+with|inform)\s+(?:your|the|a)\s+"
    r"(?:\w+\s+)?(?:doctor|pharmacist|nurse|healthcare)",
    re.IGNORECASE,
)


_CLOSING = re.compile(
    r"\s(?=if\s+you\s+are\s+not\s+sure\b|warnings\s+and\s+precautions\b|"
    r"if\s+any\s+of\s+(?:the\s+above|these)\b)",
    re.IGNORECASE,
)
_PARENTHESIS = re.compile(r"\([^()]*\)")
_RELATIVE_MODAL = re.compile(
    r"\b(?:that|which|who)\s+(?:may|might|could|can|will)\b", re.IGNORECASE
)


def _contraindicates(text: str) -> bool:
    """A condition under 'Do not use' is a contraindication only where the statement says so:
    a list item opening with 'if you ...' (the heading's own clause), or words forbidding use.
    'Tell your doctor if ...' under the same heading is a warning, not a contraindication."""
    if _MUST_NOT_USE.search(text):
        return True
    # The section's closing advice run into the last item ("… problems If you are not sure,
    # talk to your doctor") is not the item's own words.
    text = _CLOSING.split(text, maxsplit=1)[0]
    own_words = _SUPPOSING.sub(" ", text)  # "if you think you may be pregnant" is no consequence
    own_words = _PARENTHESIS.sub(" ", own_words)  # "(your doctor will advise you)" neither
    own_words = _RELATIVE_MODAL.sub(" ", own_words)  # "… treatments that can weaken …" neither
    return (
        bool(_IF_ITEM.search(text))
        and not _ADVICE.search(text)
        and not _CONSEQUENCE.search(own_words)
    )


# A prohibition of this medicine that goes on to the person's state: "This medicine should not
# be used if you have type 1 diabetes", "The use of X is not recommended if you have severe
# heart failure". Outside the 'Do not use' section such a sentence is a contraindication too.
_FORBIDDEN_IF = re.compile(
    r"\b(?:(?:must|should|shall)\s+not|do\s+not|don[’']t|never)\s+(?:\w+\s+){0,3}?"
    r"(?:use[ds]?|take|taken|be\s+(?:used|given|taken|started)|receive|give|start)\b[^.;]{0,40}?"
    r"\bif\s+(?:you|your\s+child|the\s+patient|the\s+person)\b"
    r"|\bnot\s+recommended\b[^.;]{0,30}?\bif\s+(?:you|your\s+child|the\s+patient)\b",
    re.IGNORECASE,
)
# A list item ('you have heart failure that is moderate or severe') under a lead that forbids
# ("You should not be given Remicade if:") states the person's state without 'if'.
_STATE_ITEM = re.compile(
    r"^\W*(?:you|your\s+child|the\s+(?:person|patient|child)(?:\s+to\s+be\s+vaccinated)?)\s+"
    r"(?:have|has|had|are|is|suffer|suffers|were|was)\b",
    re.IGNORECASE,
)


def _lead_forbids(ctx: Context) -> bool:
    return ctx.lead is not None and bool(_MUST_NOT_USE.search(ctx.lead))


# "nefazodone (medicine to treat depression)": a condition named as what another medicine
# is for is no condition of the person's.
_TREATS_BEFORE = re.compile(
    r"\b(?:to\s+treat|used\s+(?:to\s+treat|for|in)|for\s+(?:the\s+)?treat(?:ment|ing)\s+"
    r"(?:of\s+)?|treatment\s+of|medicines?\s+for|drugs?\s+for)\s+(?:\w+\s+){0,3}$",
    re.IGNORECASE,
)


def _condition_forbidden(text: str, topic: Topic, ctx: Context, m: Mention) -> bool:
    """A condition the statement names as a reason not to use the medicine."""
    if _TREATS_BEFORE.search(text[max(0, m.start - 60) : m.start]):
        return False
    if topic is Topic.contraindication:
        if (m.hypothetical or m.historical or _IF_ITEM.search(text)) and _contraindicates(text):
            return True  # every condition of an 'if you …' item is in the item's 'if'
        if _contraindicates(text) and _lead_forbids(ctx) and not m.negated:
            return True
        # An item under a forbidding lead states the person's state without 'if'.
        return (
            _lead_forbids(ctx)
            and bool(_STATE_ITEM.search(text) or re.match(r"\W*if\b", text, re.I))
            and not _ADVICE.search(text)
        )
    if topic in _NO_STANCE_TOPICS:
        return False
    at = _FORBIDDEN_IF.search(text)
    return at is not None and m.start >= at.start() and not m.historical


def _forbids_medicine(text: str, topic: Topic, ctx: Context, m: Mention) -> bool:
    """The sentence forbids taking the medicine it names: a 'Do not use' statement about it,
    or a prohibition before it outside the 'Other medicines' section."""
    if m.historical:
        return False
    if topic is Topic.contraindication and _forbids_with(text, ctx, m):
        return True
    before = text[: m.start]
    at = _PROHIBITS_OBJECT.search(before)
    return (
        topic not in _NO_STANCE_TOPICS
        and topic is not Topic.interaction
        and at is not None
        # 'if you do not take calcium supplements' is a condition, not a prohibition
        and not _IF_PERSON_BEFORE.search(before[: at.start()])
    )


def _forbids_with(text: str, ctx: Context, m: Mention) -> bool:
    """A medicine named in a 'Do not use' statement is one not to combine: the statement
    forbids in its own words or is an 'if you are taking …' item, or it is an item of a lead
    that forbids ("Do not take X with any of the following:"). A heading alone does not do:
    a leaflet's 'Other medicines' list is often filed under the 'Do not take' heading before
    it. A medicine inside an 'allergic to …' phrase is an allergy, not a combination."""
    for allergic in _ALLERGIC_TO.finditer(text):
        if allergic.start() <= m.start < allergic.end():
            return False
    if _ADVICE.search(text) and not _MUST_NOT_USE.search(text):
        return False
    return _contraindicates(text) or _lead_forbids(ctx)


def _allergen(phrase: str, finder: MentionFinder, own_key: str | None) -> str | None:
    """What an 'allergic to ...' phrase names: a medicine key, else its own first words;
    "it" / "this medicine" is the document's own medicine when that is known."""
    words = re.split(r"\s+(?:or|and)\s+(?:to\s+)?(?:any|one)\b|,", phrase, maxsplit=1)[0]
    words = " ".join(words.split()[:8]).strip(" .")
    if not words:
        return None
    if _PRONOUN.match(words):
        return own_key
    found = [m for m in finder.find(words) if m.kind == "medicine"]
    if found:
        return found[0].key
    return words.lower()


_MEDICINE_WORDS = re.compile(
    r"\b(?:medicines?|medications?|treatments?|therapy|therapies|drugs?|taking|using)\b",
    re.IGNORECASE,
)


def _in_warnings(text: str, topic: Topic, ctx: Context) -> bool:
    """The statement stands in a warnings section ("Warnings and precautions", "Take special
    care", an SPL's warnings), whatever its own words refine its topic to ('… tuberculosis'
    under the warnings heading is still a warning), or it is advice ('Tell your doctor if …')
    under 'Do not use' that does not forbid."""
    heading = path_topic(ctx.path)
    if heading is Topic.warning or (heading is None and ctx.structural is Topic.warning):
        return True
    if topic is Topic.contraindication or heading is Topic.contraindication:
        return bool(_ADVICE.search(text)) and not _MUST_NOT_USE.search(text)
    return False


def _class_phrase_facts(
    text: str,
    ctx: Context,
    section: str | None,
    finder: MentionFinder,
    warn_kind: LeadKind | None,
    seen: set[tuple[str, str]],
    anywhere: bool = False,
) -> Iterable[Fact]:
    """Medicines a warnings sentence names only by their class ("Tell your doctor if you are
    taking medicines that weaken the immune system"): one interaction fact per class of the
    vocabulary whose phrase stands in a clause about medicines the person takes."""
    for class_id, pattern in finder.class_phrases():
        at = pattern.search(text)
        if at is None or ("interaction", class_id) in seen:
            continue
        if _inside_allergy(text, at.start()) or not (
            anywhere or takes_at(text, at.start(), warn_kind)
        ):
            continue
        seen.add(("interaction", class_id))
        yield Fact.model_validate(
            {
                "topic": "interaction",
                "class": class_id,
                "strength": _strength(text),
                "quote": text,
                "section": section,
            }
        )


def _inside_allergy(text: str, at: int) -> bool:
    return any(a.start() <= at < a.end() for a in _ALLERGIC_TO.finditer(text))


def _phrase_classes(words: str, finder: MentionFinder) -> list[str]:
    """The class a name stands for when it is a class word ('diuretics', 'glucocorticoids'
    learned as a name): the vocabulary classes whose phrase it is."""
    return [cid for cid, pattern in finder.class_phrases() if pattern.fullmatch(words.strip())]
