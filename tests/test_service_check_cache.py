"""The service's check remembers what does not depend on the person (the product a name picks,
each document's facts, interaction pairs) for one store version only: a running service sees
a new ingest change an answer without a restart, and a warm service answers exactly like a new
one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from druginfo import service as service_module
from druginfo.engine import memo
from druginfo.model import Claim, Identity, Monograph, Source, SourceKind, Topic
from druginfo.service import Service, build_vocab, refresh_curated
from druginfo.store import open_store

SRC = Source(
    id="ema-epi-quorvitab.en",
    publisher="European Medicines Agency",
    document="Quorvitab 50 mg film-coated tablets",
    kind=SourceKind.label,
)
ALLERGY = Claim(id="q1", topic=Topic.contraindication, source=SRC.id,
                quote="if you are allergic to quorvitab or any of the other ingredients of this "
                      "medicine (listed in section 6).")  # fmt: skip
TB = Claim(id="q2", topic=Topic.contraindication, source=SRC.id,
           quote="if you have active tuberculosis (TB).")  # fmt: skip
WARFARIN = Claim(id="q3", topic=Topic.interaction, source=SRC.id,
                 quote="Quorvitab must not be taken with warfarin.")  # fmt: skip


def leaflet(*claims: Claim, brands: tuple[str, ...] = ("Quorvitab",)) -> Monograph:
    return Monograph(
        key="quorvitab",
        identity=Identity(generic="quorvitab", brands=list(brands), substances=["quorvitab"]),
        sources=[SRC],
        claims=[ALLERGY, *claims],
    )


@pytest.fixture()
def store_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'check-cache.db'}"


@pytest.fixture(autouse=True)
def follow_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service_module, "LIVE_CHECK_SECONDS", 0.0)


PERSON: dict[str, Any] = {
    "age_years": 50,
    "weight_kg": 70,
    "sex": "male",
    "conditions": ["active tuberculosis"],
    "medications": ["warfarin 5 mg"],
}


def test_a_new_ingest_changes_the_answer_of_a_running_service(store_url: str) -> None:
    served = open_store(store_url)
    served.upsert_monograph(leaflet(), doc_id="t:quorvitab", checksum="1")
    svc = Service(served, build_vocab(served))
    ingest = open_store(store_url)  # another process: `druginfo ingest`
    try:
        before = svc.check("Quorvitab", PERSON)
        assert svc.check("Quorvitab", PERSON) == before  # remembered work, same answer
        assert not any("tuberculosis" in a.trigger for a in before.alerts)
        ingest.upsert_monograph(leaflet(TB, WARFARIN), doc_id="t:quorvitab", checksum="2")
        after = svc.check("Quorvitab", PERSON)
        assert any(a.trigger == "tuberculosis" and a.blocking for a in after.alerts)
        assert any(a.matched and "warfarin" in a.matched.lower() for a in after.alerts)
        assert after.decision == "do-not-use" != before.decision
    finally:
        ingest.close()
        served.close()


def test_a_brand_ingested_later_is_checked_without_a_restart(store_url: str) -> None:
    served = open_store(store_url)
    served.upsert_monograph(leaflet(TB), doc_id="t:quorvitab", checksum="1")
    svc = Service(served, build_vocab(served))
    ingest = open_store(store_url)
    try:
        with pytest.raises(Exception, match="Quorvimax"):
            svc.check("Quorvimax", PERSON)
        ingest.upsert_monograph(
            leaflet(TB, brands=("Quorvitab", "Quorvimax")), doc_id="t:quorvitab", checksum="2"
        )
        result = svc.check("Quorvimax", PERSON)
        assert result.drug.generic == "quorvitab"
        assert any(a.trigger == "tuberculosis" for a in result.alerts)
    finally:
        ingest.close()
        served.close()


@pytest.fixture(scope="module")
def two_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('warm') / 'warm.db'}"
    store = open_store(url)
    store.upsert_monograph(leaflet(TB, WARFARIN), doc_id="t:quorvitab", checksum="1")
    refresh_curated(store)  # the curated monographs, rules and all
    warm = Service(store, build_vocab(store))
    yield warm, url
    warm.close()


MEDICINES = ["Quorvitab", "quorvitab", "anakinra", "Kineret", "etanercept", "Ilaris"]
profiles = st.fixed_dictionaries(
    {
        "conditions": st.lists(
            st.sampled_from(
                [
                    "active tuberculosis",
                    "latent TB",
                    "no infection",
                    "asthma",
                    "neutrophils 900/µL",
                    "heart failure",
                    "on dialysis",
                ]
            ),
            max_size=3,
            unique=True,
        ),
        "allergies": st.lists(
            st.sampled_from(["quorvitab", "Kineret", "latex", "penicillin"]),
            max_size=2,
            unique=True,
        ),
        "medications": st.lists(
            st.sampled_from(
                [
                    "warfarin 5 mg",
                    "Enbrel",
                    "Humira",
                    "methotrexate",
                    "zzqx",
                    "MMR vaccine",
                    "canakinumab",
                ]
            ),
            max_size=4,
            unique=True,
        ),
    },
    optional={
        "age_years": st.sampled_from([4, 16, 45, 80]),
        "weight_kg": st.sampled_from([20, 60, 95]),
        "sex": st.sampled_from(["female", "male"]),
        "pregnant": st.booleans(),
        "indication": st.sampled_from(["rheumatoid arthritis", "NOMID"]),
        "kidney": st.sampled_from([{"crcl_ml_min": 20}, {"crcl_ml_min": 80}]),
        "start_date": st.just("2026-12-01"),
    },
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(drug=st.sampled_from(MEDICINES), raw=profiles)
def test_a_warm_service_answers_like_a_new_one(
    two_services: tuple[Service, str], drug: str, raw: dict[str, Any]
) -> None:
    warm, url = two_services
    answer = warm.check(drug, raw).model_dump_json()
    memo.clear()
    cold_store = open_store(url)
    cold = Service(cold_store, build_vocab(cold_store))  # new objects, nothing remembered
    try:
        assert cold.check(drug, raw).model_dump_json() == answer
    finally:
        cold.close()
