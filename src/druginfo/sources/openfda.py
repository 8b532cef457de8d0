"""openFDA drug labels: the bulk download JSON, `{"meta": ..., "results": [label, ...]}`.

A bulk file holds thousands of labels (hundreds of megabytes), so labels are streamed one at a
time with ijson and never loaded together. A label carries SPL sections as lists of strings,
named after their LOINC section (`indications_and_usage`, `boxed_warning`, ...; the mapping is
`spl.OPENFDA_FIELDS`) and, when openFDA could harmonise it, an `openfda` object with brand,
generic and manufacturer names, NDCs, routes and pharmacologic classes.

A label is the same FDA document as its SPL file, so it gets the same document and source id
(`fda-spl:<set id>`, `fda-spl-<set id>`): ingesting a label in both formats updates one
document. Its checksum is the SHA-256 of the label object serialised canonically (sorted keys),
because the stream has no per-label raw bytes.

A section's string in openFDA includes the text of its subsections, and subsections with their
own LOINC code also appear as their own field. Fields are therefore read from the most specific
to the most general (`_CONTAINERS` last) and a sentence already quoted is not quoted again.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from typing import IO, Any

import ijson

from druginfo.model import Claim, Identity, Monograph, Section, Source, SourceKind
from druginfo.sources.base import Broken, ParsedDocument
from druginfo.sources.spl import DOC_PREFIX, FDA, OPENFDA_FIELDS
from druginfo.sources.text import (
    combination_key,
    norm_space,
    sha256,
    split_name_list,
    split_sentences,
)

# Fields whose text repeats that of more specific fields; read last.
_CONTAINERS = (
    "use_in_specific_populations",
    "precautions",
    "clinical_pharmacology",
    "nonclinical_toxicology",
    "drug_abuse_and_dependence",
    "how_supplied",
    "spl_patient_package_insert",
    "spl_medguide",
    "patient_medication_information",
    "information_for_patients",
    "spl_unclassified_section",
    "package_label_principal_display_panel",
)
_FIRST = ("boxed_warning", "contraindications", "do_not_use")
FIELD_ORDER: tuple[str, ...] = (
    *_FIRST,
    *(f for f in OPENFDA_FIELDS if f not in _FIRST and f not in _CONTAINERS),
    *(f for f in _CONTAINERS if f in OPENFDA_FIELDS),
)


class OpenFdaError(ValueError):
    """A label that cannot become a monograph; the message says why."""


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str) and v.strip()]
    return []


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not re.match(r"^\d{8}$", value.strip()):
        return None
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return None


def _openfda(label: dict[str, Any]) -> dict[str, Any]:
    value = label.get("openfda")
    return value if isinstance(value, dict) else {}


def label_key(label: dict[str, Any]) -> str:
    """Generic name(s), salts dropped, as the SPL parser does; substance names as fallback."""
    ofda = _openfda(label)
    names = [n for g in _strings(ofda.get("generic_name")) for n in split_name_list(g)]
    if not names:
        names = _strings(ofda.get("substance_name"))
    key = combination_key(names)
    if not key:
        brands = _strings(ofda.get("brand_name"))
        key = brands[0].lower() if brands else ""
    return key


def label_to_monograph(label: dict[str, Any]) -> Monograph:
    if not isinstance(label, dict):
        raise OpenFdaError("label is not a JSON object")
    ofda = _openfda(label)
    key = label_key(label)
    if not key:
        raise OpenFdaError("no generic, substance or brand name (label without openfda names)")
    set_id = str(label.get("set_id") or "") or (_strings(ofda.get("spl_set_id")) or [""])[0]
    set_id = set_id or str(label.get("id") or "") or "unknown"
    version = str(label.get("version") or "") or None
    brands: list[str] = []
    for b in _strings(ofda.get("brand_name")):
        if b not in brands:
            brands.append(b)
    makers = _strings(ofda.get("manufacturer_name"))
    manufacturer = makers[0] if makers else None
    source_id = f"fda-spl-{set_id}"
    reviewed = _date(label.get("effective_time"))
    source = Source(
        id=source_id,
        publisher=manufacturer or FDA,
        document=f"{brands[0]} ({key}) label" if brands else f"{key} label",
        kind=SourceKind.label,
        url=f"https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid={set_id}"
        if set_id != "unknown"
        else None,
        reference=f"SPL set id {set_id} version {version or '?'} (openFDA)",
        reviewed=reviewed,
        language="en",
    )
    identifiers: dict[str, str] = {"SPL-set-id": set_id}
    if version:
        identifiers["SPL-version"] = version
    for name, field in (
        ("NDC", "product_ndc"),
        ("route", "route"),
        ("dosage-form", "dosage_form"),
        ("UNII", "unii"),
        ("RxCUI", "rxcui"),
        ("application", "application_number"),
        ("FDA-EPC", "pharm_class_epc"),
        ("FDA-MoA", "pharm_class_moa"),
    ):
        values = _strings(ofda.get(field))
        if values:
            shown = [v.lower() if field in ("route", "dosage_form") else v for v in values]
            identifiers[name] = ", ".join(dict.fromkeys(shown))
    claims: list[Claim] = []
    sections: list[Section] = []
    seen: set[str] = set()
    for field in FIELD_ORDER:
        texts = _strings(label.get(field))
        if not texts:
            continue
        title, topic = OPENFDA_FIELDS[field]
        for text in texts:
            ids: list[str] = []
            for sentence in split_sentences(text):
                if sentence in seen:
                    continue
                seen.add(sentence)
                claim_id = f"{source_id}-s{len(claims) + 1}"
                claims.append(
                    Claim(id=claim_id, topic=topic, source=source_id, quote=sentence, section=title)
                )
                ids.append(claim_id)
            sections.append(Section(topic=topic, title=title, text=norm_space(text), claims=ids))
    substances = [s.lower() for s in _strings(ofda.get("substance_name"))]
    return Monograph(
        key=key,
        identity=Identity(
            generic=key, brands=brands, substances=substances, identifiers=identifiers
        ),
        curated=False,
        language="en",
        document_date=reviewed,
        sources=[source],
        claims=claims,
        sections=sections,
    )


def parse_label(label: Any, origin: str) -> ParsedDocument | Broken:
    """One label object → ParsedDocument, or Broken with the reason."""
    try:
        monograph = label_to_monograph(label)
    except OpenFdaError as exc:
        return Broken(origin=origin, reason=f"openFDA: {exc}")
    except ValueError as exc:
        return Broken(origin=origin, reason=f"openFDA: invalid monograph: {exc}")
    set_id = monograph.identity.identifiers["SPL-set-id"]
    raw = json.dumps(label, sort_keys=True, default=str, ensure_ascii=False).encode("utf-8")
    return ParsedDocument(
        doc_id=DOC_PREFIX + set_id, checksum=sha256(raw), monograph=monograph, origin=origin
    )


def _label_set_id(label: Any) -> str | None:
    if not isinstance(label, dict):
        return None
    if label.get("set_id"):
        return str(label["set_id"])
    ofda = label.get("openfda")
    ids = _strings(ofda.get("spl_set_id")) if isinstance(ofda, dict) else []
    return ids[0] if ids else None


def iter_openfda(
    stream: IO[bytes], origin: str, *, skip: Callable[[str], bool] | None = None
) -> Iterator[ParsedDocument | Broken]:
    """Labels of one bulk file, streamed; `skip(doc_id)` true → the label is not converted.

    A syntax error part-way reports what was read so far as done and the rest as one Broken
    record: earlier labels stay valid, later ones cannot be found without a parser resync.
    """
    n = 0
    try:
        for label in ijson.items(stream, "results.item", use_float=True):
            n += 1
            where = f"{origin}#results[{n - 1}]"
            set_id = _label_set_id(label)
            if skip is not None and set_id and skip(DOC_PREFIX + set_id):
                continue
            try:
                record = parse_label(label, where)
            except RecursionError:
                record = Broken(origin=where, reason="openFDA: label nested too deeply to read")
            except Exception as exc:  # one odd label must not end the bulk file
                record = Broken(origin=where, reason=f"openFDA: {type(exc).__name__}: {exc}")
            yield record
    except ijson.JSONError as exc:
        yield Broken(origin=f"{origin}#results[{n}]", reason=f"openFDA: broken JSON: {exc}")
        return
    if n == 0:
        yield Broken(origin=origin, reason='openFDA: no labels under "results"')
