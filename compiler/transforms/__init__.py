"""Transform stage: model in, model out. Each transform is pure and idempotent."""

from __future__ import annotations

import dataclasses

from ..diagnostics import Diagnostic
from ..model import Anthology
from .breaks import keep_dashes
from .frontmatter import gather_rights
from .language import with_language
from .notes import link_glossary
from .typography import typography


def transform(anthology: Anthology) -> tuple[Anthology, list[Diagnostic]]:
    diagnostics: list[Diagnostic] = []
    stories = []
    for story in anthology.stories:
        story = with_language(story, anthology.meta.language)
        story, found = link_glossary(keep_dashes(typography(story, anthology.meta.language)))
        diagnostics += found
        stories.append(story)
    return gather_rights(dataclasses.replace(anthology, stories=tuple(stories))), diagnostics
