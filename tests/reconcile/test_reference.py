"""Brand names checked against the vocabulary."""

from __future__ import annotations

from handmade import resolve

from druginfo.reconcile.reference import brand_mismatches


def test_swapped_brands_are_found_either_way_round() -> None:
    found = brand_mismatches("such as infliximab (Enbrel) and etanercept (Remicade)", resolve)
    assert [(m.brand, m.said_to_be, m.actually) for m in found] == [
        ("Enbrel", "infliximab", "etanercept"),
        ("Remicade", "etanercept", "infliximab"),
    ]
    (m,) = brand_mismatches("Remicade (etanercept) is given by infusion", resolve)
    assert (m.brand, m.actually) == ("Remicade", "infliximab")


def test_right_pairs_and_unknown_words_are_not_errors() -> None:
    assert brand_mismatches("etanercept (Enbrel) and infliximab (Remicade)", resolve) == []
    assert brand_mismatches("tumour necrosis factor (TNF) blockers (Enbrell)", resolve) == []
    assert brand_mismatches("adalimumab (Humira)", resolve) == []
