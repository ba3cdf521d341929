"""Transform stage: a story's glossary becomes end-notes, linked from the terms' first mentions.

The first mention of each term in the story ("roses" for "Rose", "irises" for "Iris", "lilies" for
"Lily": the regular English plurals; any case) becomes a `NoteRef` and the note lists the anchor
back. Only text nodes are split; a term already inside a note reference is left alone, so running
the transform twice changes nothing.
"""

from __future__ import annotations

import dataclasses
import re

from ..diagnostics import Diagnostic, info
from ..model import Block, EndNote, GlossaryEntry, Heading, Inline, NoteRef, Paragraph, Story, Text
from ..read.anchors import slugify


_VOWELS = frozenset("aeiou")
# A term of several words is plural in its head noun: the word before "of" ("lilies of the valley"),
# otherwise the last one ("sweet peas").
_OF = re.compile(r"\sof\s", re.I)


def _plurals(word: str) -> set[str]:
    """The regular English plurals of one word (and "-s"/"-es", which cover the rest): lily →
    lilies, day → days, iris → irises, peach → peaches, leaf → leaves and leafs, knife → knives."""
    low = word.lower()
    forms = {word + "s", word + "es"}
    if len(low) > 1 and low.endswith("y") and low[-2] not in _VOWELS:
        forms.add(word[:-1] + "ies")
    if low.endswith("f"):
        forms.add(word[:-1] + "ves")
    if low.endswith("fe"):
        forms.add(word[:-2] + "ves")
    return forms


def term_forms(term: str) -> set[str]:
    """The ways a glossary term may be mentioned: as written, or in an English plural."""
    head = _OF.search(term)
    if head:
        before, after = term[: head.start()], term[head.start() :]
        return {term} | {plural + after for plural in _plurals(before)}
    return {term} | _plurals(term)


def _pattern(term: str) -> re.Pattern[str]:
    # Longest form first, so "lilies" is not matched as "lili" + "es"; word boundaries on both sides.
    forms = sorted(term_forms(term), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(f) for f in forms) + r")(?!\w)", re.I)


def _link_in(nodes: tuple[Inline, ...], pattern: re.Pattern[str], note_id: str, ref_id: str) -> tuple[tuple[Inline, ...], bool]:
    out: list[Inline] = []
    done = False
    for node in nodes:
        if done or isinstance(node, NoteRef):
            out.append(node)
        elif isinstance(node, Text):
            match = pattern.search(node.text)
            if match is None:
                out.append(node)
                continue
            before, term, after = node.text[: match.start()], match.group(0), node.text[match.end() :]
            out += [Text(before)] if before else []
            out.append(NoteRef(note_id, ref_id, (Text(term),)))
            out += [Text(after)] if after else []
            done = True
        else:
            children, done = _link_in(node.children, pattern, note_id, ref_id)
            out.append(dataclasses.replace(node, children=children))
    return tuple(out), done


def _link_first(body: tuple[Block, ...], entry: GlossaryEntry, note_id: str, ref_id: str) -> tuple[tuple[Block, ...], bool]:
    pattern = _pattern(entry.term)
    blocks = list(body)
    for i, block in enumerate(blocks):
        if isinstance(block, (Paragraph, Heading)):
            children, found = _link_in(block.children, pattern, note_id, ref_id)
            if found:
                blocks[i] = dataclasses.replace(block, children=children)
                return tuple(blocks), True
    return body, False


def link_glossary(story: Story) -> tuple[Story, list[Diagnostic]]:
    if story.glossary is None or story.endnotes:
        return story, []
    diagnostics: list[Diagnostic] = []
    body = story.body
    notes: list[EndNote] = []
    for entry in story.glossary.entries:
        key = slugify(entry.term) or f"{len(notes) + 1}"
        note_id = f"note-{story.slug}-{key}"
        ref_id = f"ref-{story.slug}-{key}"
        body, found = _link_first(body, entry, note_id, ref_id)
        if not found:
            diagnostics.append(
                info("N001", f'glossary term "{entry.term}" is not mentioned in the story; its note has no link', story.source.path, entry.line)
            )
        label: tuple[Inline, ...] = (Text(entry.term),)
        if entry.qualifier:
            label += (Text(f" ({entry.qualifier})"),)
        notes.append(EndNote(note_id, label, (Text(entry.definition),), (ref_id,) if found else ()))
    return dataclasses.replace(story, body=body, endnotes=tuple(notes)), diagnostics
