"""Readings that lost words upstream or use less common wording (issue 7 follow-up):
course and time limits, temperatures whose signs were lost, stances and missed-dose actions.
Every reading has its negative beside it: the wording that must NOT be read."""

from __future__ import annotations

import pytest

from druginfo.facts import facts_from_text
from druginfo.facts.intervals import find_durations, find_time_limits
from druginfo.facts.stances import read_missed_dose, read_stance
from druginfo.facts.temperature import find_temperatures
from druginfo.model import Topic

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


# --- pregnancy and breast-feeding stances -------------------------------------------------------


def _stances(text: str, topic: Topic = Topic.pregnancy) -> set[tuple[str, str | None]]:
    return {
        (f.topic, f.stance)
        for f in facts_from_text(text, "Pregnancy and breast-feeding", structural=topic)
        if f.topic in ("pregnancy", "breastfeeding")
    }


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        ("Together, you and your pharmacist can decide whether you keep nursing.", "ask"),
        ("Your healthcare provider will help you decide if you should breastfeed.", "ask"),
        ("Decide together with your doctor whether to breastfeed.", "ask"),
        (
            "Zorbex should only be given in pregnancy if it is really necessary.",
            "if-clearly-needed",
        ),
        ("You may continue taking Zorbex while you are pregnant.", "can-use"),
        ("Do not keep using Zorbex if you become pregnant.", "must-not"),
        (
            "Your final injection must be at least 4 months earlier before breast-feeding.",
            "must-not",
        ),
        ("You need to wait 10 weeks after your last dose before becoming pregnant.", "must-not"),
    ],
)
def test_stance_wordings(text: str, stance: str) -> None:
    assert read_stance(text) == stance


@pytest.mark.parametrize(
    "text",
    [
        "Your doctor will decide the right dose for you.",  # a decision, not about pregnancy
        "It is not known whether Zorbex can be used safely while breast-feeding.",
        "It isn't known if Zorbex is safe in pregnancy.",
        "No one knows whether Zorbex may be taken by nursing mothers.",
        "Your last dose must be given before noon.",
    ],
)
def test_no_stance_from_these(text: str) -> None:
    assert read_stance(text) is None


def test_unknown_then_advice_keeps_the_advice() -> None:
    text = "It is not known if Zorbex passes into breast milk, so do not breastfeed while using it."
    assert read_stance(text) == "must-not"


@pytest.mark.parametrize(
    "text",
    [
        "Women able to have children should use effective contraception to avoid becoming "
        "pregnant during treatment.",
        "Women of child-bearing potential must not use Zorbex without reliable birth control.",
        "Use a reliable contraceptive method during treatment and for 3 months afterwards.",
    ],
)
def test_contraception_is_no_pregnancy_stance(text: str) -> None:
    assert _stances(text) == set()


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        ("Do not use Zorbex if you are pregnant; use contraception during treatment.", "must-not"),
        (
            "Zorbex is not recommended during pregnancy or in women not using contraception.",
            "not-recommended",
        ),
        ("While using contraception you must avoid becoming pregnant.", "not-recommended"),
    ],
)
def test_contraception_beside_a_pregnancy_stance(text: str, stance: str) -> None:
    assert _stances(text) == {("pregnancy", stance)}


# --- missed dose ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "action", "near"),
    [
        ("Forgot a tablet? Skip it and carry on the next morning.", "skip", False),
        ("If you miss an injection, skip that one and resume your schedule.", "skip", False),
        ("If a capsule is missed, do not make up the missed capsule.", "skip", False),
        (
            "If you forget a dose, don't take the forgotten dose; wait for the next one.",
            "skip",
            False,
        ),
        (
            "If you forget a dose, use it when you remember, unless it's nearly time for your "
            "next dose.",
            "as-soon-as-remembered",
            True,
        ),
        (
            "Take the missed tablet as soon as possible unless it is close to the time of the "
            "next tablet.",
            "as-soon-as-remembered",
            True,
        ),
    ],
)
def test_missed_dose_actions(text: str, action: str, near: bool) -> None:
    got, _, got_near = read_missed_dose(text)
    assert (got, got_near) == (action, near)


@pytest.mark.parametrize(
    ("text", "action"),
    [
        (
            "Never skip doses. If you forget one, take it as soon as you remember.",
            "as-soon-as-remembered",
        ),
        ("Do not skip it. If you forget a dose, call your doctor.", "ask-prescriber"),
        ("It is important not to skip the dose.", None),
    ],
)
def test_a_forbidden_skip_is_no_skip(text: str, action: str | None) -> None:
    assert read_missed_dose(text)[0] == action


def test_near_next_without_an_exception_is_not_read() -> None:
    # "almost time" with neither a skip nor "unless": what to do then is not said.
    text = "Take it as soon as you remember. If it is almost time for your next dose, call us."
    assert read_missed_dose(text)[2] is False


def test_the_room_temperature_limit_is_the_nearest_one() -> None:
    text = (
        "The mixed solution may be kept cold at 2 °C to 8 °C for up to a maximum of 6 hours, "
        "then for up to 2 hours at room temperature (15 °C to 25 °C) before use."
    )
    room = [
        f for f in facts_from_text(text, structural=Topic.storage) if f.topic == "room-temperature"
    ]
    assert [(f.max_days, f.temp_max_c) for f in room] == [(pytest.approx(2 / 24, abs=1e-3), 25)]
