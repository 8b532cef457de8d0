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

Each remembered function has its own table (object id → the object and its values by the
other arguments): a lookup is two dictionary reads and an identity test, with no shared
lock, because a check asks dozens of them.
"""

from __future__ import annotations

import functools
import operator
import threading
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

# Objects (documents, fact lists, vocabularies) per function; values per object; and what
# all functions together may have added since everything was last forgotten (a bound on the
# memory a long-running server spends here, whatever words people send).
MAX_OBJECTS = 512
MAX_VALUES = 4096
MAX_TOTAL = 200_000

# Every remembered function's table: id of the object (or the ids of the objects) → (the
# object or objects, their remembered values by the other arguments).
_tables: list[dict[Any, tuple[Any, dict[Any, Any]]]] = []
_lock = threading.Lock()
_added = 0  # objects and values added since everything was last forgotten
_held: set[int] = set()  # ids of the objects remembered by, since everything was forgotten


def clear() -> None:
    """Forget everything (a new store version: the old documents' entries would only age out)."""
    global _added
    with _lock:
        for table in _tables:
            table.clear()
        _added = 0
        _held.clear()


def forget(obj: object) -> None:
    """`obj` changed in place (a vocabulary that learned names): forget everything if anything
    was remembered by it. An object never used here (a vocabulary being built) costs a set
    lookup."""
    if id(obj) in _held:
        clear()


def _count() -> None:
    """One more object or value remembered; past MAX_TOTAL, everything is forgotten (it is
    all cheap to work out again)."""
    global _added
    _added += 1
    if _added > MAX_TOTAL:
        clear()


def _new_table() -> dict[Any, tuple[Any, dict[Any, Any]]]:
    table: dict[Any, tuple[Any, dict[Any, Any]]] = {}
    with _lock:
        _tables.append(table)
    return table


def _values_for(
    table: dict[Any, tuple[Any, dict[Any, Any]]], key: Any, held: Any, *ids: int
) -> dict[Any, Any]:
    """A new, empty table of values for `held` (one object, or a tuple of them; `ids`: their
    ids)."""
    _count()
    _held.update(ids)
    if len(table) >= MAX_OBJECTS:
        table.clear()  # cheap to make again; a long-running server meets new documents
    values: dict[Any, Any] = {}
    table[key] = (held, values)  # holding the objects keeps their ids unique
    return values


def _store(values: dict[Any, Any], key: Any, value: Any) -> None:
    _count()
    if len(values) >= MAX_VALUES:
        values.clear()
    values[key] = value


def by_identity(objects: int = 1) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Remember `fn(obj_1, …, obj_n, *rest)` by the identity of its first `objects` arguments
    (documents, fact lists, the vocabulary) and the value of the rest (hashable, positional).
    The values are shared: callers must not change them."""
    if objects < 1:
        raise ValueError("remember by the identity of at least one object")

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        table = _new_table()
        missing = object()
        call: Callable[..., Any] = fn

        if objects == 1:  # most remembered functions, asked dozens of times per check

            @functools.wraps(fn)
            def remembered_one(*args: Any, **kwargs: Any) -> Any:
                if kwargs:
                    raise TypeError(f"{fn.__qualname__}: remembered calls take positional args")
                obj = args[0]
                entry = table.get(id(obj))
                if entry is not None and entry[0] is obj:
                    values = entry[1]
                else:
                    values = _values_for(table, id(obj), obj, id(obj))
                rest = args[1:]
                value = values.get(rest, missing)
                if value is missing:
                    value = call(*args)
                    _store(values, rest, value)
                return value

            return remembered_one

        @functools.wraps(fn)
        def remembered(*args: Any, **kwargs: Any) -> Any:
            if kwargs:
                raise TypeError(f"{fn.__qualname__}: remembered calls take positional args")
            held = args[:objects]
            ids = tuple(map(id, held))
            entry = table.get(ids)
            if entry is not None and all(map(operator.is_, entry[0], held)):
                values = entry[1]
            else:
                values = _values_for(table, ids, held, *ids)
            rest = args[objects:]
            value = values.get(rest, missing)
            if value is missing:
                value = call(*args)
                _store(values, rest, value)
            return value

        return remembered

    return wrap
