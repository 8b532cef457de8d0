"""Names on a fresh install: the open name bundle, salts and esters, product titles that add
or drop a word, and short names several products share."""

from __future__ import annotations

import pytest

from druginfo.vocab import Vocab


@pytest.fixture(scope="module")
def vocab() -> Vocab:
    v = Vocab.bundled()
    v.extend_names(
        [
            ("Levemir Penfill", "insulin detemir"),
            ("NovoRapid", "insulin aspart"),
            ("Insulin aspart Sanofi", "insulin aspart"),
            ("Insulin lispro Sanofi", "insulin lispro"),
            ("Pradaxa", "dabigatran"),
            ("Cimzia", "certolizumab pegol"),
            ("Fluad Tetra", "influenza virus surface antigens"),
            ("Zolbrix", "abacavir + lamivudine"),
        ]
    )
    return v


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("metformin", "metformin"),
        ("Lisinopril", "lisinopril"),
        ("ibuprofen", "ibuprofen"),
        ("paracetamol", "paracetamol"),
        ("Tylenol", "paracetamol"),  # a US brand, keyed by the EU name
        ("acetaminophen", "paracetamol"),
        ("Zestril", "lisinopril"),
        ("metformin hydrochloride", "metformin"),  # salt
        ("dabigatran etexilate", "dabigatran"),  # ester of a leaflet's key
        ("certolizumab", "certolizumab pegol"),  # conjugate dropped
        ("Levemir", "insulin detemir"),  # leaflet title adds 'Penfill'
        ("NovoRapid Penfill", "insulin aspart"),  # a title adding a word to a known name
        ("Fluad", "influenza virus surface antigens"),  # 'Tetra'
    ],
)
def test_names_resolve(vocab: Vocab, text: str, key: str) -> None:
    match = vocab.resolve(text)
    assert match is not None, text
    assert match.key == key


def test_a_short_name_shared_by_several_products_is_not_guessed(vocab: Vocab) -> None:
    assert vocab.resolve("insulin") is None
    assert {"insulin aspart", "insulin lispro"} <= set(vocab.suggest("insulin"))


def test_a_component_does_not_name_a_combination(vocab: Vocab) -> None:
    match = vocab.resolve("abacavir")
    assert match is None or "+" not in match.key


def test_an_added_word_that_names_another_medicine_is_not_dropped(vocab: Vocab) -> None:
    assert vocab.resolve("NovoRapid metformin") is None


def test_vaccines_stay_with_the_vaccine_vocabulary(vocab: Vocab) -> None:
    assert vocab.resolve_medication("MMR vaccine") is None
    assert vocab.vaccine("MMR vaccine") is not None


def test_medication_lines_with_open_names(vocab: Vocab) -> None:
    found = vocab.resolve_medications("metformin 500 mg twice daily and Eliquis 5 mg")
    assert [m.key for m in found] == ["metformin", "apixaban"]


def test_atc_codes_and_duplication_classes(vocab: Vocab) -> None:
    assert [c for c, _, _ in vocab.atc_codes("apixaban")] == ["B01AF02"]
    assert {c.class_id for c in vocab.classes_of("warfarin")} >= {"anticoagulant"}
    cdef = vocab.class_def("anticoagulant")
    assert cdef is not None and cdef.duplication
