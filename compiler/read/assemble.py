"""Parse stage, last step: a labelled stream (recognise/) to a `Story`.

Each role maps onto the model: furniture into the story's fields (title, authors, summary,
disclaimer, notes), the text into blocks (paragraphs, verse, headings with their level, scene
breaks, the notes inside the story placed at the head or the end of their section), a
distributor's or a printed book's matter into labelled `Boilerplate`. Labels the author wrote
("A/N:", "Disclaimer:") are cut from the text and kept beside it; what is left out — labels,
transport headers, a site's own words, ornaments drawn in letters — is listed as consumed.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from ..model import (
    AuthorNote,
    Block,
    BlockQuote,
    Boilerplate,
    EndNote,
    Field,
    Glossary,
    GlossaryEntry,
    Heading,
    Inline,
    Origin,
    Paragraph,
    Preformatted,
    SceneBreak,
    Source,
    Story,
    Text,
    Verse,
    plain_text,
)
from .endnotes import plain_footnotes
from .inlines import drop_prefix, squash_space
from .recognise import Context
from .recognise import evidence as ev
from .recognise import table as t
from .recognise.head import split_stamp
from .sections import number_headings
from .stream import HEADING, PARA, PRE, QUOTE, RULE, Candidate, Given

GUTENBERG = "Project Gutenberg"
PRINTED = "the printed edition"


@dataclass
class Built:
    story: Story
    consumed: list[str]
    boilerplate: list[tuple[str, int]] = field(default_factory=list)  # (text, line) of what was left out or set apart


def _unlabelled(c: Candidate, label: str) -> tuple[Inline, ...]:
    """The block's inlines without the label the author put in front ("A/N:", "Disclaimer…")."""
    if not label:
        return c.inlines
    raw = plain_text(c.inlines)
    lead = len(raw) - len(raw.lstrip())
    # The label as found in collapsed text; in the source its spaces may be runs or line breaks.
    pattern = r"\s+".join(re.escape(w) for w in label.split())
    m = re.match(pattern, raw[lead:])
    cut = lead + (m.end() if m else len(label))
    return drop_prefix(c.inlines, cut)


def _paragraphs(c: Candidate, label: str = "") -> list[Block]:
    """A candidate as story blocks: a paragraph; verse when its lines are the author's; one
    paragraph per line when the author broke long lines (a <br/> between paragraphs)."""
    if c.kind == PRE:
        return [Preformatted(c.raw, c.line)]
    if c.kind == QUOTE:
        return [BlockQuote(c.blocks, c.line)]
    inlines = _unlabelled(c, label)
    if c.lines and c.explicit and not label:
        return [Paragraph(line, c.line_of(k) if c.numbers else c.line) for k, line in enumerate(c.lines)]
    return [Paragraph(inlines, c.line)] if plain_text(inlines).strip() else []


def _verse(c: Candidate) -> Verse:
    if c.lines:
        return Verse(c.lines, c.line)
    rows = c.raw or (c.text,)
    return Verse(tuple((Text(" ".join(r.split())),) for r in rows if r.strip()), c.line)


