"""From stored documents to a report: read each document's facts, then reconcile them.

Reading is `druginfo.facts.extract_facts` (one FactSet per source of a document) or whatever
reader the caller passes (the Service passes its fact cache, keyed by each document's
fingerprint, so unchanged documents are read once); a document whose facts cannot be read is
listed in the report's `unread`, never dropped silently.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from collections.abc import Callable, Sequence

from druginfo.model import Monograph, Source, SourceKind
from druginfo.model.facts import DocumentKind, FactSet
from druginfo.reconcile.engine import reconcile_facts
from druginfo.reconcile.model import ReconcileReport
from druginfo.vocab.base import Vocabulary

Extract = Callable[[Monograph], list[FactSet]]


def default_extractor() -> Extract | None:
    """The fact reader of `druginfo.facts`, or None in a build without it."""
    try:
        module = importlib.import_module("druginfo.facts")
    except ImportError:
        return None
    extract: Extract | None = getattr(module, "extract_facts", None)
    return extract


def read_fact_sets(
    documents: Sequence[Monograph], extract: Extract | None, language: str = "en"
) -> tuple[list[FactSet], list[str]]:
    fact_sets: list[FactSet] = []
    unread: list[str] = []
    for doc in documents:
        if doc.language != language:
            continue
        name = f"{doc.key} ({', '.join(s.publisher for s in doc.sources)})"
        if extract is None:
            unread.append(f"{name}: no fact reader (druginfo.facts) in this build")
            continue
        try:
            fact_sets.extend(_what_each_document_is(doc, extract(doc)))
        except (ValueError, KeyError) as exc:
            unread.append(f"{name}: {exc}")
    return fact_sets, unread


def _what_each_document_is(doc: Monograph, sets: list[FactSet]) -> list[FactSet]:
    """A curated monograph quotes real documents: the US label it quotes is still a label,
    the seed page still a publisher page. Reconciliation weighs documents by what they are
    (an official label is reference data for doses), so the kind is taken from the Source,
    and the products from the Source's title; who read the words stays on each fact."""
    if not doc.curated:
        return sets
    kinds = {s.id: s for s in doc.sources}
    out: list[FactSet] = []
    for fs in sets:
        src = kinds.get(fs.document.id)
        if src is None:
            out.append(fs)
            continue
        kind: DocumentKind = "publisher"
        if src.kind is SourceKind.label:
            kind = "leaflet" if _is_eu_leaflet(src) else "label"
        elif src.kind is SourceKind.curated:
            kind = "curated"
        update = {"kind": kind, "brands": _brands_named(src, doc.identity.brands)}
        out.append(fs.model_copy(update={"document": fs.document.model_copy(update=update)}))
    return out


def _brands_named(src: Source, brands: list[str]) -> list[str]:
    """The products a quoted document is about: the monograph's brands its title names (the
    Benepali leaflet is about Benepali, not about every etanercept product the monograph
    covers); none when the title names none."""
    title = src.document.casefold()
    return [b for b in brands if re.search(rf"\b{re.escape(b.casefold())}\b", title)]


def _is_eu_leaflet(src: Source) -> bool:
    return "package leaflet" in src.document.casefold() or src.id.startswith("ema-epi")


def class_lookup(fact_sets: Sequence[FactSet], vocab: Vocabulary | None) -> dict[str, list[str]]:
    """Class ids of every named interaction partner, from the vocabulary's cited classes."""
    out: dict[str, list[str]] = {}
    if vocab is None:
        return out
    for fs in fact_sets:
        for f in fs.facts:
            if f.with_ and f.with_.casefold() not in out:
                match = vocab.resolve(f.with_)
                out[f.with_.casefold()] = (
                    [c.class_id for c in vocab.classes_of(match.key)] if match else []
                )
    return out


def reconcile_documents(
    drug: str,
    documents: Sequence[Monograph],
    *,
    vocab: Vocabulary | None = None,
    today: dt.date | None = None,
    extract: Extract | None = None,
    language: str = "en",
    with_notes: bool = True,
) -> ReconcileReport:
    """Every stored document of a medicine, reconciled; curated monographs add editor notes
    (`with_notes=False` leaves them out, to see what the computation finds on its own)."""
    reader = extract or default_extractor()
    fact_sets, unread = read_fact_sets(documents, reader, language)
    curated = [d for d in documents if d.curated and d.language == language]
    return reconcile_facts(
        drug,
        fact_sets,
        today=today,
        resolve=vocab.resolve if vocab else None,
        curated=curated if with_notes else [],
        class_lookup=class_lookup(fact_sets, vocab),
        unread=unread,
    )
