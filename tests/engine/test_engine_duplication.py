"""Therapeutic duplication: two medicines of one class raise a high alert that no document
needs to name, with `basis: "class"` and the class memberships cited."""

from __future__ import annotations

from pathlib import Path

import pytest

from druginfo.engine import check, parse_profile
from druginfo.engine.duplication import DUPLICATION_TRIGGER
from druginfo.model import CheckResult, Identity, Monograph, Source, SourceKind
from druginfo.sources.base import ParsedDocument
from druginfo.sources.epi import parse_epi
from druginfo.vocab import Vocab


@pytest.fixture(scope="module")
def vocab() -> Vocab:
    return Vocab.bundled()


def leaflet(data_dir: Path, name: str) -> Monograph:
    path = data_dir / "ema-epi" / name
    doc = parse_epi(path.read_bytes(), str(path))
    assert isinstance(doc, ParsedDocument), doc
    return doc.monograph


def bare(key: str) -> Monograph:
    """A document that says nothing but its name: only class rules can speak."""
    src = Source(id="s", publisher="test", document=f"{key} test document", kind=SourceKind.label)
    return Monograph(key=key, identity=Identity(generic=key), sources=[src])


def run(mono: Monograph, vocab: Vocab, meds: list[str]) -> CheckResult:
    return check(mono, parse_profile({"age_years": 50, "medications": meds}), vocab)


def dups(result: CheckResult) -> list[str]:
    return [a.matched or "" for a in result.alerts if a.trigger == DUPLICATION_TRIGGER]


@pytest.mark.parametrize(
    ("doc", "med", "expected"),
    [
        ("xarelto.en.json", "Eliquis 5 mg twice daily", "apixaban"),  # two factor Xa inhibitors
        ("xarelto.en.json", "warfarin 5 mg", "warfarin"),  # anticoagulant class, across ATC groups
        ("pradaxa.en.json", "enoxaparin 40 mg", "enoxaparin"),
        ("humira.en.json", "Remicade infusion", "Remicade (infliximab)"),  # two TNF blockers
        ("olumiant.en.json", "tofacitinib 5 mg", "tofacitinib"),  # two JAK inhibitors
        ("ilaris.en.json", "Arcalyst", "Arcalyst (rilonacept)"),  # two IL-1 blockers
    ],
)
def test_two_of_one_class_is_a_high_class_alert(
    data_dir: Path, vocab: Vocab, doc: str, med: str, expected: str
) -> None:
    result = run(leaflet(data_dir, doc), vocab, [med])
    (alert,) = [a for a in result.alerts if a.trigger == DUPLICATION_TRIGGER]
    assert alert.severity == "high" and alert.basis == "class"
    assert expected.lower() in (alert.matched or "").lower()
    assert alert.sources and all(result.sources[k].quote for k in alert.sources)
    assert result.decision != "ok"


def test_same_atc_group_without_a_named_class(vocab: Vocab) -> None:
    """Two ACE inhibitors (C09AA) share no vocabulary class, only their ATC group."""
    result = run(bare("lisinopril"), vocab, ["ramipril 5 mg"])
    assert dups(result) == ["ramipril"]
    (alert,) = [a for a in result.alerts if a.trigger == DUPLICATION_TRIGGER]
    assert "C09AA" in alert.detail


@pytest.mark.parametrize(
    ("key", "med"),
    [
        ("methotrexate", "azathioprine 50 mg"),  # L04AX: the index's 'other' group
        ("apixaban", "clopidogrel 75 mg"),  # antiplatelet, not an anticoagulant
        ("ibuprofen", "paracetamol 1 g"),  # different classes
        ("metformin", "Glucophage 500 mg"),  # the same substance is not two medicines
    ],
)
def test_no_duplication_across_classes_or_for_the_same_substance(
    vocab: Vocab, key: str, med: str
) -> None:
    assert dups(run(bare(key), vocab, [med])) == []


def test_two_nsaids_from_different_atc_groups(vocab: Vocab) -> None:
    found = dups(run(bare("diclofenac"), vocab, ["Nurofen 200 mg"]))
    assert [m.lower() for m in found] == ["nurofen (ibuprofen)"]


def test_curated_rule_naming_the_pair_wins(vocab: Vocab) -> None:
    """The curated anakinra monograph names IL-1 blockers itself: one alert, not two."""
    from druginfo.sources.curated import load_curated

    result = run(load_curated("anakinra"), vocab, ["canakinumab"])
    assert dups(result) == []
    assert any(a.basis == "curated" and a.matched for a in result.alerts)
