"""Transform stage: typography on text nodes — curly quotes, ellipses, dashes.

Only characters change, never words: straight quotes become curly ones, runs of dots and ellipsis
characters one `…`, a hyphen standing for a dash a real dash. Quotes are decided with the character
before them across node boundaries, so a paragraph is processed as one run of text. Every rule's
output is a fixed point of the rules, so the transform is idempotent.

Which curly quotes depends on the story's language (CLDR's delimiters): Hebrew opens and closes
with ” (U+201D), so right-to-left text does not get an English opening mark on the wrong side; a
straight quote between two Hebrew letters is gershayim (״, as in צה״ל), not a quotation mark.
Chinese and Japanese write their ellipsis as two characters (……), so it is left alone there.
"""

from __future__ import annotations

import dataclasses
import re

from ..model import AuthorNote, Block, BlockQuote, EndNote, Heading, Inline, Paragraph, Story, Text, Verse

# "……", "…….", "...", ". . ." — one ellipsis character, as a typesetter would set it.
_ELLIPSIS = re.compile(r"[.…](?:\s?[.…])+")


def _ellipsis(match: re.Match[str]) -> str:
    run = match.group(0)
    dots = run.count(".") + run.count("…")
    return "…" if "…" in run or dots >= 3 else run
_DOUBLE_HYPHEN = re.compile(r"(?<!-)-{2,3}(?!-)")
# A hyphen cut off before a closing quote or the end ("He-" / "at times like these-") is a dash.
_TRAILING_HYPHEN = re.compile(r"(?<=\w)-(?=[\"”'’]|\s*$)")
# A hyphen right after an opening quote ("- it's so hard") is a dash; the space after it goes.
_LEADING_HYPHEN = re.compile(r"(?<=[\"“])-\s?(?=\w)")
_SPACED_HYPHEN = re.compile(r"(?<=\S) - (?=\S)")

_OPENERS = set(" \t\n([{<—–-/\u00a0")
# Words that start with an apostrophe: the quote before them is not an opening single quote.
_ELISIONS = re.compile(r"(?:em|tis|twas|til|cause|bout|n|round|s|90s|80s|70s|[0-9]{2}s)\b", re.I)


@dataclasses.dataclass(frozen=True)
class Marks:
    """Opening and closing double, then single, quotation marks (CLDR `delimiters`)."""

    open2: str = "“"
    close2: str = "”"
    open1: str = "‘"
    close1: str = "’"


_ENGLISH = Marks()
# CLDR 44 common/main/{he,ar}.xml, the data browsers use for <q> in these languages.
_MARKS = {"he": Marks("”", "”", "’", "’"), "yi": Marks("”", "”", "’", "’"), "ar": Marks("”", "“", "’", "‘")}
_NO_ELLIPSIS = frozenset({"zh", "ja"})
_HEBREW_LETTER = re.compile(r"[\u05d0-\u05ea]")
_GERSHAYIM = {'"': "\u05f4", "'": "\u05f3"}  # ״ and ׳


@dataclasses.dataclass(frozen=True)
class Style:
    marks: Marks = _ENGLISH
    ellipsis: bool = True
    hebrew: bool = False


def style_for(language: str) -> Style:
    base = language.split("-")[0].lower()
    return Style(_MARKS.get(base, _ENGLISH), base not in _NO_ELLIPSIS, base in ("he", "yi"))



_STRAIGHT = re.compile("[\"']")


def _quotes(text: str, before: str, style: Style) -> str:
    # Only the straight quotes change; visiting just them keeps this linear in C for long texts.
    out = list(text)
    marks = style.marks
    for match in _STRAIGHT.finditer(text):
        i = match.start()
        prev = out[i - 1] if i else before  # what precedes it, as already curled
        # Opening when it follows a space, bracket or dash and a word follows it; closing otherwise.
        after_opener = prev == "" or prev in _OPENERS or prev in "‘“" or (prev in (marks.open1, marks.open2) and marks is not _ENGLISH)
        before_word = i + 1 < len(text) and not text[i + 1].isspace()
        if style.hebrew and _HEBREW_LETTER.match(prev) and _HEBREW_LETTER.match(text, i + 1):
            out[i] = _GERSHAYIM[text[i]]
        elif text[i] == '"':
            out[i] = marks.open2 if after_opener and before_word else marks.close2
        else:
            elided = _ELISIONS.match(text, i + 1) is not None
            out[i] = marks.open1 if after_opener and before_word and not elided else marks.close1
    return "".join(out)


