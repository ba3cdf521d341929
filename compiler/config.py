"""The manifest, `anthology.toml`: a declarative schema checked as a whole.

Every problem is reported at once (not the first one only), unknown keys with the nearest valid
name, so a user fixes the file in one pass.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import BuildError, Diagnostic, ExitCode, Severity

MANIFEST = "anthology.toml"


@dataclass(frozen=True)
class StoryOverride:
    title: str | None = None
    author: str | None = None
    summary: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Config:
    title: str = "Collected Stories"
    editor: str = ""
    language: str = "en"
    subjects: tuple[str, ...] = ()
    order: tuple[str, ...] = ()
    theme: str = "classic"
    trim: str = ""  # empty: the theme's trim
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
    "stories": (dict, "per-story overrides, keyed by file name"),
}
_STORY_KEYS: dict[str, tuple[type, str]] = {
    "title": (str, "the story's title"),
    "author": (str, "the story's author"),
    "summary": (str, "the blurb"),
    "language": (str, "the story's language"),
}


def _check_table(
    table: dict[str, Any], schema: dict[str, tuple[type, str]], where: str, path: Path, errors: list[Diagnostic]
) -> None:
    for key, value in table.items():
        if key not in schema:
            near = difflib.get_close_matches(key, list(schema), n=1)
            hint = f'; did you mean "{near[0]}"?' if near else f"; valid keys: {', '.join(schema)}"
            errors.append(Diagnostic("C001", Severity.ERROR, f"unknown key {where}{key}{hint}", path))
            continue
        expected, _ = schema[key]
        if not isinstance(value, expected):
            errors.append(
                Diagnostic(
                    "C002",
                    Severity.ERROR,
                    f"{where}{key} must be a {expected.__name__}, not {type(value).__name__}",
                    path,
                )
            )
        elif expected is list and not all(isinstance(v, str) for v in value):
            errors.append(Diagnostic("C002", Severity.ERROR, f"{where}{key} must be a list of strings", path))


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
        raise BuildError(ExitCode.CONFIG, [Diagnostic("C000", Severity.ERROR, f"not valid TOML: {exc}", path)]) from None
    errors: list[Diagnostic] = []
    _check_table(data, _BOOK_KEYS, "", path, errors)
    stories: dict[str, StoryOverride] = {}
    raw_stories = data.get("stories", {})
    if isinstance(raw_stories, dict):
        for name, table in raw_stories.items():
            if not isinstance(table, dict):
                errors.append(Diagnostic("C002", Severity.ERROR, f'stories."{name}" must be a table', path))
                continue
            _check_table(table, _STORY_KEYS, f'stories."{name}".', path, errors)
            if _outside(source, name):
                errors.append(Diagnostic("C004", Severity.ERROR, f'stories."{name}" is outside {source}', path))
            elif not (source / name).is_file():
                errors.append(
                    Diagnostic("C003", Severity.ERROR, f'stories."{name}": no such story file in {source}', path)
                )
            stories[name] = StoryOverride(**{k: v for k, v in table.items() if k in _STORY_KEYS and isinstance(v, str)})
    seen: set[str] = set()
    for name in data.get("order", []) if isinstance(data.get("order"), list) else []:
        if not isinstance(name, str):
            continue
        if _outside(source, name):
            errors.append(
                Diagnostic("C004", Severity.ERROR, f'order: "{name}" is outside {source}; copy the story into the folder', path)
            )
        elif not (source / name).is_file():
            errors.append(Diagnostic("C003", Severity.ERROR, f'order: "{name}" is not a story file in {source}', path))
        elif name in seen:
            errors.append(Diagnostic("C005", Severity.ERROR, f'order: "{name}" is listed twice; keep one', path))
        seen.add(name)
    if errors:
        raise BuildError(ExitCode.CONFIG, errors)
    defaults = Config()
    return Config(
        title=data.get("title", defaults.title),
        editor=data.get("editor", defaults.editor),
        language=data.get("language", defaults.language),
        subjects=tuple(data.get("subjects", ())),
        order=tuple(data.get("order", ())),
        theme=data.get("theme", defaults.theme),
        trim=data.get("trim", defaults.trim),
        stories=stories,
        path=path,
    )
