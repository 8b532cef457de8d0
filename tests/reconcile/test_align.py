"""Alignment keys: what counts as 'the same thing' across documents."""

from __future__ import annotations

from handmade import fact

from druginfo.reconcile.align import ConditionNames, key_of


def test_abbreviations_are_learnt_from_their_long_form() -> None:
    names = ConditionNames()
    names.learn("used to treat neonatal-onset multisystem inflammatory disease (NOMID) and RA")
    names.learn("Anakinra is used to reduce the signs of rheumatoid arthritis (RA).")
    names.learn("the Familial Mediterranean Fever (FMF)")
    assert names.norm("NOMID") == names.norm("Neonatal-Onset Multisystem Inflammatory Disease")
    assert names.norm("RA") == names.norm("rheumatoid arthritis")
    assert names.norm("FMF") == "familial mediterranean fever"
    assert names.norm("moderately to severely active rheumatoid arthritis") == names.norm("RA")


def test_brackets_that_spell_nothing_teach_nothing() -> None:
    names = ConditionNames()
    names.learn("used in adults (ADULTS ONLY) with gout (GX)")
    assert names.norm("GX") == "gx"


def test_synonyms_from_a_curated_monograph() -> None:
    names = ConditionNames({"Still's disease": ["AOSD", "adult-onset Still's disease"]})
    assert names.norm("AOSD") == names.norm("Still's disease")


def test_dose_keys_separate_bands_phases_and_bases() -> None:
    names = ConditionNames()
    adult = fact("dose", "q", dose_mg=100, population={"indication": "RA", "age_min_years": 18})
    child = fact("dose", "q", dose_mg=20, population={"indication": "RA", "age_max_years": 18})
    per_kg = fact("dose", "q", dose_mg_per_kg=2, population={"indication": "RA"})
    loading = fact("dose", "q", dose_mg=80, phase="loading", population={"indication": "RA"})
    keys = {key_of(f, names) for f in (adult, child, per_kg, loading)}
    assert len(keys) == 4
    unstated = fact("dose", "q", dose_mg=100)
    assert key_of(unstated, names).parts[0] == ""


def test_interactions_line_up_by_class_or_partner() -> None:
    names = ConditionNames()
    a = fact("interaction", "q", **{"class": "tnf-inhibitor", "with": "etanercept"})
    b = fact("interaction", "q", **{"class": "tnf-inhibitor"})
    c = fact("interaction", "q", **{"with": "Warfarin"})
    assert key_of(a, names) == key_of(b, names)
    assert key_of(c, names).parts == ("warfarin",)
