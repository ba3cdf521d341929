"""Parse stage: small operations on inline trees that the structured readers share.

Markdown and HTML readers build `Inline` trees; furniture recognition then needs to cut a label
("*Disclaimer:*") off the front of a paragraph whatever markup it sits in, and to turn note markers
("[^3]", "[1]") inside text nodes into `NoteRef`s. Both walk the tree and touch text nodes only.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from ..model import Inline, NoteRef, Text, plain_text
from ..scripts import join_space


def drop_prefix(nodes: tuple[Inline, ...], count: int) -> tuple[Inline, ...]:
    """The inline content without its first `count` characters of text (markup kept), left-trimmed."""
    out: list[Inline] = []
    for node in nodes:
        if count <= 0:
            out.append(node)
            continue
        if isinstance(node, Text):
            if len(node.text) <= count:
                count -= len(node.text)
                continue
            out.append(Text(node.text[count:]))
            count = 0
        else:
            size = len(plain_text(node.children))
            if size <= count:
                count -= size
                continue
            out.append(dataclasses.replace(node, children=drop_prefix(node.children, count)))
            count = 0
    return strip_start(tuple(out))


def strip_start(nodes: tuple[Inline, ...]) -> tuple[Inline, ...]:
    if nodes and isinstance(nodes[0], Text):
        head = nodes[0].text.lstrip()
        return ((Text(head),) if head else ()) + nodes[1:]
    return nodes


# The first branch starts only where a run of spaces starts (where its leftmost match starts anyway):
# tried at every space of a long run without a line break, it took time quadratic in the run.
_SPACE_RUN = re.compile(r"(?<![ \t\n\u00a0])[ \t\n\u00a0]*\n[ \t\n\u00a0]*|[ \t]{2,}")


def squash_space(nodes: tuple[Inline, ...], before: str = "", after: str = "") -> tuple[Inline, ...]:
    """Soft line breaks and runs of spaces become one space: the re-flow of hard-wrapped source.
    A line break between two Chinese or Japanese characters goes without a trace (scripts.py);
    `before` and `after` are the text around these nodes, since a break may end or start one."""
    out: list[Inline] = []
    texts = [plain_text((node,)) for node in nodes]
    for i, node in enumerate(nodes):
        following = next((t for t in texts[i + 1 :] if t), "") or after
        if isinstance(node, Text):
            source = node.text

            def replace(m: re.Match[str], source: str = source, following: str = following) -> str:
                if "\n" not in m.group(0):
                    return " "
                return join_space(source[: m.start()][-1:] or before, source[m.end() :][:1] or following[:1])  # noqa: B023 (called at once)

            text = _SPACE_RUN.sub(replace, source)
            if text:
                out.append(Text(text))
        else:
            node = dataclasses.replace(node, children=squash_space(node.children, before, following))
            out.append(node)
            text = plain_text((node,))
        before = text[-1:] or before
    return tuple(out)


def split_markers(
    nodes: tuple[Inline, ...], pattern: re.Pattern[str], make: Callable[[re.Match[str]], Inline | None]
) -> tuple[Inline, ...]:
    """Replace every match of `pattern` in text nodes with `make(match)` (None: leave the text)."""
    out: list[Inline] = []
    for node in nodes:
        if isinstance(node, NoteRef):
            out.append(node)
        elif isinstance(node, Text):
            pos = 0
            for m in pattern.finditer(node.text):
                made = make(m)
                if made is None:
                    continue
                if m.start() > pos:
                    out.append(Text(node.text[pos : m.start()]))
                out.append(made)
                pos = m.end()
            if pos < len(node.text):
                out.append(Text(node.text[pos:]))
        else:
            out.append(dataclasses.replace(node, children=split_markers(node.children, pattern, make)))
    return tuple(out)


def trim(nodes: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """A line without the spaces around it."""
    out = list(nodes)
    if out and isinstance(out[0], Text):
        out[0] = Text(out[0].text.lstrip())
    if out and isinstance(out[-1], Text):
        out[-1] = Text(out[-1].text.rstrip())
    return tuple(n for n in out if not (isinstance(n, Text) and not n.text))
