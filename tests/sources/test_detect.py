"""Format detection and walking: folders, zip and tar.xz archives, the bundled leaflets."""

from __future__ import annotations

import io
import itertools
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest

from druginfo.sources.base import Broken, ClassBatch, InteractionBatch, ParsedDocument, Record
from druginfo.sources.detect import count_items, iter_records, sniff
from druginfo.sources.epi import bundled_epi_path

DDINTER_HEAD = 200  # rows copied from the real DDInter file


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    """A folder with one of every format, taken from the real data, plus junk."""
    root = tmp_path_factory.mktemp("mixed")
    (root / "leaflets").mkdir()
    for name in ("kineret.en.json", "kineret.pt.json", "benepali.da.json", "benepali.en.json"):
        shutil.copy(data_dir / "ema-epi" / name, root / "leaflets" / name)
    (root / "labels").mkdir()
    for name in ("humira.xml", "METHOXSALEN.xml"):
        shutil.copy(data_dir / "fda-spl" / name, root / "labels" / name)
    shutil.copy(
        Path(__file__).resolve().parents[1] / "fixtures" / "openfda" / "humira.openfda.json",
        root / "labels" / "humira.openfda.json",
    )
    lines = (data_dir / "ddinter" / "ddinter_downloads_code_L.csv").read_text().splitlines()
    (root / "ddinter_L.csv").write_text("\n".join(lines[: DDINTER_HEAD + 1]) + "\n")
    atc_lines = (data_dir / "who-atc" / "WHO ATC-DDD 2026-04-25.csv").read_text().splitlines()
    (root / "atc.csv").write_text("\n".join(atc_lines[:50]) + "\n")
    (root / "notes.txt").write_text("not a drug document\n")
    (root / "empty.json").write_bytes(b"")
    (root / ".hidden").write_text("ignored")
    return root


def summary(records: list[Record]) -> list[tuple[str, str]]:
    out = []
    for r in records:
        if isinstance(r, ParsedDocument):
            out.append(("doc", f"{r.doc_id}={r.monograph.key}"))
        elif isinstance(r, InteractionBatch):
            out.append(("pairs", str(len(r.pairs))))
        elif isinstance(r, ClassBatch):
            out.append(("classes", str(len(r.entries))))
        else:
            out.append(("broken", r.reason.split(" (")[0]))
    return out


def test_folder(mixed: Path) -> None:
    seen: list[str] = []
    records = list(iter_records([mixed], progress=seen.append))
    got = summary(records)
    assert count_items([mixed]) == len(seen) == 11
    docs = sorted(v for k, v in got if k == "doc")
    assert docs == [
        "ema-epi:benepali.da=etanercept",
        "ema-epi:benepali.en=etanercept",
        "ema-epi:kineret.en=anakinra",
        # The Portuguese leaflet says "anacinra"; its English sibling gives the shared key.
        "ema-epi:kineret.pt=anakinra",
        "fda-spl:608d4f0d-b19f-46d3-749a-7159aa5f933d=adalimumab",
        "fda-spl:608d4f0d-b19f-46d3-749a-7159aa5f933d=adalimumab",
    ]
    assert ("pairs", str(DDINTER_HEAD)) in got
    assert ("classes", "49") in got  # the 49 ATC rows have 49 distinct codes
    assert ("classes", "10") in got  # methoxsalen: 5 classes + 5 memberships
    broken = {r.origin.rsplit("/", 1)[-1]: r.reason for r in records if isinstance(r, Broken)}
    assert broken.keys() == {"notes.txt", "empty.json"}
    assert broken["empty.json"] == "empty file"
    assert "which medicine" in broken["notes.txt"]  # a .txt is read as a publisher page


