"""Therapeutic duplication: two medicines that do the same job, whatever the documents say.

No leaflet lists every member of its own class as a clash (anakinra's leaflet names TNF
blockers, not canakinumab), yet two interleukin-1 blockers, two TNF blockers or two
anticoagulants together add the same effect and the same risks. So this rule needs no document
naming the pair: two substances sharing a vocabulary class marked `duplication`, or the same
WHO ATC 4th level (the chemical/therapeutic subgroup, e.g. L04AB), raise a high alert with
`basis: "class"`, citing the class memberships of both.

ATC 4th-level groups whose code ends in "X" are the index's "other …" groups (L04AX: other
immunosuppressants holds methotrexate and azathioprine): they share no mechanism, so they do
not count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from druginfo.engine import memo
from druginfo.engine.build import make
from druginfo.engine.citations import Evidence, external
from druginfo.model import Alert, Monograph, Profile
from druginfo.vocab.base import NameMatch, Vocabulary

DUPLICATION_TRIGGER = "therapeutic-duplication"
ATC_GROUP_LENGTH = 5  # L04AB: the 4th ATC level


@dataclass(frozen=True)
class _Member:
    """Why a substance belongs to a group: the group, its name and the cited words."""

    group: str
    name: str
    ref: str


@dataclass
class Duplication:
    alerts: list[Alert] = field(default_factory=list)
    evidence: Evidence = field(default_factory=dict)
    med_keys: set[str] = field(default_factory=set)


def _groups(key: str, vocab: Vocabulary, evidence: Evidence) -> dict[str, _Member]:
    """Duplication groups of one substance: flagged vocabulary classes and ATC 4th levels."""
    groups, cited = _groups_of(vocab, key)
    evidence.update(cited)
    return groups


@memo.by_identity()
def _groups_of(vocab: Vocabulary, key: str) -> tuple[dict[str, _Member], Evidence]:
    """`_groups` of one substance and the evidence it cites, once per vocabulary (the
    vocabulary is a new object whenever the store changes). Callers must not change them."""
    evidence: Evidence = {}
    out: dict[str, _Member] = {}
    class_def = getattr(vocab, "class_def", None)
    for cm in vocab.classes_of(key):
        cdef = class_def(cm.class_id) if class_def is not None else None
        if cdef is None or not cdef.duplication:
            continue
        ref, src = external(cm.source, cm.quote, "interaction", "class")
        evidence[ref] = src
        out[f"class:{cm.class_id}"] = _Member(cm.class_id, cm.class_name, ref)
    atc_codes = getattr(vocab, "atc_codes", None)
    for code, name, source in atc_codes(key) if atc_codes is not None else []:
        group = code[:ATC_GROUP_LENGTH]
        if len(code) < ATC_GROUP_LENGTH or group.endswith("X"):
            continue
        ref, src = external(source, f"{code} {name}", "interaction", "class")
        evidence[ref] = src
        out.setdefault(f"atc:{group}", _Member(group, f"ATC group {group}", ref))
    return out, evidence


def _own_keys(mono: Monograph) -> list[str]:
    keys = [mono.key, mono.identity.generic, *mono.identity.substances]
    return list(dict.fromkeys(k.lower() for k in keys if k))


@memo.by_identity(objects=2)
def _own_groups(
    mono: Monograph, vocab: Vocabulary
) -> tuple[list[str], dict[str, _Member], Evidence]:
    """The checked medicine's own keys and duplication groups, with the evidence they cite
    (once per document and vocabulary; callers must not change them)."""
    evidence: Evidence = {}
    own = _own_keys(mono)
    own_groups: dict[str, _Member] = {}
    for key in own:
        for gid, member in _groups(key, vocab, evidence).items():
            own_groups.setdefault(gid, member)
    return own, own_groups, evidence


_LineDuplicate = tuple[NameMatch, str, list[str], dict[str, _Member], Evidence]


@memo.by_identity(objects=2)
def _line_duplicates(mono: Monograph, vocab: Vocabulary, line: str) -> tuple[_LineDuplicate, ...]:
    """The medicines of one medication line that share a duplication group with the checked
    medicine: (match, key, the shared groups with a named class first, their groups, the
    evidence they cite). A pure function of the line, the document and the vocabulary: once
    per line, not per check; callers must not change them."""
    own, own_groups, _ = _own_groups(mono, vocab)
    matches: list[NameMatch] = list(getattr(vocab, "resolve_medications", lambda t: [])(line)) or [
        m for m in [vocab.resolve_medication(line)] if m is not None
    ]
    out: list[_LineDuplicate] = []
    for match in matches:
        key = match.key.lower()
        if key in own:
            continue
        theirs, cited = _groups_of(vocab, key)
        shared = [g for g in own_groups if g in theirs]
        if not shared:
            continue
        # A named class says more than an ATC code: prefer it for the wording.
        shared.sort(key=lambda g: (not g.startswith("class:"), g))
        out.append((match, key, shared, theirs, cited))
    return tuple(out)


def duplication_alerts(
    mono: Monograph,
    profile: Profile,
    vocab: Vocabulary,
    skip_keys: Iterable[str] = (),
) -> Duplication:
    """One high alert per medicine of the list that shares a duplication group with the
    checked medicine. `skip_keys`: medicines another rule already raised an alert for (a
    curated or leaflet rule naming the pair says more than the class does)."""
    result = Duplication()
    _, own_groups, cited = _own_groups(mono, vocab)
    if not own_groups:
        return result
    result.evidence.update(cited)
    skip = {k.lower() for k in skip_keys}
    generic = mono.identity.generic
    seen: set[str] = set()
    for line in profile.medications:
        for match, key, shared, theirs, cited in _line_duplicates(mono, vocab, line):
            if key in skip or key in seen:
                continue
            result.evidence.update(cited)
            seen.add(key)
            group = shared[0]
            what = own_groups[group].name
            refs = list(
                dict.fromkeys(r for g in shared for r in (own_groups[g].ref, theirs[g].ref))
            )
            result.med_keys.add(key)
            result.alerts.append(
                make(
                    Alert,
                    dict(
                        kind="interaction",
                        trigger=DUPLICATION_TRIGGER,
                        severity="high",
                        title=f"Same kind of medicine twice: {generic} and {match.display}",
                        detail=(
                            f"{match.display} and {generic} are both {_article(what)} "
                            f"({_group_words(shared, own_groups)}). Two medicines that do the same "
                            "job add the same effects and the same risks. No document we hold "
                            "names this pair: this alert rests on the drug class alone. Ask the "
                            "prescriber whether both are meant before using them together."
                        ),
                        matched=match.display,
                        sources=refs,
                        basis="class",
                    ),
                )
            )
    return result


def _article(name: str) -> str:
    return f"an {name}" if name[:1].lower() in "aeiou" else f"a {name}"


def _group_words(shared: list[str], members: dict[str, _Member]) -> str:
    parts = []
    for gid in shared:
        m = members[gid]
        parts.append(f"ATC {m.group}" if gid.startswith("atc:") else f"class '{m.group}'")
    return ", ".join(parts)
