"""Reconciliation over fact sets: align facts across documents and say where they stand.

For every aligned fact the sources that state it are compared pairwise. Two sources agree on
a fact when some statement of one agrees with some statement of the other (a page may give a
dose in two places); they disagree when none does. A disagreement is
- an **error** when it contradicts reference data: a page's dose or interval outside what the
  official leaflet or label gives, or a brand name the vocabulary ties to another substance;
- **new-stale** when the same publisher's newer document changed the value, or when only
  documents newer than every dated document that covers the topic state it (a new indication);
- a **conflict** otherwise, quoting both sides.
A fact stated by one source only is "only one source". Findings keep every fact, quote and
date they rest on; nothing is merged into one answer.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from druginfo.model import Monograph
from druginfo.model.facts import Fact, FactSet
from druginfo.reconcile.align import ConditionNames, Key, key_of, subject
from druginfo.reconcile.compare import (
    Comparison,
    checks,
    confidence,
    describe,
    judge_sources,
    strongest,
)
from druginfo.reconcile.documents import SourceDocs, group_sources, publisher_key, values_key
from druginfo.reconcile.model import (
    STATUSES,
    Difference,
    Finding,
    FindingFact,
    ReconcileReport,
    Status,
)
from druginfo.reconcile.notes import editor_notes, link_notes
from druginfo.reconcile.reference import Resolve, brand_mismatches

# Topics where a fact's absence from a document that covers the topic means something
# (an indication the older page does not list); for the others silence is just silence.
PRESENCE_TOPICS = frozenset(
    {"indication", "contraindication", "interaction", "vaccine", "allergy", "age-limit"}
)
# Topics whose values an official leaflet or label fixes: a page outside them is an error.
LABEL_FIXED_TOPICS = frozenset({"dose", "kidney"})
TOPIC_ORDER = (
    "dose",
    "kidney",
    "storage",
    "room-temperature",
    "missed-dose",
    "pregnancy",
    "breastfeeding",
    "indication",
    "interaction",
    "vaccine",
    "contraindication",
    "allergy",
    "age-limit",
)


@dataclass(frozen=True)
class Entry:
    src: SourceDocs
    fact: Fact
    key: Key
    stated: bool = True  # False: a dose naming no indication, aligned to the one that fits


def reconcile_facts(
    drug: str,
    fact_sets: Sequence[FactSet],
    *,
    today: dt.date | None = None,
    resolve: Resolve | None = None,
    curated: Iterable[Monograph] = (),
    class_lookup: dict[str, list[str]] | None = None,
    unread: Iterable[str] = (),
) -> ReconcileReport:
    """The report for one medicine.

    `resolve` (a vocabulary's name lookup) enables the brand check; `class_lookup` maps a
    substance to its class ids so that "etanercept" lines up with "TNF-alpha inhibitors";
    `curated` monographs give condition synonyms and the editor notes."""
    as_of = today or dt.date.today()
    curated = list(curated)
    sources = group_sources(list(fact_sets), as_of)
    names = ConditionNames(
        {i.name: i.synonyms for m in curated for i in m.indications}
        | {i.id.replace("-", " "): [i.name] for m in curated for i in m.indications}
    )
    for s in sources:
        for f in s.facts:
            # abbreviations are defined where conditions are named
            if f.topic in ("indication", "dose", "kidney", "contraindication"):
                names.learn(f.quote)

    entries = _entries(sources, names, class_lookup or {})
    groups: dict[Key, list[Entry]] = {}
    for e in entries:
        groups.setdefault(e.key, []).append(e)
    groups = _align_unstated_doses(groups)

    covering: dict[str, set[str]] = {}
    for e in entries:
        covering.setdefault(e.fact.topic, set()).add(e.src.source.id)
    by_id = {s.source.id: s for s in sources}

    findings = [_finding(key, group, covering, by_id) for key, group in groups.items()]
    if resolve is not None:
        findings += _brand_findings(sources, resolve)
    findings.sort(key=_order)

    notes = editor_notes(curated, sources)
    link_notes(notes, findings)
    return ReconcileReport(
        drug=drug,
        as_of=as_of,
        sources=[s.source for s in sources],
        findings=findings,
        notes=notes,
        unread=list(unread),
    )


def _entries(
    sources: list[SourceDocs], names: ConditionNames, class_lookup: dict[str, list[str]]
) -> list[Entry]:
    raw = [(s, f, key_of(f, names)) for s in sources for f in s.facts]
    # A named partner lines up with its class when another document speaks of the class.
    present_classes = {
        f.class_ for _, f, _ in raw if f.topic in ("interaction", "vaccine") and f.class_
    }
    out: list[Entry] = []
    for s, f, key in raw:
        if f.topic in ("interaction", "vaccine") and not f.class_ and f.with_:
            shared = [c for c in class_lookup.get(f.with_.casefold(), []) if c in present_classes]
            if shared:
                key = Key(key.topic, (shared[0],))
        out.append(Entry(s, f, key))
    return out


def _align_unstated_doses(groups: dict[Key, list[Entry]]) -> dict[Key, list[Entry]]:
    """A dose that names no indication joins the doses of the same band, phase and basis for
    the indications its own document lists (Healthline's "100 mg per day" under a page about
    rheumatoid arthritis and NOMID joins the rheumatoid arthritis dose); when its document
    lists none of them, it joins the only candidate if there is one. Otherwise it stays on
    its own, never guessed."""
    named: dict[str, set[str]] = {}
    for key, group in groups.items():
        if key.topic == "indication":
            for e in group:
                named.setdefault(e.src.source.id, set()).add(key.parts[0])
    out = {k: list(v) for k, v in groups.items()}
    for key, group in groups.items():
        if key.topic not in ("dose", "kidney") or key.parts[0]:
            continue
        siblings = [
            k
            for k in groups
            if k.topic == key.topic and k.parts[0] and k.parts[1:] == key.parts[1:]
        ]
        if not siblings:
            continue
        stay: list[Entry] = []
        for e in group:
            own = named.get(e.src.source.id, set())
            targets = [k for k in siblings if k.parts[0] in own]
            if not targets and len(siblings) == 1:
                targets = siblings
            if not targets:
                stay.append(e)
            for t in targets:
                out[t].append(Entry(e.src, e.fact, t, stated=False))
        if stay:
            out[key] = stay
        else:
            del out[key]
    return out


def _fact_views(per_source: dict[str, list[Entry]], ids: list[str]) -> list[FindingFact]:
    """Each source's statements, one per distinct value (the first words that say it; how
    many more times the document says the same is counted, not dropped)."""
    out: list[FindingFact] = []
    for sid in ids:
        first: dict[object, FindingFact] = {}
        for e in per_source[sid]:
            k = (values_key(e.fact), e.stated)
            if k in first:
                first[k].repeats += 1
                continue
            view = _fact_view(e)
            first[k] = view
            out.append(view)
    return out


def _fact_view(e: Entry) -> FindingFact:
    f = e.fact
    # built from validated facts: no second validation
    return FindingFact.model_construct(
        source=e.src.source.id,
        date=e.src.source.date,
        value=describe(f),
        quote=f.quote,
        section=f.section,
        claim=f.claim,
        population_stated=e.stated,
        fact=f.as_contract(),
    )


def _label(s: SourceDocs) -> str:
    brands = f" {'/'.join(s.source.brands)}" if s.source.kind in ("label", "leaflet") else ""
    date = s.source.date.isoformat() if s.source.date else "no date"
    return f"{s.source.publisher}{brands} ({date})"


def _pair(fa: list[Fact], fb: list[Fact]) -> Comparison:
    """Two sources' statements on one thing, judged value by value (compare.judge_sources)."""
    return judge_sources([checks(x, y) for x in fa for y in fb])


