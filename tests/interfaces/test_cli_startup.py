"""The command line starts light: `--help` loads no pydantic model, YAML parser, database
driver or Markdown parser, and the choices its help names are the ones the commands accept."""

from __future__ import annotations

import json
import subprocess
import sys

from druginfo.interfaces import cli
from druginfo.interfaces.layout import SECTION_IDS
from druginfo.model import EVENTS

HEAVY_PACKAGES = ("pydantic", "yaml", "psycopg", "markdown_it")
HEAVY_MODULES = ("druginfo.model", "druginfo.store", "druginfo.service")


def test_help_imports_nothing_heavy() -> None:
    code = (
        "import sys, json\n"
        "sys.argv = ['druginfo', '--help']\n"
        "from druginfo.interfaces import cli\n"
        "try:\n"
        "    cli.app()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "Usage: druginfo" in run.stdout
    loaded = json.loads(run.stderr.strip().splitlines()[-1])
    heavy = [
        m
        for m in loaded
        if m.split(".")[0] in HEAVY_PACKAGES
        or any(m == h or m.startswith(h + ".") for h in HEAVY_MODULES)
    ]
    assert not heavy, heavy


def test_help_choices_are_the_real_ones() -> None:
    assert cli.HELP_EVENTS == EVENTS
    assert cli.HELP_SECTIONS == SECTION_IDS
