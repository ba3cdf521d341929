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


def _groups(anthology: Anthology) -> list[list[Story]]:
    """Stories with a disclaimer, grouped by identical disclaimer, groups and members in reading order."""
    groups: dict[str, list[Story]] = {}
    for story in anthology.stories:
        if story.disclaimer:
            groups.setdefault(_key(story.disclaimer), []).append(story)
    return list(groups.values())


def gather_rights(anthology: Anthology) -> Anthology:
    rights = tuple(RightsEntry(group[0].disclaimer, tuple(_credit(s) for s in group)) for group in _groups(anthology))
    return Anthology(anthology.meta, anthology.stories, rights)


def merged_away(anthology: Anthology) -> dict[Path, str]:
    """The disclaimers left off the rights page because an identical one stands there already,
    by story file: the nothing-lost check must not expect their words twice."""
    return {
        story.source.path: " ".join(plain_text(p.children) for p in story.disclaimer)
        for group in _groups(anthology)
        for story in group[1:]
    }
