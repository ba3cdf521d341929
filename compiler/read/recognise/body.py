"""Recogniser rules for the story's text: headings and their levels, scene breaks, verse, the
author's notes inside it.

A heading is known by its words ("Chapter 2", "Part Two", "Эпилог"), by its syntax (`##`, `<h2>`),
by its shape (a capitals line set off by more blank lines than paragraphs get, a line underlined
with dashes, a lettered title in a running sequence A, B, C…), or because the book's own contents
list names it. A scene break is drawn (`* * *`, `~~~~`, `-x-`, a row of any repeated mark), or is
a slug line ("[LONDON, 1888]", "Six months later:"); a run of blank lines is one only where the
file's own spacing says so (pass in recognise/__init__.py). Lines are verse when the author broke
them: every line short, or every line opening with a capital and closing on punctuation.
"""

from __future__ import annotations

import re

from ..layout import VERSE_MAX, is_verse
from ..stream import HEADING, PARA, RULE, Candidate, caps_share, is_capitalised
from . import evidence as ev
from . import table as t
from .table import Claim, Context, rule

_SLUG_BRACKETED = re.compile(r"^\[(?!(?:foot)?notes?\b|illustration|sidenote|transcriber)[^\[\]:]{3,60}\]$", re.I)
_TIME_WORDS = re.compile(
    r"\b(?:later|earlier|after|before|meanwhile|next|following|morning|evening|afternoon|night|midnight|noon|dawn|dusk|"
    r"days?|weeks?|months?|years?|hours?|minutes?|seconds?|ago|tomorrow|yesterday|später|plus\s+tard|después|позже|спустя|później)\b",
    re.I,
)

# "Six Days Later….", "Three weeks later", "Dos años después…": a time skip standing alone.
_TIME_SKIP = re.compile(
    r"^(?:(?:a|an|one|some|several|a\s+few|\w+|\d+)\s+)?(?:\w+\s+)?"
    r"(?:days?|weeks?|months?|years?|hours?|minutes?|moments?|time|días|semanas|meses|años|horas|tage|wochen|monate|jahre|"
    r"stunden|jours|semaines|mois|ans|heures|дн\w*|недел\w*|месяц\w*|лет|год\w*|час\w*)\s+"
    r"(?:later|after(?:wards?)?|earlier|ago|después|más\s+tarde|antes|später|danach|früher|plus\s+tard|après|спустя|позже|później)"
    r"\s*[.…:!\-–—]*$",
    re.I,
)


def _single(c: Candidate) -> bool:
    return c.kind == PARA and len(c.raw or c.line_texts) <= 1


def _bracketed(ctx: Context, i: int) -> bool:
    return i in ctx.facts.get("brackets", ())


def _heading(c: Candidate) -> str:
    return ev.strip_decoration(c.text)


@rule("heading-syntax", t.BODY, t.HEADING, "the syntax says heading: a Markdown '#' line, an HTML <h1>–<h6>, a site's chapter heading")
def heading_syntax(ctx: Context, i: int) -> Claim | None:
    c = ctx.stream[i]
    if c.kind != HEADING or not c.text:
        return None
    return Claim(1, 0.95 if c.region else 0.85, {"text": c.text, "kind": "syntax", "level": c.level})


@rule("chapter-words", t.BODY, t.HEADING, "a line of its own that names a part: 'Chapter 2: The Ford', 'Part Two', 'Lesson One', "
      "'Prologue', 'Глава 3', '第三章'; a 'CHAPTER I.' line takes the subtitle on the line after it")
def chapter_words(ctx: Context, i: int) -> Claim | None:
    c = ctx.stream[i]
    if _bracketed(ctx, i):
        return None
    rows = c.raw or c.line_texts
    if c.kind != PARA or not rows:
        return None
    first = ev.strip_decoration(rows[0]) or rows[0].strip()
    if not ev.is_chapter_like(first):
        return None
    kind = "upper" if ev.UPPER_LEVEL.match(first) else "chapter"
    m = ev.CHAPTER.match(first)
    titled = bool(m and (m.group("title") or m.group("rest")))
    if len(rows) == 2 and not titled and ev.is_title_like(rows[1], 12):
        return Claim(1, 0.9, {"text": f"{first} {rows[1].strip()}", "kind": kind})  # "פרק 2" over its title
    if len(rows) > 1:
        return None
    nxt = ctx.stream[i + 1] if i + 1 < len(ctx.stream) else None
    bare = ev.CHAPTER.match(first)
    if (bare and not (bare.group("title") or bare.group("rest")) and nxt is not None and _single(nxt) and nxt.gap <= 2
            and ev.is_title_like(nxt.text, 12) and not ev.is_chapter_like(nxt.text)
            and (not ev.ends_sentence(nxt.text) or caps_share(nxt.text) > 0.9)
            and (nxt.words <= 10)):
        return Claim(2, 0.9, {"text": f"{first} {nxt.text.strip()}", "kind": kind})  # "CHAPTER I." then "THE RIVER."
    return Claim(1, 0.9, {"text": first, "kind": kind})


