"""The CDS Hooks 2.0 wire format: discovery, requests and cards, as pydantic models."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# Card summaries are limited to 140 characters by the specification.
SUMMARY_MAX = 140
# Coding system of our cards' topics (the alert's trigger id).
TRIGGER_SYSTEM = "urn:druginfo:trigger"


class ServiceDescription(BaseModel):
    hook: str
    id: str
    title: str
    description: str
    prefetch: dict[str, str]
    usageRequirements: str | None = None


class Discovery(BaseModel):
    services: list[ServiceDescription]


class HookContext(BaseModel):
    """order-sign / order-select context; other context fields are tolerated."""

    model_config = ConfigDict(extra="allow")

    userId: str = Field(min_length=1)
    patientId: str = Field(min_length=1)
    encounterId: str | None = None
    selections: list[str] | None = Field(
        default=None, description="order-select: references of the newly selected orders."
    )
    draftOrders: dict[str, Any] = Field(description="FHIR R4 Bundle of draft orders.")


class HookRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    hook: str = Field(examples=["order-sign"])
    hookInstance: str = Field(min_length=1)
    fhirServer: str | None = None
    fhirAuthorization: dict[str, Any] | None = None
    context: HookContext
    prefetch: dict[str, Any] | None = None


class Coding(BaseModel):
    system: str | None = None
    code: str | None = None
    display: str | None = None


class CardSource(BaseModel):
    label: str
    url: str | None = None
    topic: Coding | None = None


class Action(BaseModel):
    type: Literal["create", "update", "delete"]
    description: str
    resource: dict[str, Any] | None = None
    resourceId: str | None = None


class Suggestion(BaseModel):
    label: str
    uuid: str | None = None
    isRecommended: bool | None = None
    actions: list[Action] = Field(default_factory=list)


class Link(BaseModel):
    label: str
    url: str
    type: Literal["absolute", "smart"] = "absolute"


class Card(BaseModel):
    uuid: str | None = None
    summary: str = Field(max_length=SUMMARY_MAX)
    detail: str | None = None
    indicator: Literal["info", "warning", "critical"]
    source: CardSource
    suggestions: list[Suggestion] | None = None
    selectionBehavior: Literal["at-most-one", "any"] | None = None
    overrideReasons: list[Coding] | None = None
    links: list[Link] | None = None


class CardsResponse(BaseModel):
    cards: list[Card]


class CDSError(Exception):
    """A call that does not follow the hook's specification: 400 Bad Request."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class HookService:
    id: str
    hook: str
    title: str
    description: str


SERVICES: dict[str, HookService] = {
    s.id: s
    for s in (
        HookService(
            id="druginfo-order-sign",
            hook="order-sign",
            title="druginfo medication check",
            description=(
                "Checks each draft medication order against the patient's record: "
                "contraindications, interactions, warnings and dose, each quoting its sources."
            ),
        ),
        HookService(
            id="druginfo-order-select",
            hook="order-select",
            title="druginfo medication check (on selection)",
            description=(
                "Checks a newly selected medication against the patient's record and the other "
                "draft orders, before the order is completed."
            ),
        ),
    )
}
