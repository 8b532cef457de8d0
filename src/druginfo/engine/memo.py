"""Work that depends on a document (and the vocabulary) but not on the person, done once.

A check reads the same document for every person: its rules, its claims by topic, the facts
read from its leaflet, the names it goes by. The store hands back the same decoded `Monograph`
object until the document changes (its cache is keyed by checksum), an ingest that changes a
document yields a new object, and a change to the store rebuilds the vocabulary as a new object
(`Service._follow_store`). So what is derived from those objects can be remembered by their
identity and is never stale, as long as they are treated as read-only (which the store already
requires of its callers). Each entry holds the objects themselves, so that an id cannot be
reused by another object while its entry lives.

The person's data is never part of a key here: answers are not cached, the work that does not
depend on the person is.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar, cast

P = ParamSpec("P")
R = TypeVar("R")

# Objects (documents, fact lists, vocabularies) with derived values; values per object.
MAX_OBJECTS = 512
MAX_VALUES = 4096

# id of the object, or the ids of the objects → (the object or objects, their remembered
# values by function and arguments)
_entries: dict[Any, tuple[Any, dict[Any, Any]]] = {}
_lock = threading.Lock()


def clear() -> None:
    """Forget everything (a new store version: the old documents' entries would only age out)."""
    with _lock:
        _entries.clear()


def _table(key: Any, held: Any) -> dict[Any, Any]:
    """A new, empty table of values for `held` (one object, or a tuple of them)."""
    with _lock:
        if len(_entries) >= MAX_OBJECTS:
            _entries.clear()  # cheap to make again; a long-running server meets new documents
        values: dict[Any, Any] = {}
        _entries[key] = (held, values)  # holding the objects keeps their ids unique
        return values


def _recall(values: dict[Any, Any], key: Any, fn: Callable[..., R], args: tuple[Any, ...]) -> R:
    """The value remembered under `key`, or `fn(*args)` remembered there."""
    try:
        return cast(R, values[key])
    except KeyError:
        pass
    value = fn(*args)
    if len(values) >= MAX_VALUES:
        values.clear()
    values[key] = value
    return value


def by_identity(objects: int = 1) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Remember `fn(obj_1, …, obj_n, *rest)` by the identity of its first `objects` arguments
    (documents, fact lists, the vocabulary) and the value of the rest (hashable, positional).
    The values are shared: callers must not change them."""

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        if objects == 1:

            @functools.wraps(fn)
            def remembered_one(*args: P.args, **kwargs: P.kwargs) -> R:
                if kwargs:
                    raise TypeError(f"{fn.__qualname__}: remembered calls take positional args")
                obj = args[0]
                entry = _entries.get(id(obj))
                values = entry[1] if entry is not None and entry[0] is obj else None
                if values is None:
                    values = _table(id(obj), obj)
                return _recall(values, (fn, *args[1:]), fn, args)

            return remembered_one

        @functools.wraps(fn)
        def remembered(*args: P.args, **kwargs: P.kwargs) -> R:
            if kwargs:
                raise TypeError(f"{fn.__qualname__}: remembered calls take positional args")
            held = args[:objects]
            ids = tuple(map(id, held))
            entry = _entries.get(ids)
            same = entry is not None and all(a is b for a, b in zip(entry[0], held, strict=True))
            values = entry[1] if entry is not None and same else _table(ids, held)
            return _recall(values, (fn, *args[objects:]), fn, args)

        return remembered

    return wrap
