"""Files read only from inside their own folder: the stories folder for the manifest and the cover,
the theme chain's folders for theme files.

A name is checked where it leads, not as written: a link is resolved first, so `cover.png` linking
to `/home/me/.ssh/id_rsa.png` is outside however innocent the name looks. A link that loops (or
leads nowhere) resolves to nothing and is never read. Reads are bounded: a file past its limit is
refused before it is read, and a file that is not a regular file (a FIFO would block the build, a
device never ends) is not read at all.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


def resolved(path: Path) -> Path | None:
    """Where `path` leads, links followed; None for a link that loops or a name the system refuses."""
    try:
        return path.resolve(strict=False)
    except (OSError, RuntimeError, ValueError):  # RuntimeError: 3.11's "Symlink loop from …"; ValueError: a NUL in the name
        return None


def inside(path: Path, roots: Path | tuple[Path, ...]) -> bool:
    """Whether `path` leads (links followed) to somewhere inside one of `roots`."""
    target = resolved(path)
    if target is None:
        return False
    folders = (roots,) if isinstance(roots, Path) else roots
    return any(target.is_relative_to(root) for root in (resolved(f) for f in folders) if root is not None)


def names_a_folder(text: str) -> bool:
    """Whether a name is written as a path (`./mine`, `../dark`, `/srv/x`) rather than as a bare name
    (`classic`): a theme named as a path is a folder; a bare name is a built-in theme's, always."""
    return "/" in text or os.sep in text or text in (".", "..")


def is_regular_file(path: Path) -> bool:
    """A file that can be read to its end: not a folder, FIFO, socket or device; links followed."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):  # ValueError: a NUL in the name
        return False


class TooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def read_bounded(path: Path, limit: int) -> bytes:
    """The file's bytes, or TooLarge (before reading) if it holds more than `limit`. OSError as open() raises it."""
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limit:
            raise TooLarge(size)
        data = handle.read(limit + 1)  # a file that grew since fstat is still cut at the limit
    if len(data) > limit:
        raise TooLarge(len(data))
    return data
