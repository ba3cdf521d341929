"""Parse stage, HTML: trees of any depth, read without recursion running out.

The readers and the templates walk the tree recursively, a few Python frames a level, and libxml2
stops at 256 levels unless told otherwise (it then drops everything deeper, silently). Pages hold
a few dozen levels at most; hundreds are a generator's bug or an attack (300 nested `<div>`s,
250 unclosed `<i>`s). So pages are parsed with `huge_tree` (no depth cap, nothing dropped) and
every element deeper than MAX_DEPTH is flattened: its subtree becomes plain paragraphs of its
text, one per block it held, with its inline markup (emphasis) let go. Every word stays; only
structure nobody could see at that depth is lost, and the reader says so (A005).
"""

from __future__ import annotations

import lxml.html
from lxml import etree

from pathlib import Path

from ..diagnostics import Diagnostic, diagnostic
from ..sourcetext import BLOCK_TAGS
from ..model import NOT_XML

MAX_DEPTH = 40


def html_parser() -> lxml.html.HTMLParser:
    return lxml.html.HTMLParser(huge_tree=True, no_network=True)


def _local(node: etree._Element) -> str:
    # The tag's own string, not etree.QName(node), which validates the name: libxml2's HTML parser
    # keeps names that QName refuses (`<iD<i>` is an element named "id<i"; found by fuzzing).
    return node.tag.rpartition("}")[2].lower() if isinstance(node.tag, str) else ""


def _depths(root: etree._Element) -> etree._Element | None:
    """The first element below MAX_DEPTH levels (iterwalk: lxml's own loop, no recursion here)."""
    depth = 0
    for event, el in etree.iterwalk(root, events=("start", "end")):
        if event == "start":
            depth += 1
            if depth > MAX_DEPTH:
                return el
        else:
            depth -= 1
    return None


def _paragraphs(el: etree._Element) -> list[str]:
    """The text of a subtree, split at the edges of its blocks, without recursion."""
    chunks: list[str] = [""]
    for event, node in etree.iterwalk(el, events=("start", "end")):
        block = _local(node) in BLOCK_TAGS
        if event == "start":
            if block:
                chunks.append("")
            if isinstance(node.tag, str) and node.text:
                chunks[-1] += node.text
        else:
            if block:
                chunks.append("")
            if node is not el and node.tail:
                chunks[-1] += node.tail
    # Set again on the tree below, where lxml refuses control characters the HTML parser kept (`&#1;`).
    return [c for c in (NOT_XML.sub("", c) for c in chunks) if c.strip()]


def flatten_deep(root: etree._Element) -> int:
    """Flatten every element deeper than MAX_DEPTH in place; how many subtrees were flattened."""
    count = 0
    while (deep := _depths(root)) is not None:
        # The deep element's grandparent keeps its place and its content becomes paragraphs: they
        # stand one level above the deep element, within the limit, so the walk ends.
        parent = deep.getparent()
        holder = parent.getparent() if parent is not None else None
        assert holder is not None  # MAX_DEPTH > 2: the root is never deep
        paragraphs = _paragraphs(holder)
        tail = holder.tail
        for child in list(holder):
            holder.remove(child)
        holder.text = None
        local = _local(holder)
        prefix = holder.tag.partition("}")[0] + "}" if holder.tag.startswith("{") else ""
        if local in BLOCK_TAGS - {"p"}:
            for text in paragraphs:
                etree.SubElement(holder, prefix + "p").text = text
        else:  # a paragraph or an inline element holds lines, not paragraphs
            holder.text = paragraphs[0] if paragraphs else None
            for text in paragraphs[1:]:
                etree.SubElement(holder, prefix + "br").tail = text
        holder.tail = tail
        count += 1
    return count


def deep_warning(path: Path) -> Diagnostic:
    return diagnostic("A005", path, depth=MAX_DEPTH)
