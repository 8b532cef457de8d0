"""Publisher-page parsing stays linear in the page's size.

Two shapes that used to be slow are generated here (words drawn at random, so nothing keys on
a real page): a hard-wrapped text page whose paragraphs have no sentence end (each wrapped
line joins the one before: the join was quadratic), and a large HTML page. Each is parsed at
a tenth of its size and at full size; the benchmark prints the time per MB of both (a linear
parser keeps them within 2x of each other) beside a baseline measured in the same run:
decoding the bytes and collapsing the whitespace of every line, the least any parser does.

    .venv/bin/python bench/pages.py [--text-mb 3.5] [--html-mb 50] [--quick]

Budgets (targets): the 3.5 MB text page in <= 10 s, the 50 MB HTML page in <= 120 s, and
the per-MB time at full size <= 2x the per-MB time at a tenth.
"""

from __future__ import annotations

import argparse
import random
import textwrap
import time

from druginfo.sources.pages import html_to_text
from druginfo.sources.publisher import parse_page

WORDS = [
    "patients",
    "should",
    "take",
    "the",
    "tablets",
    "each",
    "day",
    "with",
    "food",
    "and",
    "report",
    "any",
    "rash",
    "fever",
    "cough",
    "or",
    "infection",
    "to",
    "their",
    "doctor",
    "before",
    "surgery",
    "while",
    "pregnant",
    "breastfeeding",
    "elderly",
    "children",
]


def wrapped_page(n_bytes: int, rng: random.Random) -> bytes:
    out = ["Examplomab (Exampliq)\n\nGeneric name: examplomab\nBrand names: Exampliq\n\n"]
    size = 0
    while size < n_bytes:
        para = " ".join(rng.choice(WORDS) for _ in range(120))  # no full stop: lines join
        chunk = textwrap.fill(para, 72) + "\n"
        out.append(chunk)
        size += len(chunk)
    return "".join(out).encode()


def html_page(n_bytes: int, rng: random.Random) -> bytes:
    out = [
        "<html><body><h1>Examplomab (Exampliq)</h1><p>Generic name: examplomab</p>"
        "<p>Brand names: Exampliq</p>"
    ]
    size = 0
    i = 0
    while size < n_bytes:
        i += 1
        if i % 25 == 0:
            chunk = f"<h2>Side effects, part {i}</h2>\n"
        else:
            chunk = "<p>" + " ".join(rng.choice(WORDS) for _ in range(60)) + ".</p>\n"
        out.append(chunk)
        size += len(chunk)
    out.append("</body></html>")
    return "".join(out).encode()


def baseline(raw: bytes, html: bool) -> None:
    text = raw.decode("utf-8")
    if html:
        text = html_to_text(text)
    for line in text.splitlines():
        " ".join(line.split())


def timed(fn: object, *args: object) -> float:
    started = time.perf_counter()
    fn(*args)  # type: ignore[operator]
    return time.perf_counter() - started


def run(label: str, make: object, mb: float, html: bool, budget: float) -> None:
    rng = random.Random(7)
    small = make(int(mb * 1e5), rng)  # type: ignore[operator]
    big = make(int(mb * 1e6), rng)  # type: ignore[operator]
    name = "examplomab.html" if html else "examplomab.txt"
    t_small = timed(lambda raw: parse_page(raw, name, name=name), small)
    t_big = timed(lambda raw: parse_page(raw, name, name=name), big)
    b_big = timed(baseline, big, html)
    per_small = t_small / (len(small) / 1e6)
    per_big = t_big / (len(big) / 1e6)
    growth = per_big / per_small
    print(
        f"[{label}] {len(big) / 1e6:.1f} MB in {t_big:.2f} s ({per_big:.2f} s/MB; "
        f"at {len(small) / 1e6:.2f} MB {per_small:.2f} s/MB: growth {growth:.2f}x) | "
        f"baseline (decode + whitespace{' + HTML' if html else ''}) {b_big:.2f} s | "
        f"ratio {t_big / b_big:.1f}x"
    )
    print(
        f"[{label}] target <= {budget:.0f} s: {'MET' if t_big <= budget else 'NOT MET'}; "
        f"linear (growth <= 2x): {'MET' if growth <= 2 else 'NOT MET'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--text-mb", type=float, default=3.5)
    parser.add_argument("--html-mb", type=float, default=50.0)
    parser.add_argument("--quick", action="store_true", help="HTML at 5 MB instead of 50")
    args = parser.parse_args()
    run("hard-wrapped text", wrapped_page, args.text_mb, False, 10.0)
    html_mb = 5.0 if args.quick else args.html_mb
    run("HTML page", html_page, html_mb, True, 120.0 * html_mb / 50.0)


if __name__ == "__main__":
    main()
