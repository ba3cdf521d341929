"""Verification: is every word of every story in the built books?

Counts words (letters and digits, any script, compared without case; each CJK character is a
word, since those scripts put no spaces between words, scripts.py) in each story's source text
and in the text extracted back out of the EPUB and the PDF. A word the book holds fewer times than
its sources is lost; it is reported with the story and the source lines it stands on. Labels the
reader took as structure ("A/N:", "Disclaimer:") are subtracted, since the book shows them as
structure instead.

The expected text is taken from the source independently of the readers (sourcetext.py: HTML
through a flat tag scanner with no depth limit, Markdown with its markup taken off line by line, an
EPUB by the text of its spine's documents, found here with a few lines of zip and XML rather than
through read/epub/), so a reader bug cannot hide its own losses; what the reader says it consumed
is weighed before it is subtracted (`explained`).
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from .diagnostics import Diagnostic, diagnostic
from .model import Anthology
from .scripts import CHECK_WORD
from .sourcetext import JOINER, html_text, source_text

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


_OPF = {"c": "urn:oasis:names:tc:opendocument:xmlns:container", "o": "http://www.idpf.org/2007/opf"}


def epub_source_text(data: bytes) -> str:
    """The words of an input EPUB: the body text of every document its spine lists, in order.
    Run only after the reader accepted the book (its limits refuse zip bombs and names that leave
    the book); parsed with no DTD, entities or network all the same."""
    import posixpath
    import zipfile
    from urllib.parse import unquote

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        container = etree.fromstring(book.read("META-INF/container.xml"), parser)
        opf_name = container.find(".//c:rootfile", _OPF).get("full-path", "")
        opf = etree.fromstring(book.read(opf_name), parser)
        hrefs = {i.get("id"): i.get("href", "") for i in opf.iterfind(".//o:manifest/o:item", _OPF)}
        texts = []
        for ref in opf.iterfind(".//o:spine/o:itemref", _OPF):
            href = hrefs.get(ref.get("idref"), "")
            name = posixpath.normpath(posixpath.join(posixpath.dirname(opf_name), unquote(href.split("#", 1)[0])))
            if not href or name not in book.namelist():
                continue
            # Tokenised, not parsed (sourcetext.py): no depth limit, and the <head> holds no text.
            texts.append(html_text(book.read(name).decode("utf-8", "replace")))
    return "\n".join(texts)


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


# The longest line of source text a reader may call structure on its word alone: a label, a
# transport header (a Usenet `Path:` line runs to ~40 words), a URL, an archive's preface line.
SMALL_CLAIM = 40


def explained(visible: Counter[str], claims: tuple[str, ...]) -> Counter[str]:
    """The visible words less those the reader's claims account for. The readers list what they
    took as structure (`consumed`), but a reader bug could list anything there, so a claim is
    weighed one line at a time, and a line is accepted only if
    - most of its words are in the visible text (a claim about a script or a menu, which the
      extraction never counted, explains nothing and may not cancel story words; a label the
      page glues to its neighbour, "Tags:Post-Canon", still counts), and
    - it is small structure, at most SMALL_CLAIM words, or it is a repeat: the source still holds
      another copy of its words after it is taken (a scraper's second copy of a chapter; all but
      1% of them, for the words such a copy glues together where its paragraphs met).
    A long line that is neither stays expected, and the book must hold it."""
    remaining = +visible
    for claim in claims:
        for line in claim.split("\n"):
            counts = words(line)
            size = sum(counts.values())
            absent = sum(max(0, n - remaining[w]) for w, n in counts.items())
            if not size or absent * 2 > size:
                continue
            if size > SMALL_CLAIM and sum(n for w, n in counts.items() if remaining[w] < 2 * n) * 100 > size:
                continue
            remaining = +(remaining - counts)
    return +remaining


@dataclass(frozen=True)
class Expected:
    path: Path
    text: str  # the source's visible text (sourcetext.py)
    consumed: tuple[str, ...]  # what the reader says it took as structure, weighed by `explained`
    source: str = ""  # the decoded source, for the line numbers a loss is reported at
    merged: tuple[str, ...] = ()  # disclaimers shown once on the rights page for several stories

    def counts(self) -> Counter[str]:
        counts = explained(words(self.text), self.consumed)
        counts.subtract(words(" ".join(self.merged)))
        return +counts


def _lines_of(text: str, word: str) -> tuple[int, ...]:
    """The lines of the source (as the file numbers them) where the word stands, first five."""
    found = []
    for number, line in enumerate(text.split("\n"), start=1):
        if word in words(line):
            found.append(number)
            if len(found) == 5:
                break
    return tuple(found)


# Starts only where a word starts, and never gives back: a long word without a joiner is read once.
_JOINED = re.compile(f"(?<![^\\W_])[^\\W_]++(?:{JOINER}[^\\W_]++)+")


def _joins(text: str) -> list[tuple[Counter[str], Counter[str]]]:
    """Each place the source may show as one word or several (sourcetext.JOINER): the words it
    counts as apart, less those it counts as one; and the words as one, less those apart."""
    found = []
    for match in _JOINED.finditer(text):
        apart, glued = words(match.group().replace(JOINER, " ")), words(match.group().replace(JOINER, ""))
        found.append((apart - glued, glued - apart))
    return found


def _rejoined(missing: Counter[str], surplus: Counter[str], expected: list[tuple[Expected, Counter[str]]]) -> Counter[str]:
    """The missing words less those the book holds joined up where the source allows it."""
    for story, _ in expected:
        for apart, glued in _joins(story.text) if missing else ():
            if any(missing[w] for w in apart) and all(surplus[w] >= n for w, n in glued.items()):
                missing = +(missing - apart)
                surplus.subtract(glued)
    return +missing


def lost_words(expected: list[Expected], book_text: str, counted: list[tuple[Expected, Counter[str]]] | None = None) -> list[Loss]:
    """`counted`: each story's expected words, counted once for several books (`counted_words`)."""
    per_story = counted if counted is not None else counted_words(expected)
    total: Counter[str] = Counter()
    for _, counts in per_story:
        total.update(counts)
    found = words(book_text)
    missing = _rejoined(total - found, found - total, per_story)
    losses = []
    for word, count in sorted(missing.items()):
        for story, counts in per_story:
            if counts.get(word):
                losses.append(Loss(story.path, word, min(count, counts[word]), _lines_of(story.source or story.text, word)))
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
    found = []
    for path, labels in consumed.items():
        data = path.read_bytes()
        kind = input_format(path)
        source = "" if kind == "epub" else decode(data, path).text
        text = epub_source_text(data) if kind == "epub" else source_text(source, kind)
        # A claim is source text too: read the same way, so "From: Name <address>" loses its address
        # as the source did, and most of its words are found.
        claims = tuple(source_text(label, kind) for label in labels) if kind in ("html", "markdown") else labels
        found.append(Expected(path, text, claims, source, (merged[path],) if path in merged else ()))
    return found


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
