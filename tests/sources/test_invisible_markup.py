"""Text read from HTML is the text a reader sees: script, style and template bodies never
become quoted content, whichever reader (publisher pages, leaflet narratives) handles it."""

from __future__ import annotations

import pytest

from druginfo.sources.pages import html_to_text
from druginfo.sources.text import xhtml_blocks

PAGE = """<html><head><style>body { color: red }</style>
<script type="text/javascript">window.dataLayer = []; var dose = "500 mg";</script></head>
<body><h1>Ferrous sulfate tablets</h1>
<p>Take one tablet <script>track("inline")</script>with water.</p>
<template><p>Hidden dosing template</p></template>
<SCRIPT>document.write("Take 10 tablets")</SCRIPT>
<p>Store below 25 °C.</p></body></html>"""


def test_publisher_html_keeps_only_visible_text() -> None:
    text = html_to_text(PAGE)
    assert "Take one tablet with water." in text
    assert "Store below 25 °C." in text
    for hidden in ("dataLayer", "500 mg", "track(", "color: red", "Hidden dosing", "10 tablets"):
        assert hidden not in text, hidden


@pytest.mark.parametrize(
    "markup",
    [
        '<div xmlns="http://www.w3.org/1999/xhtml"><p>Keep cold.</p>'
        "<script>alert('x')</script><p>Do not freeze.</p></div>",
        # Not well-formed: read by the HTML parser instead.
        "<div><p>Keep cold.<p>Do not freeze.<script>alert('x')</script><style>p{}</style></div>",
        # Not even HTML-recoverable text paths still drop the hidden bodies.
        "<p>Keep cold.</p><style>p{}</style><script>alert('x')<p>Do not freeze.</p>",
    ],
)
def test_leaflet_narrative_drops_script_and_style(markup: str) -> None:
    text = " ".join(xhtml_blocks(markup))
    assert "Keep cold." in text
    assert "alert" not in text and "p{}" not in text
