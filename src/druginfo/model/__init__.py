"""Typed data of druginfo; every other layer speaks these types.

Each name loads with its submodule on first use: building a pydantic model class costs about a
millisecond, and a command that shows a monograph need not build the check's result models.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from druginfo.model.monograph import (
        EVENTS,
        AlertKind,
        Cited,
        Conflict,
        DoseRule,
        EventAdvice,
        Identity,
        Indication,
        KidneyRule,
        Match,
        MonitoringPhase,
        MonitoringRule,
        Monograph,
        Product,
        ScreeningRule,
        Section,
        Severity,
        SideEffect,
        Statement,
        Storage,
    )
    from druginfo.model.profile import Kidney, Profile
    from druginfo.model.records import (
        ClassEntry,
        DiaryEntry,
        DrugSummary,
        Feedback,
        InteractionPair,
        SearchHit,
    )
    from druginfo.model.result import (
        AdviceResult,
        AdviceStep,
        Alert,
        Basis,
        CheckResult,
        Coverage,
        Decision,
        DrugRef,
        MonitoringItem,
        NotScreened,
        ProductChoice,
        Regimen,
        ScheduledDose,
        SourceRef,
    )
    from druginfo.model.source import Claim, Source, SourceKind, Topic

# Public name → the submodule that defines it.
_HOMES: dict[str, str] = {
    "EVENTS": "monograph",
    "AlertKind": "monograph",
    "Cited": "monograph",
    "Conflict": "monograph",
    "DoseRule": "monograph",
    "EventAdvice": "monograph",
    "Identity": "monograph",
    "Indication": "monograph",
    "KidneyRule": "monograph",
    "Match": "monograph",
    "MonitoringPhase": "monograph",
    "MonitoringRule": "monograph",
    "Monograph": "monograph",
    "Product": "monograph",
    "ScreeningRule": "monograph",
    "Section": "monograph",
    "Severity": "monograph",
    "SideEffect": "monograph",
    "Statement": "monograph",
    "Storage": "monograph",
    "Kidney": "profile",
    "Profile": "profile",
    "ClassEntry": "records",
    "DiaryEntry": "records",
    "DrugSummary": "records",
    "Feedback": "records",
    "InteractionPair": "records",
    "SearchHit": "records",
    "AdviceResult": "result",
    "AdviceStep": "result",
    "Alert": "result",
    "Basis": "result",
    "CheckResult": "result",
    "Coverage": "result",
    "Decision": "result",
    "DrugRef": "result",
    "MonitoringItem": "result",
    "NotScreened": "result",
    "ProductChoice": "result",
    "Regimen": "result",
    "ScheduledDose": "result",
    "SourceRef": "result",
    "Claim": "source",
    "Source": "source",
    "SourceKind": "source",
    "Topic": "source",
}

__all__ = [
    "EVENTS",
    "AdviceResult",
    "AdviceStep",
    "Alert",
    "AlertKind",
    "Basis",
    "CheckResult",
    "Cited",
    "Claim",
    "ClassEntry",
    "Conflict",
    "Coverage",
    "Decision",
    "DiaryEntry",
    "DoseRule",
    "DrugRef",
    "DrugSummary",
    "EventAdvice",
    "Feedback",
    "Identity",
    "Indication",
    "InteractionPair",
    "Kidney",
    "KidneyRule",
    "Match",
    "MonitoringItem",
    "MonitoringPhase",
    "MonitoringRule",
    "Monograph",
    "NotScreened",
    "Product",
    "ProductChoice",
    "Profile",
    "Regimen",
    "ScheduledDose",
    "ScreeningRule",
    "SearchHit",
    "Section",
    "Severity",
    "SideEffect",
    "Source",
    "SourceKind",
    "SourceRef",
    "Statement",
    "Storage",
    "Topic",
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
