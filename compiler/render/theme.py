"""Render stage: themes are data — a folder with `theme.toml`, templates, `epub.css`, `print.css`
and fonts, which may `extends` another theme. Files are looked up user folder first, then the theme,
then its parents, so a user's theme overrides a built-in one file by file.

`theme.toml` has a schema (`ThemeSettings`, below): each file of the chain is checked against it
as a whole, every problem reported at once with its file (unknown keys with the nearest valid
one), before anything is rendered. A child's keys override its parent's, table by table ([print],
[labels], [cover], [extra] key by key; [[system_fonts]] as a whole list). A theme's own data for its
templates goes under [extra].
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, diagnostic, stop, stopping, suggestion


def builtin_themes_dir() -> Path:
    # A source checkout keeps themes/ beside the package; an installed wheel ships them inside it.
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "themes", here / "themes"):
        if candidate.is_dir():
            return candidate
    raise stop("T000", here)


# ------------------------------------------------------------------------------------- the schema


@dataclass(frozen=True)
class PrintSettings:
    """[print]: the page, in inches; the build widens the inside margin as the page count calls for."""

    trim: str = "5.5x8.5"  # the print trim (compiler/package/pdf/pagesetup.py names the choices)
    top: float = 0.7
    bottom: float = 0.75
    outside: float = 0.6
    inside: float = 0.75


@dataclass(frozen=True)
class Labels:
    """[labels]: the headings the book writes itself."""

    contents: str = "Contents"
    notes: str = "Notes"
    rights: str = "Rights and Disclaimers"


@dataclass(frozen=True)
class CoverSettings:
    """[cover]: the drawn EPUB cover and the print wrap cover."""

    background: str = "#f3ede2"
    ink: str = "#2a2420"
    accent: str = "#8b6b3d"
    font: str = ""  # a font file of the theme for the drawn cover's title; "": the first upright face
    italic_font: str = ""
    back_size: float = 10.5  # the wrap cover's back: its largest type, in points…
    back_min_size: float = 7.5  # …and the smallest it shrinks to before leaving the summaries out


@dataclass(frozen=True)
class SystemFontSettings:
    """[[system_fonts]]: a font too large to ship, named by its installed files (package/pdf/systemfonts.py)."""

    family: str
    files: tuple[str, ...]
    unicode_range: str  # as in CSS: "U+3000-9FFF, U+AC00-D7FF"
    install: str = ""  # what a user runs to get the files

    @property
    def ranges(self) -> tuple[tuple[int, int], ...]:
        return tuple(_range(part) for part in _range_parts(self.unicode_range))


@dataclass(frozen=True)
class ThemeSettings:
    name: str = ""
    description: str = ""
    extends: str = ""  # the parent theme: a built-in theme's name or a folder
    author_separator: str = " · "  # between authors on the title page and the wrap cover
    scene_break: str = "* * *"  # the ornament at a scene break, as text in both books (so every reader shows it)
    labels: Labels = field(default_factory=Labels)
    print: PrintSettings = field(default_factory=PrintSettings)
    cover: CoverSettings = field(default_factory=CoverSettings)
    system_fonts: tuple[SystemFontSettings, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)  # the theme's own data, for its templates

    def for_templates(self) -> dict[str, Any]:
        """What templates see as `theme`: these settings as plain tables (`theme.labels.notes`)."""
        return dataclasses.asdict(self)


_RANGE = re.compile(r"U\+([0-9A-Fa-f]{1,6})(?:-([0-9A-Fa-f]{1,6}))?")


def _range_parts(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


def _range(part: str) -> tuple[int, int]:
    match = _RANGE.fullmatch(part)
    assert match is not None, part  # validated when the theme was loaded
    return int(match.group(1), 16), int(match.group(2) or match.group(1), 16)


def _kind(expected: Any) -> str:
    origin = typing.get_origin(expected)
    if origin is tuple:
        (item, _) = typing.get_args(expected)
        return "an array of tables" if dataclasses.is_dataclass(item) else "a list of strings"
    if dataclasses.is_dataclass(expected) or origin is dict:
        return "a table"
    return {str: "a string", float: "a number"}.get(expected, str(expected))


def _toml_kind(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    return {str: "a string", int: "a number", float: "a number", list: "a list", dict: "a table"}.get(type(value), type(value).__name__)


def _fits(value: object, expected: Any) -> bool:
    origin = typing.get_origin(expected)
    if origin is tuple:
        (item, _) = typing.get_args(expected)
        wanted = dict if dataclasses.is_dataclass(item) else str
        return isinstance(value, list) and all(isinstance(v, wanted) for v in value)
    if dataclasses.is_dataclass(expected) or origin is dict:
        return isinstance(value, dict)
    if expected is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, expected)


def validate(data: dict[str, Any], path: Path) -> list[Diagnostic]:
    """Every problem of one theme.toml against the schema, all at once."""
    errors: list[Diagnostic] = []

    def check(table: dict[str, Any], schema: Any, where: str) -> None:
        hints = typing.get_type_hints(schema)
        known = [f.name for f in dataclasses.fields(schema)]
        required = [f.name for f in dataclasses.fields(schema) if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
        for key, value in table.items():
            if key not in hints:
                errors.append(diagnostic("T005", path, key=f"{where}{key}", suggestion=suggestion(key, known)))
            elif not _fits(value, hints[key]):
                errors.append(diagnostic("T007", path, key=f"{where}{key}", expected=_kind(hints[key]), got=_toml_kind(value)))
            elif dataclasses.is_dataclass(hints[key]):
                check(value, hints[key], f"{where}{key}.")
            elif typing.get_origin(hints[key]) is tuple and dataclasses.is_dataclass(item := typing.get_args(hints[key])[0]):
                for n, entry in enumerate(value, 1):
                    check(entry, item, f"{where}{key}[{n}].")
        missing = [key for key in required if key not in table]
        if missing:
            problem = f"{where.rstrip('.')} needs {', '.join(missing)}"
            errors.append(diagnostic("T004", path, problem=problem))
        if schema is SystemFontSettings and isinstance(table.get("unicode_range"), str):
            for part in _range_parts(table["unicode_range"]):
                if _RANGE.fullmatch(part) is None:
                    errors.append(diagnostic("T004", path, problem=f"{where}unicode_range: {part!r} is not a range like U+3000-9FFF"))

    check(data, ThemeSettings, "")
    return errors


def _typed(schema: Any, table: dict[str, Any]) -> Any:
    """A validated table as its dataclass."""
    hints = typing.get_type_hints(schema)
    values: dict[str, Any] = {}
    for key, value in table.items():
        expected = hints[key]
        if dataclasses.is_dataclass(expected):
            values[key] = _typed(expected, value)
        elif typing.get_origin(expected) is tuple:
            (item, _) = typing.get_args(expected)
            values[key] = tuple(_typed(item, v) if dataclasses.is_dataclass(item) else v for v in value)
        elif expected is float:
            values[key] = float(value)
        else:
            values[key] = value
    return schema(**values)


def _merged(child: dict[str, Any], parent: dict[str, Any]) -> dict[str, Any]:
    """The child's settings over its parent's: tables key by key, everything else whole."""
    out = dict(parent)
    for key, value in child.items():
        out[key] = {**parent[key], **value} if isinstance(value, dict) and isinstance(parent.get(key), dict) else value
    return out


# -------------------------------------------------------------------------------------- the theme


@dataclass(frozen=True)
class Theme:
    name: str
    folders: tuple[Path, ...]  # most specific first
    settings: ThemeSettings

    def find(self, relative: str) -> Path:
        for folder in self.folders:
            candidate = folder / relative
            if candidate.is_file():
                return candidate
        raise stop("T002", self.folders[0], name=repr(self.name), file=relative)

    def chain(self, relative: str) -> list[Path]:
        """Every theme's copy of a stylesheet, parent first: a child's sheet cascades over its parent's."""
        found = [folder / relative for folder in reversed(self.folders) if (folder / relative).is_file()]
        if not found:
            raise stop("T002", self.folders[0], name=repr(self.name), file=relative)
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
    names = sorted(p.name for p in builtin_themes_dir().iterdir() if p.is_dir())
    near = difflib.get_close_matches(name_or_path, names, n=1)
    hint = f' (did you mean "{near[0]}"?)' if near else ""
    raise stop("T001", base, name=repr(name_or_path), hint=hint, known=", ".join(names))


def _read(toml: Path) -> tuple[dict[str, Any], list[Diagnostic]]:
    if not toml.is_file():
        return {}, []
    try:
        data = tomllib.loads(toml.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return {}, [diagnostic("T006", toml, error=exc)]
    return data, validate(data, toml)


def load_theme(name_or_path: str, base: Path = Path(".")) -> Theme:
    folders: list[Path] = []
    tables: list[dict[str, Any]] = []  # most specific first
    errors: list[Diagnostic] = []
    folder: Path | None = _resolve(name_or_path, base)
    while folder is not None:
        if folder in folders:
            raise stop("T003", folder / "theme.toml")
        folders.append(folder)
        data, problems = _read(folder / "theme.toml")
        tables.append(data)
        errors += problems
        parent = data.get("extends")
        folder = _resolve(parent, folder) if isinstance(parent, str) and parent else None
    if errors:
        raise stopping(errors)
    merged: dict[str, Any] = {}
    for data in reversed(tables):  # the root first, each child over it
        merged = _merged(data, merged)
    return Theme(folders[0].name, tuple(folders), _typed(ThemeSettings, merged))
