"""Errors that interfaces turn into exit code 2 or HTTP 4xx.

They carry the offending field so a person (or a form) can be pointed at what to fix.
"""

from __future__ import annotations


class DruginfoError(Exception):
    """Base of every error a user can cause and fix."""


class InputError(DruginfoError):
    """Invalid or implausible input: never guessed around, always reported with its field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class UnknownDrug(DruginfoError):
    """A name that resolves to no known medicine; carries the closest names to suggest."""

    def __init__(self, name: str, suggestions: list[str] | None = None) -> None:
        self.name = name
        self.suggestions = suggestions or []
        hint = f" Did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown medicine {name!r}.{hint}")


class UnknownEvent(DruginfoError):
    def __init__(self, event: str, known: list[str]) -> None:
        self.event = event
        self.known = known
        super().__init__(f"unknown event {event!r}; known events: {', '.join(known)}")
