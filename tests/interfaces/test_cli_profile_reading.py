"""Profile files that used to crash or hang the CLI: each is one line on stderr and exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def check_file(db_url: str, path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DRUGINFO_DB": db_url, "COLUMNS": "160"}
    return subprocess.run(
        [sys.executable, "-m", "druginfo.interfaces.cli", "check", str(path), "--drug", "anakinra"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


BOMB = "\n".join(
    ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [
        f"{n}: &{n} [{', '.join(['*' + p] * 9)}]"
        for p, n in zip("abcdefgh", "bcdefghi", strict=True)
    ]
)


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("dup.json", b'{"age_years": 6, "weight_kg": 20, "weight_kg": 200}', "twice"),
        ("dup.yaml", b"age_years: 6\nindication: NOMID\nindication: RA\n", "twice"),
        ("bomb.yaml", BOMB.encode(), "alias"),
        ("deep.json", b'{"conditions": ' + b"[" * 10000 + b"]" * 10000 + b"}", "nested"),
        ("digits.json", b'{"age_years": ' + b"4" * 5000 + b"}", "digits"),
        ("wide.json", '{"age_years": 40}'.encode("utf-16"), "UTF-16"),
        ("latin1.yaml", "conditions: [fièvre]\n".encode("latin-1"), "UTF-8"),
    ],
)
def test_bad_profile_files_are_one_line_exit_2(
    bundled_db_url: str, tmp_path: Path, name: str, content: bytes, words: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    proc = check_file(bundled_db_url, path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert words in proc.stderr
    assert len(proc.stderr) < 600 and "lol" not in proc.stderr and "44444444" not in proc.stderr
