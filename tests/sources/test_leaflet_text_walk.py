"""`marked_blocks` (the XHTML walk that passes "inside a list item" down and ends a block
only when text is waiting) gives the blocks of the plain walk it replaced, on generated
narratives: nested lists, list items holding paragraphs, line breaks, comments, processing
instructions, script and style, inline markup, namespaces, text and tails of odd spacing."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml import etree

from druginfo.sources.leaflet_text import _BLOCK_TAGS, _SKIP_TAGS, LIST_MARK, marked_blocks
from druginfo.sources.text import local_name


def plain_blocks(markup: str) -> list[str]:
    """The walk as first written: a flush at every block's start and end, the list-item
    state kept in one variable and restored after each block."""
    root = etree.fromstring(markup.encode("utf-8"))
    blocks: list[str] = []
    buf: list[str] = []
    in_item = False

    def flush() -> None:
        if buf:
            text = " ".join("".join(buf).split())
            buf.clear()
            if text:
                blocks.append(LIST_MARK + text if in_item else text)

    def walk(el: etree._Element) -> None:
        nonlocal in_item
        name = local_name(el.tag)
        if name in _SKIP_TAGS:
            if el.tail:
                buf.append(el.tail)
            return
        block = name in _BLOCK_TAGS
        outer = in_item
        if block:
            flush()
            if name == "li":
                in_item = True
        if name == "br":
            flush()
        elif el.text and name:
            buf.append(el.text)
        for child in el:
            walk(child)
        if block:
            flush()
            in_item = outer
        if el.tail:
            buf.append(el.tail)

    if root.text:
        buf.append(root.text)
    for child in root:
        walk(child)
    flush()
    return blocks


TEXTS = st.sampled_from(
    ["", " ", "Take it.", "\n  two\twords ", "\u00a0", "ø Æ", "a  b", " • star", "x\u2028y"]
)
TAGS = ["p", "li", "ul", "ol", "div", "b", "i", "span", "br", "td", "tr", "script", "style",
        "h2", "sup", "a", "dd"]  # fmt: skip


@st.composite
def element(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.sampled_from(["tag", "tag", "tag", "comment", "pi"]))
    tail = draw(TEXTS)
    if kind == "comment":
        return f"<!--{draw(TEXTS).replace('-', '')}-->{tail}"
    if kind == "pi":
        return f"<?x {draw(TEXTS)}?>{tail}"
    tag = draw(st.sampled_from(TAGS))
    children = (
        "".join(draw(st.lists(element(depth + 1), max_size=3))) if depth < 4 else ""
    )  # fmt: skip
    return f"<{tag}>{draw(TEXTS)}{children}</{tag}>{tail}"


@st.composite
def narrative(draw: st.DrawFn) -> str:
    ns = draw(st.sampled_from(["", ' xmlns="http://www.w3.org/1999/xhtml"']))
    body = "".join(draw(st.lists(element(), max_size=5)))
    return f"<div{ns}>{draw(TEXTS)}{body}</div>"


@settings(max_examples=500, deadline=None)
@given(narrative())
@example("<div><ul><li>one<ul><li>two</li></ul>after<p>para</p>end</li></ul>out</div>")
@example("<div>a<br/>b<br><i>c</i></br>d<script>x<b>y</b></script>tail</div>")
@example("<div><li><!--c-->x<?p q?>y</li></div>")
def test_walk_is_the_plain_walk(markup: str) -> None:
    assert marked_blocks(markup) == plain_blocks(markup)
