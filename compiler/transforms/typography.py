"""Transform stage: typography on text nodes — curly quotes, ellipses, dashes.

Only characters change, never words: straight quotes become curly ones, runs of dots and ellipsis
characters one `…`, a hyphen standing for a dash a real dash. Quotes are decided with the character
before them across node boundaries, so a paragraph is processed as one run of text. Every rule's
output is a fixed point of the rules, so the transform is idempotent.
"""

from __future__ import annotations

import dataclasses
import re

from ..model import AuthorNote, Block, BlockQuote, EndNote, Heading, Inline, Paragraph, Story, Text, Verse

# "……", "…….", "...", ". . ." — one ellipsis character, as a typesetter would set it.
_ELLIPSIS = re.compile(r"[.…](?:\s?[.…])+")


def _ellipsis(match: re.Match[str]) -> str:
    run = match.group(0)
    dots = run.count(".") + run.count("…")
    return "…" if "…" in run or dots >= 3 else run
_DOUBLE_HYPHEN = re.compile(r"(?<!-)-{2,3}(?!-)")
# A hyphen cut off before a closing quote or the end ("He-" / "at times like these-") is a dash.
_TRAILING_HYPHEN = re.compile(r"(?<=\w)-(?=[\"”'’]|\s*$)")
# A hyphen right after an opening quote ("- it's so hard") is a dash; the space after it goes.
_LEADING_HYPHEN = re.compile(r"(?<=[\"“])-\s?(?=\w)")
_SPACED_HYPHEN = re.compile(r"(?<=\S) - (?=\S)")

_OPENERS = set(" \t\n([{<—–-/\u00a0")
# Words that start with an apostrophe: the quote before them is not an opening single quote.
_ELISIONS = re.compile(r"(?:em|tis|twas|til|cause|bout|n|round|s|90s|80s|70s|[0-9]{2}s)\b", re.I)


_STRAIGHT = re.compile("[\"']")


def _quotes(text: str, before: str) -> str:
    # Only the straight quotes change; visiting just them keeps this linear in C for long texts.
    out = list(text)
    for match in _STRAIGHT.finditer(text):
        i = match.start()
        prev = out[i - 1] if i else before  # what precedes it, as already curled
        # Opening when it follows a space, bracket or dash and a word follows it; closing otherwise.
        after_opener = prev == "" or prev in _OPENERS or prev in "‘“"
        before_word = i + 1 < len(text) and not text[i + 1].isspace()
        if text[i] == '"':
            out[i] = "“" if after_opener and before_word else "”"
        else:
            elided = _ELISIONS.match(text, i + 1) is not None
            out[i] = "‘" if after_opener and before_word and not elided else "’"
    return "".join(out)


def _fix(text: str, before: str) -> str:
    if "." in text or "…" in text:
        text = _ELLIPSIS.sub(_ellipsis, text)
    if "-" in text:  # most text has no hyphen at all: skip four scans
        text = _DOUBLE_HYPHEN.sub("—", text)
        text = _LEADING_HYPHEN.sub("—", text)
        text = _TRAILING_HYPHEN.sub("—", text)
        text = _SPACED_HYPHEN.sub(" – ", text)
    return _quotes(text, before)


def _inlines(nodes: tuple[Inline, ...], before: str) -> tuple[tuple[Inline, ...], str]:
    out: list[Inline] = []
    for node in nodes:
        if isinstance(node, Text):
            fixed = _fix(node.text, before)
            out.append(Text(fixed))
            before = fixed[-1:] or before
        else:
            children, before = _inlines(node.children, before)
            out.append(dataclasses.replace(node, children=children))
    return tuple(out), before


def _block(block: Block) -> Block:
    if isinstance(block, (Paragraph, Heading)):
        children, _ = _inlines(block.children, "")
        return dataclasses.replace(block, children=children)
    if isinstance(block, BlockQuote):
        return dataclasses.replace(block, blocks=_blocks(block.blocks))
    if isinstance(block, Verse):
        # A quote opened on one line of a poem may close on the next: carry the context across lines.
        lines, before = [], ""
        for line in block.lines:
            fixed, before = _inlines(line, before)
            lines.append(fixed)
            before = "\n" if before else before
        return dataclasses.replace(block, lines=tuple(lines))
    return block


def _blocks(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    return tuple(_block(b) for b in blocks)


def _paras(paras: tuple[Paragraph, ...]) -> tuple[Paragraph, ...]:
    return tuple(_block(p) for p in paras)  # type: ignore[misc]


def _notes(notes: tuple[AuthorNote, ...]) -> tuple[AuthorNote, ...]:
    return tuple(dataclasses.replace(n, blocks=_blocks(n.blocks)) for n in notes)


def typography(story: Story) -> Story:
    glossary = story.glossary
    if glossary is not None:
        entries = tuple(
            dataclasses.replace(e, definition=_fix(e.definition, ""), qualifier=_fix(e.qualifier, ""))
            for e in glossary.entries
        )
        glossary = dataclasses.replace(glossary, entries=entries)
    return dataclasses.replace(
        story,
        title=_fix(story.title, ""),
        summary=_paras(story.summary),
        disclaimer=_paras(story.disclaimer),
        notes_before=_notes(story.notes_before),
        body=_blocks(story.body),
        notes_after=_notes(story.notes_after),
        glossary=glossary,
        trailer=_paras(story.trailer),
        endnotes=tuple(_endnote(n) for n in story.endnotes),
    )


def _endnote(note: EndNote) -> EndNote:
    label, _ = _inlines(note.label, "")
    body, _ = _inlines(note.body, "")
    return dataclasses.replace(note, label=label, body=body)
