"""Readings that lost words upstream or use less common wording (issue 7 follow-up):
course and time limits, temperatures whose signs were lost, stances and missed-dose actions.
Every reading has its negative beside it: the wording that must NOT be read."""

from __future__ import annotations

import pytest

from druginfo.facts.intervals import find_durations, find_time_limits
from druginfo.facts.temperature import find_temperatures

# --- course and time limits ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("may be kept unrefrigerated for a maximum period of 9 days", 9),
        ("take the tablets for up to 3 weeks", 21),
        ("can be kept at room temperature for a period not exceeding 5 days", 5),
        ("keep it out of the cold for no longer than 2 weeks", 14),
        ("for a single period of maximum 12 days", 12),
        ("the course lasts for a total period of 10 days", 10),
        ("you may keep one pen outside the fridge for up to a week", 7),
        ("stable for up to a month (30 days) at 20 °C", 30),
    ],
)
def test_limit_lengths(text: str, days: float) -> None:
    assert [s.days for s in find_time_limits(text)] == [pytest.approx(days)]


@pytest.mark.parametrize(
    "text",
    [
        "use it for a while and see how you feel",
        "for a few days you may feel tired",
        "store it for a time in a cool place",
        "the maximum period of benefit was not studied",
    ],
)
def test_no_length_without_a_figure(text: str) -> None:
    assert find_durations(text) == []
    assert find_time_limits(text) == []


def test_limit_within_a_maximum() -> None:
    assert [
        s.days for s in find_time_limits("keep it unrefrigerated up to a maximum of 6 days")
    ] == [6]


# --- temperatures with lost signs --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("Keep the vials refrigerated (3 C 7 C).", 3, 7),
        ("Keep cold, at 1 C 6 C, away from light.", 1, 6),
        ("Before opening: keep in the fridge at 2 to 6 C.", 2, 6),
        ("may be kept at room temperature ( 27 C) for 5 days", None, 27),
        ("Keep the pump frozen at -18 °C or below.", None, -18),
        ("Keep the cream at 20 °C or lower.", None, 20),
        ("Keep it at 5 °C or above.", 5, None),
        ("Keep below 28 C.", None, 28),
    ],
)
def test_lost_sign_temperatures(text: str, low: float | None, high: float | None) -> None:
    found = find_temperatures(text)
    assert [(t.min_c, t.max_c) for t in found] == [(low, high)]


@pytest.mark.parametrize(
    "text",
    [
        "fever ( 39 C) was common",  # a lost "≥": no room temperature, no reading
        "Keep between 9 C 4 C.",  # falling pair: no range
        "Vitamin C 8 C tablets",  # not two temperatures
        "grade 3 C 4 C lesions",  # a letter after a grade, not a range of temperatures
        "take 2 to 8 capsules",
        "stored at 20 C",  # a bare point value with no limit word stays unread
    ],
)
def test_lost_sign_negatives(text: str) -> None:
    assert find_temperatures(text) == []
