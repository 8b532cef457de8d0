"""A document's rows are the same whether its monograph JSON arrives as text or as the UTF-8
bytes pydantic makes (a pooled ingest's workers hand over the bytes, without a decode and an
encode per leaflet)."""

from __future__ import annotations

import pytest

from druginfo.store.common import prepare_document
from store.conftest import MakeMono  # type: ignore[import-not-found]


@pytest.mark.parametrize("compress", [True, False])
def test_rows_from_bytes_equal_rows_from_text(make_mono: MakeMono, compress: bool) -> None:
    mono = make_mono("zorbital", brands=["Zorbitäl"])  # a non-ASCII brand: real UTF-8 bytes
    text = mono.model_dump_json()
    data = mono.__pydantic_serializer__.to_json(mono)
    assert data == text.encode("utf-8")
    from_text = prepare_document(text, "x:zorbital.en", "c1", compress=compress)
    from_bytes = prepare_document(data, "x:zorbital.en", "c1", compress=compress)
    assert from_bytes == from_text
    assert (from_bytes.json is None) == compress and (from_bytes.blob is None) != compress
    if not compress:
        assert from_bytes.json == text
