"""Reaching one layer of an app's middleware stack from a test."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import FastAPI

L = TypeVar("L")


def layer_of(app: FastAPI, kind: type[L]) -> L:
    """The first middleware of type `kind` in `app`'s stack (built now if the app has not
    served a request yet)."""
    if app.middleware_stack is None:
        app.middleware_stack = app.build_middleware_stack()
    layer: Any = app.middleware_stack
    while not isinstance(layer, kind):
        layer = layer.app
    return layer
