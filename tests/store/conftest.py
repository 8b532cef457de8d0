"""Store fixtures: every store test runs against SQLite and against a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ → `support` package

from druginfo.model import (
    Claim,
    Identity,
    Monograph,
    Section,
    Source,
    SourceKind,
    Topic,
)
from druginfo.store import open_store
from druginfo.store.base import Store
from support.postgres import PostgresServer, postgres_server

__all__ = ["postgres_server"]

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = open_store(store_url)
    try:
        yield s
    finally:
        s.close()


MakeMono = Callable[..., Monograph]


@pytest.fixture
def make_mono() -> MakeMono:
    """A small leaflet-like monograph; its text is built from the arguments only."""

    def make(
        key: str,
        *,
        brands: list[str] | None = None,
        language: str = "en",
        curated: bool = False,
        date: dt.date | None = dt.date(2022, 2, 16),
        sections: list[tuple[str, str]] | None = None,
        kind: SourceKind = SourceKind.label,
        **extra: Any,
    ) -> Monograph:
        source_id = f"src-{key}-{language}"
        source = Source(
            id=source_id,
            publisher="Test publisher",
            document=f"{key} leaflet",
            kind=SourceKind.curated if curated else kind,
            language=language,
            reviewed=date,
        )
        secs = sections or [("About", f"{key} is a medicine.")]
        claims = [
            Claim(
                id=f"c{i}",
                topic=Topic.other,
                source=source_id,
                quote=text.split(".")[0] + ".",
                section=title,
            )
            for i, (title, text) in enumerate(secs)
        ]
        return Monograph(
            key=key,
            identity=Identity(generic=key, brands=brands or [], substances=[key]),
            curated=curated,
            language=language,
            document_date=date,
            sources=[source],
            claims=claims,
            sections=[
                Section(topic=Topic.other, title=t, text=x, claims=[f"c{i}"])
                for i, (t, x) in enumerate(secs)
            ],
            **extra,
        )

    return make