def test_zip_and_tar_match_folder(mixed: Path, tmp_path: Path) -> None:
    files = sorted(p for p in mixed.rglob("*") if p.is_file() and not p.name.startswith("."))
    zpath = tmp_path / "all.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in files:
            zf.write(p, p.relative_to(mixed).as_posix())
    tpath = tmp_path / "all.tar.xz"
    with tarfile.open(tpath, "w:xz") as tf:
        for p in sorted(files, key=lambda p: (p.name.split(".")[0], ".en." not in p.name)):
            tf.add(p, p.relative_to(mixed).as_posix())
    folder = sorted(summary(list(iter_records([mixed]))))
    assert sorted(summary(list(iter_records([zpath])))) == folder
    assert sorted(summary(list(iter_records([tpath])))) == folder
    assert count_items([zpath]) == count_items([tpath]) == 11
    origins = [r.origin for r in iter_records([zpath]) if isinstance(r, ParsedDocument)]
    assert f"{zpath}!leaflets/kineret.en.json" in origins


def test_skip_is_asked_before_parsing(mixed: Path) -> None:
    asked: list[str] = []

    def skip(doc_id: str) -> bool:
        asked.append(doc_id)
        return doc_id.startswith("ema-epi:") or doc_id.startswith("fda-spl:")

    records = list(iter_records([mixed], skip=skip))
    assert not any(isinstance(r, ParsedDocument) for r in records)
    assert "ema-epi:kineret.en" in asked
    assert "fda-spl:608d4f0d-b19f-46d3-749a-7159aa5f933d" in asked
    assert any(isinstance(r, InteractionBatch) for r in records)  # tables always read


def test_broken_inputs(tmp_path: Path) -> None:
    (tmp_path / "cut.json").write_text('{"resourceType": "Bundle", "entry": [')
    (tmp_path / "bad.zip").write_bytes(b"PK not really")
    (rec_cut,) = iter_records([tmp_path / "cut.json"])
    assert isinstance(rec_cut, Broken) and "not JSON" in rec_cut.reason
    (rec_zip,) = iter_records([tmp_path / "bad.zip"])
    assert isinstance(rec_zip, Broken) and "zip" in rec_zip.reason
    (missing,) = iter_records([tmp_path / "nope"])
    assert isinstance(missing, Broken) and "no such file" in missing.reason


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b'\xef\xbb\xbf {"resourceType": "Bundle", "type": "document"', "epi"),
        (b'{"meta": {}, "results": [{"set_id": "x"}]}', "openfda"),
        (b'<?xml version="1.0"?><document xmlns="urn:hl7-org:v3">', "spl"),
        (b"DDInterID_A,Drug_A,DDInterID_B,Drug_B,Level\r\n", "ddinter"),
        (b"atc_code,atc_name,ddd,uom,adm_r,note\n", "atc"),
        (b"atc_code,brand_name,dosage_form,ingredients,ddd_comb\n", "atc-combinations"),
        (b"<html><body/></html>", None),
        (b'{"hello": 1}', None),
        (b"name,dose\n", None),
    ],
)
def test_sniff(head: bytes, kind: str | None) -> None:
    assert sniff(head) == kind


def test_bundled_archive_streams() -> None:
    path = bundled_epi_path()
    assert count_items([path]) == 2357
    first = list(itertools.islice(iter_records([path]), 30))
    assert all(isinstance(r, ParsedDocument) for r in first), first
    keys = {r.doc_id: r.monograph.key for r in first if isinstance(r, ParsedDocument)}
    # English first, then the other languages of the same product with the same key.
    assert keys["ema-epi:abasaglar.en"] == keys["ema-epi:abasaglar.da"] == "insulin glargine"
    assert all("!" in r.origin for r in first)


def test_tar_member_read_in_stream(tmp_path: Path, data_dir: Path) -> None:
    # A .tar.gz made in memory with a Danish leaflet only: no English sibling, own words.
    data = (data_dir / "ema-epi" / "benepali.da.json").read_bytes()
    path = tmp_path / "one.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        info = tarfile.TarInfo("benepali.da.json")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    (rec,) = iter_records([path])
    assert isinstance(rec, ParsedDocument) and rec.monograph.key == "etanercept"
