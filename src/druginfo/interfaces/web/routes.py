"""The server-rendered web site: every page is HTML computed from the same service answers
the CLI and the API give, so a person sees exactly what the engine decided and why.

Bad input never reaches a 500: form problems come back as 422 pages with the message next to
the field and the person's input kept; unknown medicines and events are 404 pages that offer
the closest names.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.exceptions import HTTPException as StarletteHTTPException

from druginfo import wording
from druginfo.errors import InputError, UnknownDrug, UnknownEvent
from druginfo.interfaces import present
from druginfo.interfaces.glance import glance
from druginfo.interfaces.ics import calendar_bytes
from druginfo.interfaces.web import plan_view
from druginfo.interfaces.web.accounts import add_account_routes
from druginfo.interfaces.web.auth import VISITOR_PLAN_LIFETIME_S, Auth, csrf_field
from druginfo.interfaces.web.forms import (
    DIARY_FIELDS,
    FEEDBACK_FIELDS,
    MAX_NAME,
    PLAN_FIELDS,
    SEVERITIES,
    WEIGHT_UNITS,
    FormErrors,
    parse_diary,
    parse_feedback,
    parse_plan,
    plan_field_for,
)
from druginfo.interfaces.web.report import (
    DETAILS,
    OUTCOMES,
    SECTION_TITLES,
    build_report,
    parse_details,
    report_pdf,
)
from druginfo.interfaces.web.security import (
    redact_submitted,
    safe_local_path,
    submitted_values,
)
from druginfo.model import EVENTS, DiaryEntry, DrugSummary, Monograph
from druginfo.service import best_document, childrens_leaflet
from druginfo.store.common import HIGHLIGHT_END, HIGHLIGHT_START
from druginfo.store.private import Account, SavedPlan, is_id

if TYPE_CHECKING:
    from druginfo.service import Service

WEB_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"

DISCLAIMER = (
    "This is not medical advice. druginfo explains what its sources say; it does not replace "
    "your doctor, nurse or pharmacist. In an emergency call your local emergency number."
)
_LANG = re.compile(r"^[a-z]{2,3}$")
LANGUAGE_NAMES = {
    "en": "English",
    "da": "Dansk",
    "pt": "Português",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "it": "Italiano",
    "nl": "Nederlands",
    "sv": "Svenska",
    "nb": "Norsk",
    "fi": "Suomi",
}


def _late_name_link(key: str, name: str, language: str | None = None, several: bool = False) -> str:
    # _name_link is defined below: looked up when a page renders, not when this module loads.
    return _name_link(key, name, language, several)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["urlq"] = lambda value: quote(str(value), safe="")
    env.filters["num"] = wording.number
    # A sentence put together by the engine may start in lower case; only its first letter
    # is raised (Jinja's `capitalize` would lower every other letter: "TB", "MMR").
    env.filters["sentence"] = lambda text: str(text)[:1].upper() + str(text)[1:]
    env.filters["nl2br"] = lambda text: Markup("<br>").join(
        escape(line) for line in str(text).splitlines()
    )
    env.globals.update(
        csrf_field=csrf_field,
        disclaimer=DISCLAIMER,
        every_hours_words=wording.every_hours_words,
        age_band=present.age_band,
        dose_words=present.dose_words,
        schedule_words=present.schedule_words,
        product_words=present.product_words,
        phases_words=present.phases_words,
        storage_facts=present.storage_facts,
        other_names=present.other_names,
        paragraphs=present.paragraphs,
        blocks=present.blocks,
        long_date=present.long_date,
        heading=present.heading,
        name_link=_late_name_link,
        event_labels=present.EVENT_LABELS,
        language_names=LANGUAGE_NAMES,
    )
    return env


_ENV = _environment()


def render_error(
    request: Request,
    status: int,
    error: str,
    field: str | None = None,
    suggestions: list[str] | None = None,
) -> Response:
    """HTML error page for errors raised outside the site's own handlers (the app calls it)."""
    links = [(name, f"/search?q={quote(name)}") for name in suggestions or []]
    title = {
        401: "Please sign in",
        403: "Request refused",
        404: "Page not found",
        413: "Too much data",
        422: "Check the details",
        429: "Too many attempts",
    }.get(status, "Something went wrong")
    if status == 401:
        links = [("Sign in", "/account/sign-in"), ("Create an account", "/account/register")]
    message = f"{field}: {error}" if field else error
    return render_page(
        request, "error.html", status, title=title, message=message, suggestions=links
    )


