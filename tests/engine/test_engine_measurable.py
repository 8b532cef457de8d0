"""A dose too small to draw up is not a dose: never '0 mL', always an explicit cannot-decide."""

from __future__ import annotations

from druginfo.engine import check, parse_profile
from druginfo.sources.curated import load_curated
from druginfo.vocab import Vocab


def _nomid(weight_kg: float) -> dict[str, object]:
    return {
        "age_years": 0.5,
        "weight_kg": weight_kg,
        "indication": "NOMID",
        "kidney": {"severe_kidney_disease": False},
        "start_date": "2026-12-01",
    }


def test_a_dose_that_rounds_to_no_volume_cannot_be_decided() -> None:
    result = check(load_curated("anakinra"), parse_profile(_nomid(1)), Vocab.bundled())
    assert result.decision == "cannot-decide"
    assert result.regimen is not None
    assert result.regimen.dose_mg is None and result.regimen.volume_ml is None
    alert = next(a for a in result.alerts if a.title.startswith("Dose too small to measure"))
    assert alert.field == "weight_kg" and alert.sources


def test_a_partial_syringe_says_to_be_shown_the_mark() -> None:
    result = check(load_curated("anakinra"), parse_profile(_nomid(20)), Vocab.bundled())
    assert result.regimen is not None
    assert result.regimen.dose_mg == 20 and result.regimen.volume_ml == 0.13
    assert any("show you the mark for 0.13 mL" in n for n in result.regimen.notes)
