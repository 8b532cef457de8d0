"""The package's own files (bundled data, migrations, its code for fingerprints).

`importlib.resources.files("druginfo")` answers for any kind of install, but its first call
imports the zip reader machinery (zipfile, importlib.readers): several milliseconds of every
command's start-up. An installed package is almost always a folder of files, and then the
answer is that folder, as the same `pathlib.Path` importlib.resources would give; only
otherwise (a zip import) is importlib.resources asked.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable


@functools.cache
def files() -> Traversable:
    """The root of the `druginfo` package, as `importlib.resources.files("druginfo")`."""
    import druginfo

    init = getattr(druginfo, "__file__", None)
    if init and os.path.basename(init) == "__init__.py" and os.path.isfile(init):
        return Path(os.path.dirname(init))
    from importlib import resources

    return resources.files("druginfo")
