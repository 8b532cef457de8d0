"""A saved web page (HTML, Markdown or plain text) as a title and a list of levelled blocks.

Every layout ends in the same shape: headings with a level, paragraphs and list items in page
order, plus the page's whole visible text (header and footer included, where review dates and
brand blocks live). For HTML the article is cut from the site's furniture by trafilatura,
chosen by measurement (bench/boilerplate.py, on our pages whose article is marked: 0 %
furniture at recall 1.00, against 4.1 % at 0.90 for readability-lxml and 34 % for inscriptis;
jusText dropped every short clinical paragraph). Its Markdown output decides which blocks are
the article; headings and their levels come from the page's own tags. <script> and <style>
never become text. Where a layout
gives no heading levels (plain text, flattened HTML), a heading that names a topic opens a
section and one that names none ("More common") is taken as a sub-heading of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from lxml import etree
from lxml import html as lxml_html

from druginfo.facts.topics import heading_topic, is_list_subheading
from druginfo.sources.pages import BLOCK_TAGS, normalize

BlockKind = Literal["heading", "para", "item"]
PageFormat = Literal["html", "markdown", "text"]


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str
    level: int = 0  # headings: 1 (title) to 6; 0 = not given by the layout


@dataclass
class PageLayout:
    fmt: PageFormat
    title: str | None
    blocks: list[Block]
    full_text: str  # every visible line, furniture included (dates, brand blocks)
    site: str | None = None
    language: str | None = None  # as the page declares it (html lang), if it does
    meta_dates: list[str] = field(default_factory=list)


_DROP_TAGS = ("script", "style", "noscript", "template", "svg", "iframe", "object", "canvas")
_BLOCK_TAGS = frozenset(BLOCK_TAGS) | {
    "article", "header", "footer", "nav", "aside", "main", "dl", "blockquote", "pre", "form",
    "figure", "figcaption", "caption",
}  # fmt: skip
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_ITEM = re.compile(r"^\s*(?:[-*+•●▪◦‣∙·–]|\d{1,2}[.)])\s+(?=\S)")
_MD_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$")
_MD_SETEXT = re.compile(r"^\s*(=+|-+)\s*$")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")


def _inline_md(text: str) -> str:
    """Markdown inline syntax to the words a reader sees: links keep their text."""
    text = _MD_LINK.sub(r"\1", text)
    for _ in range(2):
        text = _MD_EMPHASIS.sub(r"\2", text)
    return normalize(text.replace("\\", ""))


def _is_heading_line(line: str) -> bool:
    """A plain-text line that is a heading: no closing punctuation, short, not a list item."""
    if re.search(r"[.!?;,][\"')\]]*$", line) or len(line.split()) > 12:
        return False
    if re.search(r":\s+\S", line):
        return False  # "Label: value" is a field, not a heading
    if line.endswith(":") and len(line.split()) > 4:
        return False  # "People who should not take it include:" introduces a list
    return bool(re.search(r"[A-Za-z]", line))


def read_markdown(text: str) -> PageLayout:
    lines = text.splitlines()
    blocks: list[Block] = []
    title: str | None = None
    para: list[str] = []

    def flush() -> None:
        if para:
            joined = _inline_md(" ".join(para))
            if joined:
                kind: BlockKind = "para"
                if _is_heading_line(joined) and len(para) == 1 and _is_bold_line(para[0]):
                    blocks.append(Block("heading", joined, 0))
                else:
                    blocks.append(Block(kind, joined))
            para.clear()

    for i, raw in enumerate(lines):
        line = raw.rstrip()
        if not line.strip():
            flush()
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        m = _MD_HEADING.match(line)
        if m:
            flush()
            words = _inline_md(m.group(2))
            if words:
                level = len(m.group(1))
                blocks.append(Block("heading", words, level))
                if level == 1 and title is None:
                    title = words
            continue
        if _MD_SETEXT.match(nxt) and not _MD_ITEM.match(line) and not para:
            words = _inline_md(line)
            level = 1 if nxt.strip().startswith("=") else 2
            blocks.append(Block("heading", words, level))
            if level == 1 and title is None:
                title = words
            continue
        if _MD_SETEXT.match(line) or _MD_RULE.match(line):
            flush()
            continue
        item = _MD_ITEM.match(line)
        if item:
            flush()
            words = _inline_md(line[item.end() :])
            if words:
                blocks.append(Block("item", words))
            continue
        if line.lstrip().startswith("|") and line.rstrip().endswith("|"):
            flush()
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
                words = _inline_md(" ".join(c for c in cells if c))
                if words:
                    blocks.append(Block("para", words))
            continue
        para.append(line.strip().lstrip(">").strip())
    flush()
    blocks = _assign_levels(blocks)
    full = "\n".join(_inline_md(x) for x in lines if x.strip())
    return PageLayout("markdown", title, blocks, full)


def _is_bold_line(line: str) -> bool:
    s = line.strip()
    return bool(re.fullmatch(r"(\*\*|__).+\1:?", s))


def read_text(text: str) -> PageLayout:
    """Plain text: one block per line; hard-wrapped lines are joined back."""
    blocks: list[Block] = []
    for raw in text.splitlines():
        line = normalize(raw)
        if not line:
            continue
        item = _MD_ITEM.match(line)
        if item:
            words = line[item.end() :].strip()
            if words:
                blocks.append(Block("item", words))
            continue
        prev = blocks[-1] if blocks else None
        if (
            prev is not None
            and prev.kind == "para"
            and line[0].islower()
            and not re.search(r"[.!?:]$", prev.text)
        ):
            blocks[-1] = Block("para", f"{prev.text} {line}")
            continue
        if _is_heading_line(line) or (line.endswith("?") and len(line.split()) <= 12):
            blocks.append(Block("heading", line, 0))
        else:
            blocks.append(Block("para", line))
    title = next((b.text for b in blocks if b.kind == "heading"), None)
    full = "\n".join(b.text for b in blocks)
    return PageLayout("text", title, _assign_levels(_list_lines(blocks)), full)


def _list_lines(blocks: list[Block]) -> list[Block]:
    """Plain text lists its items without bullets: after a list sub-heading ("More common"),
    short lines are items until the next sub-heading or a heading that names a topic."""
    out: list[Block] = []
    in_list = False
    for b in blocks:
        if b.kind == "heading":
            if is_list_subheading(b.text):
                in_list = True
            elif in_list and heading_topic(b.text) is None:
                out.append(Block("item", b.text))
                continue
            else:
                in_list = False
        elif b.kind == "para":
            in_list = False
        out.append(b)
    return out


def _assign_levels(blocks: list[Block]) -> list[Block]:
    """Levels for headings the layout did not level: one that names a topic opens a section
    (level 2), one that names none ("More common", "Adults") sits under the last (level 3)."""
    out: list[Block] = []
    for b in blocks:
        if b.kind == "heading" and b.level == 0:
            level = 2 if heading_topic(b.text) is not None else 3
            out.append(Block("heading", b.text, level))
        else:
            out.append(b)
    return out


# --- HTML --------------------------------------------------------------------------------------


def _visible_text(root: etree._Element) -> str:
    """Every visible line of a cleaned tree, one line per block element."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        el.text = re.sub(r"\s+", " ", el.text) if el.text else el.text
        el.tail = re.sub(r"\s+", " ", el.tail) if el.tail else el.tail
    for el in root.iter(*_BLOCK_TAGS):
        el.tail = "\n" + (el.tail or "")
        if el.tag != "br":
            el.text = "\n" + (el.text or "")
    text = root.text_content()
    return "\n".join(n for n in (normalize(x) for x in text.splitlines()) if n)


