"""Delivery, second half: `anthology deliver` — pick the e-reader, get the book it reads best
(built now unless the built one is newer than every input), and copy it onto the device safely.

The copy is written beside its final name under a hidden name, flushed to the device, then renamed:
an unplugged cable or a full device leaves the earlier copy (or none), never half a book the reader
would choke on. The name on the device comes from the anthology's title, so two anthologies do not
overwrite each other, and delivering the same one again replaces it in place.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .atomic import write_atomically
from .devices import MOUNTS_VARIABLE, Device, find_devices, identify, mount_roots
from .diagnostics import BuildError, Diagnostic, ExitCode, fail
from .package.formats import BY_NAME

BOOK_NAMES = {name: BY_NAME[name].file_name for name in ("epub", "kepub", "azw3")}  # what deliver may send
_SUFFIXES = {"epub": ".epub", "kepub": ".kepub.epub", "azw3": ".azw3"}
# Characters FAT and exFAT (what e-readers format their storage with) refuse in a file name.
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_SPARE = 1 << 20  # room to leave on the device beyond the book, for its own database


@dataclass(frozen=True)
class Delivery:
    device: Device
    book: Path  # the built book that was copied
    built: bool  # built for this delivery (else the built one was current)
    target: Path  # where it now is on the device
    replaced: bool  # an earlier copy of the same anthology was replaced
    size: int
    diagnostics: tuple[Diagnostic, ...] = ()


def _error(code: str, message: str, path: Path | None = None) -> BuildError:
    return fail(ExitCode.DEVICE, code, message, path)


def choose_device(wanted: str | None) -> Device:
    """The one device to deliver to: a folder named on the command line, else the only e-reader
    found, else the found one whose kind or folder name is `wanted`."""
    if wanted is not None and Path(wanted).is_dir():
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


def _inputs(source: Path, theme_name: str | None) -> list[Path]:
    """Everything a build reads: the source folder's files (stories, manifest, cover) and the theme."""
    from .config import load_config
    from .render.theme import load_theme

    files = [p for p in source.iterdir() if p.is_file()] if source.is_dir() else []
    theme = load_theme(theme_name or load_config(source).theme, source)
    for folder in theme.folders:
        files += [p for p in folder.rglob("*") if p.is_file()]
    return files


def _is_current(book: Path, source: Path, theme_name: str | None) -> bool:
    if not book.is_file():
        return False
    inputs = _inputs(source, theme_name)
    return bool(inputs) and book.stat().st_mtime >= max(p.stat().st_mtime for p in inputs)


def device_file_name(title: str, book_format: str) -> str:
    stem = _UNSAFE.sub("", title).strip().rstrip(". ")[:100].strip() or "anthology"
    return stem + _SUFFIXES[book_format]


def _copy_atomically(book: Path, target: Path) -> None:
    with book.open("rb") as src:
        write_atomically(target, src, durable=True)  # on the device before the rename exposes it


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
        raise _error("D004", device.unsupported, device.root)
    chosen = book_format or device.format
    book = output / BOOK_NAMES[chosen]
    built = False
    diagnostics: tuple[Diagnostic, ...] = ()
    # A theme named now may differ from the one the built book has: only a build can tell.
    if theme_name is not None or not _is_current(book, source, theme_name):
        from .build import build
        from .options import BuildOptions

        result = build(BuildOptions(source=source, output=output, formats=(chosen,), theme=theme_name), progress)
        built, diagnostics = True, result.diagnostics
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
    return Delivery(device, book, built, target, replaced, size, tuple(diagnostics))
