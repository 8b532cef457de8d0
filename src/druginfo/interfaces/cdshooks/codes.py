"""Names for coded FHIR concepts: RxNorm, SNOMED CT and ATC codes the vocabulary knows.

A record coded only by a code (no text, no display) used to be dropped silently, so an Enbrel
order coded RxNorm 214555 raised no card. The code map (`data/vocab/codes.yaml`) gives the name
the rest of druginfo reads; ATC codes come from the vocabulary's own drugs. A code that is not
in the map is reported as unread, never guessed.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

import yaml

Kind = Literal["medicine", "condition", "allergy"]


@dataclass(frozen=True)
class CodeMap:
    systems: dict[str, str]  # FHIR system URI → short name (rxnorm, snomed, atc)
    names: dict[tuple[str, str, str], str]  # (kind, short system, code) → name

    def name(self, kind: Kind, system: str | None, code: str | None) -> str | None:
        short = self.systems.get((system or "").rstrip("/"))
        if short is None or not code:
            return None
        found = self.names.get((kind, short, str(code).strip()))
        if found is None and kind == "allergy":
            # An allergy is often coded by the substance: a medicine code names it.
            found = self.names.get(("medicine", short, str(code).strip()))
        return found


@functools.cache
def code_map() -> CodeMap:
    base = resources.files("druginfo").joinpath("data", "vocab")
    data: dict[str, Any] = yaml.safe_load(base.joinpath("codes.yaml").read_text(encoding="utf-8"))
    systems = {v["uri"].rstrip("/"): k for k, v in data["systems"].items()}
    names: dict[tuple[str, str, str], str] = {}
    for section, kind in (
        ("medicines", "medicine"),
        ("conditions", "condition"),
        ("allergies", "allergy"),
    ):
        for system, codes in (data.get(section) or {}).items():
            for code, name in codes.items():
                names[(kind, system, str(code))] = str(name)
    from druginfo.vocab.data import bundled_data

    for drug in bundled_data().drugs:
        for atc in drug.atc:
            names[("medicine", "atc", atc.code)] = drug.key
    return CodeMap(systems, names)


def coded_names(concept: Any, kind: Kind) -> tuple[list[str], list[str]]:
    """(names from known codes, descriptions of codes not known) of a CodeableConcept."""
    if not isinstance(concept, dict):
        return [], []
    cmap = code_map()
    names: list[str] = []
    unknown: list[str] = []
    for coding in concept.get("coding") or []:
        if not isinstance(coding, dict) or not coding.get("code"):
            continue
        name = cmap.name(kind, coding.get("system"), str(coding.get("code")))
        if name is not None:
            names.append(name)
        else:
            system = str(coding.get("system") or "no system")
            unknown.append(f"{system} code {str(coding.get('code'))[:40]}")
    return names, unknown
