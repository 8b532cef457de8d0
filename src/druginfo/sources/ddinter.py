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


def _decoded_lines(stream: IO[bytes], origin: str, bad: list[Broken]) -> Iterator[str]:
    """The file's lines as text, each decoded on its own: a line that is not UTF-8 becomes
    a Broken record (collected in `bad`) and an empty line, so it costs that row only."""
    for number, raw in enumerate(stream, 1):
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            bad.append(Broken(f"{origin}:{number}", f"DDInter: row is not UTF-8 text: {exc}"))
            yield "\n"


def iter_ddinter(
    stream: IO[bytes], origin: str, *, batch_size: int = BATCH_SIZE
) -> Iterator[InteractionBatch | Broken]:
    """Batches of pairs from one CSV file; a bad row is one Broken record, the rest go on."""
    bad: list[Broken] = []
    reader = csv.reader(_decoded_lines(stream, origin, bad))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        yield Broken(origin=origin, reason=f"DDInter: unreadable CSV: {exc}")
        return
    if header is None or tuple(c.strip() for c in header[:5]) != HEADER:
        yield Broken(origin=origin, reason=f"DDInter: unexpected header {header!r}")
        return
    yield from bad
    bad.clear()
    batch: list[InteractionPair] = []
    while True:
        failure: csv.Error | None = None
        row: list[str] | None = None
        try:
            row = next(reader)
        except StopIteration:
            pass
        except csv.Error as exc:  # the reader starts afresh on the next line
            failure = exc
        if bad:
            yield from bad
            bad.clear()
        line = reader.line_num
        if failure is not None:
            yield Broken(f"{origin}:{line}", f"DDInter: unreadable CSV row: {failure}")
            continue
        if row is None:
            break
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) < 5:
            yield Broken(f"{origin}:{line}", f"DDInter: {len(row)} columns, expected 5")
            continue
        id_a, name_a, id_b, name_b, level_raw = (c.strip() for c in row[:5])
        level = level_raw.lower()
        a, b = normalise_name(name_a), normalise_name(name_b)
        if level not in LEVELS or not a or not b or not (a + b).isprintable():
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
    if batch:
        yield InteractionBatch(pairs=batch, origin=origin)
