"""Transform stage: model in, model out. Each transform is pure and idempotent."""

from __future__ import annotations

import dataclasses

from ..diagnostics import Diagnostic, info
from ..model import Anthology, Story
from .bidi import drop_overrides
from .breaks import keep_dashes
from .frontmatter import gather_rights
from .language import with_language
from .longwords import break_long_words
from .notes import link_glossary
from .typography import typography
from .xmlchars import xml_safe


def transform(anthology: Anthology) -> tuple[Anthology, list[Diagnostic]]:
    diagnostics: list[Diagnostic] = []
    stories = []
    for story in anthology.stories:
        story, dropped = xml_safe(story)  # first: no later stage sees a character XML cannot hold
        diagnostics += dropped
        story, mirrored = drop_overrides(story)  # before the check's words are counted from the model
        diagnostics += mirrored
        story, broken = break_long_words(story)  # before layout: hyphenating a huge word never ends
        diagnostics += broken
        story = with_language(story, anthology.meta.language)
        story, found = link_glossary(keep_dashes(typography(story, anthology.meta.language)))
        diagnostics += found
        stories.append(story)
    diagnostics += _book_language_hint(stories, anthology.meta.language)
    return gather_rights(dataclasses.replace(anthology, stories=tuple(stories))), diagnostics


def _book_language_hint(stories: list[Story], book_language: str) -> list[Diagnostic]:
    """The book's own language (its `lang`, its metadata, the language of its title page and
    contents) stays the manifest's, `en` unless it says otherwise: that is the language of the
    book's furniture, and each story carries its own. When every story is in one other language,
    the user most likely wants the book in it too, and is told how."""
    found = {s.language for s in stories}
    if len(found) != 1 or not stories:
        return []
    (language,) = found
    if not language or language == book_language:
        return []
    return [info("A030", f'every story is in “{language}”; set language = "{language}" in anthology.toml to make it the book\'s language too')]
