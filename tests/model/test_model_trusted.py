"""Reading stored monographs without pydantic's validator gives exactly what validation gives:
the same objects for every document the bundled store holds, and validation's own answer
(a coerced value or an error) for anything outside what druginfo.model.trusted reproduces."""

from __future__ import annotations

import copy
import json
import sqlite3
import zlib
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from druginfo.model import Monograph, trusted
from druginfo.sources.curated import curated_keys, load_curated


def same(a: Any, b: Any, where: str = "") -> None:
    """Deep equality of two model trees: types, field values in order, the fields set."""
    assert type(a) is type(b), where
    if isinstance(a, BaseModel):
        assert list(a.__dict__) == list(b.__dict__), where
        assert a.model_fields_set == b.model_fields_set, where
        assert a.__pydantic_extra__ == b.__pydantic_extra__, where
        for name in a.__dict__:
            same(getattr(a, name), getattr(b, name), f"{where}.{name}")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            same(a[k], b[k], f"{where}[{k!r}]")
    else:
        assert a == b, where


@pytest.fixture(scope="module")
def curated_json() -> dict[str, str]:
    return {key: load_curated(key).model_dump_json() for key in curated_keys()}


def test_every_curated_monograph_reads_back_as_validation_does(
    curated_json: dict[str, str],
) -> None:
    assert curated_json
    for key, text in curated_json.items():
        built = trusted.build(Monograph, json.loads(text))  # no fallback allowed here
        same(built, Monograph.model_validate_json(text), key)


def test_every_stored_document_reads_back_as_validation_does(bundled_db_url: str) -> None:
    path = bundled_db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT doc_id, monograph FROM documents ORDER BY id").fetchall()
    assert len(rows) > 1000
    for doc_id, blob in rows:
        text = zlib.decompress(blob).decode("utf-8")
        built = trusted.build(Monograph, json.loads(text))  # raises if it would fall back
        same(built, Monograph.model_validate_json(text), doc_id)


@pytest.fixture
def kineret(curated_json: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(curated_json["anakinra"])
    return data


def test_an_int_for_a_float_is_converted_as_pydantic_converts_it(kineret: dict[str, Any]) -> None:
    kineret["products"][0]["strength_mg"] = 100
    built = trusted.build(Monograph, copy.deepcopy(kineret))
    assert built.products[0].strength_mg == 100.0
    assert type(built.products[0].strength_mg) is float
    same(built, Monograph.model_validate(kineret))


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["products"][0].update(strength_mg="100"),  # lax mode makes it a number
        lambda d: d["identity"].update(nickname="x"),  # an unknown key: validation drops it
        lambda d: d.update(document_date="2024-1-5"),  # not the ISO form pydantic writes
        lambda d: d["claims"][0].update(topic="Dosing "),  # not an enum value
        lambda d: d.update(curated=1),  # lax mode reads 1 as True
    ],
)
def test_anything_else_is_validated_and_gets_validations_answer(
    kineret: dict[str, Any], change: Any
) -> None:
    change(kineret)
    with pytest.raises((trusted.Untrusted, ValueError, TypeError)):
        trusted.build(Monograph, copy.deepcopy(kineret))
    try:
        expected: Monograph | None = Monograph.model_validate(kineret)
    except ValidationError:
        expected = None
    text = json.dumps(kineret)
    if expected is None:
        with pytest.raises(ValidationError):
            trusted.monograph_from_json(text)
        with pytest.raises(ValidationError):
            trusted.monograph_from_data(kineret)
    else:
        same(trusted.monograph_from_json(text), expected)
        same(trusted.monograph_from_data(kineret), expected)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["products"][0].update(strength_mg=0),  # gt=0
        lambda d: d["indications"][0].update(claims=[]),  # min_length=1
        lambda d: d["indications"][0].update(claims=["no-such-claim"]),  # a model validator
        lambda d: d["claims"][0].update(source="no-such-source"),  # a model validator
        lambda d: d.pop("sources"),  # required
        lambda d: d["products"][0].update(graduation_mg=10_000.0),  # beyond the container
    ],
)
def test_data_validation_refuses_is_refused(kineret: dict[str, Any], change: Any) -> None:
    change(kineret)
    with pytest.raises(ValidationError):
        Monograph.model_validate(kineret)
    with pytest.raises(ValidationError):
        trusted.monograph_from_json(json.dumps(kineret))
    with pytest.raises(ValidationError):
        trusted.monograph_from_data(kineret)


def test_the_input_mapping_is_left_as_it_was(kineret: dict[str, Any]) -> None:
    before = copy.deepcopy(kineret)
    trusted.monograph_from_data(kineret)
    assert kineret == before


class _Tagged(BaseModel):
    tags: set[str]  # a shape trusted.py does not rebuild


class _Holder(BaseModel):
    inner: _Tagged


def test_a_class_outside_what_it_reproduces_is_never_built_by_it() -> None:
    with pytest.raises(trusted.Untrusted):
        trusted.build(_Holder, {"inner": {"tags": ["a"]}})


def test_the_monograph_itself_is_reproduced(kineret: dict[str, Any]) -> None:
    """If a model change made Monograph (or a class inside it) unsupported, every read would
    silently fall back to validation: correct, but the start-up gain gone. Say so here."""
    converter = trusted._model_converter(Monograph)
    assert converter is not trusted._refuse
    assert isinstance(converter(copy.deepcopy(kineret)), Monograph)


def test_store_reads_use_it(curated_json: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from druginfo.store.common import compress_monograph
    from druginfo.store.sqlite import decode_monograph

    calls: list[type[BaseModel]] = []
    build = trusted.build

    def spy(cls: type[Monograph], data: Any) -> Monograph:
        calls.append(cls)
        return build(cls, data)

    monkeypatch.setattr(trusted, "build", spy)
    text = curated_json["anakinra"]
    same(decode_monograph(compress_monograph(text)), Monograph.model_validate_json(text))
    assert calls == [Monograph]
