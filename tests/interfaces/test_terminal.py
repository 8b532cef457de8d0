"""The pager as git runs it: only on a terminal, only when the text is longer than the
window, with $PAGER and LESS=FRX unless the person set their own."""

from __future__ import annotations

import io
import os
import shutil
import sys
from pathlib import Path

import pytest

from druginfo.interfaces import present, terminal


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _pager_to(path: Path) -> str:
    return f"sh -c 'echo LESS=$LESS > {path}.env; cat > {path}'"


class Terminal:
    """A 10-line terminal on stdout. Installed from inside the test body: pytest's output
    capture puts its own sys.stdout back between a fixture's setup and the test itself."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.screen = FakeTty()

    def __enter__(self) -> FakeTty:
        self.monkeypatch.setattr(sys, "stdout", self.screen)
        return self.screen

    def __exit__(self, *exc: object) -> None:
        self.monkeypatch.setattr(sys, "stdout", sys.__stdout__)


@pytest.fixture()
def tty(monkeypatch: pytest.MonkeyPatch) -> Terminal:
    monkeypatch.setattr(shutil, "get_terminal_size", lambda *a: os.terminal_size((80, 10)))
    monkeypatch.delenv("DRUGINFO_PAGER", raising=False)
    monkeypatch.delenv("LESS", raising=False)
    return Terminal(monkeypatch)


def test_long_output_on_a_terminal_goes_through_the_pager(
    tty: Terminal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "paged.txt"
    monkeypatch.setenv("PAGER", _pager_to(target))
    with tty as screen, terminal.paged() as console:
        for i in range(40):
            console.print(f"line {i}")
    assert "line 39" in target.read_text()
    assert screen.getvalue() == ""
    assert Path(f"{target}.env").read_text().strip() == "LESS=FRX"


def test_short_output_and_the_persons_own_less_flags(
    tty: Terminal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "paged.txt"
    monkeypatch.setenv("PAGER", _pager_to(target))
    with tty as screen, terminal.paged() as console:
        console.print("one line")
    assert "one line" in screen.getvalue() and not target.exists()
    monkeypatch.setenv("LESS", "-R")
    with tty, terminal.paged() as console:
        for i in range(40):
            console.print(f"line {i}")
    assert Path(f"{target}.env").read_text().strip() == "LESS=-R"


@pytest.mark.parametrize("value", ["", "cat"])
def test_an_empty_pager_or_cat_means_none(
    tty: Terminal, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("PAGER", value)
    with tty as screen, terminal.paged() as console:
        for i in range(40):
            console.print(f"line {i}")
    assert "line 39" in screen.getvalue()


def test_no_pager_when_not_a_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PAGER", _pager_to(tmp_path / "x"))
    buffer = io.StringIO()
    monkeypatch.setattr(sys, "stdout", buffer)
    with terminal.paged() as console:
        for i in range(40):
            console.print(f"line {i}")
    assert not (tmp_path / "x").exists()
    assert "line 39" in buffer.getvalue()


@pytest.mark.parametrize(
    ("words", "event"),
    [
        ("missed dose", "missed-dose"),
        ("MISSED_DOSE", "missed-dose"),
        ("I dropped the syringe", "dropped-syringe"),
        ("left out of the fridge", "left-out-of-fridge"),
        ("It was frozen", "frozen"),
        ("fever", "fever"),
        ("I am travelling", "travel"),
    ],
)
def test_events_given_in_words(words: str, event: str) -> None:
    assert present.parse_event(words) == event


@pytest.mark.parametrize("words", ["", "dose", "the", "earthquake", "missed"])
def test_unclear_events_are_not_guessed(words: str) -> None:
    assert present.parse_event(words) is None
