"""Parse stage, step 2: plain text (as pasted from fan-fiction sites) to a `Story`.

The text is cut into chunks (runs of non-blank lines). Furniture is recognised from the top
(summary, disclaimer, opening author's note, title and byline) and from the bottom (review
request, glossary, closing author's note); what lies between is the story, where a gap of two or
more blank lines is a scene break.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic, info, warning
from ..model import (
    AuthorNote,
    Block,
    Glossary,
    GlossaryEntry,
    Paragraph,
    SceneBreak,
    Source,
    Story,
    Text,
)
from . import furniture as f

# A line of nothing but separator characters: "***", "* * *", "~~~~", "-x-", "oOo", "#".
_SEPARATOR = re.compile(r"^\s*(?:[*~=_#+•·-]\s*){1,}$|^\s*(?:-x-|x+|o+O+o+|xXx|X+)\s*$")


@dataclass(frozen=True)
class Chunk:
    lines: tuple[str, ...]
    line: int  # 1-based line of the first line
    gap_before: int  # blank lines before it

    @property
    def text(self) -> str:
        # Lines inside a chunk are re-flowed: pasted text wraps for the screen, not for the book.
        return " ".join(part.strip() for part in self.lines)


@dataclass(frozen=True)
class ReadResult:
    story: Story
    consumed: tuple[str, ...]  # labels taken as structure ("A/N:"), left out of the text on purpose
    diagnostics: tuple[Diagnostic, ...]


def chunk(text: str) -> list[Chunk]:
    chunks: list[Chunk] = []
    current: list[str] = []
    start = 0
    gap = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line)
            continue
        if current:
            chunks.append(Chunk(tuple(current), start, gap))
            current, gap = [], 0
        gap += 1
    if current:
        chunks.append(Chunk(tuple(current), start, gap))
    return chunks


def _para(text: str, line: int) -> Paragraph:
    return Paragraph((Text(text),), line)


def _label(text: str, match: re.Match[str]) -> str:
    return text[: match.start("rest")].strip()


@dataclass
class _Header:
    summary: tuple[Paragraph, ...] = ()
    status: str = ""
    disclaimer: tuple[Paragraph, ...] = ()
    notes_before: tuple[AuthorNote, ...] = ()
    title: str = ""
    authors: tuple[str, ...] = ()


def _note_continuation(chunks: list[Chunk], j: int) -> bool:
    """Whether chunk j still belongs to the author's note before it (not the story)."""
    c = chunks[j]
    if c.gap_before > 1 or len(c.text.split()) > 30:
        return False
    if any(p.match(c.text) for p in (f.SUMMARY, f.DISCLAIMER, f.AUTHOR_NOTE, f.BYLINE)):
        return False
    return not (j + 1 < len(chunks) and f.BYLINE.match(chunks[j + 1].text) and f.is_title_like(c.text))


def _read_header(chunks: list[Chunk], consumed: list[str]) -> tuple[_Header, int]:
    h = _Header()
    i = 0
    while i < len(chunks):
        c = chunks[i]
        text = c.text
        if not h.summary and (m := f.SUMMARY.match(text)):
            consumed.append(_label(text, m))
            signed = f.split_stamp(m.group("rest"))
            h.summary = (_para(signed.text, c.line),) if signed.text else ()
            h.status = signed.stamp
            if signed.signature and not h.authors:
                h.authors = (signed.signature,)
            i += 1
        elif not h.disclaimer and (m := f.DISCLAIMER.match(text)):
            consumed.append(_label(text, m))
            h.disclaimer = (_para(m.group("rest"), c.line),)
            i += 1
        elif m := f.AUTHOR_NOTE.match(text):
            consumed.append(_label(text, m))
            blocks: list[Block] = [_para(m.group("rest"), c.line)]
            i += 1
            while i < len(chunks) and len(blocks) < 4 and _note_continuation(chunks, i):
                blocks.append(_para(chunks[i].text, chunks[i].line))
                i += 1
            h.notes_before += (AuthorNote(tuple(blocks), c.line),)
        elif not h.title and f.is_title_like(text) and i + 1 < len(chunks) and (
            m := f.BYLINE.match(chunks[i + 1].text)
        ):
            h.title = text.strip()
            h.authors = (m.group("name"),)
            consumed.append(chunks[i + 1].text[: m.start("name")].strip())
            i += 2
        elif not h.title and (m := f.BYLINE.match(text)):
            h.authors = (m.group("name"),)
            consumed.append(text[: m.start("name")].strip())
            i += 1
        else:
            break
    return h, i


@dataclass
class _Trailer:
    notes_after: tuple[AuthorNote, ...] = ()
    glossary: Glossary | None = None
    trailer: tuple[Paragraph, ...] = ()


