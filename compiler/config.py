"""The manifest, `anthology.toml`: a declarative schema checked as a whole.

Every problem is reported at once (not the first one only), unknown keys with the nearest valid
name, so a user fixes the file in one pass.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic, diagnostic, stopping, suggestion
from .signatures import Signatures

MANIFEST = "anthology.toml"


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


def _check_table(
    table: dict[str, Any], schema: Mapping[str, tuple[type | tuple[type, ...], str]], where: str, path: Path, errors: list[Diagnostic]
) -> None:
    for key, value in table.items():
        if key not in schema:
            errors.append(diagnostic("C001", path, key=f"{where}{key}", suggestion=suggestion(key, list(schema))))
            continue
        expected, _ = schema[key]
        if not isinstance(value, expected):
            errors.append(diagnostic("C002", path, key=f"{where}{key}", expected=f"be a {_type_name(expected)}, not {_type_name(type(value))}"))
        elif isinstance(value, list) and key == "sections":
            if not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
                errors.append(diagnostic("C002", path, key=f"{where}{key}", expected="list heading texts or line numbers"))
        elif isinstance(value, list) and not all(isinstance(v, str) for v in value):
            errors.append(diagnostic("C002", path, key=f"{where}{key}", expected="be a list of strings"))


def _strings(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str) and v.strip())
    return None


def _story_override(table: dict[str, Any], where: str, path: Path, errors: list[Diagnostic]) -> StoryOverride:
    """A valid table's override (type errors are reported by _check_table; these are the value errors)."""

    def text(key: str) -> str | None:
        value = table.get(key)
        return value if isinstance(value, str) else None

    if "author" in table and "authors" in table:
        errors.append(diagnostic("C006", path, where=where))
    breaks = text("scene_breaks")
    if breaks is not None and breaks not in SCENE_BREAKS:
        near = difflib.get_close_matches(breaks, SCENE_BREAKS, n=1)
        hint = f'; did you mean "{near[0]}"?' if near else ""
        errors.append(diagnostic("C007", path, where=where, choices=", ".join(SCENE_BREAKS), value=breaks, hint=hint))
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


def _outside(source: Path, name: str) -> bool:
    """A manifest names files in its own folder only: no paths, no way out through "..", "/" or links."""
    return Path(name).name != name or not (source / name).resolve().is_relative_to(source.resolve())


def load_config(source: Path) -> Config:
    path = source / MANIFEST
    if not path.is_file():
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        # tomllib names the line and column in its message.
        raise stopping([diagnostic("C000", path, error=exc)]) from None
    errors: list[Diagnostic] = []
    _check_table(data, _BOOK_KEYS, "", path, errors)
    if isinstance(data.get("signatures"), dict):
        _check_table(data["signatures"], _SIGNATURE_KEYS, "signatures.", path, errors)
    stories: dict[str, StoryOverride] = {}
    raw_stories = data.get("stories", {})
    if isinstance(raw_stories, dict):
        for name, table in raw_stories.items():
            if not isinstance(table, dict):
                errors.append(diagnostic("C002", path, key=f'stories."{name}"', expected="be a table"))
                continue
            _check_table(table, _STORY_KEYS, f'stories."{name}".', path, errors)
            if _outside(source, name):
                errors.append(diagnostic("C004", path, name=f'"{name}"', source=source, where=f'stories."{name}"'))
            elif not (source / name).is_file():
                errors.append(diagnostic("C003", path, name=f'"{name}"', source=source, where=f'stories."{name}"'))
            stories[name] = _story_override(table, f'stories."{name}".', path, errors)
    seen: set[str] = set()
    for name in data.get("order", []) if isinstance(data.get("order"), list) else []:
        if not isinstance(name, str):
            continue
        if _outside(source, name):
            errors.append(diagnostic("C004", path, name=f'"{name}"', source=source, where="order"))
        elif not (source / name).is_file():
            errors.append(diagnostic("C003", path, name=f'"{name}"', source=source, where="order"))
        elif name in seen:
            errors.append(diagnostic("C005", path, name=name))
        seen.add(name)
    if errors:
        raise stopping(errors)
    defaults = Config()
    return Config(
        title=data.get("title", defaults.title),
        editor=data.get("editor", defaults.editor),
        language=data.get("language", defaults.language),
        subjects=tuple(data.get("subjects", ())),
        order=tuple(data.get("order", ())),
        theme=data.get("theme", defaults.theme),
        trim=data.get("trim", defaults.trim),
        signatures=_signatures(data.get("signatures")),
        stories=stories,
        path=path,
    )
