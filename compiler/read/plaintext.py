"""Parse stage, step 2: plain text (as pasted from fan-fiction sites) to a `Story`.

The text is cut into chunks (runs of non-blank lines). Furniture is recognised from the top
(summary, disclaimer, opening author's note, title and byline) and from the bottom (review
request, glossary, closing author's note); what lies between is the story, where a gap of two or
more blank lines is a scene break.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostic, info, warning
from ..model import (
    AuthorNote,
    Block,
    Boilerplate,
    EndNote,
    Field,
    Glossary,
    GlossaryEntry,
    Paragraph,
    Preformatted,
    SceneBreak,
    Source,
    Story,
    Text,
    Verse,
    plain_text,
)
from . import furniture as f
from .art import dedent
from .endnotes import plain_footnotes
from .gutenberg import SOURCE as GUTENBERG
from .gutenberg import Wrapped, unwrap
from .headers import FIELD, field_key, usenet
from .layout import Chunk, chunk, is_verse
from .scrape import unecho
from .sections import heading_of, is_heading, number_headings, section_notes

@dataclass(frozen=True)
class ReadResult:
    story: Story
    consumed: tuple[str, ...]  # labels taken as structure ("A/N:"), left out of the text on purpose
    diagnostics: tuple[Diagnostic, ...]


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
    fields: tuple[Field, ...] = ()
    furniture: set[str] = field(default_factory=set)  # header lines a multi-part story repeats


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
        if i == 0 and (news := usenet(c.lines)) is not None:
            # Transport headers: consumed whole; they name the author and (in Subject:) the title.
            consumed.extend(line.strip() for line in c.lines)
            h.title, h.authors = news.title, (news.author,) if news.author else ()
            i += 1
        elif c.separator and i > 0:
            if re.search(r"\w", c.text):
                consumed.append(c.text.strip())
            i += 1  # a rule under the header ("________") separates nothing yet
        elif i == 0 and not h.title and len(c.lines) == 2 and is_heading(c.lines[0]):
            # "Chapter 2" over "All My Beliefs Are False": a chapter file's own title.
            h.title = f"{c.lines[0].strip()}: {c.lines[1].strip()}"
            i += 1
        elif all(FIELD.match(line) for line in c.lines):
            h.furniture.update(line.strip() for line in c.lines)
            for n, line in enumerate(c.lines):
                m = FIELD.match(line)
                assert m is not None
                key = field_key(m.group("label"))
                if key == "title" and not h.title:
                    h.title = m.group("value").strip()
                    consumed.append(line[: m.start("value")].strip())
                elif key == "author" and not h.authors:
                    h.authors = (m.group("value").strip(),)
                    consumed.append(line[: m.start("value")].strip())
                else:  # Rating, Genre, Pairing, Warnings…: shown with the blurb, label and all
                    h.fields += (Field(key, m.group("label"), (Text(m.group("value").strip()),), c.line_of(n)),)
            i += 1
        elif not h.disclaimer and (m := f.BRACKETED_DISCLAIMER.match(text)):
            h.disclaimer = (_para(text.strip(), c.line),)
            i += 1
        elif not h.summary and (m := f.SUMMARY.match(text)):
            consumed.append(_label(text, m))
            signed = f.split_stamp(m.group("rest"))
            h.summary = (_para(signed.text, c.line),) if signed.text else ()
            h.status = signed.stamp
            if signed.signature and not h.authors:
                h.authors = (signed.signature,)
            i += 1
        elif not h.disclaimer and (m := f.DISCLAIMER.match(text)):
            h.furniture.add(text.strip())
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


def _scan_fields(chunks: list[Chunk], start: int, h: _Header, consumed: list[str]) -> list[Chunk]:
    """"Title:" and "Author:" lines a little way in, after a preamble (Project Gutenberg's header):
    taken as the story's and removed from the text."""
    kept = chunks[:start]
    for n, c in enumerate(chunks[start:], start=start):
        m = FIELD.match(c.text) if len(c.lines) == 1 and n < start + 12 else None
        label = field_key(m.group("label")) if m else ""
        if m and label == "title" and not h.title:
            h.title = m.group("value").strip()
        elif m and label == "author" and not h.authors:
            h.authors = (m.group("value").strip(),)
        else:
            kept.append(c)
            continue
        consumed.append(c.text[: m.start("value")].strip())
    return kept


@dataclass
class _Trailer:
    notes_after: tuple[AuthorNote, ...] = ()
    glossary: Glossary | None = None
    trailer: tuple[Paragraph, ...] = ()


def _read_trailer(chunks: list[Chunk], start: int, consumed: list[str]) -> tuple[_Trailer, int]:
    t = _Trailer()
    end = len(chunks)
    if end - 1 >= start and (f.is_review_request(chunks[end - 1].text) or f.END_MARK.match(chunks[end - 1].text)):
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


def _body(chunks: list[Chunk], path: Path, diagnostics: list[Diagnostic], consumed: list[str]) -> tuple[Block, ...]:
    blocks: list[Block] = []
    for c in chunks:
        if c.separator:
            if re.search(r"\w", c.text):
                consumed.append(c.text.strip())  # "ZZZZZZ", "-x-": letters drawn as an ornament
            if blocks and not isinstance(blocks[-1], SceneBreak):
                blocks.append(SceneBreak(c.line))
            continue
        if c.preformatted:
            blocks.append(Preformatted(dedent(c.lines), c.line))
            continue
        heading = heading_of(c.text, c.line)
        if heading is not None:
            blocks.append(heading)
            continue
        if is_verse(c.lines):
            blocks.append(Verse(tuple((Text(line.strip()),) for line in c.lines), c.line))
            continue
        if c.gap_before >= 2 and blocks and not isinstance(blocks[-1], SceneBreak):
            previous = blocks[-1]
            # A letter's "Love you for always," then a gap is a missing signature, not a new scene.
            if isinstance(previous, Paragraph) and _ends_with_comma(previous):
                diagnostics.append(
                    info("A110", "two blank lines after a line ending in a comma: kept as one scene", path, c.line)
                )
            else:
                blocks.append(SceneBreak(c.line, marked=False))
        if m := f.AUTHOR_NOTE.match(c.text):
            # "A/N:" inside the text: multi-chapter downloads carry one at the head of every chapter.
            consumed.append(_label(c.text, m))
            blocks.append(AuthorNote((_para(m.group("rest"), c.line),), c.line))
            continue
        blocks.append(_para(c.text, c.line))
    while blocks and isinstance(blocks[-1], SceneBreak):
        blocks.pop()
    return number_headings(tuple(blocks))


def _drop_repeats(body: tuple[Block, ...], furniture: set[str], consumed: list[str]) -> tuple[Block, ...]:
    """A multi-part story repeats its header (title, pairing, disclaimer) before every part: the
    header already says it once, so the repeats are left out (and listed as consumed)."""
    if not furniture:
        return body
    kept: list[Block] = []
    for block in body:
        text = plain_text(block.children).strip() if isinstance(block, Paragraph) else ""
        if text in furniture:
            consumed.append(text)
            continue
        kept.append(block)
    while kept and isinstance(kept[0], SceneBreak):
        kept.pop(0)
    return number_headings(tuple(kept)) if len(kept) != len(body) else body


def _split_labelled(chunks: list[Chunk]) -> list[Chunk]:
    """A chapter header a downloader repeats as one block ("Title: …", "Pairing: …", "Disclaimer: …",
    "Author's Note: …" on consecutive lines) is one chunk per line: fields, disclaimer and note."""
    out: list[Chunk] = []
    for c in chunks:
        notes = [bool(f.DISCLAIMER.match(line) or f.AUTHOR_NOTE.match(line)) for line in c.lines]
        if len(c.lines) > 1 and any(notes) and all(n or FIELD.match(line) for n, line in zip(notes, c.lines)):
            out += [Chunk((line,), c.line_of(k), c.gap_before if k == 0 else 0) for k, line in enumerate(c.lines)]
        else:
            out.append(c)
    return out


def _boilerplate(wrapped: Wrapped, h: _Header, consumed: list[str]) -> tuple[Boilerplate, ...]:
    """Gutenberg's header and footer as paragraphs; the header's Title and Author name the story."""
    parts: list[Boilerplate] = []
    for chunks in (wrapped.header, wrapped.footer):
        blocks: list[Block] = []
        for c in chunks:
            m = FIELD.match(c.text) if len(c.lines) == 1 else None
            key = field_key(m.group("label")) if m else ""
            if m and key == "title" and not h.title:
                h.title = m.group("value").strip()
            elif m and key == "author" and not h.authors:
                h.authors = (m.group("value").strip(),)
            elif c.separator:
                if re.search(r"\w", c.text):
                    consumed.append(c.text.strip())
                continue
            elif c.preformatted:
                blocks.append(Preformatted(dedent(c.lines), c.line))
                continue
            else:
                blocks.append(_para(c.text, c.line))
                continue
            consumed.append(c.text[: m.start("value")].strip())
        if blocks:
            parts.append(Boilerplate(GUTENBERG, tuple(blocks), chunks[0].line))
    return tuple(parts)


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
    unechoed = unecho(text)
    consumed: list[str] = list(unechoed.consumed)
    if unechoed.chapters:
        diagnostics.append(
            info("A120", f"{unechoed.chapters} chapter(s) were saved twice by a scraper; kept one copy", path)
        )
    chunks = _split_labelled(chunk(unechoed.text))
    wrapped = unwrap(chunks)
    boilerplate: tuple[Boilerplate, ...] = ()
    if wrapped is not None:
        chunks = wrapped.body
    header, start = _read_header(chunks, consumed)
    if wrapped is not None:
        boilerplate = _boilerplate(wrapped, header, consumed)
        if boilerplate:
            diagnostics.append(
                info("A140", "Project Gutenberg's header and licence are kept as the story's back matter", path, boilerplate[0].line)
            )
    if not header.title or not header.authors:
        chunks = _scan_fields(chunks, start, header, consumed)
    trailer, end = _read_trailer(chunks, start, consumed)
    body = _body(chunks[start:end], path, diagnostics, consumed)
    body = section_notes(_drop_repeats(body, header.furniture, consumed))
    endnotes: tuple[EndNote, ...] = ()
    if trailer.glossary is None:  # glossary notes and numbered notes share the back matter; one kind
        body, endnotes = plain_footnotes(body, consumed)
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
        fields=header.fields,
        status=header.status,
        disclaimer=header.disclaimer,
        notes_before=header.notes_before,
        body=body,
        notes_after=trailer.notes_after,
        glossary=trailer.glossary,
        endnotes=endnotes,
        trailer=trailer.trailer,
        boilerplate=boilerplate,
    )
    return ReadResult(story, tuple(consumed), tuple(diagnostics))
