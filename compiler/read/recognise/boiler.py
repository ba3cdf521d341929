"""Recogniser rules: boilerplate — text that is neither the story nor its author's notes.

Transport headers of a Usenet or mail post (a repost may quote the original's headers again, each
line behind a `~` or `>`), a post's signature after `-- `, a word processor's field codes left in
the text (`{PAGE|56}`), and Project Gutenberg's header and licence (kept as the book's back matter,
as the licence asks). These bound the story: the head and tail zones start where they end.
"""

from __future__ import annotations

import re

from ..gutenberg import CREDIT, END, START
from ..headers import usenet
from ..stream import PARA, PRE, RULE
from . import table as t
from .table import BOILERPLATE, Claim, Context, rule

_QUOTED_HEADER = re.compile(r"^[~>]\s?(?=[A-Za-z][A-Za-z0-9-]{0,30}:)")
_FROM_LINE = re.compile(r"^From:\s*\S+@\S+")
_FIELD_CODE = re.compile(r"^\{[A-Z]{2,12}(?:\|[^{}]*)?\}$")
_SIG_DASH = re.compile(r"^--\s*$")


def header_of(lines: tuple[str, ...]) -> tuple[str, str] | None:
    """(author, title) when the lines are a transport header block, else None."""
    cleaned = [_QUOTED_HEADER.sub("", line) for line in lines]
    news = usenet(cleaned)
    if news is not None:
        return news.author, news.title
    # A post cut down to its "From:" line: one header line with an address, at the top of a file.
    if len(cleaned) == 1 and _FROM_LINE.match(cleaned[0].strip()):
        from ..headers import _author

        return _author(cleaned[0].split(":", 1)[1]), ""
    return None


_MESSAGE_FIELDS = {"from", "to", "date", "subject", "subj", "re", "msg#", "msg", "conf", "area", "sent", "posted"}


def _message_header(lines: tuple[str, ...]) -> bool:
    """A bulletin board's message header at the top of a file ("Date: 03-09-89" / "From: a
    handle"): two or more header lines, every one a message field, one of them From:."""
    names = []
    for line in lines:
        m = re.match(r"^\s*(?P<name>[A-Za-z][A-Za-z#]{1,10}):\s+\S", line)
        if m is None:
            return False
        names.append(m.group("name").lower())
    return len(names) >= 2 and "from" in names and set(names) <= _MESSAGE_FIELDS


@rule("transport-header", t.FRAME, BOILERPLATE, "every line a mail or news header (Path:, From:, Newsgroups:, Subject:…), "
      "at least one only transport software writes; or a lone From: line with an address at the top")
def transport_header(ctx: Context, i: int) -> Claim | None:
    c = ctx.stream[i]
    if c.kind != PARA or not c.raw:
        return None
    found = header_of(c.raw)
    if found is None and i == 0 and _message_header(c.raw):
        found = ("", "")
    if found is None or (len(c.raw) == 1 and i > 0):
        return None
    author, title = found
    return Claim(1, 1.0, {"author": author, "title": title, "kind": "transport"})


@rule("signature", t.FRAME, BOILERPLATE, "a '-- ' line and the few lines after it, at the end of a post")
def signature(ctx: Context, i: int) -> Claim | None:
    c = ctx.stream[i]
    if not (c.kind == RULE and _SIG_DASH.match(c.text) or c.kind in (PARA, PRE) and c.raw and _SIG_DASH.match(c.raw[0])):
        return None
    if not any(b.kind in (PARA, PRE) for b in ctx.stream[:i]):
        return None  # a "--" over the first words of a file signs no post: it opens the story
    span = 1
    j = i + 1
    while j < len(ctx.stream) and span < 3 and ctx.stream[j].kind in (PARA, PRE) and len(ctx.stream[j].raw) <= 6 and ctx.stream[j].gap <= 1:
        nxt = ctx.stream[j]
        if nxt.kind == PARA and len(nxt.raw) == 1 and nxt.words > 12:
            break
        span, j = span + 1, j + 1
    rest = ctx.stream[j:]
    # Only boilerplate may follow: the next post's headers, or nothing.
    if any(r.kind in (PARA, PRE) and header_of(r.raw) is None for r in rest[:1]):
        return None
    return Claim(span, 0.95, {"kind": "signature"})


@rule("field-code", t.FRAME, BOILERPLATE, "a word processor's field code left in the text, such as {PAGE|56}")
def field_code(ctx: Context, i: int) -> Claim | None:
    c = ctx.stream[i]
    return Claim(1, 0.95, {"kind": "field code"}) if c.kind == PARA and _FIELD_CODE.match(c.text) else None


def gutenberg(ctx: Context) -> tuple[int, int] | None:
    """Project Gutenberg's wrapper: the first and last candidate of the book inside it."""
    stream = ctx.stream
    start = next((i for i, c in enumerate(stream) if c.kind == PARA and START.match(c.text)), None)
    end = next((i for i, c in enumerate(stream) if c.kind == PARA and END.match(c.text) and (start is None or i > start)), None)
    if start is None and end is None:
        return None
    first = 0
    if start is not None:
        first = start + 1
        # The producers' credit and pointers to other editions are still Gutenberg's.
        while first < len(stream) and first != end and (stream[first].kind == PARA and CREDIT.search(stream[first].text)):
            first += 1
    last = end if end is not None else len(stream)
    return first, last
