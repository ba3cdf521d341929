"""Recogniser pass 4, the body: the table's body rules on every block (headings, breaks, slug
lines, notes inside the text), and the conventions that span several blocks — a poem set line by
line, a document in capitals, a letter, a heading glued to a paragraph, a note between parts —
then heading levels from their kinds."""

from __future__ import annotations

import re

from ..stream import PARA, PRE, RULE, Candidate, caps_share
from . import body
from . import evidence as ev
from . import table as t
from .table import Context, claims, close_calls

SITE_REGION = t.documented("site-region", t.BODY, t.SECTION_NOTE, "a site template's chapter summary, chapter notes or chapter end notes (sites.py)")
REPEATED_HEADER = t.documented("repeated-header", t.BODY, t.BOILERPLATE, "the header a multi-part file repeats before each part (title, fields, disclaimer): said once")
VERSE_LINES = t.documented("verse-lines", t.BODY, t.VERSE, "lines the author broke: all short, or each opening with a capital and most closing on punctuation with a ragged edge, or set in from the margin")
SPACED_LINES = t.documented("spaced-lines", t.BODY, t.VERSE, "in a plain-text file with no blank lines between paragraphs, four or more short lines each with one blank line between: a poem")
CAPS_DOCUMENT = t.documented("capitals-document", t.BODY, t.VERSE, "four or more short blocks in capitals in a row (a memo, orders): kept line by line as one block")
LETTER = t.documented("letter", t.BODY, t.LETTER, "a sign-off ('Yours,', 'V/r') over a name and the paragraphs above it up to the salutation; or a salutation over paragraphs in its own style")
BETWEEN_LINES = t.documented("between-lines", t.BODY, t.VERSE, "a short line between two blocks of lines joins them")
GLUED_HEADING = t.documented("glued-heading", t.BODY, t.HEADING, "a lettered heading glued to the end of a paragraph, where the letter sequence misses it")
NOTE_BEFORE_PART = t.documented("note-before-part", t.BODY, t.SECTION_NOTE, "talk about the post just before a part's heading (a repost notice, 'send comments to'): that part's note")
STANZA_NUMBER = t.documented("stanza-number", t.BODY, t.VERSE, "numbers each over a stanza of verse ('I.', 'II.'): the poem's own numbering, not headings")
STANZA_DIVIDER = t.documented("stanza-divider", t.BODY, t.VERSE, "a separator set tight between blocks of short lines, verse among them: it divides one poem's stanzas, no scene break")
REPEATED_TITLE_BLOCK = t.documented("repeated-title-block", t.BODY, t.TITLE_REPEAT, "the opening title block again at the head of a later part (a second post): text, not a heading or verse")


_REGION_ROLES = {"chapter-summary": t.SECTION_SUMMARY, "chapter-notes": t.SECTION_NOTE, "chapter-endnotes": t.SECTION_END_NOTE}


