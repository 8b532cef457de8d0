"""The `druginfo` command line: show, search, check, advise, ingest, reconcile, serve.

Exit codes follow CONTRACT.md: 0 ok, 1 the check found a blocking problem, 2 bad input.
Human output always lists the sources behind each statement; `--json` prints the same data
the REST API returns.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from druginfo.errors import DruginfoError, InputError, UnknownDrug
from druginfo.wording import schedule_words

if TYPE_CHECKING:  # imported where used: `--help` must not pay for pydantic models or YAML
    from rich.table import Table

    from druginfo.model import AdviceResult, CheckResult, Monograph

# The choices named in help texts, kept here so that `--help` needs no model import; the
# commands validate against the real lists (druginfo.model.EVENTS, layout.SECTION_IDS) and
# tests/interfaces/test_cli_startup.py keeps these copies equal to them.
HELP_EVENTS = (
    "missed-dose", "dropped-syringe", "frozen", "left-out-of-fridge", "fever", "infection",
    "surgery", "vaccine", "pregnancy", "breastfeeding", "travel", "side-effect",
)  # fmt: skip
HELP_SECTIONS = (
    "about", "not-for", "how", "side-effects", "interactions", "monitoring", "storage", "other",
)  # fmt: skip

app = typer.Typer(
    name="druginfo",
    help="Source-cited drug information and a personal check of a medicine. Not medical advice.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help and usage errors: the rich formatter imports a Markdown parser and a dozen
    # rich modules, doubling the start-up of `--help`.
    rich_markup_mode=None,
)
# No automatic highlighting of numbers and quotes: it re-scans every printed line with a
# dozen regular expressions, a third of the time `show` spends printing a monograph.
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="sqlite:///path or postgresql://... (default: a SQLite file in your data directory).",
        envvar="DRUGINFO_DB",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]

NOT_ADVICE = "Not medical advice: talk to your doctor or pharmacist before changing anything."


def _fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)  # one line
    raise typer.Exit(code)


def _service(db: str | None, *, background_fill: bool = False) -> Any:
    from druginfo.service import Service

    try:
        return Service.open(db, progress=sys.stderr.isatty(), background_fill=background_fill)
    except DruginfoError as exc:
        _fail(str(exc))


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def _load_profile(path: str) -> dict[str, Any]:
    from druginfo.engine.reading import MAX_BYTES, load_profile_bytes

    try:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_BYTES + 1)
        else:
            with Path(path).open("rb") as handle:
                data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        _fail(f"cannot read profile {path}: {exc.strerror}")
    try:
        return load_profile_bytes(data, "profile")
    except InputError as exc:
        _fail(f"profile {path}: {exc.field}: {exc.message}"[:300])


def _sources_table(sources: dict[str, Any]) -> Table:
    from rich.table import Table

    table = Table(title="Sources", show_lines=False, expand=True)
    table.add_column("", style="bold", no_wrap=True)
    table.add_column("Publisher / document")
    table.add_column("Quoted words")
    for key, ref in sources.items():
        reviewed = f" (reviewed {ref.reviewed})" if ref.reviewed else ""
        table.add_row(key, escape(f"{ref.publisher}: {ref.document}{reviewed}"), escape(ref.quote))
    return table


@app.command()
def show(
    name: Annotated[str, typer.Argument(help="Generic or brand name, any case, near misses ok.")],
    as_json: JsonOption = False,
    section: Annotated[
        str | None, typer.Option("--section", help=f"One of: {', '.join(HELP_SECTIONS)}.")
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Leaflet language: en, da, pt.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Show a medicine's monograph, every statement with its sources."""
    from druginfo.interfaces.layout import SECTION_IDS, reader_sections

    if section is not None and section not in SECTION_IDS:
        _fail(f"unknown section {section!r}; choose one of {', '.join(SECTION_IDS)}")
    svc = _service(db)
    try:
        mono = svc.monograph(name, lang)
    except UnknownDrug as exc:
        _fail(str(exc))
    except DruginfoError as exc:
        _fail(str(exc))
    if as_json:
        data = mono.model_dump(mode="json")
        if section is not None:
            data["reader_sections"] = [
                {"id": s.id, "title": s.title, "items": [vars(i) for i in s.items]}
                for s in reader_sections(mono, section)
            ]
        _print_json(data)
        return
    _render_monograph(mono, section)


