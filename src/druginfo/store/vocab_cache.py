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

A command that shows one medicine asks the vocabulary one name. The parsed bundled YAML the
vocabulary also keeps (its class definitions, vaccine records: objects of the pydantic
classes of `druginfo.vocab.data`) is never read for that, yet unpickling it would import
those classes and rebuild hundreds of their objects. So the attributes holding such objects
are stored as a second pickle inside the file, read the first time one of them is asked
for (a lock makes that happen once; until then the object's class is a subclass that knows
how to load the rest, and afterwards it is the original class again). Objects the two parts
share are written once, in the first part, and referred to from the second, so the
vocabulary read back is the one that was saved, shared references included.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import pickle
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

ENV_CACHE = "DRUGINFO_CACHE_DIR"  # tests and packagers may point it elsewhere
_MAGIC = b"druginfo-vocab-2\n"
_KEEP = 16  # cache files kept (one per store used recently)
# Modules whose objects a name lookup never reads: loaded with the second part of the file.
LATER_MODULES = frozenset({"druginfo.vocab.data"})
_REST = "_druginfo_cache_rest"  # the instance attribute holding the unread second part
_LOCK = threading.Lock()


def cache_dir() -> Path:
    env = os.environ.get(ENV_CACHE, "").strip()
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("druginfo"))


def _code_fingerprint() -> bytes:
    digest = hashlib.sha256()
    from druginfo.package_files import files as package_files

    root = package_files()
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
            stored = pickle.load(fh)
    except Exception:  # any damage: rebuild
        return None
    if type(stored) is tuple and len(stored) == 2 and stored[0] == "whole":
        return stored[1]
    if type(stored) is not tuple or len(stored) != 5 or stored[0] != "split":
        return None
    _, cls, first, rest, digest = stored
    if hashlib.sha256(rest).digest() != digest:  # a damaged second part: rebuild now
        return None
    value = cls.__new__(cls)
    value.__dict__.update(first)
    value.__dict__[_REST] = rest
    value.__class__ = _later_class(cls)
    return value


def _save(path: Path, key: str, value: Any) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        import tempfile  # only when writing: a run that reads the cache never needs it

        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(_MAGIC + key.encode() + b"\n")
            pickle.dump(_split(value), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # readers see the old file or the new one, never half
        _prune(path.parent)
    except Exception:  # a cache that cannot be written is only slower
        return


def _prune(folder: Path) -> None:
    files = sorted(folder.glob("vocab-*"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[_KEEP:]:
        old.unlink(missing_ok=True)


# --- the file in two parts ----------------------------------------------------------------


def _split(value: Any) -> tuple[Any, ...]:
    """("split", class, first attributes, pickled later attributes, their digest), or
    ("whole", value) for an object that cannot load part of itself later."""
    cls = type(value)
    state = getattr(value, "__dict__", None)
    if state is None or hasattr(cls, "__getattr__") or hasattr(cls, "__slots__"):
        return ("whole", value)
    first: dict[str, Any] = {}
    later: dict[str, Any] = {}
    for name, attr in state.items():
        (later if _holds_later(attr) else first)[name] = attr
    if not later:
        return ("whole", value)
    refs: dict[int, tuple[Any, ...]] = {}
    for name, attr in first.items():
        if not _atom(attr):
            refs[id(attr)] = ("attr", name)
        if type(attr) is dict:
            for k, v in attr.items():
                if not _atom(v):
                    refs.setdefault(id(v), ("item", name, k))
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.persistent_id = lambda obj: None if _atom(obj) else refs.get(id(obj))  # type: ignore[method-assign]
    pickler.dump(later)
    rest = buffer.getvalue()
    return ("split", cls, first, rest, hashlib.sha256(rest).digest())


def _atom(value: Any) -> bool:
    return value is None or type(value) in (str, int, float, bool, bytes)


def _holds_later(value: Any) -> bool:
    """Whether pickling `value` would pickle an object of a class from LATER_MODULES."""
    found = False

    def persistent_id(obj: Any) -> None:
        nonlocal found
        if not found and type(obj).__module__ in LATER_MODULES:
            found = True

    pickler = pickle.Pickler(io.BytesIO(), protocol=pickle.HIGHEST_PROTOCOL)
    pickler.persistent_id = persistent_id  # type: ignore[method-assign]
    pickler.dump(value)
    return found


def _load_rest(value: Any, cls: type) -> None:
    with _LOCK:
        state = value.__dict__
        rest = state.get(_REST)
        if rest is None:
            return

        def persistent_load(ref: tuple[Any, ...]) -> Any:
            return state[ref[1]] if ref[0] == "attr" else state[ref[1]][ref[2]]

        unpickler = pickle.Unpickler(io.BytesIO(rest))
        unpickler.persistent_load = persistent_load  # type: ignore[method-assign]
        state.update(unpickler.load())  # present before the marker goes: no thread sees neither
        del state[_REST]
        value.__class__ = cls


@functools.cache
def _later_class(cls: type) -> type:
    """`cls`, able to load the second part of its state when an attribute of it is asked."""

    def __getattr__(self: Any, name: str) -> Any:
        _load_rest(self, cls)
        return object.__getattribute__(self, name)

    def __reduce_ex__(self: Any, protocol: Any) -> Any:
        _load_rest(self, cls)
        return self.__reduce_ex__(protocol)

    namespace = {"__getattr__": __getattr__, "__reduce_ex__": __reduce_ex__}
    return type(cls.__name__, (cls,), {**namespace, "__module__": cls.__module__})
