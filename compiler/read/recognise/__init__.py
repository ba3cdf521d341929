"""Parse stage: the recogniser — one table of named conventions, run on every reader's stream.

Design. Each reader (text.py, markdown.py, html.py) only turns its syntax into a stream of candidate
blocks carrying their evidence (stream.py). The conventions people's story files follow — title
block, byline, header fields, summary, disclaimer, author's notes before, inside and after the
story, headings and parts, scene breaks, verse, boilerplate — are rules in one table
(`table.RULES`, written in boiler.py, head.py, body.py): each rule has a name, the zone it applies
in, the role it gives, the evidence it needs (in words) and how sure it is. The passes below read
the stream as an editor does:

1. *frame*: what wraps the story — transport headers, signatures, field codes, Project Gutenberg's
   header and licence, a site template's own words (sites.py) — bounds it;
2. *head*: first the title block (a byline and the title above it; what comes before it is the
   author's preface), then furniture one block at a time, each claim weighed against the reading
   "story text starts here" (`evidence.prose_weight`);
3. *tail*: from the end, sign-offs and end marks, a glossary, the closing notes;
4. *body*: headings (levels from their kind), breaks, verse, the notes inside the story;
5. *breaks*: drawn separators next to furniture or at a section's edge fence it off (no break);
   blank-line runs become breaks only where the file's own spacing makes them a convention.

Competing readings are weighed, not taken first-come; when a rule's evidence is close to the story
reading but loses, the text stays story and an info diagnostic (A160) names the line and the
reading not taken, so `inspect` shows it and the manifest can decide. assemble.py then builds
the `Story` from the labelled stream.
"""

from __future__ import annotations

import re
from collections import Counter

from ...diagnostics import info
from ..stream import HEADING, PARA, PRE, QUOTE, RULE, Candidate, Document, caps_share
from . import boiler, body, head
from . import evidence as ev
from . import table as t
from .table import Claim, Context, Rule, claims

__all__ = ["recognise", "Context"]

_CLOSE = 0.15  # a losing claim this close to the story reading is reported


def recognise(doc: Document) -> Context:
    ctx = Context(doc, [None] * len(doc.stream))
    _facts(ctx)
    _given(ctx)
    lo, hi = _frame(ctx)
    start = _head(ctx, lo, hi)
    end = _tail(ctx, start, hi)
    _body(ctx, start, end)
    _breaks(ctx, start, end)
    return ctx


# ---------------------------------------------------------------- file-wide evidence


def _facts(ctx: Context) -> None:
    stream = ctx.stream
    gaps = Counter(c.gap for k, c in enumerate(stream) if k and c.kind == PARA and ctx.stream[k - 1].kind == PARA)
    ctx.facts["gap"] = gaps.most_common(1)[0][0] if gaps else 1
    long_paras = [c for c in stream if c.kind == PARA and c.words >= 15]
    ctx.facts["caps_prose"] = bool(long_paras) and sum(caps_share(c.text) > 0.8 for c in long_paras) * 2 > len(long_paras)
    ctx.facts["sequence"] = _sequences(stream)
    ctx.facts["brackets"] = _bracket_groups(stream)
    indents = Counter(c.indent for c in stream if c.kind == PARA and len(c.raw) > 1)
    ctx.facts["indent"] = indents.most_common(1)[0][0] if indents else 0
    name = doc_name(ctx.doc)
    ctx.facts["chapter_file"] = bool(re.search(r"(?:^|[^a-z])(?:ch|chap|chapter|kapitel|capitulo|chapitre|glava)[-_ .]?\d+", name, re.I))


def _bracket_groups(stream: list[Candidate]) -> set[int]:
    """Transcribers' placeholders ("[Illustration: …]"), and bracketed passages that run over
    several blocks ("[Illustration:" … "Vol. One Front End]"): never headings, verse or breaks."""
    inside: set[int] = set()
    k = 0
    while k < len(stream):
        c = stream[k]
        text = c.text if c.kind == PARA else ""
        if text.startswith("[") and "]" not in text:
            j = k + 1
            while j < min(len(stream), k + 12) and not (stream[j].kind == PARA and stream[j].text.rstrip().endswith("]")):
                j += 1
            if j < len(stream) and j < k + 12:
                inside.update(range(k, j + 1))
                k = j + 1
                continue
        if text and ev.PLACEHOLDER.match(text):
            inside.add(k)
        k += 1
    return inside


