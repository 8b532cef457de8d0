"""The command line starts light and prints the same as before it did.

`--help` loads no pydantic model, YAML parser, database driver or Markdown parser, and the
choices its help names are the ones the commands accept. `show` on a filled store loads
neither the check, ingestion, facts, reconciliation, the web stack nor any parser of source
files, and builds no validator for the stored monographs it reads (druginfo.model.trusted):
its output is the same, byte for byte, as when every document goes through validation. And
what it shows follows the store: a document changed after a `show` is shown changed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from druginfo.interfaces import cli
from druginfo.interfaces.layout import SECTION_IDS
from druginfo.model import EVENTS

HEAVY_PACKAGES = ("pydantic", "yaml", "psycopg", "markdown_it")
HEAVY_MODULES = ("druginfo.model", "druginfo.store", "druginfo.service")

# What `show` has no use for: it prints a stored monograph.
NOT_FOR_SHOW = (
    "druginfo.engine.check",
    "druginfo.engine.screening",
    "druginfo.engine.leaflet_screening",
    "druginfo.engine.conditions",
    "druginfo.facts",
    "druginfo.reconcile",
    "druginfo.ingest",
    "druginfo.ingest_pool",
    "druginfo.sources.epi",
    "druginfo.sources.spl",
    "druginfo.sources.publisher",
    "druginfo.store.private",
    "druginfo.interfaces.web",
    "druginfo.interfaces.api",
    "yaml",
    "lxml",
    "fastapi",
    "starlette",
    "uvicorn",
    "jinja2",
    "trafilatura",
    "fhir",
    "icalendar",
    "psycopg",
    "markdown_it",
    # Typer's pydantic adapters, and pydantic's plugin loader (a scan of every installed
    # distribution's metadata): a command line's strings need neither
    "typer._adapters",
    "pydantic.plugin._loader",
    "importlib.metadata",
    "rapidfuzz",  # near misses only: a name that matches needs no fuzzy search
    "zipfile",  # the package's files are a folder (druginfo.package_files)
)

# Run the command line in a child, then report what it loaded and which model classes
# built their validator.
PROBE = """
import json, sys
sys.argv = ["druginfo", *json.loads(sys.argv[1])]
from druginfo.interfaces import cli
if sys.argv[-1] == "--validate-all":  # every stored document read through validation
    sys.argv.pop()
    from druginfo.model import trusted
    def untrusted(cls, data):
        raise trusted.Untrusted("this test reads every document through validation")
    trusted.build = untrusted
try:
    cli.app()
except SystemExit as exc:
    code = exc.code
from druginfo.model.monograph import Monograph
report = {"code": code, "modules": sorted(sys.modules),
          "monograph_validator_built": Monograph.__pydantic_complete__}
print(json.dumps(report), file=sys.stderr)
"""


def probe(db_url: str, *args: str) -> tuple[str, dict[str, object]]:
    env = {**os.environ, "DRUGINFO_DB": db_url, "COLUMNS": "100"}
    run = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(list(args))],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    report = json.loads(run.stderr.strip().splitlines()[-1])
    assert report["code"] in (0, None), run.stderr
    return run.stdout, report


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


def test_importing_the_command_line_loads_no_web_stack_or_parser() -> None:
    """The command-line module alone (what every command, `--help` included, pays for)."""
    code = (
        "import sys, json\n"
        "from druginfo.interfaces import cli\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    loaded = json.loads(run.stdout.strip().splitlines()[-1])
    unwanted = (
        "fastapi", "starlette", "uvicorn", "lxml", "jinja2", "rapidfuzz", "yaml", "pydantic",
        "fhir", "trafilatura", "psycopg", "markdown_it", "zipfile",
    )  # fmt: skip
    heavy = [m for m in loaded if m.split(".")[0] in unwanted]
    assert not heavy, heavy
    assert "druginfo.interfaces.cli" in loaded


def test_help_choices_are_the_real_ones() -> None:
    assert cli.HELP_EVENTS == EVENTS
    assert cli.HELP_SECTIONS == SECTION_IDS


@pytest.fixture(scope="module")
def show_db(bundled_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The bundled store, shown once so that the vocabulary cache is written (a first
    start after an install or an ingest builds it: that start is not this test's subject)."""
    probe(bundled_db_url, "show", "kineret", "--no-pager")
    return bundled_db_url


@pytest.mark.parametrize(
    "args",
    [("kineret", "--no-pager"), ("xeljanz", "--no-pager"), ("shingrix", "--no-pager"),
     ("humira", "--json"), ("xeljanz", "--json", "--section", "how")],
)  # fmt: skip
def test_show_loads_only_what_it_prints(show_db: str, args: tuple[str, ...]) -> None:
    """Neither the text nor the JSON builds Monograph's validator or serializer."""
    out, report = probe(show_db, "show", *args)
    assert ("Not medical advice" in out) if "--json" not in args else json.loads(out)
    modules = report["modules"]
    assert isinstance(modules, list)
    loaded = [m for m in modules if any(m == n or m.startswith(n + ".") for n in NOT_FOR_SHOW)]
    assert not loaded, loaded
    assert report["monograph_validator_built"] is False


@pytest.mark.parametrize(
    "args",
    [
        ("show", "kineret"),
        ("show", "humira"),
        ("show", "xeljanz"),
        ("show", "shingrix"),  # a vaccine
        ("show", "jardiance"),  # a tablet with a leaflet only
        ("show", "benepali", "--lang", "da"),
        ("show", "kineret", "--full"),
        ("show", "humira", "--section", "how"),
        ("show", "xeljanz", "--json"),
    ],
)
def test_show_prints_what_validated_documents_print(show_db: str, args: tuple[str, ...]) -> None:
    fast, _ = probe(show_db, *args, "--no-pager") if "--json" not in args else probe(show_db, *args)
    extra = ("--no-pager",) if "--json" not in args else ()
    slow, report = probe(show_db, *args, *extra, "--validate-all")
    assert report["monograph_validator_built"] is True  # the fallback really validated
    assert fast == slow
    assert len(fast.splitlines()) > 10


def test_show_follows_a_changed_document(bundled_db_url: str, tmp_path: Path) -> None:
    """A `show` after a document changed shows the change: nothing decoded or learned by an
    earlier run (the vocabulary cache, decoded monographs) outlives the store's change."""
    from druginfo.store import open_store
    from druginfo.store.sqlite import decode_monograph
    from support.bundled_store import bundled_db_url as fresh_copy

    db = fresh_copy(tmp_path / "changed.db")
    before, _ = probe(db, "show", "xeljanz", "--no-pager")
    store = open_store(db, bootstrap=False)
    try:
        rows = store._query(  # type: ignore[attr-defined]
            "SELECT doc_id, monograph FROM documents WHERE key = ? AND curated = 0",
            ("tofacitinib",),
        )
        assert rows
        for doc_id, blob in rows:
            mono = decode_monograph(blob)
            identity = mono.identity.model_copy(update={"drug_class": "Test class Q"})
            changed = mono.model_copy(update={"identity": identity})
            store.upsert_monograph(changed, doc_id=doc_id, checksum="changed-by-test")
    finally:
        store.close()
    after, _ = probe(db, "show", "xeljanz", "--no-pager")
    assert "Test class Q" not in before
    assert "Test class Q" in after
