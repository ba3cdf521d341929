"""Parse stage, after reading: the emphasis people type in plain text becomes `Emphasis`.

Writers without italics mark them with underscores (`_word_`, Project Gutenberg's convention) or
asterisks (`*word*`, fan fiction's and Usenet's); doubled (`**word**`, `__word__`) they mean strong
emphasis. A pair becomes emphasis only where it cannot mean anything else:

- the opening mark follows the start, a space, an opening bracket or quote, or a dash, and a
  character that is not a space follows it; the closing mark mirrors it. So `snake_case`,
  `5*3*2`, `file_name_v2`, a `* ` bullet and a lone `*` footnote mark stay as typed;
- the pair holds a letter or a digit (`***` is no emphasis of `*`);
- both marks stand in one paragraph, one heading, or one line of verse, never across them;
- nothing inside a web or e-mail address, and nothing in preformatted text (it is kept character
  for character);
- pairs nest (`*_both_*`) but do not cross: of `*a _b* c_` only the asterisks pair.

`/word/` is not read as emphasis: slashes mean too much else in stories (and/or, he/she, 1/2, dates,
paths and addresses). Markdown stories have their own emphasis and are left to the Markdown reader.

The marks are markup, not words: the nothing-lost check counts letters and digits only, so the
book losing the asterisks and underscores loses no word.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from ..model import AuthorNote, Block, BlockQuote, Boilerplate, EndNote, Emphasis, Heading, Inline, Paragraph, Story, Strong, Text, Verse

_MARK = re.compile(r"(?<!\*)\*{1,2}(?!\*)|(?<!_)_{1,2}(?!_)")
_ADDRESS = re.compile(r"(?:https?://|ftp://|www\.)\S+|(?<!\S)[^\s@]+@[^\s@]+\.\w+", re.I)
# What may stand before an opening mark and after a closing one, besides a space or the edge: brackets,
# quotes, dashes, and the other kind of mark (`*_both_*`).
_OPENS_AFTER = frozenset("([{\"'“‘«„‚—–-*_")
_CLOSES_BEFORE = frozenset(".,;:!?)]}\"'”’»—–-…*_")


@dataclass(frozen=True)
class _Mark:
    node: int  # index of the text node in the flat run
    start: int
    end: int
    text: str  # "*", "**", "_" or "__"
    opens: bool
    closes: bool


def _marks(nodes: list[Inline]) -> list[_Mark]:
    """Every emphasis mark in the text nodes of `nodes`, with whether it may open or close: judged
    by the characters around it, across node boundaries (a note reference counts as punctuation)."""
    found: list[_Mark] = []
    for n, node in enumerate(nodes):
        if not isinstance(node, Text) or ("*" not in node.text and "_" not in node.text):
            continue
        text = node.text
        shielded = [(m.start(), m.end()) for m in _ADDRESS.finditer(text)]
        for m in _MARK.finditer(text):
            if any(a <= m.start() < b for a, b in shielded):
                continue
            before = text[m.start() - 1] if m.start() else _edge(nodes, n, -1)
            after = text[m.end()] if m.end() < len(text) else _edge(nodes, n, 1)
            opens = (before == "" or before.isspace() or before in _OPENS_AFTER) and after != "" and not after.isspace()
            closes = before != "" and not before.isspace() and (after == "" or after.isspace() or after in _CLOSES_BEFORE)
            if opens or closes:
                found.append(_Mark(n, m.start(), m.end(), m.group(0), opens, closes))
    return found


def _edge(nodes: list[Inline], n: int, step: int) -> str:
    """The character beside node `n` in the next node that way: "" at the ends of the run."""
    k = n + step
    if not 0 <= k < len(nodes):
        return ""
    neighbour = nodes[k]
    if isinstance(neighbour, Text):
        return (neighbour.text[-1:] if step < 0 else neighbour.text[:1]) or _edge(nodes, k, step)
    return "."  # emphasis, a note reference: a boundary, like punctuation


def _pairs(nodes: list[Inline], marks: list[_Mark]) -> list[tuple[_Mark, _Mark]]:
    pairs: list[tuple[_Mark, _Mark]] = []
    stack: list[_Mark] = []
    for mark in marks:
        match = next((i for i in range(len(stack) - 1, -1, -1) if stack[i].text == mark.text), None) if mark.closes else None
        if match is not None and _holds_a_word(nodes, stack[match], mark):
            pairs.append((stack[match], mark))
            del stack[match:]  # marks opened inside and never closed stay text: pairs do not cross
        elif mark.opens:
            stack.append(mark)
    return pairs


def _holds_a_word(nodes: list[Inline], first: _Mark, last: _Mark) -> bool:
    if first.node == last.node:
        inner = nodes[first.node].text[first.end : last.start]  # type: ignore[union-attr]
        return any(ch.isalnum() for ch in inner)
    return True  # across nodes: a note reference or emphasis stands between


def _cut(nodes: list[Inline], marks: list[_Mark]) -> list[tuple[str, Inline | _Mark]]:
    """The run as a sequence of pieces: text pieces, other inlines, and the marks that pair."""
    by_node: dict[int, list[_Mark]] = {}
    for mark in marks:
        by_node.setdefault(mark.node, []).append(mark)
    pieces: list[tuple[str, Inline | _Mark]] = []
    for n, node in enumerate(nodes):
        if n not in by_node:
            pieces.append(("inline", node))
            continue
        text, pos = node.text, 0  # type: ignore[union-attr]
        for mark in sorted(by_node[n], key=lambda m: m.start):
            if mark.start > pos:
                pieces.append(("inline", Text(text[pos : mark.start])))
            pieces.append(("mark", mark))
            pos = mark.end
        if pos < len(text):
            pieces.append(("inline", Text(text[pos:])))
    return pieces


def _build(pieces: list[tuple[str, Inline | _Mark]], closers: dict[int, int]) -> tuple[Inline, ...]:
    """Nest the pieces: each opening mark's pieces up to its closing mark become its children."""
    out: list[Inline] = []
    i = 0
    while i < len(pieces):
        kind, value = pieces[i]
        if kind == "mark":
            end = closers[i]
            children = _build(pieces[i + 1 : end], {k - i - 1: v - i - 1 for k, v in closers.items() if i < k < end})
            out.append(Strong(children) if len(value.text) == 2 else Emphasis(children))  # type: ignore[union-attr]
            i = end + 1
        else:
            out.append(value)  # type: ignore[arg-type]
            i += 1
    return tuple(out)


