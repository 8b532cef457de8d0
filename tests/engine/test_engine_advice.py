"""advise(): the monograph's own steps, cited; profile-related alerts; nothing invented."""

from __future__ import annotations

import pytest
from engine_data import FakeVocab

from druginfo.engine import advise, parse_profile
from druginfo.errors import UnknownEvent
from druginfo.model import EVENTS, Monograph


def test_unknown_event(mono: Monograph, vocab: FakeVocab) -> None:
    with pytest.raises(UnknownEvent) as info:
        advise(mono, "ate-too-much", None, vocab)
    assert info.value.event == "ate-too-much" and info.value.known == list(EVENTS)


def test_steps_cited(mono: Monograph, vocab: FakeVocab) -> None:
    r = advise(mono, "frozen", None, vocab)
    assert r.urgency == "self-care" and r.event == "frozen"
    (step,) = r.steps
    assert step.text == "Do not use a syringe that has been frozen."
    assert step.sources == ["S1"] and r.sources["S1"].quote == "Do not freeze."
    assert r.alerts == []


def test_no_advice_for_event_says_so(mono: Monograph, vocab: FakeVocab) -> None:
    r = advise(mono, "travel", None, vocab)
    assert r.urgency == "call-doctor"
    (step,) = r.steps
    assert "no specific advice" in step.text
    assert step.sources and r.sources[step.sources[0]].kind == "label"


def test_missed_dose_with_kidney_interval(mono: Monograph, vocab: FakeVocab) -> None:
    profile = parse_profile(
        {"age_years": 70, "indication": "RA", "kidney": {"crcl_ml_min": 20}, "sex": "male"}
    )
    r = advise(mono, "missed-dose", profile, vocab)
    texts = [s.text for s in r.steps]
    assert texts[0] == "Take it as soon as you remember."
    assert any("every other day" in t and "100 mg" in t for t in texts)
    assert [a.kind for a in r.alerts] == ["dose-adjustment"]
    assert all(s.sources for s in r.steps) and all(a.sources for a in r.alerts)


def test_vaccine_event_with_planned_live_vaccine(mono: Monograph, vocab: FakeVocab) -> None:
    profile = parse_profile(
        {"age_years": 40, "planned_vaccines": ["MMR"], "sex": "male", "medications": ["Enbrel"]}
    )
    r = advise(mono, "vaccine", profile, vocab)
    assert [a.trigger for a in r.alerts] == ["live-vaccine"]  # not the unrelated TNF alert
    assert r.urgency == "call-doctor"  # no vaccine advice in this monograph
    assert all(k in r.sources for a in r.alerts for k in a.sources)


def test_pregnancy_event_implies_pregnant(mono: Monograph, vocab: FakeVocab) -> None:
    profile = parse_profile({"age_years": 30, "sex": "female", "pregnant": False})
    r = advise(mono, "pregnancy", profile, vocab)
    assert [a.trigger for a in r.alerts] == ["pregnancy"]


def test_surgery_event(mono: Monograph, vocab: FakeVocab) -> None:
    r = advise(mono, "surgery", parse_profile({"age_years": 30, "sex": "male"}), vocab)
    assert [a.trigger for a in r.alerts] == ["surgery"]
    assert r.alerts[0].matched == "surgery planned"


def test_infection_event_means_an_infection(mono: Monograph, vocab: FakeVocab) -> None:
    from engine_data import make_monograph, rule

    from druginfo.model import Match

    extra = rule(
        "infection-now", "warning", "high", Match(conditions_any=["infection"]), "infection"
    )
    mono2 = make_monograph(screening=[*mono.screening, extra])
    r = advise(mono2, "infection", parse_profile({"age_years": 40, "sex": "male"}), vocab)
    assert [a.trigger for a in r.alerts] == ["infection-now"]
    assert r.urgency == "call-doctor"
