"""Search over the bundled leaflets as a person types it: relevance for a common word, a brand
known only to the vocabulary, a misspelling given once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from druginfo.service import Service


@pytest.fixture(scope="module")
def service(bundled_db_url: str) -> Iterator[Service]:
    svc = Service.open(bundled_db_url)
    try:
        yield svc
    finally:
        svc.close()


def test_a_brand_finds_its_substances_leaflets(service: Service) -> None:
    hits = service.search("enbrel")
    assert hits[0].key == "etanercept" and hits[0].match == "name"
    # ...and the page it links to is an etanercept leaflet.
    assert service.monograph(hits[0].key).key == "etanercept"


def test_a_misspelt_brand_is_one_result_not_one_per_language(service: Service) -> None:
    hits = service.search("kinaret")
    assert [h.key for h in hits].count("anakinra") == 1
    assert hits[0].key == "anakinra" and hits[0].language == "en"


def test_a_common_word_is_ranked_by_relevance_not_by_name(service: Service) -> None:
    hits = service.search("headache", limit=10)
    assert len(hits) == 10 and all(h.match == "text" for h in hits)
    assert all(h.language == "en" for h in hits)
    names = [h.name.casefold() for h in hits]
    assert names != sorted(names) and names != sorted(names, reverse=True)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_a_danish_word_lists_danish_leaflets(service: Service) -> None:
    hits = service.search("hovedpine", limit=5)
    assert hits and all(h.language == "da" for h in hits)
