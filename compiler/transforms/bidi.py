"""Transform stage: the directional overrides (U+202D, U+202E) are dropped, with a warning.

An override makes every letter after it, to the end of its paragraph, run the other way: “abc‮def”
prints as “abcfed”. In a story it is a paste from a site's markup or a trick (text that reads one
way and is stored another, CVE-2021-42574); a reader sees mirrored words, and the PDF's text, read
in the order it is drawn, no longer holds the words the source does, so the nothing-lost check
failed a book whose words were all there. Right-to-left languages need no override (Unicode's
algorithm orders Hebrew and Arabic by itself), and the embeddings and isolates that mixed text
does need (U+202A, U+202B, U+2066–U+2069) are kept. A pop (U+202C) left without its override
closes nothing and draws nothing.
"""

from __future__ import annotations

import re
from typing import Any

from ..diagnostics import Diagnostic, diagnostic
from ..model import Story
from .rewrite import UNTOUCHED, Leaf, rewrite

_OVERRIDE = re.compile("[\u202d\u202e]")


def _leaf(found: dict[int, int]) -> Leaf:
    def dropped(value: Any, line: int) -> Any:
        if not isinstance(value, str):
            return UNTOUCHED
        text, count = _OVERRIDE.subn("", value)
        if count:
            found[line] = found.get(line, 0) + count
        return text

    return dropped


def drop_overrides(story: Story) -> tuple[Story, list[Diagnostic]]:
    found: dict[int, int] = {}
    walked = rewrite(story, _leaf(found))
    return walked, [diagnostic("A008", story.source.path, line, count=count) for line, count in sorted(found.items())]
