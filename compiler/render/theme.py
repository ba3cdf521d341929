"""Render stage: themes are data — a folder with `theme.toml`, templates, `epub.css`, `print.css`
and fonts, which may `extends` another theme. Files are looked up user folder first, then the theme,
then its parents, so a user's theme overrides a built-in one file by file.

A theme is named two ways. A bare name (`classic`) is always a built-in theme, whatever folders
the current directory holds; a path (`./mytheme`, `../themes/dark`, `/srv/themes/x`) is a folder,
which must hold a `theme.toml` to be a theme. `extends` names a built-in theme, or a folder by a
path relative to the extending theme's folder; an absolute `extends` is refused, since a theme is
a folder meant to be shared and moved, and one from elsewhere must not reach into this machine's
other folders. Every file of a theme (theme.toml, stylesheets, templates, fonts) is read only if it
resolves, links followed, inside the folders of the theme's chain.

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
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..confine import TooLarge, file_or_link, inside, is_folder, is_regular_file, names_a_folder, read_bounded, resolved
from ..diagnostics import BuildError, Diagnostic, diagnostic, stop, stopping, suggestion
from ..model import unshowable
from ..tomlfile import TomlProblem, parse_toml
from ..trims import parse_trim

# A theme's own text files (theme.toml, stylesheets, templates): the built-in ones are under 20 KB.
MAX_THEME_FILE_BYTES = 2 * 1024 * 1024
FONT_SUFFIXES = (".otf", ".ttf", ".ttc", ".otc", ".woff", ".woff2")


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
    volume: str = "Volume {roman}"  # one volume of several: {roman} is II, {number} is 2 (compiler/volumes.py)


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
            elif chars := unshowable(value):
                errors.append(diagnostic("T007", path, key=f"{where}{key}", expected="text a book can show", got=f"text holding {chars}"))
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
        if schema is SystemFontSettings and isinstance(table.get("files"), list):
            for name in table["files"]:
                if isinstance(name, str) and not name.lower().endswith(FONT_SUFFIXES):
                    errors.append(diagnostic("T004", path, problem=f"{where}files: {name!r} is not a font file ({', '.join(FONT_SUFFIXES)})"))
        if schema is CoverSettings:
            for key in ("font", "italic_font"):
                value = table.get(key)
                if isinstance(value, str) and value and not _theme_relative(value):
                    errors.append(diagnostic("T007", path, key=f"{where}{key}", expected="a font file's path inside the theme (fonts/…)", got=repr(value)))
        if schema is PrintSettings and isinstance(table.get("trim"), str) and not unshowable(table["trim"]):
            try:
                parse_trim(table["trim"])
            except BuildError:
                errors.append(diagnostic("T007", path, key=f"{where}trim", expected="a trim size (5x8, 6x9, A5… or WIDTHxHEIGHT with in, mm, cm or pt, within 2×3 … 18×18 in)", got=repr(table["trim"])))

    check(data, ThemeSettings, "")
    return errors


def _theme_relative(name: str) -> bool:
    """A file named inside a theme: a relative path that does not climb out with `..`."""
    path = Path(name)
    return not path.is_absolute() and ".." not in path.parts and bool(path.parts)


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

    def confined(self, path: Path) -> Path:
        """`path` if it is a plain file that resolves inside the theme's folders; else the error saying why."""
        if not inside(path, self.folders):
            target = resolved(path)
            raise stop("T009", path, file=path.name, problem=f"it links outside the theme's folders (to {target})" if target else "it is a link that loops")
        if not is_regular_file(path):
            raise stop("T009", path, file=path.name, problem="it is not a file (a folder, a link that leads nowhere, a pipe or a device)")
        return path

    def find(self, relative: str) -> Path:
        if not _theme_relative(relative):
            raise stop("T009", self.folders[0], file=relative, problem="a theme's files are named inside the theme (fonts/…), not by an outside path")
        for folder in self.folders:
            candidate = folder / relative
            if file_or_link(candidate):
                return self.confined(candidate)
        raise stop("T002", self.folders[0], name=repr(self.name), file=relative)

    def chain(self, relative: str) -> list[Path]:
        """Every theme's copy of a stylesheet, parent first: a child's sheet cascades over its parent's."""
        found = [self.confined(folder / relative) for folder in reversed(self.folders) if file_or_link(folder / relative)]
        if not found:
            raise stop("T002", self.folders[0], name=repr(self.name), file=relative)
        return found

    def files(self, subfolder: str, suffixes: tuple[str, ...]) -> list[Path]:
        """The files of `subfolder` (fonts/) in every theme of the chain, most specific first, by name;
        one that leads outside the theme's folders is an error, not skipped: the book would differ."""
        found: list[Path] = []
        for folder in self.folders:
            if is_folder(folder / subfolder):
                found += [self.confined(p) for p in sorted((folder / subfolder).iterdir()) if p.suffix.lower() in suffixes]
        return found

    def read_text(self, path: Path) -> str:
        """A theme text file (a stylesheet, a template): inside the theme, bounded, UTF-8."""
        try:
            data = read_bounded(self.confined(path), MAX_THEME_FILE_BYTES)
            return data.decode("utf-8")
        except TooLarge as big:
            raise stop("T009", path, file=path.name, problem=f"it is {big.size // 1024:,} KB, over the {MAX_THEME_FILE_BYTES // 1024:,} KB a theme's text file may be") from None
        except UnicodeDecodeError as exc:
            raise stop("T009", path, file=path.name, problem=f"it is not UTF-8 (byte {exc.start + 1}); save it as UTF-8") from None
        except OSError as exc:
            raise stop("T009", path, file=path.name, problem=exc.strerror or str(exc)) from None

    def stylesheet_text(self, relative: str) -> str:
        return "\n".join(self.read_text(path) for path in self.chain(relative))


