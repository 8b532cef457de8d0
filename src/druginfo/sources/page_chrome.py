"""Site furniture on publisher pages: general patterns, and a site's template learned from its
other pages.

The patterns are about web sites, never about a medicine's wording: copyright lines,
breadcrumbs, share and newsletter prompts, cookie notices, legal links, review stamps (their
date is kept on the Source), disclaimers about the site itself. A site's template is what it
repeats on its pages about *different* medicines (with each page's own medicine names masked,
so "Sign up for news about metformin" and "... about adalimumab" are one text); a repeated
block that carries clinical words (a dose, a stance, a storage or missed-dose instruction) is
never dropped for being repeated, since two medicines may share real advice.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from druginfo.facts.topics import statement_topic
from druginfo.sources.pages import is_chrome as _seed_chrome
from druginfo.sources.pages import normalize

_PATTERNS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"(?:©|\(c\)|copyright)\s*(?:\d{4}|[a-z])",
        r"\ball rights reserved\b",
        r"^(?:you are here:?\s*)?home\s*(?:>|›|»|/|\|)",
        r"(?:\s(?:>|›|»)\s[^>›»]{1,40}){2,}",
        r"^share\b|\bshare (?:this|on)\b",
        r"\b(?:sign up|subscribe)\b.{0,80}\b(?:newsletter|e-?mails?|alerts?|updates)\b",
        r"\bnewsletter\b",
        r"\bcookies?\b.{0,60}\b(?:accept|use|policy|settings|improve)\b",
        r"^(?:privacy(?: policy)?|terms(?: of (?:use|service))?|terms and conditions|contact us|"
        r"about us|accessibility(?: statement)?|sitemap|site map|careers|advertise(?: with us)?|"
        r"log ?in|sign in|register|menu|search)$",
        r"^skip to (?:main )?content\b",
        r"\bprint (?:this )?page\b|^print$|^back to top$",
        r"\bprinted from\b",
        r"\buse of this (?:site|website) is subject to\b",
        r"\bdoes not (?:provide|constitute|replace|offer) (?:medical |professional )?"
        r"(?:advice|diagnosis)",
        r"\bnot (?:a substitute|intended as a substitute) for (?:professional )?medical advice\b",
        r"\bfor (?:general )?informational purposes only\b",
        r"\bthis (?:leaflet|page|information|article) does not replace\b",
        r"^advertisement$|^sponsored\b",
        r"\bnext review (?:due|date)\b",
        r"^(?:medically |clinically |last |page last |information last )?"
        r"(?:reviewed|updated|revised)\b.{0,80}\d{4}",
        r"^(?:published|last modified)\b.{0,40}\d{4}",
        r"^related (?:articles|stories|content|pages|medicines|links)$",
        r"\bregistered (?:charity|company)\b|\bcompany (?:no|number|registration)\b",
        r"^(?:read more|learn more|see also|more on this topic)\b.{0,60}$",
    )
)
_PIPES = re.compile(r"(?:\s\|\s[^|]{1,40}){2,}")


def is_furniture(text: str) -> bool:
    """True when a block or sentence is site furniture rather than the article."""
    t = normalize(text)
    if not t:
        return True
    return (
        _seed_chrome(t)
        or bool(_PIPES.search(t))
        or any(p.search(t) for p in _PATTERNS)
        or _is_date_stamp(t)
    )


def _is_date_stamp(text: str) -> bool:
    """A short line that only says when the page was reviewed or updated (the date is kept on
    the Source): "This page was last updated 3 March 2025."."""
    from druginfo.sources.page_dates import is_stamp, read_dates

    return len(text.split()) <= 14 and is_stamp(text) and bool(read_dates(text))


_TAIL = re.compile(
    r"^(?:related (?:articles|stories|content|pages|medicines|links)|read this next|"
    r"you (?:might|may) also like|more from|popular (?:articles|stories)|trending)$",
    re.IGNORECASE,
)


def starts_tail(heading: str) -> bool:
    """A heading after which the page is recommendations, not the article."""
    return bool(_TAIL.match(normalize(heading)))


# --- a site's template ---------------------------------------------------------------------------

_CLINICAL = re.compile(
    r"\b(?:dose|doses|dosage|take|taking|use|using|inject\w*|doctor|pharmacist|nurse|pregnan\w*|"
    r"breast-?\s?feed\w*|store|stored|fridge|refrigerat\w*|side effects?|allerg\w*|miss\w*|"
    r"forget|stop|mg|mcg|ml|°)\b|\d",
    re.IGNORECASE,
)


def mask(text: str, names: Iterable[str]) -> str:
    """A block's words with the page's own medicine names replaced, lower case."""
    out = normalize(text).lower()
    for name in sorted({n.lower() for n in names if n and len(n) > 2}, key=len, reverse=True):
        out = re.sub(rf"\b{re.escape(name)}\b", "<medicine>", out)
    return out


def is_template_candidate(text: str) -> bool:
    """Only blocks without clinical words may be dropped for being repeated across pages."""
    return statement_topic(text) is None and not _CLINICAL.search(text)


class SiteTemplates:
    """Blocks each site repeats across its pages about different medicines, per folder.

    `reader(path)` gives (medicine names, block texts) of one page; results are cached by the
    folder listing's modification times, so a folder of pages is read once per ingestion.
    """

    def __init__(self, reader: Callable[[Path], tuple[list[str], list[str]] | None]) -> None:
        self._reader = reader
        self._cache: dict[tuple[str, str], tuple[tuple[tuple[str, float], ...], dict]] = {}
        self._lock = threading.Lock()
        self._busy: set[tuple[str, str]] = set()

    def repeated(self, page: Path, site: str, suffixes: frozenset[str]) -> dict[str, set[str]]:
        """Masked block text → stems of the site's other pages (in the page's folder) that
        carry it; pages of the same stem (one page saved in two formats) count once."""
        folder = page.parent
        key = (str(folder), site)
        try:
            siblings = sorted(
                p
                for p in folder.iterdir()
                if p.is_file()
                and p.suffix.lower() in suffixes
                and _site_of(p.stem) == site
                and p.stem != page.stem
            )
        except OSError:
            return {}
        stamp = tuple((p.name, _mtime(p)) for p in siblings)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and hit[0] == stamp:
                return hit[1]
            if key in self._busy:
                return {}  # reading a sibling must not recurse into template detection
            self._busy.add(key)
        try:
            seen: dict[str, set[str]] = {}
            done: set[str] = set()
            for sibling in siblings:
                if sibling.stem in done:
                    continue
                done.add(sibling.stem)
                read = self._reader(sibling)
                if read is None:
                    continue
                names, blocks = read
                for block in {mask(b, names) for b in blocks}:
                    seen.setdefault(block, set()).add(sibling.stem)
        finally:
            with self._lock:
                self._busy.discard(key)
        with self._lock:
            self._cache[key] = (stamp, seen)
        return seen


def _mtime(path: Path) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


def _site_of(stem: str) -> str:
    return stem.split("-", 1)[0].lower() if "-" in stem else ""
