"""What a statement is about, from the headings above it first and its own words second.

Substring tests filed "history of hepatitis B" under storage ("history" holds "stor") and
side-effect lists under "More common" under "other". Here every pattern of the topic vocabulary
(data/facts/topics.yaml, one vocabulary for every kind of document) is a whole-word regular
expression, and a statement inherits the deepest heading of its path that says anything.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import yaml

from druginfo.model import Topic


@dataclass(frozen=True)
class _Rule:
    topic: Topic
    heading: re.Pattern[str] | None
    statement: re.Pattern[str] | None


@dataclass(frozen=True)
class _Refine:
    under: Topic
    topic: Topic
    statement: re.Pattern[str]
    unless: re.Pattern[str] | None


@dataclass(frozen=True)
class TopicVocabulary:
    rules: tuple[_Rule, ...]
    refinements: tuple[_Refine, ...]
    broad: frozenset[Topic]
    list_subheadings: re.Pattern[str] | None = None


def _alternation(patterns: Sequence[str]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    body = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w])", re.IGNORECASE)


@functools.cache
def vocabulary() -> TopicVocabulary:
    """The bundled topic vocabulary, compiled once per process."""
    text = (
        resources.files("druginfo")
        .joinpath("data", "facts", "topics.yaml")
        .read_text(encoding="utf-8")
    )
    raw = yaml.safe_load(text)
    rules = tuple(
        _Rule(
            topic=Topic(r["topic"]),
            heading=_alternation(r.get("heading") or []),
            statement=_alternation(r.get("statement") or []),
        )
        for r in raw["rules"]
    )
    refinements = []
    for r in raw.get("refine") or []:
        pattern = _alternation(r["statement"])
        assert pattern is not None
        refinements.append(
            _Refine(
                under=Topic(r["under"]),
                topic=Topic(r["topic"]),
                statement=pattern,
                unless=_alternation(r.get("unless") or []),
            )
        )
    return TopicVocabulary(
        rules=rules,
        refinements=tuple(refinements),
        broad=frozenset(Topic(t) for t in raw.get("broad") or []),
        list_subheadings=_anchored(raw.get("list_subheadings") or []),
    )


def _anchored(patterns: Sequence[str]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    body = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(rf"^\W*(?:{body})\W*$", re.IGNORECASE)


def is_list_subheading(heading: str) -> bool:
    """A heading that groups a list under its section ("More common", "Rare")."""
    pattern = vocabulary().list_subheadings
    return bool(pattern and pattern.match(heading))


def heading_topic(heading: str | None) -> Topic | None:
    """The topic one heading names, or None when it names none ("More common", "Details")."""
    if not heading:
        return None
    # Leaflet headings carry their QRD number ("5. How to store Kineret").
    text = re.sub(r"^\s*\d+(?:\.\d+)*[.)]?\s+", "", heading)
    for rule in vocabulary().rules:
        if rule.heading is not None and rule.heading.search(text):
            return rule.topic
    return None


def path_topic(path: Sequence[str]) -> Topic | None:
    """The deepest heading of a path that names a topic: lists inherit their heading."""
    for heading in reversed(path):
        topic = heading_topic(heading)
        if topic is not None:
            return topic
    return None


def statement_topic(text: str) -> Topic | None:
    """The topic a statement's own words name, or None."""
    for rule in vocabulary().rules:
        if rule.statement is not None and rule.statement.search(text):
            return rule.topic
    return None


def classify(path: Sequence[str], text: str, structural: Topic | None = None) -> Topic:
    """Topic of a statement under a heading path.

    `structural` is a topic the document's own structure already gives (a QRD section number,
    an SPL LOINC code); it counts as the outermost heading. A specific heading topic stands
    whatever the sentence says; a broad one (warnings, a page's first section) or none lets
    the sentence's own words decide.
    """
    vocab = vocabulary()
    topic = path_topic(path)
    if topic is None:
        topic = structural
    if topic is None or topic in vocab.broad:
        own = statement_topic(text)
        if own is not None:
            topic = own
    if topic is None:
        return Topic.other
    for refine in vocab.refinements:
        if (
            refine.under is topic
            and refine.statement.search(text)
            and not (refine.unless and refine.unless.search(text))
        ):
            return refine.topic
    return topic
