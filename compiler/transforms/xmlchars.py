"""Transform stage: characters XML cannot hold are dropped from the model, with a warning.

A story may carry them past its reader (`&#1;` in HTML is a valid reference to an invalid
character; a Markdown story can hold `&#x1b;`), and one of them in a title or a paragraph makes
every document that shows it unwritable, which used to surface as the theme's fault (T010). They
draw nothing, so they are left out as the text reader leaves out raw control bytes (A002).
Whatever a reader does, no such character reaches the renderer.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, warning
from ..model import NOT_XML, Story
from .rewrite import UNTOUCHED, Leaf, rewrite


def _leaf(found: dict[int, set[str]]) -> Leaf:
    def cleaned(value: Any, line: int) -> Any:
        if not isinstance(value, str):
            return UNTOUCHED
        bad = NOT_XML.findall(value)
        if not bad:
            return value
        found.setdefault(line, set()).update(bad)
        return NOT_XML.sub("", value)

    return cleaned


def _has_any(value: Any) -> bool:
    """A quick look first (most books have none): a walk with a stack, no recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if NOT_XML.search(item):
                return True
        elif isinstance(item, tuple):
            stack.extend(item)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            stack.extend(getattr(item, f.name) for f in dataclasses.fields(item))
    return False


def xml_safe(story: Story) -> tuple[Story, list[Diagnostic]]:
    if not _has_any(story):
        return story, []
    found: dict[int, set[str]] = {}
    cleaned = rewrite(story, _leaf(found))
    path: Path = story.source.path
    return cleaned, [
        warning("A002", f"dropped control character(s) {', '.join(f'U+{ord(c):04X}' for c in sorted(chars))}, which no book can hold", path, line)
        for line, chars in sorted(found.items())
    ]
