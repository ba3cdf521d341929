"""Parse stage: a `Story` from blocks — the furniture pass shared by the Markdown and HTML readers.

Structured inputs arrive as blocks already (paragraphs, headings, rules, quotes); what is left is to
recognise the same furniture as in plain text (furniture.py): transport headers, disclaimer, summary,
author's notes, title and byline at the top; closing notes and sign-offs at the bottom. Labels are
cut from the inline tree, so `*Disclaimer:*` loses its label and keeps the rest of its markup.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostic, warning
from ..model import AuthorNote, Block, BlockQuote, EndNote, Field, Heading, Paragraph, SceneBreak, Source, Story, Verse, plain_text
from . import furniture as f
from .headers import FIELD, field_key, usenet
from .inlines import drop_prefix, squash_space
from .layout import is_separator
from .plaintext import ReadResult, guess_title
from .sections import is_heading, number_headings, section_notes


@dataclass
class Found:
    """What a structured reader learnt outside the blocks (front matter, a document title)."""

    title: str = ""
    authors: tuple[str, ...] = ()
    summary: tuple[Paragraph, ...] = ()
    endnotes: tuple[EndNote, ...] = ()
    consumed: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _text(block: Block) -> str:
    return plain_text(block.children) if isinstance(block, (Paragraph, Heading)) else ""


def _labelled(block: Paragraph, m_start: int, consumed: list[str]) -> Paragraph:
    text = plain_text(block.children)
    consumed.append(text[:m_start].strip())
    return dataclasses.replace(block, children=drop_prefix(block.children, m_start))


def _squash(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    out: list[Block] = []
    for b in blocks:
        if isinstance(b, (Paragraph, Heading)):
            b = dataclasses.replace(b, children=squash_space(b.children))
        elif isinstance(b, (BlockQuote, AuthorNote)):
            b = dataclasses.replace(b, blocks=_squash(b.blocks))
        elif isinstance(b, Verse):
            b = dataclasses.replace(b, lines=tuple(squash_space(line) for line in b.lines))
        out.append(b)
    return tuple(out)


def _structure(blocks: list[Block], consumed: list[str]) -> list[Block]:
    """Separator paragraphs ("* * *", "ZZZZZZ") become scene breaks, "Chapter 2" paragraphs headings."""
    out: list[Block] = []
    for b in blocks:
        text = _text(b).strip()
        if isinstance(b, Paragraph) and is_separator(text):
            if re.search(r"\w", text):
                consumed.append(text)  # "ZZZZZZ", "-x-": letters drawn as an ornament
            b = SceneBreak(b.line)
        elif isinstance(b, Paragraph) and is_heading(text):
            b = Heading(b.children, "", b.line)
        if isinstance(b, SceneBreak) and (not out or isinstance(out[-1], SceneBreak)):
            continue
        out.append(b)
    while out and isinstance(out[-1], SceneBreak):
        out.pop()
    return out


def _body_notes(blocks: tuple[Block, ...], consumed: list[str]) -> tuple[Block, ...]:
    """"A/N:" paragraphs inside the text are author's notes (of the section they open)."""
    out: list[Block] = []
    for b in blocks:
        if isinstance(b, Paragraph) and (m := f.AUTHOR_NOTE.match(_text(b))):
            b = AuthorNote((_labelled(b, m.start("rest"), consumed),), b.line)
        out.append(b)
    return tuple(out)


