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


class _Counted:
    """The items, read one by one: `read` says how many have been taken so far."""

    def __init__(self, items: list[Pending]) -> None:
        self.items = items
        self.read = 0

    def __iter__(self) -> Iterator[Record | Pending]:
        for item in self.items:
            self.read += 1
            yield item


@pytest.fixture
def in_process(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """The pool parsing here, with a fake parser: only the window's logic is tested."""
    monkeypatch.setattr(ingest_pool, "_executor", lambda workers: ingest_pool._InProcess())
    monkeypatch.setattr(ingest_pool, "_work", _fake_work)
    return monkeypatch


@pytest.mark.parametrize("group_size", [1, 3, 8, 20])
def test_documents_in_flight_stay_within_the_window(
    in_process: pytest.MonkeyPatch, group_size: int
) -> None:
    in_process.setattr(ingest_pool, "IN_FLIGHT_PER_WORKER", 5)
    workers = 2
    source = _Counted(_pending(200, group_size))
    deepest = 0
    out: list[str] = []
    for record in ingest_pool.pooled(source, workers, ingest_pool.Stages()):
        assert isinstance(record, Broken)
        out.append(record.origin)
        deepest = max(deepest, source.read - len(out))
    assert out == [p.origin for p in source.items]  # input order, none lost
    # At most the window plus the group being filled (a group holds GROUP_DOCUMENTS at most).
    assert deepest <= workers * 5 + ingest_pool.GROUP_DOCUMENTS
    # ... and the window is used: reading runs ahead of the results by about a window.
    assert deepest >= workers * 5


def test_on_drained_is_called_once_when_the_input_is_exhausted(
    in_process: pytest.MonkeyPatch,
) -> None:
    """The caller learns when only the documents in flight are left (to shorten its last
    steps): once, after the last item was read and before the last result comes back."""
    in_process.setattr(ingest_pool, "IN_FLIGHT_PER_WORKER", 4)
    source = _Counted(_pending(50, 3))
    calls: list[tuple[int, int]] = []  # (items read, results handed back) at each call
    out: list[str] = []

    def drained() -> None:
        calls.append((source.read, len(out)))

    for record in ingest_pool.pooled(source, 2, ingest_pool.Stages(), on_drained=drained):
        out.append(record.origin)
    assert len(calls) == 1
    assert calls[0][0] == len(source.items)  # everything read
    assert calls[0][1] < len(source.items)  # results still to come
    assert out == [p.origin for p in source.items]


def test_the_window_is_capped_whatever_the_number_of_workers(
    in_process: pytest.MonkeyPatch,
) -> None:
    in_process.setattr(ingest_pool, "IN_FLIGHT_PER_WORKER", 5)
    in_process.setattr(ingest_pool, "MAX_IN_FLIGHT", 12)
    source = _Counted(_pending(100, 1))
    deepest = 0
    for handed, _record in enumerate(ingest_pool.pooled(source, 32, ingest_pool.Stages()), 1):
        deepest = max(deepest, source.read - handed)
    assert 12 <= deepest <= 12 + ingest_pool.GROUP_DOCUMENTS