def emphasize(nodes: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """`nodes` with each unambiguous pair of marks made emphasis (strong for doubled marks)."""
    flat = list(nodes)
    marks = _marks(flat)
    if not marks:
        return nodes
    pairs = _pairs(flat, marks)
    if not pairs:
        return nodes
    paired = {id(m) for pair in pairs for m in pair}
    pieces = _cut(flat, [m for m in marks if id(m) in paired])
    index = {id(value): i for i, (kind, value) in enumerate(pieces) if kind == "mark"}
    closers = {index[id(first)]: index[id(last)] for first, last in pairs}
    return _build(pieces, closers)


def _block(block: Block) -> Block:
    if isinstance(block, (Paragraph, Heading)):
        return dataclasses.replace(block, children=emphasize(block.children))
    if isinstance(block, Verse):
        return dataclasses.replace(block, lines=tuple(emphasize(line) for line in block.lines))
    if isinstance(block, (BlockQuote, AuthorNote)):
        return dataclasses.replace(block, blocks=tuple(_block(b) for b in block.blocks))
    return block  # scene breaks, and preformatted lines whose every character is kept


def _paragraphs(paras: tuple[Paragraph, ...]) -> tuple[Paragraph, ...]:
    return tuple(dataclasses.replace(p, children=emphasize(p.children)) for p in paras)


def _notes(notes: tuple[AuthorNote, ...]) -> tuple[AuthorNote, ...]:
    return tuple(dataclasses.replace(n, blocks=tuple(_block(b) for b in n.blocks)) for n in notes)


def with_plain_emphasis(story: Story) -> Story:
    """The story with the emphasis typed in its text made `Emphasis`, wherever inline text is."""
    return dataclasses.replace(
        story,
        summary=_paragraphs(story.summary),
        fields=tuple(dataclasses.replace(f, value=emphasize(f.value)) for f in story.fields),
        disclaimer=_paragraphs(story.disclaimer),
        notes_before=_notes(story.notes_before),
        body=tuple(_block(b) for b in story.body),
        notes_after=_notes(story.notes_after),
        trailer=_paragraphs(story.trailer),
        endnotes=tuple(_endnote(n) for n in story.endnotes),
        boilerplate=tuple(_boilerplate(b) for b in story.boilerplate),
    )


def _endnote(note: EndNote) -> EndNote:
    return dataclasses.replace(note, body=emphasize(note.body))


def _boilerplate(part: Boilerplate) -> Boilerplate:
    return dataclasses.replace(part, blocks=tuple(_block(b) for b in part.blocks))