def story_from_blocks(blocks: list[Block], path: Path, source: Source, found: Found) -> ReadResult:
    consumed, diagnostics = found.consumed, found.diagnostics
    title, authors, summary = found.title, found.authors, found.summary
    disclaimer: tuple[Paragraph, ...] = ()
    notes_before: list[AuthorNote] = []
    fields: list[Field] = []
    blocks = _structure(blocks, consumed)
    i = 0
    while i < len(blocks):
        b = blocks[i]
        text = _text(b).strip()
        if isinstance(b, Heading) and not title and i == 0:
            title = " ".join(text.split())  # "#  BLISS": the document's own title
        elif isinstance(b, Paragraph) and (news := usenet(text.split("\n"))) is not None:
            consumed.extend(line.strip() for line in text.split("\n"))
            title = title or news.title
            authors = authors or ((news.author,) if news.author else ())
        elif isinstance(b, Paragraph) and "\n" not in text and (m := FIELD.match(text)):
            key = field_key(m.group("label"))
            if key == "title" and not title:
                title = m.group("value").strip()
                consumed.append(text[: m.start("value")].strip())
            elif key == "author" and not authors:
                authors = (m.group("value").strip(),)
                consumed.append(text[: m.start("value")].strip())
            else:
                raw = plain_text(b.children)
                lead = len(raw) - len(raw.lstrip())
                value = squash_space(drop_prefix(b.children, lead + m.start("value")))
                fields.append(Field(key, m.group("label"), value, b.line))
        elif isinstance(b, Paragraph) and not disclaimer and (m := f.DISCLAIMER.match(text)):
            disclaimer = (_labelled(b, m.start("rest"), consumed),)
        elif isinstance(b, Paragraph) and not disclaimer and f.BRACKETED_DISCLAIMER.match(text):
            disclaimer = (b,)
        elif isinstance(b, Paragraph) and not summary and (m := f.SUMMARY.match(text)):
            summary = (_labelled(b, m.start("rest"), consumed),)
        elif isinstance(b, Paragraph) and (m := f.AUTHOR_NOTE.match(text)):
            notes_before.append(AuthorNote((_labelled(b, m.start("rest"), consumed),), b.line))
        elif isinstance(b, Paragraph) and not authors and (m := f.BYLINE.match(text)):
            authors = (m.group("name"),)
            consumed.append(text[: m.start("name")].strip())
        elif isinstance(b, SceneBreak) and i > 0:
            pass  # a rule under the header separates nothing yet
        else:
            break
        i += 1
    # Archives put their own note before the post ("> This is an archive"): look a little further
    # for the transport header and a disclaimer, and take them out of the text.
    for j in range(min(len(blocks), i + 8) - 1, i - 1, -1):
        b = blocks[j]
        text = _text(b).strip()
        if isinstance(b, Paragraph) and (news := usenet(text.split("\n"))) is not None:
            consumed.extend(line.strip() for line in text.split("\n"))
            title = title or news.title
            authors = authors or ((news.author,) if news.author else ())
            del blocks[j]
        elif isinstance(b, Paragraph) and not disclaimer and f.BRACKETED_DISCLAIMER.match(text):
            disclaimer = (b,)
            del blocks[j]
    end = len(blocks)
    trailer: tuple[Paragraph, ...] = ()
    notes_after: tuple[AuthorNote, ...] = ()
    last = blocks[end - 1] if end > i else None
    if isinstance(last, Paragraph) and (f.is_review_request(_text(last)) or f.END_MARK.match(_text(last))):
        trailer, end = (last,), end - 1
    for j in range(end - 1, max(i, end - 6) - 1, -1):
        b = blocks[j]
        if isinstance(b, Paragraph) and (m := f.AUTHOR_NOTE.match(_text(b))):
            first = _labelled(b, m.start("rest"), consumed)
            notes_after = (AuthorNote((first,) + tuple(blocks[j + 1 : end]), b.line),)
            end = j
            break
    else:
        # "## Author's notes:" as a heading: everything after it, however long, is the closing note.
        for j in range(end - 1, i, -1):
            b = blocks[j]
            if isinstance(b, Heading) and f.AUTHOR_NOTE.match(_text(b)) and j + 1 < end:
                consumed.append(_text(b))
                notes_after = (AuthorNote(tuple(blocks[j + 1 : end]), b.line),)
                end = j
                break
    body = section_notes(_body_notes(number_headings(_squash(tuple(blocks[i:end]))), consumed))
    guessed = not title
    if not title:
        title = guess_title(body)
        diagnostics.append(
            warning("A101", f'no title found; using its first words, "{title}". '
                    f'Set one in anthology.toml: [stories."{path.name}"] title = "…"', path, 1)
        )
    if not authors:
        diagnostics.append(warning("A102", f'no author found; set [stories."{path.name}"] author = "…" in anthology.toml', path, 1))
    story = Story(
        slug="",
        title=title,
        title_guessed=guessed,
        authors=authors,
        source=source,
        summary=tuple(dataclasses.replace(p, children=squash_space(p.children)) for p in summary),
        fields=tuple(fields),
        disclaimer=tuple(dataclasses.replace(p, children=squash_space(p.children)) for p in disclaimer),
        notes_before=tuple(dataclasses.replace(n, blocks=_squash(n.blocks)) for n in notes_before),
        body=body,
        notes_after=tuple(dataclasses.replace(n, blocks=_squash(n.blocks)) for n in notes_after),
        endnotes=found.endnotes,
        trailer=tuple(dataclasses.replace(p, children=squash_space(p.children)) for p in trailer),
    )
    return ReadResult(story, tuple(c for c in consumed if c), tuple(diagnostics))
