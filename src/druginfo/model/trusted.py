"""Reading back a monograph the store wrote, without building pydantic's validator.

The store validates every monograph before it writes it (store/sqlite.py `_prepare`,
store/postgres.py), so reading one back through `Monograph.model_validate_json` checks the
same data twice, and the first read in a process first builds the validator of `Monograph`
and every class inside it (tens of milliseconds: a good part of `druginfo show`).

Here the objects are rebuilt from the JSON by following the classes' field annotations, and
everything validation would establish is checked on the way:

- each value has exactly the type of its field (stricter than pydantic's lax mode: an int
  for a float is the one conversion made, as pydantic makes it); a date is an ISO date, an
  enum or literal one of its values;
- the field constraints the classes use (gt, ge, lt, le, min_length, max_length) hold;
- required fields are present and no key is unknown;
- each class's own `mode="after"` model validators run on the result (the monograph's
  claim and source references, a product's measures, a dose rule's consistency).

Anything else (a value of another type, a field shape, constraint or validator this module
does not know) gives up and the document is validated normally, so the result is always
what validation gives: the same objects, or validation's own error. Only for data the store
itself wrote; input from people or files always goes through validation.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import json
import types
import typing
from collections.abc import Callable
from enum import Enum
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

import annotated_types as at
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from druginfo.model.monograph import Monograph

Convert = Callable[[Any], Any]
_object_setattr = object.__setattr__
M = TypeVar("M", bound=BaseModel)


class Untrusted(Exception):
    """The data or the class is outside what this module reproduces: validate instead (or,
    in druginfo.model.trusted_dump, let pydantic serialise)."""


def monograph_from_json(text: str | bytes) -> Monograph:
    """The monograph the store wrote as `text`; equal to `Monograph.model_validate_json`."""
    try:
        data = json.loads(text)
    except ValueError:
        return Monograph.model_validate_json(text)
    try:
        return build(Monograph, data)
    except (Untrusted, ValueError, TypeError, AssertionError):
        return Monograph.model_validate_json(text)


def monograph_from_data(data: Any) -> Monograph:
    """The same for JSON already decoded (PostgreSQL's jsonb); `data` is not modified."""
    try:
        return build(Monograph, data)
    except (Untrusted, ValueError, TypeError, AssertionError):
        return Monograph.model_validate(data)


def build(cls: type[M], data: Any) -> M:
    """An instance of `cls` from JSON data; raises Untrusted (or the validators' ValueError)
    where validation might have decided otherwise."""
    result: M = _model_converter(cls)(data)
    return result


# --- converters, one per class and field, made once per process -------------------------


@functools.cache
def _model_converter(cls: type[BaseModel]) -> Convert:
    config = cls.model_config
    decorators = cls.__pydantic_decorators__
    if (
        cls.__pydantic_root_model__
        or cls.__pydantic_post_init__
        or cls.__private_attributes__
        or config.get("extra") == "allow"
        or not getattr(cls, "__pydantic_fields_complete__", False)
        or decorators.field_validators
        or decorators.field_serializers
        or decorators.root_validators
        or decorators.validators
    ):
        return _refuse
    after: list[Callable[[Any], Any]] = []
    for dec in decorators.model_validators.values():
        if dec.info.mode != "after" or len(inspect.signature(dec.func).parameters) != 1:
            return _refuse
        after.append(dec.func)
    fields: list[tuple[str, Convert, FieldInfo]] = []
    for name, info in cls.__pydantic_fields__.items():
        if info.alias not in (None, name) or info.validation_alias not in (None, name):
            return _refuse
        if info.init is False or info.exclude:
            return _refuse
        convert = _constrained(_converter(info.annotation), info.metadata)
        if convert is None:
            return _refuse
        fields.append((name, convert, info))
    new = cls.__new__

    def convert_model(data: Any) -> Any:
        if type(data) is not dict:
            raise Untrusted(cls.__name__)
        values: dict[str, Any] = {}
        complete = True
        for name, convert, info in fields:
            if name in data:
                values[name] = convert(data[name])
            elif info.is_required():
                raise Untrusted(f"{cls.__name__}.{name} missing")
            else:
                complete = False
        if len(values) != len(data):
            raise Untrusted(f"{cls.__name__}: a key the class does not have")
        fields_set = set(values)
        if not complete:  # defaults as pydantic makes them, in field order
            given = values
            values = {}
            for name, _, info in fields:
                values[name] = (
                    given[name]
                    if name in given
                    else info.get_default(call_default_factory=True, validated_data=values)
                )
        # What BaseModel.model_construct does, without its per-field alias lookups (there
        # are no aliases here): the instance's fields, the set given, no extras or privates.
        instance = new(cls)
        _object_setattr(instance, "__dict__", values)
        _object_setattr(instance, "__pydantic_fields_set__", fields_set)
        _object_setattr(instance, "__pydantic_extra__", None)
        _object_setattr(instance, "__pydantic_private__", None)
        for check in after:
            if check(instance) is not instance:
                raise Untrusted(f"{cls.__name__}: a validator replaced the instance")
        return instance

    return convert_model


def _refuse(data: Any) -> Any:
    raise Untrusted("a class this module does not reproduce")


def same_type(kind: type) -> Convert:
    """The value itself, when it is exactly a `kind` (a JSON value read back, or one dumped)."""

    def convert(value: Any) -> Any:
        if type(value) is not kind:
            raise Untrusted(f"not a {kind.__name__}")
        return value

    return convert


def _float(value: Any) -> float:
    if type(value) is float:
        return value
    if type(value) is int:
        return float(value)
    raise Untrusted("not a number")


def _date(value: Any) -> dt.date:
    if type(value) is not str or len(value) != 10:
        raise Untrusted("not an ISO date")
    return dt.date.fromisoformat(value)


def null(value: Any) -> None:
    if value is not None:
        raise Untrusted("not null")


_SCALARS: dict[Any, Convert] = {
    str: same_type(str),
    bool: same_type(bool),
    int: same_type(int),
    float: _float,
    dt.date: _date,
    type(None): null,
    None: null,
}


def _converter(annotation: Any) -> Convert | None:
    """How to rebuild a value of this annotation from JSON; None when not reproduced here."""
    if annotation is Any:
        return lambda value: value
    scalar = _SCALARS.get(annotation)
    if scalar is not None:
        return scalar
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model_converter(annotation)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return _enum(annotation)
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return literal(args)
    if origin in (Union, types.UnionType):
        return _optional(args)
    if origin is list and len(args) == 1:
        return _list(args[0])
    if origin is tuple:
        return _tuple(args)
    if origin is dict and len(args) == 2 and args[0] is str:
        return _dict(args[1])
    if origin is typing.Annotated:
        return None  # metadata inside a type: not reproduced
    return None


def _enum(kind: type[Enum]) -> Convert:
    members = {(type(m.value), m.value): m for m in kind}

    def convert(value: Any) -> Any:
        member = members.get((type(value), value))
        if member is None:
            raise Untrusted(f"not a {kind.__name__}")
        return member

    return convert


def literal(choices: tuple[Any, ...]) -> Convert | None:
    """The value itself, when it is one of a Literal's str or int choices (its own type too)."""
    if not all(type(c) in (str, int) for c in choices):
        return None
    allowed = {(type(c), c) for c in choices}

    def convert(value: Any) -> Any:
        if (type(value), value) not in allowed:
            raise Untrusted("not one of the literal's values")
        return value

    return convert


def _optional(args: tuple[Any, ...]) -> Convert | None:
    others = [a for a in args if a is not type(None)]
    if len(others) != 1 or len(args) != 2:
        return None  # a union of several types: which one validation picks is its business
    inner = _converter(others[0])
    if inner is None:
        return None

    def convert(value: Any) -> Any:
        return None if value is None else inner(value)

    return convert


def _list(item: Any) -> Convert | None:
    if item is str:

        def strings(value: Any) -> Any:
            if type(value) is not list or not all(type(v) is str for v in value):
                raise Untrusted("not a list of strings")
            return list(value)

        return strings
    inner = _converter(item)
    if inner is None:
        return None

    def convert(value: Any) -> Any:
        if type(value) is not list:
            raise Untrusted("not a list")
        return [inner(v) for v in value]

    return convert


def _tuple(args: tuple[Any, ...]) -> Convert | None:
    if len(args) == 2 and args[1] is Ellipsis:
        inner = _converter(args[0])
        if inner is None:
            return None
        one = inner

        def repeated(value: Any) -> Any:
            if type(value) is not list:
                raise Untrusted("not a tuple")
            return tuple(one(v) for v in value)

        return repeated
    inners = [_converter(a) for a in args]
    if not args or any(i is None for i in inners):
        return None
    fixed: list[Convert] = [i for i in inners if i is not None]

    def convert(value: Any) -> Any:
        if type(value) is not list or len(value) != len(fixed):
            raise Untrusted("not a tuple of that length")
        return tuple(c(v) for c, v in zip(fixed, value, strict=True))

    return convert


def _dict(item: Any) -> Convert | None:
    inner = _converter(item)
    if inner is None:
        return None

    def convert(value: Any) -> Any:
        if type(value) is not dict:
            raise Untrusted("not a mapping")
        return {k: inner(v) for k, v in value.items()}

    return convert


def _constrained(convert: Convert | None, metadata: list[Any]) -> Convert | None:
    """`convert`, then the field's constraints (applied to the value when not None, as
    pydantic applies a constraint of an optional field to its inner type)."""
    if convert is None:
        return None
    checks: list[Callable[[Any], bool]] = []
    for item in metadata:
        if isinstance(item, at.Gt):
            checks.append(functools.partial(lambda b, v: v > b, item.gt))
        elif isinstance(item, at.Ge):
            checks.append(functools.partial(lambda b, v: v >= b, item.ge))
        elif isinstance(item, at.Lt):
            checks.append(functools.partial(lambda b, v: v < b, item.lt))
        elif isinstance(item, at.Le):
            checks.append(functools.partial(lambda b, v: v <= b, item.le))
        elif isinstance(item, at.MinLen):
            checks.append(functools.partial(lambda b, v: len(v) >= b, item.min_length))
        elif isinstance(item, at.MaxLen):
            checks.append(functools.partial(lambda b, v: len(v) <= b, item.max_length))
        else:
            return None  # a pattern, strictness, a custom validator...: validation's business
    if not checks:
        return convert
    base = convert

    def constrained(value: Any) -> Any:
        result = base(value)
        if result is not None and not all(check(result) for check in checks):
            raise Untrusted("a constraint does not hold")
        return result

    return constrained
