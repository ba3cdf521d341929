"""Transform stage: a word longer than a line gets places to break, with a warning.

A 5,000-character word took 143 s to lay out in the classic theme and 10,000 never finished:
hyphenation looks for breaks in the whole word, and no break is ever good enough. Nothing in a
book needs a word of more than a line, so a run of over LONGEST characters without a space gets a
soft hyphen every STEP characters: the line may break there with a hyphen (the renderer's own
hyphen, which the nothing-lost check joins up again), the text reads the same, and the soft hyphens
draw nothing elsewhere (check.py leaves them out too). A zero-width space would break the line as
well, but a PDF's text gives no sign of it, so the word would come back out as several.

A run of spaces longer than a line is made one space: a line draws it as one anyway (or, in a
poem's lines, could not hold it), and weasyprint took 10 s over a paragraph holding 100,000.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from ..diagnostics import Diagnostic, diagnostic
from ..model import Story, Text
from .rewrite import UNTOUCHED, Leaf, rewrite

LONGEST = 80
STEP = 40
_LONG = re.compile(rf"[^\s\u00ad]{{{LONGEST + 1},}}")
_BREAK = "\u00ad"
_LONG_SPACE = re.compile(rf"[ \t]{{{LONGEST + 1},}}")


def _broken(word: re.Match[str]) -> str:
    text = word.group()
    return _BREAK.join(text[k:k + STEP] for k in range(0, len(text), STEP))


def _leaf(found: dict[int, int]) -> Leaf:
    def broken(value: Any, line: int) -> Any:
        if not isinstance(value, Text):
            return UNTOUCHED
        text = _LONG_SPACE.sub(" ", value.text)
        longest = max((len(m.group()) for m in _LONG.finditer(text)), default=0)
        if longest:
            found[line] = max(found.get(line, 0), longest)
            text = _LONG.sub(_broken, text)
        return value if text == value.text else dataclasses.replace(value, text=text)

    return broken


def break_long_words(story: Story) -> tuple[Story, list[Diagnostic]]:
    found: dict[int, int] = {}
    walked = rewrite(story, _leaf(found))
    return walked, [
        diagnostic("A007", story.source.path, line, length=length, step=STEP) for line, length in sorted(found.items())
    ]
