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


NAME_MAX = os.pathconf("/", "PC_NAME_MAX") if hasattr(os, "pathconf") else 255


def overlong(path: Path) -> str | None:
    """Why the system cannot hold this path (a part past NAME_MAX bytes, said with its size), or None."""
    for part in path.parts:
        size = len(os.fsencode(part))
        if size > NAME_MAX:
            return f"the name {part[:40]}… is {size} bytes long; names on this system hold at most {NAME_MAX}"
    return None


# The questions below answer "no" for a name the system refuses: pathlib's own (`is_file`,
# `is_dir`) raise for a name over 255 bytes (ENAMETOOLONG) and a few other errors, and most names
# asked about here come from a user (a manifest, a theme, the command line).


def _mode(path: Path, follow: bool = True) -> int:
    try:
        return os.stat(path, follow_symlinks=follow).st_mode
    except (OSError, ValueError):  # ValueError: a NUL in the name
        return 0


def is_regular_file(path: Path) -> bool:
    """A file that can be read to its end: not a folder, FIFO, socket or device; links followed."""
    return stat.S_ISREG(_mode(path))


def is_folder(path: Path) -> bool:
    """A folder, links followed."""
    return stat.S_ISDIR(_mode(path))


def file_or_link(path: Path) -> bool:
    """A regular file, or a link of any kind (one that leads outside or nowhere is there to be
    refused by name, not passed over as missing)."""
    return is_regular_file(path) or stat.S_ISLNK(_mode(path, follow=False))


def lexists(path: Path) -> bool:
    """Anything by that name, a link that leads nowhere included."""
    return _mode(path, follow=False) != 0


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
