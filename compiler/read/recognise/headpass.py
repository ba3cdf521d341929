"""Recogniser pass 2, the head: the title block (a byline and the title above it; what comes
before it is the author's preface), then furniture one block at a time, each claim weighed against
the reading "the story starts here". A printed book's front matter runs to the first piece its
contents list names, or its own title over the text."""

from __future__ import annotations

import re

from ..stream import HEADING, PARA, PRE, QUOTE, RULE
from . import body, head
from . import evidence as ev
from . import table as t
from .table import Claim, Context, Rule, claims, close_calls

TITLE_ABOVE_BYLINE = t.documented("title-above-byline", t.HEAD, t.TITLE, "the title-like line right above a byline near the top (a quoted title over a series line wins)")
SERIES_LINE = t.documented("series-line", t.HEAD, t.FRONT_MATTER, "a centred line above the title in the title block: the series the story belongs to")
PREFACE = t.documented("preface", t.HEAD, t.NOTE_BEFORE, "whatever comes before the title block (after the transport headers) is the author's preface")
BANNER = t.documented("banner", t.HEAD, t.TITLE, "a drawn banner at the top with the title (and the author) written into it; the drawing stays in the text")
FIRST_CHAPTER_NOTE = t.documented("note-before-first-chapter", t.HEAD, t.NOTE_BEFORE, "a short passage talking about the post, between the furniture and the first chapter heading")
SUBJECT_TITLE = t.documented("subject-title", t.HEAD, t.TITLE, "the name a post's headers give it, shown again on a line set apart after a paragraph or two: the title (what comes before it is the preface)")
PRINTED_TITLE = t.documented("title-over-text", t.HEAD, t.TITLE_REPEAT, "in a printed book, its own title over the text (not over a byline: that is its title page)")


def _apply(ctx: Context, i: int, r: Rule, c: Claim, group: int = 0) -> None:
    for k in range(i, min(i + c.span, len(ctx.stream))):
        ctx.set(k, r.role, r.name, c.confidence, group, **c.data)


def head_pass(ctx: Context, lo: int, hi: int) -> int:
    """Label the furniture before the story; return where the story starts."""
    if ctx.facts.get("published"):
        return _published_head(ctx, lo, hi)
    if ctx.doc.given.site:
        return lo  # a site's page: its template holds the furniture, and the text starts at once
    _banner(ctx, lo)
    i = _title_block(ctx, lo, hi)
    group = max((lab.group for lab in ctx.labels if lab and lab.role == t.NOTE_BEFORE), default=0)
    seen_story = False
    while i < hi:
        if not ctx.free(i):
            i += 1
            continue
        c = ctx.stream[i]
        if starts_body(ctx, i):
            break
        found = claims(ctx, i, t.HEAD)
        if not ctx.title and not seen_story and (tc := head.title_claim(ctx, i)) is not None and _first_text(ctx, lo, i):
            if ctx.facts.get("chapter_file") and c.kind == HEADING:
                break  # a chapter's file opens with the chapter's heading, not the work's title
            found.append((_TITLE_RULE, tc))
            found.sort(key=lambda rc: -rc[1].confidence)
        if ctx.facts.get("published") and head.is_front_matter(c) and not found:
            found.append((_FRONT_RULE, Claim(1, 0.6)))
        cont = _note_continues(ctx, i, hi)
        stronger = any((r.role != t.NOTE_BEFORE or cl.data.get("opens")) and cl.confidence >= 0.7 and r.name != "author-talk" for r, cl in found)
        if cont is not None and not stronger:
            found.insert(0, (_CONTINUE_RULE, cont))
        story = ev.prose_weight(c.text) if c.kind == PARA else 0.95 if c.kind == QUOTE else 0.5
        if not found or found[0][1].confidence <= story:
            close_calls(ctx, i, found, story)
            break
        r, cl = found[0]
        if r.role == t.NOTE_BEFORE:
            if cl.data.get("opens", True) or group == 0:
                group = ctx.new_group()
            _apply(ctx, i, r, cl, group)
            _absorb(ctx, i, r, cl)
        elif r.role == t.TITLE:
            ctx.title, ctx.title_rule = cl.data["title"], r.name
            _apply(ctx, i, r, cl)
        else:
            _apply(ctx, i, r, cl)
            _absorb(ctx, i, r, cl)
        i += cl.span
    # A short passage between the furniture and the first chapter heading is the author's note.
    if i > lo and i < hi:
        j, words = i, 0
        while j < hi and j < i + 3 and ctx.free(j) and ctx.stream[j].kind == PARA and not _chapter_heading(ctx, j) and _story_block(ctx, j) is None:
            words += ctx.stream[j].words
            j += 1
        talk = sum(ev.meta_cues(ctx.stream[k].text) for k in range(i, j))
        if j > i and words <= 80 and talk and j < hi and _chapter_heading(ctx, j) and not _implies_a_first_part(ctx, j):
            group = ctx.new_group()
            for k in range(i, j):
                ctx.set(k, t.NOTE_BEFORE, FIRST_CHAPTER_NOTE, 0.6, group)
            i = j
    return i