def _distinct(facts: list[Fact]) -> list[Fact]:
    """One fact per distinct value: a leaflet saying '40 mg every other week' ten times is
    compared once."""
    out: dict[object, Fact] = {}
    for f in facts:
        out.setdefault(values_key(f), f)
    return list(out.values())


def _same_line(a: SourceDocs, b: SourceDocs) -> bool:
    """Two versions of one publisher's document about one product."""
    return (
        publisher_key(a.source.publisher) == publisher_key(b.source.publisher)
        and {x.casefold() for x in a.source.brands} == {x.casefold() for x in b.source.brands}
        and a.source.date is not None
        and b.source.date is not None
        and a.source.date != b.source.date
    )


def _finding(
    key: Key, group: list[Entry], covering: dict[str, set[str]], by_id: dict[str, SourceDocs]
) -> Finding:
    per_source: dict[str, list[Entry]] = {}
    for e in group:
        per_source.setdefault(e.src.source.id, []).append(e)
    ids = sorted(per_source, key=_sid)
    facts = _fact_views(per_source, ids)
    differences: list[Difference] = []
    agree_conf: list[float] = []
    near: list[str] = []
    # on a stance or an interaction each source is held to its most restrictive words; a
    # value said several times is compared once
    held = {sid: _distinct(strongest([e.fact for e in per_source[sid]])) for sid in ids}
    for a, b in itertools.combinations(ids, 2):
        sa, sb = by_id[a], by_id[b]
        result = _pair(held[a], held[b])
        if result.verdict == "agree":
            agree_conf.append(result.confidence)
            if result.near:
                near.append(f"{_label(sa)} vs {_label(sb)}: {result.reason}")
            continue
        differences.append(_difference(key, sa, sb, result))
    unstated = any(not e.stated for e in group)
    machine = any(by_id[i].machine_read for i in ids)
    adjust = (confidence("unstated_population") if unstated else 0.0) + (
        confidence("machine_read") if machine else 0.0
    )
    missing = sorted(covering.get(key.topic, set()) - set(ids), key=_sid)
    finding = Finding(
        id=key.slug,
        topic=key.topic,
        subject=subject(key),
        status="agree",
        summary="",
        confidence=0.0,
        sources=ids,
        missing_from=missing if key.topic in PRESENCE_TOPICS else [],
        facts=facts,
        differences=differences,
    )
    kinds = {d.kind for d in differences}
    if "error" in kinds or "conflict" in kinds:
        wanted: Status = "error" if "error" in kinds else "conflict"
        worst = [d for d in differences if d.kind == wanted]
        finding.status = wanted
        finding.confidence = max(d.confidence for d in worst)
        finding.summary = "; ".join(d.reason for d in worst)
    elif "changed" in kinds:
        changed = [d for d in differences if d.kind == "changed"]
        finding.status = "new-stale"
        finding.confidence = max(d.confidence for d in changed)
        finding.summary = "; ".join(d.reason for d in changed)
        dates = [by_id[s].source.date for d in changed for s in d.sources]
        finding.newer = max(d for d in dates if d)
        finding.older = min(d for d in dates if d)
    else:
        _presence(finding, per_source, by_id, agree_conf, near)
    finding.confidence = round(min(1.0, max(0.05, finding.confidence + adjust)), 2)
    return finding