@rule("underlined", t.BODY, t.HEADING, "a short line with a rule of dashes or equals right under it (and a part number under that)")
def underlined(ctx: Context, i: int) -> Claim | None:
    c = ctx.stream[i]
    if _bracketed(ctx, i):
        return None
    nxt = ctx.stream[i + 1] if i + 1 < len(ctx.stream) else None
    if not (_single(c) and nxt is not None and nxt.kind == RULE and nxt.gap == 0 and re.fullmatch(r"[-=_]{3,}", nxt.text)):
        return None
    if c.words > ev.MAX_HEADING_WORDS or ev.is_dialogue(c.text):
        return None
    # An underline runs the length of what it underlines; a short rule under a sentence is a break.
    named = ev.is_chapter_like(c.text) or bool(re.search(r"\b(?:part|chapter)\s+\w+", c.text, re.I))
    if not named and (len(nxt.text) < 0.6 * len(c.text) or ev.ends_sentence(c.text)):
        return None
    span = 2
    after = ctx.stream[i + 2] if i + 2 < len(ctx.stream) else None
    if after is not None and _single(after) and after.gap == 0 and ev.BARE.match(after.text):
        span = 3  # "Fools in Hell, part 1: Emergence." / "-----" / "1": one heading
    return Claim(span, 0.92 if named else 0.85, {"text": c.text, "kind": "chapter"})


@rule("rule-and-number", t.BODY, t.HEADING, "a rule with a part number right under it: the part's heading is the number")
def rule_and_number(ctx: Context, i: int) -> Claim | None:
    c = ctx.stream[i]
    nxt = ctx.stream[i + 1] if i + 1 < len(ctx.stream) else None
    if c.kind == RULE and re.fullmatch(r"[-=_]{8,}", c.text) and nxt is not None and _single(nxt) and nxt.gap == 0 and ev.BARE.match(nxt.text):
        return Claim(2, 0.92, {"text": nxt.text.strip(), "kind": "chapter", "at": 1})
    return None


@rule("bare-number", t.BODY, t.HEADING, "a line that is only a part number ('IV', '12.') standing apart")
def bare_number(ctx: Context, i: int) -> Claim | None:
    c = ctx.stream[i]
    if _bracketed(ctx, i):
        return None
    if not _single(c) or not ev.BARE.match(c.text):
        return None
    if not _numbered_run(ctx, c.text):
        return None
    apart = c.centred or c.gap > ctx.facts.get("gap", 1) or (i + 1 < len(ctx.stream) and ctx.stream[i + 1].gap > ctx.facts.get("gap", 1))
    return Claim(1, 0.8 if apart or ctx.facts.get("gap", 1) >= 1 else 0.45, {"text": c.text.strip(), "kind": "chapter"})


def _numbered_run(ctx: Context, text: str) -> bool:
    """A part number is small, or has a neighbour in the file ("283" alone after a rule is a year
    or a date line, not the 283rd part)."""
    mark = text.strip().rstrip(".")
    if not mark.isdigit() or int(mark) < 100:
        return True
    value = int(mark)
    others = {int(c.text.strip().rstrip(".")) for c in ctx.stream if _single(c) and ev.BARE.match(c.text) and c.text.strip().rstrip(".").isdigit()}
    return bool(others & {value - 1, value + 1})


@rule("lettered-sequence", t.BODY, t.HEADING, "a capitalised title after a letter or number ('A. First Choices', '3. Reincarnation') "
      "whose marks run in sequence through the file")
def lettered(ctx: Context, i: int) -> Claim | None:
    c = ctx.stream[i]
    if _bracketed(ctx, i):
        return None
    if not _single(c) or not (m := ev.LETTERED.match(c.text)):
        return None
    title = m.group("title")
    if not is_capitalised(title) or ev.ends_sentence(title) or len(title.split()) > 10:
        return None
    if c.text.strip() not in ctx.facts.get("sequence", set()):
        return None
    return Claim(1, 0.85, {"text": " ".join(c.text.split()), "kind": "numbered" if m.group("mark").isdigit() else "lettered"})


@rule("capitals-line", t.BODY, t.HEADING, "a short line in capitals with more blank lines before it than the file puts "
      "between paragraphs (a printed book's chapter or story title), where the prose is in mixed case")
