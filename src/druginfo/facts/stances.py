"""Stances on pregnancy and breast-feeding, and what to do about a missed dose.

These are read from the words of one statement; the strongest stance it states wins ("do not
use ... and ask your doctor" is must-not, not ask). Nothing is inferred from silence: a
statement with none of the words below yields no stance.
"""

from __future__ import annotations

import re

from druginfo.model.facts import MissedDoseAction, Stance

_NEG_VERB = (
    r"(?:use|take|be\s+(?:given|used|taken|treated)|receive|breast-?\s?feed|breastfeed|nurse"
    r"|become\s+pregnant|get\s+pregnant|(?:keep|continue)\s+(?:to\s+)?(?:use|using|take|taking))"
)
_CARER = r"(?:doctor|pharmacist|nurse|healthcare|health\s+care|midwife|prescriber)"
# A shared decision: "You and your doctor may decide whether you take it or breastfeed".
_SHARED_DECISION = (
    rf"\b(?:you\s+and\s+your|your)\s+(?:\w+\s+)?{_CARER}\w*\s+(?:\w+\s+)?"
    r"(?:will|may|can|should|must|need\s+to)\s+(?:help\s+you\s+)?decide\s+"
    r"(?:together\s+)?(?:whether|if|on\s+whether)\b"
    rf"|\bdecide\s+(?:together\s+)?with\s+your\s+(?:\w+\s+)?{_CARER}"
)
# A wait after the last dose before breast-feeding or pregnancy: no use during either.
_WASHOUT = (
    r"\b(?:last|final)\s+(?:dose|treatment|injection|infusion)\b[^.;]{0,60}?\bmust\s+be\s+"
    r"(?:at\s+least\s+)?\S+\s+(?:days?|weeks?|months?)\s+(?:ago|before|earlier)\b"
    r"|\b(?:must|need\s+to)\s+wait\s+(?:at\s+least\s+)?\S+\s+(?:days?|weeks?|months?)\s+after\s+"
    r"(?:your\s+|the\s+)?(?:last|final)\s+(?:dose|treatment|injection|infusion)\s+before\s+"
    r"(?:you\s+)?(?:start\s+)?(?:breast-?\s?feed\w*|breastfeed\w*|becom\w+\s+pregnant|"
    r"get\w*\s+pregnant|trying\s+for\s+a\s+baby)"
)
# Strongest first.
_STANCE_WORDS: tuple[tuple[Stance, str], ...] = (
    (
        "must-not",
        rf"\b(?:must\s+not|do\s+not|don[’']t|should\s+not|shouldn[’']t|never|cannot|can\s*not"
        rf"|may\s+not)\s+(?:\w+\s+){{0,2}}?{_NEG_VERB}\b|\bcontraindicated\b"
        r"|\bnot\s+(?:be\s+)?(?:used|given|taken)\s+(?:during|in|while|by)\b"
        r"|\bmust\s+stop\s+breast-?\s?feed\w*|" + _WASHOUT,
    ),
    (
        "not-recommended",
        r"\bnot\s+recommended\b|\b(?:should\s+be\s+|is\s+best\s+|best\s+)?avoided\b"
        r"|\bavoid\s+(?:using|taking|breast-?\s?feeding|breastfeeding|becoming\s+pregnant)\b"
        r"|\bshould\s+(?:stop|discontinue)\b|\bdecision\s+(?:must|should)\s+be\s+made\b",
    ),
    (
        "if-clearly-needed",
        r"\bonly\s+if\s+(?:it\s+is\s+|clearly\s+|absolutely\s+)?(?:clearly\s+)?"
        r"(?:needed|necessary|essential)\b|\bonly\s+if\s+(?:the\s+)?(?:potential\s+)?"
        r"benefits?\b|\bunless\s+(?:clearly|absolutely)\s+(?:needed|necessary)\b"
        r"|\bif\s+(?:the\s+)?(?:potential\s+)?benefits?\s+(?:to\s+\w+\s+)?(?:outweighs?|"
        r"justif(?:y|ies))\b|\bonly\s+(?:if|when)\s+your\s+doctor\b"
        r"|\bonly\b[^.;]{0,40}\bif\s+(?:it\s+is\s+)?(?:clearly\s+|absolutely\s+|really\s+)?"
        r"(?:needed|necessary|essential)\b",
    ),
    (
        "can-use",
        r"\b(?:can|may)\s+(?:safely\s+|usually\s+|still\s+)?(?:be\s+(?:used|taken|given)|use|"
        r"take|(?:continue|keep)\s+(?:to\s+)?(?:use|using|take|taking|breast-?\s?feed\w*|"
        r"breastfeed\w*)|"
        r"breast-?\s?feed|breastfeed)\b(?!\s+(?:only|up\s+to|several|some|about|a\s+few|"
        r"a\s+long|weeks|months|longer))|\bis\s+(?:considered\s+)?safe\b"
        r"|\bcompatible\s+with\s+breast|\bno\s+effects?\s+(?:on|in)\s+the\s+"
        r"(?:breast-?fed|nursing)\b|\bno\s+(?:known\s+)?(?:harm|risk)\b",
    ),
    (
        "ask",
        r"\b(?:ask|talk\s+(?:to|with)|tell|consult|check\s+with|speak\s+(?:to|with)|"
        r"discuss\s+(?:it\s+)?with|contact|call)\s+(?:your|a|the)\s+(?:\w+\s+)?"
        + _CARER
        + "|"
        + _SHARED_DECISION,
    ),
)
STANCE_PATTERNS: tuple[tuple[Stance, re.Pattern[str]], ...] = tuple(
    (stance, re.compile(pattern, re.IGNORECASE)) for stance, pattern in _STANCE_WORDS
)


