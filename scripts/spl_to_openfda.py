"""Map one FDA SPL XML label into openFDA's drug-label JSON layout (a test fixture builder).

No real openFDA bulk file is at hand, so the openFDA parser is tested on a label derived from a
real SPL document: each LOINC-coded section becomes its openFDA field (a list of strings: the
section heading followed by its text and that of its subsections, as openFDA writes it), and
the `openfda` object gets the names, NDCs and routes the SPL lists. Field names follow
druglabel_schema.json (../shared/data/openfda-samples).

Usage: python scripts/spl_to_openfda.py ../shared/data/fda-spl/humira.xml \
           tests/fixtures/openfda/humira.openfda.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from druginfo.sources.spl import LOINC_SECTIONS, read_spl


def spl_to_openfda(raw: bytes) -> dict[str, Any]:
    label = read_spl(raw)
    out: dict[str, Any] = {
        "set_id": label.set_id,
        "id": label.document_id,
        "version": label.version,
        "effective_time": label.effective.strftime("%Y%m%d") if label.effective else None,
    }
    for index, section in enumerate(label.sections):
        known = LOINC_SECTIONS.get(section.code or "")
        if known is None or known[1] is None:
            continue
        field = known[1]
        if field == "spl_unclassified_section" and section.parent is not None:
            continue  # openFDA folds nested unclassified text into its parent's field
        text = " ".join([section.title, *label.full_blocks(index)]).strip()
        if text:
            out.setdefault(field, []).append(text)
    out["openfda"] = {
        "brand_name": label.brands,
        "generic_name": [g.upper() for g in label.generic_names],
        "manufacturer_name": [label.manufacturer] if label.manufacturer else [],
        "product_ndc": label.product_ndcs,
        "package_ndc": label.package_ndcs,
        "route": [r.upper() for r in label.routes],
        "substance_name": [s.upper() for s in label.substances],
        "unii": label.uniis,
        "spl_set_id": [label.set_id] if label.set_id else [],
        "spl_id": [label.document_id] if label.document_id else [],
        "product_type": [label.document_type_name or ""],
    }
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    src, dst = Path(argv[1]), Path(argv[2])
    bulk = {
        "meta": {
            "disclaimer": "Derived from a real SPL document by scripts/spl_to_openfda.py; "
            "not an openFDA download.",
            "results": {"skip": 0, "limit": 1, "total": 1},
        },
        "results": [spl_to_openfda(src.read_bytes())],
    }
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(json.dumps(bulk, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