def capitals_line(ctx: Context, i: int) -> Claim | None:
    c = ctx.stream[i]
    if _bracketed(ctx, i):
        return None
    if not _single(c) or c.words > 16 or caps_share(c.text) < 0.85 or not re.search(r"[^\W\d_]{2}", c.text):
        return None
    if c.words < 2 and not c.centred:
        return None  # a single word in capitals is a shout or a sign more often than a title
    if ev.END_MARK.match(c.text) or ctx.facts.get("caps_prose") or re.search(r"[!?…]['\"’”]*$", c.text):
        return None  # "ALL DECKS BRACE FOR IMPACT!": a shout, not a title
    gap = ctx.facts.get("gap", 1)
    if i in ctx.facts.get("caps_run", ()):
        return Claim(1, 0.8, {"text": c.text.strip(), "kind": "upper" if ev.UPPER_LEVEL.match(c.text) else "caps"})
    before = c.gap > gap or i == 0 or ctx.stream[i - 1].kind == RULE
    after = i + 1 < len(ctx.stream) and ctx.stream[i + 1].gap > gap
    if not (before or after or c.centred):
        return None
    sure = 0.5 + (0.15 if before else 0) + (0.1 if after else 0) + (0.1 if c.centred else 0)
    return Claim(1, min(sure, 0.85), {"text": c.text.strip(), "kind": "upper" if ev.UPPER_LEVEL.match(c.text) else "caps"})


@rule("contents-entry", t.BODY, t.HEADING, "a line that the book's own contents list names")
def contents_entry(ctx: Context, i: int) -> Claim | None:
    c = ctx.stream[i]
    entries = ctx.facts.get("contents", set())
    if not entries or c.kind not in (PARA, HEADING) or c.words > 20:
        return None
    key = _key(c.text)
    return Claim(1, 0.95, {"text": c.text.strip(), "kind": "caps"}) if key in entries else None


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", re.sub(r"\(.*?\)|_", " ", text).casefold()))


@rule("set-apart-line", t.BODY, t.HEADING, "a short line wholly in bold, or centred, that is not a sentence: a title inside the text "
      "(weak alone; a run of them in the same style makes them the file's headings)")
def set_apart(ctx: Context, i: int) -> Claim | None:
    c = ctx.stream[i]
    if _bracketed(ctx, i):
        return None
    if not _single(c) or c.words > 12 or not (c.style == "bold" or c.centred) or ev.is_dialogue(c.text):
        return None
    if c.text[:1] in "([{" or ctx.facts.get("syntax_headings"):
        return None  # an aside in brackets; or the file marks its headings in its syntax
    if not re.search(r"[^\W\d_]", c.text):
        return None  # "1999", "283": a date line in bold (a part number is the bare-number rule's)
    # Alone, a bold or centred line is a display line; only a run of them in the file makes them
    # its headings.
    if sum(1 for k in ctx.facts.get("set_apart", ()) if k != i) < 1:
        return None
    if ev.ends_sentence(c.text) and not ev.is_chapter_like(c.text) or ev.END_MARK.match(c.text) or c.text.strip().endswith(":"):
        return None
    return Claim(1, 0.55, {"text": c.text.strip(), "kind": "chapter"})


@rule("slug-line", t.BODY, t.SLUG, "a line of its own that sets time or place: '[LONDON, 1888]', 'Six months later:', 'After breakfast:'")
def slug_line(ctx: Context, i: int) -> Claim | None:
    c = ctx.stream[i]
    if _bracketed(ctx, i):
        return None
    if not _single(c) or c.words > 9:
        return None
    text = c.text.strip()
    if _SLUG_BRACKETED.match(text) and not ev.BRACKETED_DISCLAIMER.match(text) and not re.match(r"^\[\w{1,3}\]$", text):
        return Claim(1, 0.75)
    if c.words <= 6 and _TIME_SKIP.match(text) and not ev.is_dialogue(text):
        return Claim(1, 0.75)
    head = text.split(":", 1)[0]
    if (text.endswith(":") and c.words <= 6) or (":" in text and not text.endswith(":") and len(head.split()) <= 4):
        if _TIME_WORDS.search(head) and not ev.is_dialogue(text) and not re.match(r"(?:and|but|or|so|then|if)\b", text, re.I):
            return Claim(1, 0.75)
    return None


@rule("drawn-break", t.BODY, t.BREAK, "a drawn separator: a row of any repeated mark ('* * *', '~~~~', 'oOo', '-x-', 'ZZZZ', '<hr>')")
def drawn_break(ctx: Context, i: int) -> Claim | None:
    return Claim(1, 0.9) if ctx.stream[i].kind == RULE else None