def body_pass(ctx: Context, lo: int, hi: int) -> None:
    furniture = {" ".join(ctx.stream[k].text.split()) for k in range(len(ctx.stream))
                 if ctx.role(k) in (t.FIELD, t.DISCLAIMER) and ctx.stream[k].text}
    _spaced_verse(ctx, lo, hi)
    _caps_documents(ctx, lo, hi)
    _letters(ctx, lo, hi)
    told = False  # whether story text has begun
    for i in range(lo, hi):
        if not ctx.free(i):
            continue
        c = ctx.stream[i]
        if c.region in _REGION_ROLES:
            ctx.set(i, _REGION_ROLES[c.region], SITE_REGION, 1.0, ctx.new_group())
            continue
        if c.kind == PARA and c.text in furniture:
            ctx.set(i, t.BOILERPLATE, REPEATED_HEADER, 0.9, kind="repeat")  # a multi-part file's header, again
            continue
        if c.kind == PARA and all(_is_field_row(r) for r in (c.raw or c.line_texts)) and _header_repeat(ctx, c):
            ctx.set(i, t.BOILERPLATE, REPEATED_HEADER, 0.9, kind="repeat")
            continue
        found = claims(ctx, i, t.BODY)
        if told:  # a disclaimer or rights notice comes before the story, not in the middle of it
            found = [(r, cl) for r, cl in found if r.role != t.DISCLAIMER]
        found = [(r, cl) for r, cl in found if not (r.role == t.TITLE_REPEAT and _has_heading_words(c))]
        story = ev.prose_weight(c.text) if c.kind == PARA else 0.0
        verse = c.kind == PARA and i not in ctx.facts["brackets"] and body.verse_lines(c, ctx.facts["indent"], ctx.doc.width or 72)
        if verse:
            story = max(story, 0.8)
        told = told or (c.kind == PARA and not found and story >= 0.5)
        if not found or found[0][1].confidence <= story:
            if found:
                close_calls(ctx, i, found, story)
            if verse:
                ctx.set(i, t.VERSE, VERSE_LINES, 0.8)
            continue
        r, cl = found[0]
        if r.role == t.HEADING and cl.data.get("at"):
            ctx.set(i, t.FENCE, r.name)  # the rule above a part number belongs to the heading
            ctx.set(i + 1, t.HEADING, r.name, cl.confidence, **cl.data)
            continue
        if r.role == t.SECTION_NOTE:
            group = ctx.new_group()
            # Before any story text (under the chapter heading a site prints): the story's own note.
            role = t.NOTE_BEFORE if not told and r.name == "section-note-label" and ev.AUTHOR_NOTE.match(c.text) else t.SECTION_NOTE
            ctx.set(i, role, r.name, cl.confidence, group, **cl.data)
            m = ev.SUMMARY.match(c.text) or ev.AUTHOR_NOTE.match(c.text)
            if m and not m.group("rest").strip() and i + 1 < hi and ctx.free(i + 1) and ctx.stream[i + 1].kind == PARA:
                ctx.set(i + 1, role, r.name, cl.confidence, group)  # "Summary:" on a line of its own
            continue
        for k in range(i, i + cl.span):
            ctx.set(k, r.role, r.name, cl.confidence, **(cl.data if k == i else {"part_of": i}))
    _stanza_numbers(ctx, lo, hi)
    _stanza_dividers(ctx, lo, hi)
    _bridged_verse(ctx, lo, hi)
    _glued_headings(ctx, lo, hi)
    _notes_between_parts(ctx, lo, hi)
    _levels(ctx)
    _title_repeats(ctx, lo, hi)


def _has_heading_words(c: Candidate) -> bool:
    return ev.is_chapter_like(c.text)


def _is_field_row(row: str) -> bool:
    from ..headers import FIELD as FIELD_LINE

    return bool(FIELD_LINE.match(row) or ev.AUTHOR_FIELD.match(row) or ev.DISCLAIMER.match(row))


def _header_repeat(ctx: Context, c: Candidate) -> bool:
    """Every line of the block is a line of the story's header (a multi-part file repeats it)."""
    known = {" ".join(plain.split()) for plain in (ctx.title, *ctx.authors) if plain}
    known |= {f"{f.label}: {''.join(getattr(n, 'text', '') for n in f.value)}" for f in ctx.fields}
    known |= {" ".join(r.split()) for k, x in enumerate(ctx.stream) if ctx.role(k) in (t.FIELD, t.DISCLAIMER) for r in (x.raw or x.line_texts)}
    return all(any(k in " ".join(r.split()) for k in known) for r in (c.raw or c.line_texts))


def _spaced_verse(ctx: Context, lo: int, hi: int) -> None:
    """Short lines one to a paragraph with a blank line between each, in a file whose paragraphs
    have no blank lines between them: a poem set line by line (four lines at least)."""
    if ctx.facts.get("gap", 1) != 0 or ctx.doc.kind != "text":
        return
    i = lo
    while i < hi:
        j = i
        while (j < hi and ctx.role(j) in ("", t.VERSE) and ctx.stream[j].kind == PARA and len(ctx.stream[j].raw or ("",)) == 1
               and ev.width(ctx.stream[j].text) <= 60 and (j == i or ctx.stream[j].gap == 1)):
            j += 1
        if j - i >= 4:
            group = ctx.new_group()
            for k in range(i, j):
                ctx.set(k, t.VERSE, SPACED_LINES, 0.75, group)
            i = j
        else:
            i += 1


