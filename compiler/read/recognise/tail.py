"""Recogniser pass 3, the tail: from the end back, sign-offs and end marks, a closing glossary,
the author's closing notes (after "A/N:", under an "Author's notes" heading, or after "The End"),
a printed book's back matter."""

from __future__ import annotations


from ..stream import HEADING, PARA, RULE, Candidate
from . import head
from . import evidence as ev
from . import table as t
from .table import Context

END_MARK = t.documented("end-mark", t.TAIL, t.END_MARK, "'The End', 'To be continued', 'Fin', '-end-', 'KONIEC': the author's closing line")
REVIEW = t.documented("review-request", t.TAIL, t.SIGNOFF, "a short closing request for reviews or comments")
CENTRED_SIGNOFF = t.documented("centred-sign-off", t.TAIL, t.SIGNOFF, "one to three words centred on their own line after the end (a closing cry, an initial)")
BACK_MATTER = t.documented("back-matter", t.TAIL, t.FRONT_MATTER, "in a printed book, a closing bracketed illustration or map and the rule above it")
AFTER_THE_END = t.documented("after-the-end", t.TAIL, t.NOTE_AFTER, "after an end mark: a rights line is the disclaimer, contact lines and talk about the post the closing note")
NOTE_AFTER = t.documented("note-after", t.TAIL, t.NOTE_AFTER, "the last 'A/N:' near the end with what follows it, or everything under an 'Author's notes' heading; a signed note ends at a rule")
NOTE_HEADING = t.documented("note-heading", t.TAIL, t.BOILERPLATE, "an 'Author's notes' heading: the label of the notes under it")
GLOSSARY = t.documented("glossary", t.TAIL, t.GLOSSARY, "a glossary heading ('… Symbology', 'Terms used:') over 'term – meaning' lines, with or without blank lines between them")
NOTE_LIST = t.documented("note-list", t.TAIL, t.NOTE_LIST, "a closing list of notes one to a paragraph ('[1] …', '[*] …') whose markers the text carries")


def tail_pass(ctx: Context, lo: int, hi: int) -> int:
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
            ctx.set(k, t.END_MARK if ev.END_MARK.match(c.text) else t.SIGNOFF, END_MARK if ev.END_MARK.match(c.text) else REVIEW, 0.9)
            end -= 1
            continue
        if c.kind == PARA and c.centred and c.words <= 3 and k > lo and (ctx.role(k + 1) in (t.END_MARK, t.SIGNOFF) or k + 1 >= hi):
            ctx.set(k, t.SIGNOFF, CENTRED_SIGNOFF, 0.7)
            end -= 1
            continue
        break
    # A printed book's closing illustration or map (a transcriber's bracketed placeholder), and
    # the rule before it: the edition's back matter, not the story.
    if ctx.facts.get("published"):
        while end > lo and (end - 1 in ctx.facts["brackets"] or stream[end - 1].kind == RULE) and ctx.free(end - 1):
            ctx.set(end - 1, t.FRONT_MATTER, BACK_MATTER, 0.7)
            end -= 1
    # A glossary closing the story: its heading, then "term – meaning" lines.
    end = _glossary(ctx, lo, end)
    end = _note_list(ctx, lo, end)
    # "## Author's notes" as a heading: everything after it is the closing notes.
    for k in range(end - 1, lo, -1):
        c = stream[k]
        label = ev.AUTHOR_NOTE.match(c.text) if c.kind in (HEADING, PARA) and c.words <= 4 else None
        if ctx.free(k) and label is not None and not label.group("rest").strip():
            _notes_after(ctx, k, end, label=c.text)
            return k
    # An end mark before the end: what follows it is the closing furniture or more story.
    for k in range(end - 1, max(lo, end - 12) - 1, -1):
        c = stream[k]
        if ctx.free(k) and c.kind == PARA and ev.END_MARK.match(c.text) and k < end - 1:
            after = [j for j in range(k + 1, end) if ctx.free(j)]
            if after and all(_closing(ctx, j) for j in after):
                ctx.set(k, t.END_MARK, END_MARK, 0.9, inside=True)
                group = 0
                for j in after:
                    if ctx.stream[j].kind == RULE:
                        ctx.set(j, t.FENCE, "fence")
                    elif head.rights_notice.test(ctx, j) or ev.OWNERSHIP.search(ctx.stream[j].text):
                        ctx.set(j, t.DISCLAIMER, "rights-notice", 0.8)
                    else:
                        group = group or ctx.new_group()
                        ctx.set(j, t.NOTE_AFTER, AFTER_THE_END, 0.7, group)
                return k + 1
            break
    # The closing note: the last "A/N:" near the end, with what little follows it (a note with a
    # chapter or a scene after it is no closing note: the body pass reads it).
    for k in range(end - 1, max(lo, end - 6) - 1, -1):
        c = stream[k]
        if ctx.free(k) and c.kind == PARA and k > lo and (m := ev.AUTHOR_NOTE.match(c.text)):
            following = [stream[j] for j in range(k + 1, end)]
            if any(a.kind in (HEADING, RULE) or ev.is_chapter_like(a.text) for a in following) or sum(a.words for a in following) > 150:
                break
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
        ctx.set(k, t.BOILERPLATE, NOTE_HEADING, 0.9, kind="label")  # the heading is the note's label
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
        ctx.set(j, t.NOTE_AFTER, NOTE_AFTER, 0.8, group, **data)
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
        ctx.set(j, t.GLOSSARY, GLOSSARY, 0.9)
    return heading_at


def _entry_lines(c: Candidate) -> bool:
    rows = c.raw or c.line_texts
    return c.kind == PARA and bool(rows) and all(ev.GLOSSARY_ENTRY.match(r) for r in rows) and len(rows) == 1


def _note_list(ctx: Context, lo: int, end: int) -> int:
    """A closing list of numbered notes, one to a paragraph ("[1] …", "[*] …"), whose markers the
    text carries: the notes (read by endnotes.py); the rule above them fences them off."""
    from ..endnotes import LIST_ITEM

    k = end
    while k - 1 >= lo and ctx.free(k - 1) and ctx.stream[k - 1].kind == PARA and (m := LIST_ITEM.match(ctx.stream[k - 1].text)):
        k -= 1
    keys = [m.group("key") for j in range(k, end) if (m := LIST_ITEM.match(ctx.stream[j].text))]
    told = " ".join(ctx.stream[j].text for j in range(0, k))
    if len(keys) < 2 or sum(f"[{key}]" in told for key in keys) * 2 < len(keys):
        return end
    for j in range(k, end):
        ctx.set(j, t.NOTE_LIST, NOTE_LIST, 0.9)
    return k
