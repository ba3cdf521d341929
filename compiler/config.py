"""The manifest, `anthology.toml`: a declarative schema checked as a whole.

Every problem is reported at once (not the first one only), unknown keys with the nearest valid
name, so a user fixes the file in one pass.
"""

from __future__ import annotations

import difflib
import os
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .confine import TooLarge, inside, is_regular_file, lexists, names_a_folder, read_bounded, resolved
from .diagnostics import BuildError, Diagnostic, diagnostic, stop, stopping, suggestion
from .model import unshowable
from .tomlfile import TomlProblem, parse_toml
from .tomllines import key_lines, value_line
from .trims import parse_trim
from .budget import VOLUME_KEYS, VolumeBudget
from .signatures import Signatures

MANIFEST = "anthology.toml"
# A manifest of a thousand stories' overrides is about 200 KB; past this it is not a manifest.
MAX_MANIFEST_BYTES = 1024 * 1024


# Header fields a story may carry ("Rating: T"), each overridable by its key.
FIELD_KEYS = ("rating", "genre", "pairing", "warnings", "fandom", "characters", "category")
SCENE_BREAKS = ("auto", "marked", "none")


@dataclass(frozen=True)
class StoryOverride:
    """What the manifest says about one story; None: keep what the reader recognised."""

    title: str | None = None
    author: str | None = None
    authors: tuple[str, ...] | None = None
    summary: str | None = None
    disclaimer: str | None = None  # "" for none
    fields: dict[str, str] = field(default_factory=dict)  # key -> value; "" drops the field
    language: str | None = None
    notes_before: tuple[str, ...] | None = None  # each string one note; () for none
    notes_after: tuple[str, ...] | None = None
    sections: bool | tuple[str | int, ...] | None = None  # False: no sections; a list: these start them
    first_section: str | None = None  # the untitled first part's heading; "" for none
    scene_breaks: str | None = None  # "auto", "marked" (only drawn ones, not blank lines) or "none"

    def named_authors(self) -> tuple[str, ...] | None:
        return self.authors if self.authors is not None else (self.author,) if self.author else None


@dataclass(frozen=True)
class Config:
    title: str = "Collected Stories"
    editor: str = ""
    language: str = "en"
    subjects: tuple[str, ...] = ()
    order: tuple[str, ...] = ()
    theme: str = "classic"
    trim: str = ""  # empty: the theme's trim
    signatures: Signatures = Signatures()  # [signatures]: how the signatures profile imposes the book
    volumes: VolumeBudget = VolumeBudget()  # [volumes]: split into volumes (--volumes wins over it)
    identifier: str = ""  # empty: derived from the title and editor (book_identifier)
    stories: dict[str, StoryOverride] = field(default_factory=dict)
    path: Path | None = None


# key -> (type, description); the description feeds error messages and the README reference.
_BOOK_KEYS: dict[str, tuple[type, str]] = {
    "title": (str, "the anthology's title"),
    "editor": (str, "who compiled it"),
    "language": (str, "BCP 47 language tag, e.g. en, ru, he"),
    "subjects": (list, "subjects, e.g. the fandoms"),
    "order": (list, "story file names in reading order"),
    "theme": (str, "theme name or folder"),
    "trim": (str, "print trim size: 5x8, 5.25x8, 5.5x8.5, 6x9, A5 or WIDTHxHEIGHT[in|mm|cm|pt]"),
    "signatures": (dict, "how --profile signatures imposes the book: the keys below"),
    "volumes": (dict, "split the anthology into volumes between stories: one of the keys below"),
    "identifier": (str, "the book's identifier (a URN, an ISBN…); change it to start a new book"),
    "stories": (dict, "per-story overrides, keyed by file name"),
}
# [signatures]: the same choices as the build's flags (--layout, --sheets, …), which win over them.
_SIGNATURE_KEYS: dict[str, tuple[type | tuple[type, ...], str]] = {
    "layout": (str, "folio, quarto, octavo or sextodecimo"),
    "sheets": (int, "folded sheets per signature (default: 4 folio, 2 quarto, 1 octavo or sextodecimo)"),
    "duplex": (bool, "false to print every front, then every back, on a one-sided printer"),
    "flyleaves": (int, "blank leaves before the first page and after the last"),
    "pages": (str, 'page ranges of the book to impose, e.g. "1-48,97-"'),
    "marks": (list, "any of cut, crop, sewing, order"),
    "paper": (str, "letter, legal, tabloid, a4, a3 or WIDTHxHEIGHT[in|mm|cm|pt]"),
}
# [volumes]: one way of saying how many (compiler/volumes.py); --volumes N wins over it.
_VOLUME_KEYS: dict[str, tuple[type | tuple[type, ...], str]] = {
    "count": (int, "this many volumes, of even size by words"),
    "words": (int, "as few volumes as keep each within this many words (a bound volume: 175000–200000)"),
    "pages": (int, "as few volumes as keep each within about this many pages (estimated from the words)"),
}
assert tuple(_VOLUME_KEYS) == VOLUME_KEYS
_STORY_KEYS: dict[str, tuple[type | tuple[type, ...], str]] = {
    "title": (str, "the story's title"),
    "author": (str, "the story's author"),
    "authors": (list, "the story's authors, when there are several"),
    "summary": (str, "the blurb"),
    "disclaimer": (str, 'the disclaimer for the rights page; "" for none'),
    **{key: (str, f'the "{key.capitalize()}:" field shown with the summary; "" to leave it out') for key in FIELD_KEYS},
    "language": (str, "the story's language"),
    "notes_before": ((str, list), 'the author\'s note(s) before the story; "" or [] for none'),
    "notes_after": ((str, list), 'the author\'s note(s) after the story; "" or [] for none'),
    "sections": ((bool, list), "false for no sections, or the lines (text or line number) that start them"),
    "first_section": (str, 'heading of an untitled first part; "" for none'),
    "scene_breaks": (str, 'which breaks count: "auto", "marked" (drawn ones only, not blank lines) or "none"'),
}


