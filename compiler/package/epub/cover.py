"""Package stage (EPUB): the cover image — the user's `cover.jpg`/`cover.png`, or a typographic one.

The drawn cover is 1600×2560 (the 1:1.6 portrait that Kindle and Kobo recommend) in the theme's
own face: title, editor and authors, centred between rules. It is deterministic: the same book and
theme give the same PNG bytes (no text metadata, Pillow's BASIC layout rather than the system's
libraqm, whose version would otherwise show in the glyph positions).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from typing import TYPE_CHECKING

from ...confine import TooLarge, inside, is_regular_file, lexists, read_bounded, resolved
from ...diagnostics import stop
from ...model import Anthology
from ...render.theme import CoverSettings, Theme
from ...render.view import authors_text

if TYPE_CHECKING:
    from PIL import ImageDraw, ImageFont

SIZE = (1600, 2560)
USER_COVERS = ("cover.jpg", "cover.jpeg", "cover.png")
# A cover's size, checked from its header before anything decodes it (calibre does, for the AZW3):
# KDP takes ebook covers up to 10,000 pixels a side and 50 MB; a PNG of 201 bytes can declare
# 100,000 × 100,000 pixels, 40 GB once decoded.
MAX_COVER_SIDE = 10_000
MAX_COVER_BYTES = 50 * 1024 * 1024
_MEDIA = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png")}


@dataclass(frozen=True)
class Cover:
    file_name: str  # inside the EPUB folder, e.g. "images/cover.png"
    media_type: str
    data: bytes


def find_cover(source: Path) -> Path | None:
    """A cover the user put beside the stories, if any: a plain file inside the stories folder (a
    link to an image elsewhere is refused, as a story's is)."""
    for name in USER_COVERS:
        path = source / name
        if not lexists(path):
            continue
        if not inside(path, source):
            target = resolved(path)
            raise stop("C032", path, problem=f"it links outside the stories folder (to {target})" if target else "it is a link that loops")
        if not is_regular_file(path):
            raise stop("C032", path, problem="it is not a file (a folder, a link that leads nowhere, a pipe or a device)")
        return path
    return None


def cover_file_name(user: Path | None) -> str:
    suffix = ".png" if user is None or user.suffix.lower() == ".png" else ".jpg"
    return f"images/cover{suffix}"


def make_cover(anthology: Anthology, theme: Theme, user: Path | None) -> Cover:
    if user is not None:
        return _user_cover(user)
    return Cover(cover_file_name(None), "image/png", draw_cover(anthology, theme))


def _user_cover(path: Path) -> Cover:
    from PIL import Image

    try:
        data = read_bounded(path, MAX_COVER_BYTES)
    except TooLarge as big:
        raise stop("C032", path, problem=f"it is {big.size / 2**20:.0f} MB, over the {MAX_COVER_BYTES // 2**20} MB stores accept") from None
    except OSError as exc:
        raise stop("C032", path, problem=exc.strerror or str(exc)) from None
    size = ""
    try:
        # Image.open reads the header only; Pillow's own guard against decompression bombs raises
        # (or warns, made an error here) on a size it would not decode.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format or ""
                width, height = image.size
        if max(width, height) > MAX_COVER_SIDE:
            size = f"{width:,}×{height:,} pixels"
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        kind, size = "", _declared_size(data)
    except (OSError, SyntaxError, ValueError):
        kind = ""
    if size:
        raise stop("C033", path, size=size, limit=f"{MAX_COVER_SIDE:,}")
    if kind not in _MEDIA:
        raise stop("C030", path)
    media_type, suffix = _MEDIA[kind]
    if suffix != Path(cover_file_name(path)).suffix:
        raise stop("C031", path, kind=kind, suffix=suffix)
    return Cover(cover_file_name(path), media_type, data)


def _declared_size(data: bytes) -> str:
    """The size a PNG or JPEG header declares, read by Pillow's format reader itself (Image.open
    refuses to say it past its decompression-bomb limit)."""
    from PIL import JpegImagePlugin, PngImagePlugin

    for reader in (PngImagePlugin.PngImageFile, JpegImagePlugin.JpegImageFile):
        try:
            width, height = reader(io.BytesIO(data)).size
            return f"{width:,}×{height:,} pixels"
        except (OSError, SyntaxError, ValueError):
            continue
    return "larger than Pillow will open"


# ------------------------------------------------------------------------------------------ drawing


def _theme_fonts(theme: Theme, settings: CoverSettings) -> tuple[list[Path], list[Path]]:
    """Upright and italic faces, the theme's chosen one first, then the rest of its fonts folder."""
    files = theme.files("fonts", (".otf", ".ttf"))
    italic = [p for p in files if "italic" in p.stem.lower()]
    upright = [p for p in files if p not in italic and not any(w in p.stem.lower() for w in ("bold", "semibold", "medium"))]
    for chosen, group in ((settings.font, upright), (settings.italic_font, italic)):
        if chosen:
            group.insert(0, theme.find(chosen))
    if not upright:
        raise stop("T020", theme.folders[0])
    return upright, italic + upright


@lru_cache(maxsize=16)
def _charset(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    try:
        with TTFont(path, lazy=True) as font:
            return frozenset(font.getBestCmap() or {})
    except Exception as exc:  # fontTools raises what the bytes lead it to: a file that is no font
        raise stop("T009", path, file=path.name, problem=f"it is not a font fontTools can read ({type(exc).__name__}: {exc})") from None


def _face(candidates: list[Path], text: str) -> Path:
    # The first face that has every letter: EB Garamond sets Latin, Greek and Cyrillic; a Hebrew
    # title falls through to a Hebrew face in the theme's fonts, if it has one.
    needed = {ord(c) for c in text if not c.isspace()}
    return next((p for p in candidates if needed <= _charset(p)), candidates[0])


def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    try:
        return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)
    except (OSError, ValueError) as exc:
        raise stop("T009", path, file=path.name, problem=f"it is not a font FreeType can read ({exc})") from None


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def _fit(text: str, face: Path, size: int, width: int, max_lines: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest size (down to a third of `size`) at which `text` wraps into `max_lines` lines."""
    while True:
        font = _font(face, size)
        lines = _wrap(text, font, width)
        fits = len(lines) <= max_lines and all(font.getlength(line) <= width for line in lines)
        if fits or size <= 40:
            if not fits:  # still too long at the smallest size: cut, and say so with an ellipsis
                cut = len(lines) > max_lines
                lines = lines[:max_lines]
                if cut:
                    lines[-1] += " …"
                lines = [_clip(line, font, width) for line in lines]
            return font, lines
        size -= 4


def _clip(line: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    while len(line) > 1 and font.getlength(line) > width:
        line = line[:-2] + "…"
    return line


def _block(draw: ImageDraw.ImageDraw, lines: list[str], font: ImageFont.FreeTypeFont, top: float, fill: str, leading: float = 1.18) -> float:
    """Draws centred lines from `top`; returns the bottom of the block."""
    step = font.size * leading
    for i, line in enumerate(lines):
        draw.text((SIZE[0] / 2, top + i * step), line, font=font, fill=fill, anchor="ma")
    return top + len(lines) * step


def _fleuron(draw: ImageDraw.ImageDraw, y: float, colour: str) -> None:
    centre = SIZE[0] / 2
    draw.line([(centre - 260, y), (centre - 40, y)], fill=colour, width=4)
    draw.line([(centre + 40, y), (centre + 260, y)], fill=colour, width=4)
    draw.regular_polygon((centre, y, 18), 4, rotation=45, fill=colour)


def draw_cover(anthology: Anthology, theme: Theme) -> bytes:
    # Pillow loads only when a cover is drawn: `anthology --help` and PDF-only builds stay quick.
    from PIL import Image, ImageDraw

    settings = theme.settings.cover
    upright, italic = _theme_fonts(theme, settings)
    ink, accent = settings.ink, settings.accent
    image = Image.new("RGB", SIZE, settings.background)
    draw = ImageDraw.Draw(image)
    width = SIZE[0] - 2 * 220

    # A double frame, as on a cloth binding.
    for inset, line in ((70, 6), (96, 2)):
        draw.rectangle([inset, inset, SIZE[0] - inset, SIZE[1] - inset], outline=accent, width=line)

    title = anthology.meta.title
    font, lines = _fit(title, _face(upright, title), 190, width, 5)
    top = 700 - len(lines) * font.size * 1.18 / 2
    bottom = _block(draw, lines, font, max(top, 300), ink)
    if anthology.meta.volume_label:  # one volume of several: "Volume II" under the title
        label = anthology.meta.volume_label
        font, lines = _fit(label, _face(upright, label), 96, width, 2)
        bottom = _block(draw, lines, font, bottom + 40, accent)
    _fleuron(draw, bottom + 90, accent)
    y = bottom + 200

    editor = anthology.meta.editor
    if editor:
        label = f"Edited by {editor}"
        font, lines = _fit(label, _face(italic, label), 80, width, 2)
        y = _block(draw, lines, font, y, ink)

    authors: list[str] = []
    for story in anthology.stories:
        authors += [a for a in story.authors if a not in authors]
    if authors:
        text = authors_text(tuple(authors))
        font, lines = _fit(text, _face(upright, text), 84, width, 6)
        top = SIZE[1] - 330 - len(lines) * font.size * 1.3
        _block(draw, ["Stories by"], _font(italic[0], 56), top - 110, ink)
        _block(draw, lines, font, top, accent, leading=1.3)

    out = io.BytesIO()
    image.save(out, "PNG", optimize=False, compress_level=6)  # level 9 doubles the time for 3% less
    return out.getvalue()
