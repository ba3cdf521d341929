"""Render stage: the view model handed to templates.

Templates only loop and branch; every decision (file names, hrefs, labels, which parts exist) is
made here, from the model. Values are plain dicts so a theme author can read them in a template.
"""

from __future__ import annotations

import re
from typing import Any

from ..scripts import columns
from ..transforms.language import is_right_to_left
from ..model import (
    Anthology,
    AuthorNote,
    Block,
    BlockQuote,
    Emphasis,
    Heading,
    Inline,
    NoteRef,
    Paragraph,
    Preformatted,
    SceneBreak,
    Story,
    Strong,
    Text,
    Verse,
    plain_text,
)

View = dict[str, Any]

ENDNOTES_FILE = "endnotes.xhtml"


def story_file(story: Story) -> str:
    return f"{story.slug}.xhtml"


def authors_text(authors: tuple[str, ...]) -> str:
    if len(authors) <= 1:
        return "".join(authors)
    return ", ".join(authors[:-1]) + " and " + authors[-1]


def inline_view(node: Inline, note_numbers: dict[str, int]) -> View:
    if isinstance(node, Text):
        return {"kind": "text", "text": node.text}
    children = [inline_view(child, note_numbers) for child in node.children]
    if isinstance(node, Emphasis):
        return {"kind": "em", "children": children}
    if isinstance(node, Strong):
        return {"kind": "strong", "children": children}
    assert isinstance(node, NoteRef)
    return {
        "kind": "noteref",
        "children": children,
        "href": f"{ENDNOTES_FILE}#{node.note_id}",
        "id": node.ref_id,
        "n": note_numbers.get(node.note_id, 0),
    }


def _width_class(lines: tuple[str, ...]) -> str:
    """How wide a drawing is, for the theme to choose a type size that fits it on the page
    (a stylesheet cannot measure a line in characters and scale to it)."""
    widest = max((columns(line) for line in lines), default=0)
    return "narrow" if widest <= 40 else "medium" if widest <= 64 else "wide" if widest <= 80 else "full"


def block_view(block: Block, note_numbers: dict[str, int]) -> View:
    if isinstance(block, SceneBreak):
        return {"kind": "break"}
    if isinstance(block, BlockQuote):
        return {"kind": "quote", "blocks": [block_view(b, note_numbers) for b in block.blocks]}
    if isinstance(block, Verse):
        return {"kind": "verse", "lines": [[inline_view(n, note_numbers) for n in line] for line in block.lines]}
    if isinstance(block, Preformatted):
        return {"kind": "pre", "text": "\n".join(block.lines), "width": _width_class(block.lines)}
    if isinstance(block, AuthorNote):
        return {"kind": "note", "blocks": [block_view(b, note_numbers) for b in block.blocks], "label": _NOTE_LABELS.get(block.kind, _NOTE_LABELS["note"]),
                "note_kind": block.kind}
    inlines = [inline_view(n, note_numbers) for n in block.children]
    if isinstance(block, Heading):
        # A story's own divisions sit under its title (h2): level 1 is h3, a level below h4…
        return {"kind": "heading", "inlines": inlines, "id": block.anchor, "tag": f"h{min(2 + block.level, 6)}", "level": block.level}
    assert isinstance(block, Paragraph)
    return {"kind": "p", "inlines": inlines}


# What a note inside the story is called: a chapter's own note, its summary, its end notes.
_NOTE_LABELS = {"note": "Author’s note", "summary": "Chapter summary", "end": "Author’s note"}


def _note_views(notes: tuple[AuthorNote, ...], numbers: dict[str, int]) -> list[View]:
    return [{"blocks": [block_view(b, numbers) for b in n.blocks]} for n in notes]


# A running head is one line: a long title wraps in the margin and runs into the text block. Book
# houses set a short form instead: the title before its subtitle, or its first words.
_HEAD_MAX = 44
_SUBTITLE = re.compile(r"\s(?:[-–—|]|::?)\s|:\s|\s\(")