def _render_monograph(mono: Monograph, section: str | None) -> None:
    from druginfo.interfaces.layout import reader_sections

    ident = mono.identity
    brands = f" ({', '.join(ident.brands)})" if ident.brands else ""
    out.rule(f"[bold]{escape(ident.generic)}{escape(brands)}")
    if ident.drug_class:
        out.print(f"Class: {escape(ident.drug_class)}")
    numbers: dict[str, int] = {}

    def cite(claims: list[str]) -> str:
        marks = []
        for cid in claims:
            numbers.setdefault(cid, len(numbers) + 1)
            marks.append(str(numbers[cid]))
        return f"[dim][{','.join(marks)}][/]"

    for sec in reader_sections(mono, section):
        out.print(f"\n[bold underline]{escape(sec.title)}[/]")
        for item in sec.items:
            tag = f"[cyan]{escape(item.tag)}:[/] " if item.tag else ""
            out.print(f"  • {tag}{escape(item.text)} {cite(item.claims)}")
    out.print("\n[bold]Sources[/]")
    for cid, n in numbers.items():
        claim = mono.claim(cid)
        src = mono.source(claim.source)
        when = f", reviewed {src.reviewed}" if src.reviewed else ""
        out.print(
            f"  [{n}] {escape(src.publisher)}: {escape(src.document)}{when} — “{escape(claim.quote)}”"
        )
    acks = {s.acknowledgement for s in mono.sources if s.acknowledgement}
    for ack in sorted(acks):
        out.print(f"[dim]{escape(ack)}[/]")
    out.print(f"\n[dim]{NOT_ADVICE}[/]")


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Names, misspellings or phrases.")],
    as_json: JsonOption = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=200)] = 10,
    lang: Annotated[str | None, typer.Option("--lang")] = None,
    db: DbOption = None,
) -> None:
    """Search names and monograph text; name matches come first."""
    svc = _service(db)
    try:
        hits = svc.search(query, limit=limit, language=lang)
    except DruginfoError as exc:
        _fail(str(exc))
    if as_json:
        _print_json([h.model_dump(mode="json") for h in hits])
        return
    if not hits:
        out.print(f"No results for {escape(query)!r}.")
        return
    for i, hit in enumerate(hits, 1):
        where = f" — {hit.section}" if hit.section else ""
        out.print(
            f"{i:>2}. [bold]{escape(hit.name)}[/] [dim]({hit.key}, {hit.language}{escape(where)})[/]"
        )
        if hit.snippet:
            out.print("    " + re.sub(r"\*\*(.+?)\*\*", r"[bold]\1[/bold]", escape(hit.snippet)))


DECISION_WORDS = {
    "ok": "[green]OK[/] — nothing in the sources stands in the way.",
    "caution": "[yellow]CAUTION[/] — usable, but read the alerts below with your doctor.",
    "do-not-use": "[bold red]DO NOT USE[/] — the sources say this medicine must not be used here.",
    "cannot-decide": "[magenta]CANNOT DECIDE[/] — information is missing; see the alerts.",
}


