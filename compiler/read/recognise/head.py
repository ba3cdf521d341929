"""Recogniser rules for the head of a story: title block, byline, fields, summary, disclaimer,
the author's notes before the story, a printed book's front matter.

Fan fiction opens with furniture in a loose order (a disclaimer, "A/N:", the title and "by …", a
summary, "Rating: T"); a printed book with a title page, an imprint, a contents list and a
foreword. Each rule below recognises one of these by its label words or its shape; the head pass
(recognise/__init__.py) weighs them against the reading "story text starts here".
"""

from __future__ import annotations

import re

from ..headers import FIELD as FIELD_LINE
from ..headers import field_key
from ..stream import HEADING, PARA, PRE, QUOTE, RULE, Candidate, caps_share, lead_style
from . import evidence as ev
from . import table as t
from .table import Claim, Context, rule


def _text(c: Candidate) -> str:
    return c.text


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", text.casefold()))  # "_THE TITLE_": underscores are emphasis


@rule("labelled-fields", t.HEAD, t.FIELD, "every line a site field: 'Title: …', 'Rating: T', 'Pairing: A/B', 'Autora: …'")
def labelled_fields(ctx: Context, i: int) -> Claim | None:
    c = ctx.stream[i]
    rows = c.raw or c.line_texts
    if c.kind != PARA or not rows or not all(FIELD_LINE.match(r) or ev.AUTHOR_FIELD.match(r) for r in rows):
        return None
    return Claim(1, 0.95)


@rule("byline", t.HEAD, t.BYLINE, "a short line 'by NAME' or '(by: NAME)', or 'an EPIC by' with the name on the next line")
def byline(ctx: Context, i: int) -> Claim | None:
    c = ctx.stream[i]
    if c.kind not in (PARA, HEADING) or c.words > 12:
        return None
    other = ev.BYLINE_OTHER.match(c.text)
    if other and other.group("name")[0].isupper() and c.words <= 6 and not ev.ends_sentence(other.group("name")):
        return Claim(1, 0.85, {"name": other.group("name").strip(), "label": c.text[: other.start("name")].strip()})
    if (m := ev.BYLINE.match(c.text)) and not ev.ends_sentence(m.group("name")) or (m := ev.AUTHOR_FIELD.match(c.text)):
        return Claim(1, 0.9, {"name": m.group("name").strip(), "label": c.text[: m.start("name")].strip()})
    if (both := _title_by_name(ctx, i)) is not None:
        return both
    nxt = ctx.stream[i + 1] if i + 1 < len(ctx.stream) else None
    if ev.BY_ALONE.match(c.text) and nxt is not None and nxt.kind == PARA and 1 <= nxt.words <= 5 and not ev.ends_sentence(nxt.text.rstrip(".")):
        return Claim(2, 0.85, {"name": nxt.text.strip(), "label": c.text.strip()})
    return None


_TITLE_BY = re.compile(r"^(?P<title>\S.{0,80}?)\s+by\s*:?\s+(?P<name>\S.{0,40}?)$", re.I)


def _title_by_name(ctx: Context, i: int) -> Claim | None:
    """"JUMP START  by Cameron Dixon" on one line, set apart (centred, or boxed between drawn
    rows): the title and the byline together. In running text "… by …" is a sentence, so the line
    must be set apart and both halves must look the part (a title, then a capitalised name)."""
    c = ctx.stream[i]
    rows = c.raw or c.line_texts
    if c.kind != PARA or len(rows) != 1 or c.words > 14 or not (m := _TITLE_BY.match(c.text)):
        return None
    boxed = i > 0 and ctx.stream[i - 1].kind == RULE and i + 1 < len(ctx.stream) and ctx.stream[i + 1].kind == RULE
    title, name = ev.unquote(m.group("title").strip()), m.group("name").strip()
    # The title in quotes, or the very name the post's headers give it: a title line, not a
    # sentence that happens to hold "by".
    quoted = title != m.group("title").strip() and not re.search(r"[.!?,]$", title)
    known = bool(_words_of(title)) and _words_of(title) in (_words_of(ctx.title), _words_of(ctx.facts.get("header_title", "")))
    if not (c.centred or boxed or quoted or known):
        return None
    names = name.split()
    if not (1 <= len(names) <= 4 and all(w[:1].isupper() for w in names) and not ev.ends_sentence(name.rstrip("."))):
        return None
    if not ev.is_title_like(title, 10) or ev.is_chapter_like(title) or ev.ends_sentence(title):
        return None
    return Claim(1, 0.85, {"name": name, "title": title, "label": "by"})


