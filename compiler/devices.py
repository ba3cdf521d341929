"""Delivery, first half: which mounted folders are e-readers, of what kind, and what each reads best.

An e-reader plugged in by USB shows up as a mounted folder; what it is, we tell by the files its
firmware keeps there (nothing is read from the USB bus, so this works the same on Linux and macOS
and in tests, where a temporary folder with the same marker files stands in for a device).

The format rule (the book the device reads best, of those we build):
- Kobo (`.kobo/`): KEPUB. Kobo opens a `.kepub.epub` in its own engine — faster page turns,
  reading statistics, better footnotes — and a plain EPUB in the older Adobe one.
- Kindle (`documents/` + `system/`, and `system/version.txt` saying Kindle, or a volume named
  Kindle): AZW3. No Kindle lists an EPUB copied over USB — EPUB reaches a Kindle only through
  Amazon's Send to Kindle, which converts it — and AZW3 (KF8) is what every Kindle since firmware
  3.4 (Kindle Keyboard, 2012) reads natively. A Kindle whose version.txt says older firmware (the
  first Kindles, Kindle 2, DX) reads only the older MOBI, which we do not make: that is said.
  The 2024 Kindles connect by MTP and do not mount as a folder; use Send to Kindle with the EPUB.
- Any other reader (Adobe Digital Editions' `.adobe-digital-editions/`, Sony's `Sony_Reader/` or
  `database/media/books/`, KOReader's `koreader/`, or a folder named explicitly): EPUB, the one
  format they all read.
"""

from __future__ import annotations

import getpass
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

# Where desktops mount removable storage: udisks2 on most Linux (/media/USER, /run/media/USER on
# Fedora and Arch), by hand (/mnt), macOS (/Volumes). ANTHOLOGY_MOUNTS (folders separated by
# os.pathsep) replaces this list: for tests, and for unusual set-ups.
MOUNTS_VARIABLE = "ANTHOLOGY_MOUNTS"
# Book folders a generic reader may have, in order of preference (calibre's drivers use these).
_GENERIC_BOOK_FOLDERS = ("Books", "books", "eBooks", "ebooks", "Digital Editions", "Sony_Reader/media/books", "database/media/books")
_GENERIC_MARKERS = (".adobe-digital-editions", "Sony_Reader", "database/media/books", "koreader")
_KINDLE_VERSION = re.compile(r"Kindle\s+(\d+)\.(\d+)")


@dataclass(frozen=True)
class Device:
    kind: str  # "Kobo", "Kindle" or "e-reader"
    root: Path  # the mounted folder
    books: Path  # where a book goes
    format: str  # what it reads best: kepub, azw3 or epub
    why: str  # the reason, told to the user
    unsupported: str = ""  # set when the device cannot read anything we make, with what to do

    def __str__(self) -> str:
        return f"{self.kind} at {self.root}"


def mount_roots() -> list[Path]:
    configured = os.environ.get(MOUNTS_VARIABLE)
    if configured is not None:
        return [Path(p) for p in configured.split(os.pathsep) if p]
    user = os.environ.get("USER") or getpass.getuser()
    return [Path("/media") / user, Path("/run/media") / user, Path("/media"), Path("/mnt"), Path("/Volumes")]


def _kindle_firmware(root: Path) -> tuple[int, int] | None:
    try:
        found = _KINDLE_VERSION.search((root / "system" / "version.txt").read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return None
    return (int(found.group(1)), int(found.group(2))) if found else None


def _is_kindle(root: Path) -> bool:
    if not ((root / "documents").is_dir() and (root / "system").is_dir()):
        return False  # PocketBooks have a system/ folder too: both folders and a Kindle sign are needed
    return _kindle_firmware(root) is not None or "kindle" in root.name.lower() or (root / "documents" / "My Clippings.txt").is_file()


def identify(root: Path, named: bool = False) -> Device | None:
    """The device mounted at `root`, or None when it carries no e-reader's marks. A folder the user
    `named` explicitly is taken as a generic reader even without marks."""
    if (root / ".kobo").is_dir():
        return Device("Kobo", root, root, "kepub", "Kobo reads KEPUB best (its own engine: faster pages, reading stats)")
    if _is_kindle(root):
        firmware = _kindle_firmware(root)
        device = Device("Kindle", root, root / "documents", "azw3", "Kindles read AZW3 (they do not list an EPUB copied by cable)")
        if firmware is not None and firmware < (3, 4):
            old = f"this Kindle's firmware ({firmware[0]}.{firmware[1]}) predates AZW3 (3.4) and reads only MOBI, which anthology does not make"
            return replace(device, unsupported=old)  # deliver says what to do, naming its own -o folder
        return device
    if named or any((root / marker).exists() for marker in _GENERIC_MARKERS):
        books = next((root / f for f in _GENERIC_BOOK_FOLDERS if (root / f).is_dir()), root)
        return Device("e-reader", root, books, "epub", "EPUB is the format every other e-reader reads")
    return None


def _candidates(roots: list[Path]) -> list[Path]:
    found: list[Path] = []
    for root in roots:
        found.append(root)
        try:
            found += sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
        except OSError:
            continue  # absent or unreadable: nothing mounted there
    return found


def find_devices(roots: list[Path] | None = None) -> list[Device]:
    """Every e-reader mounted under the roots (each root and the folders directly in it)."""
    devices: dict[Path, Device] = {}
    for folder in _candidates(roots if roots is not None else mount_roots()):
        try:
            device = identify(folder)
            key = folder.resolve()
        except OSError:
            continue
        if device is not None and key not in devices:  # /media/me/X and /run/media/me/X may be one
            devices[key] = device
    return list(devices.values())
