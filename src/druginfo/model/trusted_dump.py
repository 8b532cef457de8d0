"""`model.model_dump(mode="json")` of our own models, without building pydantic's serializer.

`druginfo show NAME --json` prints one monograph as JSON. Pydantic serialises it only after
building the core schema of `Monograph` and of every class inside it (tens of milliseconds,
and pydantic's plugin loader, which reads the metadata of every installed distribution): more
than the rest of the command. The monographs the store hands back are built without that
schema (druginfo.model.trusted), so a `--json` would pay for it only to print.

Here the same data is made by following each class's field annotations, as pydantic's JSON
mode makes it: fields in definition order, nested models by their declared class, a date as
its ISO form, an enum as its value, a tuple as a list, None as None. Anything this module
does not reproduce exactly (a serializer, a computed or excluded field, an alias, extra
fields, a value of another type than its field's, a non-finite float, a union of several
types, a subclass where a class is declared) gives up, and pydantic serialises instead, so
the result is always what `model_dump(mode="json")` gives; tests compare the two on every
bundled document.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import types
import typing
from collections.abc import Callable
from enum import Enum
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from druginfo.model.trusted import Untrusted, literal, null, same_type

Dump = Callable[[Any], Any]


# A class or value outside what this module reproduces: let pydantic serialise. The same
# refusal as reading back (druginfo.model.trusted), whose value checks that hold both ways
# (exact type, null, a Literal's choices) serve here too.
Unsupported = Untrusted


def dump_json_data(model: BaseModel) -> dict[str, Any]:
    """Equal to `model.model_dump(mode="json")`, key order included."""
    try:
        data: dict[str, Any] = _model_dumper(type(model))(model)
    except (Unsupported, TypeError, ValueError, AttributeError, KeyError):
        return model.model_dump(mode="json")
    return data


@functools.cache
def _model_dumper(cls: type[BaseModel]) -> Dump:
    config = cls.model_config
    decorators = cls.__pydantic_decorators__
    if (
        cls.__pydantic_root_model__
        or cls.__pydantic_computed_fields__
        or decorators.field_serializers
        or decorators.model_serializers
        or config.get("extra") == "allow"
        or config.get("json_encoders")
        or config.get("serialize_by_alias")
        or config.get("use_enum_values")
    ):
        return _refuse
    fields: list[tuple[str, Dump]] = []
    for name, info in cls.__pydantic_fields__.items():
        if (
            info.exclude
            or getattr(info, "exclude_if", None) is not None
            or info.alias not in (None, name)
            or info.serialization_alias not in (None, name)
        ):
            return _refuse
        dump = _dumper(info.annotation)
        if dump is None:
            return _refuse
        fields.append((name, dump))

    def dump_model(value: Any) -> dict[str, Any]:
        if type(value) is not cls:  # pydantic dumps a subclass by the declared class's fields
            raise Unsupported(cls.__name__)
        if value.__pydantic_extra__:
            raise Unsupported("extra fields")
        values = value.__dict__
        return {name: dump(values[name]) for name, dump in fields}

    return dump_model


def _refuse(value: Any) -> Any:
    raise Unsupported("a class this module does not reproduce")


def _float(value: Any) -> float:
    if type(value) is not float or not math.isfinite(value):
        raise Unsupported("not a finite float")
    return value


def _date(value: Any) -> str:
    if type(value) is not dt.date:
        raise Unsupported("not a date")
    return value.isoformat()


_SCALARS: dict[Any, Dump] = {
    str: same_type(str),
    bool: same_type(bool),
    int: same_type(int),
    float: _float,
    dt.date: _date,
    type(None): null,
    None: null,
}


def _plain(value: Any) -> Any:
    """A value of a field typed `Any`: only JSON's own types, as pydantic leaves them."""
    kind = type(value)
    if kind in (str, bool, int) or value is None:
        return value
    if kind is float:
        return _float(value)
    if kind is list:
        return [_plain(v) for v in value]
    if kind is dict and all(type(k) is str for k in value):
        return {k: _plain(v) for k, v in value.items()}
    raise Unsupported(f"a {kind.__name__} in an Any field")


def _dumper(annotation: Any) -> Dump | None:
    """How pydantic's JSON mode writes a value of this annotation; None when not reproduced."""
    if annotation is Any:
        return _plain
    scalar = _SCALARS.get(annotation)
    if scalar is not None:
        return scalar
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model_dumper(annotation)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return _enum(annotation)
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return literal(args)
    if origin in (Union, types.UnionType):
        return _optional(args)
    if origin is list and len(args) == 1:
        return _sequence(list, args[0])
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return _sequence(tuple, args[0])
    if origin is tuple and args:
        return _fixed_tuple(args)
    if origin is dict and len(args) == 2 and args[0] is str:
        return _dict(args[1])
    if origin is typing.Annotated:
        return None
    return None


def _enum(kind: type[Enum]) -> Dump | None:
    if not all(type(m.value) in (str, int) for m in kind):
        return None

    def dump(value: Any) -> Any:
        if type(value) is not kind:
            raise Unsupported(f"not a {kind.__name__}")
        return value.value

    return dump


def _optional(args: tuple[Any, ...]) -> Dump | None:
    others = [a for a in args if a is not type(None)]
    if len(others) != 1 or len(args) != 2:
        return None
    inner = _dumper(others[0])
    if inner is None:
        return None
    one = inner

    def dump(value: Any) -> Any:
        return None if value is None else one(value)

    return dump


def _sequence(kind: type[list[Any]] | type[tuple[Any, ...]], item: Any) -> Dump | None:
    inner = _dumper(item)
    if inner is None:
        return None
    one = inner

    def dump(value: Any) -> Any:
        if type(value) is not kind:
            raise Unsupported(f"not a {kind.__name__}")
        return [one(v) for v in value]

    return dump


def _fixed_tuple(args: tuple[Any, ...]) -> Dump | None:
    inners = [_dumper(a) for a in args]
    if any(i is None for i in inners):
        return None
    fixed: list[Dump] = [i for i in inners if i is not None]

    def dump(value: Any) -> Any:
        if type(value) is not tuple or len(value) != len(fixed):
            raise Unsupported("not a tuple of that length")
        return [d(v) for d, v in zip(fixed, value, strict=True)]

    return dump


def _dict(item: Any) -> Dump | None:
    inner = _dumper(item)
    if inner is None:
        return None
    one = inner

    def dump(value: Any) -> Any:
        if type(value) is not dict or not all(type(k) is str for k in value):
            raise Unsupported("not a mapping of strings")
        return {k: one(v) for k, v in value.items()}

    return dump
