"""Package stage (PDF, checked after layout): a laid-out PDF read back as lines on pages.

PDFium's text page gives characters with their boxes; they are grouped into lines by where they
stand (a raised note number is part of its line, not a line of its own; the folio drawn after
the last line is not). Which lines are furniture and which are text follows from the text block:
the trim box less the theme's top and bottom margins. Where a story, a front-matter document or
a section starts comes from the PDF's bookmarks and named destinations (weasyprint writes one for
every id; the renderer wraps every document in `doc-…`).
"""

from __future__ import annotations

import ctypes
import io
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pikepdf
import pypdfium2
import pypdfium2.raw as pdfium_c

if TYPE_CHECKING:
    from ...render.theme import ThemeSettings


@dataclass(frozen=True)
class TextBlock:
    """Where the text block lies on a page: points below the trim's top edge, above its bottom."""

    top: float
    bottom: float

    @classmethod
    def from_theme(cls, settings: ThemeSettings) -> TextBlock:
        """From a theme's `[print]` margins, in inches."""
        return cls(settings.print.top * 72, settings.print.bottom * 72)


_ROMAN = re.compile("[ivxlcdm]+")


@dataclass(frozen=True)
class Line:
    text: str
    baseline: float  # PDF points, y growing upward
    top: float
    bottom: float
    size: float


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    heads: tuple[Line, ...]  # above the text block
    feet: tuple[Line, ...]  # below it: folios
    body: tuple[Line, ...]
    block_top: float  # y of the text block's edges on this page
    block_bottom: float

    @property
    def blank(self) -> bool:
        return not self.body

    @property
    def recto(self) -> bool:
        return self.number % 2 == 1

    @property
    def folio(self) -> str:
        """The page number printed at the foot, arabic or roman; "" when there is none."""
        return next((line.text for line in self.feet if line.text.isdigit() or _ROMAN.fullmatch(line.text)), "")


_Char = tuple[str, float, float, float, float]  # the character, its origin's y, bottom, top, font size


def _fragments(text: pypdfium2.PdfTextPage) -> list[list[_Char]]:
    """Runs of characters on one line, as drawn: a new run where PDFium starts a new line, or where
    the next character stands clear of the run (the folio drawn after the last line of text)."""
    runs: list[list[_Char]] = [[]]
    low, high = 0.0, 0.0  # the band the current run stands in
    every = text.get_text_range()
    x, y = ctypes.c_double(), ctypes.c_double()
    box = pdfium_c.FS_RECTF()
    # The raw handle and functions, looked up once: four calls a character add up over a book.
    handle = text.raw
    generated, loose, origin, size = (pdfium_c.FPDFText_IsGenerated, pdfium_c.FPDFText_GetLooseCharBox,
                                      pdfium_c.FPDFText_GetCharOrigin, pdfium_c.FPDFText_GetFontSize)
    for i in range(min(text.count_chars(), len(every))):
        char = every[i]
        if generated(handle, i) == 1:
            if char == "\n" and runs[-1]:
                runs.append([])
            elif char == " " and runs[-1]:  # a space PDFium infers between words: kept, so a line reads as words
                runs[-1].append((" ", *runs[-1][-1][1:]))
            continue
        # The loose box spans the font's ascent and descent: the same band for every character on a
        # line, where the ink of a dash and of a quote beside it need not overlap at all.
        loose(handle, i, box)
        bottom, top = box.bottom, box.top
        origin(handle, i, x, y)
        if runs[-1] and top > bottom and (top < low or bottom > high):
            runs.append([])
        if not runs[-1]:
            low, high = bottom, top
        elif top > bottom:
            low, high = min(low, bottom), max(high, top)
        # PDFium reads some hyphen-minus characters as U+FFFE, its mark for a hyphen it takes as soft.
        runs[-1].append(("-" if char == "\ufffe" else char, y.value, bottom, top, size(handle, i)))
    return [run for run in runs if run]


