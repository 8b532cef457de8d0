"""The facts package imports its readers on first use: the ingest's parsing side (which
stores documents and reads facts only when one is checked) must not compile them."""

from __future__ import annotations

import subprocess
import sys

import pytest

import druginfo.facts as facts


def test_the_ingest_side_does_not_import_the_readers() -> None:
    code = (
        "import sys, druginfo.ingest, druginfo.ingest_pool\n"
        "print(sorted(m for m in sys.modules if m.startswith('druginfo.facts')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "druginfo.facts.extract" not in out and "druginfo.facts.documents" not in out
    assert "druginfo.facts.topics" in out  # what the page and leaflet parsers do use


def test_the_public_names_resolve_to_the_readers() -> None:
    from druginfo.facts.documents import document_kind, extract_facts
    from druginfo.facts.extract import facts_from_text

    assert facts.extract_facts is extract_facts
    assert facts.document_kind is document_kind
    assert facts.facts_from_text is facts_from_text
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = facts.nothing  # type: ignore[attr-defined]
