"""Names and bad input on a fresh install (issue 13): every generic name a stored leaflet gives
resolves to a substance; a known substance without a document of its own says so and names the
products that contain it; an ambiguous name lists the candidates; nothing is 'ok' merely
because no rule was found."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from druginfo.errors import NoDocument, UnknownDrug
from druginfo.service import Service, cached_vocab


@pytest.fixture(scope="module")
def service(bundled_db_url: str) -> Iterator[Service]:
    svc = Service.open(bundled_db_url)
    yield svc
    svc.close()


def test_every_substance_a_combination_leaflet_names_resolves(service: Service) -> None:
    """A combination's leaflet names its substances (ProQuad's four live viruses, Voncento's
    FVIII and VWF): each resolves to a substance, whether or not it has a leaflet of its own."""
    combos = [k for k in service.vocab.known_keys() if " + " in k]  # type: ignore[attr-defined]
    assert len(combos) > 50
    missing = []
    for combo in combos:
        mono = service.store.get_monograph(combo, "en")
        for substance in mono.identity.substances if mono is not None else []:
            if service.vocab.resolve(substance) is None:
                missing.append((combo, substance))
    assert not missing, missing[:20]


@pytest.mark.parametrize(
    ("name", "product"),
    [
        ("mumps virus", "measles virus + mumps virus + rubella virus + varicella virus"),
        ("VWF", "fviii + vwf"),
    ],
)
def test_a_substance_without_its_own_leaflet_says_so(
    service: Service, name: str, product: str
) -> None:
    with pytest.raises(NoDocument) as caught:
        service.check(name, {"age_years": 30, "weight_kg": 70, "sex": "male"})
    message = str(caught.value)
    assert "no leaflet or label of it is stored" in message and product in message
    assert isinstance(caught.value, UnknownDrug)  # interfaces answer it as bad input (exit 2)


def test_an_ambiguous_name_lists_the_candidates(service: Service) -> None:
    with pytest.raises(UnknownDrug) as caught:
        service.check("insulin", {"age_years": 30, "weight_kg": 70, "sex": "male"})
    assert len(caught.value.suggestions) >= 3
    assert all("insulin" in s for s in caught.value.suggestions[:3])


@pytest.mark.parametrize(
    "drug", ["Kevzara", "Aimovig", "Otezla", "Forsteo", "Rotarix", "Dupixent", "Lixiana"]
)
def test_nothing_is_ok_merely_because_no_rule_was_found(service: Service, drug: str) -> None:
    """A bare profile: an 'ok' needs rules that were applied and nothing left unscreened."""
    result = service.check(drug, {"age_years": 40, "weight_kg": 70, "sex": "male"})
    assert result.coverage is not None
    if result.decision == "ok":
        assert result.coverage.rules and not result.coverage.not_screened
        assert result.regimen is not None and result.regimen.sources
    else:
        assert any(a.kind == "cannot-decide" or a.severity != "low" for a in result.alerts)


def test_not_stored_during_the_first_fill_says_not_yet(tmp_path: object) -> None:
    """A server answers while its first run still stores the bundled leaflets: a medicine not
    stored yet is said to be loading, and once the fill is complete the plain answer returns."""
    from pathlib import Path

    from druginfo.ingest import bootstrap_curated
    from druginfo.store import FILL_MARK, open_store

    store = open_store(f"sqlite:///{Path(str(tmp_path)) / 'filling.db'}", bootstrap=False)
    try:
        store.set_meta(FILL_MARK, "started")  # type: ignore[attr-defined]
        bootstrap_curated(store)  # what a server stores before it answers
        svc = Service(store, cached_vocab(store))
        profile = {"age_years": 30, "weight_kg": 70, "sex": "male"}
        with pytest.raises(NoDocument) as caught:
            svc.check("baricitinib", profile)
        assert caught.value.loading and "still being loaded" in str(caught.value)
        store.set_meta(FILL_MARK, "complete")  # type: ignore[attr-defined]
        with pytest.raises(NoDocument) as again:
            svc.check("baricitinib", profile)
        assert not again.value.loading and "still being loaded" not in str(again.value)
    finally:
        store.close()
