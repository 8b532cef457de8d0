"""The `druginfo` command line: show, search, check, advise, ingest, reconcile, serve.

Exit codes follow CONTRACT.md: 0 ok, 1 the check found a blocking problem, 2 bad input.
Human output always lists the sources behind each statement; `--json` prints the same data
the REST API returns.
"""

import gc
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
import typer.core
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from druginfo import __version__
from druginfo.errors import DruginfoError, InputError, UnknownDrug
from druginfo.interfaces import terminal
from druginfo.interfaces.cli_params import plain_string_params
from druginfo.wording import schedule_words

if TYPE_CHECKING:  # imported where used: `--help` must not pay for pydantic models or YAML
    from druginfo.interfaces import present
    from druginfo.model import AdviceResult, CheckResult, Monograph
    from druginfo.service import Service

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


class _Group(typer.core.TyperGroup):
    """Closing the pipe (`druginfo show x | head`) is the reader being done, not an error:
    click would exit 1, which CONTRACT reserves for a blocking problem."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            terminal.quiet_broken_pipe()


app = typer.Typer(
    name="druginfo",
    cls=_Group,
    help="Source-cited drug information and a personal check of a medicine. Not medical advice.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    # Plain help and usage errors: the rich formatter imports a Markdown parser and a dozen
    # rich modules, doubling the start-up of `--help`.
    rich_markup_mode=None,
)
out = terminal.console()
err = Console(stderr=True, highlight=False)
terminal.plain_help_types()
plain_string_params()


def _version(value: bool) -> None:
    if value:
        out.print(f"druginfo {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Source-cited drug information and a personal check of a medicine. Not medical advice."""


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="URL",
        help="sqlite:///path or postgresql://... (default: a SQLite file in your data directory).",
        envvar="DRUGINFO_DB",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
PagerOption = Annotated[
    bool,
    typer.Option(
        "--pager/--no-pager",
        help="Page long output on a terminal with $PAGER (less), as git does.",
    ),
]

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


class _ResultMarks:
    """One marker per line for engine results: the S-keys a line rests on share a number,
    whose footnote quotes each of them, so a dose line never carries a row of keys."""

    def __init__(self, sources: dict[str, Any]) -> None:
        self.sources = sources
        self.numbers: dict[tuple[str, ...], int] = {}

    def mark(self, keys: list[str]) -> str:
        known = tuple(dict.fromkeys(k for k in keys if k in self.sources))
        if not known:
            return ""
        n = self.numbers.setdefault(known, len(self.numbers) + 1)
        return f" [dim]\\[{n}][/]"

    def render(self, console: Console) -> None:
        from druginfo.interfaces import present

        if not self.numbers:
            return
        console.print("\n[bold]Sources[/]")
        rows: list[tuple[str, Text]] = []
        for keys, n in self.numbers.items():
            text = Text()
            for i, key in enumerate(keys):
                ref = self.sources[key]
                if i:
                    text.append("\n")
                text.append(f"“{ref.quote}”")
                when = f", {present.long_date(ref.reviewed)}" if ref.reviewed else ""
                text.append(f" — {ref.publisher}, “{ref.document}”{when}", style="dim")
            rows.append((f"{n}.", text))
        console.print(terminal.bullets(rows, indent=3))


