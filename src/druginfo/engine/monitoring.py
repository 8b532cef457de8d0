"""The monitoring calendar: dated tests counted in calendar months from the start date.

"Every month for 3 months, then every 3 months for a year" becomes months 1, 2, 3, 6, 9, 12.
Each phase continues from the last test of the phase before, so the gap between two tests is
never longer than a phase says. Month arithmetic is calendar arithmetic clamped to the month's
end (31 January + 1 month = 28/29 February), as clinics schedule.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools

from druginfo.engine import memo
from druginfo.engine.build import make
from druginfo.engine.matching import Context, RulePlan, evaluate, plan_for
from druginfo.model import MonitoringItem, MonitoringRule, Monograph, Profile
from druginfo.vocab.base import ClassMembership, NameMatch, VaccineMatch, Vocabulary


@functools.lru_cache(maxsize=4096)
def add_months(day: dt.date, months: int) -> dt.date:
    """Remembered: the same start dates and months recur for every person checked."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def schedule_months(rule: MonitoringRule) -> list[int]:
    """Months after start at which the test is due; 0 is 'before starting'."""
    months = [0] if rule.before_start else []
    last = 0
    for phase in rule.phases:
        m = last + phase.every_months
        while m <= phase.until_month:
            months.append(m)
            last = m
            m += phase.every_months
    return months


def applies(rule: MonitoringRule, ctx: Context, plan: RulePlan | None = None) -> bool:
    """Rules with `when` apply to matching profiles; an undecided `when` counts as applying
    (an extra blood test is a smaller harm than a missed one). `plan`: the plan of `when`,
    when already made."""
    if rule.when is None:
        return True
    return evaluate(rule.when, ctx, plan).state != "no"


def monitoring_calendar(
    mono: Monograph,
    profile: Profile,
    start_date: dt.date,
    vocab: Vocabulary | None = None,
    duration_days: int | None = None,
) -> list[MonitoringItem]:
    """Dated tests sorted by date; `sources` hold claim ids (S-keys after `check`).

    `vocab` is only consulted by rules whose `when` looks at medications or vaccines; without
    it such rules count as applying. A fixed course (`duration_days`, e.g. a 10-day course)
    keeps only the tests due before it ends: a year of tests for ten days of treatment would
    be wrong.
    """
    end = start_date + dt.timedelta(days=duration_days) if duration_days else None
    ctx = Context(mono, profile, vocab if vocab is not None else _NO_VOCAB)
    items: list[MonitoringItem] = []
    for rule, consults_vocab, months, plan in _schedules(mono):
        asked = rule.when is not None and not (vocab is None and consults_vocab)
        if asked and not applies(rule, ctx, plan):
            continue
        for month in months:
            if end is not None and month and add_months(start_date, month) > end:
                continue
            items.append(
                make(
                    MonitoringItem,
                    dict(
                        test=rule.test,
                        due=add_months(start_date, month),
                        why=rule.why if month else f"{rule.why} (before starting)",
                        sources=list(rule.claims),
                    ),
                )
            )
    items.sort(key=lambda i: i.due)
    return items


@memo.by_identity()
def _schedules(
    mono: Monograph,
) -> tuple[tuple[MonitoringRule, bool, tuple[int, ...], RulePlan | None], ...]:
    """Each monitoring rule, whether its `when` asks the vocabulary, its months and the plan
    of its `when` (once per document)."""
    out = []
    for rule in mono.monitoring:
        when = rule.when
        consults_vocab = when is not None and bool(
            when.medication_classes_any or when.medication_names_any or when.vaccine_classes_any
        )
        plan = plan_for(when, mono) if when is not None else None
        out.append((rule, consults_vocab, tuple(schedule_months(rule)), plan))
    return tuple(out)


class _NoVocab:
    """Stands in for a vocabulary when none is given; knows no names."""

    def resolve(self, text: str) -> NameMatch | None:
        return None

    def suggest(self, text: str, limit: int = 5) -> list[str]:
        return []

    def resolve_medication(self, text: str) -> NameMatch | None:
        return None

    def classes_of(self, key: str) -> list[ClassMembership]:
        return []

    def vaccine(self, text: str) -> VaccineMatch | None:
        return None


# One for every call: what is remembered by a vocabulary's identity is then remembered once.
_NO_VOCAB = _NoVocab()