_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_FURNITURE_TAGS = frozenset({"nav", "header", "footer", "aside", "form", "button", "select"})
_TEXT_BLOCKS = frozenset({"p", "li", "dt", "dd", "td", "th", "blockquote", "pre", "figcaption"})


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w°.,%/-]+", " ", normalize(text).lower()).split())


def _dom_blocks(body: etree._Element) -> list[Block]:
    """Headings (with their level), paragraphs and list items of the page, in order, outside
    the site's navigation, header, footer and asides."""
    out: list[Block] = []

    def text_of(el: etree._Element) -> str:
        parts: list[str] = []

        def walk(e: etree._Element, top: bool) -> None:
            if (
                not top
                and isinstance(e.tag, str)
                and (e.tag in _TEXT_BLOCKS or e.tag in _HEADINGS or e.tag in ("ul", "ol", "table"))
            ):
                return
            if e.text:
                parts.append(e.text)
            for child in e:
                walk(child, False)
                if child.tail:
                    parts.append(child.tail)

        walk(el, True)
        return normalize(" ".join(parts))

    def visit(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _FURNITURE_TAGS:
            return
        if tag in _HEADINGS:
            words = normalize(el.text_content())
            if words:
                out.append(Block("heading", words, _HEADINGS[tag]))
            return
        if tag in _TEXT_BLOCKS:
            words = text_of(el)
            if words:
                out.append(Block("item" if tag == "li" else "para", words))
        elif tag == "div" and el.text and el.text.strip():
            words = normalize(el.text)
            if words:
                out.append(Block("para", words))
        for child in el:
            visit(child)
            if tag == "div" and child.tail and child.tail.strip():
                out.append(Block("para", normalize(child.tail)))

    visit(body)
    return out


def _clean_tree(markup: str) -> etree._Element | None:
    try:
        root = lxml_html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        return None
    for el in list(root.iter(*_DROP_TAGS)):
        el.drop_tree()
    for el in list(root.iter(etree.Comment)):
        el.drop_tree()
    return root


def _site_and_title(root: etree._Element) -> tuple[str | None, str | None, str | None]:
    """(site name, document title, first h1) from the page's head and body."""
    site = None
    for meta in root.iter("meta"):
        prop = (meta.get("property") or meta.get("name") or "").lower()
        if prop in ("og:site_name", "application-name") and meta.get("content"):
            site = normalize(meta.get("content") or "")
    title_el = root.find(".//title")
    title = normalize(title_el.text_content()) if title_el is not None else None
    h1 = root.find(".//h1")
    heading = normalize(h1.text_content()) if h1 is not None else None
    return site, title or None, heading or None


def _meta_dates(root: etree._Element) -> list[str]:
    found: list[str] = []
    for meta in root.iter("meta"):
        prop = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if prop in (
            "article:modified_time",
            "og:updated_time",
            "datemodified",
            "last-modified",
            "dcterms.modified",
            "lastreviewed",
        ) and meta.get("content"):
            found.append(meta.get("content") or "")
    return found


def read_html(markup: str) -> PageLayout:
    root = _clean_tree(markup)
    if root is None:
        return PageLayout("html", None, [], "")
    lang = root.get("lang")
    site, title, h1 = _site_and_title(root)
    meta_dates = _meta_dates(root)
    body = root.find(".//body")
    if body is None:
        body = root
    blocks = _dom_blocks(body)
    article = _main_content(markup)
    if article:
        kept = {_key(b.text) for b in read_markdown(article).blocks}
        kept_text = " ".join(kept)
        blocks = [
            b
            for b in blocks
            if b.kind == "heading" or _key(b.text) in kept or _key(b.text) in kept_text
        ]
    full = _visible_text(body)
    head, title_site = html_title_parts(title)
    return PageLayout(
        "html",
        h1 or head,
        blocks,
        full,
        site=site or title_site,
        language=lang,
        meta_dates=meta_dates,
    )


def _main_content(markup: str) -> str:
    """The article as Markdown, cut from the site's furniture by trafilatura (lazy import:
    only HTML pages pay for it)."""
    import trafilatura

    try:
        out = trafilatura.extract(
            markup,
            output_format="markdown",
            include_formatting=True,
            include_tables=True,
            include_comments=False,
            include_links=False,
            include_images=False,
        )
    except (ValueError, TypeError, etree.LxmlError):
        return ""
    return out or ""


def html_title_parts(title: str | None) -> tuple[str | None, str | None]:
    """'Adalimumab: uses, dosage | Healthwise Online' → ('Adalimumab: uses, dosage', site)."""
    if not title:
        return None, None
    parts = re.split(r"\s+[|–—-]\s+", title)
    if len(parts) > 1:
        return parts[0].strip(), parts[-1].strip()
    return title, None
