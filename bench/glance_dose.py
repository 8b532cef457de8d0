"""The "usual dose" line of the at-a-glance card, measured over every stored leaflet.

For each leaflet document (every language) the card is built as the page builds it; the
dose line is counted in words and tested for a dose number (a number with a unit of amount).
A line over the word bound, or without a number, reads badly: a run-on or a wrong fragment.
Cards that rightly send the reader to the dosing section ("see the dosing section") are
counted apart, as are cards with no dose line at all.

    .venv/bin/python bench/glance_dose.py [--db sqlite:///...] [--bound 40] [--show 10]

Uses the default store (XDG_DATA_HOME) unless --db is given.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter

from druginfo.interfaces.glance import glance
from druginfo.store import open_store

DOSE_NUMBER = re.compile(
    r"(?:\d(?:[.,]\d+)?|\b(?:one|two|three|four|half|en|én|et|to|tre|fire|halv|um|uma|dois|"
    r"duas|três|quatro|meio|meia))\s*(?:\w+\s+)?(?:kapsel|inalações|hætteglas|frascos?|saquetas?|"
    r"sprayaktiveringer|injektioner|I\.U\.|mg|g|ml|mL|micrograms?|mikrogram|microgramas|µg|mcg|units?|enheder|"
    r"unidades|IE|IU|E|U|tablets?|tabletter?|comprimidos?|capsules?|kapsler?|cápsulas?|"
    r"doses?|dose|puffs?|drops?|sachets?|injections?|pens?|syringes?|vials?|"
    r"inhalations?|sprays?|pust|dråber|gotas)\b",
    re.I,
)


def words(text: str) -> int:
    return len(text.split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None)
    parser.add_argument("--bound", type=int, default=40)
    parser.add_argument("--show", type=int, default=0, help="print N bad examples")
    parser.add_argument("--lang", default=None, help="only this language")
    args = parser.parse_args()
    store = open_store(args.db)
    tally: Counter[str] = Counter()
    bad: list[tuple[str, str, str]] = []
    lengths: list[int] = []
    for summary in store.list_drugs():
        for mono in store.documents_for(summary.key):
            if mono.curated or (args.lang and mono.language != args.lang):
                continue
            tally["cards"] += 1
            tally[f"cards-{mono.language}"] += 1
            line = next((ln for ln in glance(mono).lines if ln.id == "dose"), None)
            if line is None:
                tally["no dose line"] += 1
                tally[f"no dose line-{mono.language}"] += 1
                continue
            if not line.claims:
                tally["refers to dosing section"] += 1
                tally[f"refers to dosing section-{mono.language}"] += 1
                continue
            n = words(line.text)
            lengths.append(n)
            long = n > args.bound
            numberless = DOSE_NUMBER.search(line.text) is None
            tally["dose lines"] += 1
            tally["over bound"] += long
            tally["no dose number"] += numberless
            tally[f"over bound-{mono.language}"] += long
            tally[f"no dose number-{mono.language}"] += numberless
            if long or numberless:
                why = ("long " if long else "") + ("no-number" if numberless else "")
                bad.append((mono.sources[0].document if mono.sources else mono.key, why, line.text))
    store.close()
    lengths.sort()
    for key in sorted(tally):
        print(f"{key:28} {tally[key]}")
    if lengths:
        print(f"{'words p50/p90/max':28} {lengths[len(lengths) // 2]}/"
              f"{lengths[int(len(lengths) * 0.9)]}/{lengths[-1]}")  # fmt: skip
    for title, why, text in bad[: args.show]:
        print(f"\n[{why}] {title}\n  {text[:400]}")


if __name__ == "__main__":
    main()
