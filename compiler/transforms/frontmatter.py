"""Transform stage: the rights page, gathered from every story's disclaimer.

Identical disclaimers (compared without case, spacing or punctuation style) are merged into one
entry that credits every story carrying it, in reading order.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..model import Anthology, Paragraph, RightsEntry, Story, plain_text


def _key(paras: tuple[Paragraph, ...]) -> str:
    text = " ".join(plain_text(p.children) for p in paras)
    return re.sub(r"\W+", " ", text).strip().casefold()


def _credit(story: Story) -> tuple[str, str]:
    return (story.title, " & ".join(story.authors))


def gather_rights(anthology: Anthology) -> Anthology:
    entries: dict[str, RightsEntry] = {}
    for story in anthology.stories:
        if not story.disclaimer:
            continue
        key = _key(story.disclaimer)
        if key in entries:
            old = entries[key]
            entries[key] = RightsEntry(old.text, old.credits + (_credit(story),))
        else:
            entries[key] = RightsEntry(story.disclaimer, (_credit(story),))
    return Anthology(anthology.meta, anthology.stories, tuple(entries.values()))


def merged_away(anthology: Anthology) -> dict[Path, str]:
    """The disclaimers left off the rights page because an identical one stands there already,
    by story file: the nothing-lost check must not expect their words twice."""
    seen: set[str] = set()
    dropped: dict[Path, str] = {}
    for story in anthology.stories:
        if not story.disclaimer:
            continue
        key = _key(story.disclaimer)
        if key in seen:
            dropped[story.source.path] = " ".join(plain_text(p.children) for p in story.disclaimer)
        seen.add(key)
    return dropped
