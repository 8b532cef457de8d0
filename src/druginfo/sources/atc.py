"""WHO ATC classification with DDDs (CSV `atc_code,atc_name,ddd,uom,adm_r,note`).

The WHO Collaborating Centre for Drug Statistics Methodology allows non-commercial reuse with
attribution; druginfo does not bundle the table, the user supplies it.

Each code becomes one `ClassEntry(system="atc")`; the parent is the code cut to the length of
the level above (ATC levels have 1, 3, 4, 5 and 7 characters: L → L04 → L04A → L04AB →
L04AB01). Leaf (7-character) names are substances, e.g. L04AC03 "anakinra". A code listed on
several rows (one per route or DDD) gives one entry.

The combinations file (`atc_code,brand_name,dosage_form,ingredients,ddd_comb`) lists branded
combination products with DDDs; it adds no class or substance name the main table lacks, so
it is recognised and deliberately yields nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Iterator
from typing import IO

from druginfo.model import ClassEntry, Source, SourceKind
from druginfo.sources.base import Broken, ClassBatch
from druginfo.sources.text import norm_space

ATC_LEVEL_LENGTHS = (1, 3, 4, 5, 7)
BATCH_SIZE = 5000

ATC_SOURCE = Source(
    id="who-atc",
    publisher="WHO Collaborating Centre for Drug Statistics Methodology",
    document="ATC classification index with DDDs",
    kind=SourceKind.curated,
    url="https://atcddd.fhi.no/atc_ddd_index/",
    reviewed=dt.date(2026, 4, 25),
    language="en",
    acknowledgement="ATC/DDD: WHO Collaborating Centre for Drug Statistics Methodology, Oslo. "
    "Non-commercial reuse with attribution; supplied by the user, not bundled with druginfo.",
)


def atc_parent(code: str) -> str | None:
    """Parent code by ATC level lengths; None for a first-level (anatomical group) code."""
    n = len(code)
    for shorter, longer in itertools.pairwise(ATC_LEVEL_LENGTHS):
        if n == longer:
            return code[:shorter]
    return None


def is_atc_code(code: str) -> bool:
    if len(code) not in ATC_LEVEL_LENGTHS or not code[:1].isalpha():
        return False
    return code.isalnum() and code.upper() == code


def header_kind(first_line: str) -> str | None:
    """'atc' for the main table, 'atc-combinations' for the combinations file, else None."""
    cells = [c.strip().strip('"') for c in first_line.lstrip("\ufeff").strip().split(",")]
    if cells[:2] == ["atc_code", "atc_name"]:
        return "atc"
    if cells[:2] == ["atc_code", "brand_name"]:
        return "atc-combinations"
    return None


def iter_atc(
    stream: IO[bytes], origin: str, *, batch_size: int = BATCH_SIZE
) -> Iterator[ClassBatch | Broken]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        header = next(reader, None)
    except (csv.Error, UnicodeDecodeError) as exc:
        yield Broken(origin=origin, reason=f"ATC: unreadable CSV: {exc}")
        return
    kind = header_kind(",".join(header)) if header else None
    if kind == "atc-combinations":
        return
    if kind != "atc" or header is None:
        yield Broken(origin=origin, reason=f"ATC: unexpected header {header!r}")
        return
    seen: set[str] = set()
    batch: list[ClassEntry] = []
    line = 1
    try:
        for row in reader:
            line += 1
            if not row or not any(c.strip() for c in row):
                continue
            code = row[0].strip()
            name = norm_space(row[1]) if len(row) > 1 else ""
            if not is_atc_code(code) or not name or name == "NA":
                yield Broken(f"{origin}:{line}", f"ATC: bad row {row!r}")
                continue
            if code in seen:
                continue
            seen.add(code)
            batch.append(ClassEntry(system="atc", code=code, name=name, parent=atc_parent(code)))
            if len(batch) >= batch_size:
                yield ClassBatch(entries=batch, origin=origin)
                batch = []
    except (csv.Error, UnicodeDecodeError) as exc:
        yield Broken(f"{origin}:{line}", f"ATC: unreadable CSV: {exc}")
    if batch:
        yield ClassBatch(entries=batch, origin=origin)