def _implies_a_first_part(ctx: Context, j: int) -> bool:
    """"Chapter 2", "Part Two", "II": the text before it is the untitled first part, not a note."""
    from ..sections import implied_first

    return bool(implied_first(ctx.stream[j].text))


def _banner(ctx: Context, lo: int) -> None:
    """A drawn banner at the top with the title (and the author) written into it:
    "░░░FURRY ORPHAN OF WAR░░░Allen Ruffin". The drawing stays in the text, as drawn."""
    c = ctx.stream[lo] if lo < len(ctx.stream) else None
    if c is None or c.kind != PRE or ctx.title:
        return
    rows = [r for r in c.raw if re.search(r"[^\W\d_]{2}", r)]
    if len(rows) != 1:
        return
    runs = [" ".join(r.split()) for r in re.findall(r"[^\W_][\w .,'’&!?-]*[\w.!?]", rows[0])]
    if not runs or not ev.is_title_like(runs[0], 12):
        return
    ctx.title, ctx.title_rule = runs[0], BANNER
    if len(runs) == 2 and 2 <= len(runs[1].split()) <= 4 and all(w[:1].isupper() for w in runs[1].split()):
        ctx.authors.append(runs[1])


def _published_head(ctx: Context, lo: int, hi: int) -> int:
    """A printed book's front matter (title page, imprint, contents, a foreword) up to its first
    piece: the first title its own contents list names, else its own title over the text, a
    heading, or the first long paragraph."""
    stream = ctx.stream
    for k in range(lo, min(hi, lo + max(40, (hi - lo) // 4))):
        if ctx.free(k) and (cl := head.contents_list.test(ctx, k)) is not None:
            ctx.facts["contents"] = {body._key(e) for e in cl.data["entries"]}
            break
    contents = ctx.facts.get("contents")
    i = lo
    while i < hi:
        if not ctx.free(i):
            i += 1
            continue
        c = stream[i]
        brackets = i in ctx.facts["brackets"]
        if contents and not brackets and c.kind in (PARA, HEADING) and body._key(c.text) in contents:
            break
        if not contents and head.title_repeat.test(ctx, i) is not None:
            nxt = next((k for k in range(i + 1, min(hi, i + 4)) if ctx.free(k)), None)
            if nxt is None or head.byline.test(ctx, nxt) is None:  # not a title page ("… by …")
                ctx.set(i, t.TITLE_REPEAT, PRINTED_TITLE, 0.9)
                return i + 1
        if not contents and not brackets and _story_starts(ctx, i):
            break
        if (pc := head.preface_section.test(ctx, i)) is not None:
            group = ctx.new_group()
            for k in range(i, i + pc.span):
                if k in ctx.facts["brackets"]:
                    pc = Claim(k - i, pc.confidence, pc.data)
                    break
                ctx.set(k, t.NOTE_BEFORE, head.preface_section.name, pc.confidence, group, **(pc.data if k == i else {}))
            i += max(pc.span, 1)
            continue
        if (cl := head.contents_list.test(ctx, i)) is not None:
            _apply(ctx, i, head.contents_list, cl)
            i += cl.span
            continue
        ctx.set(i, t.FRONT_MATTER, "front-matter", 0.6)
        i += 1
    return i


def _story_starts(ctx: Context, i: int) -> bool:
    c = ctx.stream[i]
    if c.kind == HEADING or (c.kind == PARA and ev.is_chapter_like(c.text) and not ev.PREFACE.match(c.text)):
        return True
    if c.kind == PARA and (cl := body.capitals_line.test(ctx, i)) is not None and cl.confidence >= 0.65:
        return not (ev.PREFACE.match(c.text) or ev.CONTENTS.match(c.text))
    # A paragraph of prose at the text's margin (a note set in is the transcriber's): it has begun.
    prose = c.kind == PARA and c.words >= 20 and ev.ends_sentence(c.text) and c.indent <= ctx.facts.get("indent", 0)
    return prose and i not in ctx.facts["brackets"]


def _story_block(ctx: Context, j: int) -> str | None:
    """A reason the block is plainly story (dialogue), else None."""
    return "dialogue" if ev.is_dialogue(ctx.stream[j].text) else None


def _first_text(ctx: Context, lo: int, i: int) -> bool:
    """Nothing but furniture before position i."""
    return all(not ctx.free(k) or ctx.stream[k].kind == RULE for k in range(lo, i))


def _chapter_heading(ctx: Context, j: int) -> bool:
    c = ctx.stream[j]
    return (c.kind == HEADING and c.text and not ev.AUTHOR_NOTE.match(c.text)) or (c.kind == PARA and (body.chapter_words.test(ctx, j) is not None))


def starts_body(ctx: Context, i: int) -> bool:
    """A chapter heading, a heading the syntax marks (once the title is known), or a region of
    the site's chapter: the story has begun."""
    c = ctx.stream[i]
    if c.region.startswith("chapter"):
        return True
    if c.kind == HEADING and (ctx.title or ctx.facts.get("chapter_file") or ev.is_chapter_like(c.text)):
        return not (ev.PREFACE.match(c.text) or ev.CONTENTS.match(c.text))
    if c.kind != PARA:
        return False
    if ev.is_chapter_like((c.raw or c.line_texts or ("",))[0].strip()) and not ev.PREFACE.match(c.text):
        return True
    if body.lettered.test(ctx, i) is not None:
        return True  # "A. First Choices": a section of the text, not its title
    # After a foreword, the first title in capitals starts the text (a book's first piece).
    cl = body.capitals_line.test(ctx, i) if ctx.facts.get("book") else None
    return cl is not None and cl.confidence >= 0.6


def _note_continues(ctx: Context, i: int, hi: int) -> Claim | None:
    """A paragraph right after a note belongs to it when more furniture follows soon (the note sits
    between two pieces of furniture), or when it too talks about the post."""
    c = ctx.stream[i]
    if c.kind != PARA or i == 0 or ctx.role(i - 1) != t.NOTE_BEFORE or c.gap > max(ctx.facts.get("gap", 1), 1):
        return None
    if ev.meta_cues(c.text):
        return Claim(1, 0.95, {"opens": False})
    for j in range(i + 1, min(hi, i + 5)):
        if not ctx.free(j) or starts_body(ctx, j):
            return None
        nxt = ctx.stream[j]
        if nxt.kind != PARA:
            return None
        if any(r.role in (t.NOTE_BEFORE, t.DISCLAIMER, t.BYLINE, t.FIELD, t.SUMMARY) and cl.confidence >= 0.7 and r.name != "author-talk"
               for r, cl in claims(ctx, j, t.HEAD)):
            return Claim(1, 0.95, {"opens": False})
    return None


def _absorb(ctx: Context, i: int, r: Rule, c: Claim) -> None:
    """What a head rule learnt: the story's authors, fields, contents entries."""
    if r.role == t.BYLINE and c.data.get("name"):
        if c.data["name"] not in ctx.authors:
            ctx.authors.append(c.data["name"])
    elif r.role == t.FIELD:
        head.fields_of(ctx, ctx.stream[i])
    elif r.role == t.SUMMARY:
        _text, stamp, signature = head.split_stamp(ctx.stream[i].text)
        if stamp:
            ctx.facts["status"] = stamp
        if signature and not ctx.authors:
            ctx.authors.append(signature)
    elif r.name == "preface-section":
        ctx.facts["book"] = True
    elif r.name == "contents-list":
        ctx.facts.setdefault("contents", set()).update(body._key(e) for e in c.data["entries"])


def _title_block(ctx: Context, lo: int, hi: int) -> int:
    """The title block: a byline near the top, with the title above it. What comes before the
    title is the author's preface (notes, a disclaimer…). Returns where the head pass goes on."""
    window: list[int] = []
    for k in range(lo, hi):
        if not ctx.free(k):
            continue
        if starts_body(ctx, k) or len(window) >= 15:
            break
        window.append(k)
    for pos, k in enumerate(window):
        found = head.byline.test(ctx, k)
        if found is None:
            continue
        if found.data.get("title"):  # "TITLE  by NAME": the title block in one line
            if not ctx.title:
                ctx.title, ctx.title_rule = found.data["title"], "byline"
            ctx.set(k, t.BYLINE, "byline", found.confidence, **found.data)
            _absorb(ctx, k, head.byline, found)
            _preface(ctx, lo, k)
            return k + 1
        # The title: the title-like line right above the byline (a quoted one above a series line).
        above = [w for w in window[:pos] if ctx.stream[w].kind != RULE][-3:]
        title_at = None
        for w in reversed(above):
            cand = ctx.stream[w]
            text = ev.unquote(ev.strip_decoration(cand.text))
            if cand.kind in (PARA, HEADING) and ev.is_title_like(text, 14) and not ev.is_chapter_like(text) and not ev.meta_cues(cand.text):
                if title_at is None or (cand.text.strip()[:1] in "\"“" and title_at == w + 1 and ctx.stream[w + 1].text.strip()[:1] not in "\"“"):
                    title_at = w
                if cand.text.strip()[:1] in "\"“" or not (cand.centred or cand.style):
                    break
            else:
                break
        if title_at is None and pos > 0:
            continue
        if title_at is not None and not ctx.title:
            text = ev.unquote(ev.strip_decoration(ctx.stream[title_at].text))
            ctx.title, ctx.title_rule = text, TITLE_ABOVE_BYLINE
            ctx.set(title_at, t.TITLE, TITLE_ABOVE_BYLINE, 0.9)
            # A series line above the quoted title stays with the title block.
            for w in above:
                if w < title_at and w >= (above[0] if above else w) and ctx.stream[w].centred and ctx.free(w):
                    ctx.set(w, t.FRONT_MATTER, SERIES_LINE, 0.6)
        for s in range(found.span):
            ctx.set(k + s, t.BYLINE, "byline", found.confidence, **found.data)
        _absorb(ctx, k, head.byline, found)
        first = title_at if title_at is not None else k
        _preface(ctx, lo, first)
        return k + found.span
    return _subject_title(ctx, lo, window)


def _subject_title(ctx: Context, lo: int, window: list[int]) -> int:
    """A post whose headers name it ("Subject: Dilemma") and whose text shows that name again on a
    line of its own, set apart, after a paragraph or two: that line is its title, and what comes
    before it the author's preface."""
    named = ctx.facts.get("header_title", "")
    if ctx.title or not named:
        return lo
    for pos, k in enumerate(window[:6]):
        c = ctx.stream[k]
        if pos == 0 or c.kind not in (PARA, HEADING) or len(c.line_texts) != 1:
            continue
        if head._norm(ev.unquote(ev.strip_decoration(c.text))) != head._norm(named):
            continue
        nxt = k + 1 < len(ctx.stream) and ctx.stream[k + 1].gap > ctx.facts.get("gap", 1)
        if not (c.gap > ctx.facts.get("gap", 1) and nxt):
            return lo
        ctx.title, ctx.title_rule = ev.unquote(ev.strip_decoration(c.text)), SUBJECT_TITLE
        ctx.set(k, t.TITLE, SUBJECT_TITLE, 0.85)
        _preface(ctx, lo, k)
        return k + 1
    return lo


def _preface(ctx: Context, lo: int, end: int) -> None:
    """Everything before the title block: each block's own furniture reading, else the author's note."""
    group = 0
    for k in range(lo, end):
        if not ctx.free(k):
            continue
        c = ctx.stream[k]
        found = [(r, cl) for r, cl in claims(ctx, k, t.HEAD) if r.role != t.NOTE_BEFORE]
        if c.kind == RULE:
            ctx.set(k, t.FENCE, "fence")
        elif found and found[0][1].confidence >= 0.7:
            r, cl = found[0]
            _apply(ctx, k, r, cl)
            _absorb(ctx, k, r, cl)
            group = 0
        else:
            if group == 0 or c.gap > max(ctx.facts.get("gap", 1), 1) or ev.AUTHOR_NOTE.match(c.text):
                group = ctx.new_group()
            label = ev.AUTHOR_NOTE.match(c.text)
            ctx.set(k, t.NOTE_BEFORE, PREFACE, 0.8, group, **({"label": c.text[: label.start("rest")].strip()} if label else {}))
            _split_rights(ctx, k)


def _split_rights(ctx: Context, k: int) -> None:
    """A rights sentence at the end of a preface ("(Please note -- this story is (c) 1990 …") is
    the disclaimer: the note keeps the rest."""
    text = ctx.stream[k].text
    m = ev.RIGHTS.search(text)
    if m is None:
        return
    starts = [s.end() for s in re.finditer(r"[.!?]['\"”’)]*\s+", text[: m.start()])]
    start = starts[-1] if starts else 0
    if start > 0 and len(text[start:].split()) <= 40:
        ctx.facts.setdefault("rights_split", {})[k] = start


_TITLE_RULE = Rule("title-first-line", t.PASS, t.TITLE, "the first line, short and not a sentence, set apart (bold, centred, "
                   "capitals, a '#' heading, a gap after it)", lambda ctx, i: head.title_claim(ctx, i))
_FRONT_RULE = Rule("front-matter", t.PASS, t.FRONT_MATTER, "in a printed book (a Gutenberg text), the short lines before the "
                   "text: title page, imprint, illustration placeholders", lambda ctx, i: None)
_CONTINUE_RULE = Rule("note-continues", t.PASS, t.NOTE_BEFORE, "a paragraph right after a note, with more furniture soon after it "
                      "or talking about the post too", lambda ctx, i: None)
t.RULES += [_TITLE_RULE, _FRONT_RULE, _CONTINUE_RULE]


