"""compute_regimen on a small monograph built with the model."""

from __future__ import annotations

from typing import Any

import pytest
from engine_data import make_monograph

from druginfo.engine import compute_regimen, parse_profile
from druginfo.model import Alert, DoseRule, Monograph, Regimen


def run(mono: Monograph, **raw: Any) -> tuple[Regimen | None, list[Alert]]:
    return compute_regimen(mono, parse_profile(raw))


def cannot(alerts: list[Alert]) -> list[Alert]:
    return [a for a in alerts if a.kind == "cannot-decide"]


def test_ra_adult(mono: Monograph) -> None:
    reg, alerts = run(
        mono,
        age_years=34,
        weight_kg=70,
        indication="rheumatoid arthritis",
        kidney={"crcl_ml_min": 90},
    )
    assert reg is not None and alerts == []
    assert (reg.dose_mg, reg.volume_ml, reg.every_hours) == (100, 0.67, 24)
    assert reg.route == "subcutaneous"
    assert reg.max_dose_mg_per_kg_day is None
    assert set(reg.sources) >= {"ra-dose", "strength", "kidney"}


def test_ra_by_synonym_no_weight_needed(mono: Monograph) -> None:
    reg, alerts = run(mono, age_years=50, indication="RA", kidney={"severe_kidney_disease": False})
    assert reg is not None and reg.dose_mg == 100 and reg.every_hours == 24
    assert cannot(alerts) == []


@pytest.mark.parametrize(
    "kidney",
    [{"severe_kidney_disease": False}, {"crcl_ml_min": 90}, {"egfr_ml_min_1_73m2": 75}],
)
def test_kidney_note_says_each_thing_once(mono: Monograph, kidney: dict[str, Any]) -> None:
    """The unchanged-interval note once read "(no severe kidney disease; no severe kidney
    disease)": what the assessment says and its note are each given once."""
    reg, _ = run(mono, age_years=50, indication="RA", kidney=kidney)
    assert reg is not None
    (note,) = [n for n in reg.notes if n.startswith("Kidney function (")]
    said = note[len("Kidney function (") : note.index("):")].split("; ")
    assert len(said) == len(set(said)), note


def test_crcl_25_every_48_hours(mono: Monograph) -> None:
    reg, alerts = run(
        mono, age_years=70, indication="rheumatoid arthritis", kidney={"crcl_ml_min": 25}
    )
    assert reg is not None and reg.dose_mg == 100 and reg.every_hours == 48
    adj = [a for a in alerts if a.kind == "dose-adjustment"]
    assert len(adj) == 1 and adj[0].sources == ["kidney"]
    assert "25" in (adj[0].matched or "")
    assert "kidney" in reg.sources
    assert any("48 hours" in n for n in reg.notes)


def test_crcl_at_threshold_is_not_below(mono: Monograph) -> None:
    reg, alerts = run(mono, age_years=70, indication="RA", kidney={"crcl_ml_min": 30})
    assert reg is not None and reg.every_hours == 24
    assert not [a for a in alerts if a.kind == "dose-adjustment"]


def test_severe_flag_every_48_hours(mono: Monograph) -> None:
    reg, _ = run(mono, age_years=70, indication="RA", kidney={"severe_kidney_disease": True})
    assert reg is not None and reg.every_hours == 48


def test_unknown_kidney_leaves_interval_empty(mono: Monograph) -> None:
    reg, alerts = run(mono, age_years=40, indication="RA")
    assert reg is not None and reg.dose_mg == 100 and reg.every_hours is None
    (alert,) = cannot(alerts)
    assert alert.field == "kidney" and alert.sources == ["kidney"]
    assert alert.severity in ("high", "moderate")


def test_creatinine_without_sex_names_sex(mono: Monograph) -> None:
    reg, alerts = run(
        mono, age_years=40, weight_kg=70, indication="RA", kidney={"serum_creatinine_mg_dl": 1.0}
    )
    assert reg is not None and reg.every_hours is None
    assert [a.field for a in cannot(alerts)] == ["sex"]


