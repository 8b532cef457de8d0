"""The REST API: the same answers as the CLI, as JSON, described by OpenAPI.

Every route delegates to `druginfo.service.Service`; nothing clinical is computed here. The
profile is documented as a schema (so clients can build forms from it) but its values are
judged by the engine, which is the only place that knows units and plausible ranges.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
)
from starlette.concurrency import run_in_threadpool

import druginfo
from druginfo.interfaces.errors import BODY_ERRORS, ERROR_RESPONSES
from druginfo.model import (
    EVENTS,
    AdviceResult,
    CheckResult,
    DrugSummary,
    Monograph,
    SearchHit,
)
from druginfo.model.facts import FactsReport
from druginfo.reconcile import ReconcileReport

if TYPE_CHECKING:
    from druginfo.service import Service

# Strict types: values reach the engine exactly as sent, so the API accepts and refuses the same
# profiles as the CLI (no silent "yes" → true or 20260101 → a date).
# Text as the engine takes it: not blank, at most 500 characters; lists of at most 200 names.
Text = Annotated[StrictStr, Field(min_length=1, max_length=500, pattern=r"\S")]
Number = StrictInt | StrictFloat | Text  # a number in the field's unit, or "44 lb"
Flag = StrictBool
Names = Annotated[list[Text], Field(max_length=200)]
DateText = Annotated[StrictStr, Field(json_schema_extra={"format": "date"})]


class KidneyIn(BaseModel):
    """Kidney function; one of these is enough (creatinine needs age, weight and sex)."""

    model_config = ConfigDict(extra="forbid")

    crcl_ml_min: Number | None = Field(default=None, description="Creatinine clearance, mL/min.")
    egfr_ml_min_1_73m2: Number | None = Field(default=None, description="eGFR, mL/min/1.73 m².")
    serum_creatinine_mg_dl: Number | None = Field(
        default=None, description="Serum creatinine, mg/dL (Cockcroft–Gault with age/weight/sex)."
    )
    serum_creatinine_umol_l: Number | None = Field(
        default=None, description="Serum creatinine in µmol/L (instead of mg/dL)."
    )
    severe_kidney_disease: Flag | None = None


class ProfileIn(BaseModel):
    """The patient profile of CONTRACT.md. Every field is optional; a field a decision needs
    and does not get yields a `cannot-decide` alert naming it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "age_years": 34,
                    "weight_kg": "70 kg",
                    "sex": "female",
                    "pregnant": False,
                    "indication": "rheumatoid arthritis",
                    "kidney": {"crcl_ml_min": 25},
                    "allergies": ["latex"],
                    "medications": ["Enbrel 50 mg weekly", "methotrexate"],
                    "start_date": "2026-12-01",
                }
            ]
        },
    )

    drug: Text | None = Field(
        default=None, description="The medicine, when not given beside the profile."
    )
    age_years: Number | None = Field(default=None, description="Age in years.")
    weight_kg: Number | None = Field(
        default=None, description="Weight in kg, or a string with a unit: '44 lb', '20 kg'."
    )
    weight_confirmed: Flag | None = Field(
        default=None, description="True once a weight outside the growth reference was checked."
    )
    height_cm: Number | None = Field(
        default=None, description="Height in cm (or '120 cm', '1.2 m', '47 in')."
    )
    sex: Text | None = Field(default=None, description="'female' or 'male'.")
    pregnant: Flag | None = None
    breastfeeding: Flag | None = None
    indication: Text | None = Field(default=None, description="What the medicine is for.")
    conditions: Names | None = None
    kidney: KidneyIn | None = None
    allergies: Names | None = None
    medications: Names | None = Field(
        default=None, description="Other medicines, free text ('Enbrel 50 mg weekly')."
    )
    planned_vaccines: Names | None = None
    planned_surgery_date: DateText | None = Field(default=None, description="YYYY-MM-DD.")
    start_date: DateText | None = Field(
        default=None, description="First dose (YYYY-MM-DD); the monitoring calendar counts from it."
    )

    def raw(self) -> dict[str, Any]:
        """The fields the caller sent, as plain JSON values, for the engine to parse."""
        return self.model_dump(mode="json", exclude_unset=True)


class CheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    drug: str | None = Field(
        default=None,
        description="Generic or brand name, any case, near-misses tolerated.",
        examples=["anakinra"],
    )
    profile: ProfileIn = Field(default_factory=ProfileIn)


class AdviceRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    drug: str = Field(description="Generic or brand name.", examples=["Kineret"])
    # Documented as an enum; the engine decides (UnknownEvent → 422 naming the known events).
    event: str = Field(
        description="What happened.",
        json_schema_extra={"enum": list(EVENTS)},
        examples=["missed-dose"],
    )
    profile: ProfileIn | None = Field(
        default=None, description="Optional: lets the advice take the person into account."
    )


class Health(BaseModel):
    status: str
    version: str
    drugs: int


def _json(model: BaseModel) -> Response:
    """Serialise once with pydantic-core; the declared response_model still documents it."""
    return Response(content=model.model_dump_json(), media_type="application/json")


