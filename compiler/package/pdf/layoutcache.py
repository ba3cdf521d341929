"""Package stage (PDF): laid-out chunks kept between builds, found again by their content.

A chunk's layout depends only on its HTML, the page geometry, the CSS placed after the theme, the
theme's files (stylesheets, fonts) and the versions of weasyprint and of this program; the key is
a hash of all of them, so an entry is either exactly right or never found. The cache lives in the
output folder (`.anthology-cache/`); entries are written only when the build succeeds, and those
the build did not use are removed then, so the folder holds one book's chunks at most.

The output folder is the user's, and anything may have been put there, so the cache trusts nothing
it reads. The folder is opened without following links (a `.anthology-cache` that links elsewhere
is treated as no cache: never read, written or emptied, so a build never deletes through it), and
so is each entry. Each entry records its key and a hash of its content (the PDF bytes and the pages'
description); an entry whose hash does not match (truncated, corrupt, or a chunk copied in from
another book or another entry) is not found, and the chunk is laid out again. Storing is best
effort: a cache that cannot be written leaves the build's books as they are.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

from ...confine import inside, is_regular_file
from ..pagemap import Start
from .typesetter import Job, Laid, PageInfo

FORMAT = "7"  # bump when Laid or the way chunks are made changes
FOLDER = ".anthology-cache"
_MAX_ENTRY_BYTES = 512 * 1024 * 1024  # past this a file in the folder is no entry of ours


def _theme_digest(roots: tuple[Path, ...]) -> str:
    digest = hashlib.sha256()
    for root in roots:
        # Only the theme's own plain files: a link out of it (or to a device) is no part of the
        # theme (theme.py refuses it when it is used), and reading it might never end.
        for path in sorted(p for p in root.rglob("*") if inside(p, roots) and is_regular_file(p)):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _entry_digest(key: str, pdf: bytes, pages: list[Any]) -> str:
    digest = hashlib.sha256(key.encode() + b"\0")
    digest.update(hashlib.sha256(pdf).digest())
    digest.update(json.dumps(pages, ensure_ascii=False, separators=(",", ":")).encode())
    return digest.hexdigest()


def _page(p: Any, with_text: bool) -> tuple[PageInfo, str]:
    """One page's description as stored, checked shape by shape (ValueError on anything else)."""
    if not (isinstance(p, list) and len(p) == 7):
        raise ValueError("a page is a list of 7")
    side, blank, name, index, anchors, text, start = p
    if not (isinstance(side, str) and isinstance(blank, bool) and isinstance(name, str) and isinstance(index, int)):
        raise ValueError("a page's kind")
    if not (isinstance(anchors, list) and all(isinstance(a, str) for a in anchors) and isinstance(text, str)):
        raise ValueError("a page's anchors and text")
    begins: Start | None = None
    if start is not None:
        if not (isinstance(start, list) and len(start) == 2 and isinstance(start[0], str) and isinstance(start[1], int)):
            raise ValueError("a page's start")
        begins = (start[0], start[1])
    return PageInfo((side, blank, name, index), tuple(anchors), begins), text if with_text else ""


