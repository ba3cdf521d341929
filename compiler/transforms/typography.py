"""Transform stage: typography on text nodes — curly quotes, ellipses, dashes.

Only characters change, never words: straight quotes become curly ones, runs of dots and ellipsis
characters one `…`, a hyphen standing for a dash a real dash. Quotes are decided with the character
before them across node boundaries, so a paragraph is processed as one run of text. Every rule's
output is a fixed point of the rules, so the transform is idempotent.

Which curly quotes depends on the story's language (CLDR's delimiters, quotes.py): German „…“,
French «…» with narrow no-break spaces, Polish „…”, Russian «…»; Hebrew opens and closes with ”
(U+201D), so right-to-left text does not get an English opening mark on the wrong side, and a
straight quote between two Hebrew letters is gershayim (״, as in צה״ל). Quotes the author typed
curly stay as typed. An apostrophe is ’ in every language, also at the start of an elided word
(’tis, ’em, rock ’n’ roll, ’90s), never an opening quote. Feet and inches are primes (5′10″).
Chinese and Japanese write their ellipsis as two characters (……), so it is left alone there.
"""

from __future__ import annotations

import dataclasses
import re

from ..model import AuthorNote, Block, BlockQuote, EndNote, Heading, Inline, Paragraph, Story, Text, Verse
from .quotes import ENGLISH, Marks, french_spacing, marks_for

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

_OPENERS = set(" \t\n([{<—–-/\u00a0\u202f")
# Words that start with an apostrophe ("’em", "’tis", "’twas", "’til", "’cause", "rock ’n’ roll",
# "’90s", "’85", Dutch "’s avonds", "’t"): the quote before them is no opening single quote.
_ELISIONS = re.compile(r"(?:em|tis|twas|til|cause|cos|cuz|bout|nuff|fraid|n|round|s|t|[0-9]{2}s?)(?![^\W_])", re.I)
# Feet and inches, arcminutes and arcseconds: primes, not quotes (5′10″, 5′ 10″, 43°12′30″).
_FEET_INCHES = re.compile(r"(?<=\d)'(\s?\d{1,2}(?:\.\d+)?)(\"?)(?![\w'\"])")
_ARCMINUTES = re.compile(r"(?<=°)(\d{1,2}(?:\.\d+)?)'")
_ARCSECONDS = re.compile(r"(?<=′)(\d{1,2}(?:\.\d+)?)\"")
# French: a narrow no-break space inside guillemets and before ; ! ?, a no-break space before the
# colon, where the author put a space (or inside the guillemets this transform sets).
_FRENCH_INSIDE_OPEN = re.compile("«[ \u00a0\u202f]?")
_FRENCH_INSIDE_CLOSE = re.compile("[ \u00a0\u202f]?»")
_FRENCH_BEFORE = re.compile("[ \u00a0](?=[;!?])")
_FRENCH_BEFORE_COLON = re.compile(" (?=:)")

_NO_ELLIPSIS = frozenset({"zh", "ja"})
_HEBREW_LETTER = re.compile(r"[\u05d0-\u05ea]")
_GERSHAYIM = {'"': "\u05f4", "'": "\u05f3"}  # ״ and ׳


@dataclasses.dataclass(frozen=True)
class Style:
    marks: Marks = ENGLISH
    ellipsis: bool = True
    hebrew: bool = False
    french: bool = False


def style_for(language: str) -> Style:
    base = language.split("-")[0].lower()
    return Style(marks_for(language), base not in _NO_ELLIPSIS, base in ("he", "yi"), french_spacing(language))


_STRAIGHT = re.compile("[\"']")


def _primes(text: str) -> str:
    if "'" not in text:
        return text
    text = _ARCMINUTES.sub(lambda m: m.group(1) + "′", text)
    text = _ARCSECONDS.sub(lambda m: m.group(1) + "″", text)
    return _FEET_INCHES.sub(lambda m: "′" + m.group(1) + ("″" if m.group(2) else ""), text)


_SPACED_WORD = re.compile(r"(?<![ \t])[ \t]+\w")  # from a run's start only: linear


def _quotes(text: str, before: str, style: Style) -> str:
    # Only the straight quotes change; visiting just them keeps this linear in C for long texts.
    out = list(text)
    marks = style.marks
    open_doubles = 0  # French: a quote with spaces on both sides closes the one still open
    for match in _STRAIGHT.finditer(text):
        i = match.start()
        prev = out[i - 1] if i else before  # what precedes it, as already curled
        nxt = text[i + 1] if i + 1 < len(text) else ""
        # Opening when it follows a space, bracket, dash or an opening mark and a word follows it
        # (in French, a word after the space French sets inside guillemets); closing otherwise.
        after_opener = prev == "" or prev in _OPENERS or prev in "‘“" or (prev in (marks.open1, marks.open2) and marks is not ENGLISH)
        before_word = bool(nxt) and (not nxt.isspace() or (style.french and text[i + 2 : i + 3].strip() != ""))
        spaced = _SPACED_WORD.match(text, i + 1) if text[i] == '"' and prev == "" and not style.french else None
        if style.hebrew and _HEBREW_LETTER.match(prev) and _HEBREW_LETTER.match(text, i + 1):
            out[i] = _GERSHAYIM[text[i]]
        elif spaced is not None:
            # A paragraph that opens with a quote set apart from its first word (`" We simulate`):
            # nothing is open to close, so it opens, against its word (a line never begins with ”).
            out[i] = marks.open2
            open_doubles += 1
            for k in range(i + 1, spaced.end() - 1):
                out[k] = ""
        elif text[i] == '"':
            opening = after_opener and before_word and not (style.french and open_doubles and (nxt.isspace() or prev.isspace()))
            out[i] = marks.open2 if opening else marks.close2
            open_doubles = open_doubles + 1 if opening else max(0, open_doubles - 1)
        elif (prev.isalnum() and nxt.isalnum()) or (after_opener and _ELISIONS.match(text, i + 1)):
            out[i] = "’"  # an apostrophe, in every language: "don’t", "l’homme", "’tis"
        else:
            out[i] = marks.open1 if after_opener and before_word else marks.close1
    return "".join(out)


def _french(text: str) -> str:
    if "«" in text:
        text = _FRENCH_INSIDE_OPEN.sub("«\u202f", text)
    if "»" in text:
        text = _FRENCH_INSIDE_CLOSE.sub("\u202f»", text)
    text = _FRENCH_BEFORE.sub("\u202f", text)
    return _FRENCH_BEFORE_COLON.sub("\u00a0", text)


def _fix(text: str, before: str, style: Style = Style()) -> str:
    if style.ellipsis and ("." in text or "…" in text):
        text = _ELLIPSIS.sub(_ellipsis, text)
    if "-" in text:  # most text has no hyphen at all: skip four scans
        text = _DOUBLE_HYPHEN.sub("—", text)
        text = _LEADING_HYPHEN.sub("—", text)
        text = _TRAILING_HYPHEN.sub("—", text)
        text = _SPACED_HYPHEN.sub(" – ", text)
    text = _quotes(_primes(text), before, style)
    return _french(text) if style.french else text


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