def _json_list(models: list[Any]) -> Response:
    body = b"[" + b",".join(m.model_dump_json().encode() for m in models) + b"]"
    return Response(content=body, media_type="application/json")


NameParam = Annotated[
    str,
    Path(min_length=1, max_length=200, description="Generic or brand name.", examples=["anakinra"]),
]
LangParam = Annotated[
    str | None,
    Query(
        min_length=2,
        max_length=8,
        pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,4})?$",
        description="Language of the document (en, da, pt, ...); default English, then any.",
    ),
]


def read_bounded(body: bytes) -> dict[str, Any]:
    """A request body through the profile reader's bounds (InputError naming the problem);
    shared with the POST fast path (api_fast.CheckFastPath), so both refuse the same."""
    from druginfo.engine.reading import decode, parse_text

    return parse_text(decode(body, "body"), "body")


async def bounded_body(request: Request) -> None:
    """Read the JSON body with the profile reader's bounds first: a key given twice, a
    5,000-digit number or a 10,000-deep nesting is a 422 naming the problem (JSON parsers
    silently keep the last of two keys; deep nesting or long numbers would be a crash)."""
    body = await request.body()
    if body.strip():
        read_bounded(body)


BOUNDED = [Depends(bounded_body)]


async def run_check(service: Service, drug: str | None, raw: dict[str, Any]) -> CheckResult:
    """`service.check` on the event loop when the service has the medicine's product and
    facts in memory (`Service.check_ready`: a warm check costs less than the hand-off to a
    thread), else in the thread pool: a first check of a medicine extracts its facts
    (100+ ms) and must not stall every other request. Shared with api_fast.CheckFastPath."""
    if service.check_ready(drug, raw):
        return service.check(drug, raw)
    return await run_in_threadpool(service.check, drug, raw)


def build_api_router(service: Service) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["api"], responses=ERROR_RESPONSES)

    @router.get("/health", response_model=Health, summary="Liveness and store reachability")
    def health() -> Health:
        return Health(status="ok", version=druginfo.__version__, drugs=len(service.list_drugs()))

    @router.get("/drugs", response_model=list[DrugSummary], summary="Every medicine known")
    def list_drugs() -> Response:
        return _json_list(service.list_drugs())

    @router.get("/drugs/{name}", response_model=Monograph, summary="One medicine's monograph")
    async def get_drug(name: NameParam, lang: LangParam = None) -> Response:
        # async: a cached monograph is microseconds of work, less than a thread-pool hop;
        # the bytes are cached per stored document version (Service.monograph_json).
        body = service.monograph_json(name, lang.lower() if lang else None)
        return Response(content=body, media_type="application/json")

    @router.get("/search", response_model=list[SearchHit], summary="Search names and text")
    def search(
        q: Annotated[str, Query(min_length=1, max_length=200, description="What to look for.")],
        limit: Annotated[int, Query(ge=1, le=200)] = 20,
        lang: LangParam = None,
    ) -> Response:
        return _json_list(service.search(q, limit=limit, language=lang.lower() if lang else None))

    @router.post(
        "/check",
        dependencies=BOUNDED,
        response_model=CheckResult,
        responses=BODY_ERRORS,
        summary="Personal check of a medicine against a profile",
        description=(
            "Dose, contraindications, interactions, warnings and monitoring for one person, "
            "each with the quoted sources. `decision` is `do-not-use` when a contraindication "
            "applies and `cannot-decide` when a field the decision needs is missing."
        ),
    )
    async def check(request: Annotated[CheckRequest, Body()]) -> Response:
        return _json(await run_check(service, request.drug, request.profile.raw()))

    @router.post(
        "/check.ics",
        dependencies=BOUNDED,
        summary="The monitoring calendar of a check, as iCalendar",
        response_class=Response,
        responses={
            200: {"content": {"text/calendar": {}}, "description": "RFC 5545 calendar."},
            **BODY_ERRORS,
        },
    )
    def check_ics(request: Annotated[CheckRequest, Body()]) -> Response:
        from druginfo.interfaces.ics import calendar_bytes

        result = service.check(request.drug, request.profile.raw())
        filename = f"{result.drug.generic}-monitoring.ics"
        return Response(
            content=calendar_bytes(result, request.drug),
            media_type="text/calendar",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    @router.post(
        "/advise",
        dependencies=BOUNDED,
        response_model=AdviceResult,
        responses=BODY_ERRORS,
        summary="What to do when EVENT happens",
    )
    def advise(request: Annotated[AdviceRequest, Body()]) -> Response:
        profile = request.profile.raw() if request.profile is not None else None
        return _json(service.advise(request.drug, request.event, profile))

    @router.get(
        "/reconcile/{name}",
        response_model=ReconcileReport,
        summary="Claims per topic across sources: agree, conflict, only-one-source, stale",
    )
    def reconcile(name: NameParam) -> Response:
        return _json(service.reconcile(name))

    @router.get(
        "/facts/{name}",
        response_model=FactsReport,
        summary="Normalised facts of every document about a medicine, each with its quote",
    )
    def facts(name: NameParam) -> Response:
        body = json.dumps(service.facts(name).as_contract(), ensure_ascii=False)
        return Response(content=body, media_type="application/json")

    return router
