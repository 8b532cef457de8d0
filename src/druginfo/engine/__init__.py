"""The engine: pure functions from a monograph and a profile to cited answers. No I/O.

Engine functions below `check`/`advise` cite with references (claim ids, `source:<id>`,
evidence ids); `check` and `advise` turn them into the S-keys of the public result.

The names below load with the submodule that defines them, on first use: importing one light
submodule (`druginfo.engine.dose_rules`, which the monograph pages need) runs this file, and
must not import the whole check (rules, vocabulary, YAML) for a command that only shows a
medicine.
"""

from __future__ import annotations

import sys
import types
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from druginfo.engine.advice import advise
    from druginfo.engine.check import check
    from druginfo.engine.citations import Citations
    from druginfo.engine.decision import decide, sort_alerts
    from druginfo.engine.dosing import compute_regimen
    from druginfo.engine.kidney import KidneyAssessment, cockcroft_gault, kidney_function
    from druginfo.engine.monitoring import add_months, monitoring_calendar
    from druginfo.engine.profile import parse_profile
    from druginfo.engine.screening import Screening, screen, screen_details

# Public name → the submodule that defines it.
_HOMES: dict[str, str] = {
    "advise": "advice",
    "check": "check",
    "Citations": "citations",
    "decide": "decision",
    "sort_alerts": "decision",
    "compute_regimen": "dosing",
    "KidneyAssessment": "kidney",
    "cockcroft_gault": "kidney",
    "kidney_function": "kidney",
    "add_months": "monitoring",
    "monitoring_calendar": "monitoring",
    "parse_profile": "profile",
    "Screening": "screening",
    "screen": "screening",
    "screen_details": "screening",
}

__all__ = [
    "Citations",
    "KidneyAssessment",
    "Screening",
    "add_months",
    "advise",
    "check",
    "cockcroft_gault",
    "compute_regimen",
    "decide",
    "kidney_function",
    "monitoring_calendar",
    "parse_profile",
    "screen",
    "screen_details",
    "sort_alerts",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})


class _Package(types.ModuleType):
    """`druginfo.engine.check` is the function, as it was when this file imported everything:
    loading the submodule of the same name (which the import system then sets as an attribute
    of this package) must not replace it."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _HOMES and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
