"""Bounded profile reading: duplicate keys, bombs, encodings and huge values each give one
short `InputError`, never a traceback, a hang or the whole value echoed back."""

from __future__ import annotations

import pytest

from druginfo.engine.reading import MAX_BYTES, load_profile_bytes
from druginfo.errors import InputError


def refused(data: bytes) -> InputError:
    with pytest.raises(InputError) as info:
        load_profile_bytes(data)
    message = f"{info.value.field}: {info.value.message}"
    assert "\n" not in message and len(message) < 200, message
    return info.value


def test_plain_json_and_yaml_read() -> None:
    assert load_profile_bytes(b'{"age_years": 7, "sex": "female"}') == {
        "age_years": 7,
        "sex": "female",
    }
    assert load_profile_bytes(b"age_years: 7\nconditions: [asthma]\n")["conditions"] == ["asthma"]
    assert load_profile_bytes("\ufeffsex: male\n".encode())["sex"] == "male"


@pytest.mark.parametrize(
    "data",
    [
        b'{"age_years": 40, "age_years": 4}',
        b'{"kidney": {"crcl_ml_min": 80, "crcl_ml_min": 18}}',
        b"age_years: 40\nweight_kg: 60\nage_years: 4\n",
        b"kidney:\n  egfr_ml_min_1_73m2: 70\n  egfr_ml_min_1_73m2: 15\n",
    ],
)
def test_duplicate_keys_are_refused(data: bytes) -> None:
    err = refused(data)
    assert "twice" in err.message


def test_yaml_alias_bomb_is_refused_quickly() -> None:
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    prev = "a"
    for name in "bcdefghijk":
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
        prev = name
    err = refused("\n".join(lines).encode())
    assert "alias" in err.message


def test_deep_nesting_is_refused() -> None:
    assert "nested" in refused(b'{"conditions": ' + b"[" * 5000 + b"]" * 5000 + b"}").message
    assert "nested" in refused(b"conditions: " + b"[" * 5000 + b"]" * 5000).message


@pytest.mark.parametrize(
    "data",
    [
        b'{"weight_kg": ' + b"9" * 6000 + b"}",
        b'{"weight_kg": 1.' + b"5" * 400 + b"}",
        b"weight_kg: " + b"7" * 6000 + b"\n",
    ],
)
def test_huge_numbers_are_refused_without_echo(data: bytes) -> None:
    err = refused(data)
    assert "999999999999" not in err.message and "7777777777777" not in err.message


def test_encodings_are_named() -> None:
    assert "UTF-16" in refused('{"age_years": 3}'.encode("utf-16")).message
    assert "UTF-8" in refused(b'{"sex": "f\xe9minin"}').message


def test_size_is_bounded() -> None:
    assert "bytes" in refused(b"a: " + b"x" * (MAX_BYTES + 10)).message


def test_long_strings_are_refused_without_echo() -> None:
    err = refused(b'{"conditions": ["' + b"q" * 5000 + b'"]}')
    assert "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq" not in err.message
