"""Batch stage: a part's content key, and the stamp that records what its books were made from.

A key is a hash of everything a part's books are made of: this program (its files) and the versions
of the libraries that shape the bytes, the options that change the books, SOURCE_DATE_EPOCH (or,
without it, the files' times, which then date the books), every file beside the stories, and the
theme's files and named system fonts. After the books are written, a stamp is written beside them
(`.anthology-batch/PART.json`, atomically, last): the key and each book's SHA-256. A part whose stamp
holds its key now, and whose books still have those hashes, is not built again; the books it keeps
are the bytes a fresh build writes, since a build is deterministic in exactly what the key covers.

A process killed while writing leaves hidden `.NAME.*.part` files (atomic.py); a part sweeps its
own before it builds, so a re-run leaves nothing behind.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from ..atomic import write_atomically
from ..config import load_config
from ..diagnostics import Diagnostic, Severity
from ..options import BuildOptions
from ..render.theme import load_theme

FOLDER = ".anthology-batch"  # in each book's output folder
STAMP_FORMAT = "1"  # bump when what a stamp holds, or what a key covers, changes
LAYOUT_CACHE = ".anthology-cache"  # package/pdf/layoutcache.py's folder (its temporary files are swept too)
# The libraries whose versions change the books' bytes (the PDF's layout, the EPUB's markup, the text).
LIBRARIES = (
    "weasyprint", "pydyf", "fonttools", "tinycss2", "pyphen", "pikepdf", "ebooklib", "lxml", "jinja2",
    "markdown-it-py", "ftfy", "charset-normalizer", "py3langid", "pillow", "pypdfium2", "pyyaml",
)
# Options that say where or how fast, not what: the same books whatever they are (the source's
# files are hashed themselves, so a work moved to another folder is not built again).
_NOT_CONTENT = ("source", "output", "jobs", "cache")

_program: str | None = None


def program_digest() -> str:
    """This program, as it is installed here: every file of the package and the libraries' versions
    (hashed once per process, about a megabyte)."""
    global _program
    if _program is None:
        root = Path(__file__).resolve().parents[1]
        digest = hashlib.sha256(STAMP_FORMAT.encode())
        for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
        for dist in LIBRARIES:
            try:
                digest.update(f"{dist}={version(dist)}\0".encode())
            except PackageNotFoundError:
                digest.update(f"{dist}=-\0".encode())
        _program = digest.hexdigest()
    return _program


def _files(folder: Path, recursive: bool) -> list[Path]:
    found = folder.rglob("*") if recursive else folder.iterdir()
    return sorted(p for p in found if p.is_file() and not p.name.startswith("."))


def content_key(options: BuildOptions, epoch: str | None) -> str:
    """The key of a part's books. Raises BuildError when the manifest or the theme is broken (the
    build would stop on the same error)."""
    config = load_config(options.source)
    settled = options.settled(config)
    theme = load_theme(settled.theme or config.theme, options.source)
    digest = hashlib.sha256(program_digest().encode())
    fields = {k: str(v) for k, v in dataclasses.asdict(settled).items() if k not in _NOT_CONTENT}
    digest.update(json.dumps(fields, sort_keys=True).encode())
    sources = _files(options.source, recursive=False)
    # Without SOURCE_DATE_EPOCH the books are dated by the newest input (build.py), so times count.
    digest.update(f"epoch={epoch}".encode() if epoch is not None else b"mtimes=" + " ".join(str(int(p.stat().st_mtime)) for p in sources).encode())
    for path in sources:
        digest.update(b"\0source\0" + path.name.encode() + b"\0" + path.read_bytes())
    for folder in theme.folders:
        for path in _files(folder, recursive=True):
            digest.update(b"\0theme\0" + str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    for font in theme.settings.system_fonts:
        for name in font.files:  # installed, often tens of MB: their size and time stand for their bytes
            stat = Path(name).stat() if Path(name).is_file() else None
            digest.update(f"\0font\0{name}\0{stat.st_size if stat else '-'}\0{stat.st_mtime_ns if stat else '-'}".encode())
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def stamp_path(output: Path, part: str) -> Path:
    return output / FOLDER / f"{part}.json"


def write_stamp(output: Path, part: str, key: str, outputs: tuple[Path, ...], diagnostics: tuple[Diagnostic, ...]) -> None:
    """After the books: the key they were made from, their hashes, and what the build said about them."""
    record = {
        "format": STAMP_FORMAT,
        "key": key,
        "books": {path.name: _sha256(path) for path in outputs},
        "diagnostics": [[d.code, int(d.severity), d.message, str(d.path) if d.path else None, d.line] for d in diagnostics],
    }
    path = stamp_path(output, part)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, json.dumps(record, ensure_ascii=False, indent=1).encode())


def still_built(output: Path, part: str, key: str) -> tuple[tuple[Path, ...], tuple[Diagnostic, ...]] | None:
    """The books and diagnostics of the last build of this part, if it was made from `key` and
    every book is still the one it wrote; else None."""
    try:
        record = json.loads(stamp_path(output, part).read_text(encoding="utf-8"))
        if record.get("format") != STAMP_FORMAT or record.get("key") != key:
            return None
        books = {output / name: digest for name, digest in record["books"].items()}
        if not books or any(not path.is_file() or _sha256(path) != digest for path, digest in books.items()):
            return None
        diagnostics = tuple(Diagnostic(code, Severity(severity), message, Path(where) if where else None, line) for code, severity, message, where, line in record["diagnostics"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return tuple(books), diagnostics


def sweep(output: Path, part: str, file_names: tuple[str, ...]) -> None:
    """Remove what an earlier attempt at this part left half-written when its process was killed."""
    patterns = [(output, f".{name}.*.part") for name in file_names] + [(output / FOLDER, f".{part}.json.*.part")]
    if "anthology.pdf" in file_names:
        patterns.append((output / LAYOUT_CACHE, ".*.part"))
    for folder, pattern in patterns:
        if folder.is_dir():
            for leftover in folder.glob(pattern):
                leftover.unlink(missing_ok=True)
