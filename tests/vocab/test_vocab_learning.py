"""Names learned from the store: fast to index, never overriding curated names."""

from __future__ import annotations

import json
import random
import string
from pathlib import Path

import pytest

from druginfo.vocab import Vocab


def _leaflet_names(data_dir: Path) -> list[tuple[str, str]]:
    """(product name, leaflet stem) for every EU leaflet, as a store might learn them."""
    pairs: list[tuple[str, str]] = []
    for path in sorted((data_dir / "ema-epi").glob("*.json")):
        bundle = json.loads(path.read_text(encoding="utf-8"))
        for entry in bundle.get("entry", []):
            res = entry.get("resource", {})
            if res.get("resourceType") == "MedicinalProductDefinition":
                for name in res.get("name", []):
                    product = name.get("productName", "")
                    first = product.split(" ")[0].strip()
                    if first:
                        pairs.append((first, path.name.split(".")[0]))
    return pairs


@pytest.fixture(scope="module")
def learned(data_dir: Path) -> Vocab:
    vocab = Vocab.bundled()
    vocab.extend_names(_leaflet_names(data_dir))
    return vocab


def test_learned_names_resolve(data_dir: Path) -> None:
    vocab = Vocab.bundled()
    assert vocab.resolve("Kinpeygo") is None
    vocab.extend_names([("Kinpeygo", "budesonide"), ("Bémfola", "follitropin alfa")])
    assert vocab.resolve("kinpeygo").key == "budesonide"  # type: ignore[union-attr]
    assert vocab.resolve("BEMFOLA").key == "follitropin alfa"  # type: ignore[union-attr]
    assert vocab.resolve_medication("Bemfola 75 IU daily").key == "follitropin alfa"  # type: ignore[union-attr]
    assert "budesonide" in vocab.known_keys()


def test_learned_names_never_override_curated_ones() -> None:
    vocab = Vocab.bundled()
    vocab.extend_names([("Humira", "humira"), ("Enbrel", "infliximab"), ("etanercept", "x")])
    assert vocab.resolve("Humira").key == "adalimumab"  # type: ignore[union-attr]
    assert vocab.resolve("Enbrel").key == "etanercept"  # type: ignore[union-attr]
    assert vocab.resolve("etanercept").key == "etanercept"  # type: ignore[union-attr]


def test_a_learned_name_claimed_by_two_substances_does_not_resolve() -> None:
    vocab = Vocab.bundled()
    vocab.extend_names([("Duomix", "drug one"), ("Duomix", "drug two")])
    assert vocab.resolve("Duomix") is None
    assert vocab.resolve("Duomyx") is None
    assert vocab.resolve("drug one").key == "drug one"  # type: ignore[union-attr]


def test_bad_pairs_are_skipped() -> None:
    vocab = Vocab.bundled()
    vocab.extend_names([("", "x"), ("  ", "y"), ("Name", ""), (None, "z"), ("Okname", "ok")])  # type: ignore[list-item]
    assert vocab.resolve("Okname").key == "ok"  # type: ignore[union-attr]
    assert vocab.resolve("Name") is None


def test_real_eu_names_keep_matching_safe(learned: Vocab) -> None:
    """With ~1,200 real EU product names learned, corrections still go to the right drug."""
    for text, key in [
        ("Benepali", "etanercept"), ("Remsima", "infliximab"), ("Zessly", "infliximab"),
        ("humria", "adalimumab"), ("Anakinara", "anakinra"), ("kinaret", "anakinra"),
        ("etanercpt", "etanercept"), ("Kineret", "anakinra"),
    ]:  # fmt: skip
        m = learned.resolve(text)
        assert m is not None and m.key == key, (text, m)
    for text in ["banana", "xyz"]:
        assert learned.resolve(text) is None, text
    # Common medicines without a leaflet are known from the open name bundle, under the
    # substance name the EU uses.
    for text, key in [("aspirin", "acetylsalicylic acid"), ("paracetamol", "paracetamol")]:
        m = learned.resolve(text)
        assert m is not None and m.key == key, (text, m)


def test_indexing_ten_thousand_names_keeps_every_name_resolvable() -> None:
    """Ten thousand learned names index and resolve (their speed is measured in bench/, not
    asserted here: shared machines make timed tests fail at random)."""
    rng = random.Random(7)
    pairs = [
        ("".join(rng.choices(string.ascii_lowercase, k=rng.randint(6, 12))).capitalize(), f"k{i}")
        for i in range(10_000)
    ]
    vocab = Vocab.bundled()
    vocab.extend_names(pairs)
    for name, key in (pairs[0], pairs[1234], pairs[-1]):
        assert vocab.resolve(name).key == key  # type: ignore[union-attr]
    assert vocab.resolve("etanersept").key == "etanercept"  # type: ignore[union-attr]
    assert "Kineret" in vocab.suggest("kinerat")


def test_no_real_substance_is_corrected_into_another(atc_rows: list[dict[str, str]]) -> None:
    """Every WHO ATC substance name resolves to itself or not at all, never to another drug."""
    from druginfo.model import ClassEntry, Source, SourceKind
    from druginfo.vocab.text import normalise

    names = sorted({r["atc_name"] for r in atc_rows if len(r["atc_code"]) == 7})
    bare = Vocab.bundled()
    taught = Vocab.bundled()
    source = Source(id="atc", publisher="WHO", document="ATC", kind=SourceKind.curated)
    taught.extend_from_atc(
        [ClassEntry(system="atc", code=r["atc_code"], name=r["atc_name"]) for r in atc_rows],
        source,
    )
    wrong = []
    for vocab in (bare, taught):
        for name in names:
            m = vocab.resolve(name)
            if m is not None and not m.exact and m.key != normalise(name):
                wrong.append((name, m.key))
    assert wrong == []
    # a real substance resolves to itself (the open name bundle knows it), never to the
    # curated dexamethasone one edit away
    assert bare.resolve("betamethasone").key == "betamethasone"  # type: ignore[union-attr]
    # once learned from the index, a substance in no class is a known name of its own
    assert taught.resolve("cetuximabb").key == "cetuximab"  # type: ignore[union-attr]
    assert taught.resolve_medication("metformin 1000 mg twice daily").key == "metformin"  # type: ignore[union-attr]
    assert taught.resolve("etanerceptt").key == "etanercept"  # type: ignore[union-attr]


def test_substance_name_resolves_to_its_own_key_not_a_combination() -> None:
    from druginfo.vocab import Vocab

    vocab = Vocab.bundled()
    vocab.extend_names(
        [
            ("niraparib", "abiraterone + niraparib"),
            ("Akeega", "abiraterone + niraparib"),
            ("niraparib", "niraparib"),
            ("Zejula", "niraparib"),
        ]
    )
    match = vocab.resolve("niraparib")
    assert match is not None and match.key == "niraparib"
    akeega = vocab.resolve("Akeega")
    assert akeega is not None and akeega.key == "abiraterone + niraparib"
