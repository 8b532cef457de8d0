"""Typer's coercion of a command-line string, without pydantic.

Typer (0.29) coerces every parameter value through a pydantic `TypeAdapter` built when the
command first runs: for `show NAME` that is seven adapters, pydantic's plugin loader (which
reads the metadata of every installed distribution) and Typer's adapter module — about a
fifth of the command's start-up, to turn a `str` that came from argv into the same `str`.

A parameter annotated `str` (no custom parser, not a file) whose value already is a `str`
gets that value back unchanged here, which is exactly what Typer's adapter returns for it
(`str(value)`, then pydantic's lax `str` validation, which accepts any `str`, lone
surrogates from undecodable argv bytes included; tests/interfaces/test_cli_params.py checks
this against Typer's own adapter). Anything else (bytes, another annotation, a parser, a
list) goes through Typer's own coercion, unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_MARK = "_druginfo_plain_str"


def plain_string_params() -> bool:
    """Install the shortcut once; False (and Typer left as it is) when this Typer does not
    have the internals it relies on."""
    try:
        from typer import _coercion
        from typer.core import _TyperParameter
    except ImportError:
        return False
    original = getattr(_TyperParameter, "get_runtime_param", None)
    if original is None or not hasattr(_coercion, "RuntimeParam"):
        return False
    if getattr(original, _MARK, False):
        return True
    build = _coercion.build_runtime_param

    @dataclass(frozen=True)
    class Deferred(_coercion.RuntimeParam):
        """Typer's coercion, built only for a value that needs it: a `str` for a `str`
        parameter is itself, and a missing value (None) never reaches `_coerce_value`."""

        descriptor: Any = None
        built: list[Any] = field(default_factory=list)

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            desc = self.descriptor
            if (
                type(value) is str
                and desc.annotation is str
                and desc.file_annotation is None
                and desc.parameter_info.parser is None
            ):
                return value
            if not self.built:
                self.built.append(build(desc))
            return self.built[0]._coerce_value(value, param=param, ctx=ctx)

    def get_runtime_param(self: Any) -> Any:
        if self._runtime_param is None:
            desc = self.type_descriptor
            self._runtime_param = Deferred(
                parameter_info=desc.parameter_info, annotation=desc.annotation, descriptor=desc
            )
        return self._runtime_param

    setattr(get_runtime_param, _MARK, True)
    _TyperParameter.get_runtime_param = get_runtime_param  # type: ignore[method-assign]
    return True
