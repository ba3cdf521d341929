"""`anthology themes`: list the built-in themes and preview one as an image of a spread.

A preview builds the given stories (the seeds by default) with the theme and draws the spread that
follows the first chapter's opening (running heads, folios and body text side by side) with
PDFium (pypdfium2), so no system tool is needed.
"""

from __future__ import annotations

import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .diagnostics import stop
from .render.theme import builtin_themes_dir, load_theme


@dataclass(frozen=True)
class ThemeInfo:
    name: str
    description: str
    extends: str


def list_themes() -> list[ThemeInfo]:
    found = []
    for folder in sorted(p for p in builtin_themes_dir().iterdir() if (p / "theme.toml").is_file()):
        data = tomllib.loads((folder / "theme.toml").read_text(encoding="utf-8"))
        found.append(ThemeInfo(folder.name, str(data.get("description", "")), str(data.get("extends", ""))))
    return found


def _spread_after_opening(document: Any, title: str) -> tuple[int, int]:  # a pypdfium2 PdfDocument
    """0-based page indexes of the spread after the first chapter's opening (found by its bookmark)."""
    opening = next((item.get_dest().get_index() for item in document.get_toc() if item.get_title() == title), 0)
    left = opening + 1  # an opening is a recto, so the next page is a verso
    return min(left, len(document) - 2), min(left + 1, len(document) - 1)


# What to write for each suffix; Pillow can write more, but these are what a preview is shared as.
IMAGE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}


def image_format(out: Path) -> str:
    """The image format the file's suffix asks for; a suffix this cannot write is a usage error
    (U005), never a PNG under another name."""
    found = IMAGE_FORMATS.get(out.suffix.lower())
    if found is None:
        raise stop("U005", out, suffix=out.suffix or "suffix-less", choices=", ".join(IMAGE_FORMATS))
    return found


def preview(theme: str, source: Path, out: Path, dpi: int = 80) -> Path:
    import pypdfium2
    from PIL import Image

    from .build import build
    from .options import BuildOptions

    load_theme(theme)  # fail early, with the list of themes, on a bad name
    with tempfile.TemporaryDirectory() as tmp:
        result = build(BuildOptions(source=source, output=Path(tmp), formats=("pdf",), theme=theme))
        document = pypdfium2.PdfDocument(str(result.outputs[0]))
        try:
            left, right = _spread_after_opening(document, result.anthology.stories[0].title)
            images = [document[i].render(scale=dpi / 72).to_pil() for i in (left, right)]
        finally:
            document.close()
    gap = max(2, dpi // 10)
    spread = Image.new("RGB", (images[0].width + images[1].width + gap, max(i.height for i in images)), (120, 120, 120))
    spread.paste(images[0], (0, 0))
    spread.paste(images[1], (images[0].width + gap, 0))
    out.parent.mkdir(parents=True, exist_ok=True)
    kind = image_format(out)
    spread.save(out, format=kind, **({"quality": 90} if kind in ("JPEG", "WEBP") else {"optimize": False}))
    return out
