"""The reconcile page of a medicine: where its documents agree, disagree or stand alone.

It is an editor's working page: every finding shows its status in colour, then each source's
normalised value, quote and date side by side; a status filter (plain GET checkboxes, no
script needed) narrows the list. Registered by `create_app` next to the site router.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from druginfo.errors import DruginfoError, InputError, UnknownDrug
from druginfo.reconcile import STATUSES
from druginfo.reconcile.alerts import disputes

if TYPE_CHECKING:
    from druginfo.service import Service

STATUS_WORDS = {
    "error": "Error against reference data",
    "conflict": "Sources disagree",
    "new-stale": "New or changed in a newer document",
    "only-one-source": "Only one source",
    "agree": "Sources agree",
}


def source_disputes(request: Request, drug: str | None) -> dict[str, dict[str, str]]:
    """For templates: alert trigger → where the sources of that advice disagree (summary and
    a link to the quotes side by side). Uses the app's service (create_app sets it); without
    one, or for a medicine that cannot be reconciled, nothing is marked."""
    service = getattr(request.app.state, "service", None)
    if service is None or not drug:
        return {}
    try:
        report = service.reconcile(drug)
    except DruginfoError:
        return {}
    home = f"/drugs/{quote(report.drug, safe='')}/reconcile"
    return {
        trigger: {"summary": found[0].summary, "url": f"{home}#{found[0].id}"}
        for trigger, found in disputes(report).items()
    }


def build_reconcile_router(service: Service) -> APIRouter:
    from druginfo.interfaces.web.auth import Auth
    from druginfo.interfaces.web.routes import _ENV, render_page

    _ENV.globals.setdefault("source_disputes", source_disputes)

    router = APIRouter(include_in_schema=False)
    auth = Auth.of(service.private)

    def render(
        request: Request, template: str, status: int = 200, **context: object
    ) -> HTMLResponse:
        # The site's own page renderer: the header shows the signed-in person's account link.
        return render_page(request, template, status, auth=auth, **context)

    @router.get("/drugs/{name}/reconcile", response_class=HTMLResponse)
    def reconcile_page(
        request: Request,
        name: str,
        status: Annotated[list[str] | None, Query()] = None,
    ) -> HTMLResponse:
        wanted = [s for s in status or [] if s]
        bad = [s for s in wanted if s not in STATUSES]
        if bad:
            return render(
                request,
                "error.html",
                422,
                title="Unknown status",
                message=f"The status filter takes {', '.join(STATUSES)}; not {', '.join(bad)}.",
            )
        try:
            report = service.reconcile(name)
        except UnknownDrug as exc:
            return render(
                request,
                "not_found.html",
                404,
                title="Medicine not found",
                name=exc.name,
                suggestions=[(n, f"/drugs/{n}/reconcile") for n in exc.suggestions],
            )
        except InputError as exc:
            return render(request, "error.html", 422, title="Bad name", message=exc.message)
        shown = [f for f in report.findings if not wanted or f.status in wanted]
        return render(
            request,
            "reconcile.html",
            title=f"{report.drug}: what the sources say",
            report=report,
            findings=shown,
            sources={s.id: s for s in report.sources},
            counts=report.counts(),
            statuses=STATUSES,
            status_words=STATUS_WORDS,
            wanted=wanted,
        )

    return router
