"""Names, brands, misspellings and medication-list lines resolve to the right substance."""

from __future__ import annotations

import pytest

from druginfo.vocab import Vocab
from druginfo.vocab.data import bundled_data


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("anakinra", "anakinra"),
        ("ANAKINRA", "anakinra"),
        ("  Anakinra ", "anakinra"),
        ("Kineret", "anakinra"),
        ("kineret", "anakinra"),
        ("Kineret®", "anakinra"),
        ("Anakinara", "anakinra"),
        ("kinaret", "anakinra"),
        ("Humira", "adalimumab"),
        ("humria", "adalimumab"),
        ("HUMIRA", "adalimumab"),
        ("etanercpt", "etanercept"),
        ("Enbrel", "etanercept"),
        ("enbrel", "etanercept"),
        ("Embrel", "etanercept"),
        ("Benepali", "etanercept"),
        ("Remsima", "infliximab"),
        ("Zessly", "infliximab"),
        ("Simponi Aria", "golimumab"),
        ("simponi-aria", "golimumab"),
        ("certolizumab", "certolizumab pegol"),
        ("Cimzia", "certolizumab pegol"),
        ("Ilaris", "canakinumab"),
        ("Arcalyst", "rilonacept"),
        ("RoActemra", "tocilizumab"),
        ("Roactemra", "tocilizumab"),
        ("Actemra", "tocilizumab"),
        ("MabThera", "rituximab"),
        ("Xeljanz", "tofacitinib"),
        ("Olumiant", "baricitinib"),
        ("Rinvoq", "upadacitinib"),
        ("MTX", "methotrexate"),
        ("methotrexat", "methotrexate"),
        ("Plaquenil", "hydroxychloroquine"),
        ("Coumadin", "warfarin"),
        ("Dilantin", "phenytoin"),
        ("cyclosporine", "ciclosporin"),
        ("adalimumab-atto", "adalimumab"),
        ("adalimumab-adaz", "adalimumab"),
        ("infliximab-dyyb", "infliximab"),
        # a four-letter FDA suffix we do not list still names the core substance
        ("etanercept-abcd", "etanercept"),
        # plain misspellings corrected by edit distance (not listed as misspellings)
        ("adalimumb", "adalimumab"),
        ("infliximabb", "infliximab"),
        ("tocilizumb", "tocilizumab"),
        ("Remicde", "infliximab"),
    ],
)
def test_resolve(vocab: Vocab, text: str, key: str) -> None:
    match = vocab.resolve(text)
    assert match is not None, text
    assert match.key == key


@pytest.mark.parametrize(
    "text", ["zorblexal", "banana", "xyz", "", "   ", "mg", "vaccine", "Kin", "abc-defg", "inflix"]
)
def test_unknown_words_do_not_resolve(vocab: Vocab, text: str) -> None:
    assert vocab.resolve(text) is None


def test_exact_and_fuzzy_are_told_apart(vocab: Vocab) -> None:
    exact = vocab.resolve("Kineret")
    fuzzy = vocab.resolve("humria")
    assert exact is not None and exact.exact and exact.score == 100.0
    assert exact.display == "Kineret (anakinra)" and exact.matched == "Kineret"
    assert fuzzy is not None and not fuzzy.exact and fuzzy.score < 100
    assert fuzzy.matched == "Humira"


def test_misspelling_is_reported_as_the_substance(vocab: Vocab) -> None:
    m = vocab.resolve("Anakinara")
    assert m is not None
    assert (m.key, m.matched, m.display, m.exact) == ("anakinra", "anakinra", "anakinra", False)


def test_every_bundled_name_resolves_to_its_drug(vocab: Vocab) -> None:
    for d in bundled_data().drugs:
        for n in [*d.brands, *d.synonyms, *d.misspellings]:
            m = vocab.resolve(n.name)
            assert m is not None and m.key == d.key, (n.name, d.key, m)
        assert (vocab.resolve(d.key) or pytest.fail(d.key)).key == d.key


def test_no_spelling_is_claimed_by_two_bundled_drugs() -> None:
    from druginfo.vocab.text import normalise

    owner: dict[str, str] = {}
    for d in bundled_data().drugs:
        for n in [d.key, *(x.name for x in [*d.brands, *d.synonyms, *d.misspellings])]:
            form = normalise(n)
            assert owner.setdefault(form, d.key) == d.key, (n, owner[form], d.key)


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("Enbrel 50 mg weekly", "etanercept"),
        ("Humira pen 40 mg every other week", "adalimumab"),
        ("methotrexate 15 mg weekly", "methotrexate"),
        ("Methotrexate 2.5mg tablets x6 once a week", "methotrexate"),
        ("Kineret 100mg/0.67ml SC daily", "anakinra"),
        ("Simponi Aria 2 mg/kg IV every 8 weeks", "golimumab"),
        ("adalimumab-atto 40 mg q2w", "adalimumab"),
        ("Remsima 120 mg pre-filled pen every 2 weeks", "infliximab"),
        ("prednisone 5 mg po daily", "prednisone"),
        ("humria 40mg", "adalimumab"),
        ("Enbrel SureClick 50 mg/mL", "etanercept"),
        ("warfarin", "warfarin"),
    ],
)
def test_resolve_medication(vocab: Vocab, line: str, key: str) -> None:
    m = vocab.resolve_medication(line)
    assert m is not None, line
    assert m.key == key


@pytest.mark.parametrize(
    "line", ["MMR vaccine", "vitamin D 1000 units daily", "take with food", "50 mg weekly", ""]
)
def test_resolve_medication_without_a_known_drug(vocab: Vocab, line: str) -> None:
    assert vocab.resolve_medication(line) is None


def test_resolve_medications_lists_every_substance_in_order(vocab: Vocab) -> None:
    found = vocab.resolve_medications("Enbrel 50 mg weekly plus methotrexate 15 mg")
    assert [m.key for m in found] == ["etanercept", "methotrexate"]
    assert vocab.resolve_medication("methotrexate and Enbrel").key == "methotrexate"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kinerat", "Kineret"),
        ("humiraa", "Humira"),
        ("etanersept", "etanercept"),
        ("remikade", "Remicade"),
    ],
)
def test_suggest_offers_close_names(vocab: Vocab, text: str, expected: str) -> None:
    suggestions = vocab.suggest(text)
    assert expected in suggestions
    assert len(suggestions) <= 5
    assert len(set(suggestions)) == len(suggestions)


def test_suggest_shows_names_not_misspellings(vocab: Vocab) -> None:
    suggestions = vocab.suggest("kinarett", limit=10)
    assert "Kineret" in suggestions
    assert "kinaret" not in suggestions and "kinerett" not in suggestions


def test_suggest_limits(vocab: Vocab) -> None:
    assert vocab.suggest("ada", limit=2) == vocab.suggest("ada", limit=2)[:2]
    assert vocab.suggest("anything", limit=0) == []
    assert vocab.suggest("") == []
