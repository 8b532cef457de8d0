"""What the check works out once per document and profile line must follow the document and
the vocabulary: a changed leaflet (a new document object, as the store hands out after an
ingest) or a vocabulary that learns a name or a class changes the answer for the same words,
with everything from the earlier checks still remembered.

'Teluvane' does not exist; its leaflet is written here in the shapes real leaflets use.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from druginfo.engine import check, memo, parse_profile
from druginfo.engine.matching import Context, evaluate, rules_that_cannot_hold
from druginfo.facts import extract_facts
from druginfo.model import CheckResult, Claim, ClassEntry, Identity, Monograph, Source, SourceKind
from druginfo.model import Topic as T
from druginfo.sources.atc import ATC_SOURCE
from druginfo.sources.curated import curated_keys, load_curated
from druginfo.vocab import Vocab

VOCAB = Vocab.bundled()

SRC = Source(
    id="ema-epi-teluvane.en",
    publisher="European Medicines Agency",
    document="Teluvane 10 mg tablets",
    kind=SourceKind.label,
)
DONT = "Do not take Teluvane"
OTHER = "Other medicines and Teluvane"
ALLERGY = (T.contraindication, DONT, "if you are allergic to teluvane or any of the other "
           "ingredients.")  # fmt: skip


def teluvane(*lines: tuple[T, str, str]) -> Monograph:
    """A new document object each time, as the store hands out after an ingest."""
    return Monograph(
        key="teluvane",
        identity=Identity(generic="teluvane", brands=["Teluvane"], substances=["teluvane"]),
        sources=[SRC],
        claims=[
            Claim(id=f"t{i}", topic=topic, section=section, source=SRC.id, quote=quote)
            for i, (topic, section, quote) in enumerate([ALLERGY, *lines])
        ],
    )


def run(mono: Monograph, vocab: Vocab, **raw: Any) -> CheckResult:
    base: dict[str, Any] = {"age_years": 50, "weight_kg": 70, "sex": "male"}
    base.update(raw)
    return check(mono, parse_profile(base), vocab, facts=extract_facts(mono))


def about(result: CheckResult, matched: str) -> list[Any]:
    return [a for a in result.alerts if (a.matched or "").lower() == matched.lower()]


def test_a_changed_condition_sentence_is_seen_for_the_same_profile_line() -> None:
    vocab = Vocab.bundled()
    before = teluvane((T.contraindication, DONT, "if you have severe heart failure."))
    after = teluvane((T.contraindication, DONT, "if you have active tuberculosis (TB)."))
    for _ in range(2):  # the second round answers from what the first remembered
        assert about(
            run(before, vocab, conditions=["severe heart failure"]), "severe heart failure"
        )
        assert not about(
            run(before, vocab, conditions=["active tuberculosis"]), "active tuberculosis"
        )
        assert not about(
            run(after, vocab, conditions=["severe heart failure"]), "severe heart failure"
        )
        [tb] = about(run(after, vocab, conditions=["active tuberculosis"]), "active tuberculosis")
        assert tb.blocking and "active tuberculosis (TB)" in tb.detail


def test_a_changed_medicine_sentence_is_seen_for_the_same_medication_line() -> None:
    vocab = Vocab.bundled()
    caution = teluvane((T.interaction, OTHER, "Tell your doctor if you take digoxin."))
    forbid = teluvane((T.interaction, OTHER, "Teluvane must not be taken with digoxin."))
    for _ in range(2):
        [told] = about(run(caution, vocab, medications=["digoxin 125 micrograms"]), "digoxin")
        assert not told.blocking
        [barred] = about(run(forbid, vocab, medications=["digoxin 125 micrograms"]), "digoxin")
        assert barred.blocking and "must not be taken with digoxin" in barred.detail


CLASS_LEAFLET = (
    T.contraindication,
    DONT,
    "You must not take Teluvane if you are being treated with medicines that weaken the "
    "immune system.",
)
# A fresh install knows fingolimod by name but not its class (WHO ATC is never bundled).
ATC = [ClassEntry(system="atc", code="L04AA27", name="fingolimod", parent="L04AA")]


def test_a_new_vocabulary_that_knows_the_class_is_seen() -> None:
    mono = teluvane(CLASS_LEAFLET)
    unknown = run(mono, Vocab.bundled(), medications=["fingolimod 0.5 mg"])
    assert [a.trigger for a in unknown.alerts if a.trigger.startswith("interaction")] == [
        "interaction-unknown-class"
    ]
    learned = Vocab.bundled()  # a store version with the WHO ATC index: a new vocabulary
    learned.extend_from_atc(ATC, ATC_SOURCE)
    known = run(mono, learned, medications=["fingolimod 0.5 mg"])
    hits = [a for a in known.alerts if a.kind == "interaction"]
    assert hits and hits[0].blocking and known.decision == "do-not-use"


def test_a_vocabulary_extended_in_place_is_seen() -> None:
    """Extending a vocabulary object already used by checks drops what was remembered of it:
    the same object, the same line, a new answer."""
    mono = teluvane(CLASS_LEAFLET)
    vocab = Vocab.bundled()
    before = run(mono, vocab, medications=["fingolimod 0.5 mg"])
    assert any(a.trigger == "interaction-unknown-class" for a in before.alerts)
    vocab.extend_from_atc(ATC, ATC_SOURCE)
    after = run(mono, vocab, medications=["fingolimod 0.5 mg"])
    assert not any(a.trigger == "interaction-unknown-class" for a in after.alerts)
    assert after.decision == "do-not-use"


def test_a_name_learned_in_place_is_seen() -> None:
    mono = teluvane((T.interaction, OTHER, "Teluvane must not be taken with digoxin."))
    vocab = Vocab.bundled()
    assert not about(run(mono, vocab, medications=["Corvadix 125"]), "Corvadix 125 (digoxin)")
    vocab.extend_names([("Corvadix", "digoxin")])
    [alert] = [a for a in run(mono, vocab, medications=["Corvadix 125"]).alerts
               if a.kind == "interaction"]  # fmt: skip
    assert alert.blocking and "digoxin" in (alert.matched or "")


def test_warm_and_cold_answers_agree_line_by_line() -> None:
    mono = teluvane(
        (T.contraindication, DONT, "if you have severe heart failure."),
        (T.interaction, OTHER, "Tell your doctor if you take digoxin."),
        CLASS_LEAFLET,
    )
    vocab = Vocab.bundled()
    people = [
        {"conditions": ["heart failure", "asthma"], "medications": ["digoxin", "azathioprine"]},
        {"conditions": ["severe heart failure"], "medications": ["sirolimus", "zzqx 10 mg"]},
        {"conditions": ["history of heart failure"], "medications": ["warfarin 5 mg"]},
    ]
    warm = [run(mono, vocab, **p).model_dump_json() for p in people * 2]
    cold = []
    for p in people * 2:
        memo.clear()
        cold.append(run(mono.model_copy(deep=True), Vocab.bundled(), **p).model_dump_json())
    assert warm == cold


# --- the per-line index of a curated monograph's rules ------------------------------------

CURATED = {key: load_curated(key) for key in curated_keys()}
CONDITIONS = [
    "active tuberculosis", "latent TB", "history of tuberculosis", "no tuberculosis",
    "hepatitis B", "severe heart failure", "heart failure (NYHA III)", "lymphoma",
    "mother had lymphoma", "possible sepsis", "fever", "multiple sclerosis", "asthma",
    "rheumatoid arthritis", "COVID-19 pneumonia", "neutropenia", "shingles", "pregnancy",
]  # fmt: skip
ALLERGIES = [
    "latex", "anakinra", "Kineret", "E. coli proteins", "polysorbate 80", "penicillin",
    "no known drug allergies", "sucrose", "mannitol", "histidine", "rubber",
]  # fmt: skip

lines = st.fixed_dictionaries(
    {
        "conditions": st.lists(st.sampled_from(CONDITIONS), max_size=4, unique=True),
        "allergies": st.lists(st.sampled_from(ALLERGIES), max_size=3, unique=True),
    },
    optional={
        "indication": st.sampled_from(["rheumatoid arthritis", "NOMID", "COVID-19 pneumonia"]),
        "age_years": st.sampled_from([1, 12, 40, 80]),
    },
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=lines, key=st.sampled_from(sorted(CURATED)))
def test_a_rule_the_line_index_skips_is_one_that_does_not_hold(
    raw: dict[str, Any], key: str
) -> None:
    mono = CURATED[key]
    profile = parse_profile(raw)
    vocab = VOCAB
    skipped = rules_that_cannot_hold(Context(mono, profile, vocab))
    for i, rule in enumerate(mono.screening):
        asked = evaluate(rule.match, Context(mono, profile, vocab))  # every step, no index
        if i in skipped:
            assert asked.state == "no", (rule.trigger, raw)
    assert skipped == rules_that_cannot_hold(Context(mono, profile, vocab))  # remembered


def test_the_line_index_skips_rules_and_keeps_those_a_line_meets() -> None:
    mono = CURATED["anakinra"]
    gated = {i for i, r in enumerate(mono.screening) if r.match.conditions_any}
    plain = parse_profile({"conditions": ["hypertension"], "allergies": ["penicillin"]})
    assert gated and gated <= rules_that_cannot_hold(Context(mono, plain, VOCAB))
    tb = parse_profile({"conditions": ["lymphoma"]})
    kept = gated - rules_that_cannot_hold(Context(mono, tb, VOCAB))
    states = {evaluate(mono.screening[i].match, Context(mono, tb, VOCAB)).state for i in kept}
    assert "fired" in states


# --- duplication and pregnancy, per line and per document ---------------------------------

SAME_GROUP = [
    ClassEntry(system="atc", code="L04AC98", name="teluvane", parent="L04AC"),
    ClassEntry(system="atc", code="L04AC97", name="morvakinra", parent="L04AC"),
]


def duplicates(result: CheckResult) -> list[Any]:
    return [a for a in result.alerts if a.trigger == "therapeutic-duplication"]


def test_a_vocabulary_that_learns_a_shared_group_is_seen_for_the_same_line() -> None:
    mono = teluvane()
    plain = Vocab.bundled()
    plain.extend_from_atc(SAME_GROUP[1:], ATC_SOURCE)  # knows the name, not teluvane's group
    assert not duplicates(run(mono, plain, medications=["morvakinra 100 mg"]))
    both = Vocab.bundled()
    both.extend_from_atc(SAME_GROUP, ATC_SOURCE)
    [alert] = duplicates(run(mono, both, medications=["morvakinra 100 mg"]))
    assert "L04AC" in alert.detail and alert.basis == "class"
    plain.extend_from_atc(SAME_GROUP[:1], ATC_SOURCE)  # the same object learns it in place
    assert duplicates(run(mono, plain, medications=["morvakinra 100 mg"]))


def test_a_changed_pregnancy_sentence_is_seen() -> None:
    vocab = Vocab.bundled()
    forbids = teluvane((T.pregnancy, "Pregnancy", "Do not take Teluvane if you are pregnant."))
    allows = teluvane(
        (T.pregnancy, "Pregnancy", "Teluvane can be used during pregnancy."),
    )
    person = {"sex": "female", "pregnant": True}
    for _ in range(2):
        barred = [a for a in run(forbids, vocab, **person).alerts if a.trigger == "pregnancy"]
        assert barred and barred[0].blocking
        assert not [a for a in run(allows, vocab, **person).alerts if a.trigger == "pregnancy"]
