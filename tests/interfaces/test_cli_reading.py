"""The command line as a reader meets it: a short summary by default, everything with --full,
aligned wrapping, one marker per line, colour only on purpose, a clean --help, events in words,
quiet broken pipes, and a documented profile template."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run(db_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "DRUGINFO_DB": db_url, "COLUMNS": "80", **env}
    return subprocess.run(
        [sys.executable, "-m", "druginfo.interfaces.cli", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )


def markers(line: str) -> list[str]:
    return re.findall(r"\[\d+\]", line)


@pytest.mark.parametrize("name", ["kineret", "humira", "benepali"])
def test_show_summarises_and_full_tells_everything(bundled_db_url: str, name: str) -> None:
    short = run(bundled_db_url, "show", name)
    full = run(bundled_db_url, "show", name, "--full")
    assert short.returncode == 0 and full.returncode == 0, short.stderr + full.stderr
    short_lines = short.stdout.splitlines()
    assert len(short_lines) < 120
    assert len(full.stdout.splitlines()) > len(short_lines)
    assert "At a glance" in short.stdout and "--full" in short.stdout
    for text in (short.stdout, full.stdout):
        for line in text.splitlines():
            assert len(markers(line)) <= 1, line
            # Internal labels never reach the reader.
            assert not re.match(r"\s*•\s*(use|contraindication|dose|kidney|product|test):", line)
            assert "\x1b[" not in line  # no colour codes when output is not a terminal


def test_bullet_continuations_are_indented(bundled_db_url: str) -> None:
    out = run(bundled_db_url, "show", "kineret", "--section", "not-for").stdout.splitlines()
    bullet_lines = [i for i, line in enumerate(out) if line.lstrip().startswith("•")]
    assert bullet_lines
    for i in bullet_lines:
        indent = out[i].index("•") + 2
        nxt = out[i + 1] if i + 1 < len(out) else ""
        if nxt.strip() and not nxt.lstrip().startswith("•"):
            assert nxt.startswith(" " * indent), (out[i], nxt)


def test_colour_only_for_meaning_not_for_digits_in_words(bundled_db_url: str) -> None:
    proc = run(bundled_db_url, "show", "kineret", "--full", FORCE_COLOR="1", TERM="xterm")
    assert proc.returncode == 0
    assert "\x1b[" in proc.stdout  # colour is on...
    assert re.search(r"interleukin-1\b", proc.stdout)  # ...but "interleukin-1" is one word
    assert not re.search(r"interleukin-\x1b\[[0-9;]*m1", proc.stdout)


def test_help_is_clean_and_version_and_completion_exist(bundled_db_url: str) -> None:
    for command in ("", "show", "search", "check", "advise", "ingest", "list", "sources"):
        args = [command, "--help"] if command else ["--help"]
        text = run(bundled_db_url, *args, COLUMNS="120").stdout
        assert "Usage" in text
        assert "<bool>" not in text and "<list[" not in text and "{" not in text, command
    version = run(bundled_db_url, "--version")
    assert version.returncode == 0 and re.match(r"druginfo \d+\.\d+", version.stdout)
    script = Path(sys.executable).parent / "druginfo"  # completion is keyed on the program name
    completion = subprocess.run(
        [str(script), "--show-completion", "bash"], capture_output=True, text=True, timeout=120
    )
    assert completion.returncode == 0 and "_DRUGINFO_COMPLETE" in completion.stdout


def test_list_filters_medicines(bundled_db_url: str) -> None:
    everything = json.loads(run(bundled_db_url, "list", "--json").stdout)
    assert len(everything) > 500
    names = [d["name"].casefold() for d in everything]
    assert names == sorted(names)
    curated = json.loads(run(bundled_db_url, "list", "--curated", "--json").stdout)
    assert curated and all(d["curated"] for d in curated)
    starts = json.loads(run(bundled_db_url, "list", "--starts-with", "hu", "--json").stdout)
    assert starts and all(
        any(n.casefold().startswith("hu") for n in (d["name"], d["generic"], *d["brands"]))
        for d in starts
    )
    pt = json.loads(run(bundled_db_url, "list", "--lang", "pt", "--json").stdout)
    assert pt and all("pt" in d["languages"] for d in pt) and len(pt) < len(everything)
    text = run(bundled_db_url, "list", "--contains", "mab")
    assert text.returncode == 0 and "medicines" in text.stdout.splitlines()[-1]


def test_sources_names_documents_without_file_paths(bundled_db_url: str) -> None:
    overview = run(bundled_db_url, "sources")
    assert overview.returncode == 0
    assert "European Medicines Agency" in overview.stdout
    one = run(bundled_db_url, "sources", "humira", "--json")
    docs = json.loads(one.stdout)
    assert docs and all(d["publisher"] and d["document"] for d in docs)
    for text in (overview.stdout, run(bundled_db_url, "sources", "kineret").stdout):
        assert "shared/" not in text and ".json" not in text
        assert not re.search(r"(?<!\.)\.\.(?!\.)", text)  # no doubled full stop


@pytest.mark.parametrize(
    "words", ["missed dose", "Missed-Dose", "I missed a dose", "forgot my dose"]
)
def test_events_in_words(bundled_db_url: str, words: str) -> None:
    slug = json.loads(run(bundled_db_url, "advise", "kineret", "missed-dose", "--json").stdout)
    proc = run(bundled_db_url, "advise", "kineret", words, "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == slug


def test_an_ambiguous_event_is_refused_not_guessed(bundled_db_url: str) -> None:
    proc = run(bundled_db_url, "advise", "kineret", "dose")
    assert proc.returncode == 2 and "missed-dose" in proc.stderr


def test_a_closed_pipe_exits_quietly_with_0(bundled_db_url: str) -> None:
    env = {**os.environ, "DRUGINFO_DB": bundled_db_url}
    for args in (["show", "kineret", "--full"], ["list"]):
        proc = subprocess.Popen(
            [sys.executable, "-m", "druginfo.interfaces.cli", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.readline()
        proc.stdout.close()
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=120) == 0, err
        assert "Traceback" not in err and "Broken pipe" not in err


def test_profile_template_is_documented_and_parses(bundled_db_url: str) -> None:
    from druginfo.engine.profile import KIDNEY_FIELDS, PROFILE_FIELDS, parse_profile

    proc = run(bundled_db_url, "profile", "--template")
    assert proc.returncode == 0
    data = yaml.safe_load(proc.stdout)
    assert set(data) - {"drug"} <= set(PROFILE_FIELDS)
    raw = dict(data)
    raw.pop("drug")
    parse_profile(raw)  # the template is a valid profile as printed
    docs = (REPO / "docs" / "profile.md").read_text(encoding="utf-8")
    for name in (*PROFILE_FIELDS, *KIDNEY_FIELDS):
        assert f"`{name}`" in docs, name
    # ...and it checks end to end.
    check = subprocess.run(
        [sys.executable, "-m", "druginfo.interfaces.cli", "check", "-", "--json"],
        input=proc.stdout,
        capture_output=True,
        text=True,
        env={**os.environ, "DRUGINFO_DB": bundled_db_url},
        timeout=120,
    )
    assert check.returncode in (0, 1), check.stderr
    assert json.loads(check.stdout)["decision"]