def _read_trailer(chunks: list[Chunk], start: int, consumed: list[str]) -> tuple[_Trailer, int]:
    t = _Trailer()
    end = len(chunks)
    if end - 1 >= start and f.is_review_request(chunks[end - 1].text):
        t.trailer = (_para(chunks[end - 1].text, chunks[end - 1].line),)
        end -= 1
    k = end
    while k - 1 >= start and len(chunks[k - 1].lines) == 1 and f.GLOSSARY_ENTRY.match(chunks[k - 1].text):
        k -= 1
    if k < end and k - 1 >= start and (m := f.GLOSSARY_HEADING.match(chunks[k - 1].text)):
        entries = []
        for c in chunks[k:end]:
            e = f.GLOSSARY_ENTRY.match(c.text)
            assert e is not None
            entries.append(GlossaryEntry(e.group("term").strip(), (e.group("qual") or "").strip(), e.group("definition").strip(), c.line))
        t.glossary = Glossary(m.group("heading").strip(), tuple(entries), chunks[k - 1].line)
        end = k - 1
    # The closing note: the last "A/N:" near the end, with whatever follows it.
    for j in range(end - 1, max(start, end - 6) - 1, -1):
        if m := f.AUTHOR_NOTE.match(chunks[j].text):
            consumed.append(_label(chunks[j].text, m))
            blocks: list[Block] = [_para(m.group("rest"), chunks[j].line)]
            blocks += [_para(c.text, c.line) for c in chunks[j + 1 : end]]
            t.notes_after = (AuthorNote(tuple(blocks), chunks[j].line),)
            end = j
            break
    return t, end


def _body(chunks: list[Chunk], path: Path, diagnostics: list[Diagnostic]) -> tuple[Block, ...]:
    blocks: list[Block] = []
    for c in chunks:
        if _SEPARATOR.match(c.text) and len(c.lines) == 1:
            if blocks and not isinstance(blocks[-1], SceneBreak):
                blocks.append(SceneBreak(c.line))
            continue
        if c.gap_before >= 2 and blocks and not isinstance(blocks[-1], SceneBreak):
            previous = blocks[-1]
            # A letter's "Love you for always," then a gap is a missing signature, not a new scene.
            if isinstance(previous, Paragraph) and _ends_with_comma(previous):
                diagnostics.append(
                    info("A110", "two blank lines after a line ending in a comma: kept as one scene", path, c.line)
                )
            else:
                blocks.append(SceneBreak(c.line))
        blocks.append(_para(c.text, c.line))
    while blocks and isinstance(blocks[-1], SceneBreak):
        blocks.pop()
    return tuple(blocks)


def _ends_with_comma(p: Paragraph) -> bool:
    last = p.children[-1] if p.children else None
    return isinstance(last, Text) and last.text.rstrip().endswith(",")


def guess_title(body: tuple[Block, ...]) -> str:
    """Untitled works are known by their first line; use the first words of the first sentence."""
    for block in body:
        if isinstance(block, Paragraph):
            first = block.children[0]
            text = first.text if isinstance(first, Text) else ""
            sentence = re.split(r"(?<=[.!?…])\s", text.strip(), maxsplit=1)[0]
            words = sentence.split()
            title = " ".join(words[:8]).strip("\"“”'‘’")
            title = title.rstrip(".,;:!?")
            return title + ("…" if len(words) > 8 else "")
    return "Untitled"


def read_plaintext(text: str, path: Path, source: Source, slug: str) -> ReadResult:
    diagnostics: list[Diagnostic] = []
    consumed: list[str] = []
    chunks = chunk(text)
    header, start = _read_header(chunks, consumed)
    trailer, end = _read_trailer(chunks, start, consumed)
    body = _body(chunks[start:end], path, diagnostics)
    title = header.title
    if not title:
        title = guess_title(body)
        diagnostics.append(
            warning(
                "A101",
                f'no title found; using its first words, "{title}". '
                f'Set one in anthology.toml: [stories."{path.name}"] title = "…"',
                path,
                chunks[start].line if start < len(chunks) else 1,
            )
        )
    if not header.authors:
        diagnostics.append(
            warning("A102", f'no author found; set [stories."{path.name}"] author = "…" in anthology.toml', path, 1)
        )
    story = Story(
        slug=slug,
        title=title,
        title_guessed=not header.title,
        authors=header.authors,
        source=source,
        summary=header.summary,
        status=header.status,
        disclaimer=header.disclaimer,
        notes_before=header.notes_before,
        body=body,
        notes_after=trailer.notes_after,
        glossary=trailer.glossary,
        trailer=trailer.trailer,
    )
    return ReadResult(story, tuple(consumed), tuple(diagnostics))