@rule("section-note-label", t.BODY, t.SECTION_NOTE, "inside the text, a paragraph labelled 'A/N:' (a chapter's own note), "
      "or 'Summary:' right under a chapter heading")
def section_note_label(ctx: Context, i: int) -> Claim | None:
    c = ctx.stream[i]
    if c.kind != PARA:
        return None
    if m := ev.AUTHOR_NOTE_STRICT.match(c.text):
        return Claim(1, 0.95, {"label": c.text[: m.start("rest")].strip()})
    prev = _previous(ctx, i)
    if (m := ev.SUMMARY.match(c.text)) and prev is not None and ctx.role(prev) == t.HEADING:
        return Claim(1, 0.8, {"label": c.text[: m.start("rest")].strip()})
    return None


def _previous(ctx: Context, i: int) -> int | None:
    j = i - 1
    while j >= 0 and ctx.role(j) in (t.BOILERPLATE,):
        j -= 1
    return j if j >= 0 else None


# ---------------------------------------------------------------- verse


_CAPITAL_START = re.compile(r"^[\W_]*[^\W\d_]")
_RUNS_ON = re.compile(r"\b(?:the|a|an|and|or|of|to|in|on|at|by|for|with|from|his|her|its|their|my|your|our|that|which|who)\s*$", re.I)


def _starts_capital(line: str) -> bool:
    m = _CAPITAL_START.match(line.strip())
    return m is not None and m.group(0)[-1].isupper()


def _starts_lower(line: str) -> bool:
    m = _CAPITAL_START.match(line.strip())
    return m is not None and m.group(0)[-1].islower()


def verse_lines(c: Candidate, base_indent: int | None = None, wrap: int = 72) -> bool:
    """Whether a block's lines are the author's (a poem, a song, a letter's address), not a wrap.
    `base_indent`: where the file's paragraphs sit; lines set in further are set apart."""
    rows = [r for r in (c.raw or c.line_texts) if r.strip()]
    if c.explicit:
        if len(rows) > 1 and all(ev.width(" ".join(r.split())) <= VERSE_MAX for r in rows):
            return True
        # Long lines broken by the author are paragraphs, unless they read as a song: every line
        # opening with a capital and hardly any closing a sentence.
        closes = sum(bool(re.search(r"[.!?]['\"’”)]*$", r.strip())) for r in rows)
        return len(rows) >= 3 and not any(_starts_lower(r) for r in rows) and closes * 3 <= len(rows)
    if len(rows) < 2:
        return False
    # A wrap: a line that stops short of punctuation, and a next line that runs on in lower case
    # or a line that ends on a word no line of verse ends on ("the", "and", "of").
    wraps = sum(
        not re.search(r"[.,;:!?—–-]['\"’”)_*]*$", a.strip()) and (not _starts_capital(b) or bool(_RUNS_ON.search(a)))
        for a, b in zip(rows, rows[1:])
    )
    if len(rows) >= 3 and is_verse(rows) and not wraps:
        return True
    indents = [len(r) - len(r.lstrip()) for r in rows]
    paragraph_indent = indents[0] > min(indents[1:])  # a prose paragraph's first line, set in
    # Set in from the text's margin, every line running to its own end (a couplet, a word list).
    capitals = sum(_starts_capital(r) or not re.match(r"^[\W_]*[^\W\d_]", r.strip()) for r in rows)
    widths = [ev.width(r.rstrip()) for r in rows]
    ragged = any(w < max(widths) - 15 for w in widths[:-1])
    listed = bool(re.match(r"^\d+[-.,)]", rows[0].strip()))  # "23. An ordinary conversation …": a list item
    if base_indent is not None and c.raw and not wraps and c.indent >= base_indent + 2 and c.tag == "" and capitals == len(rows) and not paragraph_indent:
        if (max(ev.width(r.strip()) for r in rows) <= VERSE_MAX + 15 or ragged) and not listed:
            return True
    # A wrap breaks lines mid-sentence, starts them in lower case and fills them to the margin; a
    # poet starts each line with a capital, ends most on punctuation, and leaves the edge ragged.
    capitals = sum(_starts_capital(r) for r in rows)
    ends = sum(bool(re.search(r"[.,;:!?—–-]['\"’”]?$", r.strip())) for r in rows)
    if len(rows) >= 3 and capitals == len(rows) and ends >= len(rows) - 1 and ragged and not paragraph_indent:
        return True
    # Lines indented by turns (a song's refrain set in) in hand-written HTML.
    turns = len(set(indents[1:])) > 1 or (len(rows) > 1 and indents[0] < max(indents[1:]))
    return bool(c.raw) and c.tag != "" and turns and capitals == len(rows) and ends * 2 >= len(rows)
