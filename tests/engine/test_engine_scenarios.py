"""Scenarios over a dozen medicines of different kinds, written from their leaflets' words.

Each scenario (tests/engine/scenarios/*.yaml) names a medicine, a profile and what the
leaflet says must follow: the decision, alerts (kind, trigger, severity, blocking, basis, the
medicine matched, and a quote that must appear in a cited source), the product note, what
was not screened. The check runs through the Service on the bundled store, as a fresh
install answers it. Where a curated monograph exists it wins, so a scenario written from a
leaflet may accept `basis: [leaflet, curated]`: either way the leaflet's words must be cited.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from druginfo.model import Alert, CheckResult
from druginfo.service import Service

HERE = Path(__file__).parent / "scenarios"


def _scenarios() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in sorted(HERE.glob("*.yaml")):
        out.extend(yaml.safe_load(path.read_text(encoding="utf-8")))
    return out


SCENARIOS = _scenarios()


@pytest.fixture(scope="module")
def service(bundled_db_url: str) -> Iterator[Service]:
    svc = Service.open(bundled_db_url)
    yield svc
    svc.close()


def _matches(alert: Alert, want: dict[str, Any], result: CheckResult) -> bool:
    for key in ("kind", "trigger", "severity", "blocking", "basis"):
        allowed = want.get(key)
        if key in want and getattr(alert, key) not in (
            allowed if isinstance(allowed, list) else [allowed]
        ):
            return False
    if "matched" in want and want["matched"].lower() not in (alert.matched or "").lower():
        return False
    if "quote" in want:
        quotes = " ".join(result.sources[k].quote for k in alert.sources) + " " + alert.detail
        if want["quote"].lower() not in " ".join(quotes.split()).lower():
            return False
    return True


def test_there_are_scenarios_over_a_dozen_medicines() -> None:
    assert len({s["drug"] for s in SCENARIOS}) >= 12


def _param(s: dict[str, Any]) -> Any:
    """A scenario the engine still fails stays in the set, marked strict xfail with its reason."""
    marks = [pytest.mark.xfail(strict=True, reason=s["xfail"])] if "xfail" in s else []
    return pytest.param(s, id=s["name"], marks=marks)


@pytest.mark.parametrize("scenario", [_param(s) for s in SCENARIOS])
def test_scenario(service: Service, scenario: dict[str, Any]) -> None:
    result = service.check(scenario["drug"], scenario["profile"])
    decisions = scenario["decision"]
    decisions = decisions if isinstance(decisions, list) else [decisions]
    shown = [(a.kind, a.trigger, a.severity, a.blocking, a.basis, a.matched) for a in result.alerts]
    assert result.decision in decisions, shown
    assert result.decision != "ok" or not result.coverage or not result.coverage.not_screened
    for want in scenario.get("alerts", []):
        assert any(_matches(a, want, result) for a in result.alerts), (want, shown)
    for alert in result.alerts:
        assert alert.basis is not None and alert.sources
    if result.regimen is not None:
        assert result.regimen.basis is not None and result.regimen.sources
    if "regimen" in scenario:
        want_regimen = scenario["regimen"]
        if want_regimen is None:
            assert result.regimen is None, result.regimen
        else:
            assert result.regimen is not None, shown
            got = result.regimen.model_dump()
            assert {k: got.get(k) for k in want_regimen} == want_regimen, got
    if "avoid" in scenario:
        assert result.avoid == scenario["avoid"]
    for absent in scenario.get("absent", []):
        # A trigger id, or an alert description (as under `alerts`) that no alert may match.
        if isinstance(absent, dict):
            assert not any(_matches(a, absent, result) for a in result.alerts), (absent, shown)
        else:
            assert all(a.trigger != absent for a in result.alerts), shown
    if "product_note" in scenario:
        assert result.product is not None and scenario["product_note"] in (
            result.product.note or ""
        )
    if "generic" in scenario:
        assert result.drug.generic == scenario["generic"]
    if "not_screened" in scenario:
        assert result.coverage is not None
        assert [n.item for n in result.coverage.not_screened if n.field != "drug"] == scenario[
            "not_screened"
        ]
