"""How the command line writes to a terminal: a pager for long output (as git does), text
wrapped under its own bullet, colour only where it carries meaning, and a quiet exit when
the reader closes the pipe (`druginfo show x | head`).

Nothing here knows about medicines; `cli` decides what to say, this module how it lands.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from rich.console import Console, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

# Pager defaults as git sets them: quit if one screen, keep colours, do not clear the screen.
PAGER_ENV_DEFAULTS = {"LESS": "FRX", "LV": "-c"}


class QuietConsole(Console):
    """Rich exits 1 when the pipe closes; the reader being done is not an error."""

    def on_broken_pipe(self) -> None:
        quiet_broken_pipe()


def console(file: io.TextIOBase | None = None, **kwargs: object) -> Console:
    """A console that never colours by guesswork: Rich's highlighter would paint every
    number, including the 1 of 'interleukin-1'; colour here is always chosen on purpose."""
    return QuietConsole(file=file, highlight=False, **kwargs)  # type: ignore[arg-type]


def pager_command() -> list[str] | None:
    """The pager to run, or None for none. DRUGINFO_PAGER, then PAGER, then less; an empty
    value or `cat` means no pager, as with git."""
    for var in ("DRUGINFO_PAGER", "PAGER"):
        value = os.environ.get(var)
        if value is not None:
            value = value.strip()
            if not value or value == "cat":
                return None
            import shlex  # only with a pager set: most runs have no use for it

            return shlex.split(value)
    return ["less"] if shutil.which("less") else None


@contextmanager
def paged(enabled: bool = True) -> Iterator[Console]:
    """Output goes straight to stdout unless it is a terminal and the text is longer than
    the window; then it goes through the pager."""
    if not enabled or not sys.stdout.isatty():
        yield console()
        return
    real = console()
    buffer = io.StringIO()
    capture = Console(
        file=buffer,
        highlight=False,
        force_terminal=True,
        color_system=real.color_system,  # type: ignore[arg-type]
        no_color=real.no_color,
        width=real.width,
    )
    yield capture
    text = buffer.getvalue()
    height = shutil.get_terminal_size().lines
    command = pager_command()
    if command is None or text.count("\n") < height - 1:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    env = {**os.environ}
    for name, value in PAGER_ENV_DEFAULTS.items():
        env.setdefault(name, value)
    try:
        proc = subprocess.Popen(command, stdin=subprocess.PIPE, env=env)
    except OSError:
        sys.stdout.write(text)
        return
    assert proc.stdin is not None
    try:
        proc.stdin.write(text.encode(sys.stdout.encoding or "utf-8", "replace"))
        proc.stdin.close()
    except BrokenPipeError:  # the reader quit the pager early
        pass
    proc.wait()


def bullets(rows: Sequence[tuple[str, RenderableType]], indent: int = 2) -> Table:
    """Items whose wrapped lines stay under their own text, not under the bullet."""
    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(no_wrap=True, min_width=indent + 1, justify="right")
    grid.add_column(ratio=1)
    for mark, body in rows:
        grid.add_row(mark, body)
    return grid


def labelled(rows: Sequence[tuple[str, RenderableType]], indent: int = 2) -> Padding:
    """Label and value side by side, values aligned and wrapped in their own column."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(ratio=1)
    for label, body in rows:
        grid.add_row(label, body)
    return Padding(grid, (0, 0, 0, indent))


def marker(number: int | None) -> Text:
    return Text(f" [{number}]", style="dim") if number is not None else Text("")


def quiet_broken_pipe() -> None:
    """The reader closed the pipe (`| head`): that is not an error, so exit 0 silently.

    stdout is pointed at /dev/null first so the interpreter's final flush cannot fail again.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    sys.exit(0)


def plain_help_types() -> None:
    """`--help` without Typer's type labels for flags (`--json <bool>`) and with plain words
    for the rest: a flag takes no value, so a type beside it only misleads."""
    from typer.core import TyperArgument, TyperOption

    option_type = TyperOption.display_type_rich
    if getattr(option_type, "_druginfo_plain", False):
        return

    def display_option_type(self: TyperOption, ctx: object) -> str | None:
        if self.is_flag or self.count:
            return None
        return option_type(self, ctx)  # type: ignore[arg-type]

    def display_argument_type(self: TyperArgument, ctx: object) -> str | None:
        # An argument's name column already shows its metavar ("PATH..."); a Python type
        # such as list[Path] beside it means nothing to a reader.
        return None

    def usage_name(self: TyperArgument) -> str:
        # The usual convention (git, POSIX): NAME is required, [NAME] optional; Typer's
        # {NAME} reads as a set to choose from.
        name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
        return name + ("..." if self.nargs != 1 else "")

    display_option_type._druginfo_plain = True  # type: ignore[attr-defined]
    TyperOption.display_type_rich = display_option_type  # type: ignore[method-assign]
    TyperArgument.display_type_rich = display_argument_type  # type: ignore[method-assign,assignment]
    TyperArgument._usage_display_name = usage_name  # type: ignore[method-assign]
