"""Parse stage: lines whose columns matter — ASCII art, boxes drawn in line characters, tables.

Such a block is drawn on a fixed grid: re-flowing it, justifying it or setting it in a
proportional font scrambles it. It becomes a `Preformatted` block, set in monospace.

Recognition is deliberately conservative, because a false positive turns prose into a grey
monospace slab: three or more lines, and either (a) most characters are punctuation, symbols or
line-drawing characters on most lines (a picture, a banner, a box), or (b) most lines have a gap
of two or more spaces inside them that starts a field at the same column (a table). Prose fails
both: letters dominate, and sentence gaps ("end.  Next") do not line up down the page.
"""

from __future__ import annotations

import re
from collections import Counter

from ..scripts import columns
from .separators import is_separator

_MIN_LINES = 3
_MIN_INK = 12  # non-space characters: fewer cannot draw anything
_SYMBOLIC = 0.6  # share of non-space characters that are not letters or digits, overall
_SYMBOLIC_LINE = 0.5  # … and on two lines in three at least
_MOST = 0.75
_FIELD = re.compile(r"(?<=\S)( {2,})(?=\S)")
_QUOTED = re.compile(r"^[\"“”'‘’].*[\"“”'’‘]$")


def _symbolic_share(text: str) -> float:
    ink = [ch for ch in text if not ch.isspace()]
    return sum(not ch.isalnum() for ch in ink) / len(ink) if ink else 0.0


def _drawn(rows: list[str]) -> bool:
    ink = sum(1 for row in rows for ch in row if not ch.isspace())
    if ink < _MIN_INK or max(columns(row.strip()) for row in rows) < 5:
        return False
    # Lines of nothing but quoted punctuation are dialogue ("…", "?!"), not a drawing.
    if sum(bool(_QUOTED.match(row.strip())) for row in rows) * 2 >= len(rows):
        return False
    dense = sum(_symbolic_share(row) >= _SYMBOLIC_LINE for row in rows)
    return _symbolic_share("".join(rows)) >= _SYMBOLIC and dense * 3 >= 2 * len(rows)


def _aligned(rows: list[str]) -> bool:
    starts: Counter[int] = Counter()
    gapped = 0
    for row in rows:
        found = {m.end() for m in _FIELD.finditer(row)}
        gapped += bool(found)
        starts.update(found)
    if gapped < _MOST * len(rows):
        return False
    return bool(starts) and starts.most_common(1)[0][1] >= max(_MIN_LINES, _MOST * len(rows))


def dedent(lines: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The lines with tabs expanded (to 8 columns, as terminals do) and the common indent removed."""
    rows = [line.expandtabs(8).rstrip() for line in lines]
    indent = min((len(r) - len(r.lstrip()) for r in rows if r.strip()), default=0)
    return tuple(r[indent:] for r in rows)


def is_preformatted(lines: tuple[str, ...] | list[str]) -> bool:
    rows = [r for r in dedent(lines) if r.strip()]
    if len(rows) < _MIN_LINES:
        return False
    if all(is_separator(r) for r in rows):  # a stack of "***" lines is scene breaks, not a picture
        return False
    return _drawn(rows) or _aligned(rows)
