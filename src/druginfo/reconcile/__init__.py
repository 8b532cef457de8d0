"""Reconciliation of normalised facts across every document about a medicine.

`reconcile_facts` aligns facts (druginfo.model.facts) and classifies each: agree, conflict,
only one source, new-stale, error; `reconcile_documents` reads the facts of stored documents
first. Curated `conflicts:` are shown beside the findings as editor notes.
"""

from druginfo.reconcile.engine import reconcile_facts
from druginfo.reconcile.model import (
    STATUSES,
    Difference,
    EditorNote,
    Finding,
    FindingFact,
    ReconcileReport,
    ReportSource,
    Status,
)
from druginfo.reconcile.reading import reconcile_documents

__all__ = [
    "STATUSES",
    "Difference",
    "EditorNote",
    "Finding",
    "FindingFact",
    "ReconcileReport",
    "ReportSource",
    "Status",
    "reconcile_documents",
    "reconcile_facts",
]
