"""DDInter drug-drug interaction tables (CSV `DDInterID_A,Drug_A,DDInterID_B,Drug_B,Level`).

DDInter is licensed CC BY-NC-SA 4.0 (non-commercial): druginfo never bundles it; a user who
may use it supplies the files to `druginfo ingest`.

Rows become `InteractionPair`s in batches (bounded memory). Names are lower-cased with their
whitespace collapsed, and each pair is put in alphabetical order (`drug_a` <= `drug_b`, the
DDInter ids following their names) so that "A-B" and "B-A" are one pair to the store. The
download is split by ATC group and a pair of drugs in two groups appears in two files; the
parser passes such repeats on (the store's upsert makes them one), so rows read = rows in the
files.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import IO

from druginfo.model import InteractionPair, Source, SourceKind
from druginfo.sources.base import Broken, InteractionBatch
from druginfo.sources.text import norm_space

HEADER = ("DDInterID_A", "Drug_A", "DDInterID_B", "Drug_B", "Level")
LEVELS = frozenset({"major", "moderate", "minor", "unknown"})
BATCH_SIZE = 5000

DDINTER_SOURCE = Source(
    id="ddinter",
    publisher="DDInter",
    document="DDInter 1.0: drug-drug interaction database (downloads by ATC group)",
    kind=SourceKind.curated,
    url="http://ddinter.scbdd.com/",
    reference="Xiong G, et al. DDInter: an online drug-drug interaction database towards "
    "improving clinical decision-making and patient safety. Nucleic Acids Res. 2022;50(D1):D1200-7.",
    language="en",
    acknowledgement="Interaction data: DDInter (CC BY-NC-SA 4.0, non-commercial use only; "
    "supplied by the user, not bundled with druginfo).",
)


def is_ddinter_header(first_line: str) -> bool:
    cells = [c.strip().strip('"') for c in first_line.lstrip("\ufeff").strip().split(",")]
    return tuple(cells[:5]) == HEADER


def normalise_name(name: str) -> str:
    return norm_space(name).lower()


def iter_ddinter(
    stream: IO[bytes], origin: str, *, batch_size: int = BATCH_SIZE
) -> Iterator[InteractionBatch | Broken]:
    """Batches of pairs from one CSV file; a bad row is one Broken record, the rest go on."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        header = next(reader, None)
    except (csv.Error, UnicodeDecodeError) as exc:
        yield Broken(origin=origin, reason=f"DDInter: unreadable CSV: {exc}")
        return
    if header is None or tuple(c.strip() for c in header[:5]) != HEADER:
        yield Broken(origin=origin, reason=f"DDInter: unexpected header {header!r}")
        return
    batch: list[InteractionPair] = []
    line = 1
    try:
        for row in reader:
            line += 1
            if not row or not any(cell.strip() for cell in row):
                continue
            if len(row) < 5:
                yield Broken(f"{origin}:{line}", f"DDInter: {len(row)} columns, expected 5")
                continue
            id_a, name_a, id_b, name_b, level_raw = (c.strip() for c in row[:5])
            level = level_raw.lower()
            a, b = normalise_name(name_a), normalise_name(name_b)
            if level not in LEVELS or not a or not b:
                yield Broken(f"{origin}:{line}", f"DDInter: bad row {row!r}")
                continue
            if b < a:
                a, b, id_a, id_b = b, a, id_b, id_a
            batch.append(
                InteractionPair(
                    drug_a=a,
                    drug_b=b,
                    level=level,
                    source="ddinter",
                    source_ids=[id_a, id_b],
                )
            )
            if len(batch) >= batch_size:
                yield InteractionBatch(pairs=batch, origin=origin)
                batch = []
    except (csv.Error, UnicodeDecodeError) as exc:
        yield Broken(f"{origin}:{line}", f"DDInter: unreadable CSV: {exc}")
    if batch:
        yield InteractionBatch(pairs=batch, origin=origin)
