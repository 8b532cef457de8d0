"""`brand_documents` reads only one product's documents, and they are exactly those a filter
of every document of the substance by its brands would give, in the same order."""

from __future__ import annotations

import datetime as dt
import json

from druginfo.store import open_store
from druginfo.store.base import Store
from store.conftest import MakeMono  # type: ignore[import-not-found]


def by_filter(store: Store, key: str, brand: str) -> list[object]:
    wanted = brand.lower()
    return [d for d in store.documents_for(key) if wanted in (b.lower() for b in d.identity.brands)]


def test_same_documents_as_filtering_every_one(store: Store, make_mono: MakeMono) -> None:
    docs = [
        ("ema:alpha.en", make_mono("substx", brands=["Alpha"], language="en")),
        ("ema:alpha.da", make_mono("substx", brands=["ALPHA"], language="da")),
        ("ema:beta.en", make_mono("substx", brands=["Beta", "Alpha Pen"], language="en")),
        (
            "ema:gamma.en",
            make_mono("substx", brands=["Gamma"], language="en", date=dt.date(2020, 1, 1)),
        ),
        ("ema:none.en", make_mono("substx", brands=[], language="en", date=None)),
        ("ema:other.en", make_mono("substy", brands=["Alpha"], language="en")),
    ]
    for doc_id, mono in docs:
        store.upsert_monograph(mono, doc_id=doc_id, checksum=doc_id)
    for brand in ("Alpha", "alpha", "ALPHA", "Beta", "Alpha Pen", "Gamma", "Delta", ""):
        got = store.brand_documents("substx", brand)  # type: ignore[attr-defined]
        assert got == by_filter(store, "substx", brand), brand
    assert [d.language for d in store.brand_documents("substx", "alpha")] == ["en", "da"]  # type: ignore[attr-defined]
    assert store.brand_documents("substz", "Alpha") == []  # type: ignore[attr-defined]


def test_every_bundled_brand(bundled_db_url: str) -> None:
    store = open_store(bundled_db_url, bootstrap=False)
    try:
        rows = store._query("SELECT DISTINCT key, brands FROM documents")  # type: ignore[attr-defined]
        pairs = {(key, b) for key, brands in rows for b in json.loads(brands)}
        assert len(pairs) > 500
        for key, brand in sorted(pairs)[::7]:  # a seventh of them: each reads every document
            assert store.brand_documents(key, brand) == by_filter(store, key, brand), brand  # type: ignore[attr-defined]
    finally:
        store.close()
