"""`build.make` validates exactly as the model's constructor does (it is no model_construct):
the same object, the same fields set, the same errors, before and after the class's deferred
validator is built."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from druginfo.engine.build import make
from druginfo.model import Alert, Kidney, MonitoringItem, Profile

GOOD: list[tuple[type[Any], dict[str, Any]]] = [
    (Alert, {"kind": "warning", "trigger": "x", "severity": "low", "title": "t", "detail": "d"}),
    (MonitoringItem, {"test": "ANC", "due": "2026-12-01", "why": "neutropenia"}),
    (Profile, {"age_years": 40, "conditions": ["asthma"], "kidney": {"crcl_ml_min": 50}}),
    (Kidney, {"serum_creatinine_mg_dl": 1}),
]
BAD: list[tuple[type[Any], dict[str, Any]]] = [
    (Alert, {"kind": "nonsense", "trigger": "x", "severity": "low", "title": "t", "detail": "d"}),
    (Alert, {"kind": "warning", "trigger": "x", "severity": "low", "title": "t"}),
    (MonitoringItem, {"test": "ANC", "due": "next week", "why": "neutropenia"}),
    (Profile, {"sex": "other"}),
    (Profile, {"age_years": "forty"}),
]


@pytest.mark.parametrize(("cls", "fields"), GOOD)
def test_made_like_the_constructor(cls: type[Any], fields: dict[str, Any]) -> None:
    for _ in range(2):  # the first call may build the class's deferred validator
        made, built = make(cls, dict(fields)), cls(**fields)
        assert type(made) is cls
        assert made == built
        assert made.model_fields_set == built.model_fields_set
        assert made.model_dump_json() == built.model_dump_json()


@pytest.mark.parametrize(("cls", "fields"), BAD)
def test_refused_like_the_constructor(cls: type[Any], fields: dict[str, Any]) -> None:
    for _ in range(2):
        with pytest.raises(ValidationError) as made:
            make(cls, dict(fields))
        with pytest.raises(ValidationError) as built:
            cls(**fields)
        assert made.value.errors() == built.value.errors()


def test_values_are_converted_as_validation_converts_them() -> None:
    item = make(MonitoringItem, {"test": "ANC", "due": "2026-12-01", "why": "w"})
    assert item.due == dt.date(2026, 12, 1) and item.sources == []
