"""facts_from_text on statements of other medicines and layouts than the seeds."""

from __future__ import annotations

import pytest

from druginfo.facts import facts_from_text


def _one(text: str, section: str | None, topic: str):  # type: ignore[no-untyped-def]
    found = [f for f in facts_from_text(text, section) if f.topic == topic]
    assert len(found) == 1, found
    return found[0]


def test_weekly_dose_with_route() -> None:
    f = _one("The usual dose is 50 mg once a week, injected under the skin.", "Dosage", "dose")
    assert (f.dose_mg, f.every_hours, f.route) == (50, 168, "subcutaneous")
    assert f.quote.startswith("The usual dose")


def test_course_length_and_twice_daily() -> None:
    f = _one("Take 500 milligrams (mg) two times a day for 7 days.", None, "dose")
    assert (f.dose_mg, f.every_hours, f.times_per_day, f.duration_days) == (500, 12, 2, 7)


def test_loading_then_maintenance() -> None:
    text = "160 mg on Day 1, followed by 80 mg two weeks later, then 40 mg every other week."
    facts = [f for f in facts_from_text(text, None, path=["Dosage", "Crohn's disease"])]
    assert [(f.dose_mg, f.phase, f.every_hours) for f in facts] == [
        (160, "loading", None),
        (80, "loading", None),
        (40, "maintenance", 336),
    ]
    assert all(f.population and f.population.indication == "crohn's disease" for f in facts)


def test_weight_bands_each_get_their_dose() -> None:
    text = "Adults: 40 mg every other week; patients weighing more than 40 kg may take 80 mg."
    facts = facts_from_text(text, "Dosage")
    assert [(f.dose_mg, f.population.model_dump(exclude_none=True)) for f in facts] == [  # type: ignore[union-attr]
        (40, {"age_min_years": 18}),
        (80, {"weight_min_kg": 40}),
    ]


def test_strength_is_not_a_dose() -> None:
    assert facts_from_text("Each tablet contains 10 mg of ramipril.", "Dosage") == []


def test_storage_and_time_out_of_fridge() -> None:
    s = _one("Store in a refrigerator (2°C to 8°C).", "Storage", "storage")
    assert (s.temp_min_c, s.temp_max_c) == (2, 8)
    r = _one(
        "The pen may be kept at room temperature up to 30 °C for a single period of up to 30 days.",
        "How to store",
        "room-temperature",
    )
    assert (r.temp_max_c, r.max_days) == (30, 30)


def test_fever_is_not_storage() -> None:
    assert facts_from_text("Call your doctor if you have a fever above 38 °C.", "Warnings") == []


def test_missed_dose() -> None:
    f = _one(
        "If you miss a dose, take it as soon as you remember. If it is almost time for your "
        "next dose, skip the missed dose. Do not take two doses at the same time.",
        "Missed dose",
        "missed-dose",
    )
    assert f.action == "as-soon-as-remembered"
    assert f.no_double is True and f.skip_if_next_dose_near is True


@pytest.mark.parametrize(
    ("text", "topic", "stance"),
    [
        ("Do not take this medicine if you are pregnant.", "pregnancy", "must-not"),
        ("Use during pregnancy is not recommended.", "pregnancy", "not-recommended"),
        (
            "It should be used in pregnancy only if clearly needed.",
            "pregnancy",
            "if-clearly-needed",
        ),
        ("You can breast-feed while taking this medicine.", "breastfeeding", "can-use"),
        ("Ask your doctor before breast-feeding.", "breastfeeding", "ask"),
    ],
)
def test_stances(text: str, topic: str, stance: str) -> None:
    assert _one(text, "Pregnancy and breast-feeding", topic).stance == stance


def test_interaction_and_vaccine() -> None:
    f = _one("Do not take with etanercept.", "Other medicines", "interaction")
    assert (f.with_, f.class_, f.strength) == ("etanercept", "tnf-inhibitor", "must-not")
    v = _one("You should not receive live vaccines such as MMR.", "Vaccinations", "vaccine")
    assert v.live is True and v.class_ == "live-vaccine"


def test_contraindication_keeps_history_and_drops_advice() -> None:
    f = _one(
        "Do not use this medicine if you have a history of heart failure.",
        "Do not use",
        "contraindication",
    )
    assert f.condition == "heart failure" and f.history is True
    assert [
        x
        for x in facts_from_text("Tell your doctor if you have asthma.", "Do not use")
        if x.topic == "contraindication"
    ] == []


def test_allergy_contraindication() -> None:
    f = _one("if you are allergic to latex", "Do not use", "contraindication")
    assert f.allergy == "latex"


def test_as_contract_uses_aliases() -> None:
    f = _one("Do not combine with etanercept.", "Interactions", "interaction")
    data = f.as_contract()
    assert data["with"] == "etanercept" and "with_" not in data