def _presence(
    finding: Finding,
    per_source: dict[str, list[Entry]],
    by_id: dict[str, SourceDocs],
    agree_conf: list[float],
    near: list[str],
) -> None:
    """Status when no two sources disagree: agree, only one source, or newly added."""
    having = [by_id[i] for i in finding.sources]
    lacking = [by_id[i] for i in finding.missing_from]
    have_dates = [s.source.date for s in having]
    lack_dates = [s.source.date for s in lacking if s.source.date]
    first = per_source[finding.sources[0]]
    value = describe(strongest([e.fact for e in first])[0])
    if (
        lack_dates
        and all(d is not None for d in have_dates)
        and min(d for d in have_dates if d) > max(lack_dates)
    ):
        finding.status = "new-stale"
        finding.newer = min(d for d in have_dates if d)
        finding.older = max(lack_dates)
        finding.confidence = confidence("presence")
        finding.summary = (
            f"stated by the newer {', '.join(_label(s) for s in having)}; "
            f"not in the older {', '.join(_label(s) for s in lacking if s.source.date)}"
        )
        return
    if len(having) == 1:
        finding.status = "only-one-source"
        finding.confidence = confidence("presence") if lacking else 1.0
        finding.summary = f"only {_label(having[0])} states it: {value}"
        return
    finding.status = "agree"
    finding.confidence = min(agree_conf) if agree_conf else confidence("presence")
    finding.summary = f"{len(having)} sources agree: {value}"
    if near:
        finding.summary += " (strength differs: " + "; ".join(near) + ")"