@app.command()
def show(
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="Generic or brand name, any case, near misses ok.")
    ],
    full: Annotated[
        bool, typer.Option("--full", help="Every section and every source, not the summary.")
    ] = False,
    section: Annotated[
        str | None,
        typer.Option(
            "--section", metavar="ID", help=f"Only one section: {', '.join(HELP_SECTIONS)}."
        ),
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", metavar="CODE", help="Leaflet language: en, da, pt.")
    ] = None,
    leaflet: Annotated[
        str | None,
        typer.Option(
            "--leaflet",
            metavar="ID",
            help="One of the product's leaflets, by the id the summary lists (default: the "
            "adults' leaflet).",
        ),
    ] = None,
    as_json: JsonOption = False,
    pager: PagerOption = True,
    db: DbOption = None,
) -> None:
    """Show a medicine: a summary at a glance, or --full for every statement with its sources."""
    from druginfo.interfaces.layout import SECTION_IDS, reader_sections

    if section is not None and section not in SECTION_IDS:
        _fail(f"unknown section {section!r}; choose one of {', '.join(SECTION_IDS)}")
    svc = _service(db)
    try:
        # The document (a brand's several leaflets: the one asked for, else the adults'), and
        # which product when a brand was named.
        mono, choice = svc.product(name, lang, leaflet=leaflet)
    except UnknownDrug as exc:
        _fail(str(exc))
    except DruginfoError as exc:
        _fail(str(exc))
    choices = _leaflet_choices(svc, mono)
    if as_json:
        from druginfo.model.trusted_dump import dump_json_data

        data = dump_json_data(mono)  # model_dump(mode="json"), without building its serializer
        if section is not None:
            data["reader_sections"] = [
                {
                    "id": s.id,
                    "title": s.title,
                    "items": [
                        {"text": i.text, "claims": i.claims, "tag": i.tag, "heading": i.heading}
                        for i in s.items
                    ],
                }
                for s in reader_sections(mono, section)
            ]
        if choices:
            data["leaflet_choices"] = [
                {"id": i, "title": t, "shown": shown} for i, t, shown in choices
            ]
        _print_json(data)
        return
    if choice is not None and choice.note:
        out.print(f"[yellow]{escape(choice.note)}[/]")
    with terminal.paged(pager) as console:
        _render_monograph(console, mono, section, full or section is not None, name, choices)


def _leaflet_choices(svc: "Service", mono: "Monograph") -> list[tuple[str, str, bool]]:
    """(id, label, shown) of each leaflet of the product shown, when it has several (a
    children's and an adults'): the same choice the web page offers with `?leaflet=`."""
    from druginfo.interfaces import present
    from druginfo.service import childrens_leaflet, leaflet_id

    out = []
    for doc in svc.leaflet_siblings(mono):
        ident = leaflet_id(doc)
        if ident is not None:
            label = present.leaflet_label(doc, childrens_leaflet(doc), mono.language)
            out.append((ident, label, doc is mono))
    return out


# Internal kinds that are worth saying to a reader, in the reader's words.
_TAG_WORDS = {"contraindication": "Do not use", "serious": "Serious"}


def _render_monograph(
    console: Console,
    mono: "Monograph",
    section: str | None,
    full: bool,
    asked: str,
    choices: list[tuple[str, str, bool]] | None = None,
) -> None:
    from druginfo.interfaces import present
    from druginfo.interfaces.glance import glance
    from druginfo.interfaces.layout import reader_sections

    ident = mono.identity
    brand = ident.brands[0] if ident.brands else None
    title = f"{brand} ({ident.generic})" if brand else ident.generic
    console.rule(Text(title, style="bold"))
    meta = [m for m in (ident.drug_class, ", ".join(f"ATC {a}" for a in ident.atc)) if m]
    if mono.document_date:
        meta.append(
            f"{present.ui_word('dated', mono.language)} {present.long_date(mono.document_date)}"
        )
    if meta:
        console.print(" · ".join(meta), style="dim")
    if choices:
        _print_leaflet_choices(console, choices, asked)
    cites = present.Citations(mono)
    if section is None:
        card = glance(mono)
        if card.lines:
            console.print(Text(f"\n{card.title}", style="bold"))
            rows: list[tuple[str, Text]] = []
            for line in card.lines:
                body = Text(line.text, style="red" if line.id == "do-not-use" else "")
                body.append_text(terminal.marker(cites.number_for(line.claims)))
                rows.append((line.label, body))
            console.print(terminal.labelled(rows))
            note = present.ui_word(
                "machine-read" if card.machine_read else "curated", mono.language
            )
            console.print(Text(f"  {note}", style="dim"))
    sections = reader_sections(mono, section)
    if full:
        for sec in sections:
            console.print(Text(f"\n{sec.title}", style="bold underline"))
            _print_items(console, sec.items, cites)
    else:
        console.print(Text("\nSections", style="bold"))
        rows = [(sec.id, Text(f"{sec.title} ({len(sec.items)})")) for sec in sections]
        console.print(terminal.labelled(rows))
        console.print(
            Text(
                f"  Read one: druginfo show {asked} --section ID · everything: --full",
                style="dim",
            )
        )
        if mono.events:
            console.print(
                Text(f'  What to do if…: druginfo advise {asked} "missed dose"', style="dim")
            )
    _print_footnotes(console, cites)
    console.print()
    for ack in sorted({s.acknowledgement for s in mono.sources if s.acknowledgement}):
        console.print(Text(ack, style="dim"))
    console.print(Text(NOT_ADVICE, style="dim"))