_VALEDICTION = re.compile(r"^[\w’'.\- ]{1,30},$")
_SIGN_OFF = re.compile(r"^[\w’'./\- ]{1,12}$")  # "V/r", "xoxo": a sign-off without its comma


def _letters(ctx: Context, lo: int, hi: int) -> None:
    """A letter or message inside the story: a sign-off ("Yours,", "Your friend,") over a name, and
    the paragraphs above it in the same style up to its salutation ("Dear Herr von Leigh,") or the
    blank line before it. Its paragraphs are kept together, set apart as the letter they are."""
    stream = ctx.stream
    for v in range(lo, hi - 1):
        c, name = stream[v], stream[v + 1]
        if not (ctx.free(v) and ctx.free(v + 1) and c.kind == PARA and name.kind == PARA):
            continue
        closing = _VALEDICTION.match(c.text) or (c.style and name.style == c.style and _SIGN_OFF.match(c.text))
        if not (c.words <= 4 and closing and name.gap == 0 and 1 <= name.words <= 5):
            continue
        if not name.text[:1].isupper() or ev.ends_sentence(name.text) and not name.text.endswith("."):
            continue
        style = c.style
        start, salutation = v, False
        while start - 1 >= lo and ctx.free(start - 1) and stream[start - 1].kind == PARA and stream[start].gap == 0 and v - start < 12:
            prev = stream[start - 1]
            if style and prev.style != style:
                break
            start -= 1
            if prev.words <= 6 and prev.text.endswith(",") and start < v - 1:
                salutation = True
                break
        if start == v or not (salutation or style):
            continue
        end = v + 2
        while end < hi and ctx.free(end) and stream[end].kind == PARA and stream[end].gap == 0 and stream[end].words <= 6 and (stream[end].style == style or not style):
            end += 1
        group = ctx.new_group()
        for k in range(start, end):
            ctx.set(k, t.LETTER, LETTER, 0.75, group)
    # A letter read only in part: its salutation over paragraphs in its own style (italics), and
    # the story's own text after it.
    for s in range(lo, hi - 2):
        c = stream[s]
        if not (ctx.free(s) and c.kind == PARA and c.style and c.words <= 6 and c.text.endswith(",") and c.text[:1].isupper()):
            continue
        end = s + 1
        while end < hi and ctx.free(end) and stream[end].kind == PARA and stream[end].style == c.style and stream[end].gap == 0:
            end += 1
        if end - s >= 3 and end < hi and stream[end].style != c.style:
            group = ctx.new_group()
            for k in range(s, end):
                ctx.set(k, t.LETTER, LETTER, 0.7, group)


def _caps_documents(ctx: Context, lo: int, hi: int) -> None:
    """A document inside the story set in capitals line by line — a memo, orders, a telegram:
    four or more short blocks in capitals in a row, in a file whose prose is in mixed case. Its
    lines are kept as they are, as one block."""
    if ctx.facts.get("caps_prose"):
        return
    i = lo
    while i < hi:
        j, lines = i, 0
        while j < hi and ctx.free(j) and _caps_block(ctx.stream[j]) and (j == i or ctx.stream[j].gap <= 1):
            lines += len(ctx.stream[j].raw or ctx.stream[j].line_texts)
            j += 1
        if j - i >= 4 or (j - i >= 3 and lines >= 6):
            group = ctx.new_group()
            for k in range(i, j):
                ctx.set(k, t.VERSE, CAPS_DOCUMENT, 0.75, group)
            i = j
        else:
            i = max(i + 1, j)


