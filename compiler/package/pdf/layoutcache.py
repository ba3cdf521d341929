"""Package stage (PDF): laid-out chunks kept between builds, found again by their content.

A chunk's layout depends only on its HTML, the page geometry, the CSS placed after the theme, the
theme's files (stylesheets, fonts) and the versions of weasyprint and of this program; the key is
a hash of all of them, so an entry is either exactly right or never found. The cache lives in the
output folder (`.anthology-cache/`); entries are written only when the build succeeds, and those
the build did not use are removed then, so the folder holds one book's chunks at most.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ...atomic import write_atomically
from .typesetter import Job, Laid, PageInfo

FORMAT = "6"  # bump when Laid or the way chunks are made changes
FOLDER = ".anthology-cache"


def _theme_digest(roots: tuple[Path, ...]) -> str:
    digest = hashlib.sha256()
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


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

    def get(self, job: Job) -> Laid | None:
        key = self.key(job)
        self.used.add(key)
        if key in self.pending:
            return self.pending[key]
        try:
            pdf = (self.folder / f"{key}.pdf").read_bytes()
            pages = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        infos = tuple(PageInfo((p[0], p[1], p[2], p[3]), tuple(p[4]), (p[6][0], p[6][1]) if p[6] else None) for p in pages)
        return Laid(pdf, infos, tuple(p[5] for p in pages) if job.texts else ())

    def put(self, job: Job, laid: Laid) -> None:
        key = self.key(job)
        self.used.add(key)
        self.pending[key] = laid

    def _read_hint(self) -> int:
        try:
            return int(json.loads((self.folder / "book.json").read_text(encoding="utf-8"))["pages"])
        except (OSError, ValueError, KeyError, TypeError):
            return 0

    def commit(self) -> None:
        """Called once the book is written: keep what this build used, drop the rest."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for key, laid in self.pending.items():
            texts = laid.texts or ("",) * len(laid.pages)  # a folio layer's text is not read back
            pages = [[*p.kind, list(p.anchors), text, p.start] for p, text in zip(laid.pages, texts, strict=True)]
            write_atomically(self.folder / f"{key}.json", json.dumps(pages).encode())
            write_atomically(self.folder / f"{key}.pdf", laid.pdf)
        write_atomically(self.folder / "book.json", json.dumps({"pages": self.pages_hint}).encode())
        for path in self.folder.iterdir():
            if path.suffix in (".pdf", ".json") and path.stem not in self.used and path.name != "book.json":
                path.unlink(missing_ok=True)
        self.pending.clear()