class _Builder:
    def __init__(self, ctx: Context, source: Source) -> None:
        self.ctx = ctx
        self.source = source
        self.consumed: list[str] = list(ctx.doc.consumed) + list(ctx.consumed)
        self.boilerplate: list[tuple[str, int]] = list(ctx.doc.boilerplate)
        self.body: list[Block] = []
        self.pending: dict[int, list[Block]] = {}  # notes waiting for the heading they belong after
        self.letter = 0  # the group of the letter being built
        self.last_group = 0  # the group of the last note inside the story

    def label(self, i: int) -> t.Label | None:
        return self.ctx.labels[i]

    def build(self) -> Built:
        ctx, stream = self.ctx, self.ctx.stream
        given = ctx.doc.given
        summary: list[Paragraph] = list(given.summary)
        summary_label = disclaimer_label = ""
        disclaimer: list[Paragraph] = []
        notes: dict[str, dict[int, list[Block]]] = {t.NOTE_BEFORE: {}, t.NOTE_AFTER: {}}
        note_meta: dict[tuple[str, int], tuple[int, str]] = {}
        trailer: list[Paragraph] = []
        parts: dict[str, list[Block]] = {}
        part_lines: dict[str, int] = {}
        glossary_rows: list[Candidate] = []
        fields = list(ctx.fields)
        verse_groups: dict[int, list[Candidate]] = {}
        verse_slots: dict[int, int] = {}
        gap_breaks = ctx.facts.get("gap_breaks", set())
        splits = ctx.facts.get("rights_split", {})
        for i, c in enumerate(stream):
            lab = self.label(i)
            role = lab.role if lab else t.STORY
            data = lab.data if lab else {}
            if i in gap_breaks:
                self.body.append(SceneBreak(c.line, marked=False))
            if role in (t.BOILERPLATE, t.FENCE) or (role == t.HEADING and data.get("part_of") is not None and c.kind == RULE):
                self.leave_out(c, role == t.BOILERPLATE and data.get("kind") != "label")
                if role == t.BOILERPLATE and data.get("kind") == "label":
                    self.consumed.append(c.text)
                continue
            if role == t.DISTRIBUTOR or role == t.FRONT_MATTER and ctx.facts.get("published"):
                key = GUTENBERG if role == t.DISTRIBUTOR else PRINTED
                if c.kind == RULE:
                    self.leave_out(c, False)
                    continue
                parts.setdefault(key + ("" if role != t.DISTRIBUTOR else data.get("part", "")), []).extend(_paragraphs(c))
                part_lines.setdefault(key + ("" if role != t.DISTRIBUTOR else data.get("part", "")), c.line)
                continue
            if role == t.FRONT_MATTER:  # a series line above a title: the story's series
                fields.append(Field("series", "Series", c.inlines, c.line))
                continue
            if role == t.TITLE:
                if ev.unquote(ev.strip_decoration(c.text)) != c.text.strip():
                    self.consumed.append(c.text)  # the ornament or quotes around it
                continue
            if role == t.BYLINE:
                if data.get("part_of") is None and data.get("label"):
                    self.consumed.append(data["label"])
                continue
            if role == t.FIELD:
                continue
            if role == t.SUMMARY:
                summary_label = summary_label or data.get("label", "")
                found = [p for p in _paragraphs(c, data.get("label", "")) if isinstance(p, Paragraph)]
                stamp = ctx.facts.get("status", "")
                if stamp and len(found) == 1 and len(found[0].children) == 1 and isinstance(found[0].children[0], Text):
                    # "… [jan.10/09 START] Linali-chan": the stamp is the status, the handle the
                    # author; whatever else follows the stamp stays in the summary.
                    rest, _stamp, _signature = split_stamp(found[0].children[0].text)
                    found = [Paragraph((Text(rest),), found[0].line)]
                summary += found
                self.consumed.append(data.get("label", ""))
                continue
            if role == t.DISCLAIMER:
                disclaimer_label = disclaimer_label or data.get("label", "")
                blocks = _paragraphs(c, data.get("label", ""))
                if c.lines and c.explicit and data.get("label"):
                    blocks = [Paragraph(_unlabelled(c, data["label"]), c.line)]
                disclaimer += [p for p in blocks if isinstance(p, Paragraph)]
                self.consumed.append(data.get("label", ""))
                continue
            if role in (t.NOTE_BEFORE, t.NOTE_AFTER):
                group = lab.group if lab else 0
                label = data.get("label", "")  # in the text, before the note: cut from it
                shown = label or data.get("heading", "")  # or a heading the note sits under
                first = (role, group) not in note_meta
                if lab and lab.rule == "preface-section" and first:
                    note_meta[(role, group)] = (c.line, c.text)
                    self.consumed.append(c.text)  # "FOREWORD": the note's label
                    continue
                if first:
                    note_meta[(role, group)] = (c.line, shown)
                elif shown and not note_meta[(role, group)][1]:
                    note_meta[(role, group)] = (note_meta[(role, group)][0], shown)
                blocks = self._note_blocks(c, label, i, splits, disclaimer)
                notes[role].setdefault(group, []).extend(blocks)
                if label:
                    self.consumed.append(label)
                continue
            if role in (t.SECTION_NOTE, t.SECTION_SUMMARY, t.SECTION_END_NOTE):
                self._section_note(i, c, lab)
                continue
            if role == t.HEADING:
                if data.get("part_of") is not None:
                    self.consumed.append(c.text) if c.kind != HEADING else None
                    continue
                text = data.get("text", c.text)
                # A heading as one line: the author's runs of spaces and line breaks inside it go.
                inlines = squash_space(c.inlines) if " ".join(plain_text(c.inlines).split()) == text else (Text(text),)
                self.body.append(Heading(inlines, "", c.line, level=int(data.get("level", 1))))
                for note in self.pending.pop(i, []):
                    self.body.append(note)
                continue
            if role == t.BREAK:
                self.leave_out(c, False)
                self.body.append(SceneBreak(c.line))
                continue
            if role == t.SLUG:
                self.body.append(SceneBreak(c.line))
                self.body += _paragraphs(c)
                continue
            if role == t.END_MARK and not data.get("inside"):
                trailer += [p for p in _paragraphs(c) if isinstance(p, Paragraph)]
                continue
            if role == t.SIGNOFF:
                trailer += [p for p in _paragraphs(c) if isinstance(p, Paragraph)]
                continue
            if role == t.GLOSSARY:
                glossary_rows.append(c)
                continue
            if role == t.VERSE:
                if lab and lab.group:
                    # One poem set line by line, or a document in capitals: one block of lines.
                    if lab.group not in verse_groups:
                        verse_groups[lab.group] = []
                        verse_slots[lab.group] = len(self.body)
                        self.body.append(Verse((), c.line))  # its lines are filled in below
                    verse_groups[lab.group].append(c)
                    continue
                self.body.append(_verse(c))
                continue
            if role == t.LETTER:
                group = lab.group if lab else 0
                blocks = _paragraphs(c)
                last = self.body[-1] if self.body else None
                if isinstance(last, BlockQuote) and last.kind == "letter" and self.letter == group:
                    self.body[-1] = dataclasses.replace(last, blocks=last.blocks + tuple(blocks))
                else:
                    self.body.append(BlockQuote(tuple(blocks), c.line, kind="letter"))
                    self.letter = group
                continue
            if role == t.TITLE_REPEAT:
                self.body += [Paragraph((Text(row),), c.line) for row in (c.raw and [" ".join(r.split()) for r in c.raw] or [c.text]) if row.strip()]
                continue
            if data.get("heading_at") is not None:  # a heading glued onto the paragraph before it
                at = data["heading_at"]
                text = c.text
                self.body.append(Paragraph((Text(text[:at].rstrip(" .") + ("." if text[:at].rstrip().endswith(".") else "")),), c.line))
                self.body.append(Heading((Text(data["heading"]),), "", c.line, level=self._lettered_level()))
                continue
            if c.kind == RULE:
                self.leave_out(c, False)
                self.body.append(SceneBreak(c.line))
                continue
            if c.kind == HEADING:
                self.body.append(Paragraph(c.inlines, c.line))
                continue
            self.body += _paragraphs(c)
        for group, rows in verse_groups.items():
            lines = tuple(line for row in rows for line in _verse(row).lines)
            self.body[verse_slots[group]] = Verse(lines, rows[0].line)
        for note_blocks in self.pending.values():
            self.body += note_blocks
        body = _tidy(self.body)
        glossary = self._glossary(glossary_rows)
        endnotes: tuple[EndNote, ...] = tuple(ctx.doc.endnotes)
        bodyt = number_headings(tuple(body))
        if glossary is None and not endnotes:
            bodyt, endnotes = plain_footnotes(bodyt, self.consumed)
        if given.source_url:
            fields.append(Field("source", "Source", (Text(given.source_url),), 0))
        boilerplate = tuple(
            Boilerplate(GUTENBERG if key.startswith(GUTENBERG) else PRINTED, tuple(blocks), part_lines.get(key, part_lines.get(f"{GUTENBERG}licence", 0)),
                        "Project Gutenberg’s notice and licence" if key.startswith(GUTENBERG) else "The printed edition’s title page and contents")
            for key, blocks in _ordered_parts(parts)
        )
        title = ctx.title or ctx.facts.get("header_title", "")
        authors = tuple(dict.fromkeys(ctx.authors or ([ctx.facts["header_author"]] if ctx.facts.get("header_author") else [])))
        story = Story(
            slug="",
            title=title,
            title_guessed=not title,
            authors=authors,
            source=self.source,
            summary=tuple(summary),
            summary_label=summary_label,
            fields=tuple(fields),
            status=ctx.facts.get("status", ""),
            disclaimer=tuple(disclaimer),
            disclaimer_label=disclaimer_label,
            notes_before=tuple(self._notes(notes[t.NOTE_BEFORE], note_meta, t.NOTE_BEFORE)) + tuple(AuthorNote(b, _line(b)) for b in given.notes_before),
            body=bodyt,
            notes_after=tuple(self._notes(notes[t.NOTE_AFTER], note_meta, t.NOTE_AFTER)) + tuple(AuthorNote(b, _line(b)) for b in given.notes_after),
            glossary=glossary,
            endnotes=endnotes,
            trailer=tuple(trailer),
            boilerplate=boilerplate,
            origin=origin(given, tuple(fields)),
        )
        return Built(story, [c for c in self.consumed if c], self.boilerplate)

    # ------------------------------------------------------------ helpers

    def leave_out(self, c: Candidate, listed: bool) -> None:
        """Text left out of the book: drawn ornaments made of letters, the site's words, headers."""
        text = " ".join(c.raw) if c.raw and c.kind != RULE else c.text
        if c.kind == RULE and not re.search(r"\w", text):
            return
        self.consumed += [r.strip() for r in c.raw] if c.raw and c.kind != RULE else [text]
        if listed and text.strip():
            self.boilerplate.append((" ".join(text.split())[:100], c.line))

    def _group_start(self, i: int) -> int:
        j = i
        while j > 0 and self.ctx.group_of(j - 1) == self.ctx.group_of(i):
            j -= 1
        return j

    def _lettered_level(self) -> int:
        levels = [lab.data.get("level", 1) for lab in self.ctx.labels if lab and lab.rule == "lettered-sequence"]
        return levels[0] if levels else 1

    def _note_blocks(self, c: Candidate, label: str, i: int, splits: dict[int, int], disclaimer: list[Paragraph]) -> list[Block]:
        if i in splits and c.kind == PARA and len(c.inlines) == 1 and isinstance(c.inlines[0], Text):
            text = c.inlines[0].text
            at = splits[i]
            # The rights sentence is the story's disclaimer; the note keeps the rest.
            raw_at = _raw_offset(text, c.text, at)
            disclaimer.append(Paragraph((Text(text[raw_at:].strip()),), c.line))
            return [Paragraph((Text(text[:raw_at].rstrip()),), c.line)]
        if c.kind == PARA and c.lines and c.explicit and not label and all(len(line) for line in c.lines):
            return [Verse(c.lines, c.line)] if all(ev.width(plain_text(line)) <= 55 for line in c.lines) else _paragraphs(c)
        return _paragraphs(c, label)

    def _section_note(self, i: int, c: Candidate, lab: t.Label | None) -> None:
        kind = {t.SECTION_SUMMARY: "summary", t.SECTION_END_NOTE: "end"}.get(lab.role if lab else "", "note")
        label = lab.data.get("label", "") if lab else ""
        if label:
            self.consumed.append(label)
        blocks = tuple(b for b in (c.blocks if c.kind == QUOTE else tuple(_paragraphs(c, label))))
        group = lab.group if lab else 0
        # Paragraphs of one note join the note before them.
        last = self.body[-1] if self.body else None
        if group and self.last_group == group and isinstance(last, AuthorNote):
            self.body[-1] = dataclasses.replace(last, blocks=last.blocks + blocks)
            return
        if group and self.last_group == group and self.pending:
            key = next(reversed(self.pending))
            prev = self.pending[key][-1]
            if isinstance(prev, AuthorNote):
                self.pending[key][-1] = dataclasses.replace(prev, blocks=prev.blocks + blocks)
                return
        self.last_group = group
        note = AuthorNote(blocks, c.line, label, kind)
        target = self._heading_after(i, lab)
        if target is not None:
            self.pending.setdefault(target, []).append(note)
        else:
            self.body.append(note)

    def _heading_after(self, i: int, lab: t.Label | None) -> int | None:
        """A chapter's note written above the chapter's heading belongs after it (downloaders put
        each chapter's note above its title); a chapter's end notes stay where they are."""
        if lab is None or lab.role != t.SECTION_NOTE:
            return None
        if lab.data.get("before") is not None:
            return int(lab.data["before"])
        j = i + 1
        while j < len(self.ctx.stream) and (self.ctx.role(j) in (t.FENCE, t.BREAK, t.BOILERPLATE) or
                                            (self.ctx.role(j) == t.SECTION_NOTE and self.ctx.group_of(j) == lab.group)):
            j += 1
        if j < len(self.ctx.stream) and self.ctx.role(j) == t.HEADING:
            return j
        return None

    def _notes(self, groups: dict[int, list[Block]], meta: dict[tuple[str, int], tuple[int, str]], role: str) -> list[AuthorNote]:
        out = []
        for group, blocks in groups.items():
            line, label = meta.get((role, group), (0, ""))
            if blocks:
                out.append(AuthorNote(tuple(blocks), line, label))
        return out

    def _glossary(self, rows: list[Candidate]) -> Glossary | None:
        if not rows:
            return None
        lines: list[tuple[str, int]] = []
        for c in rows:
            for k, r in enumerate(c.raw or c.line_texts):
                lines.append((r, c.line_of(k)))
        heading = ev.GLOSSARY_HEADING.match(lines[0][0])
        entries = []
        for text, line in lines[1:]:
            e = ev.GLOSSARY_ENTRY.match(text)
            if e is not None:
                entries.append(GlossaryEntry(e.group("term").strip(), (e.group("qual") or "").strip(), e.group("definition").strip(), line))
        return Glossary(heading.group("heading").strip() if heading else lines[0][0].strip(), tuple(entries), lines[0][1])


