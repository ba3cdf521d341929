"""The pipeline, end to end: parse → model → transforms → render → package (EPUB and PDF).

`build()` reads like the table of contents of the program; each step lives in its own module.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .atomic import write_atomically
from .config import Config, load_config
from .diagnostics import BuildError, Diagnostic, ExitCode, fail
from .model import Anthology, BookMeta, Story
from .limits import check_paragraphs, check_sizes
from .package.epub.cover import cover_file_name, find_cover, make_cover
from .package.derived import DERIVED, derive, with_source
from .read import read_stories, story_files
from .render import RenderedBook, render
from .render.theme import Theme, load_theme
from .transforms import transform

if TYPE_CHECKING:
    from .package.pdf.workers import Workers

FORMATS = ("epub", "pdf")  # the default
ALL_FORMATS = FORMATS + DERIVED  # KEPUB and AZW3 on request


@dataclass(frozen=True)
class BuildResult:
    outputs: tuple[Path, ...]
    anthology: Anthology
    consumed: dict[Path, tuple[str, ...]]
    diagnostics: tuple[Diagnostic, ...]


def _modified(config: Config, stories: tuple[Story, ...]) -> str:
    # Reproducible builds: SOURCE_DATE_EPOCH (https://reproducible-builds.org/specs/source-date-epoch/)
    # wins; otherwise the newest input, never the wall clock.
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        paths = [s.source.path for s in stories] + ([config.path] if config.path else [])
        epoch = str(max(int(p.stat().st_mtime) for p in paths))
    moment = datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def assemble(config: Config, stories: tuple[Story, ...]) -> Anthology:
    digest = hashlib.sha256(config.title.encode())
    for story in stories:
        digest.update(story.source.sha256.encode())
    meta = BookMeta(
        title=config.title,
        editor=config.editor,
        language=config.language,
        identifier=f"urn:uuid:{uuid.UUID(bytes=digest.digest()[:16], version=5)}",
        modified=_modified(config, stories),
        subjects=config.subjects,
    )
    return Anthology(meta, stories)


def _verify(
    books: dict[Path, bytes], consumed: dict[Path, tuple[str, ...]], anthology: Anthology, rendered: RenderedBook, pdf_pages: tuple[str, ...] | None
) -> None:
    """Nothing lost: every word of every story must be in each book before anything is written."""
    from .check import expected_from, verify_books
    from .package.pdf.fonts import theme_coverage

    from .render.view import running_head

    titles = {anthology.meta.title, "Notes", "Contents"} | {s.title for s in anthology.stories}
    heads = titles | {running_head(t) for t in titles}
    by_kind = {path.suffix.lstrip("."): data for path, data in books.items()}
    # Which characters the PDF's fonts can set, to tell a missing glyph from a lost word: read from
    # the font files (a third of a second) only if a word is missing from the PDF.
    lost = verify_books(by_kind, expected_from(consumed, anthology), heads, lambda: theme_coverage(rendered), pdf_pages)
    if lost:
        raise BuildError(ExitCode.OUTPUT, lost)


def _check_cover_request(formats: tuple[str, ...], profile: str, paper: str) -> None:
    from .package.press.wrapcover import PAPER

    if "pdf" not in formats or profile != "print":
        raise fail(ExitCode.USAGE, "C023", "--cover-pdf wraps the print book: use it with --profile print and a --format that includes pdf")
    if paper not in PAPER:
        raise fail(ExitCode.USAGE, "C024", f"unknown paper {paper!r}; choose from {', '.join(PAPER)}")


def build(
    source: Path,
    output: Path,
    formats: tuple[str, ...] = FORMATS,
    theme_name: str | None = None,
    trim: str | None = None,
    profile: str = "print",
    bleed: bool = False,
    verify: bool = True,
    progress: Callable[[str], None] | None = None,
    cache: bool = True,
    one_pass: bool = False,
    cover_pdf: bool = False,
    paper: str = "white",
    jobs: int | None = None,
) -> BuildResult:
    """`jobs`: layout processes at once for the PDF (None: one per core)."""
    step = progress or (lambda _stage: None)  # the CLI shows these on a terminal
    formats = with_source(formats)  # KEPUB and AZW3 come from the EPUB; AZW3 needs calibre
    if cover_pdf:
        _check_cover_request(formats, profile, paper)
    step("reading the stories")
    config = load_config(source)
    input_bytes = check_sizes(story_files(source, config))
    theme = load_theme(theme_name or config.theme, source)
    workers = _early_workers(formats, input_bytes, theme, profile, one_pass, jobs)
    try:
        return _build(source, output, formats, config, theme, workers, jobs, profile, trim, bleed, verify, step, cache, one_pass, cover_pdf, paper)
    finally:
        if workers is not None:
            workers.close()


def _early_workers(formats: tuple[str, ...], input_bytes: int, theme: Theme, profile: str, one_pass: bool, jobs: int | None) -> Workers | None:
    """Layout workers for a PDF that will take several chunks, started before the stories are read."""
    if "pdf" not in formats:
        return None
    from .package.pdf.chunks import CHUNK_BYTES
    from .package.pdf.workers import start_workers

    if input_bytes < 2 * CHUNK_BYTES:  # about as many bytes of XHTML: two chunks or more
        return None
    return start_workers(theme, profile, one_pass, jobs)


def _build(
    source: Path,
    output: Path,
    formats: tuple[str, ...],
    config: Config,
    theme: Theme,
    workers: Workers | None,
    jobs: int | None,
    profile: str,
    trim: str | None,
    bleed: bool,
    verify: bool,
    step: Callable[[str], None],
    cache: bool,
    one_pass: bool,
    cover_pdf: bool,
    paper: str,
) -> BuildResult:
    read = read_stories(source, config)
    step("typesetting the text")
    anthology, found = transform(assemble(config, read.stories))
    check_paragraphs(anthology)
    cover = find_cover(source)  # a user's cover.jpg or cover.png replaces the drawn one
    rendered = render(anthology, theme, cover_file_name(cover) if "epub" in formats else None)

    books: dict[Path, bytes] = {}
    found = list(found)
    layout_cache = None
    pdf_pages = None
    print_pages: tuple = ()  # type: ignore[type-arg]
    if "pdf" in formats:
        from .package.pdf.fonts import missing_glyphs
        from .package.pdf.layoutcache import FOLDER, LayoutCache
        from .package.pdf.book import package_pdf
        from .package.pdf.options import PdfOptions

        step("laying out the PDF")
        found += missing_glyphs(rendered)
        authors = list(dict.fromkeys(a for s in anthology.stories for a in s.authors))  # each once, in order
        # Chunks laid out by an earlier build into this folder are reused when their content is unchanged.
        layout_cache = LayoutCache(output / FOLDER, theme.folders) if cache else None
        options = PdfOptions(trim or config.trim or None, profile, bleed, layout_cache, one_pass=one_pass, pool=workers, workers=jobs)
        options.progress = lambda done, total: step(f"laying out the PDF: {done} of {total} stories")
        pdf = package_pdf(rendered, anthology.meta.title, authors, options)
        books[output / "anthology.pdf"] = pdf.data
        pdf_pages = pdf.page_texts
        print_pages = pdf.pages
    if profile == "print" and "pdf" in formats:
        # PDF/X-4 for a printer, made from whatever PDF the layout wrote. Its text is untouched, so
        # the page texts the layout read stay valid for the check below.
        from .package.press.pdfx import make_pdfx

        pdf_path = output / "anthology.pdf"
        books[pdf_path] = make_pdfx(books[pdf_path], anthology.meta, authors, coloured=pdf.coloured)
    if "epub" in formats:
        from .package.epub.book import package_epub

        step("packaging the EPUB")
        # Laid out first, the PDF lends the EPUB its page numbers (a page list readers can cite).
        books[output / "anthology.epub"] = package_epub(anthology, rendered, make_cover(anthology, theme, cover), print_pages)
    if verify:
        step("checking every word")
        _verify(books, read.consumed, anthology, rendered, pdf_pages)
    if any(f in formats for f in DERIVED):
        step("converting the EPUB for Kobo and Kindle")
        epub = books[output / "anthology.epub"]
        books.update(derive(epub, formats, output, anthology.meta))
        if "kepub" in formats:
            from .check import lost_in_conversion
            from .package.epub.kepub import KEPUB_NAME

            lost = lost_in_conversion("kepub", "epub", epub, books[output / KEPUB_NAME])
            if lost:
                raise BuildError(ExitCode.OUTPUT, lost)
    if cover_pdf:
        # After the check, which reads one book per format. The cover fits the interior just made:
        # its trim and page count set the sheet and the spine.
        from .package.press.pdfx import make_pdfx
        from .package.press.wrapcover import package_wrap_cover
        from .render import render_wrap_cover

        step("setting the wrap cover")
        sheet, notes = package_wrap_cover(render_wrap_cover(anthology, theme), theme, books[output / "anthology.pdf"], paper)
        books[output / "anthology-cover.pdf"] = make_pdfx(sheet, anthology.meta, authors)
        found += notes
    if profile == "booklet" and "pdf" in formats:
        # Imposed after the check: folding order scatters the pages the check reads in sequence.
        from .package.press.booklet import impose
        from .package.pdf.book import booklet_sheet

        pdf_path = output / "anthology.pdf"
        books[pdf_path] = impose(books[pdf_path], booklet_sheet(trim or config.trim))
    step("writing")
    try:
        output.mkdir(parents=True, exist_ok=True)
        for path, data in books.items():
            write_atomically(path, data)  # a failed build never leaves a truncated book
        if layout_cache is not None:
            layout_cache.commit()
    except OSError as exc:
        raise fail(ExitCode.OUTPUT, "O001", f"cannot write the book here ({exc.strerror}); choose another -o folder", output) from None
    return BuildResult(tuple(books), anthology, read.consumed, read.diagnostics + tuple(found))


