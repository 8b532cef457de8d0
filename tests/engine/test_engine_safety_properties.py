"""Invariants of the whole check on the real anakinra monograph, over random profiles:
never above the label maximum, never 'ok' while a fact a rule needs is missing, never a crash
(the profile reader included, on random bytes)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from druginfo.engine import check, kidney_function, parse_profile
from druginfo.engine.dosing import choose_rule, per_dose_cap
from druginfo.engine.matching import Context, evaluate
from druginfo.engine.reading import load_profile_bytes
from druginfo.errors import InputError
from druginfo.model import Profile
from druginfo.sources.curated import load_curated
from druginfo.vocab import Vocab

MONO = load_curated("anakinra")
VOCAB = Vocab.bundled()
SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])

CONDITIONS = [
    "pneumonia",
    "no active infection",
    "history of shingles",
    "fever",
    "ANC 0.9",
    "latent TB",
    "asthma",
    "CKD stage 5 on dialysis",
    "recurrent cystitis",
    "HIV",
    "mother had TB",
    "hay fever",
    "rheumatoid arthritis",
    "possible cellulitis",
]
ALLERGIES = ["latex", "E.coli", "Kinneret", "polysorbate 80", "Neulasta", "penicillin"]
MEDS = ["Enbrel", "methotrexate", "Ilaris", "warfarin", "unknownium 5 mg", "prednisone"]
VACCINES = ["MMR", "Shingrix", "yellow fever vaccine", "mystery jab"]
INDICATIONS = ["RA", "NOMID", "DIRA", "COVID-19", "CAPS", "FMF", "gout", None]

kidneys = st.one_of(
    st.none(),
    st.fixed_dictionaries({"crcl_ml_min": st.floats(0, 200)}),
    st.fixed_dictionaries({"egfr_ml_min_1_73m2": st.floats(0, 200)}),
    st.fixed_dictionaries({"serum_creatinine_mg_dl": st.floats(0.1, 15)}),
    st.fixed_dictionaries({"severe_kidney_disease": st.booleans()}),
    st.fixed_dictionaries(
        {"crcl_ml_min": st.floats(0, 200), "severe_kidney_disease": st.booleans()}
    ),
)

profiles = st.fixed_dictionaries(
    {},
    optional={
        "age_years": st.floats(0, 100),
        "weight_kg": st.floats(0.3, 350),
        "height_cm": st.floats(40, 220),
        "sex": st.sampled_from(["female", "male"]),
        "pregnant": st.booleans(),
        "breastfeeding": st.booleans(),
        "indication": st.sampled_from(INDICATIONS),
        "conditions": st.lists(st.sampled_from(CONDITIONS), max_size=3),
        "allergies": st.lists(st.sampled_from(ALLERGIES), max_size=2),
        "medications": st.lists(st.sampled_from(MEDS), max_size=2),
        "planned_vaccines": st.lists(st.sampled_from(VACCINES), max_size=2),
        "kidney": kidneys,
        "weight_confirmed": st.booleans(),
        "start_date": st.just("2027-01-04"),
    },
)


def parsed(raw: dict[str, Any]) -> Profile | None:
    try:
        return parse_profile({k: v for k, v in raw.items() if v is not None})
    except InputError:
        return None


@SETTINGS
@given(raw=profiles)
def test_never_above_the_label_maximum(raw: dict[str, Any]) -> None:
    profile = parsed(raw)
    if profile is None:
        return
    result = check(MONO, profile, VOCAB)
    reg = result.regimen
    if reg is None or reg.dose_mg is None:
        return
    rule, _ = choose_rule(MONO, profile)
    assert rule is not None
    cap = per_dose_cap(rule, profile.weight_kg)
    if rule.basis == "per-kg":
        assert profile.weight_kg is not None and cap is not None
    if cap is not None:
        assert reg.dose_mg <= cap + 1e-9
        if reg.delivered_dose_mg is not None:
            assert reg.delivered_dose_mg <= cap + 1e-9
    if rule.basis == "fixed":
        assert rule.dose_mg is not None and reg.dose_mg <= rule.dose_mg


@SETTINGS
@given(raw=profiles)
def test_never_ok_with_a_missing_fact(raw: dict[str, Any]) -> None:
    profile = parsed(raw)
    if profile is None:
        return
    result = check(MONO, profile, VOCAB)
    if result.decision != "ok":
        return
    ctx = Context(MONO, profile, VOCAB)
    for rule in MONO.screening:
        missing = [n for n in rule.match.needs if ctx.missing(n)]
        # A missing fact is allowed only where another condition of the rule rules it out
        # (e.g. the kidney warning on the COVID-19 course, which it does not cover).
        assert not missing or evaluate(rule.match, ctx).state == "no", rule.trigger
    rule, _ = choose_rule(MONO, profile)
    assert rule is not None and result.regimen is not None
    assert result.regimen.dose_mg is not None
    if rule.basis == "per-kg":
        assert profile.weight_kg is not None
    if any(not k.applies_to or rule.id in k.applies_to for k in MONO.kidney_rules):
        kidney = kidney_function(profile)
        assert kidney.known and all(
            kidney.below(k.crcl_below_ml_min) is not None for k in MONO.kidney_rules
        )
        assert result.regimen.every_hours is not None
    # Nothing that could be an active infection or a contradiction is 'ok'.
    assert not any(a.kind == "cannot-decide" and a.severity != "low" for a in result.alerts)


@SETTINGS
@given(data=st.binary(max_size=400))
def test_profile_reader_never_crashes_on_bytes(data: bytes) -> None:
    try:
        load_profile_bytes(data)
    except InputError as exc:
        assert len(exc.message) < 300


@SETTINGS
@given(text=st.text(max_size=200))
def test_profile_reader_never_crashes_on_text(text: str) -> None:
    try:
        raw = load_profile_bytes(text.encode())
        parse_profile(raw)
    except InputError as exc:
        assert len(exc.message) < 600
