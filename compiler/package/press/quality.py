"""Package stage (PDF, checked after layout): the faults a typesetter fixes before a book goes to press.

Read from the laid-out PDF, not from the source, so it sees what a reader will see:

- Q001 a page that ends short of the text block where no story, section or forced break ends
  (a kept-together group moved to the next page and left a hole);
- Q002 a word hyphenated across a leaf turn: the last line of a recto ends with a hyphen, and the
  reader turns the leaf in the middle of the word (across a spread it is tolerable; weasyprint's
  automatic hyphen is U+2010, a compound's own hyphen U+002D);
- Q003 a line that opens with a closing punctuation mark, or with a dash glued to a quote (`—”`);
- Q004 a running head (or, on a blank page, any furniture) on a blank or opening page.

The pages are read as lines by pagetext.py. Wiring: `diagnostics(check_pdf(pdf_bytes,
TextBlock.from_theme(theme.settings)), pdf_path)` gives the warnings to print.
"""

from __future__ import annotations

import enum
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ...diagnostics import Diagnostic, warning
from .pagetext import Page, Start, TextBlock, read_pages, starts

HYPHENS = "\u2010\u002d\u00ad"  # weasyprint's automatic hyphen, a compound's hyphen, a soft hyphen
DASHES = "\u2014\u2013\u2015"
CLOSERS = ")]}”’,.;:!?…"
QUOTES = "”’\"'»›"
_RTL = range(0x0590, 0x08FF)  # Hebrew and Arabic letters


class Kind(enum.Enum):
    SHORT_PAGE = "Q001"
    LEAF_TURN_HYPHEN = "Q002"
    LINE_OPENS_WITH_CLOSER = "Q003"
    RUNNING_HEAD = "Q004"


@dataclass(frozen=True)
class Finding:
    kind: Kind
    page: int  # 1-based page of the PDF
    folio: str  # the page number printed on it, "" when none is
    text: str  # the line concerned
    detail: str

    def diagnostic(self, path: Path | None = None) -> Diagnostic:
        where = f"page {self.page}" + (f" (folio {self.folio})" if self.folio else "")
        shown = self.text if len(self.text) <= 60 else "…" + self.text[-59:]
        return warning(self.kind.value, f"{where}: {self.detail}: “{shown}”" if shown else f"{where}: {self.detail}", path)


def _gaps(pages: list[Page]) -> Counter[float]:
    return Counter(
        round(a.baseline - b.baseline, 1)
        for page in pages
        for a, b in zip(page.body, page.body[1:])
        if a.size == b.size and a.baseline > b.baseline
    )


def _pitch(pages: list[Page]) -> float:
    """The body's line pitch: the commonest distance between neighbouring baselines."""
    gaps = _gaps(pages)
    return gaps.most_common(1)[0][0] if gaps else 14.0


def _paragraph_space(pages: list[Page], pitch: float) -> float:
    """The space a theme puts between paragraphs (0 for indented paragraphs set solid): the
    commonest step between baselines a little over one pitch."""
    steps = Counter({gap: n for gap, n in _gaps(pages).items() if 1.05 * pitch < gap < 1.9 * pitch})
    total = sum(_gaps(pages).values())
    if not steps or steps.most_common(1)[0][1] < 0.05 * total:
        return 0.0
    return steps.most_common(1)[0][0] - pitch


def check_pdf(data: bytes, block: TextBlock, slack_lines: float = 2.0) -> list[Finding]:
    """Every finding, in page order. `slack_lines`: the widows and orphans the theme asks for (2);
    a page may end short by one line more (a paragraph of that many lines and one moves whole)."""
    pages = read_pages(data, block)
    begun = starts(data)
    return sorted(
        short_pages(pages, begun, slack_lines) + leaf_turns(pages, begun) + openers(pages) + furniture(pages, begun),
        key=lambda f: (f.page, f.kind.value),
    )


def _opening_pages(begun: Iterable[Start]) -> set[int]:
    return {s.page for s in begun if s.opening}


def _starts_at_top(page: Page, begun: list[Start], pitch: float) -> bool:
    """Something that always begins a page begins on this one, or a section begins at its top."""
    return any(s.page == page.number and (s.forced or s.y >= page.block_top - 2 * pitch) for s in begun)