def _print_leaflet_choices(
    console: Console, choices: list[tuple[str, str, bool]], asked: str
) -> None:
    """Which of the product's leaflets is shown, and how to show another (`--leaflet ID`)."""
    console.print(Text(f"\nThis product has {len(choices)} leaflets:", style="bold"))
    rows: list[tuple[str, Text]] = []
    for ident, label, shown in choices:
        text = Text(label, style="bold" if shown else "")
        text.append(" (shown)" if shown else f"\n  druginfo show {asked} --leaflet {ident}", "dim")
        rows.append(("•", text))
    console.print(terminal.bullets(rows, indent=2))


def _print_items(console: Console, items: list[Any], cites: "present.Citations") -> None:
    from druginfo.interfaces import present

    rows: list[tuple[str, Text]] = []

    def flush() -> None:
        if rows:
            console.print(terminal.bullets(rows))
            rows.clear()

    for item in items:
        if item.section is not None:  # a leaflet's prose: its heading, paragraphs and lists
            flush()
            console.print(Text(f"  {item.heading}", style="bold"))
            blocks = present.blocks(item.text)
            number = cites.section_number(item.section)
            for i, block in enumerate(blocks):
                last = i == len(blocks) - 1
                if block.kind == "ul":
                    for j, entry in enumerate(block.items):
                        text = Text(entry)
                        if last and j == len(block.items) - 1:
                            text.append_text(terminal.marker(number))
                        rows.append(("    •", text))
                    flush()
                else:
                    text = Text(block.items[0])
                    if last:
                        text.append_text(terminal.marker(number))
                    console.print(terminal.bullets([("  ", text)]))
            continue
        text = Text()
        word = _TAG_WORDS.get(item.tag or "")
        if word:
            text.append(f"{word}: ", style="bold red")
        text.append(item.text)
        text.append_text(terminal.marker(cites.number_for(item.claims)))
        rows.append(("  •", text))
    flush()


def _print_footnotes(console: Console, cites: "present.Citations") -> None:
    """Each marker's quotes with the publisher's name; the documents in full once, below."""
    from druginfo.interfaces import present

    notes = cites.footnotes()
    if not notes:
        return
    documents = cites.documents()
    shared = {
        d.publisher for d in documents if sum(e.publisher == d.publisher for e in documents) > 1
    }

    def who(doc: "present.DocumentRef") -> str:
        return f"{doc.publisher} [{doc.number}]" if doc.publisher in shared else doc.publisher

    console.print(Text("\nSources", style="bold"))
    rows: list[tuple[str, Text]] = []
    for note in notes:
        text = Text()
        if note.quotes:
            for i, q in enumerate(note.quotes):
                if i:
                    text.append("\n")
                text.append(f"“{q.quote}”")
                text.append(f" — {who(q.document)}", style="dim")
        else:
            for d in note.documents:
                text.append(who(d))
                if note.section:
                    text.append(f", {present.ui_word('section', 'en')} “{note.section}”")
        rows.append((f"{note.number}.", text))
    console.print(terminal.bullets(rows, indent=3))
    console.print(Text("\nDocuments", style="bold"))
    drows: list[tuple[str, Text]] = []
    for d in documents:
        text = Text(d.words)
        text.append(f" ({d.kind_words})", style="dim")
        if d.url:
            text.append(f"\n{d.url}", style="dim")
        drows.append((f"[{d.number}]" if shared else "•", text))
    console.print(terminal.bullets(drows, indent=3))