def render_page(
    request: Request,
    template: str,
    status_code: int = 200,
    *,
    auth: Auth | None = None,
    **context: Any,
) -> HTMLResponse:
    """A page of the site, whichever router serves it (every page goes through here). The
    header's account link, the CSRF token of its forms and the visitor cookie come from the
    Auth of the service (`Auth.of`: one per store; found through the app when not given), so no
    page can forget them — the reconcile page and error pages once said "Sign in" to a
    signed-in person."""
    context.setdefault("lang", "en")
    context.setdefault("acknowledgements", [])
    if isinstance(context.get("message"), str):  # an error page's explanation
        context["message"] = redact_submitted(context["message"], submitted_values(request))
    auth = auth or _auth_of(request)
    if auth is not None:
        context.update(auth.prepare(request))
    html = _ENV.get_template(template).render(request=request, path=request.url.path, **context)
    response = HTMLResponse(html, status_code=status_code)
    if auth is not None:
        auth.finish(request, response)
    return response


def _auth_of(request: Request) -> Auth | None:
    """The Auth of the service the app serves (create_app sets `app.state.service`)."""
    service = getattr(request.app.state, "service", None)
    records = getattr(service, "private", None)
    return Auth.of(records) if records is not None else None


def _first_letter(summary: DrugSummary) -> str:
    first = (summary.name or summary.key)[:1].upper()
    return first if "A" <= first <= "Z" else "#"


