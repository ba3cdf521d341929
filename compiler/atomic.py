"""Writing a file so that readers see the old one or the whole new one, never a half-written one.

The bytes go to a hidden temporary file beside the target, which is then renamed over it (atomic
on one file system). Used for the books, the layout cache and the copy onto an e-reader.

A process killed between the two (SIGKILL, a power cut) leaves its temporary file behind. Its name
carries the writer's process id, so a later write into the folder removes the files of writers that
are no longer running (remove_stale_parts), and never those of one still writing.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO


def write_atomically(path: Path, data: bytes | BinaryIO, durable: bool = False) -> None:
    """`data`: bytes, or an open file to copy from. `durable`: flushed to the device before the
    rename (for removable e-readers, which may be unplugged right after)."""
    remove_stale_parts(path.parent, path.name)
    # A hidden (dot) name: e-readers ignore dot-files, so a half-copied book never shows.
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            if isinstance(data, bytes):
                out.write(data)
            else:
                shutil.copyfileobj(data, out, 1 << 20)
            if durable:
                out.flush()
                os.fsync(out.fileno())
        # mkstemp makes the file private (0600); it gets the permissions any new file would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def remove_stale_parts(folder: Path, name: str = "*") -> list[Path]:
    """Remove the temporary files left in `folder` by writers of `name` (default: of any file) that
    are no longer running; returns them."""
    removed = []
    for part in folder.glob(f".{name}.*.part"):
        pid = part.name.removesuffix(".part").rsplit(".", 2)[-2]
        if pid.isdigit() and not _running(int(pid)):
            part.unlink(missing_ok=True)
            removed.append(part)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: running
        return True
    return True
