"""Plain words for numbers and intervals, shared by the engine's notes and every interface.

One wording for "every 48 hours (every other day)" wherever a person reads it: the dose note
the engine writes, the plan page, the terminal and the EHR card.
"""

from __future__ import annotations

import math


def number(value: float | None, max_decimals: int = 3) -> str:
    """Show a number as people write it: no trailing zeros, never scientific notation."""
    if value is None:
        return ""
    if not math.isfinite(value):
        return str(value)
    text = f"{value:.{max_decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def every_hours_words(hours: int | None) -> str:
    """'every 48 hours (every other day)': the hours are exact, the words make them usable."""
    if hours is None:
        return ""
    base = f"every {hours} hour" + ("" if hours == 1 else "s")
    plain: str | None = None
    if hours % 24 == 0:
        days = hours // 24
        plain = {
            1: "once a day",
            2: "every other day",
            3: "every third day",
            7: "once a week",
            14: "every two weeks",
            28: "every four weeks",
        }.get(days, f"every {days} days")
    elif 24 % hours == 0:
        times = 24 // hours
        plain = {2: "twice a day", 3: "three times a day", 4: "four times a day"}.get(
            times, f"{times} times a day"
        )
    elif 168 % hours == 0:
        # Half a week (84 h) is how "twice a week" is written as an interval.
        times = 168 // hours
        plain = "twice a week" if times == 2 else f"{times} times a week"
    return f"{base} ({plain})" if plain else base


def schedule_words(
    every_hours: int | None, schedule: str = "repeated", min_interval_hours: int | None = None
) -> str | None:
    """How often, for a regimen: its interval, 'a single dose', or 'when needed, at least … apart';
    None when a repeated dose has no interval decided (the alerts say why)."""
    if schedule == "once":
        return "a single dose"
    if schedule == "as-needed":
        gap = (
            f", at least {min_interval_hours // 24} days apart"
            if min_interval_hours and min_interval_hours % 24 == 0
            else (f", at least {min_interval_hours} hours apart" if min_interval_hours else "")
        )
        return f"when needed{gap}"
    return every_hours_words(every_hours) if every_hours else None
