"""Reading free-text conditions: which concepts they name, and whether each is there now.

A word list cannot tell "pneumonia" from "no pneumonia", "history of pneumonia" or "mother had
pneumonia", and cannot know that shingles, septic arthritis and HIV are infections. Two pieces
of data do: a concept hierarchy grounded in ICD-10 (`data/vocab/conditions.yaml`), so a rule that
names `infection` is met by every infection beneath it; and the trigger terms of the ConText
algorithm (`data/vocab/context.yaml`), so each mention gets a status. This module only applies
them: a small, rule-based ConText over short phrases (medspaCy's needs spaCy and a pipeline).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

import yaml

Status = Literal[
    "present", "negated", "historical", "hypothetical", "family", "possible", "recurrent"
]
Category = Literal[
    "negated",
    "historical",
    "resolved",
    "hypothetical",
    "family",
    "possible",
    "recurrent",
    "chronic",
    "current",
    "pseudo",
    "terminate",
]
# How far (in words) a trigger reaches when nothing ends its scope earlier.
WINDOW = 8
# Profile lines remembered with what was read in them (a few hundred bytes each).
READ_MEMO_SIZE = 8192
_TOKEN = re.compile(r"[^\W_]+|[.;:,()!?]")
_BOUNDARY = frozenset(".;:,()!?")


@dataclass(frozen=True)
class Concept:
    id: str
    name: str
    kind: Literal["disorder", "sign"]
    parents: tuple[str, ...]
    icd10: tuple[str, ...]
    chronic: bool


@dataclass(frozen=True)
class Mention:
    """One concept (or rule term) found in one condition line, with its ConText status."""

    line: str
    words: str
    concept: str | None
    status: Status
    chronic: bool = False
    sign: bool = False


@dataclass(frozen=True)
class _Span:
    start: int
    end: int


@dataclass(frozen=True)
class _Trigger:
    start: int
    end: int
    category: Category
    direction: str


@dataclass(frozen=True)
class Lab:
    concept: str
    names: tuple[tuple[str, ...], ...]
    below: float
    per_microlitre_above: float | None
    below_per_microlitre: float | None


def tokens(text: str) -> tuple[list[str], list[int]]:
    """Words of a line, and for each the clause it is in (punctuation ends a clause; the dot of
    an abbreviation such as "E. coli" does not)."""
    words: list[str] = []
    clauses: list[int] = []
    clause = 0
    for tok in _TOKEN.findall(text.lower()):
        if tok in _BOUNDARY:
            if tok == "." and words and len(words[-1]) == 1:
                continue
            clause += 1
            continue
        words.append(tok)
        clauses.append(clause)
    return words, clauses


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(tokens(text)[0])


def _same(word: str, term_word: str) -> bool:
    return word == term_word or word in (term_word + "s", term_word + "es")


class ConditionReader:
    """The concept hierarchy, the lab rules and the ConText triggers, ready to read lines."""

    def __init__(self, concepts_data: dict[str, Any], context_data: dict[str, Any]) -> None:
        self.concepts: dict[str, Concept] = {}
        self._terms: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for entry in concepts_data["concepts"]:
            concept = Concept(
                id=entry["id"],
                name=entry["name"],
                kind=entry.get("kind", "disorder"),
                parents=tuple(entry.get("parents", ())),
                icd10=tuple(str(c) for c in entry.get("icd10", ())),
                chronic=bool(entry.get("chronic", False)),
            )
            self.concepts[concept.id] = concept
            for term in entry["terms"]:
                self._add_term(str(term), concept.id)
        # Reading a line depends on nothing but the line (and the extra terms): profiles repeat
        # their lines across every rule and every check, so each is read once.
        self._read_memo = functools.lru_cache(maxsize=READ_MEMO_SIZE)(self._read)
        for parents in (c.parents for c in self.concepts.values()):
            unknown = [p for p in parents if p not in self.concepts]
            if unknown:
                raise ValueError(f"conditions.yaml: unknown parent concept(s) {unknown}")
        # The concept a rule's plain term names, when the term is the concept's own name or
        # its first term ("infection", "pneumonia", "tuberculosis"), so a word list in any
        # monograph is met by the concepts beneath it too; a term that is one disease of a
        # group ("hepatitis b" in viral hepatitis) names no concept.
        self._heads: dict[tuple[str, ...], str] = {}
        for entry in concepts_data["concepts"]:
            for head in (entry["name"], entry["terms"][0]):
                self._heads.setdefault(_phrase(str(head)), entry["id"])
        self.labs = [
            Lab(
                concept=lab["concept"],
                names=tuple(_phrase(n) for n in lab["names"]),
                below=float(lab["below"]),
                per_microlitre_above=lab.get("per_microlitre_above"),
                below_per_microlitre=lab.get("below_per_microlitre"),
            )
            for lab in concepts_data.get("labs", ())
        ]
        self._triggers: dict[str, list[tuple[tuple[str, ...], Category, str]]] = {}
        for trig in context_data["triggers"]:
            words = _phrase(trig["literal"])
            self._triggers.setdefault(words[0], []).append(
                (words, trig["category"], trig["direction"])
            )

    def _add_term(self, term: str, concept_id: str) -> None:
        words = _phrase(term)
        if not words:
            return
        bucket = self._terms.setdefault(words[0], [])
        bucket.append((words, concept_id))
        bucket.sort(key=lambda item: len(item[0]), reverse=True)

    @functools.cache  # noqa: B019 - one reader per process, concepts never change
    def ancestors(self, concept_id: str) -> frozenset[str]:
        """The concept and every concept above it."""
        seen = {concept_id}
        todo = [concept_id]
        while todo:
            for parent in self.concepts[todo.pop()].parents:
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return frozenset(seen)

    def head_concept(self, term: str) -> str | None:
        """The concept a rule term names as a whole (see `_heads`), or None."""
        return self._heads.get(_phrase(term))

    def is_a(self, concept_id: str | None, wanted: Iterable[str]) -> bool:
        if concept_id is None or concept_id not in self.concepts:
            return False
        return bool(self.ancestors(concept_id) & set(wanted))

    # --- reading ---------------------------------------------------------------------------

    def _find_triggers(self, words: list[str]) -> list[_Trigger]:
        found: list[_Trigger] = []
        for i, word in enumerate(words):
            for phrase, category, direction in self._triggers.get(word, ()):
                n = len(phrase)
                if tuple(words[i : i + n]) == phrase:
                    found.append(_Trigger(i, i + n, category, direction))
        # A trigger inside a longer one ("no" in "no increase", "history of" in "family
        # history of") is part of the longer one, not a trigger of its own.
        return [
            t
            for t in found
            if not any(
                o is not t
                and o.start <= t.start
                and t.end <= o.end
                and o.end - o.start > t.end - t.start
                for o in found
            )
        ]

    def _targets(
        self, words: list[str], extra: Sequence[tuple[tuple[str, ...], str | None]]
    ) -> list[tuple[_Span, str | None]]:
        out: list[tuple[_Span, str | None]] = []
        i = 0
        while i < len(words):
            candidates = [
                *self._terms.get(words[i], ()),
                *(e for e in extra if e[0][0] == words[i]),
            ]
            best: tuple[int, str | None] | None = None
            for phrase, concept_id in candidates:
                n = len(phrase)
                if i + n > len(words):
                    continue
                head_ok = all(
                    w == p for w, p in zip(words[i : i + n - 1], phrase[:-1], strict=True)
                )
                longer = best is None or n > best[0]
                if head_ok and longer and _same(words[i + n - 1], phrase[-1]):
                    best = (n, concept_id)
            if best is None:
                i += 1
                continue
            out.append((_Span(i, i + best[0]), best[1]))
            i += best[0]
        return out

    def _status(
        self, span: _Span, triggers: list[_Trigger], clauses: list[int], targets: list[_Span]
    ) -> tuple[Status, bool]:
        cats: set[str] = set()
        for trig in triggers:
            if trig.category in ("pseudo", "terminate"):
                continue
            forward = trig.direction in ("forward", "bidirectional")
            backward = trig.direction in ("backward", "bidirectional")
            if forward and trig.start < span.start and trig.end <= span.end:
                # Before the mention ("no active infection": "no active" may run into it).
                lo, hi = min(trig.end, span.start), span.start
                if clauses[trig.start] != clauses[span.start]:
                    continue
            elif backward and trig.start >= span.end:
                # After the mention, and only the nearest one ("cellulitis, HIV negative").
                lo, hi = span.end, trig.start
                if any(lo <= t.start < hi for t in targets):
                    continue
            else:
                continue
            if hi - lo > WINDOW:
                continue
            if any(t.category == "terminate" and lo <= t.start and t.end <= hi for t in triggers):
                continue
            cats.add(trig.category)
        chronic = "chronic" in cats
        order: list[tuple[str, Status]] = [
            ("family", "family"),
            ("negated", "negated"),
            ("resolved", "historical"),
            ("hypothetical", "hypothetical"),
            ("possible", "possible"),
            ("current", "present"),
            ("historical", "historical"),
            ("recurrent", "recurrent"),
        ]
        for cat, status in order:
            if cat in cats:
                return status, chronic
        return "present", chronic

    def read(self, line: str, extra_terms: Sequence[str] = ()) -> list[Mention]:
        """Every concept mention in `line` (and every `extra_terms` match, concept None)."""
        return list(self._read_memo(line, tuple(extra_terms)))

    def _read(self, line: str, extra_terms: tuple[str, ...]) -> tuple[Mention, ...]:
        words, clauses = tokens(line)
        if not words:
            return ()
        extra = [(p, None) for p in (_phrase(t) for t in extra_terms) if p]
        triggers = self._find_triggers(words)
        targets = self._targets(words, extra)
        spans = [s for s, _ in targets]
        mentions: list[Mention] = []
        for span, concept_id in targets:
            status, chronic = self._status(span, triggers, clauses, spans)
            concept = self.concepts.get(concept_id) if concept_id else None
            if concept is not None and concept.chronic:
                chronic = True
                if status == "historical":
                    # A lasting infection that was diagnosed is still there unless cured.
                    status = "present"
            mentions.append(
                Mention(
                    line=line,
                    words=" ".join(words[span.start : span.end]),
                    concept=concept_id,
                    status=status,
                    chronic=chronic,
                    sign=concept is not None and concept.kind == "sign",
                )
            )
        mentions.extend(self._labs(line))
        return tuple(mentions)

    def _labs(self, line: str) -> list[Mention]:
        """Lab values written as conditions ("ANC 0.8", "neutrophils 900/µL"): below the
        threshold the concept is present; a number above `per_microlitre_above` is read as
        cells per microlitre."""
        out: list[Mention] = []
        flat = " ".join(re.sub(r"[^\w.,]+", " ", line.lower()).split())
        for lab in self.labs:
            for name in lab.names:
                value = _number_after(flat, " ".join(name)) if name[0] in flat else None
                if value is None:
                    continue
                low = value < lab.below
                if lab.per_microlitre_above is not None and value > lab.per_microlitre_above:
                    low = lab.below_per_microlitre is not None and value < lab.below_per_microlitre
                if low:
                    out.append(Mention(line, f"{' '.join(name)} {value:g}", lab.concept, "present"))
                break
        return out


@functools.lru_cache(maxsize=256)
def _number_pattern(name: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?<![^\W_]){re.escape(name)}(?![^\W_])\s*(?:(?:of|was|were|is|at|=)\s+)?"
        r"(\d+(?:[.,]\d+)?)(?![\d])"
    )


def _number_after(flat: str, name: str) -> float | None:
    """The number right after a lab's name ("anc 0.8", "anc of 0.8", "neutrophils were 900")."""
    if not any(ch.isdigit() for ch in flat):
        return None
    m = _number_pattern(name).search(flat)
    if m is None:
        return None
    try:
        return float(m.group(1).replace(",", "."))
    except ValueError:
        return None


@functools.cache
def reader() -> ConditionReader:
    """The bundled concept hierarchy and ConText triggers (read once per process)."""
    base = resources.files("druginfo").joinpath("data", "vocab")
    concepts = yaml.safe_load(base.joinpath("conditions.yaml").read_text(encoding="utf-8"))
    context = yaml.safe_load(base.joinpath("context.yaml").read_text(encoding="utf-8"))
    return ConditionReader(concepts, context)
