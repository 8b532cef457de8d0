"""What a check looked at and what it could not (CONTRACT "Provenance in check results").

An empty list of alerts is only reassuring when the profile was actually screened: an unknown
medicine, a vaccine whose form we cannot tell, or a medicine whose document has no rules we can
read is said in `coverage.not_screened`, each with what the person can do about it. The words
follow the contract's example: "screened against: allergies, conditions, 3 medicines, 1 vaccine;
not screened: …".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from druginfo.engine.build import make
from druginfo.engine.provenance import BASIS_WORDS
from druginfo.model import Coverage, NotScreened, Profile
from druginfo.vocab.base import Vocabulary

if TYPE_CHECKING:
    from druginfo.engine.leaflet_screening import LeafletRead

UNKNOWN_MEDICINE_FIX = (
    "check the spelling, write the generic name from the pack (e.g. 'metformin'), or ask your "
    "pharmacist to check it"
)
UNKNOWN_VACCINE_FIX = "give the vaccine's product name, or ask whether it is a live vaccine"
LEAFLET_FIX = (
    "read the leaflet's section 2 ('Do not use … / Warnings and precautions') and ask your "
    "doctor or pharmacist"
)


# What a kind of rule did for the whole check, where its words as one alert's basis would
# mislead: the class screening runs on every check (two medicines of one class), and "a
# drug-class rule (no document names the pair)" read as if such an alert had been raised.
COVERAGE_WORDS = {"class": "drug-class screening (two medicines of the same class)"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def build_coverage(
    profile: Profile,
    vocab: Vocabulary,
    bases: Sequence[str],
    *,
    has_rules: bool,
    no_rules_reason: str | None = None,
    leaflet: LeafletRead | None = None,
) -> Coverage:
    """`bases`: the kinds of rules applied (curated, leaflet, table, class); `has_rules`: any
    screening rule about the medicine itself was available (else nothing was screened);
    `leaflet`: what a machine-read leaflet offered (None for curated rules), so the line says
    against what the conditions and medicines were screened, and conditions the leaflet gave
    nothing to screen against are said to be not screened."""
    words = [COVERAGE_WORDS.get(b) or BASIS_WORDS.get(b, b) for b in dict.fromkeys(bases)]
    cov = make(Coverage, dict(rules=words))
    meds = vaccines = 0
    for text in profile.medications:
        vaccine = vocab.vaccine(text)
        if vaccine is not None:
            if vaccine.ambiguous:
                cov.not_screened.append(
                    make(
                        NotScreened,
                        dict(
                            item=text,
                            field="medications",
                            reason="we cannot tell whether this vaccine is live",
                            fix=UNKNOWN_VACCINE_FIX,
                        ),
                    )
                )
            else:
                vaccines += 1
            continue
        if vocab.resolve_medication(text) is None:
            cov.not_screened.append(
                make(
                    NotScreened,
                    dict(
                        item=text,
                        field="medications",
                        reason="not a medicine name we know",
                        fix=UNKNOWN_MEDICINE_FIX,
                    ),
                )
            )
        else:
            meds += 1
    for text in profile.planned_vaccines:
        vaccine = vocab.vaccine(text)
        if vaccine is None or vaccine.ambiguous:
            cov.not_screened.append(
                make(
                    NotScreened,
                    dict(
                        item=text,
                        field="planned_vaccines",
                        reason="we cannot tell which vaccine this is or whether it is live",
                        fix=UNKNOWN_VACCINE_FIX,
                    ),
                )
            )
        else:
            vaccines += 1
    if has_rules:
        if profile.allergies:
            cov.screened.append("allergies")
        if profile.conditions:
            if leaflet is None:
                cov.screened.append("conditions")
            elif leaflet.contraindications or leaflet.precautions:
                cov.screened.append(
                    "conditions (against the leaflet's "
                    f"{_plural(leaflet.contraindications, 'contraindication')} and "
                    f"{_plural(leaflet.precautions, 'warning condition')})"
                )
            else:
                cov.not_screened.append(
                    make(
                        NotScreened,
                        dict(
                            item="your conditions",
                            field="conditions",
                            reason="the leaflet names no condition we could read",
                            fix=LEAFLET_FIX,
                        ),
                    )
                )
        if meds:
            named = (
                ""
                if leaflet is None
                else f" (against {leaflet.medicines} medicines or classes the leaflet names)"
                if leaflet.medicines
                else " (the leaflet names none; drug-class rules only)"
            )
            cov.screened.append(_plural(meds, "medicine") + named)
        if vaccines:
            cov.screened.append(_plural(vaccines, "vaccine"))
    else:
        cov.not_screened.insert(
            0,
            make(
                NotScreened,
                dict(
                    item="the whole profile",
                    field="drug",
                    reason=no_rules_reason or "no safety rules we can read for this medicine",
                    fix=LEAFLET_FIX,
                ),
            ),
        )
    cov.summary = summary(cov)
    return cov


def summary(cov: Coverage) -> str:
    parts = []
    parts.append("screened against: " + (", ".join(cov.screened) or "nothing"))
    if cov.not_screened:
        parts.append(
            "not screened: "
            + ", ".join(
                f"{n.item!r} ({n.reason})" if n.field != "drug" else n.reason
                for n in cov.not_screened
            )
        )
    if cov.rules:
        parts.append("rules: " + ", ".join(cov.rules))
    return "; ".join(parts)
