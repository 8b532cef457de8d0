"""Which conditions and medicines a warnings sentence asks about the person.

"Do not use" sentences say who must not use a medicine; the warnings section says, far more
often, whom the doctor must hear about first ("Talk to your doctor before using X if you: •
have, or have previously had, tuberculosis", "Tell your doctor if you are taking any of the
following medicines: …"). A mention is the person's own state or medicine only inside a clause
that says so: the last clause opener before it decides (a state, a medicine taken, or an event
that may come later such as "if you get symptoms … of tuberculosis"), and a clause end or a
blocker ("signs of", "risk of", "medicines for") between the two ends its reach. A list item
takes its kind from its own first words, or from the lead it stands under. The wording is data
(data/facts/precautions.yaml).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Literal

import yaml

from druginfo.facts.mentions import Mention

Kind = Literal["state", "event", "taking"]
# What a lead introduces: items with their own verb ('if you:' → '• have heart problems'),
# bare nouns ('if you have any of the following:' → '• heart problems'), or medicines.
LeadKind = Literal["state", "state-nouns", "taking"]


@dataclass(frozen=True)
class _Rules:
    openers: tuple[tuple[Kind, re.Pattern[str]], ...]
    item_state: re.Pattern[str]
    item_taking: re.Pattern[str]
    item_event: re.Pattern[str]
    lead_state: re.Pattern[str]
    lead_taking: re.Pattern[str]
    lead_not: re.Pattern[str]
    clause_end: re.Pattern[str]
    blockers: re.Pattern[str]
    historical: re.Pattern[str]
    companion: re.Pattern[str]
    finite_verb: re.Pattern[str]
    lead_nouns: re.Pattern[str]


def _alternation(patterns: Sequence[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in patterns) + r")", re.IGNORECASE)


@functools.cache
def rules() -> _Rules:
    text = (
        resources.files("druginfo")
        .joinpath("data", "facts", "precautions.yaml")
        .read_text(encoding="utf-8")
    )
    raw = yaml.safe_load(text)
    kinds: tuple[Kind, ...] = ("state", "event", "taking")
    return _Rules(
        openers=tuple((k, _alternation(raw[k])) for k in kinds),
        item_state=re.compile(raw["item_state"], re.IGNORECASE),
        item_taking=re.compile(raw["item_taking"], re.IGNORECASE),
        item_event=re.compile(raw["item_event"], re.IGNORECASE),
        lead_state=re.compile(raw["lead_state"], re.IGNORECASE),
        lead_taking=re.compile(raw["lead_taking"], re.IGNORECASE),
        lead_not=re.compile(raw["lead_not"], re.IGNORECASE),
        clause_end=re.compile(raw["clause_end"], re.IGNORECASE),
        blockers=re.compile(raw["blockers"], re.IGNORECASE),
        historical=re.compile(raw["historical"], re.IGNORECASE),
        companion=re.compile(raw["companion"], re.IGNORECASE),
        finite_verb=re.compile(raw["finite_verb"], re.IGNORECASE),
        lead_nouns=re.compile(raw["lead_nouns"], re.IGNORECASE),
    )


def lead_kind(lead: str) -> LeadKind | None:
    """What a list's lead sentence (ending in ':') introduces: the person's states, the
    medicines they take, or neither (side effects to look for, the contents of a pack)."""
    r = rules()
    text = lead.strip()
    if _OPEN_IF.search(text):
        text = text + ":"  # "… you should tell your doctor if" runs on into its items
    if not text.endswith(":"):
        return None
    if r.lead_taking.search(text):
        return "taking"
    if r.lead_state.search(text) and not r.lead_not.search(_after_if(text)):
        return "state-nouns" if r.lead_nouns.search(text) else "state"
    return None


# A lead written without its colon: the sentence stops on its 'if' and the items complete it.
_OPEN_IF = re.compile(r"\b(?:if|when)(?:\s+(?:you|your\s+child))?\s*$", re.IGNORECASE)


def is_lead(text: str) -> bool:
    """The statement introduces a list: it ends in ':' or stops on its 'if'."""
    stripped = text.strip()
    return stripped.endswith(":") or bool(_OPEN_IF.search(stripped))


def ends_list(lead: str) -> bool:
    """A lead that is no sub-lead of a warnings list: a sentence with its own subject and
    verb ('If you notice any of the following side effects, tell …:'), not a noun phrase
    ('an increased risk of bleeding, such as:')."""
    r = rules()
    return bool(r.lead_not.search(lead) or r.finite_verb.search(lead))


def _after_if(lead: str) -> str:
    """The words of a lead after its 'if' (what the list is about)."""
    at = re.search(r"\bif\b", lead, re.IGNORECASE)
    return lead[at.end() :] if at else lead


@dataclass(frozen=True)
class _Scope:
    kind: Kind | None
    start: int  # where the clause holding the mention starts


@functools.lru_cache(maxsize=32768)
def _openers(text: str) -> tuple[tuple[int, int, Kind], ...]:
    found: list[tuple[int, int, Kind]] = []
    for kind, pattern in rules().openers:
        found.extend((m.start(), m.end(), kind) for m in pattern.finditer(text))
    # An opener inside a longer one is part of it: 'to check if you have' is a check, not a
    # state, so the one that starts first (the longer at a tie) stands.
    kept: list[tuple[int, int, Kind]] = []
    for o in sorted(found, key=lambda o: (o[0], -o[1])):
        if kept and o[0] < kept[-1][1]:
            continue
        kept.append(o)
    return tuple(kept)


def _scope(text: str, at: int, lead: LeadKind | None, *, blocked: bool = True) -> _Scope:
    """The kind of clause a mention at `at` stands in: the last opener before it whose reach
    is not ended by a clause end or a blocker; else the list item's own first words, or the
    lead's kind for a bare item ('• warfarin' under '… taking any of these medicines:')."""
    r = rules()
    before = [o for o in _openers(text) if o[1] <= at]
    if before:
        start, end, kind = before[-1]
        between = text[end:at]
        if not r.clause_end.search(between):
            if blocked and r.blockers.search(between):
                return _Scope(None, start)
            return _Scope(kind, _clause_start(text, start))
        return _Scope(None, start)
    if lead is None:
        return _Scope(None, 0)
    head = text[:at]
    if r.clause_end.search(head) or (blocked and r.blockers.search(head)):
        return _Scope(None, 0)
    if r.item_event.match(text):
        return _Scope(None, 0)
    if r.item_taking.match(text):
        return _Scope("taking", 0)
    if r.item_state.match(text):
        return _Scope("state", 0)
    if lead == "taking" or (lead == "state-nouns" and not _sentence(head)):
        # A bare item ('• heart problems' under '… if you have any of the following:',
        # '• warfarin' under '… taking any of these medicines:'): the lead says what it is.
        return _Scope("taking" if lead == "taking" else "state", 0)
    return _Scope(None, 0)