def short_pages(pages: list[Page], begun: list[Start], slack_lines: float = 2.0) -> list[Finding]:
    """With widows and orphans at 2 a paragraph of three lines cannot be split: it moves whole and
    can leave just under three lines and the space before it empty; a scene break (one line and a
    paragraph's space) with the two-line paragraph it keeps with, three lines and two spaces. A
    page that ends shorter than that, measured from the fullest page, has a hole in it."""
    pitch = _pitch(pages)
    ends: dict[int, float] = {}  # pages where the text runs on: how far above the block's foot they end
    for n, page in enumerate(pages[:-1]):
        after = pages[n + 1]
        # A story, document or section begins on the next page, or a blank verso comes first:
        # this page ends where its text does.
        if not page.blank and not after.blank and not _starts_at_top(after, begun, pitch):
            ends[n] = page.body[-1].baseline - page.block_bottom
    if not ends:
        return []
    # The fullest page: its last line's descent is all that is left (less than a line, in a book
    # too short to have a full page).
    full = min(min(ends.values()), pitch)
    allowed = slack_lines + 1 + 2 * _paragraph_space(pages, pitch) / pitch + 0.05  # and a little for rounding
    found = []
    for n, gap in ends.items():
        missing = (gap - full) / pitch
        if missing > allowed:
            page = pages[n]
            share = (gap - full) / (page.block_top - page.block_bottom)
            found.append(Finding(Kind.SHORT_PAGE, page.number, page.folio, page.body[-1].text,
                                 f"the page ends {missing:.1f} lines ({share:.0%} of the text block) short where the text runs on"))
    return found


def leaf_turns(pages: list[Page], begun: list[Start]) -> list[Finding]:
    pitch = _pitch(pages)
    found = []
    for n, page in enumerate(pages[:-1]):
        if not page.recto or page.blank or pages[n + 1].blank or _starts_at_top(pages[n + 1], begun, pitch):
            continue
        last = page.body[-1].text
        if last and last[-1] in HYPHENS and len(last) > 1 and last[-2].isalpha():
            kind = "a compound word broken at its hyphen" if last[-1] == "-" else "a word hyphenated"
            found.append(Finding(Kind.LEAF_TURN_HYPHEN, page.number, page.folio, last, f"{kind} across the leaf turn"))
    return found


def _rtl(text: str) -> bool:
    return any(ord(ch) in _RTL for ch in text)


_LEADER = re.compile(r"(?:\.\s?){3,}\S*")  # a contents line's leader, run onto a line of its own


def openers(pages: list[Page]) -> list[Finding]:
    found = []
    sizes = Counter(line.size for page in pages for line in page.body).most_common(1)
    body_size = sizes[0][0] if sizes else 0.0
    for page in pages:
        for line in page.body:
            text = line.text
            # PDFium gives right-to-left lines in visual order: their first character is their last.
            if not text or _rtl(text) or _LEADER.fullmatch(text):
                continue
            if body_size and line.size > 1.15 * body_size:
                continue  # a title or heading, set as written (a story called "—"), not a line broken there
            first, second = text[0], text[1:2]
            glued = first in DASHES and (second == "" or second in QUOTES or second in ")]")
            # ’ opens elisions (’em, ’tis): a closing quote only before a space, a mark or the end.
            # "..." opens a sentence that trails in.
            closing = (first in ")]},;:!?" or (first == "." and second not in ".…")
                       or (first in "”’" and (second == "" or second.isspace() or second in CLOSERS)))
            if glued or closing:
                what = "a dash glued to what closes it" if glued else f"a closing “{first}”"
                found.append(Finding(Kind.LINE_OPENS_WITH_CLOSER, page.number, page.folio, text[:40], f"a line opens with {what}"))
    return found


def furniture(pages: list[Page], begun: list[Start]) -> list[Finding]:
    opening = _opening_pages(begun)
    found = []
    for page in pages:
        if page.blank and (page.heads or page.feet):
            shown = " / ".join(line.text for line in page.heads + page.feet)
            found.append(Finding(Kind.RUNNING_HEAD, page.number, page.folio, shown, "a blank page carries a running head or folio"))
        elif page.number in opening and page.heads:
            found.append(Finding(Kind.RUNNING_HEAD, page.number, page.folio, page.heads[0].text, "an opening page carries a running head"))
    return found


def diagnostics(findings: Iterable[Finding], path: Path | None = None) -> list[Diagnostic]:
    return [f.diagnostic(path) for f in findings]

