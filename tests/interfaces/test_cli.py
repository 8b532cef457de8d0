"""The command line as a person uses it: real subprocesses over the bundled data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from icalendar import Calendar

REPO = Path(__file__).resolve().parents[2]
CONTRACT_PROFILE = REPO / "examples" / "contract-profile.json"


def run(db_url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DRUGINFO_DB": db_url, "COLUMNS": "160"}
    return subprocess.run(
        [sys.executable, "-m", "druginfo.interfaces.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=120,
    )


@pytest.mark.parametrize("name", ["kineret", "Anakinara", "ANAKINRA"])
def test_show_resolves_brand_generic_and_misspelling(bundled_db_url: str, name: str) -> None:
    proc = run(bundled_db_url, "show", name)
    assert proc.returncode == 0, proc.stderr
    assert "anakinra" in proc.stdout.lower()
    assert "Sources" in proc.stdout
    assert "Not medical advice" in proc.stdout


def test_show_json_is_the_monograph(bundled_db_url: str) -> None:
    proc = run(bundled_db_url, "show", "anakinra", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["key"] == "anakinra"
    assert "Kineret" in data["identity"]["brands"]
    assert data["claims"] and data["sources"]


def test_show_section_filter(bundled_db_url: str) -> None:
    proc = run(bundled_db_url, "show", "kineret", "--section", "how")
    assert proc.returncode == 0, proc.stderr
    assert "How to take it" in proc.stdout
    assert "Interactions" not in proc.stdout


def test_unknown_name_exits_2_and_suggests(bundled_db_url: str) -> None:
    proc = run(bundled_db_url, "show", "qqzzxv")
    assert proc.returncode == 2
    assert "unknown medicine" in proc.stderr
    near = run(bundled_db_url, "show", "anakinraxx")
    assert near.returncode == 2
    assert "Did you mean" in near.stderr and "anakinra" in near.stderr


def test_check_contract_profile_blocks_with_cited_alerts(bundled_db_url: str) -> None:
    proc = run(bundled_db_url, "check", str(CONTRACT_PROFILE), "--drug", "anakinra", "--json")
    assert proc.returncode == 1, proc.stderr  # Enbrel + live vaccine + E. coli allergy
    data = json.loads(proc.stdout)
    assert set(data) >= {"drug", "decision", "regimen", "alerts", "monitoring", "sources"}
    assert data["decision"] == "do-not-use"
    assert data["drug"]["generic"] == "anakinra"
    triggers = {a["trigger"] for a in data["alerts"]}
    assert {"tnf-inhibitor", "live-vaccine", "e-coli-protein-allergy", "latex-allergy"} <= triggers
    assert "severe-kidney-disease" in triggers
    for alert in data["alerts"]:
        assert alert["sources"], alert
        assert all(key in data["sources"] for key in alert["sources"])
    tnf = next(a for a in data["alerts"] if a["trigger"] == "tnf-inhibitor")
    assert "etanercept" in tnf["matched"].lower()
    # CrCl 25 mL/min: the label says the prescriber should *consider* every other day.
    assert data["regimen"]["every_hours"] is None
    assert any("consider" in n for n in data["regimen"]["notes"])


def test_check_invalid_profile_names_the_field(bundled_db_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"age_years": 40, "weight_kg": -5, "indication": "RA"}))
    proc = run(bundled_db_url, "check", str(bad), "--drug", "anakinra")
    assert proc.returncode == 2
    assert "weight_kg" in proc.stderr


def test_check_reads_yaml_from_stdin_and_writes_ics(bundled_db_url: str, tmp_path: Path) -> None:
    ics = tmp_path / "plan.ics"
    profile = (
        "age_years: 6\nweight_kg: 44 lb\nsex: male\nindication: NOMID\n"
        "kidney: {severe_kidney_disease: false}\nstart_date: 2026-12-01\n"
    )
    proc = run(bundled_db_url, "check", "-", "--drug", "kineret", "--ics", str(ics), stdin=profile)
    assert proc.returncode == 0, proc.stderr
    assert " mL" in proc.stdout
    cal = Calendar.from_ical(ics.read_bytes())
    dues = sorted(e.decoded("dtstart") for e in cal.walk("VEVENT"))
    assert dues and dues[0].isoformat() == "2026-12-01"


def test_advise_cites_sources(bundled_db_url: str) -> None:
    proc = run(bundled_db_url, "advise", "anakinra", "missed-dose", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["steps"]
    assert all(step["sources"] for step in data["steps"])


def test_advise_unknown_event_exits_2(bundled_db_url: str) -> None:
    proc = run(bundled_db_url, "advise", "anakinra", "earthquake")
    assert proc.returncode == 2
    assert "missed-dose" in proc.stderr


def test_missing_kidney_function_leaves_the_interval_undecided(bundled_db_url: str) -> None:
    profile = '{"age_years": 40, "weight_kg": 70, "indication": "RA", "start_date": "2026-12-01"}'
    proc = run(bundled_db_url, "check", "-", "--drug", "anakinra", "--json", stdin=profile)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["decision"] == "cannot-decide"
    assert data["regimen"]["every_hours"] is None
    assert any(a["kind"] == "cannot-decide" and a["field"] == "kidney" for a in data["alerts"])
    text = run(bundled_db_url, "check", "-", "--drug", "anakinra", stdin=profile)
    assert "not decided" in text.stdout


def test_reconcile_shows_findings_and_editor_notes(bundled_db_url: str) -> None:
    proc = run(bundled_db_url, "reconcile", "kineret", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["drug"] == "anakinra"
    assert {"sources", "findings", "notes", "unread"} <= data.keys()
    assert {n["topic"] for n in data["notes"]} >= {"missed-dose", "pregnancy"}
    assert all(n["quotes"] for n in data["notes"])
    status = {(f["topic"], f["status"]) for f in data["findings"]}
    assert ("missed-dose", "conflict") in status
    text = run(bundled_db_url, "reconcile", "anakinra")
    assert text.returncode == 0 and "Editor notes" in text.stdout
    assert "as soon as you remember" in text.stdout and "no date" in text.stdout
    only = run(bundled_db_url, "reconcile", "anakinra", "--status", "conflict")
    assert "CONFLICT" in only.stdout and "AGREE" not in only.stdout
    bad = run(bundled_db_url, "reconcile", "anakinra", "--status", "maybe")
    assert bad.returncode == 2 and "unknown --status" in bad.stderr


def test_single_dose_and_first_doses_are_said_as_such(bundled_db_url: str) -> None:
    covid = '{"age_years": 60, "weight_kg": 80, "sex": "male", "indication": "COVID-19"}'
    proc = run(bundled_db_url, "check", "-", "--drug", "RoActemra", stdin=covid)
    assert "Dose: 640 mg, a single dose" in proc.stdout, proc.stdout
    assert "not decided" not in proc.stdout.split("Alerts")[0]
    crohns = '{"age_years": 12, "weight_kg": 25, "sex": "male", "indication": "Crohn\'s disease"}'
    proc = run(bundled_db_url, "check", "-", "--drug", "adalimumab", stdin=crohns)
    assert "First doses only" in proc.stdout and "40 mg on day 0" in proc.stdout, proc.stdout
