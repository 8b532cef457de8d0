"""The right product: a brand's own leaflet, or a note naming the product shown instead; one
brand's several leaflets picked by the person's age."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from druginfo.model import Claim, Identity, Monograph, Source, SourceKind, Topic
from druginfo.service import Service, pick_by_age


@pytest.fixture(scope="module")
def service(bundled_db_url: str) -> Iterator[Service]:
    svc = Service.open(bundled_db_url)
    yield svc
    svc.close()


def test_a_brand_shows_its_own_leaflet(service: Service) -> None:
    """Erelzi: its own leaflet, or curated data that quotes it."""
    mono, choice = service.product("Erelzi", "en")
    assert any("Erelzi" in s.document for s in mono.sources)
    assert choice is not None and choice.note is None and choice.shown == "Erelzi"
    leaflet, _ = service.product("Amsparity", "en")
    assert leaflet.identity.brands == ["Amsparity"]


def test_a_brand_without_a_leaflet_says_which_product_is_shown(service: Service) -> None:
    mono, choice = service.product("Enbrel", "en")
    assert not any("Enbrel" in s.document for s in mono.sources)
    assert choice is not None and choice.note is not None
    assert choice.note.startswith("Enbrel's leaflet is not available; showing ")
    assert "etanercept" in choice.note
    assert all(b in choice.note for b in choice.shown.split(", "))
    result = service.check("Enbrel", {"age_years": 40, "weight_kg": 70})
    assert result.product is not None and result.product.note == choice.note


def test_a_generic_name_needs_no_note(service: Service) -> None:
    assert service.product("etanercept", "en")[1] is None


def _leaflet(title: str, child: bool) -> Monograph:
    src = Source(id=title, publisher="European Medicines Agency", document=title,
                 kind=SourceKind.label)  # fmt: skip
    who = "your child" if child else "you"
    claims = [
        Claim(id=f"{title}-{i}", topic=Topic.contraindication, source=title,
              quote=f"if {who} {words}")
        for i, words in enumerate(["are allergic to it.", "have an infection.", "have TB."])
    ]  # fmt: skip
    return Monograph(key="x", identity=Identity(generic="x", brands=["Xbrand"]), sources=[src],
                     claims=claims)  # fmt: skip


def test_one_brands_leaflets_are_picked_by_age() -> None:
    adult, child = _leaflet("Xbrand 40 mg", False), _leaflet("Xbrand 20 mg (children)", True)
    assert pick_by_age([child, adult], 40) is adult
    assert pick_by_age([adult, child], 9) is child
    assert pick_by_age([adult, child], None) is None
    assert pick_by_age([adult, _leaflet("Xbrand 80 mg", False)], 9) is None
