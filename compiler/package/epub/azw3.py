"""Package stage: the packaged EPUB into an AZW3 (Kindle Format 8), through calibre's ebook-convert.

calibre is the one maintained AZW3 writer; it is a program, not a library we can import, so the
EPUB goes to a temporary folder, `ebook-convert` runs on it, and the AZW3 is read back. Missing
calibre is the user's to fix, and said before any work is done (`require_calibre`).

calibre's output changes on every run, which our books must not (same sources, same bytes):
- it iterates sets ordered by Python's randomised string hashing: PYTHONHASHSEED=0 fixes that;
- it numbers its stylesheets in the order of a set of objects (their addresses): with a second,
  generated stylesheet (page_styles.css, @page margins) the two swap between runs, so no @page
  margins are asked for (`--margin-top/-bottom -1`): one stylesheet, and the Kindle's own page
  margins, as the EPUB leaves margins to the reader too;
- it stamps the publication date with the wall clock unless given one: `--pubdate` from the book;
- it stamps the PalmDB header with the time and draws a random MOBI unique id and a random uuid
  (EXTH records 112 and 113, which Kindle also uses as the book's ASIN): these are overwritten in
  place from the book's modification time and content-derived identifier (same lengths, so no
  offset moves). Layout: https://wiki.mobileread.com/wiki/PDB and .../wiki/MOBI#EXTH_Header.
A stable ASIN also means a Kindle treats a rebuilt book as the same book, keeping its place.
"""

from __future__ import annotations

import calendar
import os
import shutil
import struct
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from ...diagnostics import stop
from ...model import BookMeta
from ..formats import Made, Work

if TYPE_CHECKING:
    from ...options import BuildOptions

INSTALL_CALIBRE = (
    "install calibre (Debian/Ubuntu: sudo apt-get install calibre; macOS, Windows: calibre-ebook.com/download) "
    "so that ebook-convert is on PATH, or leave azw3 out of --format"
)


def require_calibre() -> str:
    tool = shutil.which("ebook-convert")
    if tool is None:
        raise stop("O002", install=INSTALL_CALIBRE)
    return tool


def _epoch(meta: BookMeta) -> int:
    return calendar.timegm(time.strptime(meta.modified, "%Y-%m-%dT%H:%M:%SZ"))


def _book_uuid(meta: BookMeta) -> bytes:
    # The identifier is urn:uuid:… derived from the content (build.assemble); any other form is
    # hashed into one, so the ASIN is stable either way.
    text = meta.identifier.removeprefix("urn:uuid:")
    try:
        return str(uuid.UUID(text)).encode("ascii")
    except ValueError:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, meta.identifier)).encode("ascii")


def _settle(data: bytes, book_uuid: bytes, epoch: int) -> bytes:
    """Replace calibre's clock times and random ids with the book's own, byte for byte."""
    out = bytearray(data)
    struct.pack_into(">II", out, 36, epoch, epoch)  # PalmDB creation and modification times
    record0 = struct.unpack_from(">I", out, 78)[0]
    mobi = record0 + 16
    if out[mobi : mobi + 4] != b"MOBI":
        return bytes(out)
    struct.pack_into(">I", out, mobi + 16, int(book_uuid[:8], 16))  # MOBI unique id
    header_length = struct.unpack_from(">I", out, mobi + 4)[0]
    exth = mobi + header_length
    if out[exth : exth + 4] != b"EXTH":
        return bytes(out)
    count = struct.unpack_from(">I", out, exth + 8)[0]
    at = exth + 12
    for _ in range(count):
        kind, length = struct.unpack_from(">II", out, at)
        value = bytes(out[at + 8 : at + length])
        replacement = {113: book_uuid, 112: b"calibre:" + book_uuid}.get(kind)
        if replacement is not None and len(replacement) == len(value):
            out[at + 8 : at + length] = replacement
        at += length
    return bytes(out)


def to_azw3(epub: bytes, meta: BookMeta) -> bytes:
    tool = require_calibre()
    # Headless: calibre must not look for a display; its web engine refuses to run as root
    # without --no-sandbox (it is not used for this conversion, but it is loaded).
    env = dict(os.environ, PYTHONHASHSEED="0", QT_QPA_PLATFORM="offscreen", QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox")
    with tempfile.TemporaryDirectory(prefix="anthology-azw3-") as tmp:
        source, target = Path(tmp) / "book.epub", Path(tmp) / "book.azw3"
        source.write_bytes(epub)
        pubdate = meta.modified.replace("Z", "+00:00")
        try:
            run = subprocess.run(
                [tool, str(source), str(target), "--pubdate", pubdate, "--margin-top", "-1", "--margin-bottom", "-1"],
                capture_output=True, text=True, env=env, timeout=600, check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise stop("O003", reason=f"it could not run: {exc}; {INSTALL_CALIBRE}") from None
        if run.returncode != 0 or not target.is_file():
            log = " | ".join((run.stdout + run.stderr).strip().splitlines()[-3:])
            raise stop("O003", reason=f"exit {run.returncode}: {log}")
        return _settle(target.read_bytes(), _book_uuid(meta), _epoch(meta))


def preflight(options: BuildOptions) -> None:
    """Before any work: calibre must be here to make the AZW3 (O002 says how to get it)."""
    require_calibre()


def package(work: Work) -> Made:
    """The AZW3 row of package/formats.py: made from the EPUB once its every word is checked."""
    return Made(to_azw3(work.made["epub"].data, work.anthology.meta))
