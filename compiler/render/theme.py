"""Render stage: themes are data — a folder with `theme.toml`, templates, `epub.css`, `print.css`
and fonts, which may `extends` another theme. Files are looked up user folder first, then the theme,
then its parents, so a user's theme overrides a built-in one file by file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import ExitCode, fail


def builtin_themes_dir() -> Path:
    # A source checkout keeps themes/ beside the package; an installed wheel ships them inside it.
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "themes", here / "themes"):
        if candidate.is_dir():
            return candidate
    raise fail(ExitCode.THEME, "T000", "the built-in themes are missing; reinstall anthology", here)


@dataclass(frozen=True)
class Theme:
    name: str
    folders: tuple[Path, ...]  # most specific first
    settings: dict[str, object]

    def find(self, relative: str) -> Path:
        for folder in self.folders:
            candidate = folder / relative
            if candidate.is_file():
                return candidate
        raise fail(ExitCode.THEME, "T002", f"theme {self.name!r} has no {relative}", self.folders[0])

    def chain(self, relative: str) -> list[Path]:
        """Every theme's copy of a stylesheet, parent first: a child's sheet cascades over its parent's."""
        found = [folder / relative for folder in reversed(self.folders) if (folder / relative).is_file()]
        if not found:
            raise fail(ExitCode.THEME, "T002", f"theme {self.name!r} has no {relative}", self.folders[0])
        return found

    def stylesheet_text(self, relative: str) -> str:
        return "\n".join(path.read_text(encoding="utf-8") for path in self.chain(relative))

    @property
    def template_dirs(self) -> list[str]:
        return [str(folder / "templates") for folder in self.folders if (folder / "templates").is_dir()]


def _resolve(name_or_path: str, base: Path) -> Path:
    as_path = Path(name_or_path)
    if as_path.is_dir():
        return as_path.resolve()
    builtin = builtin_themes_dir() / name_or_path
    if builtin.is_dir():
        return builtin
    known = ", ".join(sorted(p.name for p in builtin_themes_dir().iterdir() if p.is_dir()))
    raise fail(ExitCode.THEME, "T001", f"no theme called {name_or_path!r}; choose one of: {known}, or a theme folder", base)


def load_theme(name_or_path: str, base: Path = Path(".")) -> Theme:
    folders: list[Path] = []
    settings: dict[str, object] = {}
    folder: Path | None = _resolve(name_or_path, base)
    while folder is not None:
        if folder in folders:
            raise fail(ExitCode.THEME, "T003", "themes extend each other in a loop", folder / "theme.toml")
        folders.append(folder)
        toml = folder / "theme.toml"
        data = tomllib.loads(toml.read_text(encoding="utf-8")) if toml.is_file() else {}
        for key, value in data.items():
            settings.setdefault(key, value)  # the more specific theme wins
        parent = data.get("extends")
        folder = _resolve(str(parent), folder) if parent else None
    return Theme(folders[0].name, tuple(folders), settings)
