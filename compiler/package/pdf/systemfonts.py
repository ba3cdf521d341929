"""Package stage (PDF): fonts a theme names but does not ship, because they are too large to carry.

Noto CJK is 20–26 MB a weight, so a theme cannot hold it the way it holds EB Garamond or the Noto
Serif Hebrew subset. It names the font instead, in `theme.toml`:

    [[system_fonts]]
    family = "Noto Serif CJK SC"       # the family print.css lists after the theme's own fonts
    files = ["/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", …]
    unicode_range = "U+3000-9FFF, …"   # the characters it is there for, written as in CSS
    install = "apt-get install fonts-noto-cjk"

Such a font is used only as named. When the text has characters in its range that the theme's own
fonts lack, its files must be where the theme says and fontconfig (which weasyprint asks for the
family) must resolve the family to them; otherwise the build stops and says what to install, rather
than let the machine set those characters in whatever font it happens to have.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...render.theme import Theme


@dataclass(frozen=True)
class SystemFont:
    family: str
    files: tuple[Path, ...]  # regular first; fontconfig picks among them by weight
    ranges: tuple[tuple[int, int], ...]
    install: str  # what a user runs to get the files

    def wants(self, codepoint: int) -> bool:
        return any(start <= codepoint <= end for start, end in self.ranges)

    def installed(self) -> bool:
        return all(path.is_file() for path in self.files)


def system_fonts(theme: Theme) -> tuple[SystemFont, ...]:
    """The fonts the theme names in theme.toml's [[system_fonts]] (checked when the theme was loaded)."""
    return tuple(SystemFont(f.family, tuple(Path(p) for p in f.files), f.ranges, f.install) for f in theme.settings.system_fonts)


def fontconfig_file(family: str, style: str = "Regular") -> tuple[str, str]:
    """The file and family fontconfig gives weasyprint for `family` in `style`: what it will really use."""
    from .engine import load

    load()
    from weasyprint.text.ffi import ffi, fontconfig  # the very library weasyprint lays out with

    config = ffi.gc(fontconfig.FcInitLoadConfigAndFonts(), fontconfig.FcConfigDestroy)
    pattern = ffi.gc(fontconfig.FcPatternCreate(), fontconfig.FcPatternDestroy)
    fontconfig.FcPatternAddString(pattern, b"family", family.encode())
    fontconfig.FcPatternAddString(pattern, b"style", style.encode())
    fontconfig.FcConfigSubstitute(config, pattern, fontconfig.FcMatchPattern)
    fontconfig.FcDefaultSubstitute(pattern)
    result = ffi.new("FcResult *")
    match = fontconfig.FcFontMatch(config, pattern, result)
    if match == ffi.NULL:
        return "", ""
    match = ffi.gc(match, fontconfig.FcPatternDestroy)
    value = ffi.new("FcChar8 **")
    found = []
    for key in (b"file", b"family"):
        ok = fontconfig.FcPatternGetString(match, key, 0, value) == fontconfig.FcResultMatch
        found.append(ffi.string(value[0]).decode() if ok else "")
    return found[0], found[1]


def resolution_problem(font: SystemFont) -> str:
    """Why weasyprint would not set `font` from its declared files; "" when it would."""
    for style in ("Regular", "Bold"):
        path, family = fontconfig_file(font.family, style)
        if family != font.family or Path(path) not in font.files:
            got = f"{family} from {path}" if path else "nothing"
            return f"fontconfig resolves {font.family!r} ({style.lower()}) to {got}, not to {font.files[0]}"
    return ""
