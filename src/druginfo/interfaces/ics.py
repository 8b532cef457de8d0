"""The monitoring calendar as an RFC 5545 iCalendar file, so people can put it in their phone.

Each monitoring item becomes an all-day event carrying its reason and its citations, so the
calendar entry itself says why the test is due and who says so.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from icalendar import Calendar, Event

from druginfo.model import CheckResult

PRODID = "-//druginfo//monitoring calendar//EN"


def calendar_bytes(result: CheckResult, drug: str | None = None) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    name = drug or result.drug.generic
    cal.add("x-wr-calname", f"{name}: monitoring")
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for item in result.monitoring:
        event = Event()
        uid_seed = f"{result.drug.generic}|{item.test}|{item.due.isoformat()}"
        event.add("uid", hashlib.sha256(uid_seed.encode()).hexdigest()[:32] + "@druginfo")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.due)
        event.add("dtend", item.due + dt.timedelta(days=1))
        event.add("summary", f"{item.test} ({name})")
        cites = []
        for key in item.sources:
            ref = result.sources.get(key)
            if ref is not None:
                when = f", reviewed {ref.reviewed.isoformat()}" if ref.reviewed else ""
                cites.append(f'[{key}] {ref.publisher}, {ref.document}{when}: "{ref.quote}"')
        description = item.why + ("\n\nSources:\n" + "\n".join(cites) if cites else "")
        event.add("description", description)
        event.add("categories", ["druginfo", "monitoring"])
        cal.add_component(event)
    regimen = result.regimen
    for first in regimen.loading if regimen is not None else []:
        # Loading doses are one-off dates: on the calendar beside the tests, marked optional
        # where the prescriber may leave them out.
        if first.date is None:
            continue
        event = Event()
        uid_seed = f"{result.drug.generic}|dose|{first.day}|{first.date.isoformat()}"
        event.add("uid", hashlib.sha256(uid_seed.encode()).hexdigest()[:32] + "@druginfo")
        event.add("dtstamp", stamp)
        event.add("dtstart", first.date)
        event.add("dtend", first.date + dt.timedelta(days=1))
        amount = f"{first.dose_mg:g} mg" if first.dose_mg is not None else "dose"
        optional = ", if the prescriber chooses" if first.optional else ""
        event.add("summary", f"{name}: first dose {amount}{optional}")
        event.add("description", first.text)
        event.add("categories", ["druginfo", "dose"])
        cal.add_component(event)
    return bytes(cal.to_ical())
