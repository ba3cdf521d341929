"""Transform stage: where a line must not break — a dash or a closing quote stays with what it closes.

The Unicode line-breaking rules (UAX #14) allow a break before an em or en dash (class B2), so an
interrupted speech, "I thought—”, can break before its dash and the next line opens with `—”`;
and Pango breaks after a space before a closing quote that ends a paragraph, so a quote the
source set apart ("would be — ”") can stand alone on the last line. Book typesetting allows
neither (a line may break after a dash, never before it). A WORD JOINER (U+2060) forbids the
break (UAX #14 LB11, which also holds after a space) and draws nothing; the nothing-lost check
ignores it like every invisible character.

Joined: a dash to the character before it; a dash after a space to that space when a closing mark
or the end follows it, a space between them or not ("word —”", "word — ”"); a closing quote set
apart by a space when a space, a closing mark or the end follows it. Breaks after dashes stay
allowed. Idempotent: nothing is joined twice.
"""

from __future__ import annotations

import dataclasses
import re

from ..model import AuthorNote, Block, BlockQuote, EndNote, Inline, Paragraph, Story, Text, Verse

WORD_JOINER = "\u2060"
_DASHES = "—–―"
_CLOSERS = "”’\"»)\\]"
_JOIN = re.compile(
    rf"(?<=[^\s{WORD_JOINER}])(?=[{_DASHES}])"  # word—
    rf"|(?<=\s)(?=[{_DASHES}]\s?(?:[{_CLOSERS}]|$))"  # word —” and word — ” (a spaced dash that closes)
    rf"|(?<=\s)(?=[”’](?:[\s{_CLOSERS}]|$))"  # word ” (a closing quote set apart)
)


def join(text: str, before: str = "") -> str:
    """`before`: the character the text follows in its paragraph (another inline node's last)."""
    if not text:
        return text
    return _JOIN.sub(WORD_JOINER, before[-1:] + text)[len(before[-1:]) :]


def _inlines(nodes: tuple[Inline, ...], before: str) -> tuple[tuple[Inline, ...], str]:
    out: list[Inline] = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(Text(join(node.text, before)))
            before = node.text[-1:] or before
        else:
            children, before = _inlines(node.children, before)
            out.append(dataclasses.replace(node, children=children))
    return tuple(out), before


def _block(block: Block) -> Block:
    if isinstance(block, Paragraph):  # not headings: they are bookmarks and contents entries too
        return dataclasses.replace(block, children=_inlines(block.children, "")[0])
    if isinstance(block, (BlockQuote, AuthorNote)):
        return dataclasses.replace(block, blocks=_blocks(block.blocks))
    if isinstance(block, Verse):
        return dataclasses.replace(block, lines=tuple(_inlines(line, "")[0] for line in block.lines))
    return block  # scene breaks; preformatted text keeps every character as written


def _blocks(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    return tuple(_block(b) for b in blocks)


def _paras(paras: tuple[Paragraph, ...]) -> tuple[Paragraph, ...]:
    return tuple(dataclasses.replace(p, children=_inlines(p.children, "")[0]) for p in paras)


def _endnote(note: EndNote) -> EndNote:
    return dataclasses.replace(note, body=_inlines(note.body, "")[0])


def keep_dashes(story: Story) -> Story:
    glossary = story.glossary
    if glossary is not None:
        entries = tuple(dataclasses.replace(e, definition=join(e.definition)) for e in glossary.entries)
        glossary = dataclasses.replace(glossary, entries=entries)
    return dataclasses.replace(
        story,
        summary=_paras(story.summary),
        disclaimer=_paras(story.disclaimer),
        notes_before=tuple(dataclasses.replace(n, blocks=_blocks(n.blocks)) for n in story.notes_before),
        body=_blocks(story.body),
        notes_after=tuple(dataclasses.replace(n, blocks=_blocks(n.blocks)) for n in story.notes_after),
        glossary=glossary,
        trailer=_paras(story.trailer),
        endnotes=tuple(_endnote(n) for n in story.endnotes),
        boilerplate=tuple(dataclasses.replace(b, blocks=_blocks(b.blocks)) for b in story.boilerplate),
    )