class LayoutCache:
    def __init__(self, folder: Path, theme_roots: tuple[Path, ...]) -> None:
        from importlib.metadata import version  # not `import weasyprint`: a second's worth of imports

        from ... import __version__

        self.folder = folder
        self.salt = f"{FORMAT}\0{__version__}\0{version('weasyprint')}\0{_theme_digest(theme_roots)}\0"
        self.pending: dict[str, Laid] = {}
        self.used: set[str] = set()
        self.pages_hint = self._read_hint()

    def key(self, job: Job) -> str:
        digest = hashlib.sha256(self.salt.encode())
        for text in (job.html, job.page_css, job.after_theme, "press" if job.press else "rgb", "texts" if job.texts else "no texts", "starts" if job.starts else "no starts",
                     "whole words" if job.whole_words else ""):
            digest.update(text.encode() + b"\0")
        return digest.hexdigest()

    # ------------------------------------------------------------------ the folder, never through a link

    def _open_folder(self) -> int | None:
        """The cache folder opened as itself: None if it is missing, or a link (even to a folder), or no folder."""
        try:
            return os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:
            return None

    @staticmethod
    def _read(folder: int, name: str, limit: int = _MAX_ENTRY_BYTES) -> bytes | None:
        """A plain file of the folder, not through a link, within `limit` bytes; None otherwise."""
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=folder)
        except OSError:
            return None
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
                return None
            return handle.read(limit + 1)

    @staticmethod
    def _write(folder: int, name: str, data: bytes) -> None:
        """`data` as `name` in the folder, whole or not at all (a hidden temporary renamed over it)."""
        temp = f".{name}.{os.getpid()}.part"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o666, dir_fd=folder)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temp, name, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            os.unlink(temp, dir_fd=folder)
            raise

    # ------------------------------------------------------------------------------- load and store

    def get(self, job: Job) -> Laid | None:
        key = self.key(job)
        self.used.add(key)
        if key in self.pending:
            return self.pending[key]
        folder = self._open_folder()
        if folder is None:
            return None
        try:
            return self._load(folder, key, job.texts)
        finally:
            os.close(folder)

    def _load(self, folder: int, key: str, with_texts: bool) -> Laid | None:
        meta, pdf = self._read(folder, f"{key}.json", 64 * 1024 * 1024), self._read(folder, f"{key}.pdf")
        if meta is None or pdf is None:
            return None
        try:
            entry = json.loads(meta)
            pages = entry["pages"]
            if entry.get("key") != key or not isinstance(pages, list) or entry.get("digest") != _entry_digest(key, pdf, pages):
                return None  # another entry's, another book's, or cut short: laid out again
            described = [_page(p, with_texts) for p in pages]
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return None
        return Laid(pdf, tuple(info for info, _ in described), tuple(text for _, text in described) if with_texts else ())

    def put(self, job: Job, laid: Laid) -> None:
        key = self.key(job)
        self.used.add(key)
        self.pending[key] = laid

    def _read_hint(self) -> int:
        folder = self._open_folder()
        if folder is None:
            return 0
        try:
            pages = json.loads(self._read(folder, "book.json", 4096) or b"null")["pages"]
            return pages if isinstance(pages, int) and 0 < pages < 1_000_000 else 0
        except (ValueError, KeyError, TypeError):
            return 0
        finally:
            os.close(folder)

    def commit(self) -> None:
        """Called once the book is written: keep what this build used, drop the rest. Best effort:
        a cache that cannot be stored (a full disk, a `.anthology-cache` that is a link) is skipped."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return
        folder = self._open_folder()
        if folder is None:
            return  # a link, or no folder: never written or emptied through
        try:
            for key, laid in self.pending.items():
                texts = laid.texts or ("",) * len(laid.pages)  # a folio layer's text is not read back
                pages = [[*p.kind, list(p.anchors), text, list(p.start) if p.start else None] for p, text in zip(laid.pages, texts, strict=True)]
                entry = {"key": key, "digest": _entry_digest(key, laid.pdf, pages), "pages": pages}
                self._write(folder, f"{key}.pdf", laid.pdf)
                self._write(folder, f"{key}.json", json.dumps(entry, ensure_ascii=False).encode())
            self._write(folder, "book.json", json.dumps({"pages": self.pages_hint}).encode())
            for name in os.listdir(folder):
                stem, _, suffix = name.rpartition(".")
                # Entries this build did not use, and temporaries a killed build left: a link's own
                # name is removed, never what it points to.
                if (suffix in ("pdf", "json") and stem not in self.used and name != "book.json") or suffix == "part":
                    os.unlink(name, dir_fd=folder)
        except OSError:
            pass  # the books are written; the next build lays out again what was not kept
        finally:
            os.close(folder)
            self.pending.clear()