def _line(blocks: tuple[Block, ...]) -> int:
    return next((b.line for b in blocks if getattr(b, "line", 0)), 0)


def _raw_offset(raw: str, collapsed: str, at: int) -> int:
    """The offset in `raw` of the character at `at` in its whitespace-collapsed form."""
    words_before = len(collapsed[:at].split())
    m = re.match(r"\s*(?:\S+\s+){%d}" % words_before, raw)
    return m.end() if m else at


def _ordered_parts(parts: dict[str, list[Block]]) -> list[tuple[str, list[Block]]]:
    """The printed edition's front matter, then Project Gutenberg's header and licence as one part
    (one notice under one label: a reader's landmarks must each have a label of their own)."""
    gutenberg = parts.get(f"{GUTENBERG}header", []) + parts.get(f"{GUTENBERG}licence", [])
    out = [(PRINTED, parts[PRINTED])] if parts.get(PRINTED) else []
    return out + ([(f"{GUTENBERG}header", gutenberg)] if gutenberg else [])


def _tidy(blocks: list[Block]) -> list[Block]:
    """No scene break at a section's start or end, or two in a row."""
    out: list[Block] = []
    for b in blocks:
        if isinstance(b, SceneBreak):
            if not out or isinstance(out[-1], (SceneBreak, Heading)):
                continue
        if isinstance(b, Heading):
            while out and isinstance(out[-1], SceneBreak):
                out.pop()
        if isinstance(b, Verse) and not b.lines:
            continue
        out.append(b)
    while out and isinstance(out[-1], SceneBreak):
        out.pop()
    return out


# "Part 3 of The Long Road" (AO3's series tag; several series read as their first).
_PART_OF = re.compile(r"\bPart\s+(\d+)\s+of\s+(.+?)(?:,\s*Part\s+\d+\s+of\b.*)?$", re.I)
# A site's number for the work in its address: AO3's /works/N, FanFiction.Net's /s/N, a ?sid=N.
_WORK_ID = re.compile(r"/works/(\d+)|/s/(\d+)|[?&]sid=(\d+)")


def origin(given: Given, fields: tuple[Field, ...]) -> Origin:
    """Where a download was published: its site and address as the file states them, the site's
    number for the work, and the series part (from the package's series or the site's tag)."""
    series, part = given.series, given.part
    if not series:
        for f in fields:
            m = _PART_OF.search(" ".join(plain_text(f.value).split())) if f.key == "series" else None
            if m:
                series, part = m.group(2).strip(), int(m.group(1))
                break
    m = _WORK_ID.search(given.source_url)
    work_id = next((g for g in m.groups() if g), "") if m else ""
    return Origin(given.site, given.source_url, work_id, series, part)
