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

from ..stream import Document
from .breaks import breaks_pass
from .bodypass import body_pass
from .facts import facts, given
from .frame import frame
from .headpass import head_pass
from .table import Context
from .tail import tail_pass

__all__ = ["recognise", "Context"]


def recognise(doc: Document) -> Context:
    ctx = Context(doc, [None] * len(doc.stream))
    given(ctx)
    facts(ctx)
    lo, hi = frame(ctx)
    start = head_pass(ctx, lo, hi)
    end = tail_pass(ctx, start, hi)
    body_pass(ctx, start, end)
    breaks_pass(ctx, start, end)
    return ctx
