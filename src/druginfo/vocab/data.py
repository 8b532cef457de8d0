"""The bundled vocabulary files, validated on load.

Names, classes and vaccines are data (YAML under druginfo/data/vocab) so that adding a drug or a
brand needs no code; every list names the source that supports it, and these models refuse a
file whose citations point nowhere.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import ConfigDict, Field, model_validator

from druginfo.model import Source
from druginfo.model.base import BaseModel

DATA_DIR = ("data", "vocab")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cite(_Strict):
    """A source id, and the verbatim words of it when a quote supports the entry."""

    source: str
    quote: str | None = None


class NameEntry(_Strict):
    """One name of a drug (brand, synonym or misspelling) with what says so."""

    name: str
    source: str
    quote: str | None = None


class AtcCode(_Strict):
    """A WHO ATC leaf code and its name exactly as the index spells it (so it can be quoted)."""

    code: str = Field(pattern=r"^[A-Z]\d\d[A-Z][A-Z]\d\d$")
    name: str


class ClassCite(_Strict):
    """That a drug belongs to a class, on the quoted words of a source."""

    class_id: str = Field(alias="class")
    source: str
    quote: str


class DrugEntry(_Strict):
    key: str = Field(description="Lower-case generic name; the id other layers use.")
    generic_source: str = Field(description="Source that names the generic (usually ATC).")
    atc: list[AtcCode] = Field(default_factory=list)
    brands: list[NameEntry] = Field(default_factory=list)
    synonyms: list[NameEntry] = Field(default_factory=list)
    misspellings: list[NameEntry] = Field(default_factory=list)
    classes: list[ClassCite] = Field(default_factory=list)

    @model_validator(mode="after")
    def _key_is_lower(self) -> DrugEntry:
        if self.key != self.key.strip().lower():
            raise ValueError(f"drug key {self.key!r} must be lower-case")
        return self


class ClassDef(_Strict):
    id: str
    name: str
    atc_prefixes: list[str] = Field(default_factory=list)
    parents: list[str] = Field(default_factory=list)
    duplication: bool = Field(
        default=False,
        description="Two members taken together are a therapeutic duplication (same job twice).",
    )
    phrases: list[str] = Field(
        default_factory=list,
        description="Words a leaflet uses for the class as a whole ('medicines that weaken the "
        "immune system'); matched case-insensitively as regular expressions.",
    )
    source: str
    quote: str


class VaccineEntry(_Strict):
    """A vaccine of known form: live or not, recognised by its names."""

    id: str
    name: str
    live: bool
    family: str | None = None
    names: list[str]
    source: str
    quote: str
    names_source: str | None = Field(
        default=None, description="Where the brand names come from, when not from `source`."
    )


class VaccineFamily(_Strict):
    """A disease whose vaccines exist in live and non-live forms; its bare name is ambiguous."""

    id: str
    name: str
    names: list[str]
    live_variant: str
    nonlive_variant: str
    live_words: list[str] = Field(default_factory=list)
    nonlive_words: list[str] = Field(default_factory=list)
    source: str
    quote: str


class VaccineData(_Strict):
    live_words: list[str]
    nonlive_words: list[str]
    vaccine_words: list[str]
    unknown_source: str
    unknown_quote: str
    live_unspecified_source: str
    live_unspecified_quote: str
    vaccines: list[VaccineEntry]
    families: list[VaccineFamily]


class VocabData(_Strict):
    sources: dict[str, Source]
    classes: list[ClassDef]
    drugs: list[DrugEntry]
    vaccines: VaccineData

    @model_validator(mode="after")
    def _references_resolve(self) -> VocabData:
        """Every cited source and class must exist; a dangling id would cite nothing."""
        class_ids = {c.id for c in self.classes}
        used: list[tuple[str, str]] = []
        for c in self.classes:
            used.append((c.source, f"class {c.id}"))
            for parent in c.parents:
                if parent not in class_ids:
                    raise ValueError(f"class {c.id}: unknown parent {parent!r}")
        seen: set[str] = set()
        for d in self.drugs:
            if d.key in seen:
                raise ValueError(f"drug {d.key!r} is listed twice")
            seen.add(d.key)
            used.append((d.generic_source, d.key))
            for n in [*d.brands, *d.synonyms, *d.misspellings]:
                used.append((n.source, f"{d.key}: {n.name}"))
            for cc in d.classes:
                used.append((cc.source, f"{d.key}: {cc.class_id}"))
                if cc.class_id not in class_ids:
                    raise ValueError(f"drug {d.key}: unknown class {cc.class_id!r}")
        v = self.vaccines
        used += [(v.unknown_source, "unknown vaccine"), (v.live_unspecified_source, "live")]
        ids = {e.id for e in v.vaccines}
        for e in v.vaccines:
            used.append((e.source, e.id))
            if e.names_source:
                used.append((e.names_source, e.id))
        for f in v.families:
            used.append((f.source, f.id))
            for variant in (f.live_variant, f.nonlive_variant):
                if variant not in ids:
                    raise ValueError(f"vaccine family {f.id}: unknown variant {variant!r}")
        for source_id, where in used:
            if source_id not in self.sources:
                raise ValueError(f"{where}: unknown source {source_id!r}")
        return self


def _read(name: str) -> Any:
    from druginfo.package_files import files

    text = (
        files()
        .joinpath(DATA_DIR[0])
        .joinpath(DATA_DIR[1])
        .joinpath(name)
        .read_text(encoding="utf-8")
    )
    import yaml  # here: a vocabulary loaded from the cache (store/vocab_cache.py) reads no YAML

    # libyaml's safe loader (the rules of yaml.SafeLoader) parses the bundled YAML ~6x faster.
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


OPEN_NAMES_FILE = "open-names.tsv.gz"


@cache
def open_names() -> dict[str, str]:
    """The openly licensed name bundle (name → substance), read on first need only: most
    checks name medicines the curated and leaflet names already know."""
    import gzip

    from druginfo.package_files import files

    raw = files().joinpath(DATA_DIR[0]).joinpath(DATA_DIR[1]).joinpath(OPEN_NAMES_FILE).read_bytes()
    lines = gzip.decompress(raw).decode("utf-8").split("\n")
    pairs = (line.split("\t", 1) for line in lines if line and not line.startswith("#"))
    return {p[0]: p[1] for p in pairs if len(p) == 2 and p[1]}


@cache
def bundled_data() -> VocabData:
    """Parsed once per process; the Vocab built from it is a fresh object each time."""
    sources_raw = _read("sources.yaml")["sources"]
    sources = {s["id"]: Source.model_validate(s) for s in sources_raw}
    return VocabData(
        sources=sources,
        classes=_read("classes.yaml")["classes"],
        drugs=_read("drugs.yaml")["drugs"],
        vaccines=_read("vaccines.yaml"),
    )
