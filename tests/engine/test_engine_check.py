"""check(): the whole answer — decision, ordering, citations — and decide() on its own."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from engine_data import FakeVocab

from druginfo.engine import check, decide, parse_profile
from druginfo.model import Alert, CheckResult, Monograph


def run(mono: Monograph, vocab: FakeVocab, **raw: Any) -> CheckResult:
    base: dict[str, Any] = {
        "age_years": 34,
        "weight_kg": 70,
        "sex": "female",
        "pregnant": False,
        "indication": "rheumatoid arthritis",
        "kidney": {"crcl_ml_min": 90},
        "start_date": "2026-12-01",
    }
    base.update(raw)
    return check(mono, parse_profile({k: v for k, v in base.items() if v is not None}), vocab)


def assert_fully_cited(result: CheckResult) -> None:
    cited: list[str] = []
    for alert in result.alerts:
        assert alert.sources, f"alert {alert.trigger} cites nothing"
        cited += alert.sources
    for item in result.monitoring:
        assert item.sources
        cited += item.sources
    if result.regimen is not None:
        assert result.regimen.sources
        cited += result.regimen.sources
    assert set(cited) == set(result.sources)
    # Keys are S1..Sn in order of first use.
    assert list(result.sources) == [f"S{i}" for i in range(1, len(result.sources) + 1)]
    for ref in result.sources.values():
        assert ref.quote and ref.publisher and ref.document


def test_ok_adult(mono: Monograph, vocab: FakeVocab) -> None:
    r = run(mono, vocab)
    assert r.decision == "ok" and r.alerts == []
    assert r.regimen is not None and r.regimen.dose_mg == 100 and r.regimen.volume_ml == 0.67
    assert r.regimen.sources[0] == "S1"
    assert len(r.monitoring) == 7
    assert r.drug.generic == "anakinra" and r.drug.brands == ["Kineret"]
    assert_fully_cited(r)


def test_enbrel_do_not_use(mono: Monograph, vocab: FakeVocab) -> None:
    r = run(mono, vocab, medications=["Enbrel 50 mg weekly", "methotrexate"])
    assert r.decision == "do-not-use"
    assert r.alerts[0].trigger == "tnf-inhibitor" and r.alerts[0].blocking
    assert_fully_cited(r)


def test_contract_example(mono: Monograph, vocab: FakeVocab) -> None:
    r = run(
        mono,
        vocab,
        conditions=["rheumatoid arthritis", "latent tuberculosis"],
        kidney={"crcl_ml_min": 25},
        allergies=["latex", "E. coli-derived proteins"],
        medications=["Enbrel 50 mg weekly", "methotrexate"],
        planned_vaccines=["MMR"],
    )
    assert r.decision == "do-not-use"
    trig = [a.trigger for a in r.alerts]
    assert {"tnf-inhibitor", "live-vaccine", "e-coli-protein-allergy", "latex-allergy"} <= set(trig)
    assert "kidney-dose-adjustment" in trig
    severities = [a.severity for a in r.alerts]
    assert severities == sorted(severities, key=["high", "moderate", "low"].index)
    assert r.regimen is not None and r.regimen.every_hours == 48
    assert_fully_cited(r)


def test_per_kg_without_weight_cannot_decide(mono: Monograph, vocab: FakeVocab) -> None:
    r = run(mono, vocab, age_years=6, weight_kg=None, indication="NOMID")
    assert r.decision == "cannot-decide"
    assert r.regimen is None or r.regimen.dose_mg is None
    assert any(a.field == "weight_kg" for a in r.alerts)
    assert_fully_cited(r)


def test_kidney_adjustment_is_caution(mono: Monograph, vocab: FakeVocab) -> None:
    r = run(mono, vocab, kidney={"crcl_ml_min": 25})
    assert r.decision == "caution"
    assert [a.kind for a in r.alerts] == ["dose-adjustment"]
    assert_fully_cited(r)


def test_unknown_medicine_makes_cannot_decide(mono: Monograph, vocab: FakeVocab) -> None:
    r = run(mono, vocab, medications=["zorbomab"])
    assert r.decision == "cannot-decide"
    assert_fully_cited(r)


def test_child_with_ra(mono: Monograph, vocab: FakeVocab) -> None:
    r = run(mono, vocab, age_years=10, weight_kg=30)
    assert r.regimen is None
    assert "child-not-approved" in [a.trigger for a in r.alerts]
    assert r.decision == "cannot-decide"
    assert_fully_cited(r)


def test_today_only_affects_surgery(mono: Monograph, vocab: FakeVocab) -> None:
    profile = parse_profile(
        {
            "age_years": 40,
            "sex": "male",
            "indication": "RA",
            "kidney": {"crcl_ml_min": 90},
            "planned_surgery_date": "2027-02-01",
            "start_date": "2026-12-01",
        }
    )
    assert check(mono, profile, vocab, today=dt.date(2027, 1, 1)).decision == "caution"
    # A surgery date already past is not silently dropped: the profile is asked about.
    past = check(mono, profile, vocab, today=dt.date(2027, 3, 1))
    assert past.decision == "cannot-decide"
    assert [a.field for a in past.alerts if a.kind == "cannot-decide"] == ["planned_surgery_date"]
    assert "surgery" not in [a.trigger for a in past.alerts]


def alert(kind: str, severity: str, blocking: bool = False) -> Alert:
    return Alert(
        kind=kind,
        trigger="t",
        severity=severity,
        title="t",
        detail="d",  # type: ignore[arg-type]
        blocking=blocking,
        sources=["S1"],
    )


@pytest.mark.parametrize(
    ("alerts", "decision"),
    [
        ([], "ok"),
        ([alert("cannot-decide", "low")], "ok"),
        ([alert("warning", "low")], "caution"),
        ([alert("dose-adjustment", "moderate")], "caution"),
        ([alert("interaction", "high")], "caution"),
        ([alert("contraindication", "high")], "caution"),
        ([alert("warning", "low"), alert("cannot-decide", "moderate")], "cannot-decide"),
        ([alert("cannot-decide", "high"), alert("contraindication", "high", True)], "do-not-use"),
        ([alert("contraindication", "high", True)], "do-not-use"),
        # A blocking rule that could not be decided is a question, not a verdict.
        ([alert("cannot-decide", "high", True)], "cannot-decide"),
    ],
)
def test_decide_order(alerts: list[Alert], decision: str) -> None:
    assert decide(alerts) == decision


def test_kidney_rule_and_kidney_screening_rule_are_one_alert(vocab: FakeVocab) -> None:
    from engine_data import make_monograph, rule

    from druginfo.model import Match

    base = make_monograph()
    kidney_rule = rule(
        "severe-kidney-disease",
        "dose-adjustment",
        "moderate",
        Match(crcl_below_ml_min=30, needs=["kidney"]),
        "seniors",
    )
    mono = make_monograph(screening=[*base.screening, kidney_rule])
    r = run(mono, vocab, kidney={"crcl_ml_min": 25})
    (adj,) = [a for a in r.alerts if a.kind == "dose-adjustment"]
    assert adj.trigger == "severe-kidney-disease"
    claims = {r.sources[k].claim for k in adj.sources}
    assert claims == {"seniors", "kidney"}  # both rules' citations
    assert "48 hours" in adj.detail
    r = run(mono, vocab, kidney=None)
    kidney = [a for a in r.alerts if a.field == "kidney"]
    assert len(kidney) == 1 and kidney[0].kind == "cannot-decide"
    assert r.regimen is not None and r.regimen.every_hours is None