def _type_name(expected: type | tuple[type, ...]) -> str:
    names = {"str": "string", "list": "list", "bool": "boolean", "dict": "table", "int": "whole number"}
    kinds = expected if isinstance(expected, tuple) else (expected,)
    return " or ".join(names.get(k.__name__, k.__name__) for k in kinds)


Line = Callable[..., int]  # key path → the line it is written on in anthology.toml (0: not found)


def _locator(text: str) -> Line:
    lines = key_lines(text)

    def line(*keys: str) -> int:
        for n in range(len(keys), 0, -1):  # the key, else the nearest table it is in
            if keys[:n] in lines:
                return lines[keys[:n]]
        return 0

    return line


def _check_table(
    table: dict[str, Any],
    schema: Mapping[str, tuple[type | tuple[type, ...], str]],
    where: str,
    path: Path,
    errors: list[Diagnostic],
    at: tuple[str, ...] = (),
    line: Line = lambda *_keys: 0,
) -> None:
    for key, value in table.items():
        found = (path, line(*at, key))
        if key not in schema:
            errors.append(diagnostic("C001", *found, key=f"{where}{key}", suggestion=suggestion(key, list(schema))))
            continue
        expected, _ = schema[key]
        if chars := unshowable(value):
            errors.append(diagnostic("C008", *found, key=f"{where}{key}", chars=chars))
        elif not isinstance(value, expected):
            errors.append(diagnostic("C002", *found, key=f"{where}{key}", expected=f"be a {_type_name(expected)}, not {_type_name(type(value))}"))
        elif isinstance(value, list) and key == "sections":
            if not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
                errors.append(diagnostic("C002", *found, key=f"{where}{key}", expected="list heading texts or line numbers"))
        elif isinstance(value, list) and not all(isinstance(v, str) for v in value):
            errors.append(diagnostic("C002", *found, key=f"{where}{key}", expected="be a list of strings"))


def _strings(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str) and v.strip())
    return None


def _story_override(table: dict[str, Any], where: str, path: Path, errors: list[Diagnostic], at: tuple[str, ...] = (), line: Line = lambda *_keys: 0) -> StoryOverride:
    """A valid table's override (type errors are reported by _check_table; these are the value errors)."""

    def text(key: str) -> str | None:
        value = table.get(key)
        return value if isinstance(value, str) else None

    if "author" in table and "authors" in table:
        errors.append(diagnostic("C006", path, line(*at, "authors"), where=where))
    breaks = text("scene_breaks")
    if breaks is not None and breaks not in SCENE_BREAKS:
        near = difflib.get_close_matches(breaks, SCENE_BREAKS, n=1)
        hint = f'; did you mean "{near[0]}"?' if near else ""
        errors.append(diagnostic("C007", path, line(*at, "scene_breaks"), where=where, choices=", ".join(SCENE_BREAKS), value=breaks, hint=hint))
        breaks = None
    sections = table.get("sections")
    if isinstance(sections, list):
        sections = tuple(v for v in sections if isinstance(v, (str, int)) and not isinstance(v, bool))
    elif not isinstance(sections, bool):
        sections = None
    authors = table.get("authors")
    return StoryOverride(
        title=text("title"),
        author=text("author"),
        authors=tuple(a for a in authors if isinstance(a, str)) if isinstance(authors, list) else None,
        summary=text("summary"),
        disclaimer=text("disclaimer"),
        fields={key: value for key in FIELD_KEYS if (value := text(key)) is not None},
        language=text("language"),
        notes_before=_strings(table.get("notes_before")),
        notes_after=_strings(table.get("notes_after")),
        sections=sections,
        first_section=text("first_section"),
        scene_breaks=breaks,
    )


