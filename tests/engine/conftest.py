"""Fixtures of the engine tests: the fake vocabulary and the small monograph."""

from __future__ import annotations

import pytest
from engine_data import FakeVocab, make_monograph

from druginfo.model import Monograph


@pytest.fixture(scope="session")
def vocab() -> FakeVocab:
    return FakeVocab()


@pytest.fixture(scope="session")
def mono() -> Monograph:
    return make_monograph()
