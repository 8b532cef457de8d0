"""The bundled curated anakinra monograph: loads, refuses broken data, and holds the key facts."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from druginfo.errors import UnknownDrug
from druginfo.model import EVENTS, Monograph, SourceKind
from druginfo.sources.curated import (
    CuratedDataError,
    curated_keys,
    load_curated,
    load_curated_dir,
)

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "src" / "druginfo" / "data" / "monographs"

CONTRACT_TRIGGERS = {
    "tnf-inhibitor",
    "il1-blocker",
    "live-vaccine",
    "e-coli-protein-allergy",
    "latex-allergy",
    "anakinra-allergy",
    "active-infection",
    "tuberculosis",
    "severe-kidney-disease",
    "pregnancy",
    "breastfeeding",
    "age-65-plus",
    "child-not-approved",
    "neutropenia",
    "surgery",
    "immunosuppressant",
}
# No source of ours says anything about combining anakinra with another IL-1 blocker, so the
# monograph has no such rule (other IL-1 blockers are caught by 'immunosuppressant' instead).
UNSOURCED_TRIGGERS = {"il1-blocker"}


@pytest.fixture(scope="module")
def mono() -> Monograph:
    return load_curated("anakinra")


@pytest.fixture
def copy_dir(tmp_path: Path) -> Path:
    target = tmp_path / "anakinra"
    shutil.copytree(PACKAGE_DIR / "anakinra", target)
    return target


def edit_yaml(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


# --- loading ----------------------------------------------------------------------------------


def test_monograph_loads_from_package_data(mono: Monograph) -> None:
    assert "anakinra" in curated_keys()
    assert mono.key == "anakinra" and mono.curated
    assert mono.identity.generic == "anakinra" and mono.identity.brands == ["Kineret"]
    assert {"il1-blocker", "biologic-immunosuppressant"} <= set(mono.identity.classes)
    assert mono.identity.atc == ["L04AC03"]
    assert mono.identity.identifiers == {"DIN": "02245913", "EU": "EU/1/02/203"}
    assert mono.sections == []


def test_lookup_is_case_insensitive_and_unknown_keys_suggest(mono: Monograph) -> None:
    assert load_curated(" Anakinra ") == mono
    with pytest.raises(UnknownDrug) as err:
        load_curated("nosuchdrug")
    assert "anakinra" in err.value.suggestions


def test_directory_loader_reads_a_plain_folder(copy_dir: Path, mono: Monograph) -> None:
    assert load_curated_dir(copy_dir) == mono
    assert load_curated_dir(str(copy_dir)) == mono


def test_sources_are_dated_and_acknowledged(mono: Monograph) -> None:
    by_id = {s.id: s for s in mono.sources}
    assert set(by_id) == {
        "medicinenet",
        "healthline",
        "rheuminfo",
        "ema-epi-kineret-en",
        "us-pi-kineret",
    }
    assert str(by_id["medicinenet"].reviewed) == "2014-12-15"
    assert str(by_id["healthline"].reviewed) == "2015-05-26"
    assert by_id["rheuminfo"].reviewed is None  # the page shows no date: none is invented
    eu = by_id["ema-epi-kineret-en"]
    assert eu.kind == SourceKind.label and str(eu.reviewed) == "2022-02-16"
    assert eu.acknowledgement == "Source: European Medicines Agency"
    us = by_id["us-pi-kineret"]
    assert us.kind == SourceKind.label and us.reference and "12/2020" in us.reference
    for sid in ("medicinenet", "healthline", "rheuminfo"):
        assert by_id[sid].kind == SourceKind.publisher


def test_every_source_is_quoted(mono: Monograph) -> None:
    counts = {s.id: sum(c.source == s.id for c in mono.claims) for s in mono.sources}
    print("\nclaims per source:", counts)
    assert all(n > 0 for n in counts.values()), counts


# --- refusing broken data ---------------------------------------------------------------------


def test_model_refuses_claim_with_unknown_source(mono: Monograph) -> None:
    data = mono.model_dump()
    data["claims"][0]["source"] = "no-such-source"
    with pytest.raises(ValidationError, match="unknown source 'no-such-source'"):
        Monograph.model_validate(data)


def test_model_refuses_rule_citing_unknown_claim(mono: Monograph) -> None:
    data = mono.model_dump()
    data["dose_rules"][0]["claims"] = ["no-such-claim"]
    with pytest.raises(ValidationError, match="no-such-claim"):
        Monograph.model_validate(data)


def test_loader_names_the_file_of_a_claim_with_unknown_source(copy_dir: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["claims"][0]["source"] = "no-such-source"

    edit_yaml(copy_dir / "claims-rheuminfo.yaml", change)
    with pytest.raises(CuratedDataError) as err:
        load_curated_dir(copy_dir)
    assert err.value.file == "anakinra/claims-rheuminfo.yaml"
    assert "no-such-source" in str(err.value)


def test_loader_names_the_file_of_a_rule_with_unknown_claim(copy_dir: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["screening"][0]["claims"].append("no-such-claim")

    edit_yaml(copy_dir / "monograph.yaml", change)
    with pytest.raises(CuratedDataError) as err:
        load_curated_dir(copy_dir)
    assert err.value.file == "anakinra/monograph.yaml"
    assert "no-such-claim" in str(err.value)


def test_loader_refuses_duplicate_claim_ids_across_files(copy_dir: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["claims"].append({"id": "hl-missed-dose", "topic": "other", "quote": "Pregnancy"})

    edit_yaml(copy_dir / "claims-rheuminfo.yaml", change)
    with pytest.raises(CuratedDataError, match="duplicate claim id 'hl-missed-dose'"):
        load_curated_dir(copy_dir)


def test_loader_reports_bad_yaml_and_bad_fields_with_file_name(copy_dir: Path) -> None:
    (copy_dir / "claims-medicinenet.yaml").write_text("claims: [unclosed", encoding="utf-8")
    with pytest.raises(
        CuratedDataError, match=r"anakinra/claims-medicinenet\.yaml: not valid YAML"
    ):
        load_curated_dir(copy_dir)

    (copy_dir / "claims-medicinenet.yaml").write_text(
        "source: medicinenet\nclaims:\n  - id: x\n    topic: not-a-topic\n    quote: y\n",
        encoding="utf-8",
    )
    with pytest.raises(CuratedDataError, match=r"claims-medicinenet\.yaml: claims\[0\]: topic"):
        load_curated_dir(copy_dir)


def test_loader_refuses_missing_files(copy_dir: Path, tmp_path: Path) -> None:
    (copy_dir / "sources.yaml").unlink()
    with pytest.raises(CuratedDataError, match=r"sources\.yaml: missing"):
        load_curated_dir(copy_dir)
    with pytest.raises(CuratedDataError, match="not a directory"):
        load_curated_dir(tmp_path / "nowhere")


def test_loader_refuses_a_dose_rule_that_breaks_the_model(copy_dir: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["dose_rules"][1]["max_mg_per_kg_day"] = None  # per-kg rule without its ceiling

    edit_yaml(copy_dir / "monograph.yaml", change)
    with pytest.raises(CuratedDataError, match="max_mg_per_kg_day"):
        load_curated_dir(copy_dir)


# --- key facts --------------------------------------------------------------------------------


def test_product_is_the_100mg_prefilled_syringe(mono: Monograph) -> None:
    (product,) = mono.products
    assert (product.strength_mg, product.volume_ml) == (100, 0.67)
    assert product.route == "subcutaneous" and product.single_use
    # No source states the graduation step: it stays unknown rather than guessed. The
    # leaflet's "either 20 to 90 mg or 100 mg" gives the measurable doses.
    assert product.graduation_mg is None and product.min_measurable_mg == 20
    assert product.measurable_ranges_mg == [(20, 90), (100, 100)]
    assert "eu-dose" in product.claims and "eu-excipients" in product.claims
    assert "polysorbate 80" in product.excipients


def test_rheumatoid_arthritis_adult_dose(mono: Monograph) -> None:
    (rule,) = [r for r in mono.dose_rules if r.indication == "rheumatoid-arthritis"]
    assert rule.basis == "fixed" and rule.dose_mg == 100 and rule.every_hours == 24
    assert rule.age_min_years == 18
    assert rule.product == "kineret-100mg-syringe"
    sources = {mono.claim(c).source for c in rule.claims}
    assert {"healthline", "us-pi-kineret"} <= sources


def test_nomid_and_dira_are_weight_based_with_8_mg_per_kg_ceiling(mono: Monograph) -> None:
    for indication in ("nomid", "dira"):
        (rule,) = [r for r in mono.dose_rules if r.indication == indication]
        assert rule.basis == "per-kg"
        assert (rule.start_mg_per_kg_min, rule.start_mg_per_kg_max) == (1, 2)
        assert rule.max_mg_per_kg_day == 8 and rule.every_hours == 24
    nomid = next(r for r in mono.dose_rules if r.indication == "nomid")
    quotes = " ".join(mono.claim(c).quote for c in nomid.claims)
    assert "8 mg per kg" in quotes and "1–2 mg per kilogram" in quotes


def test_every_dose_rule_points_at_known_indication_and_product(mono: Monograph) -> None:
    indications = {i.id for i in mono.indications}
    products = {p.id for p in mono.products}
    for rule in mono.dose_rules:
        assert rule.indication in indications
        assert rule.product in products


def test_kidney_rule_every_48_hours_below_30(mono: Monograph) -> None:
    (rule,) = mono.kidney_rules
    assert rule.crcl_below_ml_min == 30 and rule.every_hours == 48
    # "should consider": advice to the prescriber; the US label's indications only (not the
    # EU COVID-19 course).
    assert rule.advisory and "covid-19-adult" not in rule.applies_to
    assert set(rule.applies_to) == {"ra-adult", "nomid-per-kg", "dira-per-kg"}
    assert {mono.claim(c).source for c in rule.claims} >= {"healthline", "us-pi-kineret"}


def test_neutrophil_monitoring_schedule(mono: Monograph) -> None:
    rule = next(m for m in mono.monitoring if "neutrophil" in m.test)
    assert rule.before_start
    assert [(p.every_months, p.until_month) for p in rule.phases] == [(1, 3), (3, 12)]
    before_start = {m.test for m in mono.monitoring if m.before_start and not m.phases}
    assert any("tuberculosis" in t for t in before_start)
    assert any("kidney" in t for t in before_start)


def test_storage(mono: Monograph) -> None:
    s = mono.storage
    assert s is not None
    assert (s.temp_min_c, s.temp_max_c) == (2, 8)
    assert s.freeze_ok is False and s.shake_ok is False and s.protect_from_light is True
    assert (s.room_temp_max_c, s.room_temp_max_hours) == (25, 72)


def test_indications_and_lookup(mono: Monograph) -> None:
    ids = {i.id for i in mono.indications}
    assert ids == {
        "rheumatoid-arthritis",
        "nomid",
        "caps",
        "dira",
        "fmf",
        "stills-disease",
        "covid-19",
    }
    for text, expected in [
        ("RA", "rheumatoid-arthritis"),
        ("Rheumatoid Arthritis", "rheumatoid-arthritis"),
        ("CINCA", "nomid"),
        ("neonatal-onset multisystem inflammatory disease", "nomid"),
        ("CAPS", "caps"),
        ("Muckle-Wells syndrome", "caps"),
        ("Still's disease", "stills-disease"),
        ("familial mediterranean fever", "fmf"),
        ("covid-19", "covid-19"),
    ]:
        found = mono.indication(text)
        assert found is not None and found.id == expected, text
    ra = mono.indication("RA")
    assert ra is not None and ra.age_min_years == 18
    covid = mono.indication("covid-19")
    assert covid is not None and covid.approved_in == ["EU"]


def test_no_synonym_names_two_indications(mono: Monograph) -> None:
    seen: dict[str, str] = {}
    for ind in mono.indications:
        for name in {ind.id.replace("-", " "), ind.name, *ind.synonyms}:
            key = " ".join(name.lower().replace("-", " ").split())
            assert seen.setdefault(key, ind.id) == ind.id, f"{name!r} in {ind.id} and {seen[key]}"


def test_every_contract_event_has_cited_advice(mono: Monograph) -> None:
    assert {e.event for e in mono.events} == set(EVENTS)
    for event in mono.events:
        assert event.steps and all(step.claims for step in event.steps)
    missed = mono.event("missed-dose")
    assert missed is not None
    cited = {c for step in missed.steps for c in step.claims}
    # The two sources disagree; both are shown.
    assert {"eu-missed-dose", "hl-missed-dose"} <= cited
    side = mono.event("side-effect")
    assert side is not None
    assert any("1-800-FDA-1088" in s.text for s in side.steps)
    assert any("national reporting system" in s.text for s in side.steps)


def test_every_sourced_contract_trigger_exists(mono: Monograph) -> None:
    triggers = {r.trigger for r in mono.screening}
    assert triggers >= CONTRACT_TRIGGERS - UNSOURCED_TRIGGERS
    assert not triggers & UNSOURCED_TRIGGERS
    assert len(triggers) == len(mono.screening), "one rule per trigger"


@pytest.mark.parametrize(
    ("trigger", "kind", "severity", "blocking"),
    [
        ("tnf-inhibitor", "interaction", "high", True),
        ("live-vaccine", "interaction", "high", True),
        ("e-coli-protein-allergy", "contraindication", "high", True),
        ("anakinra-allergy", "contraindication", "high", True),
        ("active-infection", "contraindication", "high", True),
        ("neutropenia", "contraindication", "high", True),
        ("latex-allergy", "warning", "moderate", False),
        ("pregnancy", "warning", "high", False),
        ("breastfeeding", "warning", "high", False),
        ("severe-kidney-disease", "dose-adjustment", "moderate", False),
        ("age-65-plus", "warning", "moderate", False),
        ("surgery", "warning", "moderate", False),
    ],
)
def test_screening_rule_strength(
    mono: Monograph, trigger: str, kind: str, severity: str, blocking: bool
) -> None:
    rule = next(r for r in mono.screening if r.trigger == trigger)
    assert (rule.kind, rule.severity, rule.blocking) == (kind, severity, blocking)


def test_blocking_rules_rest_on_an_official_label(mono: Monograph) -> None:
    labels = {s.id for s in mono.sources if s.kind == SourceKind.label}
    for rule in mono.screening:
        if rule.blocking:
            assert {mono.claim(c).source for c in rule.claims} & labels, rule.trigger


def test_rule_matches_use_vocabulary_and_profile_fields(mono: Monograph) -> None:
    rules = {r.trigger: r for r in mono.screening}
    assert rules["tnf-inhibitor"].match.medication_classes_any == ["tnf-inhibitor"]
    assert rules["live-vaccine"].match.vaccine_classes_any == ["live-vaccine"]
    assert rules["severe-kidney-disease"].match.crcl_below_ml_min == 30
    assert "kidney" in rules["severe-kidney-disease"].match.needs
    assert rules["age-65-plus"].match.age_at_least_years == 65
    assert "age_years" in rules["age-65-plus"].match.needs
    child = rules["child-not-approved"].match
    assert child.age_below_years == 18
    assert set(child.indication_not_in) == {"nomid", "caps", "dira", "fmf", "stills-disease"}
    assert rules["warfarin-phenytoin"].match.medication_names_any == ["warfarin", "phenytoin"]
    assert rules["pregnancy"].match.pregnant is True
    assert rules["surgery"].match.surgery_planned is True


def _whole_word(text: str, term: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(term.lower())}(?:s|es)?(?!\w)", text.lower()) is not None


def test_active_infection_does_not_fire_on_latent_tuberculosis(mono: Monograph) -> None:
    from druginfo.engine.conditions import reader

    rules = {r.trigger: r for r in mono.screening}
    active = rules["active-infection"].match.condition_concepts_any
    tb = rules["tuberculosis"].match.condition_concepts_any
    read = reader()

    def concept(line: str) -> str | None:
        return read.read(line)[0].concept

    assert not read.is_a(concept("latent tuberculosis"), active)
    assert read.is_a(concept("latent tuberculosis"), tb)
    assert read.is_a(concept("active tuberculosis"), active)
    assert read.is_a(concept("pneumonia"), active)


def test_allergy_terms_catch_common_spellings(mono: Monograph) -> None:
    from druginfo.engine.allergies import allergen_classes

    rules = {r.trigger: r for r in mono.screening}
    (cid,) = rules["e-coli-protein-allergy"].match.allergy_classes_any
    ecoli = allergen_classes()[cid]
    for allergy in ("E. coli-derived proteins", "escherichia coli", "E coli", "Ecoli", "E.coli"):
        assert ecoli.match(allergy) is not None, allergy
    latex = rules["latex-allergy"].match.allergies_any
    assert any(_whole_word("natural rubber latex", t) for t in latex)


def test_us_pi_claims_stay_separate_from_seed_claims(mono: Monograph) -> None:
    us = [c for c in mono.claims if c.source == "us-pi-kineret"]
    assert us and all(c.id.startswith("us-") for c in us)
    assert all(len(c.quote) <= 260 for c in us), "US PI quotes must stay short"