def build_site_router(service: Service) -> APIRouter:
    """All pages of the site, bound to one service; the app mounts STATIC_DIR at /static."""
    router = APIRouter(include_in_schema=False)
    auth = Auth.of(service.private)

    def render(
        request: Request, template: str, status_code: int = 200, **context: Any
    ) -> HTMLResponse:
        return render_page(request, template, status_code, auth=auth, **context)

    def unknown_drug(request: Request, exc: UnknownDrug) -> HTMLResponse:
        return render(
            request,
            "not_found.html",
            404,
            title="Medicine not found",
            name=exc.name,
            suggestions=_suggestion_links(exc.suggestions),
        )

    def _suggestion_links(names: list[str]) -> list[tuple[str, str]]:
        links: list[tuple[str, str]] = []
        for name in names:
            try:
                key = service.resolve(name).key
            except (UnknownDrug, InputError):
                key = name
            links.append((name, f"/drugs/{quote(key, safe='')}"))
        return links

    def summaries() -> list[DrugSummary]:
        return sorted(service.list_drugs(), key=lambda d: (d.name or d.key).lower())

    def try_monograph(name: str, language: str | None = None) -> Monograph | None:
        try:
            return service.monograph(name, language)
        except (UnknownDrug, InputError):
            return None

    # ---------------------------------------------------------------- index and search

    @router.get("/", response_class=HTMLResponse)
    def index(request: Request) -> HTMLResponse:
        drugs = summaries()
        letters: dict[str, list[DrugSummary]] = {}
        for d in drugs:
            letters.setdefault(_first_letter(d), []).append(d)
        return render(
            request,
            "index.html",
            title="Medicines A–Z",
            letters=sorted(letters.items()),
            curated=[d for d in drugs if d.curated],
            count=len(drugs),
        )

    def names_like(q: str, limit: int = 8) -> list[tuple[str, str, str]]:
        """(key, name as typed, label) of the names closest to a partial name: the name the
        vocabulary resolves it to first, then generics and brands that start with it, then
        those that contain it. Shared by the search box and the plan form's medicine field."""
        text = q.strip()
        if len(text) < 2 or len(text) > 200:
            return []
        found: list[tuple[str, str, str]] = []
        seen: set[str] = set()

        def add(key: str, name: str, label: str) -> None:
            if name.lower() not in seen and len(found) < limit:
                seen.add(name.lower())
                found.append((key, name, label))

        try:
            match = service.resolve(text)
            add(match.key, match.matched, match.display)
        except (UnknownDrug, InputError):
            pass
        needle = text.lower()
        drugs = summaries()
        for test in (str.startswith, str.__contains__):
            for d in drugs:
                if test(d.generic.lower(), needle):
                    add(d.key, d.key, d.name)
                for b in d.brands:
                    if test(b.lower(), needle):
                        add(d.key, b, f"{b} ({d.generic})")
        return found

    def suggestions(q: str, limit: int = 8) -> list[dict[str, str]]:
        """Names for the search box. Links go by the name itself (a brand stays a brand), and
        the drug page redirects to the generic, or to that brand's own leaflet."""
        return [
            {"key": key, "name": label, "url": f"/drugs/{quote(name, safe='')}"}
            for key, name, label in names_like(q, limit)
        ]

    @router.get("/suggest")
    def suggest(q: str = "") -> JSONResponse:
        return JSONResponse(suggestions(q))

    @router.get("/search", response_class=HTMLResponse)
    def search(request: Request, q: str = "", lang: str | None = None) -> HTMLResponse:
        query = q.strip()
        language = lang if lang and _LANG.match(lang) else None
        if not query:
            return render(request, "search.html", title="Search", q="", hits=[], best=None)
        best = None
        try:
            best = service.resolve(query)
        except UnknownDrug:
            best = None
        except InputError:
            best = None
        try:
            hits = service.search(query, limit=30, language=language)
        except InputError as exc:
            return render(
                request,
                "search.html",
                422,
                title="Search",
                q=query,
                hits=[],
                best=None,
                error=exc.message,
            )
        acks: list[str] = []
        for key, hit_lang in dict.fromkeys((h.key, h.language) for h in hits):
            mono = try_monograph(key, hit_lang)
            for s in mono.sources if mono else []:
                if s.acknowledgement and s.acknowledgement not in acks:
                    acks.append(s.acknowledgement)
        terms = [t for t in re.split(r"\W+", query.lower()) if len(t) > 1]
        return render(
            request,
            "search.html",
            title=f"Search: {query}",
            q=query,
            hits=[(h, _highlight(h.snippet or "", terms)) for h in hits],
            best=best,
            acknowledgements=acks,
            several={d.key for d in summaries() if len(d.brands) > 1},
        )

    # ---------------------------------------------------------------- monograph and advice

    def brands_of(docs: list[Monograph]) -> list[str]:
        """The brand each document is for (its first brand), in the store's order."""
        seen: list[str] = []
        for doc in docs:
            if doc.identity.brands and doc.identity.brands[0] not in seen:
                seen.append(doc.identity.brands[0])
        return seen

    def has_brand(doc: Monograph, brand: str) -> bool:
        return brand.lower() in (b.lower() for b in doc.identity.brands)

    @router.get("/drugs/{name}", response_class=HTMLResponse)
    def drug_page(
        request: Request, name: str, lang: str | None = None, brand: str | None = None
    ) -> Response:
        if lang is not None and not _LANG.match(lang):
            return render(
                request,
                "error.html",
                422,
                title="Unknown language",
                message="The language must be a code such as en or da.",
            )
        try:
            match = service.resolve(name)
        except UnknownDrug as exc:
            return unknown_drug(request, exc)
        except InputError as exc:
            return render(request, "error.html", 422, title="Bad name", message=exc.message)
        home = f"/drugs/{quote(match.key, safe='')}"
        if match.key != name:
            params = {"lang": lang} if lang else {}
            if brand:
                params["brand"] = brand
            elif match.matched.lower() != match.key:
                # Several products share a generic: someone who asked for one brand reads its
                # own leaflet, not another company's.
                shared = service.documents(match.key)
                if len(brands_of(shared)) > 1 and any(has_brand(d, match.matched) for d in shared):
                    params["brand"] = next(
                        b
                        for d in shared
                        for b in d.identity.brands
                        if b.lower() == match.matched.lower()
                    )
                elif not any(has_brand(d, match.matched) for d in shared):
                    params["asked"] = match.matched  # the page says which product it shows
            target = home + (f"?{urlencode(params)}" if params else "")
            return RedirectResponse(target, status_code=302)
        docs: list[Monograph] = []
        if brand:
            docs = service.brand_documents(match.key, brand)
            if not docs and len(brand) <= MAX_NAME and _names_same(service, brand, match.key):
                # A brand of this substance without a document of its own (a search hit
                # named by the vocabulary): the substance's page, saying what it shows.
                params = {"asked": brand, **({"lang": lang} if lang else {})}
                return RedirectResponse(f"{home}?{urlencode(params)}", status_code=302)
            if not docs:
                return render(
                    request,
                    "error.html",
                    404,
                    title="Product not found",
                    message=f"We have no document for the brand {brand!r} of {match.key}.",
                    link=(home, f"Read about {match.key}"),
                )
            # Without a language asked for, some document of the brand is always chosen.
            chosen = best_document(docs, lang)
            if chosen is None and lang:
                return render(
                    request,
                    "error.html",
                    404,
                    title="Language not available",
                    message=f"There is no {LANGUAGE_NAMES.get(lang, lang)} version of this "
                    "document.",
                    link=(f"{home}?{urlencode({'brand': brand})}", "Read it in English"),
                )
            assert chosen is not None
            mono = chosen
        else:
            try:
                mono = service.monograph(match.key, lang)
            except UnknownDrug as exc:
                if lang:
                    return render(
                        request,
                        "error.html",
                        404,
                        title="Language not available",
                        message=f"There is no {LANGUAGE_NAMES.get(lang, lang)} version of this "
                        "medicine's information.",
                        link=(home, "Read it in English"),
                    )
                return unknown_drug(request, exc)
        # One brand with several leaflets (a children's strength and an adults' one): the
        # page shows the one asked for, else the adults', and offers each by its title.
        asked_leaflet = request.query_params.get("leaflet")
        siblings = service.leaflet_siblings(mono)
        if siblings:
            picked = service.choose_leaflet(siblings, leaflet=asked_leaflet)
            if picked is None:
                return render(
                    request,
                    "error.html",
                    404,
                    title="Leaflet not found",
                    message="This product has no leaflet with that name; its leaflets are "
                    "listed on its page.",
                    link=(home, f"Read about {match.key}"),
                )
            mono = picked
        elif asked_leaflet and not (mono.sources and mono.sources[0].id == asked_leaflet):
            return render(
                request,
                "error.html",
                404,
                title="Leaflet not found",
                message="We have no leaflet with that name for this medicine.",
                link=(home, f"Read about {match.key}"),
            )
        leaflet_choices = [
            (
                present.leaflet_label(d, childrens_leaflet(d), mono.language),
                f"{home}?"
                + urlencode(
                    {
                        **({"brand": brand} if brand else {}),
                        **({"lang": lang} if lang else {}),
                        "leaflet": d.sources[0].id,
                    }
                ),
                d is mono,
            )
            for d in siblings
        ]
        all_docs = service.documents(match.key)
        if brand:
            languages = sorted({d.language for d in docs} | {mono.language})
        else:
            summary = next((d for d in service.list_drugs() if d.key == mono.key), None)
            languages = sorted(set(summary.languages if summary else []) | {mono.language})
        current = mono.identity.brands[0] if mono.identity.brands else None
        other_brands = [b for b in brands_of(all_docs) if b != current]
        brand_param = f"brand={quote(brand)}&" if brand else ""
        citations = present.Citations(mono)
        screening = {
            kind: [r for r in mono.screening if r.kind == kind]
            for kind in ("contraindication", "warning", "interaction", "dose-adjustment")
        }
        events_by_group: dict[str, list[Any]] = {}
        for ev in mono.events:
            group = present.EVENT_GROUP.get(ev.event)
            if group:
                events_by_group.setdefault(group, []).append(ev)
        sections = present.group_sections(mono.sections)
        conflicts = present.group_conflicts(mono)
        has = {
            "about": bool(mono.identity.statements or mono.indications or sections["about"]),
            "not-for": bool(
                screening["contraindication"] or screening["warning"] or sections["not-for"]
            ),
            "how": bool(
                mono.dose_rules
                or mono.kidney_rules
                or mono.products
                or screening["dose-adjustment"]
                or events_by_group.get("how")
                or sections["how"]
            ),
            "side-effects": bool(
                mono.side_effects or events_by_group.get("side-effects") or sections["side-effects"]
            ),
            "interactions": bool(screening["interaction"] or sections["interactions"]),
            "monitoring": bool(mono.monitoring or sections["monitoring"]),
            "storage": bool(mono.storage or events_by_group.get("storage") or sections["storage"]),
            "other": bool(sections["other"]),
        }
        for key, items in conflicts.items():
            has[key] = has[key] or bool(items)
        indication_names = {i.id: i.name for i in mono.indications}
        note_for = request.query_params.get("asked")
        product_note = None
        if note_for and not brand and len(note_for) <= 200:
            try:
                product_note = service.product(note_for, lang)[1]
            except (UnknownDrug, InputError):
                product_note = None
        # The product asked for names the page when the document covers several products.
        asked = next(
            (b for b in mono.identity.brands if brand and b.lower() == brand.lower()), None
        )
        brand = asked or (mono.identity.brands[0] if mono.identity.brands else None)
        title = f"{brand} ({mono.identity.generic})" if brand else mono.identity.generic
        return render(
            request,
            "monograph.html",
            title=title,
            lang=mono.language,
            mono=mono,
            cite=citations.cite,
            citations=citations,
            groups=[
                (k, present.group_title(k, mono.language)) for k, _ in present.GROUPS if has[k]
            ],
            glance=glance(mono),
            ui=lambda key: present.ui_word(key, mono.language),
            screening=screening,
            sections=sections,
            conflicts=conflicts,
            events_by_group=events_by_group,
            indication_names=indication_names,
            languages=languages,
            language_link=f"{home}?{brand_param}lang=",
            other_brands=[(b, f"{home}?{urlencode({'brand': b})}") for b in other_brands],
            acknowledgements=[s.acknowledgement for s in mono.sources if s.acknowledgement],
            product_note=product_note.note if product_note else None,
            leaflet_choices=leaflet_choices,
        )

    @router.get("/drugs/{name}/advice/{event}", response_class=HTMLResponse)
    def advice_page(request: Request, name: str, event: str) -> HTMLResponse:
        # General advice. Advice for a person's own answers is reached through their saved
        # plan (/plan/{id}/advice/...), so no health detail is ever read from a link.
        return advice_response(request, name, event, None, back=None)

    def advice_response(
        request: Request,
        name: str,
        event: str,
        profile: dict[str, Any] | None,
        back: str | None,
    ) -> HTMLResponse:
        try:
            advice = service.advise(name, event, profile)
        except UnknownDrug as exc:
            return unknown_drug(request, exc)
        except UnknownEvent as exc:
            return render(
                request,
                "error.html",
                404,
                title="Unknown situation",
                message=f"We have no advice for {exc.event!r}.",
                events=[(e, f"/drugs/{quote(name, safe='')}/advice/{e}") for e in EVENTS],
            )
        except InputError as exc:
            return render(
                request,
                "error.html",
                422,
                title="Check the details",
                message=f"{exc.field}: {exc.message}",
            )
        mono = try_monograph(name, "en")
        cites = present.ResultCitations(advice.sources, present.acknowledgement_index(mono))
        return render(
            request,
            "advice.html",
            title=f"{present.EVENT_LABELS.get(advice.event, advice.event)}: {advice.drug.generic}",
            advice=advice,
            cite=cites.cite,
            citations=cites,
            alerts=present.sorted_alerts(advice.alerts),
            acknowledgements=cites.acknowledgement_texts(),
            back=back or f"/drugs/{quote(advice.drug.generic, safe='')}",
        )

    # ---------------------------------------------------------------- personal plan
    # The answers are health data: they travel only in POST bodies and are kept server-side
    # under a random id owned by the account (until deleted) or by this browser (two hours).
    # Every link that re-opens a plan carries that id, never the answers.

    def plan_uses(drug: str) -> tuple[list[Any], list[str]]:
        """The medicine's curated indications (the select), else the uses its leaflet's doses
        are stated for (offered for the free-text field); nothing for an unknown name."""
        mono = try_monograph(drug, "en") if drug and len(drug) <= MAX_NAME else None
        if mono is None:
            return [], []
        if mono.indications:
            return list(mono.indications), []
        facts = getattr(service, "document_facts", None)
        return [], plan_view.leaflet_uses(facts(mono)) if facts is not None else []

    def plan_form(
        request: Request,
        values: Mapping[str, str],
        errors: Mapping[str, str] | None = None,
        status_code: int = 200,
        general: str | None = None,
        problem: plan_view.NameProblem | None = None,
    ) -> HTMLResponse:
        # The medicine is typed (any the store knows, brand or generic), helped by names
        # from the store as one types; a short list of the curated medicines starts it off.
        drug = values.get("drug", "")
        indications, uses = plan_uses(drug) if problem is None else ([], [])
        return render(
            request,
            "plan_form.html",
            status_code,
            title="Personal plan",
            values=dict(values),
            errors=dict(errors or {}),
            general=general,
            drugs=[d for d in summaries() if d.curated],
            indications=indications,
            uses=uses,
            weight_units=WEIGHT_UNITS,
            problem=problem,
        )

    def run_check(request: Request, data: Mapping[str, Any]) -> tuple[Any, HTMLResponse | None]:
        """The check for submitted fields, or the form page that says what to fix."""
        picked = data.get("pick")
        if isinstance(picked, str) and picked.strip():
            # One of the names offered under the medicine field was chosen.
            data = {**data, "drug": picked}
        values = {k: str(v).strip() for k, v in data.items() if k in PLAN_FIELDS}
        try:
            plan = parse_plan(data)
        except FormErrors as exc:
            return None, plan_form(request, values, exc.errors, 422)
        try:
            result = service.check(plan.drug, plan.profile)
        except UnknownDrug as exc:
            problem = plan_view.name_problem(exc)
            return None, plan_form(request, values, {"drug": problem.message}, 422, problem=problem)
        except InputError as exc:
            field = plan_field_for(exc.field)
            errors = {field: exc.message} if field else {}
            general = None if field else f"{exc.field}: {exc.message}"
            return None, plan_form(request, values, errors, 422, general=general)
        return (plan, result), None

    def saved_plan(request: Request, plan_id: str) -> SavedPlan:
        """The caller's own plan, or 404 (the same for someone else's, an expired or an
        unknown id, so an id reveals nothing)."""
        found = service.private.plan(auth.owner(request), plan_id)
        if found is None:
            raise StarletteHTTPException(
                404, "This plan is not available: it has expired or belongs to someone else."
            )
        return found

    @router.get("/plan/names")
    def plan_names(q: str = "") -> JSONResponse:
        """Names for the plan form's medicine field (its datalist): what to type, and what
        it is. Only the partial name comes in."""
        return JSONResponse([{"value": n, "label": label} for _, n, label in names_like(q)])

    @router.get("/plan/uses")
    def plan_uses_json(drug: str = "") -> JSONResponse:
        """What the plan form's 'What is it for?' offers for a medicine (its script asks when
        the medicine field changes). Only a medicine name comes in; nothing personal."""
        indications, uses = plan_uses(drug.strip())
        return JSONResponse(
            {"indications": [{"id": i.id, "name": i.name} for i in indications], "uses": uses}
        )

    @router.get("/plan", response_class=HTMLResponse)
    def plan_get(request: Request, drug: str = "") -> HTMLResponse:
        # Only the medicine may come in a link (monograph pages link here); answers never do.
        return plan_form(request, {"drug": drug.strip()} if drug.strip() else {})

    @router.post("/plan", response_model=None)
    async def plan_post(request: Request) -> Response:
        form = await request.form()
        auth.check_csrf(request, form)
        data = {k: v for k, v in form.items() if isinstance(v, str)}
        outcome, failure = run_check(request, data)
        if failure is not None:
            return failure
        plan, result = outcome
        account = auth.account(request)
        saved = service.private.save_plan(
            auth.owner(request),
            result.drug.generic,
            plan.values,
            None if account else VISITOR_PLAN_LIFETIME_S,
        )
        return auth.finish(request, RedirectResponse(f"/plan/{saved.id}", status_code=303))

    # Before /plan/{plan_id}, which would otherwise take 'ID.ics' as an id.
    @router.get("/plan/{plan_id}.ics")
    def plan_ics_saved(request: Request, plan_id: str) -> Response:
        return ics_response(request, saved_plan(request, plan_id).answers)

    @router.get("/plan/{plan_id}", response_class=HTMLResponse)
    def plan_result(request: Request, plan_id: str) -> Response:
        saved = saved_plan(request, plan_id)
        outcome, failure = run_check(request, saved.answers)
        if failure is not None:
            return failure
        plan, result = outcome
        # The medicine as named (a brand's own leaflet), else its generic's document.
        mono = try_monograph(plan.drug, "en") or try_monograph(result.drug.generic, "en")
        cites = present.ResultCitations(result.sources, present.acknowledgement_index(mono))
        # Only situations the sources give advice for: a leaflet read by machine has none in
        # steps, and twelve links to "no specific advice" (a dropped syringe, for a tablet)
        # would help nobody; the page then points to the leaflet's own words instead.
        events = [e.event for e in mono.events] if mono and mono.events else []
        brand = result.drug.brands[0] if result.drug.brands else None
        drug_title = f"{brand} ({result.drug.generic})" if brand else result.drug.generic
        label, sentence = present.DECISION_WORDS[result.decision]
        indication = None
        if mono and result.regimen and result.regimen.indication:
            found = mono.indication(result.regimen.indication)
            indication = found.name if found else result.regimen.indication
        home = f"/plan/{saved.id}"
        return render(
            request,
            "plan_result.html",
            title=f"Personal plan: {drug_title}",
            result=result,
            drug_title=drug_title,
            decision_label=label,
            decision_sentence=sentence.format(drug=drug_title),
            missing=present.missing_fields(result),
            alerts=present.sorted_alerts(result.alerts),
            cite=cites.cite,
            citations=cites,
            indication=indication,
            ics_url=f"{home}.ics",
            edit_url=f"{home}/edit",
            plan_id=saved.id,
            kept=saved.expires is None,
            advice_links=[(present.EVENT_LABELS.get(e, e), f"{home}/advice/{e}") for e in events],
            acknowledgements=cites.acknowledgement_texts(),
            values=plan.values,
            provenance=plan_view.provenance(result, mono),
            dose_question=plan_view.dose_question(result),
            leaflet_url=f"/drugs/{quote(plan.drug, safe='')}",
        )

    @router.get("/plan/{plan_id}/edit", response_class=HTMLResponse)
    def plan_edit(request: Request, plan_id: str) -> HTMLResponse:
        return plan_form(request, saved_plan(request, plan_id).answers)

    @router.post("/plan/{plan_id}/delete", response_model=None)
    async def plan_delete(request: Request, plan_id: str) -> Response:
        form = await request.form()
        auth.check_csrf(request, form)
        if not service.private.delete_plan(auth.owner(request), plan_id):
            raise StarletteHTTPException(404, "There is no such plan of yours.")
        target = "/account" if auth.account(request) else "/plan"
        return RedirectResponse(target, status_code=303)

    @router.get("/plan/{plan_id}/advice/{event}", response_class=HTMLResponse)
    def plan_advice(request: Request, plan_id: str, event: str) -> HTMLResponse:
        saved = saved_plan(request, plan_id)
        try:
            profile = parse_plan(saved.answers).profile
        except FormErrors as exc:  # answers that were valid when saved; kept for safety
            return render(
                request,
                "error.html",
                422,
                title="Check the details",
                message="; ".join(f"{k}: {v}" for k, v in exc.errors.items()),
            )
        return advice_response(request, saved.drug, event, profile, back=f"/plan/{saved.id}")

    def ics_response(request: Request, data: Mapping[str, Any]) -> Response:
        outcome, failure = run_check(request, data)
        if failure is not None:
            return failure
        _plan, result = outcome
        body = calendar_bytes(result, result.drug.generic)
        filename = re.sub(r"[^a-z0-9-]+", "-", result.drug.generic.lower()) or "plan"
        return Response(
            body,
            media_type="text/calendar; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}-monitoring.ics"'},
        )

    @router.post("/plan.ics")
    async def plan_ics_post(request: Request) -> Response:
        # Computes and returns a file, changes nothing: no token needed, and nothing is kept.
        form = await request.form()
        return ics_response(request, {k: v for k, v in form.items() if isinstance(v, str)})

    # ---------------------------------------------------------------- diary and report
    # A diary is an account's own: without one, the page explains and offers sign-in; with one,
    # every read and write names the account, so another person's id finds nothing.

    def signed_in(request: Request) -> Account:
        account = auth.account(request)
        if account is None:
            raise StarletteHTTPException(401, "Sign in to use your private side-effect diary.")
        return account

    def diary_page(
        request: Request,
        account: Account,
        values: Mapping[str, str] | None = None,
        errors: Mapping[str, str] | None = None,
        status_code: int = 200,
        drug: str | None = None,
        added: str | None = None,
        suggestions_: list[tuple[str, str]] | None = None,
    ) -> HTMLResponse:
        key = None
        if drug and len(drug) <= MAX_NAME:
            try:
                key = service.resolve(drug).key
            except (UnknownDrug, InputError):
                key = drug.strip().lower()
        entries = service.private.entries(account.id, key)
        return render(
            request,
            "diary.html",
            status_code,
            title="Side-effect diary",
            entries=entries,
            values=dict(values or {}),
            errors=dict(errors or {}),
            severities=SEVERITIES,
            drug=key,
            added=added,
            today=dt.date.today().isoformat(),
            drugs=summaries(),
            details=DETAILS,
            outcomes=OUTCOMES,
            section_titles=SECTION_TITLES,
            suggestions=suggestions_ or [],
        )

    @router.get("/diary", response_class=HTMLResponse)
    def diary_get(request: Request, drug: str = "", added: str = "") -> HTMLResponse:
        account = auth.account(request)
        if account is None:
            return render(request, "diary_signed_out.html", title="Side-effect diary")
        return diary_page(request, account, drug=drug or None, added=added or None)

    @router.post("/diary", response_model=None)
    async def diary_post(request: Request) -> Response:
        form = await request.form()
        auth.check_csrf(request, form)
        account = signed_in(request)
        data = {k: v for k, v in form.items() if isinstance(v, str)}
        try:
            entry, values = parse_diary(data)
        except FormErrors as exc:
            values = {k: str(v).strip() for k, v in data.items() if k in DIARY_FIELDS}
            return diary_page(request, account, values, exc.errors, 422)
        try:
            match = service.resolve(entry.drug)
        except UnknownDrug as exc:
            return diary_page(
                request,
                account,
                values,
                {"drug": f"We do not know {exc.name!r}."},
                422,
                suggestions_=_suggestion_links(exc.suggestions),
            )
        except InputError as exc:
            return diary_page(request, account, values, {"drug": exc.message}, 422)
        saved = service.private.add_entry(account.id, entry.model_copy(update={"drug": match.key}))
        return RedirectResponse(f"/diary?added={saved.id}#entry-{saved.id}", status_code=303)

    @router.post("/diary/{entry_id}/delete", response_model=None)
    async def diary_delete(request: Request, entry_id: str) -> Response:
        form = await request.form()
        auth.check_csrf(request, form)
        account = signed_in(request)
        if not service.private.delete_entry(account.id, entry_id):
            raise StarletteHTTPException(404, "There is no such entry in your diary.")
        return RedirectResponse("/diary", status_code=303)

    def chosen_entry(account: Account, raw_id: str | None) -> DiaryEntry:
        """The entry asked for (by its id), or the person's latest; 404 for anything else."""
        if raw_id:
            if not is_id(raw_id):
                raise InputError("entry", "this is not a diary entry id")
            entry = service.private.entry(account.id, raw_id)
        else:
            entries = service.private.entries(account.id)
            entry = entries[0] if entries else None
        if entry is None:
            raise StarletteHTTPException(404, "There is no such entry in your diary.")
        return entry

    def report_response(
        request: Request, fmt: str, data: Mapping[str, Any], outcomes: list[str]
    ) -> Response:
        if fmt not in ("pdf", "html", "json"):
            raise StarletteHTTPException(404, "Reports come as .pdf, .html or .json.")
        account = auth.account(request)
        if account is None:
            if fmt == "json":
                return JSONResponse({"error": "sign in first", "field": None}, 401)
            raise StarletteHTTPException(401, "Sign in to use your private side-effect diary.")
        try:
            raw = data.get("entry")
            entry = chosen_entry(account, str(raw) if raw is not None else None)
            details, chosen = parse_details(data, outcomes)
        except InputError as exc:
            if fmt == "json":
                message = redact_submitted(exc.message, submitted_values(request))
                return JSONResponse({"error": message, "field": exc.field}, 422)
            return render(
                request,
                "error.html",
                422,
                title="Check the details",
                message=f"{exc.field}: {exc.message}",
            )
        except StarletteHTTPException as exc:
            if fmt == "json":
                return JSONResponse({"error": exc.detail, "field": "entry"}, exc.status_code)
            raise
        report = build_report(entry, details, chosen)
        private = {"Cache-Control": "no-store"}
        if fmt == "json":
            return JSONResponse(report.as_json(), headers=private)
        if fmt == "pdf":
            return Response(
                report_pdf(report),
                media_type="application/pdf",
                headers={
                    **private,
                    "Content-Disposition": 'inline; filename="side-effect-report.pdf"',
                },
            )
        page = render(request, "report.html", title="Side-effect report", report=report)
        page.headers.update(private)
        return page

    @router.get("/diary/report.{fmt}", response_model=None)
    def diary_report(request: Request, fmt: str, entry: str = "") -> Response:
        # Only the entry's id may be in the link; the report's extra details are posted.
        return report_response(request, fmt, {"entry": entry} if entry else {}, [])

    @router.post("/diary/report.{fmt}", response_model=None)
    async def diary_report_post(request: Request, fmt: str) -> Response:
        form = await request.form()
        data = {k: v for k, v in form.items() if isinstance(v, str)}
        outcomes = [v for v in form.getlist("outcomes") if isinstance(v, str)]
        return report_response(request, fmt, data, outcomes)

    # ---------------------------------------------------------------- feedback and about

    @router.post("/feedback", response_class=HTMLResponse)
    async def feedback(request: Request) -> HTMLResponse:
        form = await request.form()
        auth.check_csrf(request, form)
        data = {k: v for k, v in form.items() if isinstance(v, str)}
        try:
            item, _values = parse_feedback(data)
        except FormErrors as exc:
            return render(
                request,
                "feedback.html",
                422,
                title="Feedback",
                errors=exc.errors,
                values={k: str(v) for k, v in data.items() if k in FEEDBACK_FIELDS},
                page=safe_local_path(data.get("page")) or "/",
            )
        service.add_feedback(item)
        return render(request, "feedback_thanks.html", title="Thank you", page=item.page)

    add_account_routes(router, service, auth, render)

    @router.get("/about", response_class=HTMLResponse)
    def about(request: Request) -> HTMLResponse:
        documents: list[tuple[DrugSummary, list[Any]]] = []
        acks: list[str] = []
        for d in summaries():
            if not d.curated:
                continue
            mono = try_monograph(d.key, "en")
            if mono is None:
                continue
            documents.append((d, list(mono.sources)))
            for s in mono.sources:
                if s.acknowledgement and s.acknowledgement not in acks:
                    acks.append(s.acknowledgement)
        return render(
            request,
            "about.html",
            title="Sources and acknowledgements",
            documents=documents,
            acknowledgements=acks,
        )

    return router


