"""The bundled data loaded once per test process, copied for each store a test module needs.

Filling a store with the bundled data (curated monographs and the EU leaflets) takes tens of
seconds; copying the finished SQLite file takes milliseconds.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from druginfo.store import open_store

_TEMPLATE: Path | None = None


def bundled_db_url(dest: Path) -> str:
    """A SQLite URL at `dest` holding the bundled data, as on a fresh install."""
    global _TEMPLATE
    if _TEMPLATE is None:
        folder = Path(tempfile.mkdtemp(prefix="druginfo-api-template-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        template = folder / "bundled.db"
        open_store(f"sqlite:///{template}", bootstrap=True).close()
        _TEMPLATE = template
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_TEMPLATE, dest)
    return f"sqlite:///{dest}"
