"""Curated monographs: hand-checked YAML bundled with the package, one folder per drug.

A folder holds

- ``sources.yaml``: ``sources: [...]`` (each a `Source`);
- ``claims-*.yaml``: ``source: <id>`` (default for the file) and ``claims: [...]`` (each a
  `Claim`: id, topic, quote, optional section); one file per source keeps quotes reviewable
  against the document they come from;
- ``monograph.yaml``: everything else of a `Monograph` (identity, rules, events ...), whose
  structured facts cite claim ids.

Curated knowledge is data so that a new drug needs a new folder, not new code. Loading goes
through the pydantic model, which refuses a claim citing an unknown source or a rule citing an
unknown claim; every error names the file so the curator knows where to look.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from druginfo.errors import DruginfoError, UnknownDrug
from druginfo.model import Claim, Monograph, Source
from druginfo.package_files import files as package_files

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

MONOGRAPH_FILE = "monograph.yaml"
SOURCES_FILE = "sources.yaml"
CLAIMS_GLOB = "claims-"


class CuratedDataError(DruginfoError, ValueError):
    """Bundled or user-supplied curated data that does not hold together."""

    def __init__(self, file: str, message: str) -> None:
        super().__init__(f"{file}: {message}")
        self.file = file
        self.message = message


def _root() -> Traversable:
    return package_files().joinpath("data", "monographs")


def curated_keys() -> list[str]:
    """Drug keys that have a bundled curated monograph, sorted."""
    root = _root()
    if not root.is_dir():
        return []
    return sorted(
        d.name for d in root.iterdir() if d.is_dir() and d.joinpath(MONOGRAPH_FILE).is_file()
    )


def curated_fingerprint(key: str) -> str:
    """A hash of everything a curated monograph is made from: its YAML files, the model code
    that validates them and this loader. Equal fingerprints give equal monographs, so a start
    can skip loading (and validating) an unchanged monograph that the store already holds."""
    import hashlib

    digest = hashlib.sha256()
    for file in _listed(_root().joinpath(key.strip().lower())):
        digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    digest.update(_code_part())
    return digest.hexdigest()


def fingerprint_files(key: str) -> list[Traversable]:
    """The files a curated monograph is made from, in a fixed order."""
    return [*_listed(_root().joinpath(key.strip().lower())), *_code_files()]


def _listed(base: Traversable) -> list[Traversable]:
    if not base.is_dir():
        return []
    return sorted(
        (f for f in base.iterdir() if f.is_file() and f.name.endswith((".yaml", ".py"))),
        key=lambda f: f.name,
    )


def _code_files() -> list[Traversable]:
    """The model code that validates every curated monograph, and this loader."""
    package = package_files()
    # how the files become a monograph: this loader, last
    return [*_listed(package.joinpath("model")), package.joinpath("sources", "curated.py")]


@functools.cache
def _code_part() -> bytes:
    """What the code files add to every fingerprint, read once per process (the same for
    each curated monograph; a running process keeps the code it loaded, so does this)."""
    return b"".join(f.name.encode() + b"\0" + f.read_bytes() + b"\0" for f in _code_files())


def load_curated(key: str) -> Monograph:
    """The bundled curated monograph for a drug key (lower-case generic name)."""
    wanted = key.strip().lower()
    keys = curated_keys()
    if wanted not in keys:
        raise UnknownDrug(key, keys)
    return load_curated_dir(_root().joinpath(wanted))


def _read_yaml(file: Traversable, label: str) -> Any:
    # Imported here: a start that finds every curated monograph stored and current reads no
    # YAML at all (service.refresh_curated compares fingerprints first).
    import yaml

    # libyaml's safe loader (the rules of yaml.SafeLoader) parses the bundled YAML ~6x faster.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(file.read_text(encoding="utf-8"), Loader=loader)
    except yaml.YAMLError as exc:
        raise CuratedDataError(label, f"not valid YAML: {exc}") from exc


def _mapping(data: Any, label: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise CuratedDataError(label, f"expected a mapping at top level, got {type(data).__name__}")
    return data


def _first_error(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err["loc"])
        parts.append(f"{where}: {err['msg']}" if where else err["msg"])
    more = exc.error_count() - len(parts)
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def load_curated_dir(path: Path | Traversable | str) -> Monograph:
    """Read a curated monograph folder (package data or any directory) and validate it."""
    folder: Path | Traversable = Path(path) if isinstance(path, str) else path
    if not folder.is_dir():
        raise CuratedDataError(str(folder), "not a directory")
    name = folder.name

    mono_file = folder.joinpath(MONOGRAPH_FILE)
    if not mono_file.is_file():
        raise CuratedDataError(f"{name}/{MONOGRAPH_FILE}", "missing")
    mono_label = f"{name}/{MONOGRAPH_FILE}"
    body = _mapping(_read_yaml(mono_file, mono_label), mono_label)
    for reserved in ("sources", "claims"):
        if reserved in body:
            raise CuratedDataError(
                mono_label, f"'{reserved}' belongs in {SOURCES_FILE} / {CLAIMS_GLOB}*.yaml"
            )

    sources: list[Source] = []
    src_label = f"{name}/{SOURCES_FILE}"
    src_file = folder.joinpath(SOURCES_FILE)
    if not src_file.is_file():
        raise CuratedDataError(src_label, "missing")
    src_data = _mapping(_read_yaml(src_file, src_label), src_label)
    for i, raw in enumerate(src_data.get("sources") or []):
        try:
            sources.append(Source.model_validate(raw))
        except ValidationError as exc:
            raise CuratedDataError(src_label, f"sources[{i}]: {_first_error(exc)}") from exc

    claims: list[Claim] = []
    claim_file_of: dict[str, str] = {}
    claim_files = sorted(
        (
            f
            for f in folder.iterdir()
            if f.name.startswith(CLAIMS_GLOB) and f.name.endswith(".yaml")
        ),
        key=lambda f: f.name,
    )
    for file in claim_files:
        label = f"{name}/{file.name}"
        data = _mapping(_read_yaml(file, label), label)
        default_source = data.get("source")
        for i, raw in enumerate(data.get("claims") or []):
            if not isinstance(raw, dict):
                raise CuratedDataError(label, f"claims[{i}]: expected a mapping")
            item = {"source": default_source, **raw} if default_source else raw
            try:
                claim = Claim.model_validate(item)
            except ValidationError as exc:
                raise CuratedDataError(label, f"claims[{i}]: {_first_error(exc)}") from exc
            if claim.id in claim_file_of:
                raise CuratedDataError(
                    label, f"duplicate claim id {claim.id!r} (also in {claim_file_of[claim.id]})"
                )
            claim_file_of[claim.id] = label
            claims.append(claim)

    known_sources = {s.id for s in sources}
    for claim in claims:
        if claim.source not in known_sources:
            raise CuratedDataError(
                claim_file_of[claim.id],
                f"claim {claim.id!r} cites unknown source {claim.source!r} "
                f"(known: {', '.join(sorted(known_sources))})",
            )

    try:
        return Monograph.model_validate({**body, "sources": sources, "claims": claims})
    except ValidationError as exc:
        raise CuratedDataError(mono_label, _first_error(exc)) from exc
