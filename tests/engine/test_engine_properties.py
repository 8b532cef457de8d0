"""Property tests of the dose engine: whatever the input, never an unsafe or unexplained dose.

For any weight/age/indication/kidney combination (absurd ones included), the outcome is either
an `InputError` from parsing, or a regimen whose dose respects every cap of its rule, never a
per-kg dose without a weight, and a volume that never delivers more than the dose.
"""

from __future__ import annotations

from typing import Any

from engine_data import FakeVocab, make_monograph
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from druginfo.engine import check, compute_regimen, kidney_function, parse_profile
from druginfo.engine.dosing import choose_rule, per_dose_cap
from druginfo.errors import InputError
from druginfo.model import DoseRule, KidneyRule, Monograph, Product, Profile

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

absurd = st.one_of(
    st.floats(min_value=-50, max_value=5000, allow_nan=False),
    st.integers(min_value=-10, max_value=5000),
)
weights = st.one_of(
    st.none(),
    st.floats(0.3, 350),
    st.floats(0.3, 40),
    st.builds(lambda n: f"{n:.1f} kg", st.floats(0.3, 350)),
    st.builds(lambda n: f"{n:g} lb", st.floats(0.7, 770)),
    st.builds(
        lambda n, u: f"{n:g} {u}",
        st.floats(min_value=-10, max_value=3000, allow_nan=False),
        st.sampled_from(["kg", "lb", "g", "lbs", "stone", "", "KG", "kilos"]),
    ),
    absurd,
)
ages = st.one_of(
    st.none(),
    st.floats(0, 125),
    st.floats(0, 18),
    st.builds(lambda n: f"{n} months", st.integers(0, 300)),
    st.builds(
        lambda n, u: f"{n:g} {u}",
        st.floats(min_value=-1, max_value=2000, allow_nan=False),
        st.sampled_from(["years", "months", "weeks", "days", "decades"]),
    ),
    absurd,
)
kidneys = st.one_of(
    st.none(),
    st.fixed_dictionaries({"crcl_ml_min": st.floats(0, 250)}),
    st.fixed_dictionaries({"crcl_ml_min": absurd}),
    st.fixed_dictionaries({"egfr_ml_min_1_73m2": st.floats(0, 250)}),
    st.fixed_dictionaries({"serum_creatinine_mg_dl": st.floats(0.01, 30)}),
    st.fixed_dictionaries({"severe_kidney_disease": st.booleans()}),
)
raw_profiles = st.fixed_dictionaries(
    {
        "weight_kg": weights,
        "age_years": ages,
        "indication": st.sampled_from(
            [None, "RA", "rheumatoid arthritis", "NOMID", "caps", "gout", "COVID-19"]
        ),
        "kidney": kidneys,
        "sex": st.sampled_from([None, "female", "male"]),
    }
)


@st.composite
def dose_monographs(draw: st.DrawFn) -> Monograph:
    """One indication, one random rule and product: the arithmetic under stress."""
    strength = draw(st.floats(5, 500))
    product = Product(
        id="p",
        name="test syringe",
        form="prefilled syringe",
        strength_mg=strength,
        volume_ml=draw(st.floats(0.1, 5)),
        graduation_mg=draw(st.one_of(st.none(), st.floats(0.5, min(50, strength)))),
        min_measurable_mg=draw(st.one_of(st.none(), st.floats(1, min(60, strength)))),
        claims=["strength"],
    )
    every = draw(st.sampled_from([6, 12, 24, 48, 168]))
    if draw(st.booleans()):
        lo = draw(st.floats(0.05, 10))
        rule = DoseRule(
            id="r",
            indication="nomid",
            basis="per-kg",
            start_mg_per_kg_min=lo,
            start_mg_per_kg_max=draw(st.one_of(st.none(), st.floats(lo, 20))),
            max_mg_per_kg_day=draw(st.floats(0.05, 20)),
            max_dose_mg=draw(st.one_of(st.none(), st.floats(1, 1000))),
            every_hours=every,
            product="p",
            claims=["nomid-start"],
        )
    else:
        rule = DoseRule(
            id="r",
            indication="nomid",
            basis="fixed",
            dose_mg=draw(st.floats(0.5, 1000)),
            max_mg_per_kg_day=draw(st.one_of(st.none(), st.floats(0.05, 20))),
            max_dose_mg=draw(st.one_of(st.none(), st.floats(1, 1000))),
            every_hours=every,
            product="p",
            claims=["ra-dose"],
        )
    kidney = KidneyRule(
        id="k", crcl_below_ml_min=30, every_hours=max(every, 48), text="t", claims=["kidney"]
    )
    return make_monograph(
        products=[product],
        dose_rules=[rule],
        kidney_rules=draw(st.sampled_from([[], [kidney]])),
    )