def _words_of(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


@rule("summary-label", t.HEAD, t.SUMMARY, "a paragraph labelled 'Summary:' (or 'Blurb:', 'Zusammenfassung:'…)")
def summary_label(ctx: Context, i: int) -> Claim | None:
    c = ctx.stream[i]
    if c.kind == PARA and (m := ev.SUMMARY.match(c.text)) and m.group("rest").strip():
        return Claim(1, 0.95, {"label": c.text[: m.start("rest")].strip()})
    return None


@rule("disclaimer-label", t.ANY, t.DISCLAIMER, "a paragraph labelled 'Disclaimer:' (any language met), with or without a colon")
def disclaimer_label(ctx: Context, i: int) -> Claim | None:
    c = ctx.stream[i]
    if c.kind == PARA and (m := ev.DISCLAIMER.match(c.text)):
        return Claim(1, 0.95, {"label": c.text[: m.start("rest")].strip()})
    return None


@rule("disclaimer-bracketed", t.ANY, t.DISCLAIMER, "a whole paragraph in brackets that speaks of owning or copyright: '{… not property of us …}'")
def disclaimer_bracketed(ctx: Context, i: int) -> Claim | None:
    c = ctx.stream[i]
    return Claim(1, 0.92) if c.kind == PARA and ev.BRACKETED_DISCLAIMER.match(c.text) else None


@rule("ownership", t.HEAD, t.DISCLAIMER, "a short paragraph before the story saying who owns the characters ('… belong to …', 'I don't own …')")
def ownership(ctx: Context, i: int) -> Claim | None:
    c = ctx.stream[i]
    if c.kind != PARA or c.words > 90 or not ev.OWNERSHIP.search(c.text) or ev.is_dialogue(c.text):
        return None
    # One statement of ownership is a close call beside a long paragraph of prose; three separate
    # ones (rights, "a work of fiction", "any resemblance…") are a disclaimer however long.
    cues = ev.disclaimer_cues(c.text)
    if c.words > 60 and cues < 3:
        return None
    return Claim(1, 0.8 if cues < 3 else 0.93)


@rule("rights-notice", t.ANY, t.DISCLAIMER, "a short line with a copyright sign or word and a year or name: 'Copyright (c)1993 Allen Ruffin'")
def rights_notice(ctx: Context, i: int) -> Claim | None:
    c = ctx.stream[i]
    if c.kind == PARA and c.words <= 25 and ev.RIGHTS.search(c.text) and not ev.is_dialogue(c.text):
        return Claim(1, 0.8)
    return None


@rule("note-label", t.HEAD, t.NOTE_BEFORE, "a paragraph labelled 'A/N:', 'Author's note:', 'AN:', 'Примечания автора:'…")
def note_label(ctx: Context, i: int) -> Claim | None:
    c = ctx.stream[i]
    if c.kind == PARA and (m := ev.AUTHOR_NOTE.match(c.text)) and (m.group("rest").strip() or i + 1 < len(ctx.stream)):
        return Claim(1, 0.95, {"label": c.text[: m.start("rest")].strip(), "opens": True})
    return None


@rule("note-lead", t.HEAD, t.NOTE_BEFORE, "after other notes: a paragraph opening with a bold lead ('**Special thanks to** …'), "
      "or a short line ending in a colon that heads the paragraphs after it")
def note_lead(ctx: Context, i: int) -> Claim | None:
    c = ctx.stream[i]
    if c.kind != PARA or not any(ctx.role(j) in (t.NOTE_BEFORE, t.DISCLAIMER) for j in range(max(0, i - 3), i)):
        return None
    if ev.DISCLAIMER.match(c.text) or ev.SUMMARY.match(c.text) or ev.AUTHOR_NOTE.match(c.text):
        return None  # its label says what it is
    if lead_style(c.inlines) == "bold" and c.style != "bold":
        return Claim(1, 0.96, {"opens": True})
    if c.words <= 8 and c.text.endswith(":") and i + 1 < len(ctx.stream) and ctx.stream[i + 1].kind == PARA:
        return Claim(1, 0.7, {"opens": True})
    return None


@rule("author-talk", t.HEAD, t.NOTE_BEFORE, "a paragraph before the story that talks about the post itself: this story, "
      "its parts, comments, e-mail, reposting, its rating (at least two such cues, or one in a short paragraph)")
def author_talk(ctx: Context, i: int) -> Claim | None:
    c = ctx.stream[i]
    if c.kind != PARA or ev.is_dialogue(c.text):
        return None
    cues = ev.meta_cues(c.text)
    if cues >= 2 or (cues >= 1 and c.words <= 40):
        return Claim(1, min(0.95, 0.55 + 0.12 * cues), {"opens": _opens(ctx, i)})
    return None


def _opens(ctx: Context, i: int) -> bool:
    """A new note unless it runs on from a note just before it (a bold lead opens one anyway)."""
    if lead_style(ctx.stream[i].inlines) == "bold" and ctx.stream[i].style != "bold":
        return True
    return not (i > 0 and ctx.role(i - 1) == t.NOTE_BEFORE and ctx.stream[i].gap <= ctx.facts.get("gap", 1))


@rule("preface-section", t.HEAD, t.NOTE_BEFORE, "a heading 'Foreword', 'Preface', 'Introduction' before the first "
      "chapter: what follows it, up to the next heading, is the author's note before the text")
def preface_section(ctx: Context, i: int) -> Claim | None:
    c = ctx.stream[i]
    if c.kind not in (PARA, HEADING) or not ev.PREFACE.match(ev.strip_decoration(c.text)):
        return None
    j = i + 1
    while j < len(ctx.stream) and not _is_heading_like(ctx, j) and not ev.PLACEHOLDER.match(ctx.stream[j].text):
        j += 1
    return Claim(j - i, 0.85, {"label": c.text, "opens": True}) if j > i + 1 else None


def _is_heading_like(ctx: Context, j: int) -> bool:
    c = ctx.stream[j]
    if c.kind == HEADING:
        return True
    if c.kind != PARA or c.words > ev.MAX_HEADING_WORDS or c.lines:
        return False
    text = c.text
    return ev.is_chapter_like(text) or (caps_share(text) > 0.9 and c.gap > ctx.facts.get("gap", 1) and not ev.END_MARK.match(text))


@rule("contents-list", t.HEAD, t.FRONT_MATTER, "a 'Contents' heading and the list of titles (with page numbers) under it: "
      "the printed book's own contents, never chapters")
def contents_list(ctx: Context, i: int) -> Claim | None:
    c = ctx.stream[i]
    if c.kind not in (PARA, HEADING) or not ev.CONTENTS.match(ev.strip_decoration(c.text)) or c.words > 5:
        return None
    j = i + 1
    entries: list[str] = []
    while j < len(ctx.stream) and ctx.stream[j].kind in (PARA, PRE) and not ev.PREFACE.match(ctx.stream[j].text):
        rows = ctx.stream[j].raw or ctx.stream[j].line_texts
        if not all(len(r.split()) <= 14 for r in rows) or (entries and ctx.stream[j].gap > 1):
            break  # a long line, or the wider space before the first piece itself
        entries += [_without_page_number(r) for r in rows]
        j += 1
    return Claim(j - i, 0.9, {"entries": [e for e in entries if e]}) if entries else None


# A contents line's page number and its leader ("Chapter One ....... page 5"), matched on the line
# reversed from its end: as `[\s._]*(?:_?page_?)?[\s._]*\d*\s*$` every start in a run of dots or
# spaces tried every split of the run between the three (a 4,000-space line never finished).
_PAGE_TAIL = re.compile(r"\s*\d*[\s._]*(?:_?egap_?)?[\s._]*", re.I)


def _without_page_number(row: str) -> str:
    text = row.strip()
    tail = _PAGE_TAIL.match(text[::-1])
    return text[: len(text) - tail.end()].strip() if tail else text


@rule("title-repeat", t.ANY, t.TITLE_REPEAT, "the title (or part of it) shown again at the head of the text")
def title_repeat(ctx: Context, i: int) -> Claim | None:
    c = ctx.stream[i]
    if not ctx.title or c.kind not in (PARA, HEADING) or c.words > 25:
        return None
    text, title = _norm(ev.unquote(ev.strip_decoration(c.text))), _norm(ctx.title)
    if not text or len(text.split()) < 2 and text != title:
        return None
    article = re.sub(r"^(?:a|an|the)\s+", "", text)
    if text == title or article == re.sub(r"^(?:a|an|the)\s+", "", title) or (len(text.split()) >= 3 and text in title):
        return Claim(1, 0.9)
    # "Gravel on the Ground: As the Days Go By": a series name before the title, shown again.
    if len(title.split()) >= 2 and text.endswith(title) and len(text.split()) <= len(title.split()) + 6:
        return Claim(1, 0.85)
    return None


@rule("fence", t.HEAD, t.FENCE, "a drawn separator among the furniture before the story: it sets furniture off, it is no scene break")
def fence(ctx: Context, i: int) -> Claim | None:
    return Claim(1, 0.9) if ctx.stream[i].kind == RULE else None


def split_stamp(text: str) -> tuple[str, str, str]:
    """(text, stamp, signature): a summary line ending in a progress stamp ("[jan.10/09 START]")
    and the author's handle after it."""
    m = ev.STATUS.search(text)
    if m is None:
        return text.strip(), "", ""
    before, after = text[: m.start()].strip(), text[m.end() :].strip()
    # A signature is a short handle, not a sentence: one to three words, no sentence punctuation.
    if after and len(after.split()) <= 3 and not re.search(r"[.!?]$", after):
        return before, m.group(0), after
    return (before + " " + after).strip(), m.group(0), ""


def title_claim(ctx: Context, i: int) -> Claim | None:
    """The first line as the title: short, not a sentence, set apart (bold, centred, capitals, a
    Markdown `#`, a gap after it). A chapter heading's words make it a heading instead."""
    c = ctx.stream[i]
    if c.kind not in (PARA, HEADING) or len(c.line_texts) > 2:
        return None
    text = ev.unquote(ev.strip_decoration(c.text))
    if not text or not ev.is_title_like(text, 14) or ev.is_chapter_like(text) or ev.BARE.match(text):
        return None
    if not re.search(r"[^\W\d_]", text):
        return None  # "1999", "12.03.2004": a date line or a number, no title
    if ev.width(text) > 80:
        return None  # a sentence in a script written without spaces has one "word" but a line's width
    if ev.END_MARK.match(text) or ev.meta_cues(text):
        return None
    if i in ctx.facts.get("caps_run", ()):
        return None  # the first of a collection's titles, set like the others: a heading
    sure = 0.45
    sure += 0.2 if c.style == "bold" or c.kind == HEADING else 0
    sure += 0.15 if c.centred else 0
    sure += 0.1 if caps_share(text) > 0.9 else 0
    sure += 0.1 if text != c.text.strip() else 0  # set in an ornament or quotes
    nxt = ctx.stream[i + 1] if i + 1 < len(ctx.stream) else None
    if nxt is not None and (nxt.gap > ctx.facts.get("gap", 1) or nxt.kind == RULE):
        sure += 0.1
    return Claim(1, min(sure, 0.95), {"title": text})


def is_front_matter(c: Candidate) -> bool:
    """A printed book's title-page line, imprint or illustration placeholder: short, not prose."""
    if c.kind == RULE:
        return True
    if c.kind == PRE:
        return True
    if c.kind == QUOTE:
        return False
    rows = c.raw or c.line_texts
    return all(len(r.split()) <= 14 for r in rows) and not (len(rows) == 1 and ev.ends_sentence(c.text) and c.words > 10)


def fields_of(ctx: Context, c: Candidate) -> None:
    """Header field lines into the story's fields (Title and Author name the story)."""
    from ...model import Field, Text

    rows = c.raw or c.line_texts
    for k, row in enumerate(rows):
        if m := ev.AUTHOR_FIELD.match(row):
            if not ctx.authors:
                ctx.authors += ev.split_names(m.group("name"))
            ctx.consumed.append(row[: m.start("name")].strip())
            continue
        m2 = FIELD_LINE.match(row)
        if m2 is None:
            continue
        key = field_key(m2.group("label"))
        value = m2.group("value").strip()
        if key == "title" and not ctx.title:
            ctx.title, ctx.title_rule = value, "labelled-fields"
            ctx.consumed.append(row[: m2.start("value")].strip())
        elif key == "author" and not ctx.authors:
            ctx.authors += ev.split_names(value)
            ctx.consumed.append(row[: m2.start("value")].strip())
        elif key not in ("title", "author"):
            ctx.fields.append(Field(key, m2.group("label"), (Text(value),), c.line_of(k)))
        else:
            ctx.consumed.append(row)  # a header a multi-part file repeats
