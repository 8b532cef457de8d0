"""Vaccines: live ones are recognised as live, non-live ones never, ambiguous ones flagged."""

from __future__ import annotations

import pytest

from druginfo.vocab import Vocab

LIVE = [
    "MMR", "MMR vaccine", "M-M-R II", "M-M-R® II", "Priorix", "ProQuad", "MMRV",
    "measles", "mumps vaccine", "rubella", "German measles vaccine",
    "varicella", "Varivax", "Varilrix", "chickenpox vaccine", "chicken pox",
    "Zostavax", "live zoster vaccine", "zoster vaccine live",
    "FluMist", "Fluenz", "Fluenz Tetra", "LAIV", "nasal flu vaccine", "flu nasal spray",
    "influenza vaccine (nasal spray)", "live attenuated influenza vaccine",
    "yellow fever", "YF-Vax", "Stamaril",
    "oral typhoid vaccine", "Vivotif", "Ty21a", "typhoid capsules",
    "BCG", "BCG vaccine", "tuberculosis vaccine",
    "rotavirus vaccine", "Rotarix", "RotaTeq",
    "OPV", "oral polio vaccine", "polio drops",
    "Vaxchora", "live cholera vaccine",
    "MMR and flu shot",
]  # fmt: skip

NOT_LIVE = [
    "Shingrix", "recombinant zoster vaccine", "non-live zoster vaccine", "Shingrix shingles vaccine",
    "Fluzone", "flu shot", "flu jab", "influenza vaccine injection", "inactivated influenza vaccine",
    "Fluad", "Flucelvax Tetra", "high dose flu vaccine",
    "IPV", "inactivated polio vaccine", "IPOL",
    "Typhim Vi", "typhoid Vi vaccine injection",
    "Dukoral", "inactivated cholera vaccine",
    "COVID mRNA", "COVID-19 vaccine", "Comirnaty", "Spikevax", "Pfizer-BioNTech COVID-19 vaccine",
    "tetanus", "Tdap", "tetanus booster", "DTaP", "hepatitis B", "Engerix-B", "hep A vaccine",
    "pneumococcal", "Prevnar 20", "Pneumovax 23", "HPV", "Gardasil 9", "meningococcal vaccine",
    "Bexsero", "Hib", "rabies vaccine", "Ixiaro",
]  # fmt: skip

AMBIGUOUS = [
    "flu vaccine", "influenza vaccine", "flu", "shingles vaccine", "zoster vaccine",
    "herpes zoster vaccine", "typhoid vaccine", "cholera vaccine", "oral cholera vaccine",
    "polio vaccine", "Japanese encephalitis vaccine", "chikungunya vaccine",
    "travel vaccine", "some vaccine", "vaccination next month", "Shingrix and flu vaccine",
    "live and inactivated flu vaccine",
]  # fmt: skip


@pytest.mark.parametrize("text", LIVE)
def test_live_vaccines_are_live(vocab: Vocab, text: str) -> None:
    m = vocab.vaccine(text)
    assert m is not None, text
    assert m.live is True and m.ambiguous is False
    assert m.quote and m.source.id


@pytest.mark.parametrize("text", NOT_LIVE)
def test_non_live_vaccines_are_not_live(vocab: Vocab, text: str) -> None:
    m = vocab.vaccine(text)
    assert m is not None, text
    assert m.live is False and m.ambiguous is False, (text, m)


@pytest.mark.parametrize("text", AMBIGUOUS)
def test_vaccines_that_could_be_live_are_flagged(vocab: Vocab, text: str) -> None:
    m = vocab.vaccine(text)
    assert m is not None, text
    assert m.ambiguous is True and m.live is False, (text, m)


@pytest.mark.parametrize(
    "text", ["Enbrel 50 mg weekly", "methotrexate", "banana", "", "live well", "shot glass"]
)
def test_non_vaccines(vocab: Vocab, text: str) -> None:
    assert vocab.vaccine(text) is None


def test_live_match_cites_the_form(vocab: Vocab) -> None:
    m = vocab.vaccine("Zostavax")
    assert m is not None
    assert m.vaccine_id == "zoster-live"
    assert "live, attenuated" in m.quote
    assert m.source.reference == "ema-epi/zostavax.en.json"
    s = vocab.vaccine("Shingrix")
    assert s is not None and s.vaccine_id == "zoster-recombinant" and "not infectious" in s.quote


def test_ambiguous_match_names_the_family(vocab: Vocab) -> None:
    m = vocab.vaccine("shingles vaccine")
    assert m is not None and m.vaccine_id == "zoster" and m.matched == "shingles"


def test_live_vaccines_are_in_the_live_vaccine_class(vocab: Vocab) -> None:
    for text in ["MMR", "Zostavax", "Vivotif", "BCG"]:
        m = vocab.vaccine(text)
        assert m is not None
        assert "live-vaccine" in {cm.class_id for cm in vocab.classes_of(m.vaccine_id)}
    shingrix = vocab.vaccine("Shingrix")
    assert shingrix is not None and vocab.classes_of(shingrix.vaccine_id) == []


def test_vaccines_are_not_drugs(vocab: Vocab) -> None:
    assert vocab.resolve("MMR") is None
    assert vocab.resolve_medication("MMR vaccine") is None