def _caps_block(c: Candidate) -> bool:
    rows = c.raw or c.line_texts
    return (c.kind in (PARA, PRE) and bool(rows) and caps_share(c.text) >= 0.8 and all(ev.width(r.strip()) <= 72 for r in rows)
            and not ev.is_chapter_like(c.text) and bool(re.search(r"[^\W\d_]{2}", c.text)))


def _stanza_numbers(ctx: Context, lo: int, hi: int) -> None:
    """Numbers over the stanzas of a poem ("I.", "II." each over lines of verse) number its
    stanzas: the poem stays one block of verse, and they are no headings."""
    numbers = [k for k in range(lo, hi) if ctx.rule_of(k) == "bare-number"]
    over_verse = [k for k in numbers if k + 1 < hi and ctx.role(k + 1) == t.VERSE]
    if len(over_verse) < 2 or len(over_verse) * 2 < len(numbers):
        return
    for k in over_verse:
        ctx.set(k, t.VERSE, STANZA_NUMBER, 0.7)


def _stanza_dividers(ctx: Context, lo: int, hi: int) -> None:
    """A separator set tight between blocks of short lines — no blank line on either side — with
    verse among them divides the stanzas of one poem ("-" between a sonnet's quatrains): one
    block of verse, divider lines kept, and no scene break."""
    from ..layout import VERSE_MAX

    def stanza(k: int) -> bool:
        c = ctx.stream[k]
        rows = [r for r in (c.raw or c.line_texts) if r.strip()]
        return (c.kind == PARA and len(rows) >= 2 and ctx.role(k) in ("", t.VERSE)
                and all(ev.width(r.strip()) <= VERSE_MAX for r in rows))

    k = lo
    while k < hi:
        if not stanza(k):
            k += 1
            continue
        run, j = [k], k + 1
        while j + 1 < hi and ctx.stream[j].kind == RULE and ctx.stream[j].gap == 0 and ctx.stream[j + 1].gap == 0 and stanza(j + 1):
            run += [j, j + 1]
            j += 2
        if len(run) >= 3 and any(ctx.role(m) == t.VERSE for m in run):
            group = ctx.new_group()
            for m in run:
                ctx.set(m, t.VERSE, STANZA_DIVIDER, 0.75, group)
        k = j


def _bridged_verse(ctx: Context, lo: int, hi: int) -> None:
    """A short line between two blocks of lines ("Title" between a name and "Heir: …" in a
    results table) belongs to them: one block kept as written."""
    for k in range(lo + 1, hi - 1):
        c = ctx.stream[k]
        if ctx.free(k) and c.kind == PARA and c.words <= 3 and not ev.ends_sentence(c.text) and c.gap == 0 and ctx.stream[k + 1].gap == 0:
            if ctx.role(k - 1) == t.VERSE and ctx.role(k + 1) == t.VERSE:
                ctx.set(k, t.VERSE, BETWEEN_LINES, 0.6)


def _glued_headings(ctx: Context, lo: int, hi: int) -> None:
    """A lettered heading a word processor glued onto the end of the paragraph before it ("… said
    Eldon. E. First Research"): found where the letter sequence has a gap."""
    marks: list[tuple[int, str]] = []
    for k in range(lo, hi):
        if ctx.rule_of(k) == "lettered-sequence" and (m := ev.LETTERED.match(ctx.stream[k].text)):
            marks.append((k, m.group("mark")))
    headings = [k for k in range(lo, hi) if ctx.role(k) == t.HEADING] + [hi]
    for n, (a, ma) in enumerate(marks):
        mb = marks[n + 1][1] if n + 1 < len(marks) else ""
        if not ma.isalpha() or (mb.isalpha() and ord(mb) - ord(ma) == 1):
            continue  # the next letter follows: nothing is missing
        missing = chr(ord(ma) + 1)
        b = next(k for k in headings if k > a)  # up to the next heading of any kind
        pattern = re.compile(rf"(?:^|\s|\.)(?P<h>{missing}\s?\.\s?[A-Z][\w'’]*(?:\s+[A-Z][\w'’]*){{0,6}})\s*$")
        for k in range(a + 1, b):
            if ctx.free(k) and ctx.stream[k].kind == PARA and (m := pattern.search(ctx.stream[k].text)):
                ctx.set(k, t.STORY, GLUED_HEADING, 0.7, heading_at=m.start("h"), heading=" ".join(m.group("h").split()))
                break