def _difference(key: Key, sa: SourceDocs, sb: SourceDocs, result: Comparison) -> Difference:
    label_a, label_b = _label(sa), _label(sb)
    if key.topic in LABEL_FIXED_TOPICS and sa.reference != sb.reference:
        page, label = (sb, sa) if sa.reference else (sa, sb)
        return Difference(
            kind="error",
            sources=[page.source.id, label.source.id],
            reason=(
                f"{_label(page)} is outside the official {label.source.kind} "
                f"{_label(label)}: {_orient(result.reason, page is sb)}"
            ),
            confidence=confidence("against_label"),
        )
    if _same_line(sa, sb):
        new, old = (
            (sa, sb)
            if (sa.source.date or dt.date.min) > (sb.source.date or dt.date.min)
            else (sb, sa)
        )
        return Difference(
            kind="changed",
            sources=[old.source.id, new.source.id],
            reason=f"changed between {_label(old)} and {_label(new)}: "
            f"{_orient(result.reason, old is sb)}",
            confidence=result.confidence,
        )
    return Difference(
        kind="conflict",
        sources=[sa.source.id, sb.source.id],
        reason=f"{label_a} vs {label_b}: {result.reason}",
        confidence=result.confidence,
    )


def _orient(reason: str, swap: bool) -> str:
    """Reasons read 'a vs b'; put them in the order the sentence names the sources."""
    if not swap:
        return reason
    parts = []
    for piece in reason.split("; "):
        if " vs " in piece:
            left, right = piece.split(" vs ", 1)
            # "from age 2 vs 4 years": the unit stays at the end
            parts.append(f"{right} vs {left}" if _units_match(left, right) else piece)
        else:
            parts.append(piece)
    return "; ".join(parts)


def _units_match(left: str, right: str) -> bool:
    return left.split()[-1:] == right.split()[-1:] or not any(c.isdigit() for c in left + right)


def _brand_findings(sources: list[SourceDocs], resolve: Resolve) -> list[Finding]:
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for s in sources:
        for f in s.facts:
            for m in brand_mismatches(f.quote, resolve):
                if (s.source.id, m.written) in seen:
                    continue
                seen.add((s.source.id, m.written))
                reason = (
                    f"{_label(s)} writes {m.written!r}: the vocabulary lists {m.brand} as a brand "
                    f"of {m.actually}, not of {m.said_to_be}"
                )
                out.append(
                    Finding(
                        id=Key("brand", (s.source.id, m.brand, m.said_to_be)).slug,
                        topic=f.topic,
                        subject=f"brand name: {m.brand} set beside {m.said_to_be}",
                        status="error",
                        summary=reason,
                        confidence=confidence("brand"),
                        sources=[s.source.id],
                        facts=[_fact_view(Entry(s, f, Key(f.topic)))],
                        differences=[
                            Difference(
                                kind="error",
                                sources=[s.source.id],
                                reason=reason,
                                confidence=confidence("brand"),
                            )
                        ],
                    )
                )
    return out


def _sid(source_id: str) -> int:
    return int(source_id[1:]) if source_id[1:].isdigit() else 0


def _order(f: Finding) -> tuple[int, int, str]:
    status: Status = f.status
    topic = TOPIC_ORDER.index(f.topic) if f.topic in TOPIC_ORDER else len(TOPIC_ORDER)
    return (STATUSES.index(status), topic, f.id)