@app.command()
def check(
    profile: Annotated[str, typer.Argument(help="Profile JSON or YAML file, or - for stdin.")],
    drug: Annotated[str | None, typer.Option("--drug", help="Medicine to check.")] = None,
    as_json: JsonOption = False,
    ics: Annotated[
        Path | None, typer.Option("--ics", help="Write the monitoring calendar (.ics) here.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Check a medicine against a person's profile: dose, alerts, monitoring calendar."""
    raw = _load_profile(profile)
    svc = _service(db)
    try:
        result: CheckResult = svc.check(drug, raw)
    except InputError as exc:
        _fail(f"invalid profile field {exc.field!r}: {exc.message}"[:300])
    except DruginfoError as exc:
        _fail(str(exc))
    if ics is not None:
        from druginfo.interfaces.ics import calendar_bytes

        try:
            ics.write_bytes(calendar_bytes(result))
        except OSError as exc:
            _fail(f"cannot write {ics}: {exc.strerror}")
    if as_json:
        _print_json(result.model_dump(mode="json"))
    else:
        _render_check(result, ics)
    blocked = result.decision == "do-not-use" or any(
        a.blocking and a.kind != "cannot-decide" for a in result.alerts
    )
    raise typer.Exit(1 if blocked else 0)


def _render_check(result: CheckResult, ics: Path | None) -> None:
    out.rule(f"[bold]{escape(result.drug.generic)}[/]")
    out.print(DECISION_WORDS[result.decision])
    for alert in result.alerts:
        if alert.avoid and alert.avoid_kind == "vaccine":
            out.print(
                f"[bold red]AVOID[/] {escape(alert.avoid)} — do not give the vaccine; this "
                f"does not rule out {escape(result.drug.generic)} itself."
            )
        elif alert.avoid:
            out.print(
                f"[bold red]AVOID[/] {escape(alert.avoid)} — not together with "
                f"{escape(result.drug.generic)}: one of the two must be stopped; ask which."
            )
    reg = result.regimen
    if reg is not None and (reg.dose_mg is not None or reg.loading):
        vol = f" = {reg.volume_ml:g} mL" if reg.volume_ml is not None else ""
        cites = ",".join(reg.sources)
        how_often = (
            schedule_words(reg.every_hours, reg.schedule, reg.min_interval_hours)
            or "how often is not decided (see the alerts)"
        )
        if reg.dose_mg is not None:
            out.print(
                f"\n[bold]Dose:[/] {reg.dose_mg:g} mg{vol}, {how_often}, "
                f"{reg.route or ''} [dim][{cites}][/]"
            )
        else:
            out.print(f"\n[bold]First doses only[/] (see the alerts) [dim][{cites}][/]")
        for note in reg.notes:
            out.print(f"  {escape(note)}")
    if result.alerts:
        out.print("\n[bold]Alerts[/]")
        colour = {"high": "red", "moderate": "yellow", "low": "blue"}
        for a in result.alerts:
            matched = f" ({escape(a.matched)})" if a.matched else ""
            out.print(
                f"  [{colour[a.severity]}]{a.severity.upper()}[/] {a.kind}: [bold]{escape(a.title)}[/]"
                f"{matched} [dim][{','.join(a.sources)}][/]"
            )
            out.print(f"      {escape(a.detail)}")
    if result.monitoring:
        from rich.table import Table

        table = Table(title="Monitoring calendar")
        table.add_column("Due")
        table.add_column("Test")
        table.add_column("Why")
        table.add_column("Src")
        for m in result.monitoring:
            table.add_row(m.due.isoformat(), escape(m.test), escape(m.why), ",".join(m.sources))
        out.print(table)
    if ics is not None:
        out.print(f"Calendar written to {ics}")
    out.print(_sources_table(result.sources))
    out.print(f"[dim]{NOT_ADVICE}[/]")


@app.command()
def advise(
    name: Annotated[str, typer.Argument(help="Medicine name.")],
    event: Annotated[str, typer.Argument(help=f"One of: {', '.join(HELP_EVENTS)}.")],
    profile: Annotated[
        str | None, typer.Option("--profile", help="Profile file (JSON/YAML) or - for stdin.")
    ] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """What to do when something happens: a missed dose, a dropped syringe, fever, travel..."""
    from druginfo.model import EVENTS

    if event not in EVENTS:
        _fail(f"unknown event {event!r}; choose one of: {', '.join(EVENTS)}")
    raw = _load_profile(profile) if profile is not None else None
    svc = _service(db)
    try:
        result: AdviceResult = svc.advise(name, event, raw)
    except InputError as exc:
        _fail(f"invalid profile field {exc.field!r}: {exc.message}"[:300])
    except DruginfoError as exc:
        _fail(str(exc))
    if as_json:
        _print_json(result.model_dump(mode="json"))
        return
    out.rule(f"[bold]{escape(result.drug.generic)}: {escape(event)}[/] ({result.urgency})")
    for i, step in enumerate(result.steps, 1):
        out.print(f"{i}. {escape(step.text)} [dim][{','.join(step.sources)}][/]")
    for a in result.alerts:
        out.print(f"  [yellow]{a.severity.upper()}[/] {escape(a.title)}: {escape(a.detail)}")
    out.print(_sources_table(result.sources))
    out.print(f"[dim]{NOT_ADVICE}[/]")


@app.command()
def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Files, folders, .zip or .tar.xz: EU ePI, FDA SPL, openFDA, DDInter, ATC."
        ),
    ],
    db: DbOption = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress")] = True,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Skip documents already stored without reading them again (fast restart after "
            "an interrupted run; edited files are not noticed).",
        ),
    ] = False,
) -> None:
    """Load product information and tables into the store (idempotent, resumable)."""
    from druginfo.ingest import ingest as run_ingest
    from druginfo.store import open_store

    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        _fail(f"no such file or folder: {', '.join(missing)}")
    try:
        store = open_store(db)
    except DruginfoError as exc:
        _fail(str(exc))
    try:
        report = run_ingest(paths, store, progress=progress, resume=resume)
    except DruginfoError as exc:
        _fail(str(exc))
    finally:
        store.close()
    for broken in report.broken:
        err.print(f"[yellow]skipped[/] {escape(broken.origin)}: {escape(broken.reason)}")
    out.print(
        f"{report.inserted} new, {report.replaced} replaced, {report.unchanged} unchanged, "
        f"{report.skipped} already stored, {len(report.broken)} broken; "
        f"{report.interactions} interaction pairs, "
        f"{report.classes} class entries; {report.seconds:.1f} s"
    )
    if report.nothing_ingested():
        _fail(report.why_nothing())


