"""Which alerts of a personal check rest on advice the sources disagree about.

An alert ("do not breast-feed") is only as firm as the documents behind it; when they
disagree, the person and their doctor should see that beside the alert, with a link to the
quotes. The mapping from alert triggers to findings is data (rules.yaml `alert_topics`).
"""

from __future__ import annotations

from druginfo.reconcile.compare import rules
from druginfo.reconcile.model import Finding, ReconcileReport


def _matches(finding: Finding, target: str) -> bool:
    topic, _, part = target.partition(":")
    if finding.topic != topic:
        return False
    return not part or finding.id == f"{topic}-{part}"


def disputes(report: ReconcileReport) -> dict[str, list[Finding]]:
    """Alert trigger → the conflicting (or erroneous) findings it rests on."""
    out: dict[str, list[Finding]] = {}
    disputed = [f for f in report.findings if f.status in ("conflict", "error")]
    for trigger, targets in rules().get("alert_topics", {}).items():
        found = [f for f in disputed for t in targets if _matches(f, t)]
        if found:
            out[trigger] = found
    return out