def _sentence(head: str) -> bool:
    """Words before a mention with a verb of their own ("Olumiant can reduce … infections")
    or many of them make a sentence between a list's items, not a bare item."""
    return len(head.split()) > 12 or bool(rules().finite_verb.search(head))


def _clause_start(text: str, opener: int) -> int:
    """Start of the clause an opener continues ('have, or have previously had, tuberculosis'
    starts at the first 'have'): the last clause end before it."""
    last = 0
    for m in rules().clause_end.finditer(text, 0, opener):
        last = m.end()
    return last


def person_condition(text: str, m: Mention, lead: LeadKind | None) -> bool | None:
    """None when the mention is no state of the person's; else whether the sentence covers a
    past episode too ('have or have had', 'a history of')."""
    if m.kind != "condition" or m.negated or m.family:
        return None
    scope = _scope(text, m.start, lead)
    if scope.kind != "state":
        return None
    words = text[scope.start : m.start]
    return bool(m.historical or rules().historical.search(words))


def person_takes(text: str, m: Mention, lead: LeadKind | None) -> bool:
    """The medicine is named as one the person takes or has taken."""
    if m.kind != "medicine" or m.negated or m.family:
        return False
    return _scope(text, m.start, lead, blocked=False).kind == "taking"


def takes_at(text: str, at: int, lead: LeadKind | None) -> bool:
    """Words at `at` (a class phrase) stand in a clause about medicines the person takes."""
    return _scope(text, at, lead, blocked=False).kind == "taking"


def names_companion(text: str) -> re.Match[str] | None:
    """Where a sentence says the medicine is used together with another."""
    return rules().companion.search(text)
