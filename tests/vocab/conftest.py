"""Fixtures of the vocabulary tests: the bundled vocabulary and readers of the shared data."""

from __future__ import annotations

import csv
import html
import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from druginfo.vocab import Vocab


@pytest.fixture(scope="module")
def vocab() -> Vocab:
    return Vocab.bundled()


def _divs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "div" and isinstance(v, str):
                yield v
            else:
                yield from _divs(v)
    elif isinstance(node, list):
        for item in node:
            yield from _divs(item)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def leaflet_text(path: Path) -> str:
    """The words of an ePI leaflet: XHTML tags stripped, entities decoded, spaces collapsed."""
    bundle = json.loads(path.read_text(encoding="utf-8"))
    parts = [html.unescape(re.sub(r"<[^>]+>", " ", div)) for div in _divs(bundle)]
    return squash(" ".join(parts))


def atc_lines(path: Path) -> set[str]:
    """'<code> <name>' for every row of a WHO ATC index file, as the vocabulary quotes them."""
    with path.open(encoding="utf-8", newline="") as fh:
        return {squash(f"{row['atc_code']} {row['atc_name']}") for row in csv.DictReader(fh)}


@pytest.fixture(scope="session")
def shared_text(data_dir: Path) -> Callable[[str], str]:
    """Text of a shared data file by its path relative to ../shared/data (cached)."""

    @cache
    def read(reference: str) -> str:
        path = data_dir / reference
        if path.suffix == ".json":
            return leaflet_text(path)
        if path.suffix == ".csv":
            return "\n".join(sorted(atc_lines(path)))
        return squash(path.read_text(encoding="utf-8"))

    return read


@pytest.fixture(scope="session")
def atc_rows(data_dir: Path) -> list[dict[str, str]]:
    path = data_dir / "who-atc" / "WHO ATC-DDD 2026-04-25.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))
