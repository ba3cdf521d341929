"""Verification: is every word of every story in the built books?

Counts words (letters and digits, any script, compared without case; each CJK character is a
word, since those scripts put no spaces between words, scripts.py) in each story's source text
and in the text extracted back out of the EPUB and the PDF. A word the book holds fewer times than
its sources is lost; it is reported with the story and the source lines it stands on. Labels the
reader took as structure ("A/N:", "Disclaimer:") are subtracted, since the book shows them as
structure instead.

The expected text is taken from the source independently of the readers (HTML by its text
content, Markdown by its rendered text), so a reader bug cannot hide its own losses.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic, diagnostic
from .model import Anthology
from .package.extract import text_of
from .scripts import CHECK_WORD

# weasyprint's automatic hyphen is U+2010 (its hyphenate-character), unlike the hyphen-minus of
# compound words, so a break it made at a line end can be undone exactly.
_AUTO_HYPHEN_BREAK = re.compile("\u2010[ \t]*\r?\n")
_ROMAN = re.compile(r"^[ivxlcdm]+$", re.I)


# Characters that draw nothing (zero-width spaces and joiners, direction marks, the tag plane): a
# PDF may keep or drop them, so they neither join nor split words on either side of the check.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\U000e0000-\U000e0fff]")


def words(text: str) -> Counter[str]:
    text = unicodedata.normalize("NFKC", _INVISIBLE.sub("", _AUTO_HYPHEN_BREAK.sub("", text)))
    # Case folded before the split: one C-level pass instead of one call per word.
    return Counter(CHECK_WORD.findall(text.casefold()))


def source_text(text: str, kind: str) -> str:
    """The words a reader of the source sees: markup removed, never interpreted."""
    if kind == "html":
        import lxml.html

        return text_of(lxml.html.fragment_fromstring(text, create_parent="div"))
    if kind == "markdown":
        from markdown_it import MarkdownIt

        import lxml.html

        html = MarkdownIt("commonmark").render(text)
        return text_of(lxml.html.fragment_fromstring(html or "<p></p>", create_parent="div"))
    return text


def book_text(pages: tuple[str, ...], running_heads: set[str]) -> str:
    """The text of the pages with the body of every page in sequence and the page furniture
    (running heads, folios) moved to the end, so a word hyphenated across a page turn joins up
    again while every line still counts (a story line that looks like a folio is moved, not lost)."""
    heads = {h.casefold() for h in running_heads}

    def furniture(line: str) -> bool:
        text = line.strip()
        return text.casefold() in heads or text.isdigit() or _ROMAN.match(text) is not None

    body: list[str] = []
    aside: list[str] = []
    for page in pages:
        for line in page.split("\n"):
            (aside if furniture(line) else body).append(line)
    return "\n".join(body) + "\n" + "\n".join(aside)


@dataclass(frozen=True)
class Loss:
    story: Path
    word: str
    missing: int  # how many occurrences are not in the book
    lines: tuple[int, ...]  # source lines where the word stands (first few)

    def __str__(self) -> str:
        where = ", ".join(str(n) for n in self.lines)
        return f"{self.story}:{self.lines[0] if self.lines else 0}: {self.missing}× “{self.word}” missing (source lines {where})"


@dataclass(frozen=True)
class Expected:
    path: Path
    text: str  # the source's visible text
    consumed: tuple[str, ...]

    def counts(self) -> Counter[str]:
        counts = words(self.text)
        counts.subtract(words(" ".join(self.consumed)))
        return +counts


def _lines_of(text: str, word: str) -> tuple[int, ...]:
    found = []
    for number, line in enumerate(text.split("\n"), start=1):
        if word in words(line):
            found.append(number)
            if len(found) == 5:
                break
    return tuple(found)


def lost_words(expected: list[Expected], book_text: str, counted: list[tuple[Expected, Counter[str]]] | None = None) -> list[Loss]:
    """`counted`: each story's expected words, counted once for several books (`counted_words`)."""
    per_story = counted if counted is not None else counted_words(expected)
    total: Counter[str] = Counter()
    for _, counts in per_story:
        total.update(counts)
    missing = total - words(book_text)
    losses = []
    for word, count in sorted(missing.items()):
        for story, counts in per_story:
            if counts.get(word):
                losses.append(Loss(story.path, word, min(count, counts[word]), _lines_of(story.text, word)))
                break
    return losses


