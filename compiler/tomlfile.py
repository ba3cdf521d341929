"""TOML files a user or a theme wrote (`anthology.toml`, `theme.toml`), read with bounds.

`tomllib` parses nested arrays and inline tables by recursion, so `x = [[[[…` a few hundred deep
raises RecursionError, and data nested that deep would then exhaust the recursion of whatever walks
it next (the schema check, Jinja, `dataclasses.asdict`). No setting of ours nests more than three
levels; a theme's `[extra]` may nest a few more. Past MAX_DEPTH the file is refused with its own
message, like any other syntax error.
"""

from __future__ import annotations

import tomllib
from typing import Any

MAX_DEPTH = 32  # tables and arrays inside each other


class TomlProblem(Exception):
    """Why the bytes are not a TOML document we accept: tomllib's message (it names the line), or ours."""


def _depth(data: dict[str, Any]) -> int:
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:  # a loop, not recursion: the point is to bound the recursion of later walks
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def parse_toml(data: bytes) -> dict[str, Any]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TomlProblem(f"not UTF-8 (byte {exc.start + 1} is {data[exc.start]:#04x}); save the file as UTF-8") from None
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TomlProblem(str(exc)) from None
    except RecursionError:
        raise TomlProblem(f"arrays or tables nested too deeply (at most {MAX_DEPTH} levels inside each other)") from None
    if _depth(parsed) > MAX_DEPTH:
        raise TomlProblem(f"arrays or tables nested too deeply (at most {MAX_DEPTH} levels inside each other)")
    return parsed
