"""Reading a profile file (JSON or YAML bytes) into plain values, bounded and unambiguous.

A profile is small; anything else is a mistake or an attack, and both deserve one clear line,
never a traceback or a hang: the size, the nesting depth, the number of YAML aliases, the
length of a number and of a string are bounded before a value reaches the engine. A key given
twice (`"weight_kg": 20, "weight_kg": 200`) is refused: JSON and YAML parsers silently keep the
last one, which would turn a typo into a dose. Messages quote at most a few characters of a
value, never the whole of it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import yaml

from druginfo.errors import InputError

MAX_BYTES = 256 * 1024
MAX_DEPTH = 10
MAX_ALIASES = 20
MAX_NODES = 5000
MAX_NUMBER_CHARS = 30
MAX_STRING_CHARS = 2000


def short(value: object, limit: int = 40) -> str:
    """A value as it may appear in a message: its repr, cut to `limit` characters."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def decode(data: bytes, name: str = "profile") -> str:
    """UTF-8 text (a UTF-8 byte-order mark is allowed); other encodings are named, not guessed."""
    if len(data) > MAX_BYTES:
        raise InputError(name, f"is {len(data):,} bytes; a profile must be under {MAX_BYTES:,}")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (
        len(data) >= 2 and (data[0] == 0 or data[1] == 0)
    ):
        raise InputError(name, "is UTF-16 (or another wide encoding); save it as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            name, f"is not valid UTF-8 (byte {exc.start} cannot be read); save it as UTF-8"
        ) from None


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise InputError(key, f"field {short(key)} is given twice; give it once")
        out[key] = value
    return out


def _json_int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise InputError("profile", f"a number of {len(text)} digits is not a plausible value")
    return int(text)


def _json_float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise InputError("profile", f"a number of {len(text)} characters is not a plausible value")
    return float(text)


def _json_constant(text: str) -> float:
    raise InputError("profile", f"{text} is not a number a profile can hold")


def _check_depth(text: str, name: str) -> None:
    """Refuse deep nesting before parsing (the parsers recurse): brackets outside strings."""
    depth = 0
    in_string = False
    escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise InputError(name, f"is nested more than {MAX_DEPTH} levels deep")
        elif ch in "]}":
            depth -= 1


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys, and bounds aliases, nodes and depth."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._nodes = 0
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise InputError("profile", f"uses more than {MAX_ALIASES} YAML aliases")
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise InputError("profile", f"has more than {MAX_NODES} values")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise InputError("profile", f"is nested more than {MAX_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
            except TypeError:
                raise InputError("profile", "field names must be text") from None
            if duplicate:
                raise InputError(str(key), f"field {short(key)} is given twice; give it once")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _count(value: Any, depth: int = 0) -> int:
    """Values in a parsed document (aliases reuse objects, so this is the expanded size)."""
    if depth > MAX_DEPTH:
        raise InputError("profile", f"is nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, Mapping):
        return 1 + sum(_count(v, depth + 1) for v in value.values())
    if isinstance(value, list | tuple):
        return 1 + sum(_count(v, depth + 1) for v in value)
    if isinstance(value, str) and len(value) > MAX_STRING_CHARS:
        raise InputError("profile", f"holds a text of {len(value):,} characters")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**MAX_NUMBER_CHARS:
        raise InputError("profile", "holds a number too large to be a plausible value")
    return 1


def parse_text(text: str, name: str = "profile") -> dict[str, Any]:
    """JSON (when it starts with '{') or YAML, into a mapping of fields."""
    stripped = text.lstrip()
    try:
        if stripped.startswith("{"):
            _check_depth(stripped, name)
            data = json.loads(
                stripped,
                object_pairs_hook=_json_pairs,
                parse_int=_json_int,
                parse_float=_json_float,
                parse_constant=_json_constant,
            )
        else:
            data = yaml.load(text, Loader=_BoundedLoader)
    except InputError:
        raise
    except json.JSONDecodeError as exc:
        raise InputError(
            name, f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise InputError(name, f"is not valid YAML{where}: {problem}") from None
    except (ValueError, RecursionError, OverflowError, MemoryError) as exc:
        raise InputError(name, f"cannot be read: {short(str(exc), 80)}") from None
    if not isinstance(data, Mapping):
        raise InputError(name, "must be an object of fields (see CONTRACT.md)")
    if _count(data) > MAX_NODES:
        raise InputError(name, f"has more than {MAX_NODES} values")
    return dict(data)


def load_profile_bytes(data: bytes, name: str = "profile") -> dict[str, Any]:
    """Bytes of a profile file or of standard input → its fields, or `InputError`."""
    return parse_text(decode(data, name), name)