@app.command()
def reconcile(
    name: Annotated[str, typer.Argument(help="Medicine name.")],
    as_json: JsonOption = False,
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status", help="Only these: error, conflict, new-stale, only-one-source, agree."
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Facts across every document of a medicine: agree, conflict, only one source, new-stale,
    error — with the quotes side by side."""
    from druginfo.interfaces.reconcile_text import print_report
    from druginfo.reconcile import STATUSES

    bad = [s for s in status or [] if s not in STATUSES]
    if bad:
        _fail(f"unknown --status {', '.join(bad)}; use {', '.join(STATUSES)}", code=2)
    svc = _service(db)
    try:
        report = svc.reconcile(name)
    except DruginfoError as exc:
        _fail(str(exc))
    if as_json:
        _print_json(report.model_dump(mode="json"))
        return
    print_report(out, report, [s for s in STATUSES if s in (status or [])])


@app.command()
def facts(
    name: Annotated[str, typer.Argument(help="Medicine name, or a file/folder to read unstored.")],
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Normalised facts of each document: topic, value, population, quote, source."""
    from druginfo.facts.reading import report_for_path

    path = Path(name)
    try:
        if path.exists() and (path.is_dir() or path.suffix):
            report = report_for_path(path)
        else:
            report = _service(db).facts(name)
    except DruginfoError as exc:
        _fail(str(exc))
    if as_json:
        _print_json(report.as_contract())
        return
    for fs in report.documents:
        doc = fs.document
        out.rule(
            f"[bold]{escape(doc.medicine)}[/] — {escape(doc.publisher)}: {escape(doc.title)} "
            f"({doc.kind}, {doc.date or 'no date'})"
        )
        if not fs.facts:
            out.print("  no facts read")
        for f in fs.facts:
            data = f.as_contract()
            quote = str(data.pop("quote"))
            for k in ("topic", "section", "claim", "source", "basis"):
                data.pop(k, None)
            pop = f.population.model_dump(exclude_none=True) if f.population else None
            data.pop("population", None)
            value = ", ".join(f"{k}={v}" for k, v in data.items())
            where = f" [{escape(f.section)}]" if f.section else ""
            out.print(f"  [bold]{f.topic}[/]: {escape(value)}")
            if pop:
                out.print(f"      for: {escape(', '.join(f'{k}={v}' for k, v in pop.items()))}")
            out.print(f"      “{escape(quote)}”{where} ({escape(f.source or '')})")


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    db: DbOption = None,
) -> None:
    """Serve the web site, the REST API and the CDS Hooks service."""
    import uvicorn

    from druginfo.interfaces.app import create_app

    svc = _service(db, background_fill=True)  # answers at once; a first fill goes on behind
    out.print(f"druginfo on http://{host}:{port}/  (API docs at /docs)")
    uvicorn.run(create_app(svc), host=host, port=port, log_level="info")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
