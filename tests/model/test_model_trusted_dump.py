"""`dump_json_data` gives exactly `model_dump(mode="json")`, key order and number types
included (compared as JSON text): on every document the bundled store holds without giving up
once, and, through pydantic's own answer, for whatever it does not reproduce."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from enum import Enum
from typing import Any

import pytest
from pydantic import BaseModel, Field, computed_field, field_serializer

from druginfo.model import Monograph
from druginfo.model.trusted_dump import Unsupported, _model_dumper, dump_json_data
from druginfo.sources.curated import curated_keys, load_curated
from druginfo.store.sqlite import decode_monograph


def text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def test_every_curated_monograph_dumps_as_pydantic_does() -> None:
    for key in curated_keys():
        mono = load_curated(key)
        mine = _model_dumper(Monograph)(mono)  # no fallback allowed here
        assert text(mine) == text(mono.model_dump(mode="json")), key


def test_every_stored_document_dumps_as_pydantic_does(bundled_db_url: str) -> None:
    path = bundled_db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT doc_id, monograph FROM documents ORDER BY id").fetchall()
    assert len(rows) > 1000
    for doc_id, blob in rows:
        mono = decode_monograph(blob)
        mine = _model_dumper(Monograph)(mono)
        assert text(mine) == text(mono.model_dump(mode="json")), doc_id


class Colour(Enum):
    RED = "red"


class Inner(BaseModel):
    n: int
    x: float | None = None


class Outer(BaseModel):
    name: str
    when: dt.date
    colour: Colour
    kind: str = "a"
    inner: Inner
    items: list[Inner] = Field(default_factory=list)
    pair: tuple[int, str] = (1, "a")
    many: tuple[str, ...] = ()
    table: dict[str, int] = Field(default_factory=dict)
    free: Any = None


class SubInner(Inner):
    extra_field: str = "not dumped by pydantic under a field declared Inner"


class WithSerializer(BaseModel):
    a: int

    @field_serializer("a")
    def _double(self, value: int) -> int:
        return value * 2


class WithComputed(BaseModel):
    a: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def b(self) -> int:
        return self.a + 1


def sample(**changes: Any) -> Outer:
    base: dict[str, Any] = {
        "name": "n",
        "when": dt.date(2024, 2, 29),
        "colour": Colour.RED,
        "inner": Inner(n=1, x=2.5),
        "items": [Inner(n=2)],
        "pair": (3, "b"),
        "many": ("x", "y"),
        "table": {"k": 1},
        "free": {"a": [1, 2.0, None, "s"]},
    }
    base.update(changes)
    return Outer(**base)


@pytest.mark.parametrize(
    "model",
    [
        sample(),
        sample(free=None, items=[]),
        sample(inner=SubInner(n=1)),  # a subclass where the class is declared
        sample(free={"when": dt.date(2020, 1, 1)}),  # a date inside Any
        sample(free={1: "int key"}),
        sample(free=float("inf")),
        sample(inner=Inner(n=1, x=float("nan"))),
        Outer.model_construct(**{**sample().__dict__, "name": 5}),  # a value of another type
        WithSerializer(a=2),
        WithComputed(a=2),
    ],
    ids=lambda m: type(m).__name__,
)
@pytest.mark.filterwarnings("ignore::UserWarning")  # pydantic's own, on a value of another type
def test_same_answer_as_pydantic_or_its_own(model: BaseModel) -> None:
    try:
        expected: Any = model.model_dump(mode="json")
    except Exception as exc:  # pydantic refuses: so does the fallback, with its own error
        with pytest.raises(type(exc)):
            dump_json_data(model)
        return
    assert text(dump_json_data(model)) == text(expected)


def test_what_it_does_not_reproduce_is_refused_not_guessed() -> None:
    with pytest.raises(Unsupported):
        _model_dumper(WithSerializer)(WithSerializer(a=2))
    with pytest.raises(Unsupported):
        _model_dumper(WithComputed)(WithComputed(a=2))
    with pytest.raises(Unsupported):
        _model_dumper(Outer)(sample(inner=SubInner(n=1)))
    with pytest.raises(Unsupported):
        _model_dumper(Outer)(sample(free=float("inf")))
    assert _model_dumper(Outer)(sample())["when"] == "2024-02-29"
