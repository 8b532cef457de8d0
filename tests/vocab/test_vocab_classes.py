"""Drug classes: biosimilars are TNF blockers, IL-1 blockers, and classes learned from ATC."""

from __future__ import annotations

import pytest

from druginfo.model import ClassEntry, Source, SourceKind
from druginfo.vocab import Vocab

TNF_BRANDS = {
    "etanercept": ["Enbrel", "Erelzi", "Eticovo", "Benepali", "Nepexto"],
    "infliximab": [
        "Remicade", "Inflectra", "Renflexis", "Avsola", "Ixifi",
        "Remsima", "Flixabi", "Zessly", "Zymfentra",
    ],
    "adalimumab": [
        "Humira", "Amjevita", "Cyltezo", "Hyrimoz", "Hadlima", "Abrilada", "Hulio", "Yusimry",
        "Idacio", "Yuflyma", "Simlandi", "Imraldi", "Amgevita", "Hefiya", "Kromeya",
        "Hukyndra", "Libmyris", "Amsparity",
    ],
    "certolizumab pegol": ["Cimzia"],
    "golimumab": ["Simponi", "Simponi Aria"],
}  # fmt: skip

ATC_SOURCE = Source(
    id="who-atc-test",
    publisher="WHO Collaborating Centre for Drug Statistics Methodology",
    document="ATC index (test copy)",
    kind=SourceKind.curated,
)


def _ids(vocab: Vocab, key: str) -> set[str]:
    return {cm.class_id for cm in vocab.classes_of(key)}


@pytest.mark.parametrize(
    ("key", "brand"), [(k, b) for k, brands in TNF_BRANDS.items() for b in brands]
)
def test_every_tnf_brand_resolves_and_is_a_tnf_blocker(vocab: Vocab, key: str, brand: str) -> None:
    m = vocab.resolve(brand)
    assert m is not None and m.key == key, brand
    assert {"tnf-inhibitor", "biologic-immunosuppressant", "immunosuppressant"} <= _ids(vocab, key)
    assert vocab.resolve_medication(f"{brand} 40 mg every other week").key == key  # type: ignore[union-attr]


@pytest.mark.parametrize("key", ["anakinra", "canakinumab", "rilonacept"])
def test_il1_blockers(vocab: Vocab, key: str) -> None:
    ids = _ids(vocab, key)
    assert "il1-blocker" in ids and "biologic-immunosuppressant" in ids
    assert "tnf-inhibitor" not in ids


@pytest.mark.parametrize("key", ["tocilizumab", "sarilumab", "abatacept", "secukinumab",
                                 "ustekinumab", "ixekizumab", "rituximab"])  # fmt: skip
def test_other_biologics_are_immunosuppressants_but_not_tnf_or_il1(vocab: Vocab, key: str) -> None:
    ids = _ids(vocab, key)
    assert {"biologic-immunosuppressant", "immunosuppressant"} <= ids
    assert not ids & {"tnf-inhibitor", "il1-blocker"}


@pytest.mark.parametrize("key", ["tofacitinib", "baricitinib", "upadacitinib"])
def test_jak_inhibitors_are_immunosuppressants(vocab: Vocab, key: str) -> None:
    ids = _ids(vocab, key)
    assert {"jak-inhibitor", "immunosuppressant"} <= ids
    assert "biologic-immunosuppressant" not in ids


def test_conventional_drugs_only_in_the_classes_their_sources_give(vocab: Vocab) -> None:
    assert "immunosuppressant" in _ids(vocab, "methotrexate")  # L04AX03
    assert "immunosuppressant" in _ids(vocab, "leflunomide")  # L04AK01
    assert "systemic-corticosteroid" in _ids(vocab, "prednisone")
    for key in ["hydroxychloroquine", "sulfasalazine", "warfarin", "phenytoin", "prednisone"]:
        assert "immunosuppressant" not in _ids(vocab, key), key
        assert "biologic-immunosuppressant" not in _ids(vocab, key), key


def test_membership_cites_source_and_quote(vocab: Vocab) -> None:
    by_id = {cm.class_id: cm for cm in vocab.classes_of("etanercept")}
    tnf = by_id["tnf-inhibitor"]
    assert tnf.quote == "L04AB01 etanercept"
    assert tnf.source.id == "who-atc-2026"
    assert tnf.class_name.startswith("TNF blocker")
    il1 = {cm.class_id: cm for cm in vocab.classes_of("anakinra")}["il1-blocker"]
    assert "interleukin-1" in il1.quote and il1.source.reference == "ema-epi/kineret.en.json"


def test_classes_of_accepts_a_brand_and_knows_nothing_of_strangers(vocab: Vocab) -> None:
    assert _ids(vocab, "Enbrel") == _ids(vocab, "etanercept")
    assert vocab.classes_of("banana") == []


def test_extend_from_atc_makes_an_unknown_l04ab_member_a_tnf_blocker() -> None:
    vocab = Vocab.bundled()
    assert vocab.resolve("examplimab") is None
    entries = [
        ClassEntry(
            system="atc", code="L04AB", name="Tumor necrosis factor alpha (TNF-alpha) inhibitors"
        ),
        ClassEntry(system="atc", code="L04AB99", name="examplimab", parent="L04AB"),
        ClassEntry(system="atc", code="L04AC98", name="otherkinra", parent="L04AC"),
        ClassEntry(system="atc", code="N02BA01", name="acetylsalicylic acid", parent="N02BA"),
    ]
    vocab.extend_from_atc(entries, ATC_SOURCE)
    tnf = {cm.class_id: cm for cm in vocab.classes_of("examplimab")}["tnf-inhibitor"]
    assert tnf.source == ATC_SOURCE and tnf.quote == "L04AB99 examplimab"
    assert "immunosuppressant" in _ids(vocab, "examplimab")
    match = vocab.resolve("Examplimab")
    assert match is not None and match.key == "examplimab"
    other = _ids(vocab, "otherkinra")
    assert "interleukin-inhibitor" in other and "il1-blocker" not in other
    # an ATC leaf outside every class's prefixes teaches no class (N02BA: analgesic use)
    assert all(cm.source != ATC_SOURCE for cm in vocab.classes_of("acetylsalicylic acid"))
    # a fresh bundled vocabulary is not affected by what another one learned
    assert Vocab.bundled().classes_of("examplimab") == []


def test_extend_from_atc_with_the_real_index_keeps_curated_quotes(
    atc_rows: list[dict[str, str]],
) -> None:
    vocab = Vocab.bundled()
    entries = [ClassEntry(system="atc", code=r["atc_code"], name=r["atc_name"]) for r in atc_rows]
    vocab.extend_from_atc(entries, ATC_SOURCE)
    # opinercept (L04AB07) is in no bundled list, yet is a TNF blocker once the index is known
    assert "tnf-inhibitor" in _ids(vocab, "opinercept")
    assert "jak-inhibitor" in _ids(vocab, "filgotinib")
    # curated citations are kept; the index only adds
    il1 = {cm.class_id: cm for cm in vocab.classes_of("anakinra")}["il1-blocker"]
    assert il1.source.id == "ema-epi-kineret-en"
    assert "tnf-inhibitor" not in _ids(vocab, "anakinra")
    assert vocab.resolve("Kineret").key == "anakinra"  # type: ignore[union-attr]
