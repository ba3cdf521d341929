"""Package stage (PDF): does the theme's own type cover every character of the book?

weasyprint falls back to whatever fonts the machine has for a character the theme's fonts lack,
which makes the book depend on the machine (or print a missing-glyph box). We check the text
against the cmaps of the theme's font files and say which characters, in which story, fall outside.
Characters a theme sets in a font it names but does not ship (Noto CJK: systemfonts.py) need that
font installed as named; the build stops if it is not.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from lxml import etree

from ...diagnostics import Diagnostic, diagnostic, stop, stopping
from ...render import RenderedBook
from .systemfonts import SystemFont, resolution_problem, system_fonts

_FONT_SUFFIXES = (".otf", ".ttf", ".woff", ".woff2")


@lru_cache(maxsize=32)
def _cmap(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont  # weasyprint's own dependency

    # fontNumber: the first face of a collection (.ttc); Noto CJK's faces share one character set.
    try:
        with TTFont(str(path), lazy=True, fontNumber=0) as font:
            return frozenset(font.getBestCmap() or {})
    except Exception as exc:  # fontTools raises what the bytes lead it to: a theme's file that is no font
        raise stop("T009", path, file=path.name, problem=f"it is not a font fontTools can read ({type(exc).__name__}: {exc})") from None


def _own_coverage(rendered: RenderedBook) -> frozenset[int]:
    covered: set[int] = set()
    for path in rendered.theme.files("fonts", _FONT_SUFFIXES):  # only files inside the theme's folders
        covered |= _cmap(path)
    return frozenset(covered)


@lru_cache(maxsize=8)
def _system_coverage(font: SystemFont) -> frozenset[int]:
    return frozenset(ch for ch in _cmap(font.files[0]) if font.wants(ch)) if font.installed() else frozenset()


def theme_coverage(rendered: RenderedBook) -> frozenset[int]:
    """Every character the print fonts can set: the theme's own, and the installed fonts it names."""
    covered = _own_coverage(rendered)
    for font in system_fonts(rendered.theme):
        covered |= _system_coverage(font)
    return covered


def _ignorable(ch: str) -> bool:
    # Spaces, controls and format characters (ZWJ, directional marks) draw nothing.
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp", "Mn")


def _needs(font: SystemFont, doc_title: str, chars: list[str]) -> Diagnostic | None:
    """An error when the story's characters call for a named font that is not there as named."""
    shown = " ".join(f"{ch} U+{ord(ch):04X}" for ch in chars[:6]) + (" …" if len(chars) > 6 else "")
    if not font.installed():
        missing = next(p for p in font.files if not p.is_file())
        todo = f"install it ({font.install})" if font.install else "install it"
        problem = f"{missing} is not installed; {todo}"
    else:
        problem = resolution_problem(font)
        if not problem:
            return None
        problem += "; remove the other copy or point the theme at it"
    return diagnostic("P012", title=repr(doc_title), family=font.family, chars=shown, problem=problem)


def missing_glyphs(rendered: RenderedBook) -> list[Diagnostic]:
    own = _own_coverage(rendered)
    fonts = system_fonts(rendered.theme)
    found: list[Diagnostic] = []
    errors: dict[str, Diagnostic] = {}  # one per font: the first story that needs it
    for doc in rendered.print_front + rendered.docs:
        text = "".join(etree.fromstring(doc.xhtml).itertext())
        missing = sorted({ch for ch in set(text) if ord(ch) not in own and not _ignorable(ch)})
        for font in fonts:
            wanted = [ch for ch in missing if font.wants(ord(ch))]
            if not wanted:
                continue
            if font.family not in errors and (error := _needs(font, doc.title, wanted)) is not None:
                errors[font.family] = error
            missing = [ch for ch in missing if ord(ch) not in _system_coverage(font)]
        if missing:
            shown = " ".join(f"{ch} U+{ord(ch):04X}" for ch in missing[:12])
            more = f" and {len(missing) - 12} more" if len(missing) > 12 else ""
            found.append(diagnostic("P010", title=repr(doc.title), chars=f"{shown}{more}"))
    if errors:
        raise stopping(list(errors.values()))
    return found
