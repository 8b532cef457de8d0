from __future__ import annotations

import pytest

from druginfo.reconcile.facts import disagreements, extract_facts


def dims(quote: str) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for f in extract_facts(quote):
        out.setdefault(f.dimension, []).append(f.value)
    return out


def test_fahrenheit_and_celsius_normalise_to_one_dimension() -> None:
    f = dims("Keep in temperatures from 36–46°F (2.2–7.7°C).")
    assert f["temperature-c"] == [2.2, 7.8, 2.2, 7.7]


def test_degree_sign_lost_in_conversion_still_reads_as_celsius() -> None:
    assert dims("Store in a refrigerator (2 C to 8 C).")["temperature-c"] == [2.0, 8.0]


def test_word_intervals() -> None:
    assert dims("use anakinra every other day instead of every day")["interval-h"] == [48.0, 24.0]


def test_per_kg_is_not_a_plain_mg_dose() -> None:
    f = dims("The dose can be increased up to 8 mg per kg of body weight per day.")
    assert f == {"dose-mg-per-kg": [8.0]}


@pytest.mark.parametrize(
    ("a", "b", "differ"),
    [
        ("Store at 36–46°F.", "Store in a refrigerator (2 C to 8 C).", False),
        ("within 72 hours", "within 14 days", False),  # different dimensions are not compared
        ("used within 72 hours", "used within 24 hours", True),
        (
            "The dose is 100 mg per day.",
            "The recommended dose is either 20 to 90 mg or 100 mg.",
            False,
        ),
        ("every other day", "every day", True),
    ],
)
def test_disagreements(a: str, b: str, differ: bool) -> None:
    assert bool(disagreements(extract_facts(a), extract_facts(b))) is differ