def _name_link(key: str, name: str, language: str | None = None, several: bool = False) -> str:
    """The page of a medicine as a list names it: where several products share the substance
    (`several`), 'Bretaris Genuair (aclidinium)' opens that product's leaflet, not another
    brand's."""
    params: dict[str, str] = {}
    brand = present.name_brand(name, key) if several else None
    if brand:
        params["brand"] = brand
    if language and language != "en":
        params["lang"] = language
    return f"/drugs/{quote(key, safe='')}" + (f"?{urlencode(params)}" if params else "")


def _names_same(service: Service, name: str, key: str) -> bool:
    try:
        return service.resolve(name).key == key
    except (UnknownDrug, InputError):
        return False


def _highlight(snippet: str, terms: list[str]) -> Markup:
    """Escape the snippet first, then mark matches: markup never comes from data.

    The store marks matched words with plain-text markers; without them, the query's words
    are marked instead.
    """
    text = " ".join(snippet.split())
    if HIGHLIGHT_START in text:
        out: list[str] = []
        rest = text
        while HIGHLIGHT_START in rest:
            before, _, after = rest.partition(HIGHLIGHT_START)
            inside, found, rest = after.partition(HIGHLIGHT_END)
            if not found:  # an unmatched marker is text, not markup
                rest = before + HIGHLIGHT_START + after
                break
            out.append(str(escape(before)))
            out.append(f"<mark>{escape(inside)}</mark>")
        out.append(str(escape(rest)))
        return Markup("".join(out))
    escaped = str(escape(text))
    if not terms:
        return Markup(escaped)
    # Never inside an entity such as &amp; or &#39; that escaping just produced.
    alternatives = "|".join(re.escape(str(escape(t))) for t in terms)
    pattern = re.compile(r"(?<![&#\w])(" + alternatives + r")", re.IGNORECASE)
    return Markup(pattern.sub(r"<mark>\1</mark>", escaped))
