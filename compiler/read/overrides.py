"""Parse stage, after reading: what the manifest says about a story wins over what was recognised.

Every field `inspect` reports can be set per story in anthology.toml (`[stories."FILE"]`): title,
author(s), summary, disclaimer, the header fields (rating, genre, pairing, warnings…), language,
the author's notes, where sections start (or none), the name of an untitled first part, and which
scene breaks count. Text an override replaces is returned as `replaced`: the user left it out on
purpose, so the nothing-lost check does not look for it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any
from pathlib import Path

from ..config import MANIFEST, StoryOverride
from ..diagnostics import Diagnostic, info, warning
from ..model import AuthorNote, Block, Field, Heading, Paragraph, SceneBreak, Story, Text, plain_text
from .sections import number_headings, with_first_section


@dataclass(frozen=True)
class Overridden:
    story: Story
    replaced: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]


def _para(text: str) -> Paragraph:
    return Paragraph((Text(text),))


def _texts(blocks: tuple[Block, ...]) -> list[str]:
    out: list[str] = []
    for b in blocks:
        if isinstance(b, (Paragraph, Heading)):
            out.append(plain_text(b.children))
        elif hasattr(b, "blocks"):
            out += _texts(b.blocks)
        elif hasattr(b, "lines"):
            out += [line if isinstance(line, str) else plain_text(line) for line in b.lines]
    return out


def _fields(story: Story, wanted: dict[str, str], replaced: list[str]) -> tuple[Field, ...]:
    fields = list(story.fields)
    for key, value in wanted.items():
        found = next((i for i, f in enumerate(fields) if f.key == key), None)
        if found is not None:
            replaced.append(plain_text(fields[found].value))
            if value:
                fields[found] = dataclasses.replace(fields[found], value=(Text(value),))
            else:
                del fields[found]
        elif value:
            fields.append(Field(key, key.capitalize(), (Text(value),)))
    return tuple(fields)


def _scene_breaks(body: tuple[Block, ...], which: str) -> tuple[Block, ...]:
    if which == "none":
        return tuple(b for b in body if not isinstance(b, SceneBreak))
    if which == "marked":  # blank-line gaps are only spacing in this file
        return tuple(b for b in body if not (isinstance(b, SceneBreak) and not b.marked))
    return body


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _sections(body: tuple[Block, ...], wanted: bool | tuple[str | int, ...], where: Path) -> tuple[tuple[Block, ...], list[Diagnostic]]:
    """No sections (False), or exactly the listed ones: a heading text or a source line number."""
    texts = {_key(w) for w in wanted if isinstance(w, str)} if not isinstance(wanted, bool) else set()
    lines = {w for w in wanted if isinstance(w, int)} if not isinstance(wanted, bool) else set()
    found: set[str | int] = set()
    out: list[Block] = []
    for b in body:
        if isinstance(b, (Paragraph, Heading)):
            key = _key(plain_text(b.children))
            hit = key in texts or (b.line in lines and b.line > 0)
            if hit:
                found.add(key if key in texts else b.line)
                b = b if isinstance(b, Heading) else Heading(b.children, "", b.line)
            elif isinstance(b, Heading):
                b = Paragraph(b.children, b.line)  # its text stays, as a paragraph
        out.append(b)
    missing = [w for w in wanted if (_key(w) if isinstance(w, str) else w) not in found] if not isinstance(wanted, bool) else []
    diagnostics = [
        warning("A150", f"sections: no paragraph of the story is {w!r}; give its exact text or its line number", where)
        for w in missing
    ]
    return number_headings(tuple(out)), diagnostics


def apply_overrides(story: Story, override: StoryOverride | None) -> Overridden:
    path = story.source.path
    manifest = path.parent / MANIFEST
    o = override or StoryOverride()
    replaced: list[str] = []
    diagnostics: list[Diagnostic] = []
    changes: dict[str, Any] = {}
    if o.title:
        changes.update(title=o.title, title_guessed=False)
        if not story.title_guessed:
            replaced.append(story.title)
    if (authors := o.named_authors()) is not None:
        changes["authors"] = authors
        replaced += story.authors
    if o.summary is not None:
        changes["summary"] = (_para(o.summary),) if o.summary else ()
        replaced += _texts(story.summary)
    if o.disclaimer is not None:
        changes["disclaimer"] = (_para(o.disclaimer),) if o.disclaimer else ()
        replaced += _texts(story.disclaimer)
    if o.fields:
        changes["fields"] = _fields(story, o.fields, replaced)
    if o.language:
        changes["language"] = o.language
    for name, notes in (("notes_before", o.notes_before), ("notes_after", o.notes_after)):
        if notes is not None:
            changes[name] = tuple(AuthorNote((_para(n),)) for n in notes)
            replaced += [t for note in getattr(story, name) for t in _texts(note.blocks)]
    body = story.body
    if o.scene_breaks:
        body = _scene_breaks(body, o.scene_breaks)
    if o.sections is not None and o.sections is not True:
        body, found = _sections(body, o.sections, manifest)
        diagnostics += found
    if o.sections is not False:
        with_first = with_first_section(body, o.first_section)
        if len(with_first) != len(body):
            added = next(b for b in with_first if isinstance(b, Heading) and b.synthesized)
            diagnostics.append(
                info(
                    "A141",
                    f"the first part has no heading while the later ones do: added “{plain_text(added.children)}” "
                    f'(listed in the contents); name it with [stories."{path.name}"] first_section = "…"',
                    path,
                    added.line,
                )
            )
        body = with_first
    changes["body"] = body
    return Overridden(dataclasses.replace(story, **changes), tuple(r for r in replaced if r), tuple(diagnostics))
