"""Reconciliation through the Service and the store: what an editor sees after ingesting."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from druginfo.ingest import ingest
from druginfo.service import Service
from druginfo.store import open_store

AS_OF = dt.date(2026, 11, 29)

PAGE = """Kineret (anakinra) for arthritis

Generic name: anakinra
Brand name: Kineret
Medically reviewed by our pharmacists on March 3, 2025

How to store Kineret

Store at 15 to 25 °C.

If you miss a dose

If you miss a dose, skip the missed dose.
"""


@pytest.fixture()
def store_url(bundled_db_url: str, tmp_path: Path) -> str:
    src = Path(bundled_db_url.removeprefix("sqlite:///"))
    dest = tmp_path / "druginfo.db"
    shutil.copy(src, dest)
    return f"sqlite:///{dest}"


def _ingest(url: str, *paths: Path) -> None:
    store = open_store(url)
    try:
        ingest(list(paths), store, progress=False)
    finally:
        store.close()


def test_a_new_page_makes_new_quoted_conflicts(store_url: str, tmp_path: Path) -> None:
    svc = Service.open(store_url)
    before = svc.reconcile("anakinra", today=AS_OF)
    svc.close()
    page = tmp_path / "cornerpharmacy-anakinra.txt"
    page.write_text(PAGE)
    _ingest(store_url, page)
    svc = Service.open(store_url)
    after = svc.reconcile("anakinra", today=AS_OF)
    svc.close()
    assert len(after.sources) == len(before.sources) + 1
    new = next(s for s in after.sources if s.publisher == "Cornerpharmacy")
    for topic, words in (("storage", "15 to 25"), ("missed-dose", "skip the missed dose")):
        found = next(f for f in after.findings if f.topic == topic)
        assert found.status == "conflict", (topic, found.summary)
        assert any(x.source == new.id and words in x.quote for x in found.facts)
        assert any(x.source != new.id for x in found.facts)
        was = next(f for f in before.findings if f.topic == topic)
        assert new.id not in was.sources


def test_the_seed_pages_ingested_are_not_new_sources(store_url: str, shared_dir: Path) -> None:
    """The curated monograph quotes the three seed pages; ingesting the pages themselves
    ('Medicinenet' from the file name) must not make them agree with themselves."""
    svc = Service.open(store_url)
    before = len(svc.reconcile("anakinra", today=AS_OF).sources)
    svc.close()
    _ingest(store_url, shared_dir / "seeds")
    svc = Service.open(store_url)
    report = svc.reconcile("anakinra", today=AS_OF)
    svc.close()
    assert len(report.sources) == before
    medicinenet = next(s for s in report.sources if s.publisher == "MedicineNet")
    assert len(medicinenet.documents) == 2