def test_nomid_20kg_child(mono: Monograph) -> None:
    reg, alerts = run(
        mono,
        age_years=6,
        weight_kg="20 kg",
        indication="NOMID",
        kidney={"severe_kidney_disease": False},
    )
    assert reg is not None and alerts == []
    assert reg.dose_mg == 20
    assert reg.dose_range_mg == [20, 40]
    assert reg.volume_ml == 0.13
    assert reg.max_dose_mg == 160
    assert reg.max_dose_mg_per_kg_day == 8
    assert any("160 mg a day" in n for n in reg.notes)
    assert any("20–40 mg" in n for n in reg.notes)
    assert {"nomid-start", "nomid-max"} <= set(reg.sources)


def test_per_kg_without_weight_has_no_dose(mono: Monograph) -> None:
    reg, alerts = run(mono, age_years=6, indication="NOMID", kidney={"crcl_ml_min": 90})
    assert reg is None or reg.dose_mg is None
    assert reg is None or reg.volume_ml is None
    assert [a.field for a in cannot(alerts)] == ["weight_kg"]
    assert cannot(alerts)[0].sources


def test_smallest_mark_within_the_starting_range(mono: Monograph) -> None:
    reg, alerts = run(
        mono, age_years=6, weight_kg="44 lb", indication="NOMID", kidney={"crcl_ml_min": 90}
    )
    # 19.96 kg × 1–2 mg/kg = 19.95–39.91 mg: the 20 mg mark is inside the starting range.
    assert reg is not None and reg.dose_mg == 20
    assert not cannot(alerts)
    assert any("Rounded up" in n and "starting range" in n for n in reg.notes)


def test_below_measurable_is_cannot_decide(mono: Monograph) -> None:
    reg, alerts = run(
        mono, age_years=1, weight_kg=8, indication="NOMID", kidney={"crcl_ml_min": 90}
    )
    assert reg is not None and reg.dose_mg is None and reg.volume_ml is None
    (alert,) = cannot(alerts)
    assert "pharmacist" in alert.detail and "strength" in alert.sources


def test_graduation_picks_the_first_mark_in_the_starting_range(mono: Monograph) -> None:
    reg, _ = run(mono, age_years=9, weight_kg=27.5, indication="NOMID", kidney={"crcl_ml_min": 90})
    # 27.5–55 mg starting range: the 30 mg mark, not the 20 mg mark below the range.
    assert reg is not None and reg.dose_mg == 30
    assert reg.volume_ml == 0.2 and reg.delivered_dose_mg is not None
    assert reg.delivered_dose_mg <= 30 * 1.05


def test_dose_above_one_syringe_says_more_than_one_injection() -> None:
    rules = [
        DoseRule(
            id="big",
            indication="nomid",
            basis="per-kg",
            start_mg_per_kg_min=3,
            max_mg_per_kg_day=8,
            product="syringe-100",
            claims=["nomid-start"],
        )
    ]
    mono = make_monograph(dose_rules=rules, kidney_rules=[])
    reg, _ = run(mono, age_years=15, weight_kg=50, indication="NOMID")
    assert reg is not None and reg.dose_mg == 150
    assert reg.volume_ml is None
    assert any("more than one injection" in n and "2 prefilled syringes" in n for n in reg.notes)


def test_cap_by_max_dose_mg() -> None:
    rules = [
        DoseRule(
            id="capped",
            indication="nomid",
            basis="per-kg",
            start_mg_per_kg_min=2,
            max_mg_per_kg_day=8,
            max_dose_mg=100,
            product="syringe-100",
            claims=["nomid-start"],
        )
    ]
    mono = make_monograph(dose_rules=rules, kidney_rules=[])
    reg, _ = run(mono, age_years=16, weight_kg=80, indication="NOMID")
    assert reg is not None and reg.dose_mg == 100 and reg.max_dose_mg == 100
    assert reg.dose_range_mg == [100, 100]


def test_cap_is_shared_over_doses_of_a_day() -> None:
    rules = [
        DoseRule(
            id="q12",
            indication="nomid",
            basis="per-kg",
            start_mg_per_kg_min=2,
            max_mg_per_kg_day=2,
            every_hours=12,
            claims=["nomid-start"],
        )
    ]
    mono = make_monograph(dose_rules=rules, kidney_rules=[], products=[])
    reg, _ = run(mono, age_years=16, weight_kg=30, indication="NOMID")
    assert reg is not None and reg.dose_mg == 30  # 60 mg/day over two doses
    assert reg.volume_ml is None  # no product: no volume


