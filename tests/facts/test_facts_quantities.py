"""The normalisers on wording of our own: intervals, doses, populations, temperatures."""

from __future__ import annotations

import pytest

from druginfo.facts.doses import find_amounts, find_route
from druginfo.facts.intervals import find_durations, find_intervals, find_time_limits
from druginfo.facts.population import read_population
from druginfo.facts.temperature import find_temperatures


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("take one tablet once a day", 24),
        ("inject twice a day", 12),
        ("three times daily with food", 8),
        ("given every other day", 48),
        ("every other week", 336),
        ("once a week on the same day", 168),
        ("a weekly injection", 168),
        ("every 8 weeks after the second dose", 1344),
        ("every 2 weeks", 336),
        ("every 12 hours", 12),
        ("once every 3 months", 3 * 730.5),
        ("on alternate days", 48),
        ("twice a week", 84),
        ("fortnightly", 336),
        ("each day", 24),
    ],
)
def test_interval_hours(text: str, hours: float) -> None:
    found = [i for i in find_intervals(text) if i.every_hours]
    assert [i.every_hours for i in found] == [pytest.approx(hours)]


def test_interval_range_and_as_needed() -> None:
    found = find_intervals("one tablet every 4 to 6 hours as needed")
    assert found[0].every_hours == 4 and found[0].every_hours_max == 6
    assert found[0].times_per_day == 6
    assert any(i.as_needed for i in found)


def test_biweekly_is_not_read() -> None:
    # "biweekly" means both twice a week and every two weeks: never guessed.
    assert find_intervals("a biweekly injection") == []


def test_durations_and_limits() -> None:
    assert [d.days for d in find_durations("take it for 10 days")] == [10]
    assert [d.days for d in find_durations("for up to 14 days")] == [14]
    assert [d.days for d in find_durations("for 2 weeks")] == [14]
    assert [d.days for d in find_time_limits("must be used within 72 hours")] == [3]
    assert find_durations("take 2 tablets") == []


@pytest.mark.parametrize(
    ("text", "kind", "value", "high"),
    [
        ("take 500 milligrams (mg) twice a day", "mg", 500, None),
        ("250 mcg once a day", "mg", 0.25, None),
        ("1 g every 8 hours", "mg", 1000, None),
        ("20 to 90 mg", "mg", 20, 90),
        ("10 units before breakfast", "units", 10, None),
        ("2 mg/kg once a week", "mg_per_kg", 2, None),
        ("5 milligrams per kilogram (mg/kg) of body weight", "mg_per_kg", 5, None),
        ("375 mg/m² once a week", "mg_per_m2", 375, None),
    ],
)
def test_amounts(text: str, kind: str, value: float, high: float | None) -> None:
    (a,) = find_amounts(text)
    assert (a.kind, a.value, a.high) == (kind, pytest.approx(value), high)


def test_amounts_that_are_not_doses() -> None:
    assert find_amounts("Each pre-filled pen contains 40 mg of golimumab.") == []
    assert find_amounts("The solution holds 50 mg/mL.") == []
    assert find_amounts("contains less than 1 mmol sodium (23 mg) per dose") == []
    assert find_amounts("your doctor may give a dose higher than 200 mg") == []


def test_daily_total_and_ceiling() -> None:
    (a,) = find_amounts("Do not take more than 3 g (3,000 mg) a day.")
    assert a.is_max and a.per_day and a.value == 3000
    (b,) = find_amounts("1 to 2 mg/kg/day")
    assert b.per_day and b.kind == "mg_per_kg" and (b.value, b.high) == (1, 2)


def test_route() -> None:
    assert find_route("injected under the skin") == "subcutaneous"
    assert find_route("given as an infusion into a vein") == "intravenous"
    assert find_route("swallow the tablet whole") == "oral"
    assert find_route("keep in the fridge") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "children from 2 years weighing 10 kg to less than 30 kg",
            {"age_min_years": 2, "weight_min_kg": 10, "weight_max_kg": 30},
        ),
        ("patients weighing more than 40 kg", {"weight_min_kg": 40}),
        ("children aged 6 to 17 years", {"age_min_years": 6, "age_max_years": 18}),
        ("adults", {"age_min_years": 18}),
        ("adults and adolescents weighing 45 kg or more", {"weight_min_kg": 45}),
        ("infants under 8 months of age", {"age_max_years": 0.6667}),
        ("people aged 65 and older", {"age_min_years": 65}),
        ("creatinine clearance less than 30 mL/min", {"crcl_below_ml_min": 30}),
    ],
)
def test_population(text: str, expected: dict[str, float]) -> None:
    pop = read_population(text)
    assert pop is not None
    assert pop.model_dump(exclude_none=True) == pytest.approx(expected)


def test_no_population_in_a_dose_per_kg() -> None:
    assert read_population("2 mg/kg once a week") is None
    assert read_population("adult-onset Still's disease") is None


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("Store in a refrigerator (2 °C - 8 °C).", 2, 8),
        ("Keep between 2 and 8 degrees Celsius", 2, 8),
        ("Store at 20° to 25°C (68° to 77°F)", 20, 25),
        ("Do not store above 30 °C", None, 30),
        ("in the fridge (2 C to 8 C)", 2, 8),
        ("at room temperature (up to 25 C)", None, 25),
    ],
)
def test_temperatures_celsius(text: str, low: float | None, high: float) -> None:
    (t,) = find_temperatures(text)
    assert (t.min_c, t.max_c) == (low, high)


def test_fahrenheit_alone_is_converted() -> None:
    (t,) = find_temperatures("Refrigerate at 36°F to 46°F.")
    assert (t.min_c, t.max_c) == (pytest.approx(2.2), pytest.approx(7.8))


@pytest.mark.parametrize(
    "text",
    [
        "The recommended dose is 50 IU of Factorix per kg body weight every 4 days.",
        "Give 25 units of the concentrate for each kilogram once a week.",
        "Inject 40 international units per kg twice weekly.",
    ],
)
def test_units_scaled_by_weight_are_never_read_as_a_fixed_dose(text: str) -> None:
    """A per-kg amount in units has no field; reading it as '50 units' would be a fixed dose."""
    assert not [a for a in find_amounts(text) if a.kind == "units"]


def test_mg_with_the_weight_unit_after_the_medicine_name_is_per_kg() -> None:
    amounts = find_amounts("The usual dose is 3 mg of Examplumab per kg body weight every week.")
    assert [(a.kind, a.value) for a in amounts] == [("mg_per_kg", 3.0)]
    fixed = find_amounts("The usual dose is 40 mg of Examplumab every other week.")
    assert [(a.kind, a.value) for a in fixed] == [("mg", 40.0)]


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("5 mg by infusion once a year", 8766),
        ("The infusion is repeated yearly.", 8766),
        ("given annually", 8766),
        ("an injection every year", 8766),
        ("twice a year into the muscle", 4383),
    ],
)
def test_yearly_intervals(text: str, hours: float) -> None:
    assert [i.every_hours for i in find_intervals(text)] == [hours]


def test_a_year_that_is_not_an_interval() -> None:
    assert find_intervals("in the year before treatment") == []