@app.command()
def search(
    query: Annotated[str, typer.Argument(metavar="QUERY", help="Names, misspellings or phrases.")],
    as_json: JsonOption = False,
    limit: Annotated[
        int, typer.Option("--limit", metavar="N", min=1, max=200, help="At most this many hits.")
    ] = 10,
    lang: Annotated[
        str | None, typer.Option("--lang", metavar="CODE", help="Only hits in this language.")
    ] = None,
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
    rows: list[tuple[str, Text]] = []
    for i, hit in enumerate(hits, 1):
        text = Text(hit.name, style="bold")
        where = [w for w in (hit.section, _language_name(hit.language)) if w]
        if where:
            text.append(f" — {', '.join(where)}", style="dim")
        if hit.snippet:
            text.append("\n")
            text.append_text(_snippet(hit.snippet))
        rows.append((f"{i}.", text))
    out.print(terminal.bullets(rows, indent=3))


def _language_name(code: str) -> str:
    names = {"en": "", "da": "Danish", "pt": "Portuguese"}
    return names.get(code, code)


def _snippet(snippet: str) -> Text:
    """Matched words bold; the store marks them with ** or its own markers."""
    from druginfo.store.common import HIGHLIGHT_END, HIGHLIGHT_START

    text = Text()
    plain = " ".join(snippet.replace(HIGHLIGHT_START, "**").replace(HIGHLIGHT_END, "**").split())
    for i, part in enumerate(plain.split("**")):
        text.append(part, style="bold" if i % 2 else "")
    return text


DECISION_WORDS = {
    "ok": "[green]OK[/] — nothing in the sources stands in the way.",
    "caution": "[yellow]CAUTION[/] — usable, but read the alerts below with your doctor.",
    "do-not-use": "[bold red]DO NOT USE[/] — the sources say this medicine must not be used here.",
    "cannot-decide": "[magenta]CANNOT DECIDE[/] — information is missing; see the alerts.",
}


@app.command()
def check(
    profile: Annotated[
        str,
        typer.Argument(
            metavar="PROFILE",
            help="Profile JSON or YAML file, or - for stdin (see: druginfo profile --template).",
        ),
    ],
    drug: Annotated[
        str | None, typer.Option("--drug", metavar="NAME", help="Medicine to check.")
    ] = None,
    as_json: JsonOption = False,
    ics: Annotated[
        Path | None,
        typer.Option("--ics", metavar="FILE", help="Write the monitoring calendar (.ics) here."),
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


def _render_check(result: "CheckResult", ics: Path | None) -> None:
    from druginfo.engine.provenance import BASIS_WORDS

    marks = _ResultMarks(result.sources)
    out.rule(f"[bold]{escape(result.drug.generic)}[/]")
    out.print(DECISION_WORDS[result.decision])
    if result.product is not None and result.product.note:
        out.print(f"[yellow]{escape(result.product.note)}[/]")
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
        how_often = (
            schedule_words(reg.every_hours, reg.schedule, reg.min_interval_hours)
            or "how often is not decided (see the alerts)"
        )
        if reg.dose_mg is not None:
            out.print(
                f"\n[bold]Dose:[/] {reg.dose_mg:g} mg{vol}, {how_often}, "
                f"{reg.route or ''} {marks.mark(list(reg.sources))}"
            )
        else:
            out.print(
                f"\n[bold]First doses only[/] (see the alerts) {marks.mark(list(reg.sources))}"
            )
        for note in reg.notes:
            out.print(f"  {escape(note)}")
        if reg.basis:
            out.print(f"  [dim]Basis: {escape(BASIS_WORDS.get(reg.basis, reg.basis))}[/]")
    if result.alerts:
        out.print("\n[bold]Alerts[/]")
        colour = {"high": "red", "moderate": "yellow", "low": "blue"}
        for a in result.alerts:
            matched = f" ({escape(a.matched)})" if a.matched else ""
            out.print(
                f"  [{colour[a.severity]}]{a.severity.upper()}[/] {a.kind.replace('-', ' ')}: "
                f"[bold]{escape(a.title)}[/]{matched}{marks.mark(list(a.sources))}"
            )
            out.print(f"      {escape(a.detail)}")
            if a.basis:
                out.print(f"      [dim]Basis: {escape(BASIS_WORDS.get(a.basis, a.basis))}[/]")
    if result.coverage is not None:
        out.print(f"\n[bold]Coverage:[/] {escape(result.coverage.summary)}")
        for item in result.coverage.not_screened:
            out.print(
                f"  not screened: {escape(item.item)} — {escape(item.reason)}; {escape(item.fix)}"
            )
    if result.monitoring:
        from rich.table import Table

        table = Table(title="Monitoring calendar")
        table.add_column("Due")
        table.add_column("Test")
        table.add_column("Why")
        table.add_column("Src")
        for m in result.monitoring:
            table.add_row(
                m.due.isoformat(),
                escape(m.test),
                escape(m.why),
                Text.from_markup(marks.mark(list(m.sources)).strip()),
            )
        out.print(table)
    if ics is not None:
        out.print(f"Calendar written to {ics}")
    marks.render(out)
    out.print(f"[dim]{NOT_ADVICE}[/]")


@app.command()
def advise(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Medicine name.")],
    event: Annotated[
        str,
        typer.Argument(
            metavar="EVENT",
            help='What happened, in words ("missed dose") or one of: '
            + ", ".join(HELP_EVENTS)
            + ".",
        ),
    ],
    profile: Annotated[
        str | None,
        typer.Option("--profile", metavar="FILE", help="Profile file (JSON/YAML) or - for stdin."),
    ] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """What to do when something happens: a missed dose, a dropped syringe, fever, travel..."""
    from druginfo.interfaces import present
    from druginfo.model import EVENTS

    parsed = present.parse_event(event)
    if parsed is None:
        _fail(f"unknown event {event!r}; choose one of: {', '.join(EVENTS)}")
    event = parsed
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
    marks = _ResultMarks(result.sources)
    label = present.EVENT_LABELS.get(event, event)
    out.rule(f"[bold]{escape(result.drug.generic)}: {escape(label)}[/] ({result.urgency})")
    rows = [
        (f"{i}.", Text.from_markup(escape(step.text) + marks.mark(list(step.sources))))
        for i, step in enumerate(result.steps, 1)
    ]
    out.print(terminal.bullets(rows))
    for a in result.alerts:
        out.print(f"  [yellow]{a.severity.upper()}[/] {escape(a.title)}: {escape(a.detail)}")
    marks.render(out)
    out.print(f"[dim]{NOT_ADVICE}[/]")


@app.command()
def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            help="Files, folders, .zip or .tar.xz: EU ePI, FDA SPL, openFDA, DDInter, ATC.",
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
    gc.enable()  # a long run over many documents (main() turned the collector off)
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
    name: Annotated[str, typer.Argument(metavar="NAME", help="Medicine name.")],
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


@app.command("list")
def list_medicines(
    starts_with: Annotated[
        str | None, typer.Option("--starts-with", metavar="TEXT", help="Names starting so.")
    ] = None,
    contains: Annotated[
        str | None, typer.Option("--contains", metavar="TEXT", help="Names containing this.")
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", metavar="CODE", help="Only medicines with a leaflet in it."),
    ] = None,
    curated: Annotated[
        bool, typer.Option("--curated", help="Only medicines with dose rules (a personal plan).")
    ] = False,
    as_json: JsonOption = False,
    pager: PagerOption = True,
    db: DbOption = None,
) -> None:
    """List the medicines druginfo knows, A to Z."""
    svc = _service(db)
    drugs = sorted(svc.list_drugs(), key=lambda d: (d.name or d.key).casefold())

    def names(d: Any) -> list[str]:
        return [n.casefold() for n in (d.name, d.generic, *d.brands)]

    if starts_with:
        drugs = [d for d in drugs if any(n.startswith(starts_with.casefold()) for n in names(d))]
    if contains:
        drugs = [d for d in drugs if any(contains.casefold() in n for n in names(d))]
    if lang:
        drugs = [d for d in drugs if lang in d.languages]
    if curated:
        drugs = [d for d in drugs if d.curated]
    if as_json:
        _print_json([d.model_dump(mode="json") for d in drugs])
        return
    with terminal.paged(pager) as console:
        for d in drugs:
            line = Text(d.name)
            extra = [" · ".join(d.languages)] if len(d.languages) > 1 else []
            if d.curated:
                extra.append("personal plan")
            if extra:
                line.append(f"  ({'; '.join(extra)})", style="dim")
            console.print(line)
        console.print(Text(f"{len(drugs)} medicines", style="dim"))


@app.command()
def sources(
    name: Annotated[
        str | None,
        typer.Argument(
            metavar="NAME", help="A medicine: list its documents. Without: all sources."
        ),
    ] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """The documents druginfo draws on: publisher, title, date and link."""
    from druginfo.interfaces import present

    svc = _service(db)
    if name is not None:
        try:
            docs = svc.documents(name)
        except DruginfoError as exc:
            _fail(str(exc))
        refs = list(
            {
                (s.publisher, s.document, s.reviewed, s.url, s.kind, d.language): None
                for d in docs
                for s in d.sources
            }
        )
        if as_json:
            _print_json(
                [
                    {
                        "publisher": r[0],
                        "document": r[1],
                        "reviewed": r[2],
                        "url": r[3],
                        "kind": r[4],
                        "language": r[5],
                    }
                    for r in refs
                ]
            )
            return
        rows: list[tuple[str, Text]] = []
        for publisher, document, reviewed, url, kind, language in refs:
            ref = present.DocumentRef(0, publisher, document, reviewed, url, str(kind.value))
            text = Text(ref.words)
            text.append(
                f" ({ref.kind_words}, {_language_name(language) or 'English'})", style="dim"
            )
            if url:
                text.append(f"\n{url}", style="dim")
            rows.append(("  •", text))
        out.print(terminal.bullets(rows))
        return
    drugs = svc.list_drugs()
    languages: dict[str, int] = {}
    for d in drugs:
        for code in d.languages:
            languages[code] = languages.get(code, 0) + 1
    curated = [d for d in drugs if d.curated]
    atc = svc.store.members_of("", "atc")
    summary = {
        "medicines": len(drugs),
        "curated": [d.key for d in curated],
        "medicines_per_language": languages,
        "atc_classes": len(atc),
    }
    if as_json:
        _print_json(summary)
        return
    out.print(Text("Curated monographs (checked by a person, with dose rules)", style="bold"))
    for d in curated:
        mono = svc.monograph(d.key)
        out.print(Text(f"  {d.name}", style="bold"))
        rows = []
        for s in mono.sources:
            ref = present.document_ref(s)
            rows.append(("  •", Text(ref.words + f" ({ref.kind_words})")))
        out.print(terminal.bullets(rows, indent=4))
    out.print(Text("\nProduct information (machine-read)", style="bold"))
    per_lang = ", ".join(
        f"{_language_name(code) or 'English'} {count}" for code, count in sorted(languages.items())
    )
    out.print(f"  {len(drugs)} medicines; with a document in: {per_lang}")
    out.print(
        "  EU package leaflets: European Medicines Agency (ePI), reused with acknowledgement."
    )
    out.print(Text("\nTables", style="bold"))
    out.print(f"  WHO ATC classification: {len(atc) or 'not loaded'}" + (" entries" if atc else ""))
    out.print(Text("  Load more with: druginfo ingest PATH...", style="dim"))


@app.command()
def profile(
    template: Annotated[
        bool, typer.Option("--template", help="Print a commented profile to fill in.")
    ] = False,
) -> None:
    """The profile a personal check reads: --template prints one to fill in (docs/profile.md)."""
    from importlib import resources

    if not template:
        _fail("use --template to print a profile to fill in (fields: docs/profile.md)")
    text = (resources.files("druginfo") / "data" / "templates" / "profile.yaml").read_text(
        encoding="utf-8"
    )
    sys.stdout.write(text)


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
    host: Annotated[str, typer.Option("--host", metavar="HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", metavar="PORT", min=1, max=65535)] = 8000,
    db: DbOption = None,
) -> None:
    """Serve the web site, the REST API and the CDS Hooks service."""
    gc.enable()  # a long-running process (main() turned the collector off)
    import uvicorn

    from druginfo.interfaces.app import create_app

    svc = _service(db, background_fill=True)  # answers at once; a first fill goes on behind
    out.print(f"druginfo on http://{host}:{port}/  (API docs at /docs)")
    uvicorn.run(create_app(svc), host=host, port=port, log_level="info")


def main() -> None:
    # A command is short: its start-up allocates a few hundred thousand objects (modules,
    # the vocabulary, a monograph) and frees few, so the cycle collector's passes over them
    # are wasted work (about 4 % of `druginfo show`); memory is returned at exit. The
    # commands that run long or over many documents (serve, ingest) turn it back on.
    gc.disable()
    try:
        app()
    except BrokenPipeError:
        terminal.quiet_broken_pipe()


if __name__ == "__main__":
    main()
