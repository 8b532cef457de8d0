"""The vocabulary learned from a store, kept between runs so a command need not rebuild it.

Building the vocabulary (bundled YAML + every name and ATC class the store holds) costs a
large part of a short command's start-up; loading the built one costs a few milliseconds.
The cache is a file in the user's cache directory (never inside the database: a shared
PostgreSQL server must not hand pickled objects to its clients), keyed by everything the
vocabulary is made from:

- the store's identity (its URL and the random id written when it was created) and its
  generation counter, which grows with every committed change to names or classes;
- the code and data that build it (sizes and modification times of the vocabulary and model
  modules and of the bundled vocabulary files).

Any mismatch, or an unreadable file, just means building it again (and rewriting the cache).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

ENV_CACHE = "DRUGINFO_CACHE_DIR"  # tests and packagers may point it elsewhere
_MAGIC = b"druginfo-vocab-1\n"
_KEEP = 16  # cache files kept (one per store used recently)


def cache_dir() -> Path:
    env = os.environ.get(ENV_CACHE, "").strip()
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("druginfo"))


def _code_fingerprint() -> bytes:
    digest = hashlib.sha256()
    root = resources.files("druginfo")
    for parts in (
        ("vocab",),
        ("model",),
        ("data", "vocab"),
        ("service.py",),
        ("sources", "atc.py"),
    ):
        entry = root.joinpath(*parts)
        files = sorted(entry.iterdir(), key=lambda f: f.name) if entry.is_dir() else [entry]
        for f in files:
            try:
                st = os.stat(str(f))
            except OSError:
                continue
            digest.update(f"{f.name}:{st.st_size}:{st.st_mtime_ns};".encode())
    return digest.digest()


def cached(store: Any, build: Callable[[], T]) -> T:
    """`build()`'s result for this store's current state, from the cache when it matches."""
    meta = getattr(store, "meta", None)
    generation = getattr(store, "generation", None)
    store_id = meta("store-id") if meta is not None else None
    if not store_id or generation is None:
        return build()
    url = str(getattr(store, "url", ""))
    gen = int(generation())
    key = hashlib.sha256(f"{url}\0{store_id}\0{gen}\0".encode() + _code_fingerprint()).hexdigest()
    path = cache_dir() / f"vocab-{hashlib.sha256(f'{url}{store_id}'.encode()).hexdigest()[:20]}"
    loaded = _load(path, key)
    if loaded is not None:
        return loaded
    value = build()
    _save(path, key, value)
    return value


def _load(path: Path, key: str) -> Any:
    try:
        with path.open("rb") as fh:
            if fh.readline() != _MAGIC or fh.readline().decode().strip() != key:
                return None
            return pickle.load(fh)
    except Exception:  # any damage: rebuild
        return None


def _save(path: Path, key: str, value: Any) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(_MAGIC + key.encode() + b"\n")
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # readers see the old file or the new one, never half
        _prune(path.parent)
    except Exception:  # a cache that cannot be written is only slower
        return


def _prune(folder: Path) -> None:
    files = sorted(folder.glob("vocab-*"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[_KEEP:]:
        old.unlink(missing_ok=True)