def doc_name(doc: Document) -> str:
    return doc.path.name


def _sequences(stream: list[Candidate]) -> set[str]:
    """Lettered or numbered titles whose marks run in sequence (A then B, 1 then 2): only those
    are headings ("A. First Choices"), not a stray "I. said so" in the text."""
    found: list[tuple[int, str, str]] = []
    for k, c in enumerate(stream):
        rows = c.raw or c.line_texts
        if c.kind == PARA and len(rows) == 1 and (m := ev.LETTERED.match(c.text)) and not ev.ends_sentence(m.group("title")):
            found.append((k, m.group("mark"), c.text.strip()))
    keep: set[str] = set()
    for (_, a, ta), (_, b, tb) in zip(found, found[1:]):
        if _follows(a, b):
            keep.update((ta, tb))
    return keep


def _follows(a: str, b: str) -> bool:
    if a.isdigit() and b.isdigit():
        return int(b) == int(a) + 1
    if a.isalpha() and b.isalpha():
        return ord(b) - ord(a) in (1, 2)  # one letter may be glued to a paragraph, out of sight
    return (a.isalpha() and b == "1") or (a.isdigit() and b.isalpha() and b <= "C")


def _given(ctx: Context) -> None:
    g = ctx.doc.given
    if g.title:
        ctx.title, ctx.title_rule = g.title, "stated"
    ctx.authors += list(g.authors)
    ctx.fields += list(g.fields)


# ---------------------------------------------------------------- 1. the frame


def _frame(ctx: Context) -> tuple[int, int]:
    """Label boilerplate; return the first and last-plus-one candidate of the story inside it."""
    stream = ctx.stream
    wrapped = boiler.gutenberg(ctx)
    lo, hi = 0, len(stream)
    if wrapped is not None:
        lo, hi = wrapped
        for k in list(range(0, lo)) + list(range(hi, len(stream))):
            ctx.set(k, t.DISTRIBUTOR, "gutenberg", part="header" if k < lo else "licence")
        _gutenberg_fields(ctx, lo)
        ctx.facts["published"] = True
    i = lo
    while i < hi:
        found = claims(ctx, i, t.FRAME)
        if found:
            r, c = found[0]
            for k in range(i, i + c.span):
                ctx.set(k, r.role, r.name, c.confidence, **c.data)
            if c.data.get("kind") == "transport":
                if c.data.get("author") and not ctx.authors:
                    ctx.facts["header_author"] = c.data["author"]
                if c.data.get("title") and not ctx.facts.get("header_title"):
                    ctx.facts["header_title"] = c.data["title"]
            i += c.span
        else:
            i += 1
    # Text before a transport header at the very top is an archive's own note about the post.
    first_header = next((k for k in range(lo, min(hi, lo + 6)) if ctx.labels[k] and ctx.labels[k].rule == "transport-header"), None)
    if first_header is not None:
        for k in range(lo, first_header):
            c = stream[k]
            if ctx.free(k) and c.kind in (PARA, QUOTE) and c.words <= 12 and not head.byline.test(ctx, k):
                ctx.set(k, t.BOILERPLATE, "archive-note", kind="archive")
    while lo < hi and not ctx.free(lo):
        lo += 1
    while hi > lo and not ctx.free(hi - 1):
        hi -= 1
    return lo, hi


def _gutenberg_fields(ctx: Context, lo: int) -> None:
    from ..headers import FIELD as FIELD_LINE
    from ..headers import field_key

    for k in range(lo):
        c = ctx.stream[k]
        rows = c.raw or c.line_texts
        if c.kind == PARA and rows and (m := FIELD_LINE.match(rows[0])):
            key = field_key(m.group("label"))
            if key == "title" and not ctx.title:
                ctx.title, ctx.title_rule = m.group("value").strip(), "gutenberg"
            elif key == "author" and not ctx.authors:
                ctx.authors.append(m.group("value").strip())


# ---------------------------------------------------------------- 2. the head


