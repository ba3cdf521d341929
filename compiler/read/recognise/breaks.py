"""Recogniser pass 5, scene breaks: a drawn separator next to furniture, at a section's edge or
after an epigraph sets something off and is no break; a run of blank lines is a break only where
the file's own spacing makes it one (wider than its paragraph spacing, not around a poem or a
letter, not in a file that draws its breaks)."""

from __future__ import annotations


from ...diagnostics import info
from ..stream import PARA, QUOTE, RULE
from . import evidence as ev
from . import table as t
from .table import Context

FENCE = t.documented("fence-off", t.BODY, t.FENCE, "a drawn separator next to furniture, at a section's start or end, or after a lone epigraph: no scene break")
GAP_BREAK = t.documented("blank-line-break", t.BODY, t.BREAK, "a run of blank lines wider than the file's paragraph spacing, between two paragraphs of story, where the file does not draw its breaks")


STORY_ROLES = ("", t.STORY, t.VERSE, t.TITLE_REPEAT)


def breaks_pass(ctx: Context, lo: int, hi: int) -> None:
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
        fenced = fenced or (before is not None and ctx.role(before) not in STORY_ROLES)
        fenced = fenced or (after is not None and ctx.role(after) not in STORY_ROLES + (t.SLUG,))
        if ctx.role(k) == t.BREAK and not fenced and _epigraph_only(ctx, k, lo):
            fenced = True  # after a chapter's epigraph or dateline alone: it sets the epigraph off
        if ctx.role(k) == t.SLUG:
            if fenced or before is None or ctx.role(before) == t.BREAK:
                ctx.labels[k] = t.Label(t.STORY, "slug-line", 0.5)
            continue
        if fenced:
            ctx.set(k, t.FENCE, FENCE)
    # Blank-line runs: only where the file has no drawn breaks, and its gaps wider than paragraph
    # spacing recur (a single one is a pause, or a stray line).
    base = ctx.facts.get("gap", 1)
    if ctx.facts.get("published") or (drawn and base == 0):
        # A printed book draws its breaks ("* * *"): its blank lines are spacing. So are the odd
        # blank lines of a file that has none between paragraphs and draws its breaks.
        return
    wide = [k for k in range(lo + 1, hi) if stream[k].gap > base and ctx.role(k) in STORY_ROLES]
    gaps = _not_quote_fences(ctx, [k for k in wide if _gap_break(ctx, k, lo)], wide)
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
        if ctx.role(j) in STORY_ROLES and ctx.stream[j].kind != RULE:
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
    if prev < lo or ctx.role(prev) not in STORY_ROLES:
        return False
    c, p = ctx.stream[k], ctx.stream[prev]
    if c.kind == RULE or p.kind != PARA or c.kind != PARA:
        return False  # around a drawing or a quotation: spacing, not a scene break
    if ctx.role(prev) in (t.VERSE, t.LETTER) or ctx.role(k) in (t.VERSE, t.LETTER):
        return False  # the space a poem or a letter is set in
    same = ctx.group_of(k) and ctx.group_of(k) == ctx.group_of(prev)
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


def _not_quote_fences(ctx: Context, gaps: list[int], wide: list[int]) -> list[int]:
    """A short quoted line (a remembered voice, a parting shot) with a wide gap on each side is
    set off, not two breaks — also when one of the two gaps could not be a break on its own (it
    falls inside someone's speech): `wide` holds every gap wider than the paragraph spacing."""
    stream = ctx.stream
    drop: set[int] = set()
    gapset = set(wide)
    for a in wide:
        for n in (1, 2, 3):
            b = a + n
            if b in gapset and all(stream[m].kind == PARA and stream[m].words <= 30 for m in range(a, b)) and ev.is_dialogue(stream[a].text):
                drop.update((a, b))
                break
    return [g for g in gaps if g not in drop]
