"""Telling a person what the first start is doing: building the database from the bundled
data is a one-time setup that takes about a minute, and silence for that long looks like a
hang. On a terminal the ingest progress bar shows it; anywhere else (the serve script, a
service log, a pipe) plain lines do, a few of them, never a bar's control codes.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

SETUP_TITLE = "One-time setup"


class PlainProgress:
    """Progress as plain lines: one at the start, one every `step` percent, one at the end."""

    def __init__(self, what: str, total: int | None, out: TextIO | None = None, step: int = 10):
        self.what = what
        self.total = total
        self.out = out or sys.stderr
        self.step = step
        self.done = 0
        self._next = step
        self._started = time.perf_counter()

    def line(self, text: str) -> None:
        try:
            self.out.write(f"druginfo: {text}\n")
            self.out.flush()
        except (OSError, ValueError):  # a closed log must not stop the setup
            pass

    def tick(self, *_: object) -> None:
        self.done += 1
        if not self.total:
            return
        percent = 100 * self.done // self.total
        if percent >= self._next and self.done < self.total:
            self.line(f"{SETUP_TITLE}: {self.what} {self.done:,}/{self.total:,} ({percent}%)")
            self._next = (percent // self.step + 1) * self.step


def announce(where: str, out: TextIO | None = None) -> None:
    """The first line: what is happening, that it happens once, and where."""
    stream = out or sys.stderr
    try:
        stream.write(
            f"druginfo: {SETUP_TITLE}: building the medicine database from the bundled data "
            f"(about a minute, only on the first start) in {where}\n"
        )
        stream.flush()
    except (OSError, ValueError):
        pass


def finished(seconds: float, documents: int, out: TextIO | None = None) -> None:
    stream = out or sys.stderr
    try:
        stream.write(
            f"druginfo: {SETUP_TITLE} done: {documents:,} documents in {seconds:.0f} s; "
            "later starts are immediate.\n"
        )
        stream.flush()
    except (OSError, ValueError):
        pass