def _signatures(table: Any) -> Signatures:
    """A `[signatures]` table's choices (its types checked by _check_table, its values by the
    signatures profile, which names this file)."""
    if not isinstance(table, dict):
        return Signatures()

    def typed(key: str, kind: type) -> Any:
        value = table.get(key)
        return value if isinstance(value, kind) and not (kind is int and isinstance(value, bool)) else None

    marks = typed("marks", list)
    return Signatures(
        layout=typed("layout", str), sheets=typed("sheets", int), duplex=typed("duplex", bool), flyleaves=typed("flyleaves", int),
        pages=typed("pages", str), marks=tuple(str(m) for m in marks) if marks is not None else None, paper=typed("paper", str),
    )


def _volumes(table: Any, path: Path, line: Line, errors: list[Diagnostic]) -> VolumeBudget:
    """A `[volumes]` table's budget (its types checked by _check_table); one key, a number over 0."""
    if not isinstance(table, dict):
        return VolumeBudget()
    for key in (k for k in VOLUME_KEYS if isinstance(table.get(k), bool)):  # TOML's true is no count (and Python's bool is an int)
        errors.append(diagnostic("C012", path, line("volumes", key), problem=f"{key} must be a whole number, not {str(table[key]).lower()}"))
    given = {key: value for key in VOLUME_KEYS if isinstance(value := table.get(key), int) and not isinstance(value, bool)}
    if len(given) > 1:
        errors.append(diagnostic("C012", path, line("volumes"), problem=f"give one of {', '.join(given)}, not {len(given)}: each says how many volumes on its own"))
    for key, value in given.items():
        if value < 1:
            errors.append(diagnostic("C012", path, line("volumes", key), problem=f"{key} must be 1 or more, not {value}"))
    if len(given) != 1 or any(value < 1 for value in given.values()):
        return VolumeBudget()
    return VolumeBudget(**given)


def _outside(source: Path, name: str) -> bool:
    """A manifest names files in its own folder only: no paths, no way out through "..", "/" or
    links. (A link that loops leads nowhere: not outside, but no story file either.)"""
    return Path(name).name != name or (resolved(source / name) is not None and not inside(source / name, source))


def _read_manifest(path: Path, source: Path) -> tuple[dict[str, Any], str] | None:
    """The manifest's table; None when there is none. Read only if it is a plain file that is (or
    links to one) inside the stories folder, and not past MAX_MANIFEST_BYTES."""
    if not lexists(path):
        return None
    if not inside(path, source):
        target = resolved(path)
        problem = f"it links outside the stories folder (to {target}); copy it in instead" if target else "it is a link that loops"
        raise stop("C011", path, problem=problem)
    if not is_regular_file(path):
        raise stop("C011", path, problem="it is not a file (a folder, a link that leads nowhere, a pipe or a device)")
    try:
        data = read_bounded(path, MAX_MANIFEST_BYTES)
    except TooLarge as big:
        raise stop("C011", path, problem=f"it is {big.size // 1024:,} KB, over the {MAX_MANIFEST_BYTES // 1024:,} KB a manifest may be") from None
    except OSError as exc:
        raise stop("C011", path, problem=exc.strerror or str(exc)) from None
    try:
        # The text too: the diagnostics name the line each key is written on.
        return parse_toml(data), data.decode("utf-8")
    except TomlProblem as exc:
        # tomllib names the line and column in its message; the diagnostic carries the line too.
        raise stop("C000", path, _syntax_line(str(exc), data), error=exc) from None


def _theme(value: Any, source: Path) -> str:
    """The manifest's theme: a built-in theme's name as it is; a folder, written as a path
    ("./mytheme", "../themes/dark"), is the stories folder's, never the current directory's."""
    if not isinstance(value, str):
        return Config().theme
    # Joined as text: `Path(".") / "./mine"` is "mine", a bare name again, which would mean the
    # built-in theme of that name (the default stories folder is ".").
    return os.path.join(source, value) if names_a_folder(value) and not Path(value).is_absolute() else value


