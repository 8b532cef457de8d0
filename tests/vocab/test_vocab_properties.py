"""Properties over arbitrary text: lookups never raise and never invent a drug."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from druginfo.vocab import Vocab
from druginfo.vocab.data import bundled_data

VOCAB = Vocab.bundled()
KEYS = VOCAB.known_keys()
NAMES = sorted(
    {n.name for d in bundled_data().drugs for n in [*d.brands, *d.synonyms]}
    | {d.key for d in bundled_data().drugs}
)

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.text(max_size=80))
def test_resolve_never_raises_and_returns_a_known_key(text: str) -> None:
    for m in (VOCAB.resolve(text), VOCAB.resolve_medication(text)):
        assert m is None or m.key in KEYS
    assert all(isinstance(s, str) for s in VOCAB.suggest(text))
    v = VOCAB.vaccine(text)
    assert v is None or isinstance(v.live, bool)


@FAST
@given(st.sampled_from(NAMES), st.sampled_from(["", " ", "  ", "®", "-"]), st.booleans())
def test_known_names_survive_case_and_decoration(name: str, deco: str, upper: bool) -> None:
    text = (name.upper() if upper else name.lower()) + deco
    m = VOCAB.resolve(text)
    assert m is not None and m.key == VOCAB.resolve(name).key  # type: ignore[union-attr]


@FAST
@given(
    st.sampled_from(NAMES),
    st.integers(min_value=1, max_value=500),
    st.sampled_from(["mg", "mg weekly", "mg every other week", "mg/mL SC daily", "mg PO BID"]),
)
def test_medication_lines_find_the_name(name: str, dose: int, rest: str) -> None:
    m = VOCAB.resolve_medication(f"{name} {dose} {rest}")
    assert m is not None and m.key == VOCAB.resolve(name).key  # type: ignore[union-attr]