def running_head(title: str) -> str:
    title = " ".join(title.split())
    if len(title) <= _HEAD_MAX:
        return title
    main = _SUBTITLE.split(title, maxsplit=1)[0].strip()
    if 0 < len(main) <= _HEAD_MAX and len(main.split()) >= 2:
        return main
    cut = title[: _HEAD_MAX].rsplit(" ", 1)[0].rstrip(" ,;:-–—")
    return cut + "…"


def story_view(story: Story) -> View:
    # A note the author marked in the text ("[1]") carries that mark alone: the book's number is
    # drawn only beside mentions of notes that have no mark of their own (glossary terms).
    numbers = {note.note_id: i for i, note in enumerate(story.endnotes, start=1) if not note.marked}
    sections = [
        {"title": plain_text(b.children), "href": f"{story_file(story)}#{b.anchor}"}
        for b in story.body
        if isinstance(b, Heading)
    ]
    return {
        "slug": story.slug,
        "language": story.language,
        "dir": "rtl" if is_right_to_left(story.language) else "",
        "file": story_file(story),
        "title": story.title,
        "running_head": running_head(story.title),
        "authors": authors_text(story.authors),
        "summary": [block_view(p, numbers) for p in story.summary],
        "fields": [{"key": f.key, "label": f.label, "value": [inline_view(n, numbers) for n in f.value]} for f in story.fields],
        "status": story.status,
        "notes_before": _note_views(story.notes_before, numbers),
        "blocks": [block_view(b, numbers) for b in story.body],
        "notes_after": _note_views(story.notes_after, numbers),
        "trailer": [block_view(p, numbers) for p in story.trailer],
        "sections": sections,
        "boilerplate": [block_view(b, numbers) for part in story.boilerplate for b in part.blocks],
        # Whose text it is, said plainly: it is neither the author's nor the editor's.
        "boilerplate_label": " and ".join(dict.fromkeys(p.label or f"{p.source}’s notice and licence" for p in story.boilerplate)),
        "boilerplate_parts": [
            {"label": p.label or f"{p.source}’s notice and licence", "blocks": [block_view(b, numbers) for b in p.blocks]}
            for p in story.boilerplate
        ],
    }


def notes_view(anthology: Anthology) -> list[View]:
    groups = []
    for story in anthology.stories:
        if not story.endnotes:
            continue
        notes = [
            {
                "id": note.note_id,
                "n": i,
                "label": [inline_view(n, {}) for n in note.label],
                "marked": note.marked,
                "body": [inline_view(n, {}) for n in note.body],
                "backlinks": [f"{story_file(story)}#{ref}" for ref in note.ref_ids],
            }
            for i, note in enumerate(story.endnotes, start=1)
        ]
        heading = story.glossary.heading if story.glossary else ""
        groups.append({"slug": story.slug, "title": story.title, "heading": heading, "notes": notes})
    return groups


def book_view(anthology: Anthology) -> View:
    meta = anthology.meta
    authors: list[str] = []
    for story in anthology.stories:
        authors += [a for a in story.authors if a not in authors]
    return {
        "title": meta.title,
        # One volume of several: "Volume II" (the theme's [labels] volume), shown under the title; "" otherwise.
        "volume": meta.volume_label,
        "full_title": meta.full_title,
        "editor": meta.editor,
        "language": meta.language,
        "authors": authors,
        "identifier": meta.identifier,
        "stories": [story_view(s) for s in anthology.stories],
        "rights": [
            {
                "paragraphs": [block_view(p, {}) for p in entry.text],
                "credits": [{"title": t, "author": a} for t, a in entry.credits],
            }
            for entry in anthology.rights
        ],
        # Where each downloaded story was published, credited as fandom etiquette asks.
        "sources": [
            {"title": s.title, "author": authors_text(s.authors), "site": s.origin.site, "url": s.origin.url,
             "part": s.origin.part, "series": s.origin.series}
            for s in anthology.stories
            if s.origin.url or s.origin.site
        ],
        "notes": notes_view(anthology),
        "endnotes_file": ENDNOTES_FILE,
    }
