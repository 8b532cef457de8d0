"""Topics from heading paths and whole words, never from substrings."""

from __future__ import annotations

from druginfo.facts.topics import classify, heading_topic, path_topic
from druginfo.model import Topic


def test_history_is_not_storage() -> None:
    assert classify([], "Tell your doctor if you have a history of hepatitis B.") is not (
        Topic.storage
    )


def test_lists_inherit_their_heading() -> None:
    assert path_topic(["Side effects", "More common"]) is Topic.side_effect
    assert classify(["Side effects", "Less common"], "headache") is Topic.side_effect


def test_deepest_heading_wins() -> None:
    assert path_topic(["How to take it", "If you miss a dose"]) is Topic.missed_dose
    assert path_topic(["Warnings", "Pregnancy"]) is Topic.pregnancy


def test_missing_is_not_missed_dose() -> None:
    assert heading_topic("If the grey cap is missing") is not Topic.missed_dose
    assert classify([], "Do not use the pen if the grey cap is missing.") is not Topic.missed_dose


def test_injection_in_an_indication_is_not_self_injection() -> None:
    text = "Golimumab injection is used to treat ulcerative colitis."
    assert classify([], text) is Topic.indication


def test_numbered_leaflet_headings() -> None:
    assert heading_topic("5. How to store Simponi") is Topic.storage
    assert heading_topic("3. How to use Simponi") is Topic.dosing
    assert heading_topic("If you forget to use Simponi") is Topic.missed_dose
    assert heading_topic("Reporting of side effects") is Topic.reporting


def test_broad_heading_lets_the_sentence_decide() -> None:
    assert classify(["Warnings"], "Do not store above 25 °C.") is Topic.storage
    assert classify(["Pregnancy and breast-feeding"], "Do not breast-feed.") is (
        Topic.breastfeeding
    )


def test_structural_topic_when_no_heading_names_one() -> None:
    assert classify(["2.1 Adults"], "40 mg every other week", Topic.dosing) is Topic.dosing
