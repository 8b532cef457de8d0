"""Monograph pages and text show the dose shapes as the leaflets say them: a weight band, a
single or as-needed dose instead of an interval, a product without a volume, its own storage."""

from __future__ import annotations

from druginfo.interfaces import present
from druginfo.model import DoseRule, Product, Storage


def rule(**kw: object) -> DoseRule:
    return DoseRule.model_validate({"id": "r", "indication": "i", "claims": ["c"], **kw})


def test_band_and_per_dose_cap_in_words() -> None:
    text = present.dose_words(
        rule(
            basis="fixed",
            dose_mg=150,
            max_per_dose_mg=150,
            weight_min_kg=40,
            weight_min_exclusive=True,
        )
    )
    assert text == "more than 40 kg: 150 mg, never more than 150 mg per dose"
    banded = rule(
        basis="per-kg",
        start_mg_per_kg_min=2,
        max_mg_per_kg_dose=2,
        weight_min_kg=15,
        weight_max_kg=40,
        weight_max_inclusive=True,
    )
    assert present.dose_words(banded).startswith("15 kg to 40 kg: 2 mg per kg")


def test_schedules_are_not_shown_as_intervals() -> None:
    assert present.schedule_words(rule(basis="fixed", dose_mg=8, schedule="once")) == (
        "as a single dose"
    )
    gout = rule(basis="fixed", dose_mg=150, schedule="as-needed", min_interval_hours=2016)
    assert present.schedule_words(gout) == "when needed, at least 12 weeks apart"
    first = rule(basis="fixed", dose_mg=80, phase="loading", day=0, schedule="once", optional=True)
    assert present.schedule_words(first) == "on day 0 (if the prescriber chooses)"
    assert present.schedule_words(rule(basis="fixed", dose_mg=25, every_hours=84)) == (
        "every 84 hours (twice a week)"
    )


def test_product_without_volume_and_with_its_own_storage() -> None:
    product = Product(
        id="p",
        name="Pen 50 mg",
        form="pre-filled pen",
        strength_mg=50,
        excipients=["glycine"],
        storage=Storage(room_temp_max_c=30, room_temp_max_hours=744, claims=["c"]),
        claims=["c"],
    )
    text = present.product_words(product)
    assert "50 mg (volume not stated in the source)" in text
    assert "other ingredients: glycine" in text
    assert "up to 30 °C for up to 744 hours (31 days)" in text
