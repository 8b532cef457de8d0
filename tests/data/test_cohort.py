"""The curated rheumatology cohort: adalimumab, etanercept, canakinumab and tocilizumab.

Each monograph is data only (YAML quoting a bundled EU leaflet), so what can go wrong is the
data: a quote that is not in the leaflet, a rule that says something the leaflet does not, a
monograph the normal loader or the service does not pick up. Quotes are checked against the
leaflet as druginfo reads it in two ways: the plain text of the FHIR Bundle (the reading
tests/data/test_coverage.py uses for anakinra) and the sections `druginfo.sources.epi` stores.
List bullets are markup, not words: the two readings keep them differently, so they are
ignored when comparing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from test_coverage import leaflet_text

from druginfo.engine.check import check
from druginfo.engine.profile import parse_profile
from druginfo.model import EVENTS, CheckResult, Monograph
from druginfo.service import Service, build_vocab, refresh_curated
from druginfo.sources.curated import curated_keys, load_curated
from druginfo.sources.epi import parse_epi
from druginfo.sources.leaflet_text import repair_text
from druginfo.sources.pages import normalize
from druginfo.store import open_store
from druginfo.vocab.vocab import Vocab

COHORT = ("adalimumab", "etanercept", "canakinumab", "tocilizumab")
LEAFLET_REF = re.compile(r"shared/data/ema-epi/([\w.-]+\.json)")


def comparable(text: str) -> str:
    # The stored reading restores the apostrophes and degree signs the conversion lost
    # (druginfo.sources.leaflet_text); restoring them on both sides compares like with like.
    return " ".join(repair_text(normalize(text).replace("•", " "), "en").split())


def readings(path: Path) -> list[str]:
    """The leaflet's text in both of druginfo's readings, ready to search for quotes."""
    parsed = parse_epi(path.read_bytes(), path.name)
    mono = getattr(parsed, "monograph", None)
    assert mono is not None, f"{path.name} does not parse: {parsed}"
    stored = [s.title + "\n" + s.text for s in mono.sections]
    stored += [mono.sources[0].document, *mono.identity.identifiers.values()]
    return [comparable(leaflet_text(path)), comparable("\n".join(stored))]


def leaflet_file(mono: Monograph, source_id: str, data_dir: Path) -> Path:
    reference = mono.source(source_id).reference or ""
    found = LEAFLET_REF.search(reference)
    assert found, f"{mono.key}: source {source_id} names no bundled leaflet file"
    return data_dir / "ema-epi" / found.group(1)


def unquoted(mono: Monograph, data_dir: Path) -> list[str]:
    """Claims whose quote is missing from either reading of their leaflet."""
    texts = {s.id: readings(leaflet_file(mono, s.id, data_dir)) for s in mono.sources}
    return [
        f"{c.id}: {c.quote!r}"
        for c in mono.claims
        if any(comparable(c.quote) not in text for text in texts[c.source])
    ]


@pytest.fixture(scope="module")
def monos() -> dict[str, Monograph]:
    return {key: load_curated(key) for key in COHORT}


@pytest.fixture(scope="module")
def vocab() -> Vocab:
    return Vocab.bundled()


def run(mono: Monograph, vocab: Vocab, **profile: Any) -> CheckResult:
    return check(mono, parse_profile(profile), vocab)


def triggers(result: CheckResult, *, blocking: bool | None = None) -> set[str]:
    return {a.trigger for a in result.alerts if blocking is None or a.blocking == blocking}


# --- loading and sources ------------------------------------------------------------------------


@pytest.mark.parametrize("key", COHORT)
def test_monograph_loads_through_the_normal_loader(key: str, monos: dict[str, Monograph]) -> None:
    mono = monos[key]
    assert key in curated_keys()
    assert mono.key == key and mono.curated and mono.identity.generic == key
    assert mono.identity.substances == [key]
    assert mono.identity.atc and mono.identity.classes
    assert mono.screening and mono.monitoring and mono.storage and mono.events
    assert {e.event for e in mono.events} <= set(EVENTS)
    assert all(s.kind == "label" and s.reviewed == mono.document_date for s in mono.sources)


@pytest.mark.parametrize("key", COHORT)
def test_every_quote_is_verbatim_in_its_leaflet(
    key: str, monos: dict[str, Monograph], data_dir: Path
) -> None:
    mono = monos[key]
    missing = unquoted(mono, data_dir)
    print(f"\n{key}: {len(mono.claims) - len(missing)}/{len(mono.claims)} quotes found")
    assert not missing, "quotes not in the leaflet:\n" + "\n".join(missing)


def test_an_altered_quote_is_caught(monos: dict[str, Monograph], data_dir: Path) -> None:
    mono = monos["tocilizumab"]
    claim = next(c for c in mono.claims if c.id == "ra-dose-ra")
    wrong = claim.model_copy(update={"quote": claim.quote.replace("8 mg per kg", "6 mg per kg")})
    altered = mono.model_copy(update={"claims": [wrong]})
    assert unquoted(altered, data_dir) == [f"ra-dose-ra: {wrong.quote!r}"]


@pytest.mark.parametrize("key", COHORT)
def test_date_and_product_numbers_come_from_the_leaflet(
    key: str, monos: dict[str, Monograph], data_dir: Path
) -> None:
    mono = monos[key]
    numbers: set[str] = set()
    for source in mono.sources:
        bundle = json.loads(leaflet_file(mono, source.id, data_dir).read_text(encoding="utf-8"))
        for entry in bundle["entry"]:
            res = entry["resource"]
            if res["resourceType"] == "Composition":
                assert res["date"].startswith(str(source.reviewed))
                numbers.add(res["identifier"]["value"])
    assert numbers, f"{key}: no EU product number in its leaflets"
    for value in mono.identity.identifiers.values():
        assert any(n.startswith(value) for n in numbers), value


# --- the engine on profiles of our own ---------------------------------------------------------


def test_etanercept_adult_ra_dose_is_the_leaflets_weekly_50_mg(
    monos: dict[str, Monograph], vocab: Vocab
) -> None:
    result = run(
        monos["etanercept"], vocab, age_years=47, weight_kg=81, sex="male", indication="RA"
    )
    assert result.regimen is not None
    assert (result.regimen.dose_mg, result.regimen.every_hours) == (50, 168)
    assert any("25 mg twice a week" in n for n in result.regimen.notes)  # the alternative
    assert result.decision != "do-not-use"


@pytest.mark.parametrize(("weight", "dose"), [(60, 480), (72.5, 580), (110, 880)])
def test_tocilizumab_adult_ra_dose_is_8_mg_per_kg_every_4_weeks(
    monos: dict[str, Monograph], vocab: Vocab, weight: float, dose: float
) -> None:
    result = run(
        monos["tocilizumab"],
        vocab,
        age_years=58,
        weight_kg=weight,
        sex="female",
        pregnant=False,
        breastfeeding=False,
        indication="rheumatoid arthritis",
    )
    regimen = result.regimen
    assert regimen is not None
    assert (regimen.dose_mg, regimen.every_hours, regimen.route) == (dose, 672, "intravenous")
    assert regimen.volume_ml is None  # a nurse dilutes it; no syringe volume to state


@pytest.mark.parametrize(("weight", "dose"), [(60, 240), (75, 300), (95, 300), (20, 80)])
def test_canakinumab_stills_dose_is_4_mg_per_kg_capped_at_300(
    monos: dict[str, Monograph], vocab: Vocab, weight: float, dose: float
) -> None:
    age = 9 if weight < 30 else 35
    result = run(
        monos["canakinumab"], vocab, age_years=age, weight_kg=weight, sex="male", indication="AOSD"
    )
    assert result.regimen is not None
    assert (result.regimen.dose_mg, result.regimen.every_hours) == (dose, 672)


@pytest.mark.parametrize("key", ["canakinumab", "adalimumab"])
def test_no_ra_dose_where_the_bundled_leaflet_gives_none(
    key: str, monos: dict[str, Monograph], vocab: Vocab
) -> None:
    # Ilaris is not used for RA; the bundled Humira leaflet is the paediatric one.
    result = run(monos[key], vocab, age_years=52, weight_kg=70, sex="male", indication="RA")
    assert result.regimen is None or result.regimen.dose_mg is None
    assert result.decision == "cannot-decide"
    assert any(a.kind == "cannot-decide" and a.trigger == "dose" for a in result.alerts)


@pytest.mark.parametrize(
    ("key", "indication"),
    [
        ("adalimumab", "polyarticular JIA"),
        ("etanercept", "rheumatoid arthritis"),
        ("canakinumab", "Still's disease"),
        ("tocilizumab", "rheumatoid arthritis"),
    ],
)
def test_active_tuberculosis_blocks_and_latent_does_not(
    key: str, indication: str, monos: dict[str, Monograph], vocab: Vocab
) -> None:
    person = {"age_years": 30, "weight_kg": 64, "sex": "male", "indication": indication}
    active = run(monos[key], vocab, conditions=["active tuberculosis"], **person)
    assert active.decision == "do-not-use"
    assert "active-infection" in triggers(active, blocking=True)
    latent = run(monos[key], vocab, conditions=["latent tuberculosis"], **person)
    assert not triggers(latent, blocking=True)
    assert "tuberculosis" in triggers(latent)


@pytest.mark.parametrize(("key", "indication"), [("tocilizumab", "RA"), ("canakinumab", "SJIA")])
def test_weight_based_dose_without_weight_cannot_be_decided(
    key: str, indication: str, monos: dict[str, Monograph], vocab: Vocab
) -> None:
    result = run(monos[key], vocab, age_years=19, sex="male", indication=indication)
    assert result.decision == "cannot-decide"
    assert result.regimen is None or result.regimen.dose_mg is None
    assert any(a.kind == "cannot-decide" and a.field == "weight_kg" for a in result.alerts)


@pytest.mark.parametrize(
    ("key", "medication", "trigger"),
    [
        ("canakinumab", "Benepali 50 mg weekly", "tnf-inhibitor"),
        ("canakinumab", "infliximab", "tnf-inhibitor"),
        ("etanercept", "Kineret", "anakinra-abatacept"),
        ("adalimumab", "abatacept", "anakinra-abatacept"),
    ],
)
def test_combinations_the_leaflets_forbid_block(
    key: str, medication: str, trigger: str, monos: dict[str, Monograph], vocab: Vocab
) -> None:
    result = run(monos[key], vocab, age_years=40, sex="male", medications=[medication])
    assert trigger in triggers(result, blocking=True)
    assert result.decision == "do-not-use"


@pytest.mark.parametrize(
    ("key", "allergy"),
    [
        ("adalimumab", "mannitol"),
        ("etanercept", "etanercept"),
        ("canakinumab", "polysorbate 80"),
        ("tocilizumab", "Tocilizumab"),
    ],
)
def test_allergy_to_the_substance_or_a_shared_ingredient_blocks(
    key: str, allergy: str, monos: dict[str, Monograph], vocab: Vocab
) -> None:
    result = run(monos[key], vocab, age_years=40, sex="male", allergies=[allergy])
    assert f"{key}-allergy" in triggers(result, blocking=True)


def test_live_vaccine_strength_follows_each_leaflets_words(
    monos: dict[str, Monograph], vocab: Vocab
) -> None:
    person: dict[str, Any] = {"age_years": 40, "sex": "male", "planned_vaccines": ["MMR"]}
    # Benepali: "should not be given"; Humira: "should not be given".
    for key in ("etanercept", "adalimumab"):
        assert "live-vaccine" in triggers(run(monos[key], vocab, **person), blocking=True)
    # Ilaris: "You are advised to avoid": high, but not a do-not-use.
    ilaris = run(monos["canakinumab"], vocab, **person)
    assert "live-vaccine" in triggers(ilaris, blocking=False)
    assert next(a for a in ilaris.alerts if a.trigger == "live-vaccine").severity == "high"


def test_age_limits_of_the_leaflets(monos: dict[str, Monograph], vocab: Vocab) -> None:
    toddler = {"age_years": 1.5, "weight_kg": 11, "sex": "female", "indication": "sJIA"}
    assert "child-under-2" in triggers(run(monos["tocilizumab"], vocab, **toddler))
    teen = {"age_years": 14, "weight_kg": 70, "sex": "male", "indication": "psoriatic arthritis"}
    result = run(monos["etanercept"], vocab, **teen)
    assert "child-weight-limit" in triggers(result)
    assert result.regimen is None or result.regimen.dose_mg is None  # adult dose only
    child_gout = {"age_years": 12, "weight_kg": 40, "sex": "male", "indication": "gout"}
    assert "child-not-approved" in triggers(run(monos["canakinumab"], vocab, **child_gout))


def test_humira_heart_failure_blocks_only_when_moderate_or_severe(
    monos: dict[str, Monograph], vocab: Vocab
) -> None:
    mono = monos["adalimumab"]
    severe = run(mono, vocab, age_years=16, sex="male", conditions=["severe heart failure"])
    assert "heart-failure-moderate-severe" in triggers(severe, blocking=True)
    mild = run(mono, vocab, age_years=16, sex="male", conditions=["mild heart failure"])
    assert not triggers(mild, blocking=True) and "heart-failure" in triggers(mild)


# --- the service finds them --------------------------------------------------------------------


def test_service_serves_the_cohort_by_generic_and_brand(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'cohort.db'}")
    try:
        refresh_curated(store)
        service = Service(store, build_vocab(store))
        for key in COHORT:
            mono = store.get_monograph(key)
            assert mono is not None and mono.curated
        profile = {"age_years": 45, "weight_kg": 70, "sex": "male", "indication": "RA"}
        for brand, generic in [("Benepali", "etanercept"), ("RoActemra", "tocilizumab")]:
            result = service.check(brand, profile)
            assert result.drug.generic == generic
            assert result.regimen is not None and result.regimen.dose_mg is not None
        advice = service.advise("Ilaris", "missed-dose")
        assert advice.steps and all(step.sources for step in advice.steps)
    finally:
        store.close()
