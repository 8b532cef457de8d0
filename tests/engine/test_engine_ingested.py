"""The engine on ingested documents (real EU leaflets): no rules, so it says what it cannot do.

An ingested leaflet carries claims but no structured rules: the check must not invent a dose
or a clean bill of health. It answers cannot-decide, cites the leaflet's own words, and still
names what it could not screen.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from druginfo.engine import advise, check, parse_profile
from druginfo.model import Monograph
from druginfo.sources.base import ParsedDocument
from druginfo.sources.epi import parse_epi
from druginfo.vocab import Vocab


def leaflet(data_dir: Path, name: str) -> Monograph:
    path = data_dir / "ema-epi" / name
    doc = parse_epi(path.read_bytes(), str(path))
    assert isinstance(doc, ParsedDocument), doc
    return doc.monograph


@pytest.mark.parametrize("name", ["humira.en.json", "kineret.en.json", "kineret.da.json"])
def test_ingested_leaflet_cannot_decide(data_dir: Path, name: str) -> None:
    mono = leaflet(data_dir, name)
    assert not mono.dose_rules and not mono.screening
    profile = parse_profile(
        {
            "age_years": 40,
            "weight_kg": 70,
            "indication": "rheumatoid arthritis",
            "medications": ["Enbrel"],
            "start_date": "2026-12-01",
        }
    )
    result = check(mono, profile, Vocab.bundled())
    assert result.decision == "cannot-decide"
    assert result.regimen is None
    triggers = [a.trigger for a in result.alerts]
    assert "no-screening-rules" in triggers and "dose" in triggers
    for alert in result.alerts:
        assert alert.sources
        assert alert.basis == ("class" if alert.trigger == "therapeutic-duplication" else "leaflet")
        for key in alert.sources:
            ref = result.sources[key]
            # class rules cite the classification (WHO ATC / the vocabulary's quotes)
            assert ref.kind == ("curated" if alert.basis == "class" else "label") and ref.quote
    # Enbrel (etanercept) with Humira (adalimumab): two TNF blockers, no document needed
    dup = [a for a in result.alerts if a.trigger == "therapeutic-duplication"]
    assert (len(dup) == 1) == (mono.key == "adalimumab"), dup
    assert result.coverage is not None and result.coverage.not_screened


def test_ingested_leaflet_advice_says_it_has_none(data_dir: Path) -> None:
    mono = leaflet(data_dir, "humira.en.json")
    result = advise(mono, "fever", None, Vocab.bundled())
    assert result.urgency == "call-doctor"
    (step,) = result.steps
    assert "no specific advice" in step.text and step.sources
    assert result.sources[step.sources[0]].kind == "label"
