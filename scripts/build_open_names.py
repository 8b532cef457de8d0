"""Build `src/druginfo/data/vocab/open-names.tsv.gz` from the drug-named-entity-recognition
package's dictionary (MIT licence, Fast Data Science; names from DrugBank open vocabulary,
MeSH, NHS and MedlinePlus).

Run by a maintainer, not at run time: `pip download --no-deps drug-named-entity-recognition==2.0.9`,
unzip the wheel, then `python scripts/build_open_names.py WHEEL_DIR [ATC_CSV]`.

The bundle maps a name (brand or synonym) to one substance name. Where the WHO ATC index is
given, a group whose names include an ATC substance name is keyed by that name ('paracetamol'
rather than 'acetaminophen'), so that the names people use in Europe and the keys of the EU
leaflets meet. Only the choice of key uses ATC; no ATC content is written.
Dropped: combinations (their key is not one substance), names shorter than four letters, names
with digits or brackets, names of more than four words, and names that are ordinary words, and
'vitamin X' names of one substance (a vitamin letter names a group).
"""

from __future__ import annotations

import bz2
import csv
import gzip
import pickle
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src/druginfo/data/vocab/open-names.tsv.gz"
NAME = re.compile(r"^[a-z][a-z' -]*[a-z]$")
COMBINATION = re.compile(r",| and | with |/|\+")
# Vaccines are recognised by the vaccine vocabulary, which knows live from non-live.
VACCINE = re.compile(r"vaccin|virus|toxoid|immune globulin|bcg")


def atc_names(path: Path | None) -> set[str]:
    if path is None:
        return set()
    with path.open(encoding="utf-8") as f:
        return {
            row["atc_name"].strip().lower()
            for row in csv.DictReader(f)
            if len(row["atc_code"]) == 7
        }


def main(wheel_dir: Path, atc_csv: Path | None) -> None:
    pkg = wheel_dir / "drug_named_entity_recognition"
    with bz2.open(pkg / "drug_ner_dictionary.pkl.bz2", "rb") as f:
        data = pickle.load(f)  # the registry package's own file, read by a maintainer
    sys.path.insert(0, str(wheel_dir))
    from drug_named_entity_recognition.util import stopwords  # type: ignore[import-not-found]

    atc = atc_names(atc_csv)
    groups: dict[str, set[str]] = {}
    for variant, canonicals in data["drug_variant_to_canonical"].items():
        if len(canonicals) != 1:
            continue
        groups.setdefault(canonicals[0], set()).add(variant)
    rows: dict[str, str] = {}
    for canonical, variants in sorted(groups.items()):
        if COMBINATION.search(canonical) or any(VACCINE.search(n) for n in {canonical, *variants}):
            continue
        names = {canonical, *variants}
        in_atc = sorted(n for n in names if n in atc)
        key = in_atc[0] if len(in_atc) == 1 else canonical
        for name in sorted(names):
            words = name.split()
            if not NAME.match(name) or len(name.replace(" ", "")) < 4 or len(words) > 4:
                continue
            if name != key and (name in stopwords or COMBINATION.search(name)):
                continue
            if name.startswith("vitamin ") and name != key:
                continue  # 'vitamin d' names a group (D2, D3), not the one substance keyed
            rows.setdefault(name, key)
    with gzip.open(OUT, "wt", encoding="utf-8", compresslevel=9) as f:
        f.write("# name\tsubstance -- from drug-named-entity-recognition 2.0.9 (MIT)\n")
        for name, key in sorted(rows.items()):
            f.write(f"{name}\t{key}\n")
    print(f"{len(rows)} names of {len(set(rows.values()))} substances -> {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else None)
