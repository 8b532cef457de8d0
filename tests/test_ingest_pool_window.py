"""The pool's window: documents read but not yet handed back are bounded in documents (so
memory stays bounded whatever the corpus and however a product's languages group), the
window is used in full (reading runs that far ahead of the writer, so workers keep parsing
while it is busy), and results still come back in input order."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from druginfo import ingest_pool
from druginfo.sources.base import Broken, Record
from druginfo.sources.detect import Pending


def _pending(n: int, group_size: int) -> list[Pending]:
    return [
        Pending("page", f"doc{i}.txt", f"origin-{i}", b"x", "", f"g{i // group_size}", None)
        for i in range(n)
    ]


def _fake_work(group: list[Pending], prepare: ingest_pool.Prepare) -> ingest_pool.Timed:
    return [Broken(p.origin, "parsed") for p in group], (0.0, 0.0)


@pytest.mark.parametrize("group_size", [1, 3, 8, 20])
def test_documents_in_flight_stay_within_the_window(
    monkeypatch: pytest.MonkeyPatch, group_size: int
) -> None:
    monkeypatch.setattr(ingest_pool, "_executor", lambda workers: ingest_pool._InProcess())
    monkeypatch.setattr(ingest_pool, "_work", _fake_work)
    monkeypatch.setattr(ingest_pool, "IN_FLIGHT_PER_WORKER", 5)
    workers = 2
    items = _pending(200, group_size)
    read = 0
    deepest = 0

    def source() -> Iterator[Record | Pending]:
        nonlocal read
        for item in items:
            read += 1
            yield item

    out: list[str] = []
    for record in ingest_pool.pooled(source(), workers, ingest_pool.Stages()):
        assert isinstance(record, Broken)
        out.append(record.origin)
        deepest = max(deepest, read - len(out))
    assert out == [p.origin for p in items]  # input order, none lost
    # At most the window plus the group being filled (a group holds GROUP_DOCUMENTS at most).
    assert deepest <= workers * 5 + ingest_pool.GROUP_DOCUMENTS
    # ... and the window is used: reading runs ahead of the results by about a window.
    assert deepest >= workers * 5


def test_on_drained_is_called_once_when_the_input_is_exhausted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The caller learns when only the documents in flight are left (to shorten its last
    steps): once, after the last item was read and before the last result comes back."""
    monkeypatch.setattr(ingest_pool, "_executor", lambda workers: ingest_pool._InProcess())
    monkeypatch.setattr(ingest_pool, "_work", _fake_work)
    monkeypatch.setattr(ingest_pool, "IN_FLIGHT_PER_WORKER", 4)
    items = _pending(50, 3)
    read = 0
    calls: list[tuple[int, int]] = []  # (items read, results handed back) at each call
    out: list[str] = []

    def source() -> Iterator[Record | Pending]:
        nonlocal read
        for item in items:
            read += 1
            yield item

    def drained() -> None:
        calls.append((read, len(out)))

    for record in ingest_pool.pooled(source(), 2, ingest_pool.Stages(), on_drained=drained):
        out.append(record.origin)
    assert len(calls) == 1
    assert calls[0][0] == len(items)  # everything read
    assert calls[0][1] < len(items)  # results still to come
    assert out == [p.origin for p in items]


def test_the_window_is_capped_whatever_the_number_of_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ingest_pool, "_executor", lambda workers: ingest_pool._InProcess())
    monkeypatch.setattr(ingest_pool, "_work", _fake_work)
    monkeypatch.setattr(ingest_pool, "IN_FLIGHT_PER_WORKER", 5)
    monkeypatch.setattr(ingest_pool, "MAX_IN_FLIGHT", 12)
    items = _pending(100, 1)
    read = 0
    deepest = 0
    out: list[str] = []

    def source() -> Iterator[Record | Pending]:
        nonlocal read
        for item in items:
            read += 1
            yield item

    for record in ingest_pool.pooled(source(), 32, ingest_pool.Stages()):
        out.append(record.origin)
        deepest = max(deepest, read - len(out))
    assert 12 <= deepest <= 12 + ingest_pool.GROUP_DOCUMENTS