def lines_of(text: pypdfium2.PdfTextPage) -> list[Line]:
    """Lines top to bottom: PDFium's runs, joined when they share a band (a raised note number
    or a change of font breaks a run, not a line)."""
    lines: list[list[_Char]] = []
    for run in _fragments(text):
        inked = [c for c in run if c[3] > c[2]] or run
        low, high = min(c[2] for c in inked), max(c[3] for c in inked)
        if lines:
            prev = [c for c in lines[-1] if c[3] > c[2]] or lines[-1]
            p_low, p_high = min(c[2] for c in prev), max(c[3] for c in prev)
            overlap = min(high, p_high) - max(low, p_low)
            if overlap > 0.5 * min(high - low, p_high - p_low):
                lines[-1] += run
                continue
        lines.append(list(run))
    out = []
    for chars in lines:
        baseline = Counter(round(c[1], 1) for c in chars if not c[0].isspace()).most_common(1)
        inked = [c for c in chars if c[3] > c[2]] or chars
        size = Counter(round(c[4], 1) for c in chars if not c[0].isspace()).most_common(1)
        out.append(Line(
            "".join(c[0] for c in chars).strip(),
            baseline[0][0] if baseline else chars[0][1],
            max(c[3] for c in inked),
            min(c[2] for c in inked),
            size[0][0] if size else 0.0,
        ))
    return sorted(out, key=lambda line: -line.baseline)


def read_pages(data: bytes, block: TextBlock) -> list[Page]:
    """Every page of the PDF: its running heads, folios and lines of text, top to bottom."""
    document = pypdfium2.PdfDocument(data)
    pages = []
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            trims = [[float(v) for v in page.trimbox] for page in pdf.pages]
        for n, page in enumerate(document):
            trim = trims[n]
            top, bottom = trim[3] - block.top, trim[1] + block.bottom
            lines = lines_of(page.get_textpage())
            slack = 1.0  # a point of rounding either way
            heads = tuple(line for line in lines if line.bottom >= top - slack)
            feet = tuple(line for line in lines if line.top <= bottom + slack and line not in heads)
            body = tuple(line for line in lines if line not in heads and line not in feet)
            pages.append(Page(n + 1, heads, feet, body, top, bottom))
    finally:
        document.close()
    return pages


@dataclass(frozen=True)
class Start:
    """Something that begins on a page: a bookmark or a named destination."""

    page: int  # 1-based
    y: float
    name: str
    opening: bool  # a story or a front- or back-matter document: an opening page
    forced: bool  # always begins a page (documents, and what the theme breaks the page before)


OPENINGS = ("doc-",)  # named destinations of whole documents: the renderer's wrappers
BREAKS = ("-boilerplate",)  # ends of names of what print.css starts on a new page
# Ends of names of the sections that begin where a story's text ends (its author's notes after it,
# whose label keeps with the note): a page may end short before one, as before a heading.
SECTIONS = ("-notes-after",)


def starts(data: bytes, openings: tuple[str, ...] = OPENINGS, breaks: tuple[str, ...] = BREAKS,
           sections: tuple[str, ...] = SECTIONS) -> list[Start]:
    """Where the book's bookmarks point, and its named destinations whose names begin with one of
    `openings` or end with one of `breaks` or `sections`."""
    found: list[Start] = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        index: dict[tuple[int, int], int] = {page.obj.objgen: n + 1 for n, page in enumerate(pdf.pages)}

        def where(dest: object) -> tuple[int, float] | None:
            if isinstance(dest, pikepdf.Dictionary) and "/D" in dest:
                dest = dest.D
            if not isinstance(dest, pikepdf.Array) or len(dest) < 4 or not isinstance(dest[0], pikepdf.Dictionary):
                return None
            page = index.get(dest[0].objgen)
            return (page, float(dest[3])) if page is not None else None

        with pdf.open_outline() as outline:
            stack = [(item, 1) for item in outline.root]
            while stack:
                item, level = stack.pop()
                at = where(item.destination)
                if at:
                    found.append(Start(at[0], at[1], item.title, level == 1, level == 1))
                stack += [(child, level + 1) for child in item.children]
        names = pdf.Root.get("/Names")
        if names is not None and "/Dests" in names:
            for name, dest in pikepdf.NameTree(names.Dests).items():
                at = where(dest)
                if at and (name.startswith(openings) or name.endswith(breaks)):
                    found.append(Start(at[0], at[1], name, name.startswith(openings), True))
                elif at and name.endswith(sections):
                    found.append(Start(at[0], at[1], name, False, False))
    return found
