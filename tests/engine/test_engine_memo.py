"""What the check remembers between people must never change an answer.

`druginfo.engine.memo` remembers work derived from a document, a fact list or the vocabulary
by the identity of those objects. These tests check the mechanism itself (identity, not
equality; the objects are held, so an id cannot be reused while remembered) and the property
that matters: a check answered with everything remembered from other people's checks equals
the same check answered from nothing (new document objects, memos cleared), for profiles
drawn at random.
"""

from __future__ import annotations

import gc
import random
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from druginfo.engine import check, memo, parse_profile
from druginfo.model import Claim, Identity, Monograph, Source, SourceKind, Topic
from druginfo.model.facts import Fact, FactDocument, FactSet
from druginfo.sources.curated import load_curated
from druginfo.vocab import Vocab


class Box:
    """A made-up document: equal boxes are different objects."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Box) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)


calls: list[tuple[int, int]] = []


@memo.by_identity()
def _scaled(box: Box, factor: int) -> int:
    calls.append((box.value, factor))
    return box.value * factor


def test_remembered_by_the_object_and_the_other_arguments() -> None:
    memo.clear()
    calls.clear()
    box = Box(3)
    assert _scaled(box, 2) == 6
    assert _scaled(box, 2) == 6
    assert _scaled(box, 5) == 15
    assert calls == [(3, 2), (3, 5)]


def test_an_equal_but_different_object_is_worked_out_anew() -> None:
    memo.clear()
    calls.clear()
    first, second = Box(4), Box(4)
    _scaled(first, 1)
    _scaled(second, 1)
    assert len(calls) == 2


def test_a_remembered_object_is_held_so_its_id_cannot_be_reused() -> None:
    memo.clear()
    box = Box(7)
    ref = weakref.ref(box)
    _scaled(box, 1)
    del box
    gc.collect()
    assert ref() is not None
    memo.clear()
    gc.collect()
    assert ref() is None


def test_clear_forgets() -> None:
    memo.clear()
    calls.clear()
    box = Box(2)
    _scaled(box, 3)
    memo.clear()
    _scaled(box, 3)
    assert len(calls) == 2


@memo.by_identity(objects=2)
def _pair(first: Box, second: Box, extra: str) -> str:
    calls.append((first.value, second.value))
    return f"{first.value}-{second.value}-{extra}"


@memo.by_identity(objects=3)
def _triple(first: Box, second: Box, third: Box) -> int:
    calls.append((first.value, third.value))
    return first.value + second.value + third.value


def test_several_objects_are_each_told_apart_by_identity() -> None:
    memo.clear()
    calls.clear()
    a, b, b_twin = Box(1), Box(2), Box(2)
    assert _pair(a, b, "x") == _pair(a, b, "x") == "1-2-x"
    assert len(calls) == 1
    assert _pair(a, b_twin, "x") == "1-2-x"  # equal, not the same: worked out anew
    assert _pair(b, a, "x") == "2-1-x"
    assert _pair(a, b, "y") == "1-2-y"
    assert len(calls) == 4
    assert _triple(a, b, a) == _triple(a, b, a) == 4
    assert _triple(a, b_twin, a) == 4
    assert len(calls) == 6
    memo.clear()
    _triple(a, b, a)
    assert len(calls) == 7


def test_keyword_arguments_are_refused() -> None:
    with pytest.raises(TypeError):
        _scaled(Box(1), factor=2)
    with pytest.raises(TypeError):
        _pair(Box(1), Box(2), extra="x")


def test_a_full_table_starts_afresh_and_still_answers(monkeypatch: Any) -> None:
    memo.clear()
    calls.clear()
    monkeypatch.setattr(memo, "MAX_OBJECTS", 3)
    monkeypatch.setattr(memo, "MAX_VALUES", 2)
    boxes = [Box(i) for i in range(10)]
    for box in boxes:
        for factor in range(5):
            assert _scaled(box, factor) == box.value * factor
    assert all(_scaled(box, 4) == box.value * 4 for box in boxes)


def test_past_the_total_bound_everything_is_forgotten(monkeypatch: Any) -> None:
    memo.clear()
    calls.clear()
    monkeypatch.setattr(memo, "MAX_TOTAL", 10)
    box = Box(5)
    _scaled(box, 1)
    for factor in range(2, 30):  # far more than ten values: forgotten on the way
        assert _scaled(box, factor) == 5 * factor
    calls.clear()
    _scaled(box, 1)  # long forgotten: worked out again, right
    assert calls == [(5, 1)]


def test_only_an_object_remembered_by_forgets_when_it_changes() -> None:
    memo.clear()
    calls.clear()
    box = Box(6)
    _scaled(box, 2)
    built = Vocab.bundled()  # a vocabulary being built, never used by a check
    built.extend_names([("Zorblex", "warfarin")])
    memo.forget(Box(6))  # equal, but not the object remembered by
    _scaled(box, 2)
    assert calls == [(6, 2)]  # still remembered
    memo.forget(box)
    _scaled(box, 2)
    assert calls == [(6, 2), (6, 2)]


# --- warm answers equal cold ones ----------------------------------------------------------

SRC = Source(
    id="ema-epi-velmirant.en",
    publisher="European Medicines Agency",
    document="Velmirant 20 mg film-coated tablets",
    kind=SourceKind.label,
)
CLAIMS = [
    Claim(id="v1", topic=Topic.contraindication, source=SRC.id,
          quote="if you are allergic to velmirant or any of the other ingredients (section 6)."),
    Claim(id="v2", topic=Topic.contraindication, source=SRC.id,
          quote="if you have active tuberculosis (TB) or a severe infection."),
    Claim(id="v3", topic=Topic.product, source=SRC.id,
          quote="The other ingredients are lactose monohydrate, mannitol and gelatin."),
    Claim(id="v4", topic=Topic.interaction, source=SRC.id,
          quote="Tell your doctor if you take medicines to thin the blood (anticoagulants) "
                "such as warfarin."),
    Claim(id="v5", topic=Topic.vaccine, source=SRC.id,
          quote="You must not be given live vaccines while taking Velmirant."),
]  # fmt: skip
FACTS = [
    {"topic": "contraindication", "allergy": "velmirant", "quote": CLAIMS[0].quote,
     "claim": "v1", "source": SRC.id},
    {"topic": "contraindication", "condition": "tuberculosis", "quote": CLAIMS[1].quote,
     "claim": "v2", "source": SRC.id},
    {"topic": "interaction", "with": "warfarin", "class": "anticoagulant", "strength": "caution",
     "quote": CLAIMS[3].quote, "claim": "v4", "source": SRC.id},
    {"topic": "pregnancy", "stance": "must-not",
     "quote": "Do not take Velmirant if you are pregnant.", "source": SRC.id},
    {"topic": "dose", "dose_mg": 20, "every_hours": 24, "route": "oral",
     "quote": "The recommended dose is 20 mg once a day.", "source": SRC.id},
]  # fmt: skip


def leaflet() -> tuple[Monograph, list[FactSet]]:
    """A new document object and new fact objects each time (nothing remembered of them)."""
    mono = Monograph(
        key="velmirant",
        identity=Identity(generic="velmirant", brands=["Velmirant"], substances=["velmirant"]),
        sources=[SRC],
        claims=CLAIMS,
    )
    doc = FactDocument(
        id=SRC.id, medicine="velmirant", publisher=SRC.publisher, title=SRC.document,
        kind="leaflet",
    )  # fmt: skip
    return mono, [FactSet(document=doc, facts=[Fact.model_validate(f) for f in FACTS])]


CONDITIONS = [
    "active tuberculosis", "latent TB", "history of tuberculosis", "no tuberculosis",
    "pneumonia", "COVID-19 pneumonia", "neutrophils 900/µL", "ANC 0.8", "asthma", "no asthma",
    "heart failure", "severe kidney disease", "on dialysis", "lymphoma", "mother had lymphoma",
    "shingles", "fever", "possible sepsis", "hepatitis B", "rheumatoid arthritis",
]  # fmt: skip
ALLERGIES = [
    "latex", "velmirant", "Kineret", "anakinra", "kinneret", "E. coli proteins", "gelatin",
    "mannitol", "penicillin", "no known drug allergies", "polysorbate 80",
]  # fmt: skip
MEDICATIONS = [
    "Enbrel 50 mg weekly", "warfarin 5 mg", "methotrexate 15 mg weekly", "Humira",
    "canakinumab", "apixaban", "metfromin", "zzqx 10 mg", "MMR vaccine", "prednisone 5 mg",
    "phenytoin", "Xeljanz 5 mg", "insulin glargine", "tocilizumab", "abatacept",
]  # fmt: skip
VACCINES = ["MMR", "Shingrix", "yellow fever", "flu jab", "mystery vaccine X"]

profiles = st.fixed_dictionaries(
    {
        "conditions": st.lists(st.sampled_from(CONDITIONS), max_size=4, unique=True),
        "allergies": st.lists(st.sampled_from(ALLERGIES), max_size=3, unique=True),
        "medications": st.lists(st.sampled_from(MEDICATIONS), max_size=6, unique=True),
        "planned_vaccines": st.lists(st.sampled_from(VACCINES), max_size=2, unique=True),
    },
    optional={
        "age_years": st.sampled_from([0.5, 3, 9, 16, 30, 58, 70, 88]),
        "weight_kg": st.sampled_from([9, 18, 35, 62, 80, 130]),
        "sex": st.sampled_from(["female", "male"]),
        "pregnant": st.booleans(),
        "breastfeeding": st.booleans(),
        "indication": st.sampled_from(["rheumatoid arthritis", "NOMID", "COVID-19 pneumonia"]),
        "kidney": st.sampled_from(
            [
                {"crcl_ml_min": 20},
                {"crcl_ml_min": 90},
                {"egfr_ml_min_1_73m2": 25},
                {"serum_creatinine_mg_dl": 2.5},
                {"severe_kidney_disease": True},
            ]
        ),
        "start_date": st.just("2026-12-01"),
        "planned_surgery_date": st.just("2026-12-20"),
    },
)

VOCAB = Vocab.bundled()
CURATED = load_curated("anakinra")
WARM_LEAFLET = leaflet()


def _answer(mono: Monograph, facts: list[FactSet], raw: dict[str, Any]) -> str:
    return check(mono, parse_profile(raw), VOCAB, facts=facts).model_dump_json()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=profiles)
def test_a_warm_check_answers_like_a_cold_one(raw: dict[str, Any]) -> None:
    warm = [_answer(CURATED, [], raw), _answer(*WARM_LEAFLET, raw)]
    memo.clear()
    cold_curated = CURATED.model_copy(deep=True)
    cold = [_answer(cold_curated, [], raw), _answer(*leaflet(), raw)]
    assert warm == cold
    # ...and again, now that this person's work is remembered too.
    assert [_answer(CURATED, [], raw), _answer(*WARM_LEAFLET, raw)] == warm


# --- threads --------------------------------------------------------------------------------


def test_checks_in_threads_answer_like_one_thread_while_everything_is_forgotten() -> None:
    """The tables take no lock per lookup: checks running in several threads, with another
    thread forgetting everything now and then (a new store version), answer exactly as one
    thread does from nothing."""
    rng = random.Random(7)
    people: list[dict[str, Any]] = []
    for _ in range(60):
        person: dict[str, Any] = {
            "conditions": rng.sample(CONDITIONS, rng.randrange(4)),
            "allergies": rng.sample(ALLERGIES, rng.randrange(3)),
            "medications": rng.sample(MEDICATIONS, rng.randrange(6)),
            "planned_vaccines": rng.sample(VACCINES, rng.randrange(2)),
            "age_years": rng.choice([3, 30, 70]),
            "weight_kg": rng.choice([18, 70]),
        }
        people.append(person)
    memo.clear()
    expected = [[_answer(CURATED, [], p), _answer(*WARM_LEAFLET, p)] for p in people]
    stop = threading.Event()

    def forget() -> None:
        while not stop.is_set():
            memo.clear()
            stop.wait(0.002)

    forgetter = threading.Thread(target=forget)
    forgetter.start()
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            got = list(
                pool.map(lambda p: [_answer(CURATED, [], p), _answer(*WARM_LEAFLET, p)], people * 3)
            )
    finally:
        stop.set()
        forgetter.join()
    assert got == expected * 3
