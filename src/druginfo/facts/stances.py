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
    r"|become\s+pregnant|get\s+pregnant)"
)
# Strongest first.
_STANCE_WORDS: tuple[tuple[Stance, str], ...] = (
    (
        "must-not",
        rf"\b(?:must\s+not|do\s+not|don[’']t|should\s+not|shouldn[’']t|never|cannot|can\s*not"
        rf"|may\s+not)\s+(?:\w+\s+){{0,2}}?{_NEG_VERB}\b|\bcontraindicated\b"
        r"|\bnot\s+(?:be\s+)?(?:used|given|taken)\s+(?:during|in|while|by)\b"
        r"|\bmust\s+stop\s+breast-?\s?feed\w*",
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
        r"take|continue\s+(?:to\s+)?(?:use|take|breast-?\s?feed\w*|breastfeed\w*)|"
        r"breast-?\s?feed|breastfeed)\b(?!\s+(?:only|up\s+to|several|some|about|a\s+few|"
        r"a\s+long|weeks|months|longer))|\bis\s+(?:considered\s+)?safe\b"
        r"|\bcompatible\s+with\s+breast|\bno\s+effects?\s+(?:on|in)\s+the\s+"
        r"(?:breast-?fed|nursing)\b|\bno\s+(?:known\s+)?(?:harm|risk)\b",
    ),
    (
        "ask",
        r"\b(?:ask|talk\s+(?:to|with)|tell|consult|check\s+with|speak\s+(?:to|with)|"
        r"discuss\s+(?:it\s+)?with|contact|call)\s+(?:your|a|the)\s+(?:\w+\s+)?"
        r"(?:doctor|pharmacist|nurse|healthcare|health\s+care|midwife|prescriber)",
    ),
)
STANCE_PATTERNS: tuple[tuple[Stance, re.Pattern[str]], ...] = tuple(
    (stance, re.compile(pattern, re.IGNORECASE)) for stance, pattern in _STANCE_WORDS
)


def read_stance(text: str) -> Stance | None:
    """The strongest stance a statement takes, or None when it takes none."""
    for stance, pattern in STANCE_PATTERNS:
        if pattern.search(text):
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
        r"\bskip\s+(?:the|that|this)\s+(?:missed\s+)?(?:dose|injection)\b"
        r"|\b(?:do\s+not|don[’']t)\s+(?:take|use|inject|give)\s+(?:the|that)\s+missed\b"
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


# "If you have any further questions on the use of this medicine, ask your doctor" closes
# every leaflet section: it is no missed-dose action.
_ANY_QUESTIONS = re.compile(r"\bany\s+(?:further\s+|more\s+|other\s+)?questions\b", re.I)


def read_missed_dose(text: str) -> tuple[MissedDoseAction | None, bool, bool]:
    """(first action the text names, whether it forbids doubling, whether it says to skip
    when the next dose is near)."""
    first: tuple[int, MissedDoseAction] | None = None
    for action, pattern in _MISSED_ACTIONS:
        if action == "ask-prescriber" and _ANY_QUESTIONS.search(text):
            continue
        m = pattern.search(text)
        if m and (first is None or m.start() < first[0]):
            first = (m.start(), action)
    near = bool(_NEAR_NEXT.search(text)) and bool(_MISSED_ACTIONS[1][1].search(text))
    return (first[1] if first else None, bool(_NO_DOUBLE.search(text)), near)