def _nearest_file(source: Path, name: str) -> str:
    """'; did you mean "…"?' with the file in the folder nearest to a misspelt name, or ''."""
    try:
        files = [p.name for p in source.iterdir() if p.is_file() and p.name != MANIFEST and not p.name.startswith(".")]
    except OSError:
        return ""
    near = difflib.get_close_matches(name, files, n=1, cutoff=0.6)
    return f'; did you mean "{near[0]}"?' if near else ""


def _syntax_line(message: str, data: bytes) -> int:
    found = re.search(r"at line (\d+)", message)
    if found:
        return int(found.group(1))
    return len(data.splitlines()) if "end of document" in message else 0


def load_config(source: Path) -> Config:
    path = source / MANIFEST
    read = _read_manifest(path, source)
    if read is None:
        return Config()
    data, text = read
    line = _locator(text)
    errors: list[Diagnostic] = []
    _check_table(data, _BOOK_KEYS, "", path, errors, (), line)
    if isinstance(data.get("signatures"), dict):
        _check_table(data["signatures"], _SIGNATURE_KEYS, "signatures.", path, errors, ("signatures",), line)
    if isinstance(data.get("volumes"), dict):
        _check_table(data["volumes"], _VOLUME_KEYS, "volumes.", path, errors, ("volumes",), line)
    volumes = _volumes(data.get("volumes"), path, line, errors)
    stories: dict[str, StoryOverride] = {}
    raw_stories = data.get("stories", {})
    if isinstance(raw_stories, dict):
        for name, table in raw_stories.items():
            at = ("stories", name)
            if not isinstance(table, dict):
                errors.append(diagnostic("C002", path, line(*at), key=f'stories."{name}"', expected="be a table"))
                continue
            _check_table(table, _STORY_KEYS, f'stories."{name}".', path, errors, at, line)
            if name == MANIFEST:
                errors.append(diagnostic("C009", path, line(*at), name=name, where=f'stories."{name}"'))
            elif _outside(source, name):
                errors.append(diagnostic("C004", path, line(*at), name=f'"{name}"', source=source, where=f'stories."{name}"'))
            elif not is_regular_file(source / name):
                errors.append(diagnostic("C003", path, line(*at), name=f'"{name}"', source=source, where=f'stories."{name}"', hint=_nearest_file(source, name)))
            stories[name] = _story_override(table, f'stories."{name}".', path, errors, at, line)
    seen: set[str] = set()
    for name in data.get("order", []) if isinstance(data.get("order"), list) else []:
        if not isinstance(name, str):
            continue
        found = (path, value_line(text, line("order"), name) if line("order") else 0)
        if name == MANIFEST:
            errors.append(diagnostic("C009", *found, name=name, where="order"))
        elif _outside(source, name):
            errors.append(diagnostic("C004", *found, name=f'"{name}"', source=source, where="order"))
        elif not is_regular_file(source / name):
            errors.append(diagnostic("C003", *found, name=f'"{name}"', source=source, where="order", hint=_nearest_file(source, name)))
        elif name in seen:
            errors.append(diagnostic("C005", *found, name=name))
        seen.add(name)
    trim = data.get("trim")
    if isinstance(trim, str) and trim and not unshowable(trim):
        try:
            parse_trim(trim, path)  # checked for every build, not only when a PDF is made
        except BuildError as bad:
            errors += bad.diagnostics
    if errors:
        raise stopping(errors)
    defaults = Config()
    return Config(
        title=data.get("title", defaults.title),
        editor=data.get("editor", defaults.editor),
        language=data.get("language", defaults.language),
        subjects=tuple(data.get("subjects", ())),
        order=tuple(data.get("order", ())),
        theme=_theme(data.get("theme", defaults.theme), source),
        trim=data.get("trim", defaults.trim),
        signatures=_signatures(data.get("signatures")),
        volumes=volumes,
        identifier=data.get("identifier", defaults.identifier).strip(),
        stories=stories,
        path=path,
    )


# Any fixed UUID would do: it keeps our name-based identifiers apart from other programs'.
_NAMESPACE = uuid.UUID("8d3f8f4e-2b8c-5f0e-9a57-6e0c7d1a4b21")


def book_identifier(config: Config) -> str:
    """The book's `dc:identifier`: the manifest's `identifier`, else one derived from the title and
    the editor. Never from the stories' bytes: readers that match books by identifier (Kobo, Apple
    Books, calibre) must file a corrected build as the same book, and a new title, editor or
    `identifier` as a new one."""
    if config.identifier:
        return config.identifier
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, config.title + chr(10) + config.editor)}"

