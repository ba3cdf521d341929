"""Parse stage, last step: make a story's anchors unique in the book.

Readers name section and note anchors locally ("s-chapter-2", "note-1"); the PDF joins every
document into one, and the end-notes of all stories share one file, so ids must be unique
book-wide. Once the story's slug is known, every id is prefixed with it.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata

from ..model import AuthorNote, Block, BlockQuote, Emphasis, Heading, Inline, NoteRef, Paragraph, Story, Strong, Verse


def _inlines(nodes: tuple[Inline, ...], slug: str) -> tuple[Inline, ...]:
    out: list[Inline] = []
    for node in nodes:
        if isinstance(node, NoteRef):
            out.append(NoteRef(f"{slug}-{node.note_id}", f"{slug}-{node.ref_id}", _inlines(node.children, slug)))
        elif isinstance(node, (Emphasis, Strong)):
            out.append(dataclasses.replace(node, children=_inlines(node.children, slug)))
        else:
            out.append(node)
    return tuple(out)


def _blocks(blocks: tuple[Block, ...], slug: str) -> tuple[Block, ...]:
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Heading):
            block = dataclasses.replace(block, anchor=f"{slug}-{block.anchor}", children=_inlines(block.children, slug))
        elif isinstance(block, Paragraph):
            block = dataclasses.replace(block, children=_inlines(block.children, slug))
        elif isinstance(block, Verse):
            block = dataclasses.replace(block, lines=tuple(_inlines(line, slug) for line in block.lines))
        elif isinstance(block, (BlockQuote, AuthorNote)):
            block = dataclasses.replace(block, blocks=_blocks(block.blocks, slug))
        out.append(block)
    return tuple(out)


def qualify(story: Story) -> Story:
    """Prefix reader-made anchors with the story's slug (glossary notes are made later, already
    qualified, by transforms/notes.py)."""
    slug = story.slug
    notes = tuple(
        dataclasses.replace(n, note_id=f"{slug}-{n.note_id}", ref_ids=tuple(f"{slug}-{r}" for r in n.ref_ids)) for n in story.endnotes
    )
    # A note's marker may sit anywhere the reader keeps text: an author's note, the summary, a
    # sign-off line, not only the story's body.
    return dataclasses.replace(
        story,
        summary=tuple(_paragraphs(story.summary, slug)),
        disclaimer=tuple(_paragraphs(story.disclaimer, slug)),
        notes_before=tuple(dataclasses.replace(n, blocks=_blocks(n.blocks, slug)) for n in story.notes_before),
        body=_blocks(story.body, slug),
        notes_after=tuple(dataclasses.replace(n, blocks=_blocks(n.blocks, slug)) for n in story.notes_after),
        trailer=tuple(_paragraphs(story.trailer, slug)),
        boilerplate=tuple(dataclasses.replace(b, blocks=_blocks(b.blocks, slug)) for b in story.boilerplate),
        endnotes=notes,
    )


def _paragraphs(paragraphs: tuple[Paragraph, ...], slug: str) -> list[Paragraph]:
    return [dataclasses.replace(p, children=_inlines(p.children, slug)) for p in paragraphs]


def slugify(text: str) -> str:
    """The one slug rule for story and section ids: ASCII, lower case, hyphens, at most 40 characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:40].rstrip("-")
