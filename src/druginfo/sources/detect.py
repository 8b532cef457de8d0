"""Walk inputs (files, folders, .zip and .tar.* archives) and route each to its parser.

The format is sniffed from the first bytes, never trusted from the file name: a FHIR Bundle →
ePI leaflet, an HL7 v3 `<document>` → SPL label, JSON with `"results"` → openFDA labels, a CSV
whose header is DDInter's or WHO ATC's → those tables. Anything else, or anything that fails to
parse, is a `Broken` record with the reason; the walk goes on.

Memory stays bounded: folders are walked lazily in sorted order, zip members are opened one at
a time, tar archives are read as a stream (members in archive order, so the bundled leaflet
archive stores each product's English leaflet first: Danish and Portuguese leaflets then find
their English sibling's substance without a second pass).

Every item is parsed in isolation (`_isolated`): a record that makes a parser fail in any way
(a recursion limit on deeply nested sections, a parser bug on an odd layout) becomes one
`Broken` record and the walk goes on, so a batch is never lost and a rerun never stops at the
same file. Sizes are bounded before anything is read whole: a document larger than
`MAX_DOCUMENT_BYTES`, an archive member larger than `MAX_MEMBER_BYTES` or unpacking to more than
`MAX_RATIO` times its packed size is refused with the reason (`_Bounded` enforces the same while
reading, whatever an archive header claims).

Documents from an archive keep their path: when two members share a base name
(`a/kineret.en.json`, `b/kineret.en.json`), the later one's id carries its folder
(`ema-epi:b/kineret.en`), so neither replaces the other.

`skip(doc_id)` lets a resumed ingest pass over documents it already holds: it is asked before a
document is parsed, with the id the parser would give (`ema-epi:<stem>` from the file name,
`fda-spl:<set id>` from the first kilobytes of SPL, per label for openFDA). Interaction and
class tables have no document id and are always read (their store writes are upserts).
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path, PurePath
from typing import IO

from druginfo.sources import atc, ddinter, epi, openfda, publisher, spl
from druginfo.sources.base import Broken, ParsedDocument, Record

HEAD_BYTES = 64 * 1024
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024  # one leaflet, label or page read whole
MAX_MEMBER_BYTES = 4 * 1024 * 1024 * 1024  # a streamed table or bulk file in an archive
MAX_RATIO = 200  # unpacked / packed size of an archive member (a zip bomb is ~1000x)
_RATIO_SLACK = 1024 * 1024  # tiny members may compress better than MAX_RATIO
_TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2")

Skip = Callable[[str], bool]
Progress = Callable[[str], None]


class TooLarge(OSError):
    """A document or archive member over a size limit (reported as that item's Broken)."""


@dataclass(frozen=True)
class _Item:
    name: str  # file or member name, for ids and siblings
    origin: str  # what a report shows: path, or archive!member
    opener: Callable[[], IO[bytes]]
    siblings: epi.EnglishSiblings
    limit: int = MAX_MEMBER_BYTES  # bytes this item may unpack to (archive members)
    folder: str = ""  # the member's folder inside its archive, when its base name repeats
    source: tuple[str, ...] | None = None  # where a worker process finds siblings (see Pending)


class _Bounded(io.RawIOBase):
    """A stream that refuses to give more than `limit` bytes: an archive header may lie about
    a member's size, so the bound is enforced on what is actually read."""

    def __init__(self, raw: IO[bytes], limit: int, what: str) -> None:
        self._raw = raw
        self._left = limit
        self._limit = limit
        self._what = what

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer)
        data = self._raw.read(min(len(view), self._left + 1))
        if len(data) > self._left:
            raise TooLarge(f"{self._what} is larger than {_size(self._limit)}")
        self._left -= len(data)
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


def _size(n: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)  # pragma: no cover


def _member_limit(size: int, packed: int, origin: str) -> int | Broken:
    """The bytes a member may unpack to, or Broken when its header already shows too much."""
    if size > MAX_MEMBER_BYTES:
        return Broken(
            origin, f"archive member too large: {_size(size)} (limit {_size(MAX_MEMBER_BYTES)})"
        )
    if packed >= 0 and size > _RATIO_SLACK and size > MAX_RATIO * max(packed, 1):
        return Broken(
            origin,
            f"archive member unpacks {size / max(packed, 1):,.0f}x its packed size "
            f"({_size(packed)} to {_size(size)}; limit {MAX_RATIO}x): refused as a likely zip bomb",
        )
    if packed < 0:
        return MAX_MEMBER_BYTES
    return min(MAX_MEMBER_BYTES, max(size, MAX_RATIO * packed + _RATIO_SLACK))


