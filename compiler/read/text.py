"""Parse stage, plain text: lines to the common stream of candidate blocks (stream.py).

Layout does the cutting (layout.py: blank lines, indents, one paragraph per line, separator lines)
and art.py finds drawings; this module only measures what each block looks like on the page — its
indent, whether it stands centred or flush right in the file's usual line width, the blank lines
before it — and hands the blocks on. What they are is decided by the recogniser.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..diagnostics import info
from ..model import Text
from ..scripts import columns
from .art import dedent
from .layout import Chunk, chunk
from .scrape import unecho
from .stream import PARA, PRE, RULE, Candidate, Document

_WIDTH = 72  # a typewriter or mail line, when the file gives no width of its own
_TAB = 8


def file_width(lines: list[str]) -> int:
    """The file's hard wrap: the length most long lines reach (its 90th percentile), or a mail
    line's 72 when its paragraphs are one line each."""
    sizes = sorted(columns(line.expandtabs(_TAB).rstrip()) for line in lines if len(line.strip()) >= 20)
    if not sizes:
        return _WIDTH
    wrap = sizes[int(len(sizes) * 0.9) - 1 if len(sizes) >= 10 else -1]
    return wrap if 40 <= wrap <= 100 else _WIDTH


def _placement(c: Chunk, width: int) -> tuple[int, bool, bool]:
    """Indent, centred, flush right: measured on every line of the chunk (tabs at 8 columns)."""
    rows = [line.expandtabs(_TAB).rstrip() for line in c.lines]
    lefts = [len(r) - len(r.lstrip()) for r in rows if r.strip()]
    if not lefts:
        return 0, False, False
    indent = min(lefts)
    ends = [columns(r) for r in rows if r.strip()]
    short = all(columns(r.strip()) <= 0.75 * width for r in rows if r.strip())
    # Set off towards the middle: well in from the left margin and clear of the right one. Authors
    # centre with spaces or tabs by eye, so "centred" is not symmetric to the column.
    centred = short and indent >= max(10, 0.15 * width) and max(ends) <= width + 4
    right = short and indent >= 0.4 * width and all(abs(e - max(ends)) <= 2 for e in ends) and max(ends) >= width - 12
    if right and len(rows) == 1 and abs(indent - (width - max(ends))) <= 8:
        right = False  # a short line in the middle is centred, not flush right
    return indent, centred and not right, right


def _labelled_lines(chunks: list[Chunk]) -> list[Chunk]:
    """A header a downloader writes as one block ("Title: …", "Pairing: …", "Disclaimer: …",
    "Author's Note: …" on consecutive lines) is one block per line, when a note or disclaimer is
    among them: fields, disclaimer and note are read each on its own."""
    from .headers import FIELD
    from .recognise import evidence as ev

    out: list[Chunk] = []
    for c in chunks:
        notes = [bool(ev.DISCLAIMER.match(line) or ev.AUTHOR_NOTE.match(line) or ev.SUMMARY.match(line)) for line in c.lines]
        if len(c.lines) > 1 and any(notes) and all(n or FIELD.match(line.strip()) for n, line in zip(notes, c.lines)):
            out += [Chunk((line,), c.line_of(k), c.gap_before if k == 0 else 0, numbers=(c.line_of(k),)) for k, line in enumerate(c.lines)]
        else:
            out.append(c)
    return out


def _display_lines(chunks: list[Chunk], width: int) -> list[Chunk]:
    """Two or three lines each centred on its own (a title over a byline, "-end-" over a
    copyright line) are separate lines, not one paragraph."""
    out: list[Chunk] = []
    for c in chunks:
        rows = [line.expandtabs(_TAB) for line in c.lines]
        lefts = [len(r) - len(r.lstrip()) for r in rows]
        # Each centred on its own: every line starts elsewhere, or the lines share a middle but not
        # a margin ('"Title"' / 'By' / 'Name' set with tabs: two of them may start at one column).
        middles = [left + columns(r.strip()) / 2 for left, r in zip(lefts, rows)]
        own = len(set(lefts)) == len(rows) or (len(set(lefts)) > 1 and max(middles) - min(middles) <= 2)
        if 2 <= len(rows) <= 3 and not c.preformatted and min(lefts) >= 10 and own and all(
            columns(r.strip()) <= 0.75 * width for r in rows
        ):
            out += [Chunk((line,), c.line_of(k), c.gap_before if k == 0 else 0, numbers=(c.line_of(k),)) for k, line in enumerate(c.lines)]
        else:
            out.append(c)
    return out


_WORDS_ONLY = re.compile(r"^[\w\s.,:;!?'\"“”‘’()&/-]+$")  # a line of words, no drawing in it


def _boxed_lines(chunks: list[Chunk]) -> list[Chunk]:
    """A line or two of words between two drawn rows ("-----" / "TITLE  by NAME" / "-----") is a
    title block in a box, not a drawing: the rows are separators, the words a line of text."""
    from .separators import is_separator

    out: list[Chunk] = []
    for c in chunks:
        rows = c.lines
        inner = rows[1:-1]
        if (c.preformatted and 3 <= len(rows) <= 4 and is_separator(rows[0]) and is_separator(rows[-1])
                and all(line.strip() and not is_separator(line) and len(line.split()) <= 14 and _WORDS_ONLY.match(line) for line in inner)):
            last = len(rows) - 1
            out.append(Chunk((rows[0],), c.line_of(0), c.gap_before, separator=True, numbers=(c.line_of(0),)))
            out.append(Chunk(inner, c.line_of(1), 0, numbers=tuple(c.line_of(k) for k in range(1, last))))
            out.append(Chunk((rows[-1],), c.line_of(last), 0, separator=True, numbers=(c.line_of(last),)))
        else:
            out.append(c)
    return out


def read_text(text: str, path: Path) -> Document:
    unechoed = unecho(text)
    lines = unechoed.text.split("\n")
    width = file_width(lines)
    stream: list[Candidate] = []
    for c in _display_lines(_boxed_lines(_labelled_lines(chunk(unechoed.text))), width):
        indent, centred, right = _placement(c, width)
        common = dict(line=c.line, gap=c.gap_before, raw=c.lines, numbers=c.numbers, indent=indent, centred=centred, right=right)
        if c.separator:
            stream.append(Candidate(RULE, (Text(c.text.strip()),), **common))  # type: ignore[arg-type]
        elif c.preformatted:
            stream.append(Candidate(PRE, **{**common, "raw": dedent(c.lines)}))  # type: ignore[arg-type]
        else:
            rows = tuple((Text(" ".join(line.split())),) for line in c.lines)
            stream.append(Candidate(PARA, (Text(c.text),), lines=rows if len(rows) > 1 else (), **common))  # type: ignore[arg-type]
    doc = Document(path, "text", stream, consumed=list(unechoed.consumed), width=width)
    if unechoed.chapters:
        doc.diagnostics.append(info("A120", f"{unechoed.chapters} chapter(s) were saved twice by a scraper; kept one copy", path))
    return doc
