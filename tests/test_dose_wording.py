"""The one place a dose is worded: the amounts, bounds, regimens and caps the engine's
'cannot decide' lists and the CDS cards both say."""

from __future__ import annotations

from druginfo import dose_wording as dw
from druginfo.model import Regimen
from druginfo.model.facts import Population


def test_amounts_and_leaflet_candidates() -> None:
    assert dw.amount_words(4.0) == "4 mg"
    assert dw.amount_words(None, 0.5) == "0.5 mg/kg"
    assert dw.amount_words(None, None, 100.0) == "100 units"
    assert dw.amount_words(None) == "a dose"
    pop = Population(
        indication="plaque psoriasis",
        age_min_years=6,
        age_max_years=18,
        weight_min_kg=15,
        weight_max_kg=30,
        crcl_below_ml_min=30,
        with_medicine="ciclosporin",
    )
    assert dw.dose_statement("0.8 mg/kg", 168, dw.population_words(pop)) == (
        "0.8 mg/kg every 168 h (plaque psoriasis, age ≥ 6, age < 18, ≥ 15 kg, < 30 kg, "
        "kidney clearance < 30 mL/min, with ciclosporin)"
    )
    assert dw.dose_statement("7.5 mg", None, []) == "7.5 mg (no interval stated)"
    assert dw.population_words(None) == []


def test_a_regimen_and_its_caps() -> None:
    reg = Regimen(
        dose_mg=20,
        every_hours=24,
        route="subcutaneous",
        duration_days=10,
        volume_ml=0.13,
        max_dose_mg_per_kg_day=8,
        max_dose_mg=100,
        max_dose_mg_per_dose=50,
    )
    assert dw.regimen_words(reg) == (
        "20 mg subcutaneous every 24 hours (once a day) for 10 days (0.13 mL)"
    )
    assert dw.limit_lines(reg) == [
        "At most 8 mg/kg a day.",
        "At most 100 mg a day.",
        "At most 50 mg per dose.",
    ]
    # An interval nobody decided is said, never dropped; no caps, no lines.
    undecided = Regimen(dose_mg=100)
    assert dw.regimen_words(undecided) == "100 mg, interval: prescriber to decide"
    assert dw.limit_lines(undecided) == []
    assert dw.regimen_words(Regimen(dose_mg=1, schedule="once")) == "1 mg a single dose"
    assert dw.capped_note(40) == "Capped at the leaflet's maximum of 40 mg."
    assert dw.units_note(10) == "10 units per dose."
