"""A running service sees what another process writes to its store, on both backends: new
names, documents and classes, without a restart (the store's generation counter)."""

from __future__ import annotations

import pytest

from druginfo import service as service_module
from druginfo.errors import UnknownDrug
from druginfo.model import ClassEntry
from druginfo.service import Service, build_vocab
from druginfo.store import open_store
from store.conftest import MakeMono  # type: ignore[import-not-found]


def test_generation_grows_with_each_committed_change(store_url: str, make_mono: MakeMono) -> None:
    writer = open_store(store_url)
    reader = open_store(store_url)
    try:
        g0 = reader.generation()  # type: ignore[attr-defined]
        writer.upsert_monograph(make_mono("zorbatinib"), doc_id="t:zorbatinib", checksum="1")
        g1 = reader.generation()  # type: ignore[attr-defined]
        assert g1 > g0
        writer.upsert_monograph(make_mono("zorbatinib"), doc_id="t:zorbatinib", checksum="1")
        assert reader.generation() == g1  # type: ignore[attr-defined]  # unchanged: no bump
        writer.add_classes([ClassEntry(system="atc", code="L04AB99", name="zorbatinib")])
        assert reader.generation() > g1  # type: ignore[attr-defined]
    finally:
        writer.close()
        reader.close()


def test_running_service_sees_names_documents_and_classes_written_elsewhere(
    store_url: str, make_mono: MakeMono, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service_module, "LIVE_CHECK_SECONDS", 0.0)
    served = open_store(store_url)
    served.upsert_monograph(make_mono("quenzumab"), doc_id="t:quenzumab", checksum="q")
    svc = Service(served, build_vocab(served))
    other = open_store(store_url)  # another process's connection: `druginfo ingest`
    try:
        with pytest.raises(UnknownDrug):
            svc.monograph("Travoxin")
        other.upsert_monograph(
            make_mono("travoxatin", brands=["Travoxin"]), doc_id="t:travoxatin", checksum="t"
        )
        mono = svc.monograph("Travoxin")
        assert mono.key == "travoxatin"
        assert svc.resolve("travoxatin").key == "travoxatin"
        assert not svc.vocab.classes_of("travoxatin")
        other.add_classes(
            [
                ClassEntry(system="atc", code="L04AB", name="TNF-alpha inhibitors"),
                ClassEntry(system="atc", code="L04AB97", name="travoxatin", parent="L04AB"),
            ]
        )
        assert svc.vocab.classes_of("travoxatin"), "the new ATC class must be seen"
    finally:
        other.close()
        served.close()


def test_the_service_does_not_ask_the_store_on_every_call(
    store_url: str, make_mono: MakeMono, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = open_store(store_url)
    svc = Service(served, build_vocab(served))
    asked: list[int] = []
    real = served.generation  # type: ignore[attr-defined]

    def counting() -> int:
        asked.append(1)
        return int(real())

    monkeypatch.setattr(served, "generation", counting)
    try:
        for _ in range(200):
            _ = svc.vocab
        assert len(asked) <= 1  # at most once per LIVE_CHECK_SECONDS
    finally:
        served.close()


def test_serialised_monograph_is_cached_until_the_document_changes(
    store_url: str, make_mono: MakeMono, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service_module, "LIVE_CHECK_SECONDS", 0.0)
    served = open_store(store_url)
    served.upsert_monograph(
        make_mono("quenzumab", sections=[("Dose", "Take 10 mg daily.")]),
        doc_id="t:quenzumab",
        checksum="v1",
    )
    svc = Service(served, build_vocab(served))
    other = open_store(store_url)
    try:
        first = svc.monograph_json("quenzumab")
        assert first == svc.monograph("quenzumab").model_dump_json().encode()
        assert svc.monograph_json("quenzumab") is first  # served from the cache
        other.upsert_monograph(
            make_mono("quenzumab", sections=[("Dose", "Take 20 mg daily.")]),
            doc_id="t:quenzumab",
            checksum="v2",
        )
        second = svc.monograph_json("quenzumab")
        assert b"20 mg" in second and b"10 mg" not in second
    finally:
        other.close()
        served.close()
