"""Rules scoped to what their sources say: fixed courses, advisory ('consider') kidney advice,
kidney rules only where the source applies them, contradictory kidney facts."""

from __future__ import annotations

from typing import Any

import pytest

from druginfo.engine import check, parse_profile
from druginfo.model import CheckResult, Monograph
from druginfo.sources.curated import load_curated
from druginfo.vocab import Vocab

BASE: dict[str, Any] = {
    "age_years": 61,
    "weight_kg": 83,
    "height_cm": 176,
    "sex": "male",
    "start_date": "2027-01-10",
}


@pytest.fixture(scope="module")
def anakinra() -> Monograph:
    return load_curated("anakinra")


def run(mono: Monograph, **raw: Any) -> CheckResult:
    return check(mono, parse_profile({**BASE, **raw}), Vocab.bundled())


def test_covid_course_has_a_duration_and_a_short_calendar(anakinra: Monograph) -> None:
    r = run(anakinra, indication="COVID-19", kidney={"crcl_ml_min": 18})
    assert r.regimen is not None and r.regimen.duration_days == 10
    # The kidney rule of the US label does not apply to the EU COVID-19 course.
    assert r.regimen.every_hours == 24
    assert not {"kidney-dose-adjustment", "severe-kidney-disease"} & {a.trigger for a in r.alerts}
    assert r.monitoring and all(
        (m.due - parse_profile(BASE).start_date).days <= 10  # type: ignore[operator]
        for m in r.monitoring
    )


def test_ongoing_treatment_keeps_the_year_of_tests(anakinra: Monograph) -> None:
    r = run(anakinra, indication="rheumatoid arthritis", kidney={"crcl_ml_min": 70})
    assert r.regimen is not None and r.regimen.duration_days is None
    assert max(m.due for m in r.monitoring).year == 2028


def test_consider_is_advice_to_the_prescriber(anakinra: Monograph) -> None:
    r = run(
        anakinra,
        indication="DIRA",
        age_years=9,
        weight_kg=29,
        height_cm=132,
        kidney={"egfr_ml_min_1_73m2": 22},
    )
    assert r.regimen is not None and r.regimen.every_hours is None
    adj = next(a for a in r.alerts if a.kind == "dose-adjustment")
    assert "should consider" in adj.detail and "prescriber's decision" in adj.detail


def test_contradictory_kidney_facts_cannot_decide(anakinra: Monograph) -> None:
    r = run(
        anakinra,
        indication="rheumatoid arthritis",
        kidney={"egfr_ml_min_1_73m2": 88},
        conditions=["renal failure on haemodialysis"],
    )
    assert r.decision == "cannot-decide"
    kidney = [a for a in r.alerts if a.kind == "cannot-decide" and a.field == "kidney"]
    assert any("88" in a.detail and "haemodialysis" in a.detail for a in kidney)


def test_obese_adult_near_the_threshold_is_not_left_daily(anakinra: Monograph) -> None:
    r = run(
        anakinra,
        indication="rheumatoid arthritis",
        weight_kg=150,
        height_cm=175,
        age_years=50,
        kidney={"serum_creatinine_mg_dl": 3.5},
    )
    assert r.regimen is not None and r.regimen.every_hours is None
    assert r.decision == "cannot-decide"


def test_child_creatinine_uses_schwartz(anakinra: Monograph) -> None:
    r = run(
        anakinra,
        indication="NOMID",
        age_years=4,
        weight_kg=16,
        height_cm=102,
        kidney={"serum_creatinine_mg_dl": 0.35},
    )
    assert r.regimen is not None and r.regimen.every_hours == 24
    assert any("Schwartz" in n for n in r.regimen.notes)
