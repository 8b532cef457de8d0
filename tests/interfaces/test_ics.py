from __future__ import annotations

import datetime as dt

from icalendar import Calendar

from druginfo.interfaces.ics import calendar_bytes
from druginfo.model import (
    CheckResult,
    DrugRef,
    MonitoringItem,
    Regimen,
    ScheduledDose,
    SourceRef,
)


def test_calendar_is_rfc5545_with_one_all_day_event_per_item() -> None:
    result = CheckResult(
        drug=DrugRef(generic="anakinra", brands=["Kineret"]),
        decision="ok",
        monitoring=[
            MonitoringItem(
                test="neutrophil count", due=dt.date(2026, 12, 1), why="w", sources=["S1"]
            ),
            MonitoringItem(
                test="neutrophil count", due=dt.date(2027, 1, 1), why="w", sources=["S1"]
            ),
        ],
        sources={
            "S1": SourceRef(publisher="Healthline", document="anakinra", quote="monthly for 3")
        },
    )
    cal = Calendar.from_ical(calendar_bytes(result))
    events = list(cal.walk("VEVENT"))
    assert [e.decoded("dtstart") for e in events] == [dt.date(2026, 12, 1), dt.date(2027, 1, 1)]
    assert len({str(e["uid"]) for e in events}) == 2
    assert "Healthline" in str(events[0]["description"])
    assert "monthly for 3" in str(events[0]["description"])


def test_first_doses_are_dated_events_optional_ones_marked() -> None:
    result = CheckResult(
        drug=DrugRef(generic="zetamab"),
        decision="ok",
        regimen=Regimen(
            dose_mg=40,
            every_hours=336,
            loading=[
                ScheduledDose(day=0, date=dt.date(2026, 12, 1), dose_mg=80, text="80 mg"),
                ScheduledDose(day=3, date=dt.date(2026, 12, 4), dose_mg=40, optional=True),
                ScheduledDose(day=5, dose_mg=40),  # no start date: not on the calendar
            ],
        ),
    )
    events = list(Calendar.from_ical(calendar_bytes(result)).walk("VEVENT"))
    assert [e.decoded("dtstart") for e in events] == [dt.date(2026, 12, 1), dt.date(2026, 12, 4)]
    assert str(events[0]["summary"]) == "zetamab: first dose 80 mg"
    assert "if the prescriber chooses" in str(events[1]["summary"])