# What is not known is no advice: "It is not known whether X can be used during breast-feeding"
# says nothing either way. The clause runs to the next stop, semicolon or comma.
_UNKNOWN = re.compile(
    r"\b(?:not\s+(?:yet\s+)?known|isn[’']t\s+(?:yet\s+)?known|unknown|unclear|not\s+clear|"
    r"not\s+certain|no\s+one\s+knows)\s+(?:whether|if)\b[^.;,]*",
    re.IGNORECASE,
)


def read_stance(text: str) -> Stance | None:
    """The strongest stance a statement takes, or None when it takes none."""
    own = _UNKNOWN.sub(" ", text)
    for stance, pattern in STANCE_PATTERNS:
        if pattern.search(own):
            return stance
    return None


_ACTION_WORDS: tuple[tuple[MissedDoseAction, str], ...] = (
    (
        "as-soon-as-remembered",
        r"\bas\s+soon\s+as\s+(?:you\s+)?(?:remember|possible|you\s+can)\b"
        r"|\bwhen\s+you\s+remember\b|\bon\s+the\s+day\s+you\s+remember\b",
    ),
    (
        "skip",
        r"\bskip\s+(?:it|that\s+one|(?:the|that|this|your)\s+(?:missed\s+|forgotten\s+)?"
        r"(?:dose|injection|tablet|pill|capsule)s?)\b"
        r"|\b(?:do\s+not|don[’']t)\s+(?:take|use|inject|give|make\s+up(?:\s+for)?)\s+"
        r"(?:the|that|your)\s+(?:missed|forgotten)\b"
        r"|\bleave\s+out\s+the\s+missed\b|\bwait\s+(?:until|for)\s+(?:your|the)\s+next\b"
        r"|\b(?:take|use|inject)\s+(?:your|the)\s+next\s+dose\s+at\s+the\s+(?:usual|normal|"
        r"regular)\s+time\b|\bjust\s+(?:take|use)\s+(?:the|your)\s+next\b",
    ),
    (
        "ask-prescriber",
        r"\b(?:ask|talk\s+to|tell|consult|contact|call|check\s+with|speak\s+to)\s+"
        r"(?:your|a|the)\s+(?:\w+\s+)?(?:doctor|pharmacist|nurse|healthcare|health\s+care|"
        r"prescriber)",
    ),
)
_MISSED_ACTIONS: tuple[tuple[MissedDoseAction, re.Pattern[str]], ...] = tuple(
    (action, re.compile(pattern, re.IGNORECASE)) for action, pattern in _ACTION_WORDS
)
_NO_DOUBLE = re.compile(
    r"\b(?:do\s+not|don[’']t|never|should\s+not|must\s+not)\s+(?:\w+\s+){0,3}?"
    r"(?:double|two\s+doses|2\s+doses|extra\s+(?:dose|doses|injection))\b"
    r"|\bdouble\s+(?:dose|doses)\s+(?:is|are)\s+not\b|\bnot\s+(?:take|use|inject)\s+"
    r"(?:a\s+)?double\b|\binstead\s+of\s+the\s+missed\b.*\bnot\b",
    re.IGNORECASE,
)
_NEAR_NEXT = re.compile(
    r"\b(?:almost|nearly|close\s+to)\s+(?:time\s+for|the\s+time\s+of)\s+(?:your|the)\s+next\b"
    r"|\bless\s+than\s+\w+\s+hours?\s+(?:before|until)\s+(?:your|the)\s+next\b"
    r"|\bif\s+(?:your\s+)?next\s+(?:dose|injection)\s+is\s+(?:due\s+)?(?:soon|within)\b",
    re.IGNORECASE,
)
# "... as soon as you remember, unless it is almost time for your next dose": the exception
# itself says to leave the dose out when the next is near.
_UNLESS_NEAR = re.compile(r"\bunless\s+(?:it\s+is\s+|it[’']s\s+)?$", re.IGNORECASE)
# "Do not skip doses", "never skip it": a skip the text forbids is no skip.
_NEGATED_BEFORE = re.compile(r"\b(?:not|never|n[’']t|no)\s+(?:\w+\s+)?$", re.IGNORECASE)


# "If you have any further questions on the use of this medicine, ask your doctor" closes
# every leaflet section: it is no missed-dose action.
_ANY_QUESTIONS = re.compile(r"\bany\s+(?:further\s+|more\s+|other\s+)?questions\b", re.I)


def read_missed_dose(text: str) -> tuple[MissedDoseAction | None, bool, bool]:
    """(first action the text names, whether it forbids doubling, whether it says to skip
    when the next dose is near)."""
    first: tuple[int, MissedDoseAction] | None = None
    skip = False
    for action, pattern in _MISSED_ACTIONS:
        if action == "ask-prescriber" and _ANY_QUESTIONS.search(text):
            continue
        for m in pattern.finditer(text):
            if action != "ask-prescriber" and _NEGATED_BEFORE.search(text[: m.start()][-20:]):
                continue
            skip = skip or action == "skip"
            if first is None or m.start() < first[0]:
                first = (m.start(), action)
            break
    near_at = _NEAR_NEXT.search(text)
    near = near_at is not None and (
        skip or bool(_UNLESS_NEAR.search(text[: near_at.start()][-20:]))
    )
    return (first[1] if first else None, bool(_NO_DOUBLE.search(text)), near)
