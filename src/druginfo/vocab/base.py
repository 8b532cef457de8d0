"""What the rest of druginfo asks of the vocabulary of names and classes.

The engine depends on this protocol, not on how names are stored, so that the bundled lists
and classes learned from ingested sources (ATC, leaflets) answer through one door.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from druginfo.model import Source


@dataclass(frozen=True)
class NameMatch:
    """A free-text name resolved to a drug key (lower-case generic)."""

    key: str
    matched: str = field(metadata={"doc": "The name as known to us, e.g. 'Enbrel'."})
    display: str = field(metadata={"doc": "e.g. 'Enbrel (etanercept)'."})
    score: float = 100.0
    exact: bool = True


@dataclass(frozen=True)
class ClassMembership:
    """That a substance belongs to a class, and the cited words that say so."""

    class_id: str
    class_name: str
    source: Source
    quote: str


@dataclass(frozen=True)
class VaccineMatch:
    vaccine_id: str
    name: str
    live: bool
    matched: str
    source: Source
    quote: str
    ambiguous: bool = field(
        default=False,
        metadata={
            "doc": "True when the words name a vaccine that exists in live and non-live forms "
            "(e.g. 'flu vaccine', 'shingles vaccine') or an unrecognised vaccine: `live` is "
            "then False but must not be read as 'not live'; callers decide 'cannot-decide'."
        },
    )


class Vocabulary(Protocol):
    def resolve(self, text: str) -> NameMatch | None:
        """Exact (case/spacing-insensitive) or close fuzzy match of a drug name; None if unsure."""

    def suggest(self, text: str, limit: int = 5) -> list[str]:
        """Closest known names, for 'did you mean'."""

    def resolve_medication(self, text: str) -> NameMatch | None:
        """A medication-list entry such as 'Enbrel 50 mg weekly' → etanercept."""

    def classes_of(self, key: str) -> list[ClassMembership]:
        """Classes (e.g. 'tnf-inhibitor') a substance belongs to, each with its citation."""

    def vaccine(self, text: str) -> VaccineMatch | None:
        """A vaccine named in free text, with whether it is live; None if not a vaccine."""
