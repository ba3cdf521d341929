"""Delivery, second half: `anthology deliver` — pick the e-reader, get the book it reads best, and
copy it onto the device safely.

The book is the one `anthology build` wrote when it is newer than every input; a KEPUB or AZW3
not built yet is made from that EPUB (which carries the print edition's page list when the PDF was
built with it). Otherwise the book is built, with the PDF, never as an EPUB alone: that would
overwrite the EPUB in OUTPUT with one without its page list.

The copy is written beside its final name under a hidden name, flushed to the device, then renamed:
an unplugged cable or a full device leaves the earlier copy (or none), never half a book the reader
would choke on. The name on the device comes from the anthology's title, so two anthologies do not
overwrite each other, and delivering the same one again replaces it in place.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .atomic import write_atomically
from .confine import is_folder
from lxml import etree

from .devices import MOUNTS_VARIABLE, Device, find_devices, identify, mount_roots
from .diagnostics import BuildError, Diagnostic, ExitCode, fail, stop, stopping
from .model import BookMeta
from .package.formats import BY_NAME

BOOK_NAMES = {name: BY_NAME[name].file_name for name in ("epub", "kepub", "azw3")}  # what deliver may send
_SUFFIXES = {"epub": ".epub", "kepub": ".kepub.epub", "azw3": ".azw3"}
# Characters FAT and exFAT (what e-readers format their storage with) refuse in a file name.
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_SPARE = 1 << 20  # room to leave on the device beyond the book, for its own database
_OPF_NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}


@dataclass(frozen=True)
class Delivery:
    device: Device
    book: Path  # the built book that was copied
    how: str  # "current": the built one was newer than every input; "converted": made now from the
    # built EPUB; "built": built now, with the PDF (so with the print edition's page list)
    target: Path  # where it now is on the device
    replaced: bool  # an earlier copy of the same anthology was replaced
    size: int
    diagnostics: tuple[Diagnostic, ...] = ()


def _error(code: str, message: str, path: Path | None = None) -> BuildError:
    return fail(ExitCode.DEVICE, code, message, path)


def choose_device(wanted: str | None) -> Device:
    """The one device to deliver to: a folder named on the command line, else the only e-reader
    found, else the found one whose kind or folder name is `wanted`."""
    if wanted is not None and is_folder(Path(wanted)):
        device = identify(Path(wanted), named=True)
        assert device is not None  # a named folder is at least a generic reader
        return device
    roots = mount_roots()
    found = find_devices(roots)
    listing = "; ".join(str(d) for d in found)
    if wanted is not None:
        matches = [d for d in found if wanted.casefold() in (d.kind.casefold(), d.root.name.casefold())]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            seen = f"found: {listing}" if found else "no e-reader is connected"
            raise _error("D003", f"{wanted!r} is neither a folder nor a connected e-reader ({seen}); give the reader's folder, or kobo, kindle or its folder name")
        found = matches
        listing = "; ".join(str(d) for d in found)
    if not found:
        searched = ", ".join(str(r) for r in roots)
        raise _error(
            "D001",
            f"no e-reader found (looked in {searched} for Kobo, Kindle and other readers' marker files): connect it by "
            f"USB and choose to connect/transfer on its screen, or give its folder: anthology deliver /path/to/reader "
            f"({MOUNTS_VARIABLE} sets where to look)",
        )
    if len(found) > 1:
        first = found[0]
        raise _error(
            "D002",
            f"{len(found)} e-readers found: {listing}; choose one by its folder (anthology deliver {first.root}) "
            f"or by its kind or folder name (anthology deliver {first.kind.lower() if first.kind != 'e-reader' else first.root.name})",
        )
    return found[0]


def device_file_name(title: str, book_format: str) -> str:
    stem = _UNSAFE.sub("", title).strip().rstrip(". ")[:100].strip() or "anthology"
    return stem + _SUFFIXES[book_format]


def _copy_atomically(book: Path, target: Path) -> None:
    with book.open("rb") as src:
        write_atomically(target, src, durable=True)  # on the device before the rename exposes it


def _readable_book(source: Path, output: Path, chosen: str, theme_name: str | None, progress: Callable[[str], None] | None) -> tuple[Path, str, tuple[Diagnostic, ...]]:
    """The book to copy, and how it came: "current" (the one in OUTPUT is newer than every input),
    "converted" (made now from the current EPUB in OUTPUT), or "built" (with the PDF, so the EPUB
    and what is made from it carry the print edition's page list)."""
    from .freshness import is_current

    book = output / BOOK_NAMES[chosen]
    epub = output / BOOK_NAMES["epub"]
    # A theme named now may differ from the one the built book has: only a build can tell.
    if theme_name is None:
        # A KEPUB or AZW3 older than the EPUB beside it was made from an earlier one.
        made_after_epub = chosen == "epub" or not epub.is_file() or book.is_file() and book.stat().st_mtime >= epub.stat().st_mtime
        if is_current(book, source) and made_after_epub:
            return book, "current", ()
        if chosen != "epub" and is_current(epub, source):
            _convert(epub, book, chosen, progress)
            return book, "converted", ()
    from .build import build
    from .options import DEFAULT_FORMATS, BuildOptions

    # Never the EPUB alone: without the PDF it would lose the page list, and overwrite the one
    # `anthology build` made with it.
    formats = DEFAULT_FORMATS + ((chosen,) if chosen not in DEFAULT_FORMATS else ())
    result = build(BuildOptions(source=source, output=output, formats=formats, theme=theme_name), progress)
    return book, "built", result.diagnostics


def _book_meta(epub: bytes) -> BookMeta:
    """What the AZW3 takes from the book (its identifier and date, for stable bytes), read back
    from the EPUB's package document."""
    from .package.epub.kepub import CONTAINER

    with zipfile.ZipFile(io.BytesIO(epub)) as book:
        rootfile = etree.fromstring(book.read("META-INF/container.xml")).find(f".//{{{CONTAINER}}}rootfile")
        assert rootfile is not None
        opf = etree.fromstring(book.read(rootfile.get("full-path", "")))
    uid = opf.get("unique-identifier")
    found = lambda path: str(next(iter(opf.xpath(path, namespaces=_OPF_NS)), ""))  # noqa: E731
    return BookMeta(
        title=found("//dc:title/text()"),
        editor="",
        language=found("//dc:language/text()"),
        identifier=found(f"//dc:identifier[@id='{uid}']/text()"),
        modified=found("//opf:meta[@property='dcterms:modified']/text()"),
    )


def _convert(epub: Path, target: Path, chosen: str, progress: Callable[[str], None] | None) -> None:
    """The KEPUB or AZW3 made from the EPUB `anthology build` wrote, checked word for word against
    it as a build checks the one it makes (V002), and kept beside it."""
    from .check import BookText, lost_in_conversion
    from .package.epub.azw3 import to_azw3
    from .package.epub.kepub import to_kepub
    from .package.extract import epub_texts

    if progress is not None:
        progress(f"making the {chosen.upper()} from {epub}")
    source = epub.read_bytes()
    if chosen == "kepub":
        data = to_kepub(source)
        lost = lost_in_conversion(BookText("epub", tuple(epub_texts(source))), BookText("kepub", tuple(epub_texts(data))))
        if lost:
            raise stopping(lost)
    else:
        data = to_azw3(source, _book_meta(source))
    try:
        write_atomically(target, data)
    except OSError as exc:
        raise stop("O001", target.parent, reason=exc.strerror) from None


def _unsupported(device: Device, output: Path) -> BuildError:
    # What to do names the folder this very command builds into.
    epub = output / BOOK_NAMES["epub"]
    return _error("D004", f"{device.unsupported}; make a MOBI with calibre from the EPUB (anthology build -o {output}, then ebook-convert {epub} anthology.mobi), or use Send to Kindle", device.root)


def deliver(
    source: Path,
    output: Path,
    wanted: str | None = None,
    theme_name: str | None = None,
    book_format: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Delivery:
    from .config import load_config

    device = choose_device(wanted)
    if device.unsupported and book_format is None:
        raise _unsupported(device, output)
    chosen = book_format or device.format
    book, how, diagnostics = _readable_book(source, output, chosen, theme_name, progress)
    target = device.books / device_file_name(load_config(source).title, chosen)
    size = book.stat().st_size
    try:
        free = shutil.disk_usage(device.books).free
    except OSError as exc:
        raise _error("D006", f"cannot reach the {device.kind} ({exc.strerror}): is it still connected?", device.root) from None
    if free < size + _SPARE:
        raise _error("D005", f"not enough room on the {device.kind}: the book needs {size / 1e6:.1f} MB and {free / 1e6:.1f} MB are free; delete something from it first", device.root)
    replaced = target.exists()
    try:
        _copy_atomically(book, target)
    except OSError as exc:
        raise _error("D006", f"could not copy the book onto the {device.kind} ({exc.strerror}); is it connected and writable? Nothing was left half-copied", target) from None
    return Delivery(device, book, how, target, replaced, size, tuple(diagnostics))
