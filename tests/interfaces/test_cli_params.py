"""Typer's coercion without pydantic for plain strings (druginfo.interfaces.cli_params):
every value comes out as Typer's own adapter makes it, and the shortcut really skips the
adapter for a `str` while every other parameter still gets Typer's coercion."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
import typer.main
from typer._coercion import build_runtime_param
from typer.testing import CliRunner

from druginfo.interfaces import cli
from druginfo.interfaces.cli_params import plain_string_params

VALUES: list[Any] = [
    "kineret",
    "",
    "   ",
    "Kineret 100 mg",
    "ki\udcffneret",  # an undecodable argv byte, as Python hands it over
    "a\x00b",
    "é ü 日本 🙂",
    "x" * 10_000,
    b"bytes",
    b"\xff\xfe",
    7,
    3.5,
    True,
    ["a", "b"],
    None,
]


def _params() -> list[Any]:
    group = typer.main.get_command(cli.app)
    out = list(group.params)
    for command in group.commands.values():  # type: ignore[attr-defined]
        out.extend(command.params)
    return out


def _outcome(fn: Any) -> tuple[str, Any]:
    try:
        value = fn()
    except Exception as exc:  # the error a user would see
        return (type(exc).__name__, str(getattr(exc, "message", exc)))
    return ("ok", (type(value).__name__, value))


def test_installed_and_idempotent() -> None:
    assert plain_string_params() is True
    assert plain_string_params() is True


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_every_parameter_coerces_as_typer_does(value: Any) -> None:
    """Each parameter of every command, against Typer's own runtime param built from the
    same descriptor: the same value (and type) or the same error."""
    ctx = typer.main.get_command(cli.app).make_context(
        "druginfo", ["--help"], resilient_parsing=True
    )
    seen = 0
    for param in _params():
        if param.type_descriptor.file_annotation is not None:
            continue
        param._runtime_param = None
        ours = _outcome(lambda p=param: p.get_runtime_param().coerce(value, param=p, ctx=ctx))
        theirs = _outcome(
            lambda p=param: build_runtime_param(p.type_descriptor).coerce(value, param=p, ctx=ctx)
        )
        assert ours == theirs, (param.name, value)
        seen += 1
    assert seen > 30


def test_a_string_skips_the_adapter_and_other_types_do_not() -> None:
    """In a fresh process: `show NAME --lang da` coerces its strings without Typer's adapter
    module (nor pydantic's plugin loader); `search --limit` (an int) still loads it, and
    rejects a bad value with Typer's own message."""
    code = (
        "import json, sys\n"
        "from druginfo.interfaces import cli\n"
        "from typer.testing import CliRunner\n"
        "import typer.main\n"
        "group = typer.main.get_command(cli.app)\n"
        "show = group.commands['show']\n"
        "ctx = show.make_context('show', ['kineret', '--lang', 'da', '--no-pager'])\n"
        "first = sorted(m for m in sys.modules if m in "
        "('typer._adapters', 'pydantic.plugin._loader', 'importlib.metadata'))\n"
        "r = CliRunner().invoke(cli.app, ['search', 'x', '--limit', 'many'])\n"
        "print(json.dumps({'params': ctx.params, 'before': first, 'code': r.exit_code,\n"
        "    'out': r.output, 'adapters': 'typer._adapters' in sys.modules}))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["params"]["name"] == "kineret"
    assert report["params"]["lang"] == "da"
    assert report["params"]["section"] is None
    assert report["before"] == []
    assert report["adapters"] is True
    assert report["code"] == 2
    assert "Invalid value for '--limit'" in report["out"]
    assert "valid integer" in report["out"]


def test_bad_values_still_get_typers_errors() -> None:
    runner = CliRunner()
    low = runner.invoke(cli.app, ["search", "x", "--limit", "0"])
    assert low.exit_code == 2
    assert "--limit" in low.output
    missing = runner.invoke(cli.app, ["show"])
    assert missing.exit_code == 2
    assert "Missing argument 'NAME'" in missing.output
