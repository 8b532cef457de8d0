"""From alerts to the one-word decision, and the order alerts are shown in.

Precedence, most serious first: a fired rule the label calls "do not use" (`blocking`) about
this medicine or a combination → `do-not-use` (a blocking rule about a planned live vaccine
rules out the vaccine, not this medicine: it is listed in the result's `avoid` and counts as
`caution`; a medicine not to combine is listed in `avoid` too, and stays `do-not-use` until one
of the two is stopped); otherwise a high or moderate `cannot-decide` (a missing fact that could change
the answer: a weight for a per-kg dose, an unrecognised medicine that could be a TNF blocker)
→ `cannot-decide`; otherwise any contraindication, interaction, warning or dose adjustment →
`caution`; otherwise `ok`. Low-severity `cannot-decide` alerts (e.g. no start date for the
monitoring calendar) are informative and do not change the decision.
"""

from __future__ import annotations

from collections.abc import Iterable

from druginfo.model import Alert, Decision

SEVERITY_RANK = {"high": 0, "moderate": 1, "low": 2}
CAUTION_KINDS = frozenset({"contraindication", "interaction", "warning", "dose-adjustment"})


def decide(alerts: Iterable[Alert]) -> Decision:
    alerts = list(alerts)
    if any(a.blocking and a.kind != "cannot-decide" and a.avoid_kind != "vaccine" for a in alerts):
        return "do-not-use"
    if any(a.kind == "cannot-decide" and a.severity in ("high", "moderate") for a in alerts):
        return "cannot-decide"
    if any(a.kind in CAUTION_KINDS for a in alerts):
        return "caution"
    return "ok"


def sort_alerts(alerts: Iterable[Alert]) -> list[Alert]:
    """High first; within a severity, blocking first; otherwise the order they were raised."""
    return sorted(alerts, key=lambda a: (SEVERITY_RANK.get(a.severity, 3), not a.blocking))