def parsed(raw: dict[str, Any]) -> Profile | None:
    try:
        profile = parse_profile({k: v for k, v in raw.items() if v is not None})
    except InputError as exc:
        assert exc.field in raw or exc.field.startswith("kidney.")
        event("rejected by parse_profile")
        return None
    event("parsed")
    return profile


def assert_safe(mono: Monograph, profile: Profile) -> None:
    regimen, alerts = compute_regimen(mono, profile)
    for alert in alerts:
        assert alert.sources, alert
    if regimen is None:
        assert any(a.kind == "cannot-decide" for a in alerts)
        return
    rule, _ = choose_rule(mono, profile)
    assert rule is not None
    weight = profile.weight_kg
    if regimen.dose_mg is None:
        assert regimen.volume_ml is None
        assert any(a.kind == "cannot-decide" for a in alerts)
    else:
        dose = regimen.dose_mg
        assert dose > 0
        if rule.basis == "per-kg" or rule.max_mg_per_kg_day is not None:
            assert weight is not None
        if rule.max_mg_per_kg_day is not None:
            assert weight is not None and dose <= rule.max_mg_per_kg_day * weight
        if rule.max_dose_mg is not None:
            assert dose <= rule.max_dose_mg
        if rule.basis == "fixed":
            assert rule.dose_mg is not None and dose <= rule.dose_mg
        product = next((p for p in mono.products if p.id == rule.product), None)
        if product is not None:
            if product.min_measurable_mg is not None:
                assert dose >= product.min_measurable_mg
            exact = dose * product.volume_ml / product.strength_mg
            if regimen.volume_ml is None:
                assert dose > product.strength_mg
                assert any("more than one injection" in n for n in regimen.notes)
            else:
                # Within 0.01 mL, never delivering more than the per-dose maximum.
                assert abs(regimen.volume_ml - exact) < 0.01 + 1e-9
                assert regimen.volume_ml <= product.volume_ml
                delivered = regimen.delivered_dose_mg
                assert delivered is not None
                cap = per_dose_cap(rule, weight)
                if cap is not None:
                    assert delivered <= cap + 1e-9
    if mono.kidney_rules and not kidney_function(profile).known:
        assert regimen.every_hours is None
        assert any(a.field for a in alerts if a.kind == "cannot-decide")
    elif regimen.every_hours is not None:
        assert regimen.every_hours >= rule.every_hours


@SETTINGS
@given(raw=raw_profiles, mono=dose_monographs())
def test_random_rules_never_overdose(raw: dict[str, Any], mono: Monograph) -> None:
    profile = parsed(raw)
    if profile is not None:
        assert_safe(mono, profile)


@SETTINGS
@given(raw=raw_profiles)
def test_anakinra_like_monograph_never_overdoses(raw: dict[str, Any]) -> None:
    profile = parsed(raw)
    if profile is not None:
        assert_safe(MONO, profile)


MONO = make_monograph()
VOCAB = FakeVocab()


@SETTINGS
@given(
    raw=raw_profiles,
    meds=st.lists(
        st.sampled_from(["Enbrel", "xyz", "methotrexate", "Kineret", "Ilaris"]), max_size=3
    ),
    vaccines=st.lists(st.sampled_from(["MMR", "Shingrix", "flu vaccine", "rabies"]), max_size=2),
    pregnant=st.sampled_from([None, True, False]),
)
def test_check_always_cited_and_decided(
    raw: dict[str, Any], meds: list[str], vaccines: list[str], pregnant: bool | None
) -> None:
    profile = parsed(
        {**raw, "medications": meds, "planned_vaccines": vaccines, "pregnant": pregnant}
    )
    if profile is None:
        return
    result = check(MONO, profile, VOCAB)
    assert result.decision in ("ok", "caution", "do-not-use", "cannot-decide")
    for alert in result.alerts:
        assert alert.sources and all(k in result.sources for k in alert.sources)
    if any(a.blocking and a.kind != "cannot-decide" for a in result.alerts):
        assert result.decision == "do-not-use"
    if result.regimen is not None and result.regimen.dose_mg is not None:
        assert result.regimen.sources
