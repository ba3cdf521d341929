"""Parse stage, last step: make a story's anchors unique in the book.

Readers name section and note anchors locally ("s-chapter-2", "note-1"); the PDF joins every
document into one, and the end-notes of all stories share one file, so ids must be unique
book-wide. Once the story's slug is known, every id is prefixed with it.
"""

from __future__ import annotations

import dataclasses

from ..model import AuthorNote, Block, BlockQuote, Emphasis, Heading, Inline, NoteRef, Paragraph, Story, Strong


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
    return dataclasses.replace(story, body=_blocks(story.body, slug), endnotes=notes)
