"""Writing a file so that readers see the old one or the whole new one, never a half-written one.

The bytes go to a hidden temporary file beside the target, which is then renamed over it (atomic
on one file system). Used for the books, the layout cache and the copy onto an e-reader. The books
of one build are replaced together (`replace_together`): all of them, or none.

A process killed between the two (SIGKILL, a power cut) leaves its temporary file behind. Its name
carries the writer's process id, so a later write into the folder removes the files of writers that
are no longer running (remove_stale_parts), and never those of one still writing.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
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


def replace_together(files: dict[Path, bytes], ready: Callable[[], None] | None = None) -> None:
    """Every file of `files` replaced, or none: the books of one build are one edition, and a full
    disk must not leave the new PDF beside the old EPUB. All the bytes are written to temporary
    files beside their targets first (where a full disk or a quota fails); only when every one is
    whole are they renamed over the targets, which takes no space. If a rename still fails, the
    files already renamed are put back from hard links to the old ones made just before. `ready` is
    called between the two (a watcher that may kill the build waits for it: bounded.py)."""
    temps: dict[Path, Path] = {}
    try:
        for path, data in files.items():
            remove_stale_parts(path.parent, path.name)
            fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".part")
            temps[path] = Path(name)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(name, 0o666 & ~umask)
    except BaseException:
        for temp in temps.values():
            temp.unlink(missing_ok=True)
        raise
    if ready is not None:
        try:
            ready()
        except BaseException:
            for temp in temps.values():
                temp.unlink(missing_ok=True)
            raise
    olds = _keep_old(list(files))
    renamed: list[Path] = []
    try:
        for path, temp in temps.items():
            os.replace(temp, path)
            renamed.append(path)
    except BaseException:
        for path in renamed:  # back to the previous edition, or to no book where there was none
            if path in olds:
                os.replace(olds.pop(path), path)
            else:
                path.unlink(missing_ok=True)
        for temp in temps.values():
            temp.unlink(missing_ok=True)
        raise
    finally:
        for old in olds.values():
            old.unlink(missing_ok=True)


def _keep_old(paths: list[Path]) -> dict[Path, Path]:
    """A hard link to each existing target, to put it back if a later rename fails; none where the
    file system has no hard links (the renames then go ahead without that second chance)."""
    olds: dict[Path, Path] = {}
    for path in paths:
        if not path.is_file():
            continue
        backup = path.with_name(f".{path.name}.{os.getpid()}.old")
        try:
            backup.unlink(missing_ok=True)
            os.link(path, backup)
        except OSError:
            continue
        olds[path] = backup
    return olds
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