def _notes_between_parts(ctx: Context, lo: int, hi: int) -> None:
    """Talk about the post just before a part's heading (a repost notice, "send comments to …") is
    that part's note, not the end of the part before."""
    headings = [k for k in range(lo, hi) if ctx.role(k) == t.HEADING and ctx.data_of(k).get("part_of") is None]
    for h in headings[1:] if headings and headings[0] == lo else headings:
        j = h - 1
        while j > lo and ctx.role(j) in (t.FENCE, t.BREAK):
            j -= 1
        run: list[int] = []
        while j > lo and ctx.free(j) and ctx.stream[j].kind == PARA and not ev.is_dialogue(ctx.stream[j].text):
            run.insert(0, j)
            if ctx.stream[j].gap > ctx.facts.get("gap", 1):
                break
            j -= 1
        cues = [ev.meta_cues(ctx.stream[k].text) for k in run]
        apart = ctx.stream[run[0]].gap > ctx.facts.get("gap", 1) if run else False
        if run and len(run) <= 3 and all(cues) and (sum(cues) >= 2 and apart or sum(cues) >= 3):
            group = ctx.new_group()
            for k in run:
                ctx.set(k, t.SECTION_NOTE, NOTE_BEFORE_PART, 0.7, group, before=h)


_RANK = {"upper": 0, "chapter": 1, "syntax": 1, "caps": 1, "lettered": 2, "numbered": 3}


def _levels(ctx: Context) -> None:
    """Heading levels from their kinds: BOOK/PART above chapters, lettered sections below them,
    numbered ones below those. Syntax headings keep their order of levels."""
    kinds = {lab.data.get("kind", "chapter") for lab in ctx.labels if lab and lab.role == t.HEADING and not lab.data.get("part_of")}
    syntax_levels = sorted({ctx.stream[k].level for k, lab in enumerate(ctx.labels) if lab and lab.role == t.HEADING and lab.data.get("kind") == "syntax"})
    ranks = sorted({_RANK.get(k, 1) for k in kinds})
    for k, lab in enumerate(ctx.labels):
        if not lab or lab.role != t.HEADING or lab.data.get("part_of"):
            continue
        kind = lab.data.get("kind", "chapter")
        if kind == "syntax" and syntax_levels:
            level = syntax_levels.index(ctx.stream[k].level) + 1 if ctx.stream[k].level in syntax_levels else 1
        else:
            level = ranks.index(_RANK.get(kind, 1)) + 1
        ctx.labels[k] = t.Label(lab.role, lab.rule, lab.confidence, lab.group, {**lab.data, "level": level})


def _title_repeats(ctx: Context, lo: int, hi: int) -> None:
    """A repeated title block (a second post's copy of the first): each of its blocks as text."""
    block = [k for k in range(lo) if ctx.role(k) in (t.TITLE, t.BYLINE, t.FRONT_MATTER)]
    if not block or ctx.role(block[0]) != t.TITLE or ctx.facts.get("published"):
        return
    texts = [ctx.stream[k].text for k in block]
    for i in range(lo, hi):
        if ctx.role(i) in ("", t.TITLE_REPEAT, t.VERSE, t.HEADING) and ctx.stream[i].text == texts[0]:
            j, n = i, 0
            while j < hi and n < len(texts) and ctx.stream[j].text == texts[n]:
                j, n = j + 1, n + 1
            # …and the lines up to the next heading that repeat the first title block's neighbours.
            while j < hi and ctx.role(j) in ("", t.VERSE) and any(ctx.stream[j].text == ctx.stream[x].text for x in range(lo, min(hi, lo + 6))):
                j += 1
            for k in range(i, j):
                ctx.set(k, t.TITLE_REPEAT, REPEATED_TITLE_BLOCK, 0.8)
