"""CDS Hooks 2.0 service: the personal check, run inside an EHR while a medicine is ordered.

The EHR sends draft FHIR R4 MedicationRequests and (prefetched) the patient's record. We read
the record into the same profile a person would type, run the same engine check, and turn each
alert into a card. What the record does not tell us is said on a card, never assumed: a
missing medication list means interactions were not checked, not that there are none.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Body, Path, Request
from fastapi.responses import Response
from pydantic import ValidationError

from druginfo.errors import InputError, UnknownDrug
from druginfo.interfaces.cdshooks.cards import CardMaker, Draft, drug_label, md_escape
from druginfo.interfaces.cdshooks.feedback import Feedback, store_feedback
from druginfo.interfaces.cdshooks.fhir_record import (
    LIST_PREFETCH,
    PREFETCH,
    Patient,
    Record,
    concept_names,
    parse_date,
    unread_codes,
)
from druginfo.interfaces.cdshooks.wire import (
    SERVICES,
    Card,
    CardsResponse,
    CDSError,
    Discovery,
    HookRequest,
    HookService,
    ServiceDescription,
)
from druginfo.interfaces.errors import ErrorBody
from druginfo.model import CheckResult

if TYPE_CHECKING:
    from druginfo.service import Service


# --- the service -----------------------------------------------------------------------------


def _start_date(request: dict[str, Any], today: dt.date) -> tuple[dt.date, str]:
    """When the order starts (for the monitoring calendar), and how we know."""
    candidates: list[tuple[Any, str]] = []
    for dosage in request.get("dosageInstruction") or []:
        timing = dosage.get("timing") if isinstance(dosage, dict) else None
        repeat = timing.get("repeat") if isinstance(timing, dict) else None
        bounds = repeat.get("boundsPeriod") if isinstance(repeat, dict) else None
        if isinstance(bounds, dict):
            candidates.append((bounds.get("start"), "the order's dosage start"))
    dispense = request.get("dispenseRequest")
    validity = dispense.get("validityPeriod") if isinstance(dispense, dict) else None
    if isinstance(validity, dict):
        candidates.append((validity.get("start"), "the order's validity start"))
    candidates.append((request.get("authoredOn"), "the order date"))
    for value, how in candidates:
        day = parse_date(value)
        if day is not None and 1900 <= day.year <= 2200:
            return day, f"{day.isoformat()} ({how})"
    return today, f"{today.isoformat()} (today: the order gives no start date)"


def _drafts(patient: Patient, draft_orders: dict[str, Any]) -> list[Draft]:
    if draft_orders.get("resourceType") != "Bundle":
        raise CDSError("context.draftOrders", "draftOrders must be a FHIR Bundle")
    entries = draft_orders.get("entry") or []
    if not isinstance(entries, list):
        raise CDSError("context.draftOrders.entry", "entry must be a list")
    drafts = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise CDSError("context.draftOrders.entry", "each entry must be an object")
        res = entry.get("resource")
        if not isinstance(res, dict) or not isinstance(res.get("resourceType"), str):
            raise CDSError("context.draftOrders.entry.resource", "each entry needs a resource")
        if res["resourceType"] != "MedicationRequest":
            continue
        ref = f"MedicationRequest/{res['id']}" if isinstance(res.get("id"), str) else None
        drafts.append(Draft(res, ref, patient.medication_names(res)))
    return drafts


_ITEM = re.compile(r"^(?P<name>[^\[\]]+)\[(?P<index>\d+)\]$")


def _without(raw: dict[str, Any], dotted: str) -> bool:
    """Drop a field the engine refused ('weight_kg', 'kidney.crcl_ml_min', 'medications[3]')
    from the raw profile; True if something was removed."""
    parts = dotted.split(".")
    target: Any = raw
    for part in parts[:-1]:
        target = target.get(part) if isinstance(target, dict) else None
    last = parts[-1]
    item = _ITEM.match(last)
    if item and isinstance(target, dict) and isinstance(target.get(item["name"]), list):
        values = target[item["name"]]
        index = int(item["index"])
        if index < len(values):
            del values[index]
            return True
    if isinstance(target, dict) and last in target:
        del target[last]
        return True
    return False


class CDSHooksService:
    def __init__(self, service: Service) -> None:
        self.service = service

    def discovery(self) -> Discovery:
        return Discovery(
            services=[
                ServiceDescription(
                    hook=s.hook,
                    id=s.id,
                    title=s.title,
                    description=s.description,
                    prefetch=PREFETCH,
                    usageRequirements=(
                        "Send the prefetch items; without active medications, allergies or "
                        "conditions the cards say which checks could not be made."
                    ),
                )
                for s in SERVICES.values()
            ]
        )

    def call(
        self, hook: HookService, req: HookRequest, base_url: str, today: dt.date | None = None
    ) -> CardsResponse:
        if req.hook != hook.hook:
            raise CDSError(
                "hook", f"service {hook.id} answers the {hook.hook} hook, not {req.hook}"
            )
        today = today or dt.date.today()
        ctx = req.context
        patient = Patient(req.prefetch, ctx.draftOrders)
        drafts = _drafts(patient, ctx.draftOrders)
        if hook.hook == "order-select":
            if ctx.selections is None:
                raise CDSError("context.selections", "order-select needs selections")
            chosen = set(ctx.selections)
            checked = [d for d in drafts if d.ref in chosen]
        else:
            checked = drafts
        maker = CardMaker(req.hookInstance, base_url)
        cards: list[Card] = []
        base = patient.record(today)
        active = self._active_medications(patient, drafts)
        unknown: list[str] = []
        any_checked = False
        for draft in checked:
            key = self._resolve(draft.names)
            if key is None:
                unknown.append(draft.names[0] if draft.names else draft.ref or "an unnamed order")
                continue
            found = self._check_draft(maker, key, draft, drafts, active, base, today)
            if found is None:  # a known name, but no monograph to check it against
                unknown.append(draft.names[0])
                continue
            any_checked = True
            cards += found
        if unknown:
            names = ", ".join(unknown)
            cards.append(
                maker.info_card(
                    "not-checked",
                    f"druginfo has no information on {names}: not checked",
                    f"No monograph matches {md_escape(names)}; these orders were not checked.",
                )
            )
        if any_checked and base.missing_lists:
            missing = "; ".join(LIST_PREFETCH[k] for k in base.missing_lists)
            cards.append(
                maker.info_card(
                    "record-incomplete",
                    "Part of the record was not sent: some checks were not made",
                    f"The request did not include {md_escape(missing)}. "
                    f"Send the prefetch items {', '.join(base.missing_lists)}.",
                    warning=True,
                )
            )
        if any_checked and base.notes:
            cards.append(
                maker.info_card(
                    "record-unread",
                    "Record entries could not be read: screening is incomplete",
                    "Review these entries before signing: "
                    + "; ".join(md_escape(n) for n in base.notes)
                    + ". Add a text or a display name, or a code druginfo knows (RxNorm, "
                    "SNOMED CT, ATC).",
                    warning=True,
                )
            )
        return CardsResponse(cards=cards)

    def _active_medications(self, patient: Patient, drafts: list[Draft]) -> list[tuple[str, str]]:
        """(reference, name) of every active medication in the record."""
        draft_ids = {id(d.resource) for d in drafts}
        out: list[tuple[str, str]] = []
        for rtype in ("MedicationRequest", "MedicationStatement"):
            for res in patient.by_type.get(rtype, []):
                if id(res) in draft_ids:
                    continue
                if res.get("status") not in ("active", "on-hold", "intended", None):
                    continue
                names = patient.medication_names(res)
                ref = f"{rtype}/{res.get('id')}"
                if names:
                    out.append((ref, self._pick_name(names)))
                else:
                    # Unreadable (an unknown code, no text): passed on as an unidentified
                    # medicine, so the check says it could not screen it instead of skipping it.
                    codes = unread_codes(res.get("medicationCodeableConcept"), "medicine")
                    out.append((ref, f"unidentified medicine ({codes})"))
        return out

    def _pick_name(self, names: list[str]) -> str:
        for name in names:
            if self.service.vocab.resolve_medication(name) is not None:
                return name
        return names[0]

    def _resolve(self, names: list[str]) -> str | None:
        for name in names:
            match = self.service.vocab.resolve_medication(name)
            if match is None:
                try:
                    match = self.service.resolve(name)
                except (UnknownDrug, InputError):
                    match = None
            if match is not None:
                return match.key
        return None

    def _check_draft(
        self,
        maker: CardMaker,
        key: str,
        draft: Draft,
        drafts: list[Draft],
        active: list[tuple[str, str]],
        base: Record,
        today: dt.date,
    ) -> list[Card] | None:
        raw = copy.deepcopy(base.raw)  # each draft may drop refused values on its own
        others = [self._pick_name(d.names) for d in drafts if d is not draft and d.names]
        meds = [name for ref, name in active if ref != draft.ref] + others
        if meds:
            raw["medications"] = list(dict.fromkeys(meds))
        reasons = [
            n
            for c in draft.resource.get("reasonCode") or []
            for n in concept_names(c, "condition")[:1]
        ]
        if reasons:
            raw["indication"] = reasons[0]
        start, how = _start_date(draft.resource, today)
        raw["start_date"] = start.isoformat()
        rejected: list[str] = []
        result: CheckResult | None = None
        for _ in range(12):
            try:
                result = self.service.check(key, raw)
                break
            except UnknownDrug:
                return None
            except InputError as exc:
                # A value from the record the engine will not accept: leave it out (the check
                # then says what it cannot decide) and say so, rather than fail the whole call.
                if not _without(raw, exc.field):
                    raise
                rejected.append(f"`{exc.field}`: {md_escape(exc.message)}")
        if result is None:
            return []
        for name in draft.names:
            named = self.service.vocab.resolve_medication(name)
            if named is not None and named.key == key:
                draft.label = named.display if named.display != key else None
                break
        cards = [maker.alert_card(result, key, a, draft) for a in result.alerts]
        if result.regimen is not None:
            dose = maker.dose_card(result, key, result.regimen, base, draft)
            if dose is not None:
                cards.append(dose)
            cards += maker.ordered_dose_cards(result, key, result.regimen, draft)
        if result.monitoring:
            cards.append(maker.monitoring_card(result, key, draft, how))
        if rejected:
            cards.append(
                maker.info_card(
                    f"record-rejected-{key}",
                    f"{(draft.label or drug_label(result, draft.names))}: values in the record were not used",
                    "These values were left out as implausible: " + "; ".join(rejected) + ".",
                    warning=True,
                )
            )
        order = {"critical": 0, "warning": 1, "info": 2}
        return sorted(cards, key=lambda c: order[c.indicator])


def build_cds_router(service: Service) -> APIRouter:
    cds = CDSHooksService(service)
    router = APIRouter(prefix="/cds-services", tags=["cds-hooks"])

    @router.get("", response_model=Discovery, summary="CDS Hooks discovery")
    def discovery() -> Response:
        return Response(
            cds.discovery().model_dump_json(exclude_none=True), media_type="application/json"
        )

    @router.post(
        "/{service_id}",
        response_model=CardsResponse,
        response_model_exclude_none=True,
        summary="Call a CDS service (order-sign or order-select)",
        responses={
            400: {"model": ErrorBody, "description": "Malformed request."},
            404: {"model": ErrorBody, "description": "Unknown service id."},
        },
    )
    def call(
        service_id: Annotated[str, Path(max_length=100)],
        body: Annotated[HookRequest, Body()],
        request: Request,
    ) -> Response:
        from druginfo.interfaces.errors import json_error

        hook = SERVICES.get(service_id)
        if hook is None:
            return json_error(404, f"no CDS service {service_id!r}", "id")
        try:
            cards = cds.call(hook, body, str(request.base_url))
        except CDSError as exc:
            return json_error(400, exc.message, exc.field)
        except ValidationError as exc:  # a card we built is malformed: our bug, not theirs
            raise RuntimeError("invalid card") from exc
        return Response(cards.model_dump_json(exclude_none=True), media_type="application/json")

    @router.post(
        "/{service_id}/feedback",
        summary="Feedback on the cards of a CDS service (accepted or overridden)",
        responses={
            400: {"model": ErrorBody, "description": "Malformed feedback."},
            404: {"model": ErrorBody, "description": "Unknown service id."},
        },
    )
    def feedback(
        service_id: Annotated[str, Path(max_length=100)],
        body: Annotated[Feedback, Body()],
    ) -> Response:
        from druginfo.interfaces.errors import json_error

        if service_id not in SERVICES:
            return json_error(404, f"no CDS service {service_id!r}", "id")
        stored = store_feedback(service_id, body)
        return Response(
            json.dumps({"stored": stored}), media_type="application/json", status_code=200
        )

    return router
