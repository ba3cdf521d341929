"""Package stage: the outputs a build can write, one row each (as pandoc lists its writers).

A row names the file, what the format needs from the other formats, the function that packages it
(`module:function`, imported only when the format is built), how its text is read back for the
nothing-lost check and what that text is checked against. A new format is a module with a
`package(work) -> Made` function, and a row here.

Rows come in the order books are made: each needs only formats above it. A format needed for its
book (the EPUB a KEPUB is made from) joins the build; one needed for a by-product only when it is
built anyway (the PDF's page map, which gives the EPUB the print edition's page numbers: an EPUB
built alone has none). A format made from another's book is made after the nothing-lost check, from
a book known to be whole.

This module imports nothing heavy: the command line reads the table for its choices.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..diagnostics import Diagnostic
    from ..model import Anthology
    from ..options import BuildOptions
    from ..render import RenderedBook
    from ..render.theme import Theme
    from .pagemap import PageMap


@dataclass(frozen=True)
class Need:
    format: str
    product: str  # "book": its bytes; or one of Made's by-products ("page_map")
    optional: bool = False  # used only when that format is built anyway; never added for it


@dataclass(frozen=True)
class Format:
    name: str  # as --format names it
    file_name: str  # in the output folder
    stage: str  # what the build is doing meanwhile, as a progress line says it
    packager: str  # "module:function", taking a Work and returning a Made
    needs: tuple[Need, ...] = ()
    reader: str = ""  # "module:function": the book's bytes → its text, in reading order ("": not read back)
    paged: bool = False  # its text comes in printed pages, with running heads and folios between them
    checked_against: str = ""  # "sources": every word of every story; a format's name: every word of its book
    preflight: str = ""  # "module:function" (options) → None: raises, before any work, if it cannot be made here
    start: str = ""  # "module:function" (options, theme, input bytes) → work begun before the stories are read, or None
    listed: bool = True  # offered by --format (the wrap cover is asked for with --cover-pdf)

    @property
    def made_from_a_book(self) -> bool:
        return any(need.product == "book" for need in self.needs)


FORMATS: tuple[Format, ...] = (
    Format(
        "pdf", "anthology.pdf", "laying out the PDF", "compiler.package.pdf.book:package",
        reader="compiler.package.extract:pdf_page_texts", paged=True, checked_against="sources",
        start="compiler.package.pdf.chunks:start_early",
    ),
    Format(
        "epub", "anthology.epub", "packaging the EPUB", "compiler.package.epub.book:package",
        needs=(Need("pdf", "page_map", optional=True),),
        reader="compiler.package.extract:epub_texts", checked_against="sources",
    ),
    Format(
        "kepub", "anthology.kepub.epub", "converting the EPUB for Kobo", "compiler.package.epub.kepub:package",
        needs=(Need("epub", "book"),), reader="compiler.package.extract:epub_texts", checked_against="epub",
    ),
    Format(
        "azw3", "anthology.azw3", "converting the EPUB for Kindle", "compiler.package.epub.azw3:package",
        needs=(Need("epub", "book"),), preflight="compiler.package.epub.azw3:preflight",
    ),
    Format(
        "cover", "anthology-cover.pdf", "setting the wrap cover", "compiler.package.press.wrapcover:package",
        needs=(Need("pdf", "book"),), preflight="compiler.package.press.wrapcover:preflight", listed=False,
    ),
    Format(
        "signatures", "anthology-signatures.pdf", "imposing the signatures", "compiler.package.press.signatures:package",
        needs=(Need("pdf", "book"),), preflight="compiler.package.press.signatures:preflight", listed=False,
    ),
)
BY_NAME = {f.name: f for f in FORMATS}


def choices() -> tuple[str, ...]:
    """The names --format takes: the default pair first, then the rest by name."""
    from ..options import DEFAULT_FORMATS

    return DEFAULT_FORMATS + tuple(sorted(f.name for f in FORMATS if f.listed and f.name not in DEFAULT_FORMATS))


def load(reference: str) -> Any:
    """The function a row names, imported now."""
    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name)


def plan(options: BuildOptions) -> tuple[Format, ...]:
    """What a build makes, in order: the formats asked for (and the wrap cover, if asked), with
    every format they are made from. Each one's preflight runs now, before any work is done."""
    wanted = set(options.formats) | ({"cover"} if options.cover_pdf else set())
    wanted |= {"signatures"} if options.profile == "signatures" else set()  # the sheets, beside the book they are made from
    for fmt in reversed(FORMATS):  # needs point up the table, so one pass from the bottom finds them all
        if fmt.name in wanted:
            wanted |= {need.format for need in fmt.needs if not need.optional}
    chosen = tuple(f for f in FORMATS if f.name in wanted)
    for fmt in chosen:
        if fmt.preflight:
            load(fmt.preflight)(options)
    return chosen


def wanted_products(fmt: Format, chosen: tuple[Format, ...]) -> frozenset[str]:
    """The by-products of `fmt` that the other formats of this build use."""
    return frozenset(need.product for other in chosen for need in other.needs if need.format == fmt.name and need.product != "book")


@dataclass(frozen=True)
class Made:
    """A packaged format: the file's bytes, and what the build and the other formats take from it."""

    data: bytes
    texts: tuple[str, ...] | None = None  # its text, when the packager read it back already (else the row's reader does)
    page_map: PageMap = ()  # the PDF: each printed page's number and where in the text it begins
    diagnostics: tuple[Diagnostic, ...] = ()
    keep: Callable[[], None] | None = None  # once the books are written: keep what a rebuild reuses (the PDF's layout cache)


@dataclass(frozen=True)
class Work:
    """What a packager is given."""

    options: BuildOptions  # settled: the manifest's choices filled in
    anthology: Anthology
    rendered: RenderedBook
    theme: Theme
    made: Mapping[str, Made]  # the formats made before this one
    wanted: frozenset[str] = frozenset()  # this format's by-products that later formats use
    started: Any = None  # what the row's `start` began before the stories were read
    progress: Callable[[str], None] = field(default=lambda _line: None)


class Packager(Protocol):
    def __call__(self, work: Work) -> Made: ...
