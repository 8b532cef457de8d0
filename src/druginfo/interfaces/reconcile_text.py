"""The reconcile report in the terminal: each finding's sources side by side, with their quotes.

An editor reads a disagreement by putting the words next to each other, so every finding that
is not plain agreement gets a table with one column per source (who, when, the normalised
value, the quote). Agreements are one line each unless asked for by status.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from druginfo.reconcile import Finding, ReconcileReport, ReportSource, Status

COLOUR: dict[str, str] = {
    "error": "bold red",
    "conflict": "red",
    "new-stale": "yellow",
    "only-one-source": "blue",
    "agree": "green",
}


def _source_line(s: ReportSource) -> str:
    date = s.date.isoformat() if s.date else "no date"
    brands = f" {'/'.join(s.brands)}" if s.brands and s.kind in ("label", "leaflet") else ""
    flag = f"[yellow]stale[/]: {escape(s.why_stale or '')}" if s.stale else "[green]current[/]"
    return f"  {s.id} — {escape(s.publisher)}{escape(brands)} ({s.kind}, {date}) {flag}"


def _side_by_side(f: Finding, sources: dict[str, ReportSource]) -> Table:
    table = Table(show_lines=False, expand=True, pad_edge=False)
    by_source: dict[str, list[str]] = {}
    for x in f.facts:
        by_source.setdefault(x.source, []).append(
            f"[bold]{escape(x.value)}[/]\n“{escape(x.quote)}”"
            + ("" if x.population_stated else "\n[dim](indication not stated)[/]")
        )
    for sid in f.sources:
        s = sources[sid]
        date = s.date.isoformat() if s.date else "no date"
        product = f" {'/'.join(s.brands)}" if s.brands and s.kind in ("label", "leaflet") else ""
        table.add_column(
            f"{sid} {escape(s.publisher)}{escape(product)}\n{date}", overflow="fold", ratio=1
        )
    table.add_row(*("\n\n".join(by_source.get(sid, [])) for sid in f.sources))
    return table


def render_finding(f: Finding, sources: dict[str, ReportSource], quotes: bool) -> RenderableType:
    head = Text.from_markup(
        f"[{COLOUR[f.status]}]{f.status.upper()}[/] [bold]{escape(f.subject)}[/] "
        f"[dim](confidence {f.confidence:.2f}; {', '.join(f.sources)})[/]"
    )
    parts: list[RenderableType] = [head, Text("  " + f.summary)]
    if f.missing_from:
        parts.append(Text(f"  not stated by {', '.join(f.missing_from)}", style="dim"))
    if f.newer or f.older:
        parts.append(Text(f"  older {f.older} → newer {f.newer}", style="dim"))
    if f.notes:
        parts.append(
            Text(f"  editor notes: {', '.join(f'#{i + 1}' for i in f.notes)}", style="dim")
        )
    if quotes:
        parts.append(_side_by_side(f, sources))
    return Group(*parts)


def print_report(
    console: Console, report: ReconcileReport, statuses: Iterable[Status] = ()
) -> None:
    wanted = set(statuses)
    sources = {s.id: s for s in report.sources}
    console.rule(
        f"[bold]{escape(report.drug)}[/]: {len(report.sources)} sources, as of {report.as_of}"
    )
    for s in report.sources:
        console.print(_source_line(s))
    counts = report.counts()
    console.print(
        "  " + ", ".join(f"[{COLOUR[k]}]{v} {k}[/]" for k, v in counts.items() if v) or "  no facts"
    )
    for line in report.unread:
        console.print(f"  [yellow]not read[/]: {escape(line)}")
    for f in report.findings:
        if wanted and f.status not in wanted:
            continue
        console.print()
        console.print(render_finding(f, sources, quotes=bool(wanted) or f.status != "agree"))
    if report.notes and not wanted:
        console.rule("Editor notes (curated, shown beside the computed findings)")
        for i, n in enumerate(report.notes, 1):
            related = ", ".join(n.findings) or "no computed finding on this topic"
            console.print(f"#{i} [bold]{escape(n.topic)}[/]: {escape(n.note)}")
            console.print(f"    [dim]computed: {escape(related)}[/]")
            for q in n.quotes:
                console.print(f"    {q.source or '?'} “{escape(q.quote)}”", overflow="fold")
