"""`druginfo facts` and GET /api/facts/{name} over the bundled store, and a PATH read unstored."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from druginfo.interfaces.app import create_app
from druginfo.service import Service


def run(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DRUGINFO_DB": db_url, "COLUMNS": "160"}
    return subprocess.run(
        [sys.executable, "-m", "druginfo.interfaces.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


@pytest.fixture(scope="module")
def client(bundled_db_url: str) -> Iterator[TestClient]:
    svc = Service.open(bundled_db_url)
    with TestClient(create_app(svc), base_url="http://druginfo.test") as c:
        yield c
    svc.close()


def test_api_facts_for_a_brand(client: TestClient) -> None:
    r = client.get("/api/facts/Benepali")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["medicine"] == "etanercept"
    kinds = {d["document"]["kind"] for d in body["documents"]}
    assert "leaflet" in kinds
    english = [d for d in body["documents"] if d["document"]["language"] == "en"]
    facts = [f for d in english for f in d["facts"]]
    assert any(f["topic"] == "storage" and f.get("temp_max_c") == 8 for f in facts)
    assert all(f["quote"] and f["source"] for f in facts)


def test_api_facts_unknown_is_404_json(client: TestClient) -> None:
    r = client.get("/api/facts/qqzzxv")
    assert r.status_code == 404
    assert "error" in r.json()


def test_cli_facts_json_of_a_stored_medicine(bundled_db_url: str) -> None:
    proc = run(bundled_db_url, "facts", "simponi", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["medicine"] == "golimumab"
    assert all("document" in d and "facts" in d for d in data["documents"])


def test_cli_facts_of_a_path_is_not_stored(bundled_db_url: str, tmp_path: Path) -> None:
    page = tmp_path / "examplepharm-ramipril.md"
    page.write_text(
        "# Ramipril\n\n## How to take it\n\nThe usual dose is 2.5 mg once a day.\n\n"
        "## Storage\n\nStore below 25 °C.\n",
        encoding="utf-8",
    )
    proc = run(bundled_db_url, "facts", str(page))
    assert proc.returncode == 0, proc.stderr
    assert "dose_mg=2.5" in proc.stdout and "temp_max_c=25" in proc.stdout
    shown = run(bundled_db_url, "show", "ramipril")
    assert "examplepharm" not in shown.stdout.lower()


def test_cli_facts_of_an_unreadable_path(bundled_db_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "nothing.txt"
    bad.write_text("Just some words about the weather.\n", encoding="utf-8")
    proc = run(bundled_db_url, "facts", str(bad))
    assert proc.returncode == 2
    assert "cannot" in proc.stderr