class _Prefixed(io.RawIOBase):
    """The bytes already read for sniffing, then the rest of the stream."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer)
        if self._head:
            n = min(len(view), len(self._head))
            view[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(view))
        view[: len(data)] = data
        return len(data)


def _folder_loader(folder: Path) -> epi.SiblingLoader:
    def load(name: str) -> bytes | None:
        path = folder / name
        try:
            if not path.is_file() or path.stat().st_size > MAX_DOCUMENT_BYTES:
                return None
            return path.read_bytes()
        except OSError:
            return None

    return load


def _zip_loader(archive: zipfile.ZipFile, members: set[str], prefix: str) -> epi.SiblingLoader:
    def load(name: str) -> bytes | None:
        member = prefix + name
        if member not in members:
            return None
        info = archive.getinfo(member)
        limit = _member_limit(info.file_size, info.compress_size, member)
        if isinstance(limit, Broken) or info.file_size > MAX_DOCUMENT_BYTES:
            return None  # a sibling over the limits is reported when its own turn comes
        try:
            with archive.open(member) as handle:
                return _Bounded(handle, min(limit, MAX_DOCUMENT_BYTES), member).read()
        except (OSError, zipfile.BadZipFile, EOFError):
            return None

    return load


def _zip_opener(archive: zipfile.ZipFile, name: str) -> Callable[[], IO[bytes]]:
    return lambda: archive.open(name)


def _given(handle: IO[bytes]) -> Callable[[], IO[bytes]]:
    return lambda: handle


def _is_tar(path: Path) -> bool:
    return path.name.lower().endswith(_TAR_SUFFIXES)


def _is_zip(path: Path) -> bool:
    return path.suffix.lower() == ".zip"


def reading_order(name: str) -> tuple[str, str, int, str]:
    """Sort key: by folder and product, a product's English leaflet (`x.en.json`) before its
    other languages, so their substances come from the English one already parsed rather
    than from parsing it a second time."""
    folder, _, base = name.rpartition("/")
    product, lang = epi.split_name(base)
    if lang is None:
        return (folder, base, 0, base)
    return (folder, product.rsplit(".", 1)[0], 0 if lang == "en" else 1, base)


def _walk_folder(folder: Path) -> Iterator[Path]:
    found: list[tuple[tuple[str, str, int, str], Path]] = []
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        relative = path.relative_to(folder)  # once per file (a 20x corpus has 47,000)
        if any(part.startswith(".") for part in relative.parts):
            continue
        found.append((reading_order(relative.as_posix()), path))
    found.sort(key=lambda item: item[0])  # stable, as sorted() by the same key was
    for _order, path in found:
        yield path


def _file_items(path: Path, siblings: epi.EnglishSiblings) -> Iterator[_Item | Broken]:
    if _is_zip(path):
        yield from _zip_items(path)
    elif _is_tar(path):
        yield from _tar_items(path)
    else:
        yield _Item(
            path.name,
            str(path),
            lambda: path.open("rb"),
            siblings,
            source=("folder", str(path.parent)),
        )


def _zip_items(path: Path) -> Iterator[_Item | Broken]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        yield Broken(str(path), f"unreadable zip archive: {exc}")
        return
    with archive:
        names = sorted(
            (i.filename for i in archive.infolist() if not i.is_dir()), key=reading_order
        )
        members = set(names)

        infos = {i.filename: i for i in archive.infolist()}
        by_folder: dict[str, epi.EnglishSiblings] = {}
        seen: set[str] = set()
        for name in names:
            base = name.rsplit("/", 1)[-1]
            if base.startswith("."):
                continue
            prefix = name[: len(name) - len(base)]
            origin = f"{path}!{name}"
            info = infos[name]
            limit = _member_limit(info.file_size, info.compress_size, origin)
            if isinstance(limit, Broken):
                yield limit
                continue
            if prefix not in by_folder:
                by_folder[prefix] = epi.EnglishSiblings(_zip_loader(archive, members, prefix))
            folder = prefix.rstrip("/") if base in seen else ""
            seen.add(base)
            yield _Item(
                base,
                origin,
                _zip_opener(archive, name),
                by_folder[prefix],
                limit,
                folder,
                ("zip", str(path), prefix),
            )


def _tar_items(path: Path) -> Iterator[_Item | Broken]:
    siblings = epi.EnglishSiblings()  # filled as English members stream by
    try:
        # Closed by the `with archive` below; opened first so a bad file is one Broken record.
        archive = tarfile.open(path, mode="r|*")  # noqa: SIM115
    except (tarfile.TarError, OSError) as exc:
        yield Broken(str(path), f"unreadable tar archive: {exc}")
        return
    seen: set[str] = set()
    try:
        with archive:
            for member in archive:
                if not member.isfile():
                    continue
                base = member.name.rsplit("/", 1)[-1]
                if base.startswith("."):
                    continue
                origin = f"{path}!{member.name}"
                # A tar stream's members are not packed one by one: only the size is bounded.
                limit = _member_limit(member.size, -1, origin)
                if isinstance(limit, Broken):
                    yield limit
                    continue
                handle = archive.extractfile(member)
                if handle is None:
                    continue
                folder = member.name[: len(member.name) - len(base)].rstrip("/")
                yield _Item(
                    base, origin, _given(handle), siblings, limit, folder if base in seen else ""
                )
                seen.add(base)
    except (tarfile.TarError, OSError, EOFError) as exc:
        yield Broken(str(path), f"tar archive ends early or is damaged: {exc}")


def _items(paths: Iterable[Path]) -> Iterator[_Item | Broken]:
    for raw_path in paths:
        path = Path(raw_path)
        if path.is_dir():
            sibling_sets: dict[Path, epi.EnglishSiblings] = {}
            for file in _walk_folder(path):
                folder = file.parent
                if folder not in sibling_sets:
                    sibling_sets.clear()  # folders are walked one after another: keep one
                    sibling_sets[folder] = epi.EnglishSiblings(_folder_loader(folder))
                yield from _file_items(file, sibling_sets[folder])
        elif path.is_file():
            yield from _file_items(path, epi.EnglishSiblings(_folder_loader(path.parent)))
        else:
            yield Broken(str(path), "no such file or folder")


def sniff(head: bytes) -> str | None:
    """Format name from the first bytes: epi, spl, openfda, ddinter, atc, atc-combinations."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] in (b"{", b"["):
        if b'"resourceType"' in text and b'"Bundle"' in text:
            return "epi"
        if b'"results"' in text:
            return "openfda"
        return None
    if text[:1] == b"<":
        if b"urn:hl7-org:v3" in text and b"<document" in text:
            return "spl"
        return None
    first_line = text.split(b"\n", 1)[0].decode("utf-8", "replace")
    if ddinter.is_ddinter_header(first_line):
        return "ddinter"
    return atc.header_kind(first_line)


def _whole(stream: IO[bytes], kind: str) -> bytes:
    """A document read whole, refused (TooLarge) past MAX_DOCUMENT_BYTES."""
    data = stream.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise TooLarge(
            f"{kind} document larger than {_size(MAX_DOCUMENT_BYTES)}: refused (the limit "
            "keeps one file from exhausting memory)"
        )
    return data


def _qualified(doc_id: str, folder: str) -> str:
    """`ema-epi:kineret.en` of a member in folder `b` → `ema-epi:b/kineret.en`."""
    if not folder:
        return doc_id
    prefix, _, rest = doc_id.partition(":")
    return f"{prefix}:{folder}/{rest}"


def _with_id(record: Record, folder: str) -> Record:
    if folder and isinstance(record, ParsedDocument):
        return replace(record, doc_id=_qualified(record.doc_id, folder))
    return record


@dataclass(frozen=True)
class Pending:
    """A document read whole but not parsed yet: `parse_pending` parses it, in this process
    or in a worker of a process pool (everything here pickles). Consecutive documents of one
    product share a `group` (English leaflet first), so a worker parsing a group finds the
    English substances of its other languages without reading the English leaflet twice;
    `source` says where to load an English sibling that is not in the group."""

    kind: str  # epi | spl | page
    name: str
    origin: str
    raw: bytes
    folder: str
    group: str
    source: tuple[str, ...] | None


def _sibling_loader(source: tuple[str, ...] | None) -> epi.SiblingLoader | None:
    if source is None:
        return None
    if source[0] == "folder":
        return _folder_loader(Path(source[1]))
    if source[0] == "zip":
        archive_path, prefix = source[1], source[2]

        def load(name: str) -> bytes | None:
            try:
                with zipfile.ZipFile(archive_path) as archive:
                    members = {i.filename for i in archive.infolist()}
                    return _zip_loader(archive, members, prefix)(name)
            except (OSError, zipfile.BadZipFile):
                return None

        return load
    return None


def parse_pending(pending: Pending, siblings: epi.EnglishSiblings | None = None) -> Record:
    """Parse one read document, isolated like every item (any failure is its Broken)."""
    try:
        if pending.kind == "epi":
            if siblings is None:
                siblings = epi.EnglishSiblings(_sibling_loader(pending.source))
            record: Record = epi.parse_epi(
                pending.raw, pending.origin, name=pending.name, siblings=siblings
            )
        elif pending.kind == "spl":
            record = spl.parse_spl(pending.raw, pending.origin)
        else:
            record = publisher.parse_page(pending.raw, pending.origin, name=pending.name)
        return _with_id(record, pending.folder)
    except RecursionError:
        return Broken(pending.origin, "nested too deeply to read (sections within sections)")
    except MemoryError:
        return Broken(pending.origin, "too large to read in memory")
    except Exception as exc:  # a parser fault condemns one record, not the run
        return Broken(pending.origin, f"cannot be read: {type(exc).__name__}: {exc}")


def parse_group(group: list[Pending]) -> list[Record]:
    """Parse a group of documents in order, sharing what their English leaflet says."""
    siblings = epi.EnglishSiblings(_sibling_loader(group[0].source)) if group else None
    return [parse_pending(p, siblings) for p in group]


def _records(item: _Item, skip: Skip | None, defer: bool = False) -> Iterator[Record | Pending]:
    try:
        opened = item.opener()
    except (OSError, zipfile.BadZipFile, tarfile.TarError) as exc:
        yield Broken(item.origin, f"cannot open: {exc}")
        return
    stream: IO[bytes] = io.BufferedReader(_Bounded(opened, item.limit, "archive member"))
    with stream:
        try:
            head = stream.read(HEAD_BYTES)
        except (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError) as exc:
            yield Broken(item.origin, f"cannot read: {exc}")
            return
        if not head.strip():
            yield Broken(item.origin, "empty file")
            return
        kind = sniff(head)
        if kind is None and PurePath(item.name).suffix.lower() in publisher.PAGE_SUFFIXES:
            kind = "page"  # a saved web page: only its name says so
        if kind is None:
            yield Broken(
                item.origin,
                "unknown format (not an ePI Bundle, SPL XML, openFDA JSON, DDInter or WHO ATC "
                "CSV, nor a publisher page saved as .txt or .html)",
            )
            return
        rest: IO[bytes] = io.BufferedReader(_Prefixed(head, stream))
        folder = item.folder
        if defer and kind in ("epi", "spl", "page"):
            if kind == "epi":
                doc_id: str | None = _qualified(epi.doc_id_for(item.name), folder)
            elif kind == "page":
                doc_id = _qualified(publisher.doc_id_for(item.name), folder)
            else:
                set_id = spl.sniff_set_id(head)
                doc_id = spl.doc_id_for(set_id) if set_id else None
            if skip is not None and doc_id is not None and skip(doc_id):
                return
            group = f"{folder}/{reading_order(item.name)[1]}"
            raw = _whole(rest, {"epi": "ePI", "spl": "SPL", "page": "page"}[kind])
            yield Pending(kind, item.name, item.origin, raw, folder, group, item.source)
            return
        if kind == "epi":
            if skip is not None and skip(_qualified(epi.doc_id_for(item.name), folder)):
                return
            raw = _whole(rest, "ePI")
            yield _with_id(
                epi.parse_epi(raw, item.origin, name=item.name, siblings=item.siblings), folder
            )
        elif kind == "spl":
            set_id = spl.sniff_set_id(head)
            if skip is not None and set_id and skip(spl.doc_id_for(set_id)):
                return
            record = spl.parse_spl(_whole(rest, "SPL"), item.origin)
            if (
                skip is not None
                and not set_id
                and not isinstance(record, Broken)
                and hasattr(record, "doc_id")
                and skip(record.doc_id)
            ):
                return
            yield record
        elif kind == "page":
            if skip is not None and skip(_qualified(publisher.doc_id_for(item.name), folder)):
                return
            raw = _whole(rest, "page")
            yield _with_id(publisher.parse_page(raw, item.origin, name=item.name), folder)
        elif kind == "openfda":
            yield from openfda.iter_openfda(rest, item.origin, skip=skip)
        elif kind == "ddinter":
            yield from ddinter.iter_ddinter(rest, item.origin)
        elif kind == "atc":
            yield from atc.iter_atc(rest, item.origin)
        # "atc-combinations": recognised, deliberately nothing (see atc.py)


def iter_work(
    paths: Iterable[Path],
    *,
    skip: Skip | None = None,
    progress: Progress | None = None,
) -> Iterator[Record | Pending]:
    """Like `iter_records`, but documents (ePI, SPL, pages) come read and unparsed, as
    `Pending`, for a process pool to parse; tables and bulk files are still read here."""
    for item in _items(paths):
        if isinstance(item, Broken):
            yield item
        else:
            yield from _isolated(item, skip, defer=True)
        if progress is not None:
            progress(item.origin)


def iter_records(
    paths: Iterable[Path],
    *,
    skip: Skip | None = None,
    progress: Progress | None = None,
) -> Iterator[Record]:
    """Every record of every input, in a stable order; `progress(origin)` after each item.

    An item is a file or archive member (what `count_items` counts); one item may yield many
    records (an openFDA bulk file, CSV batches) or none (a skipped document).
    """
    for item in _items(paths):
        if isinstance(item, Broken):
            yield item
            if progress is not None:
                progress(item.origin)
            continue
        for record in _isolated(item, skip):
            assert not isinstance(record, Pending)  # defer=False parses every document
            yield record
        if progress is not None:
            progress(item.origin)


def _isolated(item: _Item, skip: Skip | None, defer: bool = False) -> Iterator[Record | Pending]:
    """The records of one item; whatever goes wrong inside ends this item only."""
    try:
        yield from _records(item, skip, defer)
    except TooLarge as exc:
        yield Broken(item.origin, str(exc))
    except (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError) as exc:
        yield Broken(item.origin, f"read error: {exc}")
    except RecursionError:
        yield Broken(item.origin, "nested too deeply to read (sections within sections)")
    except MemoryError:
        yield Broken(item.origin, "too large to read in memory")
    except Exception as exc:  # a parser fault condemns one record, not the run
        yield Broken(item.origin, f"cannot be read: {type(exc).__name__}: {exc}")


def count_items(paths: Iterable[Path]) -> int:
    """Files and archive members `iter_records` will visit, without parsing any of them.

    Cheap: folder listings and archive directories; a compressed tar is decompressed once to
    count its members (about a second for the bundled leaflets).
    """
    total = 0
    for raw_path in paths:
        path = Path(raw_path)
        files = list(_walk_folder(path)) if path.is_dir() else [path]
        for file in files:
            if not file.exists():
                total += 1
            elif _is_zip(file):
                try:
                    with zipfile.ZipFile(file) as archive:
                        total += sum(
                            1
                            for i in archive.infolist()
                            if not i.is_dir() and not i.filename.rsplit("/", 1)[-1].startswith(".")
                        )
                except (zipfile.BadZipFile, OSError):
                    total += 1
            elif _is_tar(file):
                try:
                    with tarfile.open(file, mode="r|*") as archive:
                        total += sum(
                            1
                            for m in archive
                            if m.isfile() and not m.name.rsplit("/", 1)[-1].startswith(".")
                        )
                except (tarfile.TarError, OSError, EOFError):
                    total += 1
            else:
                total += 1
    return total
