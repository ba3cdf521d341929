"""Recogniser pass 1, the frame: what wraps the story — transport headers, signatures, field codes,
Project Gutenberg's header and licence, an archive's own note above a post — is labelled first;
the story is what lies inside it."""

from __future__ import annotations


from ..stream import PARA, QUOTE
from . import boiler, head
from . import evidence as ev
from . import table as t
from .table import Context, claims

GUTENBERG = t.documented("gutenberg", t.FRAME, t.DISTRIBUTOR, "Project Gutenberg's start and end markers: the header above, the licence below, kept as back matter")
ARCHIVE_NOTE = t.documented("archive-note", t.FRAME, t.BOILERPLATE, "a short line above a post's transport headers at the top: the archive's own note about the post")


def frame(ctx: Context) -> tuple[int, int]:
    """Label boilerplate; return the first and last-plus-one candidate of the story inside it."""
    stream = ctx.stream
    wrapped = boiler.gutenberg(ctx)
    lo, hi = 0, len(stream)
    if wrapped is not None:
        lo, hi = wrapped
        for k in list(range(0, lo)) + list(range(hi, len(stream))):
            ctx.set(k, t.DISTRIBUTOR, GUTENBERG, part="header" if k < lo else "licence")
        _gutenberg_fields(ctx, lo)
        ctx.facts["published"] = True
    i = lo
    while i < hi:
        found = claims(ctx, i, t.FRAME)
        if found:
            r, cl = found[0]
            for k in range(i, i + cl.span):
                ctx.set(k, r.role, r.name, cl.confidence, **cl.data)
            if cl.data.get("kind") == "transport":
                if cl.data.get("author") and not ctx.authors:
                    ctx.facts["header_author"] = cl.data["author"]
                if cl.data.get("title") and not ctx.facts.get("header_title"):
                    ctx.facts["header_title"] = cl.data["title"]
            i += cl.span
        else:
            i += 1
    # Text before a transport header at the very top is an archive's own note about the post.
    first_header = next((k for k in range(lo, min(hi, lo + 6)) if ctx.rule_of(k) == "transport-header"), None)
    if first_header is not None:
        for k in range(lo, first_header):
            c = stream[k]
            if ctx.free(k) and c.kind in (PARA, QUOTE) and c.words <= 12 and not head.byline.test(ctx, k):
                ctx.set(k, t.BOILERPLATE, ARCHIVE_NOTE, kind="archive")
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
                ctx.title, ctx.title_rule = m.group("value").strip(), GUTENBERG
            elif key == "author" and not ctx.authors:
                ctx.authors += ev.split_names(m.group("value"))
