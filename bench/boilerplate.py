"""Boilerplate removal libraries measured on the labelled HTML pages (bench/data/extract/pages).

For each page the gold content is what its author marked as the article: the headings, paragraphs
and list items inside <main>, less the blocks marked as site furniture (class "related",
"newsletter", "ad", "cookie-banner", "brand-names" kept). Each library's output lines are
compared with it (pages without <main> are left out): recall = gold lines found in the output, boilerplate = output lines that are
not gold. Also timed (ms per page). Libraries that are not installed are reported as such.

    python bench/boilerplate.py   # any Python with the libraries installed
"""

from __future__ import annotations

import importlib
import re
import time
from collections.abc import Callable
from pathlib import Path

from lxml import html

PAGES = Path(__file__).resolve().parent / "data" / "extract" / "pages"
FURNITURE = ("related", "newsletter", "ad", "cookie-banner")


def norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w°.,%-]+", " ", text.lower()).split())


def gold_lines(markup: str) -> set[str]:
    root = html.fromstring(markup)
    main = root.find(".//main")
    if main is None:
        return set()  # no article marked by its author: not a page this measure can use
    for el in list(main.iter()):
        cls = (el.get("class") or "").split()
        if any(c in FURNITURE for c in cls):
            el.drop_tree()
    out = set()
    for el in main.iter("p", "li", "h1", "h2", "h3", "h4", "dd", "dt"):
        text = norm(el.text_content())
        if text and not any(
            norm(c.text_content()) == text for c in el if c.tag in ("p", "li", "ul")
        ):
            out.add(text)
    return out


def lines_of(text: str) -> list[str]:
    return [n for n in (norm(x) for x in text.splitlines()) if n]


def run_trafilatura(markup: str) -> str:
    trafilatura = importlib.import_module("trafilatura")
    return trafilatura.extract(markup, include_comments=False, include_tables=True) or ""


def run_readability(markup: str) -> str:
    readability = importlib.import_module("readability")
    summary = readability.Document(markup).summary(html_partial=True)
    root = html.fromstring(summary)
    return "\n".join(
        el.text_content() for el in root.iter("p", "li", "h1", "h2", "h3", "h4", "dd", "dt")
    )


def run_justext(markup: str) -> str:
    justext = importlib.import_module("justext")
    paras = justext.justext(markup.encode(), justext.get_stoplist("English"))
    return "\n".join(p.text for p in paras if not p.is_boilerplate)


def run_inscriptis(markup: str) -> str:
    inscriptis = importlib.import_module("inscriptis")
    return inscriptis.get_text(markup)


LIBRARIES: dict[str, Callable[[str], str]] = {
    "trafilatura": run_trafilatura,
    "readability-lxml": run_readability,
    "justext": run_justext,
    "inscriptis": run_inscriptis,
}


def main() -> None:
    pages = [p for p in sorted(PAGES.glob("*.html")) if gold_lines(p.read_text(encoding="utf-8"))]
    print(f"{len(pages)} HTML pages with an author-marked <main>")
    print(f"{'library':18} {'recall':>7} {'boilerplate':>12} {'ms/page':>8}")
    for name, fn in LIBRARIES.items():
        found = total = kept = noise = 0
        elapsed = 0.0
        try:
            for page in pages:
                markup = page.read_text(encoding="utf-8")
                gold = gold_lines(markup)
                t0 = time.perf_counter()
                out = lines_of(fn(markup))
                elapsed += time.perf_counter() - t0
                joined = "\n".join(out)
                found += sum(1 for g in gold if g in joined)
                total += len(gold)
                kept += len(out)
                noise += sum(1 for line in out if not any(line in g or g in line for g in gold))
        except ImportError as exc:
            print(f"{name:18} not installed ({exc})")
            continue
        print(
            f"{name:18} {found / total:7.2f} {noise / max(kept, 1):12.2%} "
            f"{1000 * elapsed / len(pages):8.1f}"
        )


if __name__ == "__main__":
    main()