def test_missing_indication_with_several(mono: Monograph) -> None:
    reg, alerts = run(mono, age_years=40, weight_kg=70)
    assert reg is None
    (alert,) = alerts
    assert alert.kind == "cannot-decide" and alert.field == "indication" and alert.sources


def test_single_indication_needs_none() -> None:
    mono = make_monograph(dose_rules=make_monograph().dose_rules[:1])
    reg, alerts = run(mono, age_years=40, kidney={"crcl_ml_min": 80})
    assert reg is not None and reg.dose_mg == 100 and alerts == []


def test_unknown_indication_named(mono: Monograph) -> None:
    reg, alerts = run(mono, age_years=40, indication="gout flare")
    assert reg is None
    assert alerts[0].field == "indication" and "gout flare" in alerts[0].detail


def test_age_missing_when_banded(mono: Monograph) -> None:
    reg, alerts = run(mono, indication="RA", weight_kg=70)
    assert reg is None and alerts[0].field == "age_years"


def test_child_with_ra_has_no_dose(mono: Monograph) -> None:
    reg, alerts = run(mono, age_years=10, weight_kg=30, indication="RA")
    assert reg is None and alerts[0].field == "age_years" and "18" in alerts[0].detail


def test_no_dose_rules_cannot_decide() -> None:
    mono = make_monograph(dose_rules=[], kidney_rules=[], curated=False)
    reg, alerts = run(mono, age_years=40, weight_kg=70, indication="RA")
    assert reg is None
    (alert,) = alerts
    assert alert.kind == "cannot-decide" and alert.severity == "moderate"
    assert "no curated dose rules for anakinra" in alert.detail.lower()
    # Its dosing claims, and every source those claims do not already stand for.
    assert alert.sources == ["ra-dose", "nomid-start", "nomid-max", "source:label"]


def test_no_dose_rules_and_no_claims_cites_source() -> None:
    mono = make_monograph(
        dose_rules=[],
        kidney_rules=[],
        screening=[],
        monitoring=[],
        events=[],
        products=[],
        indications=[],
        claims=[],
    )
    _, (alert,) = run(mono)
    assert alert.sources == ["source:label", "source:healthline"]


@pytest.mark.parametrize("weight", [0.3, 1, 2.5, 7.9, 10, 33.3, 120, 350])
def test_volume_never_delivers_more_than_the_maximum(mono: Monograph, weight: float) -> None:
    reg, _ = run(
        mono, age_years=10, weight_kg=weight, indication="NOMID", kidney={"crcl_ml_min": 90}
    )
    assert reg is not None
    if reg.dose_mg is not None and reg.volume_ml is not None:
        # The volume is the nearest 0.01 mL, the dose it delivers is stated, and it never
        # goes above the maximum.
        assert abs(reg.volume_ml - reg.dose_mg * 0.67 / 100) <= 0.005 + 1e-9
        assert reg.delivered_dose_mg is not None
        assert reg.delivered_dose_mg <= 8 * weight + 1e-9
        assert reg.dose_mg <= 8 * weight


def test_dose_above_one_container_rounds_an_unmeasurable_remainder_down() -> None:
    """5.25 mg from 5 mg containers marked from 1 mg: the 0.25 mg remainder cannot be drawn, so
    the dose is the whole container, said in a note, never a remainder below the marks."""
    from druginfo.engine.dosing import _whole_and_rest
    from druginfo.model import Product

    product = Product(
        id="p", name="syringe", form="prefilled syringe", strength_mg=5, volume_ml=1,
        min_measurable_mg=1, claims=["c"],
    )  # fmt: skip
    notes: list[str] = []
    assert _whole_and_rest(5.25, product, notes) == 5
    assert notes and "Rounded down from 5.25 mg to 5 mg" in notes[0]
    notes.clear()
    assert _whole_and_rest(7.5, product, notes) == 7.5 and not notes


def test_a_product_cannot_measure_more_than_it_holds() -> None:
    import pytest
    from pydantic import ValidationError

    from druginfo.model import Product

    with pytest.raises(ValidationError, match="exceeds its strength"):
        Product(
            id="p", name="syringe", form="prefilled syringe", strength_mg=5, volume_ml=1,
            min_measurable_mg=6, claims=["c"],
        )  # fmt: skip
