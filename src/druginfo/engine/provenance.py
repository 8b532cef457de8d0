"""What each answer rests on (CONTRACT "Provenance in check results").

A person must be able to tell a rule a curator checked from a sentence a machine read out of
a leaflet, a row of an interaction table, or a rule about a whole drug class; every alert and
regimen says which (`basis`). The basis of an alert nobody labelled is that of the document it
came from.
"""

from __future__ import annotations

from druginfo.model import Alert, Basis, Monograph

TABLE_TRIGGERS = frozenset({"drug-interaction"})
BASIS_WORDS: dict[str, str] = {
    "curated": "curated rules",
    "leaflet": "machine-read from the official leaflet",
    "label": "machine-read from the official label",
    "table": "from an interaction table",
    "class": "a drug-class rule (no document names the pair)",
}


def document_basis(mono: Monograph) -> Basis:
    """Curated data, an EU package leaflet, or another official label (FDA SPL)."""
    if mono.curated:
        return "curated"
    for source in mono.sources:
        if source.id.startswith("ema-epi") or "European Medicines Agency" in source.publisher:
            return "leaflet"
    return "label" if any(s.kind.value == "label" for s in mono.sources) else "leaflet"


def with_basis(alert: Alert, default: Basis) -> Alert:
    if alert.basis is not None:
        return alert
    basis: Basis = "table" if alert.trigger in TABLE_TRIGGERS else default
    return alert.model_copy(update={"basis": basis})
