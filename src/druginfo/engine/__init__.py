"""The engine: pure functions from a monograph and a profile to cited answers. No I/O.

Engine functions below `check`/`advise` cite with references (claim ids, `source:<id>`,
evidence ids); `check` and `advise` turn them into the S-keys of the public result.
"""

from druginfo.engine.advice import advise
from druginfo.engine.check import check
from druginfo.engine.citations import Citations
from druginfo.engine.decision import decide, sort_alerts
from druginfo.engine.dosing import compute_regimen
from druginfo.engine.kidney import KidneyAssessment, cockcroft_gault, kidney_function
from druginfo.engine.monitoring import add_months, monitoring_calendar
from druginfo.engine.profile import parse_profile
from druginfo.engine.screening import Screening, screen, screen_details

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