def counted_words(expected: list[Expected]) -> list[tuple[Expected, Counter[str]]]:
    return [(e, e.counts()) for e in expected]


def expected_from(consumed: dict[Path, tuple[str, ...]], anthology: Anthology) -> list[Expected]:
    """What each story's source promises the book, less labels taken as structure and disclaimers
    merged into an identical one on the rights page."""
    from .read import input_format
    from .read.decode import decode
    from .transforms.frontmatter import merged_away

    merged = merged_away(anthology)
    return [
        Expected(
            path,
            source_text(decode(path.read_bytes(), path).text, input_format(path)),
            labels + ((merged[path],) if path in merged else ()),
        )
        for path, labels in consumed.items()
    ]


@dataclass(frozen=True)
class BookText:
    """A book's text as read back out of it (the readers are beside the packagers: package/extract.py)."""

    format: str  # as --format names it; the messages name it
    parts: tuple[str, ...]  # in reading order: a PDF's pages, an EPUB's content documents
    paged: bool = False  # printed pages in the theme's fonts, with running heads and folios between them

    def text(self, running_heads: set[str]) -> str:
        return book_text(self.parts, running_heads) if self.paged else "\n".join(self.parts)


def verify_books(
    books: list[BookText],
    expected: list[Expected],
    running_heads: set[str],
    coverage: Callable[[], frozenset[int]] | None = None,
) -> list[Diagnostic]:
    """One error per lost word and book; empty when every word arrived. `coverage` gives the set
    of characters the print fonts have (read from the font files, so only once a word of a printed
    book is lost): a word with others was drawn there as missing-glyph boxes, which is a font
    problem the user can fix (P011), not a bug (V001)."""
    found: list[Diagnostic] = []
    counted = counted_words(expected)
    for book in books:
        losses = lost_words(expected, book.text(running_heads), counted)
        covered = coverage() if losses and book.paged and coverage is not None else None
        unset = {id(loss): sorted({ch for ch in loss.word if covered is not None and ord(ch) not in covered}) for loss in losses}
        # A missing glyph can take its neighbours with it: the PDF's text around a .notdef box is
        # not always read back as the same words (a letter beside it is lost, or glued on). A word
        # lost on the same line as one with an unset character is put down to the font too.
        boxes: dict[tuple[Path, int], list[str]] = {}
        for loss in losses:
            for line in loss.lines if unset[id(loss)] else ():
                boxes.setdefault((loss.story, line), []).extend(unset[id(loss)])
        for loss in losses:
            where = (loss.story, loss.lines[0] if loss.lines else 0)
            chars = unset[id(loss)] or sorted({ch for line in loss.lines for ch in boxes.get((loss.story, line), ())})
            if chars:
                found.append(diagnostic("P011", *where, word=loss.word, chars=" ".join(chars)))
            else:
                found.append(diagnostic("V001", *where, word=loss.word, count=loss.missing, book=book.format.upper()))
    return found


def lost_in_conversion(original: BookText, converted: BookText) -> list[Diagnostic]:
    """A format made from another one (the KEPUB from the EPUB) only wraps its text, so every word
    must still be there; a difference is a bug in the conversion, never the user's to fix."""
    lost = words(original.text(set())) - words(converted.text(set()))
    if not lost:
        return []
    sample = ", ".join(sorted(lost)[:5])
    return [diagnostic("V002", made=converted.format.upper(), made_from=original.format.upper(), sample=sample, name=converted.format)]
