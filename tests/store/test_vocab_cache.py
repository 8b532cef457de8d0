"""The vocabulary built from a store is reused while the store and the code are unchanged,
and rebuilt as soon as either changes or the cache file is damaged."""

from __future__ import annotations

from pathlib import Path

import pytest

from druginfo.model import ClassEntry
from druginfo.service import build_vocab, cached_vocab
from druginfo.store import open_store, vocab_cache
from store.conftest import MakeMono  # type: ignore[import-not-found]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(vocab_cache.ENV_CACHE, str(folder))
    return folder


def test_reused_until_the_store_changes(
    cache: Path, tmp_path: Path, make_mono: MakeMono, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    builds: list[int] = []
    real = build_vocab

    def counting(s: object) -> object:
        builds.append(1)
        return real(s)  # type: ignore[arg-type]

    monkeypatch.setattr("druginfo.service.build_vocab", counting)
    try:
        store.upsert_monograph(
            make_mono("quenzumab", brands=["Quenza"]), doc_id="t:q", checksum="1"
        )
        first = cached_vocab(store)
        again = cached_vocab(store)
        assert len(builds) == 1
        assert again.resolve("Quenza") is not None and again.resolve("Quenza").key == "quenzumab"  # type: ignore[union-attr]
        assert first is not again  # a copy from the file, not the same object

        store.upsert_monograph(
            make_mono("travoxatin", brands=["Travoxin"]), doc_id="t:t", checksum="2"
        )
        fresh = cached_vocab(store)
        assert len(builds) == 2
        assert fresh.resolve("Travoxin") is not None

        store.add_classes([ClassEntry(system="atc", code="L04AB97", name="travoxatin")])
        cached_vocab(store)
        assert len(builds) == 3

        for f in cache.glob("vocab-*"):
            f.write_bytes(b"damaged")
        assert cached_vocab(store).resolve("Travoxin") is not None
        assert len(builds) == 4
    finally:
        store.close()


def test_two_stores_never_share_an_entry(cache: Path, tmp_path: Path, make_mono: MakeMono) -> None:
    a = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    b = open_store(f"sqlite:///{tmp_path / 'b.db'}")
    try:
        a.upsert_monograph(make_mono("quenzumab", brands=["Quenza"]), doc_id="t:q", checksum="1")
        b.upsert_monograph(make_mono("travoxatin", brands=["Travoxin"]), doc_id="t:t", checksum="1")
        assert a.generation() == b.generation()  # type: ignore[attr-defined]
        va, vb = cached_vocab(a), cached_vocab(b)
        assert va.resolve("Quenza") is not None and vb.resolve("Quenza") is None
        assert vb.resolve("Travoxin") is not None and va.resolve("Travoxin") is None
    finally:
        a.close()
        b.close()