def _apply(ctx: Context, i: int, r: Rule, c: Claim, group: int = 0) -> None:
    for k in range(i, min(i + c.span, len(ctx.stream))):
        ctx.set(k, r.role, r.name, c.confidence, group, **c.data)


def _head(ctx: Context, lo: int, hi: int) -> int:
    """Label the furniture before the story; return where the story starts."""
    if ctx.facts.get("published"):
        return _published_head(ctx, lo, hi)
    _banner(ctx, lo)
    i = _title_block(ctx, lo, hi)
    group = max((lab.group for lab in ctx.labels if lab and lab.role == t.NOTE_BEFORE), default=0)
    seen_story = False
    while i < hi:
        if not ctx.free(i):
            i += 1
            continue
        c = ctx.stream[i]
        if _starts_body(ctx, i):
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
        if cont is not None and not any(r.role != t.NOTE_BEFORE and cl.confidence >= 0.7 for r, cl in found):
            found.insert(0, (_CONTINUE_RULE, cont))
        story = ev.prose_weight(c.text) if c.kind == PARA else 0.95 if c.kind == QUOTE else 0.5
        if not found or found[0][1].confidence <= story:
            _close_calls(ctx, i, found, story)
            break
        r, cl = found[0]
        if r.role == t.NOTE_BEFORE:
            if cl.data.get("opens", True) or group == 0:
                group = ctx.new_group()
            _apply(ctx, i, r, cl, group)
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
                ctx.set(k, t.NOTE_BEFORE, "note-before-first-chapter", 0.6, group)
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
    ctx.title, ctx.title_rule = runs[0], "banner"
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
        if not contents and head.title_repeat.test(ctx, i) is not None:
            nxt = next((k for k in range(i + 1, min(hi, i + 4)) if ctx.free(k)), None)
            if nxt is None or head.byline.test(ctx, nxt) is None:  # not a title page ("… by …")
                ctx.set(i, t.TITLE_REPEAT, "title-repeat", 0.9)
                return i + 1
        ctx.set(i, t.FRONT_MATTER, "front-matter", 0.6)
        i += 1
    return i


def _story_starts(ctx: Context, i: int) -> bool:
    c = ctx.stream[i]
    if c.kind == HEADING or (c.kind == PARA and ev.is_chapter_like(c.text) and not ev.PREFACE.match(c.text)):
        return True
    if c.kind == PARA and (cl := body.capitals_line.test(ctx, i)) is not None and cl.confidence >= 0.65:
        return not (ev.PREFACE.match(c.text) or ev.CONTENTS.match(c.text))
    return c.kind == PARA and c.words >= 40


def _story_block(ctx: Context, j: int) -> str | None:
    """A reason the block is plainly story (dialogue), else None."""
    return "dialogue" if ev.is_dialogue(ctx.stream[j].text) else None


def _first_text(ctx: Context, lo: int, i: int) -> bool:
    """Nothing but furniture before position i."""
    return all(not ctx.free(k) or ctx.stream[k].kind == RULE for k in range(lo, i))


def _chapter_heading(ctx: Context, j: int) -> bool:
    c = ctx.stream[j]
    return (c.kind == HEADING and c.text and not ev.AUTHOR_NOTE.match(c.text)) or (c.kind == PARA and (body.chapter_words.test(ctx, j) is not None))


def _starts_body(ctx: Context, i: int) -> bool:
    """A chapter heading, a heading the syntax marks (once the title is known), or a region of
    the site's chapter: the story has begun."""
    c = ctx.stream[i]
    if c.region.startswith("chapter"):
        return True
    if c.kind == HEADING and (ctx.title or ctx.facts.get("chapter_file") or ev.is_chapter_like(c.text)):
        return not (ev.PREFACE.match(c.text) or ev.CONTENTS.match(c.text))
    return c.kind == PARA and ev.is_chapter_like((c.raw or c.line_texts or ("",))[0].strip()) and not ev.PREFACE.match(c.text)


