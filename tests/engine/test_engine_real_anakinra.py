"""The engine on the real curated anakinra monograph (bundled YAML quoting the real sources).

Run with the test vocabulary and with the bundled vocabulary (`Vocab.bundled()`), so the
screening is checked against the real class and vaccine lists too.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from engine_data import FakeVocab

from druginfo.engine import advise, check, parse_profile
from druginfo.model import EVENTS, CheckResult, InteractionPair, Monograph, Source, SourceKind
from druginfo.sources.curated import load_curated
from druginfo.vocab.base import Vocabulary

# The CONTRACT.md example profile, shared with users in examples/.
CONTRACT_PROFILE: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parents[2] / "examples" / "contract-profile.json").read_text()
)
ADULT: dict[str, Any] = {
    "age_years": 34,
    "weight_kg": 70,
    "sex": "female",
    "pregnant": False,
    "breastfeeding": False,
    "indication": "rheumatoid arthritis",
    "kidney": {"crcl_ml_min": 90},
    "start_date": "2026-12-01",
}


@pytest.fixture(scope="module")
def anakinra() -> Monograph:
    return load_curated("anakinra")


@pytest.fixture(scope="module", params=["test-vocab", "bundled-vocab"])
def any_vocab(request: pytest.FixtureRequest) -> Vocabulary:
    if request.param == "test-vocab":
        return FakeVocab()
    from druginfo.vocab import Vocab

    return Vocab.bundled()


def run(mono: Monograph, vocab: Vocabulary, **changes: Any) -> CheckResult:
    raw = {**ADULT, **changes}
    return check(mono, parse_profile({k: v for k, v in raw.items() if v is not None}), vocab)


def fully_cited(result: CheckResult) -> None:
    for alert in result.alerts:
        assert alert.sources, alert
        assert all(k in result.sources for k in alert.sources)
    for item in result.monitoring:
        assert item.sources and all(k in result.sources for k in item.sources)
    if result.regimen is not None:
        assert result.regimen.sources
    for ref in result.sources.values():
        assert ref.quote.strip() and ref.publisher


def test_ra_adult_100_mg(anakinra: Monograph, any_vocab: Vocabulary) -> None:
    r = run(anakinra, any_vocab)
    assert r.regimen is not None
    assert (r.regimen.dose_mg, r.regimen.volume_ml, r.regimen.every_hours) == (100, 0.67, 24)
    assert r.regimen.route == "subcutaneous"
    assert r.decision == "ok", [a.trigger for a in r.alerts]
    assert r.drug.generic == "anakinra" and "Kineret" in r.drug.brands
    fully_cited(r)


def test_crcl_25_every_48_hours_is_for_the_prescriber_to_consider(
    anakinra: Monograph, any_vocab: Vocabulary
) -> None:
    r = run(anakinra, any_vocab, kidney={"crcl_ml_min": 25})
    # The US label says the prescriber should *consider* every other day: no fixed interval
    # is printed, the choice is named.
    assert r.regimen is not None and r.regimen.every_hours is None and r.regimen.dose_mg == 100
    assert any("should consider" in n and "48 hours" in n for n in r.regimen.notes)
    adjustments = [a for a in r.alerts if a.kind == "dose-adjustment"]
    assert len(adjustments) == 1  # the kidney rule and the screening rule are one finding
    assert "25" in (adjustments[0].matched or "")
    topics = {r.sources[k].topic for k in adjustments[0].sources}
    assert "kidney" in topics
    assert r.decision == "caution"
    fully_cited(r)


def test_unknown_kidney_leaves_interval_open(anakinra: Monograph, any_vocab: Vocabulary) -> None:
    r = run(anakinra, any_vocab, kidney=None)
    assert r.regimen is not None and r.regimen.dose_mg == 100 and r.regimen.every_hours is None
    kidney = [a for a in r.alerts if a.field == "kidney"]
    assert len(kidney) == 1 and kidney[0].kind == "cannot-decide"
    assert r.decision == "cannot-decide"


def test_nomid_child_20_kg(anakinra: Monograph, any_vocab: Vocabulary) -> None:
    r = run(
        anakinra,
        any_vocab,
        age_years=6,
        weight_kg="20 kg",
        indication="NOMID",
        sex="male",
        pregnant=None,
        breastfeeding=None,
    )
    assert r.regimen is not None
    assert r.regimen.dose_mg == 20
    assert r.regimen.dose_range_mg == [20, 40]
    assert r.regimen.volume_ml == 0.13
    assert r.regimen.max_dose_mg == 160
    assert r.regimen.max_dose_mg_per_kg_day == 8
    assert "child-not-approved" not in [a.trigger for a in r.alerts]
    fully_cited(r)


def test_nomid_44_lb(anakinra: Monograph, any_vocab: Vocabulary) -> None:
    r = run(
        anakinra,
        any_vocab,
        age_years=6,
        weight_kg="44 lb",
        indication="NOMID",
        sex="male",
        pregnant=None,
        breastfeeding=None,
    )
    assert r.regimen is not None and r.regimen.dose_mg is not None
    # The leaflet's smallest dose (20 mg) is inside the 1–2 mg/kg starting range.
    assert r.regimen.dose_mg == 20 and r.regimen.dose_mg <= 2 * 19.96
    assert r.regimen.volume_ml == 0.13 and r.regimen.delivered_dose_mg == 19.4
    assert any("delivers 19.4 mg" in n for n in r.regimen.notes)


def test_nomid_without_weight(anakinra: Monograph, any_vocab: Vocabulary) -> None:
    r = run(
        anakinra,
        any_vocab,
        age_years=6,
        weight_kg=None,
        indication="NOMID",
        sex="male",
        pregnant=None,
        breastfeeding=None,
    )
    assert r.regimen is None or r.regimen.dose_mg is None
    assert any(a.kind == "cannot-decide" and a.field == "weight_kg" for a in r.alerts)
    assert r.decision == "cannot-decide"


def test_contract_profile(anakinra: Monograph, any_vocab: Vocabulary) -> None:
    r = check(anakinra, parse_profile(CONTRACT_PROFILE), any_vocab)
    assert r.decision == "do-not-use"
    triggers = [a.trigger for a in r.alerts]
    for t in (
        "tnf-inhibitor",
        "live-vaccine",
        "e-coli-protein-allergy",
        "latex-allergy",
        "tuberculosis",
    ):
        assert t in triggers, t
    tnf = next(a for a in r.alerts if a.trigger == "tnf-inhibitor")
    assert tnf.severity == "high" and tnf.blocking and "etanercept" in (tnf.matched or "")
    assert r.alerts[0].severity == "high"
    assert [i.due for i in r.monitoring if i.test == "neutrophil count"] == [
        dt.date(2026, 12, 1),
        dt.date(2027, 1, 1),
        dt.date(2027, 2, 1),
        dt.date(2027, 3, 1),
        dt.date(2027, 6, 1),
        dt.date(2027, 9, 1),
        dt.date(2027, 12, 1),
    ]
    fully_cited(r)


@pytest.mark.parametrize(
    ("changes", "trigger"),
    [
        ({"planned_vaccines": ["MMR"]}, "live-vaccine"),
        ({"allergies": ["E. coli"]}, "e-coli-protein-allergy"),
        ({"allergies": ["latex"]}, "latex-allergy"),
        ({"pregnant": True}, "pregnancy"),
        ({"age_years": 70}, "age-65-plus"),
        ({"age_years": 10, "weight_kg": 30}, "child-not-approved"),
        ({"medications": ["Enbrel"]}, "tnf-inhibitor"),
        ({"planned_surgery_date": "2027-01-15"}, "surgery"),
    ],
)
def test_screening_fires(
    anakinra: Monograph, any_vocab: Vocabulary, changes: dict[str, Any], trigger: str
) -> None:
    r = run(anakinra, any_vocab, **changes)
    fired = [a for a in r.alerts if a.trigger == trigger and a.kind != "cannot-decide"]
    assert fired, [a.trigger for a in r.alerts]
    fully_cited(r)


def test_shingrix_does_not_fire(anakinra: Monograph, any_vocab: Vocabulary) -> None:
    r = run(anakinra, any_vocab, planned_vaccines=["Shingrix"])
    assert "live-vaccine" not in [a.trigger for a in r.alerts]
    assert r.decision == "ok"


def test_unknown_medicine_is_not_ignored(anakinra: Monograph, any_vocab: Vocabulary) -> None:
    r = run(anakinra, any_vocab, medications=["zorbatumab 40 mg"])
    assert any(a.matched and "zorbatumab" in a.matched for a in r.alerts)
    assert r.decision == "cannot-decide"


@pytest.mark.parametrize("event", EVENTS)
def test_every_event_has_cited_steps(
    anakinra: Monograph, any_vocab: Vocabulary, event: str
) -> None:
    a = advise(anakinra, event, parse_profile(ADULT), any_vocab)
    assert a.steps and all(s.text and s.sources for s in a.steps)
    assert all(k in a.sources for s in a.steps for k in s.sources)
    assert a.urgency in ("emergency", "call-doctor", "self-care")


def test_vaccine_event_with_live_vaccine(anakinra: Monograph, any_vocab: Vocabulary) -> None:
    a = advise(
        anakinra, "vaccine", parse_profile({**ADULT, "planned_vaccines": ["MMR"]}), any_vocab
    )
    assert "live-vaccine" in [x.trigger for x in a.alerts]


def test_missed_dose_mentions_kidney_interval(anakinra: Monograph, any_vocab: Vocabulary) -> None:
    a = advise(
        anakinra, "missed-dose", parse_profile({**ADULT, "kidney": {"crcl_ml_min": 20}}), any_vocab
    )
    assert not any("Your schedule" in s.text for s in a.steps)
    assert any("48 hours" in al.title and "consider" in al.title for al in a.alerts)


def ddinter_pairs(data_dir: Path, drug: str) -> list[InteractionPair]:
    """The real DDInter rows naming `drug`, as the store would hand them to the engine."""
    pairs: dict[tuple[str, str], InteractionPair] = {}
    for path in sorted((data_dir / "ddinter").glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                a, b = row["Drug_A"].lower(), row["Drug_B"].lower()
                if drug in (a, b):
                    pairs[(a, b)] = InteractionPair(
                        drug_a=a,
                        drug_b=b,
                        level=row["Level"].lower(),  # type: ignore[arg-type]
                        source="ddinter",
                        source_ids=[row["DDInterID_A"], row["DDInterID_B"]],
                    )
    return list(pairs.values())


DDINTER = Source(
    id="ddinter",
    publisher="DDInter",
    document="DDInter 1.0 drug–drug interaction downloads",
    kind=SourceKind.curated,
)


def test_real_ddinter_pairs(anakinra: Monograph, data_dir: Path) -> None:
    from druginfo.vocab import Vocab

    pairs = ddinter_pairs(data_dir, "anakinra")
    assert any({p.drug_a, p.drug_b} == {"anakinra", "etanercept"} for p in pairs)
    profile = parse_profile(
        {**ADULT, "medications": ["Enbrel 50 mg weekly", "prednisone 5 mg", "warfarin 5 mg"]}
    )
    r = check(
        anakinra,
        profile,
        Vocab.bundled(),
        interactions=pairs,
        interaction_sources={"ddinter": DDINTER},
    )
    assert r.decision == "do-not-use"
    tnf = next(a for a in r.alerts if a.trigger == "tnf-inhibitor")
    # The curated rule is kept; the table's agreement is mentioned and cited.
    assert "DDInter" in tnf.detail
    quotes = {r.sources[k].quote for k in tnf.sources}
    assert any("Etanercept" in q and "Anakinra" in q and "Major" in q for q in quotes)
    # No second alert for etanercept from the table.
    table = [a for a in r.alerts if a.kind == "interaction" and a.trigger == "drug-interaction"]
    assert all("etanercept" not in (a.matched or "").lower() for a in table)
    # Prednisone has no curated rule: the table's alert stands on its own.
    pred = [a for a in table if "prednisone" in (a.matched or "").lower()]
    assert len(pred) == 1 and pred[0].severity == "moderate"
    assert r.sources[pred[0].sources[0]].publisher == "DDInter"
    fully_cited(r)
