"""Build the bundled EU package leaflets: src/druginfo/data/epi/ema-epi.tar.xz.

Package leaflets © European Medicines Agency, reused with acknowledgement of the source (EMA's
terms allow it); converted from the FHIR ePI examples of joofio/test-epi-composition.

Members are `<product>.<lang>.json` at the archive root, ordered by product with the English
leaflet first, so a streaming reader meets it before the Danish and Portuguese ones (they take
the English substance name as their key, see druginfo.sources.epi). The archive is
reproducible: fixed order, zero timestamps and owners.

Usage: python scripts/bundle_epi.py [SOURCE_FOLDER] [OUTPUT_FILE]
       (defaults: ../shared/data/ema-epi and src/druginfo/data/epi/ema-epi.tar.xz)
"""

from __future__ import annotations

import io
import lzma
import re
import sys
import tarfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO / ".." / "shared" / "data" / "ema-epi"
DEFAULT_OUTPUT = REPO / "src" / "druginfo" / "data" / "epi" / "ema-epi.tar.xz"
ACKNOWLEDGEMENT = (
    "Package leaflets © European Medicines Agency; reused with acknowledgement of the source.\n"
    "Converted from the FHIR ePI examples of joofio/test-epi-composition.\n"
    "\n"
    "ema-epi.tar.xz holds the EMA electronic product information (package leaflets) as FHIR\n"
    "document Bundles, <product>.<language>.json, in English (en), Danish (da) and Portuguese\n"
    "(pt). Built by scripts/bundle_epi.py.\n"
)
_NAME = re.compile(r"^(?P<product>.+)\.(?P<lang>[a-z]{2})\.json$")


def ordered(files: list[Path]) -> list[Path]:
    def key(path: Path) -> tuple[str, int, str]:
        m = _NAME.match(path.name)
        if not m:
            return (path.name, 2, path.name)
        return (m["product"], 0 if m["lang"] == "en" else 1, m["lang"])

    return sorted(files, key=key)


def build(source: Path, output: Path) -> int:
    files = ordered([p for p in source.glob("*.json") if p.is_file()])
    if not files:
        raise SystemExit(f"no *.json leaflets in {source}")
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_suffix(output.suffix + ".tmp")
    with (
        lzma.open(tmp, "wb", preset=9 | lzma.PRESET_EXTREME) as xz,
        tarfile.open(fileobj=xz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for path in files:
            data = path.read_bytes()
            info = tarfile.TarInfo(path.name)
            info.size = len(data)
            info.mtime = 0
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    tmp.replace(output)
    (output.parent / "ACKNOWLEDGEMENT.txt").write_text(ACKNOWLEDGEMENT, encoding="utf-8")
    return len(files)


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    output = Path(argv[2]) if len(argv) > 2 else DEFAULT_OUTPUT
    n = build(source.resolve(), output)
    print(f"{n} leaflets → {output} ({output.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