def _builtin(name: str, base: Path) -> Path:
    themes = builtin_themes_dir()
    known = sorted(p.name for p in themes.iterdir() if (p / "theme.toml").is_file())
    if name in known:
        return themes / name
    # A folder of that name here is not taken for the theme: a path says a folder is meant.
    if name and is_folder(Path(name)):
        hint = f"; to use the folder {name}, write it as a path: ./{name}"
    else:
        near = difflib.get_close_matches(name, known, n=1)
        hint = f' (did you mean "{near[0]}"?)' if near else ""
    raise stop("T001", base, name=repr(name), known=", ".join(known), hint=hint)


def _folder(path: Path, shown: str, base: Path) -> Path:
    """A theme folder named by a path: it must exist and hold a theme.toml."""
    folder = resolved(path)
    if folder is None or not is_folder(folder):
        raise stop("T001", base, name=repr(shown), known=", ".join(sorted(p.name for p in builtin_themes_dir().iterdir() if p.is_dir())), hint="")
    if not file_or_link(folder / "theme.toml"):
        raise stop("T008", folder, folder=shown)
    return folder


def _resolve(name_or_path: str, base: Path) -> Path:
    """The folder of the theme a user named (--theme, or the manifest's `theme`, which the
    manifest's reader has made relative to the stories folder)."""
    if names_a_folder(name_or_path):
        return _folder(Path(name_or_path), name_or_path, base)
    return _builtin(name_or_path, base)


def _parent(name: str, child: Path) -> Path:
    """The theme `child`'s theme.toml extends: a built-in by name, or a folder relative to `child`."""
    toml = child / "theme.toml"
    if not names_a_folder(name):
        return _builtin(name, toml)
    if Path(name).is_absolute():
        raise stop("T012", toml, name=repr(name), problem="an absolute path is refused; name the parent by a path relative to this theme's folder")
    return _folder(child / name, name, toml)


def _read(folder: Path) -> tuple[dict[str, Any], list[Diagnostic]]:
    toml = folder / "theme.toml"
    if not file_or_link(toml):
        return {}, []  # only the built-in themes' folders are taken without one (_folder requires it)
    if not inside(toml, folder):
        target = resolved(toml)
        return {}, [diagnostic("T009", toml, file="theme.toml", problem=f"it links outside the theme's folder (to {target})" if target else "it is a link that loops")]
    try:
        data = parse_toml(read_bounded(toml, MAX_THEME_FILE_BYTES))
    except TooLarge as big:
        return {}, [diagnostic("T009", toml, file="theme.toml", problem=f"it is {big.size // 1024:,} KB, over the {MAX_THEME_FILE_BYTES // 1024:,} KB a theme's text file may be")]
    except OSError as exc:
        return {}, [diagnostic("T009", toml, file="theme.toml", problem=exc.strerror or str(exc))]
    except TomlProblem as exc:
        return {}, [diagnostic("T006", toml, error=exc)]
    return data, validate(data, toml)


def load_theme(name_or_path: str, base: Path = Path(".")) -> Theme:
    """The theme a user named: a built-in theme's name, or a theme folder's path (relative paths
    from the current directory; `base`, the stories folder, is where errors point)."""
    folders: list[Path] = []
    tables: list[dict[str, Any]] = []  # most specific first
    errors: list[Diagnostic] = []
    folder: Path | None = _resolve(name_or_path, base)
    while folder is not None:
        if folder in folders:
            raise stop("T003", folder / "theme.toml")
        folders.append(folder)
        data, problems = _read(folder)
        tables.append(data)
        errors += problems
        parent = data.get("extends")
        folder = _parent(parent, folder) if isinstance(parent, str) and parent else None
    if errors:
        raise stopping(errors)
    merged: dict[str, Any] = {}
    for data in reversed(tables):  # the root first, each child over it
        merged = _merged(data, merged)
    return Theme(folders[0].name, tuple(folders), _typed(ThemeSettings, merged))