def _note_continues(ctx: Context, i: int, hi: int) -> Claim | None:
    """A paragraph right after a note belongs to it when more furniture follows soon (the note sits
    between two pieces of furniture), or when it too talks about the post."""
    c = ctx.stream[i]
    if c.kind != PARA or i == 0 or ctx.role(i - 1) != t.NOTE_BEFORE or c.gap > max(ctx.facts.get("gap", 1), 1):
        return None
    if ev.meta_cues(c.text):
        return Claim(1, 0.95, {"opens": False})
    for j in range(i + 1, min(hi, i + 5)):
        if not ctx.free(j) or _starts_body(ctx, j):
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
    elif r.name == "contents-list":
        ctx.facts.setdefault("contents", set()).update(body._key(e) for e in c.data["entries"])


def _title_block(ctx: Context, lo: int, hi: int) -> int:
    """The title block: a byline near the top, with the title above it. What comes before the
    title is the author's preface (notes, a disclaimer…). Returns where the head pass goes on."""
    window: list[int] = []
    for k in range(lo, hi):
        if not ctx.free(k):
            continue
        if _starts_body(ctx, k) or len(window) >= 15:
            break
        window.append(k)
    for pos, k in enumerate(window):
        found = head.byline.test(ctx, k)
        if found is None:
            continue
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
            ctx.title, ctx.title_rule = text, "title-above-byline"
            ctx.set(title_at, t.TITLE, "title-above-byline", 0.9)
            # A series line above the quoted title stays with the title block.
            for w in above:
                if w < title_at and w >= (above[0] if above else w) and ctx.stream[w].centred and ctx.free(w):
                    ctx.set(w, t.FRONT_MATTER, "series-line", 0.6)
        for s in range(found.span):
            ctx.set(k + s, t.BYLINE, "byline", found.confidence, **found.data)
        _absorb(ctx, k, head.byline, found)
        first = title_at if title_at is not None else k
        _preface(ctx, lo, first)
        return k + found.span
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
            ctx.set(k, t.NOTE_BEFORE, "preface", 0.8, group, **({"label": c.text[: label.start("rest")].strip()} if label else {}))
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


def _close_calls(ctx: Context, i: int, found: list[tuple[Rule, Claim]], story: float) -> None:
    for r, cl in found:
        if cl.confidence >= story - _CLOSE and cl.confidence >= 0.4:
            c = ctx.stream[i]
            ctx.diagnostics.append(
                info("A160", f'"{_short(c.text)}" is read as story text; it could be the {r.role.replace("-", " ")} '
                     f"({r.name}: {r.evidence}), but the evidence is weak", ctx.doc.path, c.line)
            )
            return


