"""A real browser for end-to-end tests: Debian's chromium driven by Playwright, and a live
uvicorn server on a free local port.

Playwright's own browser downloads are never used (`playwright install` needs a network the
test machines may not have); Debian's package is installed with apt when it is missing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def ensure_chromium(timeout_s: float = 900) -> str | None:
    """Install Debian chromium if needed; None when ready, else the reason it cannot be."""
    if CHROMIUM.exists():
        return None
    if shutil.which("apt-get") is None:
        return "chromium is missing and apt-get is not available to install it"
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        return "chromium is missing and installing it with apt-get needs root"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
        try:
            done = subprocess.run(
                cmd, env=env, capture_output=True, text=True, timeout=timeout_s, check=False
            )
        except subprocess.TimeoutExpired:
            return f"`{' '.join(cmd)}` did not finish within {timeout_s:.0f} s"
        if done.returncode != 0:
            tail = (done.stderr or done.stdout)[-800:]
            return f"`{' '.join(cmd)}` failed ({done.returncode}): {tail}"
    return (
        None if CHROMIUM.exists() else "apt-get installed chromium but /usr/bin/chromium is absent"
    )


def skip_loudly(reason: str) -> None:
    import pytest

    message = f"BROWSER TESTS SKIPPED: {reason}"
    warnings.warn(message, stacklevel=2)
    pytest.skip(message)


@contextmanager
def chromium_browser() -> Iterator[Any]:
    """A headless chromium; skips the test (loudly) only if chromium truly cannot run."""
    reason = ensure_chromium()
    if reason:
        skip_loudly(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(app: Any, start_timeout_s: float = 20) -> Iterator[str]:
    """Serve an ASGI app with uvicorn in a background thread; yields its base URL."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"uvicorn did not start on 127.0.0.1:{port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def register(page: Any, base_url: str, name: str) -> None:
    """Open an account through the site's own form, as a person would (signed in after)."""
    page.goto(f"{base_url}/account/register")
    page.fill("#a-username", name)
    page.fill("#a-password", f"{name} has a long password")
    page.fill("#a-confirm", f"{name} has a long password")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base_url}/account")
