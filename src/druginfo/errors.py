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


class NoDocument(UnknownDrug):
    """A name the vocabulary knows whose medicine has no document of its own in the store:
    said as such (with the stored products that contain it), never as an unknown name."""

    def __init__(
        self, name: str, key: str, containing: list[str] | None = None, loading: bool = False
    ) -> None:
        self.key = key
        self.containing = containing or []
        self.loading = loading
        DruginfoError.__init__(
            self,
            f"{name!r} is {key}, a known medicine, but no leaflet or label of it is stored"
            + (
                f"; stored products that contain it: {', '.join(self.containing)}"
                if self.containing
                else ""
            )
            + "."
            # While a server's first run is still storing the bundled leaflets, "not stored"
            # may only mean "not yet".
            + (
                " The bundled leaflets are still being loaded (one-time setup): try again in a"
                " minute."
                if loading
                else ""
            ),
        )
        self.name = name
        self.suggestions = self.containing


class UnknownEvent(DruginfoError):
    def __init__(self, event: str, known: list[str]) -> None:
        self.event = event
        self.known = known
        super().__init__(f"unknown event {event!r}; known events: {', '.join(known)}")


class AmbiguousName(UnknownDrug):
    """A name several medicines share ('insulin'): resolved to none of them, never guessed;
    `suggestions` are the candidates to pick from, so interfaces can offer them as choices."""

    def __init__(self, name: str, candidates: list[str]) -> None:
        super().__init__(name, candidates)
        DruginfoError.__init__(
            self,
            f"{name!r} names several medicines: {', '.join(candidates)}. Name the one you mean.",
        )