def _fix(text: str, before: str, style: Style = Style()) -> str:
    if style.ellipsis and ("." in text or "…" in text):
        text = _ELLIPSIS.sub(_ellipsis, text)
    if "-" in text:  # most text has no hyphen at all: skip four scans
        text = _DOUBLE_HYPHEN.sub("—", text)
        text = _LEADING_HYPHEN.sub("—", text)
        text = _TRAILING_HYPHEN.sub("—", text)
        text = _SPACED_HYPHEN.sub(" – ", text)
    return _quotes(text, before, style)


def _inlines(nodes: tuple[Inline, ...], before: str, style: Style) -> tuple[tuple[Inline, ...], str]:
    out: list[Inline] = []
    for node in nodes:
        if isinstance(node, Text):
            fixed = _fix(node.text, before, style)
            out.append(Text(fixed))
            before = fixed[-1:] or before
        else:
            children, before = _inlines(node.children, before, style)
            out.append(dataclasses.replace(node, children=children))
    return tuple(out), before


def _block(block: Block, style: Style) -> Block:
    if isinstance(block, (Paragraph, Heading)):
        children, _ = _inlines(block.children, "", style)
        return dataclasses.replace(block, children=children)
    if isinstance(block, (BlockQuote, AuthorNote)):
        return dataclasses.replace(block, blocks=_blocks(block.blocks, style))
    if isinstance(block, Verse):
        # A quote opened on one line of a poem may close on the next: carry the context across lines.
        lines, before = [], ""
        for line in block.lines:
            fixed, before = _inlines(line, before, style)
            lines.append(fixed)
            before = "\n" if before else before
        return dataclasses.replace(block, lines=tuple(lines))
    return block  # scene breaks, and preformatted lines whose every character is kept


def _blocks(blocks: tuple[Block, ...], style: Style) -> tuple[Block, ...]:
    return tuple(_block(b, style) for b in blocks)


def _paras(paras: tuple[Paragraph, ...], style: Style) -> tuple[Paragraph, ...]:
    return tuple(_block(p, style) for p in paras)  # type: ignore[misc]


def _notes(notes: tuple[AuthorNote, ...], style: Style) -> tuple[AuthorNote, ...]:
    return tuple(dataclasses.replace(n, blocks=_blocks(n.blocks, style)) for n in notes)


def typography(story: Story, language: str = "") -> Story:
    """`language`: the story's own, else the book's; it chooses the quotation marks."""
    style = style_for(story.language or language)
    glossary = story.glossary
    if glossary is not None:
        entries = tuple(
            dataclasses.replace(e, definition=_fix(e.definition, "", style), qualifier=_fix(e.qualifier, "", style))
            for e in glossary.entries
        )
        glossary = dataclasses.replace(glossary, entries=entries)
    return dataclasses.replace(
        story,
        title=_fix(story.title, "", style),
        summary=_paras(story.summary, style),
        fields=tuple(dataclasses.replace(f, value=_inlines(f.value, "", style)[0]) for f in story.fields),
        disclaimer=_paras(story.disclaimer, style),
        notes_before=_notes(story.notes_before, style),
        body=_blocks(story.body, style),
        notes_after=_notes(story.notes_after, style),
        glossary=glossary,
        trailer=_paras(story.trailer, style),
        endnotes=tuple(_endnote(n, style) for n in story.endnotes),
        boilerplate=tuple(dataclasses.replace(b, blocks=_blocks(b.blocks, style)) for b in story.boilerplate),
    )


def _endnote(note: EndNote, style: Style) -> EndNote:
    label, _ = _inlines(note.label, "", style)
    body, _ = _inlines(note.body, "", style)
    return dataclasses.replace(note, label=label, body=body)
