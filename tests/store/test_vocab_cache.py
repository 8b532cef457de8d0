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


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per vocabulary the service builds from a store (a cache hit adds none)."""
    counted: list[int] = []
    real = build_vocab

    def counting(s: object) -> object:
        counted.append(1)
        return real(s)  # type: ignore[arg-type]

    monkeypatch.setattr("druginfo.service.build_vocab", counting)
    return counted


def test_reused_until_the_store_changes(
    cache: Path, tmp_path: Path, make_mono: MakeMono, builds: list[int]
) -> None:
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
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


# --- the file in two parts: the parsed bundled YAML is read only when asked for ----------


def _aliases(root: object) -> tuple[dict[int, str], list[tuple[str, ...]]]:
    """Every mutable object reachable from `root`, by the first path reaching it, and the
    groups of paths reaching one object (which references are shared)."""
    first: dict[int, str] = {}
    seen: dict[int, list[str]] = {}
    stack: list[tuple[object, str]] = [(root, "")]
    while stack:
        obj, path = stack.pop()
        if obj is None or isinstance(obj, str | int | float | bool | bytes):
            continue
        paths = seen.setdefault(id(obj), [])
        paths.append(path)
        if len(paths) > 1:
            continue
        first[id(obj)] = path
        if isinstance(obj, dict):
            items = [(v, f"{path}[{k!r}]") for k, v in obj.items()]
        elif isinstance(obj, list | tuple | set | frozenset):
            items = [
                (v, f"{path}[{i}]")
                for i, v in enumerate(
                    sorted(obj, key=repr) if isinstance(obj, set | frozenset) else obj
                )
            ]
        elif hasattr(obj, "__dict__"):
            items = [(v, f"{path}.{k}") for k, v in vars(obj).items()]
        else:
            items = []
        stack.extend(reversed(items))
    groups = sorted(tuple(sorted(p)) for p in seen.values() if len(p) > 1)
    return first, groups


def test_two_parts_read_back_the_same_vocabulary(
    cache: Path, tmp_path: Path, make_mono: MakeMono
) -> None:
    """Equal attributes and the same shared references as the vocabulary saved (the source
    dict the vaccine matcher shares with the vocabulary, which ATC classes extend, above
    all), whether the second part is loaded by an attribute or by pickling."""
    import copy
    import pickle

    from druginfo.vocab import Vocab

    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    try:
        store.upsert_monograph(
            make_mono("quenzumab", brands=["Quenza"]), doc_id="t:q", checksum="1"
        )
        built = build_vocab(store)
        built_state = {k: v for k, v in vars(built).items()}
        cached_vocab(store)  # writes the file
        loaded = cached_vocab(store)
        assert isinstance(loaded, Vocab) and type(loaded) is not Vocab  # part two not read yet
        assert "_data" not in vars(loaded)
        assert loaded.resolve("Quenza").key == "quenzumab"  # type: ignore[union-attr]
        assert "_data" not in vars(loaded)  # a name lookup does not read it
        assert loaded.class_def("il1-blocker") is not None  # ...a class definition does
        assert type(loaded) is Vocab
        built.resolve("Quenza")  # the same calls, the same memos
        built.class_def("il1-blocker")
        assert set(vars(loaded)) == set(built_state)
        for name, value in built_state.items():
            if name != "_vaccines":
                assert vars(loaded)[name] == value, name
        assert vars(loaded._vaccines).keys() == vars(built._vaccines).keys()
        assert loaded._vaccines._sources is loaded._sources  # type: ignore[attr-defined]
        _, built_groups = _aliases(built)
        _, loaded_groups = _aliases(loaded)
        assert loaded_groups == built_groups

        other = cached_vocab(store)
        assert type(other) is not Vocab
        twin = pickle.loads(pickle.dumps(other))  # pickling loads the rest first
        assert type(other) is Vocab and type(twin) is Vocab
        assert _aliases(twin)[1] == built_groups
        assert type(copy.deepcopy(cached_vocab(store))) is Vocab
        assert vocab_cache._LOCK.acquire(blocking=False)  # never left held
        vocab_cache._LOCK.release()
    finally:
        store.close()


def test_a_damaged_second_part_is_rebuilt(
    cache: Path, tmp_path: Path, make_mono: MakeMono, builds: list[int]
) -> None:
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    try:
        store.upsert_monograph(
            make_mono("quenzumab", brands=["Quenza"]), doc_id="t:q", checksum="1"
        )
        cached_vocab(store)
        (path,) = cache.glob("vocab-*")
        data = bytearray(path.read_bytes())
        data[-200] ^= 0x01  # inside the second part's bytes
        path.write_bytes(bytes(data))
        vocab = cached_vocab(store)
        assert len(builds) == 2
        assert vocab.class_def("il1-blocker") is not None
    finally:
        store.close()


def test_show_reads_no_bundled_yaml_records(
    cache: Path, tmp_path: Path, make_mono: MakeMono
) -> None:
    """In a fresh process, a name looked up in the cached vocabulary imports none of the
    classes of the parsed bundled YAML."""
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 's.db'}"
    store = open_store(url)
    try:
        store.upsert_monograph(
            make_mono("quenzumab", brands=["Quenza"]), doc_id="t:q", checksum="1"
        )
        cached_vocab(store)
    finally:
        store.close()
    code = (
        "import sys\n"
        "from druginfo.service import cached_vocab\n"
        "from druginfo.store import open_store\n"
        f"v = cached_vocab(open_store({url!r}))\n"
        "print(v.resolve('Quenza').key, 'druginfo.vocab.data' in sys.modules)\n"
        "v.class_def('tnf-blocker')\n"
        "print('druginfo.vocab.data' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.stdout.split() == ["quenzumab", "False", "True"], run.stderr
