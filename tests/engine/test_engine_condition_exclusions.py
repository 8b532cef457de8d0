"""A latent or past infection is not an active one: exclusion terms keep the rule honest."""

from __future__ import annotations

import pytest

from druginfo.engine import check, parse_profile
from druginfo.sources.curated import load_curated
from druginfo.vocab import Vocab


@pytest.mark.parametrize(
    ("conditions", "fires"),
    [
        (["latent TB infection"], False),
        (["history of infections"], False),
        (["active infection"], True),
        (["pneumonia"], True),
        (["latent tuberculosis", "cellulitis"], True),
    ],
)
def test_active_infection_rule(conditions: list[str], fires: bool) -> None:
    profile = parse_profile(
        {
            "age_years": 40,
            "weight_kg": 70,
            "indication": "rheumatoid arthritis",
            "kidney": {"crcl_ml_min": 90},
            "conditions": conditions,
        }
    )
    result = check(load_curated("anakinra"), profile, Vocab.bundled())
    triggers = {a.trigger for a in result.alerts}
    assert ("active-infection" in triggers) is fires
    assert (result.decision == "do-not-use") is fires


@pytest.mark.parametrize(
    ("indication", "conditions", "matched"),
    [
        ("COVID-19", ["COVID-19 pneumonia"], None),  # the disease treated is not against it
        ("COVID-19", ["COVID-19 pneumonia", "cellulitis"], "cellulitis"),
        ("rheumatoid arthritis", ["COVID-19 pneumonia"], "COVID-19 pneumonia"),
    ],
)
def test_the_disease_being_treated_is_not_a_contraindication(
    indication: str, conditions: list[str], matched: str | None
) -> None:
    profile = parse_profile(
        {
            "age_years": 40,
            "weight_kg": 70,
            "indication": indication,
            "kidney": {"crcl_ml_min": 90},
            "conditions": conditions,
        }
    )
    result = check(load_curated("anakinra"), profile, Vocab.bundled())
    fired = [a for a in result.alerts if a.trigger == "active-infection"]
    assert [a.matched for a in fired] == ([matched] if matched else [])