def _short(text: str, n: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


# ---------------------------------------------------------------- 3. the tail


def _tail(ctx: Context, lo: int, hi: int) -> int:
    """Label the furniture after the story (from the end); return where it starts."""
    stream = ctx.stream
    end = hi
    # Sign-offs: end marks and review requests at the very end, and short centred lines after them.
    while end > lo:
        k = end - 1
        c = stream[k]
        if not ctx.free(k):
            end -= 1
            continue
        if c.kind == PARA and (ev.END_MARK.match(c.text) or _review(c)):
            ctx.set(k, t.END_MARK if ev.END_MARK.match(c.text) else t.SIGNOFF, "end-mark" if ev.END_MARK.match(c.text) else "review-request", 0.9)
            end -= 1
            continue
        if c.kind == PARA and c.centred and c.words <= 3 and k > lo and (ctx.role(k + 1) in (t.END_MARK, t.SIGNOFF) or k + 1 >= hi):
            ctx.set(k, t.SIGNOFF, "centred-sign-off", 0.7)
            end -= 1
            continue
        break
    # A printed book's closing illustration or map (a transcriber's bracketed placeholder), and
    # the rule before it: the edition's back matter, not the story.
    if ctx.facts.get("published"):
        while end > lo and (end - 1 in ctx.facts["brackets"] or stream[end - 1].kind == RULE) and ctx.free(end - 1):
            ctx.set(end - 1, t.FRONT_MATTER, "back-matter", 0.7)
            end -= 1
    # A glossary closing the story: its heading, then "term – meaning" lines.
    end = _glossary(ctx, lo, end)
    # "## Author's notes" as a heading: everything after it is the closing notes.
    for k in range(end - 1, lo, -1):
        c = stream[k]
        if ctx.free(k) and c.kind in (HEADING, PARA) and c.words <= 4 and ev.AUTHOR_NOTE.match(c.text) and not ev.AUTHOR_NOTE.match(c.text).group("rest").strip():
            _notes_after(ctx, k, end, label=c.text)
            return k
    # An end mark before the end: what follows it is the closing furniture or more story.
    for k in range(end - 1, max(lo, end - 12) - 1, -1):
        c = stream[k]
        if ctx.free(k) and c.kind == PARA and ev.END_MARK.match(c.text) and k < end - 1:
            after = [j for j in range(k + 1, end) if ctx.free(j)]
            if after and all(_closing(ctx, j) for j in after):
                ctx.set(k, t.END_MARK, "end-mark", 0.9, inside=True)
                group = 0
                for j in after:
                    if ctx.stream[j].kind == RULE:
                        ctx.set(j, t.FENCE, "fence")
                    elif head.rights_notice.test(ctx, j) or ev.OWNERSHIP.search(ctx.stream[j].text):
                        ctx.set(j, t.DISCLAIMER, "rights-notice", 0.8)
                    else:
                        group = group or ctx.new_group()
                        ctx.set(j, t.NOTE_AFTER, "after-the-end", 0.7, group)
                return k + 1
            break
    # The closing note: the last "A/N:" near the end, with whatever follows it.
    for k in range(end - 1, max(lo, end - 6) - 1, -1):
        c = stream[k]
        if ctx.free(k) and c.kind == PARA and (m := ev.AUTHOR_NOTE.match(c.text)):
            _notes_after(ctx, k, end, label=c.text[: m.start("rest")].strip(), first_is_text=True)
            j = k - 1
            while j > lo and ctx.free(j) and stream[j].kind == RULE:
                ctx.set(j, t.FENCE, "fence")
                j -= 1
            return k
    return end


def _review(c: Candidate) -> bool:
    return c.words <= 15 and ev.REVIEW_REQUEST.search(c.text) is not None and not ev.is_dialogue(c.text)


def _closing(ctx: Context, j: int) -> bool:
    """After "The End": a rights notice, contact lines, talk about the post, a rule — not story."""
    c = ctx.stream[j]
    if c.kind == RULE:
        return True
    if c.kind != PARA or ev.is_dialogue(c.text):
        return False
    return bool(head.rights_notice.test(ctx, j) or ev.meta_cues(c.text) or ev.OWNERSHIP.search(c.text))


def _notes_after(ctx: Context, k: int, end: int, label: str, first_is_text: bool = False) -> None:
    """Closing notes from k to end: one note, or several where a signed note ends at a rule."""
    group = ctx.new_group()
    pending_label = label
    first = k if first_is_text else k + 1
    if not first_is_text:
        ctx.set(k, t.BOILERPLATE, "note-heading", 0.9, kind="label")  # the heading is the note's label
    for j in range(first, end):
        if not ctx.free(j):
            continue
        c = ctx.stream[j]
        prev = ctx.stream[j - 1] if j > first else None
        if c.kind == RULE and prev is not None and _signed(prev) and j + 1 < end:
            ctx.set(j, t.FENCE, "fence")
            group = ctx.new_group()
            continue
        data = {("label" if first_is_text else "heading"): pending_label} if pending_label else {}
        ctx.set(j, t.NOTE_AFTER, "note-after", 0.8, group, **data)
        pending_label = ""


def _signed(c: Candidate) -> bool:
    """A note's signature line: "-ML", "— Lara", "Lara": a name on its own after the note."""
    text = c.text.strip()
    return c.kind == PARA and 1 <= len(text.split()) <= 3 and (text[:1] in "-–—~" or text.istitle()) and not ev.ends_sentence(text.rstrip("."))


def _glossary(ctx: Context, lo: int, end: int) -> int:
    stream = ctx.stream
    k = end
    entries = 0
    while k - 1 >= lo and ctx.free(k - 1) and _entry_lines(stream[k - 1]):
        k -= 1
        entries += 1
    heading_at = None
    if k - 1 >= lo and ctx.free(k - 1) and stream[k - 1].kind == PARA:
        rows = stream[k - 1].raw or stream[k - 1].line_texts
        if len(rows) == 1 and ev.GLOSSARY_HEADING.match(rows[0]) and entries:
            heading_at = k - 1
        elif len(rows) > 1 and ev.GLOSSARY_HEADING.match(rows[0]) and all(ev.GLOSSARY_ENTRY.match(r) for r in rows[1:]):
            heading_at = k - 1  # "Terms used:" and its entries with no blank line between them
    if heading_at is None:
        return end
    for j in range(heading_at, end):
        ctx.set(j, t.GLOSSARY, "glossary", 0.9)
    return heading_at


def _entry_lines(c: Candidate) -> bool:
    rows = c.raw or c.line_texts
    return c.kind == PARA and bool(rows) and all(ev.GLOSSARY_ENTRY.match(r) for r in rows) and len(rows) == 1


# ---------------------------------------------------------------- 4. the body


_REGION_ROLES = {"chapter-summary": t.SECTION_SUMMARY, "chapter-notes": t.SECTION_NOTE, "chapter-endnotes": t.SECTION_END_NOTE}


def _body(ctx: Context, lo: int, hi: int) -> None:
    furniture = {" ".join(ctx.stream[k].text.split()) for k in range(len(ctx.stream))
                 if ctx.role(k) in (t.FIELD, t.DISCLAIMER, t.TITLE, t.BYLINE) and ctx.stream[k].text}
    _spaced_verse(ctx, lo, hi)
    _caps_documents(ctx, lo, hi)
    _letters(ctx, lo, hi)
    for i in range(lo, hi):
        if not ctx.free(i):
            continue
        c = ctx.stream[i]
        if c.region in _REGION_ROLES:
            ctx.set(i, _REGION_ROLES[c.region], "site-region", 1.0, ctx.new_group())
            continue
        if c.kind == PARA and c.text in furniture:
            ctx.set(i, t.BOILERPLATE, "repeated-header", 0.9, kind="repeat")  # a multi-part file's header, again
            continue
        if c.kind == PARA and all(_is_field_row(r) for r in (c.raw or c.line_texts)) and _header_repeat(ctx, c):
            ctx.set(i, t.BOILERPLATE, "repeated-header", 0.9, kind="repeat")
            continue
        found = claims(ctx, i, t.BODY)
        found = [(r, cl) for r, cl in found if not (r.role == t.TITLE_REPEAT and _has_heading_words(c))]
        story = ev.prose_weight(c.text) if c.kind == PARA else 0.0
        verse = c.kind == PARA and i not in ctx.facts["brackets"] and body.verse_lines(c, ctx.facts["indent"], ctx.doc.width or 72)
        if verse:
            story = max(story, 0.8)
        if not found or found[0][1].confidence <= story:
            if found:
                _close_calls(ctx, i, found, story)
            if verse:
                ctx.set(i, t.VERSE, "verse-lines", 0.8)
            continue
        r, cl = found[0]
        if r.role == t.HEADING and cl.data.get("at"):
            ctx.set(i, t.FENCE, r.name)  # the rule above a part number belongs to the heading
            ctx.set(i + 1, t.HEADING, r.name, cl.confidence, **cl.data)
            continue
        if r.role == t.SECTION_NOTE:
            group = ctx.new_group()
            ctx.set(i, t.SECTION_NOTE, r.name, cl.confidence, group, **cl.data)
            m = ev.SUMMARY.match(c.text) or ev.AUTHOR_NOTE.match(c.text)
            if m and not m.group("rest").strip() and i + 1 < hi and ctx.free(i + 1) and ctx.stream[i + 1].kind == PARA:
                ctx.set(i + 1, t.SECTION_NOTE, r.name, cl.confidence, group)  # "Summary:" on a line of its own
            continue
        for k in range(i, i + cl.span):
            ctx.set(k, r.role, r.name, cl.confidence, **(cl.data if k == i else {"part_of": i}))
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
                ctx.set(k, t.VERSE, "spaced-lines", 0.75, group)
            i = j
        else:
            i += 1


_VALEDICTION = re.compile(r"^[\w’'.\- ]{1,30},$")


def _letters(ctx: Context, lo: int, hi: int) -> None:
    """A letter or message inside the story: a sign-off ("Yours,", "Your friend,") over a name, and
    the paragraphs above it in the same style up to its salutation ("Dear Herr von Leigh,") or the
    blank line before it. Its paragraphs are kept together, set apart as the letter they are."""
    stream = ctx.stream
    for v in range(lo, hi - 1):
        c, name = stream[v], stream[v + 1]
        if not (ctx.free(v) and ctx.free(v + 1) and c.kind == PARA and name.kind == PARA):
            continue
        if not (c.words <= 4 and _VALEDICTION.match(c.text) and name.gap == 0 and 1 <= name.words <= 5):
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
            ctx.set(k, t.LETTER, "letter", 0.75, group)


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
                ctx.set(k, t.VERSE, "capitals-document", 0.75, group)
            i = j
        else:
            i = max(i + 1, j)


def _caps_block(c: Candidate) -> bool:
    rows = c.raw or c.line_texts
    return (c.kind in (PARA, PRE) and bool(rows) and caps_share(c.text) >= 0.8 and all(ev.width(r.strip()) <= 72 for r in rows)
            and not ev.is_chapter_like(c.text) and bool(re.search(r"[^\W\d_]{2}", c.text)))


def _glued_headings(ctx: Context, lo: int, hi: int) -> None:
    """A lettered heading a word processor glued onto the end of the paragraph before it ("… said
    Eldon. E. First Research"): found where the letter sequence has a gap."""
    marks = [(k, ev.LETTERED.match(ctx.stream[k].text)) for k in range(lo, hi) if ctx.role(k) == t.HEADING and ctx.labels[k].rule == "lettered-sequence"]
    marks = [(k, m.group("mark")) for k, m in marks if m]
    for (a, ma), (b, mb) in zip(marks, marks[1:]):
        if not (ma.isalpha() and mb.isalpha() and ord(mb) - ord(ma) == 2):
            continue
        missing = chr(ord(ma) + 1)
        pattern = re.compile(rf"(?:^|\s|\.)(?P<h>{missing}\s?\.\s?[A-Z][\w'’]*(?:\s+[A-Z][\w'’]*){{0,6}})\s*$")
        for k in range(a + 1, b):
            if ctx.free(k) and ctx.stream[k].kind == PARA and (m := pattern.search(ctx.stream[k].text)):
                ctx.set(k, t.STORY, "glued-heading", 0.7, heading_at=m.start("h"), heading=" ".join(m.group("h").split()))
                break


def _notes_between_parts(ctx: Context, lo: int, hi: int) -> None:
    """Talk about the post just before a part's heading (a repost notice, "send comments to …") is
    that part's note, not the end of the part before."""
    headings = [k for k in range(lo, hi) if ctx.role(k) == t.HEADING and not ctx.labels[k].data.get("part_of")]
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
        if run and len(run) <= 3 and all(cues) and sum(cues) >= 2 and ctx.stream[run[0]].gap > ctx.facts.get("gap", 1):
            group = ctx.new_group()
            for k in run:
                ctx.set(k, t.SECTION_NOTE, "note-before-part", 0.7, group, before=h)


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
                ctx.set(k, t.TITLE_REPEAT, "repeated-title-block", 0.8)


# ---------------------------------------------------------------- 5. breaks


_STORY_ROLES = ("", t.STORY, t.VERSE, t.TITLE_REPEAT)


def _breaks(ctx: Context, lo: int, hi: int) -> None:
    stream = ctx.stream
    drawn = sum(1 for k in range(lo, hi) if ctx.role(k) == t.BREAK)
    # Slug lines are breaks that are also text.
    # Drawn separators next to furniture, or at a section's edge, fence it off.
    for k in range(lo, hi):
        if ctx.role(k) not in (t.BREAK, t.SLUG):
            continue
        before = _neighbour(ctx, k, -1, lo)
        after = _neighbour(ctx, k, +1, hi)
        fenced = before is None or after is None or before in ctx.facts["brackets"] or after in ctx.facts["brackets"]
        fenced = fenced or (before is not None and ctx.role(before) not in _STORY_ROLES)
        fenced = fenced or (after is not None and ctx.role(after) not in _STORY_ROLES + (t.SLUG,))
        if ctx.role(k) == t.BREAK and not fenced and _epigraph_only(ctx, k, lo):
            fenced = True  # after a chapter's epigraph or dateline alone: it sets the epigraph off
        if ctx.role(k) == t.SLUG:
            if fenced or before is None or ctx.role(before) == t.BREAK:
                ctx.labels[k] = t.Label(t.STORY, "slug-line", 0.5)
            continue
        if fenced:
            ctx.set(k, t.FENCE, "fence")
    # Blank-line runs: only where the file has no drawn breaks, and its gaps wider than paragraph
    # spacing recur (a single one is a pause, or a stray line).
    base = ctx.facts.get("gap", 1)
    if ctx.facts.get("published") or (drawn and base == 0):
        # A printed book draws its breaks ("* * *"): its blank lines are spacing. So are the odd
        # blank lines of a file that has none between paragraphs and draws its breaks.
        return
    gaps = [k for k in range(lo + 1, hi) if stream[k].gap > base and ctx.role(k) in _STORY_ROLES and _gap_break(ctx, k, lo)]
    gaps = _not_quote_fences(ctx, gaps)
    if not gaps:
        return
    for line in ctx.facts.get("comma_gaps", []):
        ctx.diagnostics.append(info("A110", "blank lines after a line ending in a comma: kept as one scene", ctx.doc.path, line))
    for k in gaps:
        ctx.facts.setdefault("gap_breaks", set()).add(k)


def _neighbour(ctx: Context, k: int, step: int, limit: int) -> int | None:
    j = k + step
    while (j < limit if step > 0 else j >= limit) and ctx.role(j) in (t.FENCE,):
        j += step
    if not (j < limit if step > 0 else j >= limit):
        return None
    return j


def _epigraph_only(ctx: Context, k: int, lo: int) -> bool:
    """Only one short block between the section's start and this separator."""
    j = k - 1
    story = []
    while j >= lo and ctx.role(j) != t.HEADING:
        if ctx.role(j) in _STORY_ROLES and ctx.stream[j].kind != RULE:
            story.append(j)
        elif ctx.role(j) == t.BREAK:
            return False
        j -= 1
    if len(story) != 1 or ctx.stream[story[0]].words > 25:
        return False
    first = ctx.stream[story[0]]
    return ev.is_dialogue(first.text) or first.style == "italic" or first.centred or first.kind == QUOTE


def _gap_break(ctx: Context, k: int, lo: int) -> bool:
    """Whether the gap before k can be a scene break: story on both sides, no heading after it."""
    prev = k - 1
    while prev >= lo and ctx.role(prev) in (t.BOILERPLATE,):
        prev -= 1
    if prev < lo or ctx.role(prev) not in _STORY_ROLES:
        return False
    c, p = ctx.stream[k], ctx.stream[prev]
    if c.kind == RULE or p.kind != PARA or c.kind != PARA:
        return False  # around a drawing or a quotation: spacing, not a scene break
    if ctx.role(prev) in (t.VERSE, t.LETTER) or ctx.role(k) in (t.VERSE, t.LETTER):
        return False  # the space a poem or a letter is set in
    same = ctx.labels[k] and ctx.labels[prev] and ctx.labels[k].group and ctx.labels[k].group == ctx.labels[prev].group
    if same:
        return False  # the lines of one poem set apart
    if p.kind == PARA and p.text.rstrip().endswith(","):
        ctx.facts.setdefault("comma_gaps", []).append(c.line)
        return False
    if p.kind == PARA and _open_quote(p.text):
        return False  # the gap falls inside someone's speech
    return True


def _open_quote(text: str) -> bool:
    if text.count("“") > text.count("”"):
        return True
    straight = text.count('"')
    return straight % 2 == 1 and text.lstrip().startswith('"')


def _not_quote_fences(ctx: Context, gaps: list[int]) -> list[int]:
    """A short quoted line (a remembered voice) with a gap on each side is set off, not two breaks."""
    stream = ctx.stream
    drop: set[int] = set()
    gapset = set(gaps)
    for a in gaps:
        for n in (1, 2, 3):
            b = a + n
            if b in gapset and all(stream[m].kind == PARA and stream[m].words <= 30 for m in range(a, b)) and ev.is_dialogue(stream[a].text):
                drop.update((a, b))
                break
    return [g for g in gaps if g not in drop]
