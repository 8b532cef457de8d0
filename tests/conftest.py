"""Fixtures shared by every test: where the read-only shared data lives."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared").resolve()

# Caches the tests make (the built vocabulary, druginfo.store.vocab_cache) stay out of the
# user's cache directory; subprocesses inherit the setting.
os.environ.setdefault("DRUGINFO_CACHE_DIR", tempfile.mkdtemp(prefix="druginfo-test-cache-"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"../shared is missing beside the repository (looked in {SHARED})")
    return SHARED


@pytest.fixture(scope="session")
def seeds_dir(shared_dir: Path) -> Path:
    return shared_dir / "seeds"


@pytest.fixture(scope="session")
def data_dir(shared_dir: Path) -> Path:
    return shared_dir / "data"


@pytest.fixture(scope="session")
def bundled_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store holding the bundled data, as a fresh install has (filled once per
    process by support.bundled_store, then copied)."""
    from support.bundled_store import bundled_db_url as filled_copy

    return filled_copy(tmp_path_factory.mktemp("store") / "druginfo.db")
