"""The monitoring calendar: calendar months from the start date, phases, `when` rules."""

from __future__ import annotations

import datetime as dt

from engine_data import FakeVocab, make_monograph

from druginfo.engine import add_months, check, monitoring_calendar, parse_profile
from druginfo.model import Match, MonitoringPhase, MonitoringRule, Monograph


def test_calendar_from_2026_12_01(mono: Monograph, vocab: FakeVocab) -> None:
    items = monitoring_calendar(mono, parse_profile({}), dt.date(2026, 12, 1), vocab)
    assert [i.due.isoformat() for i in items] == [
        "2026-12-01",
        "2027-01-01",
        "2027-02-01",
        "2027-03-01",
        "2027-06-01",
        "2027-09-01",
        "2027-12-01",
    ]
    assert all(i.test == "neutrophil count" and i.sources == ["neutrophils"] for i in items)
    assert "before starting" in items[0].why


def test_month_end_clamped() -> None:
    assert add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2026, 12, 31), 3) == dt.date(2027, 3, 31)
    assert add_months(dt.date(2026, 11, 30), 14) == dt.date(2028, 1, 30)


def test_when_rule_only_for_matching_profiles(vocab: FakeVocab) -> None:
    older = MonitoringRule(
        test="kidney function",
        why="older people",
        before_start=False,
        phases=[MonitoringPhase(every_months=6, until_month=12)],
        when=Match(age_at_least_years=65),
        claims=["seniors"],
    )
    mono = make_monograph(monitoring=[older])
    start = dt.date(2027, 1, 15)
    assert monitoring_calendar(mono, parse_profile({"age_years": 40}), start, vocab) == []
    items = monitoring_calendar(mono, parse_profile({"age_years": 70}), start, vocab)
    assert [i.due for i in items] == [dt.date(2027, 7, 15), dt.date(2028, 1, 15)]


def test_no_start_date_low_cannot_decide(mono: Monograph, vocab: FakeVocab) -> None:
    profile = parse_profile(
        {"age_years": 40, "sex": "male", "indication": "RA", "kidney": {"crcl_ml_min": 90}}
    )
    result = check(mono, profile, vocab)
    assert result.monitoring == []
    (a,) = result.alerts
    assert (a.kind, a.severity, a.field) == ("cannot-decide", "low", "start_date")
    assert a.sources and result.sources[a.sources[0]].claim == "neutrophils"
    assert result.decision == "ok"
