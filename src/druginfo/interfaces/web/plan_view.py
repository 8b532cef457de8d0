"""What the plan pages say about the medicine asked for: why a name could not be checked (and
what to pick instead), which uses a leaflet's doses are for, and what a result rests on.

Resolution itself is the service's (UnknownDrug, AmbiguousName, NoDocument carry the names to
offer); this module only turns those answers into the words and choices of the plan form.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from druginfo.engine.dose_rules import DOSE_TRIGGER
from druginfo.engine.provenance import BASIS_WORDS, document_basis
from druginfo.errors import AmbiguousName, NoDocument, UnknownDrug
from druginfo.model import Alert, CheckResult, Monograph

MAX_CHOICES = 10  # names offered under the medicine field


@dataclass(frozen=True)
class NameProblem:
    """Why the medicine field could not be checked, and the names a person may pick instead."""

    message: str
    choices: list[str] = field(default_factory=list)
    prompt: str = ""


def name_problem(exc: UnknownDrug) -> NameProblem:
    """The words for each way a name fails: unknown (did you mean), shared by several
    medicines (which one), or a known substance without a leaflet of its own (the products
    that contain it), or one not stored yet while the bundled leaflets load."""
    choices = list(dict.fromkeys(exc.suggestions))[:MAX_CHOICES]
    if isinstance(exc, NoDocument):
        if exc.loading:
            return NameProblem(
                f"We cannot check {exc.key} yet: the medicine leaflets are still being loaded "
                "(one-time setup). Try again in a minute."
            )
        who = (
            f"We know {exc.key}"
            if exc.name.strip().casefold() == exc.key.casefold()
            else f"We know {exc.name!r} ({exc.key})"
        )
        own = f"{who}, but we have no leaflet or label of {exc.key} on its own to check it against."
        if not choices:
            return NameProblem(own)
        return NameProblem(
            own, choices, "Products that contain it — choose the one you take, then check again:"
        )
    if isinstance(exc, AmbiguousName):
        return NameProblem(
            f"{exc.name!r} is the name of several medicines.",
            choices,
            "Choose the one you take, then check again:",
        )
    return NameProblem(
        f"We do not know the medicine {exc.name!r}.",
        choices,
        "Did you mean one of these? Choose one, then check again:" if choices else "",
    )


def leaflet_uses(facts: Iterable[Any]) -> list[str]:
    """The uses a leaflet's doses are stated for ('rheumatoid arthritis'), in its words: the
    indication a label dose is chosen by, offered for the 'What is it for?' field."""
    uses: list[str] = []
    for fact_set in facts:
        for fact in getattr(fact_set, "facts", []):
            pop = getattr(fact, "population", None)
            if fact.topic == "dose" and pop is not None and pop.indication:
                for use in _split_uses(pop.indication):
                    if use not in uses:
                        uses.append(use)
    return uses


def _split_uses(text: str) -> list[str]:
    """'rheumatoid arthritis or atopic dermatitis' → both (a dose stated for either)."""
    parts = [p.strip() for chunk in text.split(" or ") for p in chunk.split(", ")]
    return [p for p in parts if p]


@dataclass(frozen=True)
class Provenance:
    """What a plan rests on, said once at the top of the result."""

    machine_read: bool
    sentence: str
    documents: list[str]


def provenance(result: CheckResult, mono: Monograph | None) -> Provenance:
    """Curated rules (written by people from the cited sources) or machine-read leaflet or
    label text (not checked by a person), or both, naming the documents read."""
    bases = [b for b in [result.regimen.basis if result.regimen else None] if b]
    bases += [a.basis for a in result.alerts if a.basis]
    documents = list(dict.fromkeys(ref.document for ref in result.sources.values()))
    machine: list[str] = [b for b in dict.fromkeys(bases) if b in ("leaflet", "label")]
    if mono is not None and not mono.curated and not machine:
        machine = [document_basis(mono)]
    if machine:
        words = " and ".join(BASIS_WORDS[b] for b in machine)
        curated = " Some points rest on curated rules." if "curated" in bases else ""
        sentence = (
            f"This plan is {words}, not checked by a person: confirm it with your doctor or "
            f"pharmacist.{curated}"
        )
        return Provenance(True, sentence, documents)
    return Provenance(
        False,
        "This plan rests on curated rules, written by people from the sources cited below.",
        documents,
    )


def dose_question(result: CheckResult) -> Alert | None:
    """The alert saying why no dose was decided (the leaflet's several doses, a missing
    weight), for the dose section to point at instead of a bare 'no dose'."""
    return next(
        (a for a in result.alerts if a.kind == "cannot-decide" and a.trigger == DOSE_TRIGGER),
        None,
    )
