"""Golden folders for reader conventions: tests/golden/<case>/in/ holds story files (and an optional
anthology.toml) as people write them; expected/stories.txt is what the readers recognised in them,
written out as a tree a reviewer can read — each story's title, authors and furniture, then its
blocks one per line (source line, kind, text with *emphasis*, **strong** and [note](→id) marked).

A change in recognition shows as a diff of that file. When the change is meant, rewrite the
expected files with `pytest tests/test_golden.py --update-golden` and review the diff in the commit.
A new case is a folder with an `in/`: the first --update-golden run writes its `expected/`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from compiler.config import load_config
from compiler.model import Emphasis, Inline, NoteRef, Strong, Text
from compiler.read import read_stories

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "in").is_dir())
# Fields every story has that say nothing about recognition (or change with every edit of the file).
_QUIET = {"slug", "source"}


def _inline(inlines: tuple[Inline, ...]) -> str:
    out = []
    for node in inlines:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, Emphasis):
            out.append(f"*{_inline(node.children)}*")
        elif isinstance(node, Strong):
            out.append(f"**{_inline(node.children)}**")
        elif isinstance(node, NoteRef):
            out.append(f"[{_inline(node.children)}](→{node.note_id})")
    return "".join(out)


def _is_inlines(value: object) -> bool:
    return isinstance(value, tuple) and bool(value) and all(isinstance(v, (Text, Emphasis, Strong, NoteRef)) for v in value)


def _node(value: object, indent: str) -> list[str]:
    """One dataclass of the model: its kind and line, its short fields on the line, the rest below."""
    assert dataclasses.is_dataclass(value) and not isinstance(value, type)
    line = getattr(value, "line", 0)
    head = f"{indent}{f'{line:>4}' if line else '   -'}  {type(value).__name__}"
    below: list[str] = []
    for f in dataclasses.fields(value):
        item = getattr(value, f.name)
        if f.name == "line" or item == f.default or (item == () and f.default is dataclasses.MISSING and f.name != "children"):
            continue
        if _is_inlines(item):
            head += f" {f.name}=" + repr(_inline(item)) if f.name != "children" else f": {_inline(item)}"
        elif isinstance(item, (str, bool, int)):
            head += f" {f.name}={item!r}"
        elif isinstance(item, tuple) and item and all(isinstance(v, str) for v in item):
            below += [f"{indent}      {f.name}:"] + [f"{indent}        | {v}" for v in item]
        elif isinstance(item, tuple) and item and all(_is_inlines(v) for v in item):
            below += [f"{indent}      | {_inline(v)}" for v in item]
        else:
            below += _value(f.name, item, indent + "      ")
    return [head] + below


def _value(name: str, value: object, indent: str) -> list[str]:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [f"{indent}{name}:"] + _node(value, indent + "  ")
    if isinstance(value, tuple) and value and all(dataclasses.is_dataclass(v) for v in value):
        return [f"{indent}{name}:"] + [line for v in value for line in _node(v, indent + "  ")]
    if _is_inlines(value):
        return [f"{indent}{name}: {_inline(value)}"]  # type: ignore[arg-type]  # _is_inlines checked it is
    if isinstance(value, tuple):
        return [f"{indent}{name}: {', '.join(str(v) for v in value)}"]
    return [f"{indent}{name}: {value}"]


def dump(case: Path) -> str:
    """What the readers recognised in the case's in/ folder, as text."""
    source = case / "in"
    read = read_stories(source, load_config(source))
    lines: list[str] = []
    for story in read.stories:
        path = story.source.path
        lines.append(f"# {path.name} (read as {story.source.encoding})")
        for f in dataclasses.fields(story):
            value = getattr(story, f.name)
            if f.name in _QUIET or value == f.default:
                continue
            lines += _value(f.name, value, "")
        consumed = read.consumed.get(path, ())
        if consumed:
            lines.append("left out as structure: " + " · ".join(repr(c) for c in consumed))
        for d in (d for d in read.diagnostics if d.path == path):
            lines.append(f"{d.severity.name.lower()} {d.code} line {d.line}: {d.message}")
        lines.append("")
    return "\n".join(lines)


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str, request: pytest.FixtureRequest) -> None:
    expected = GOLDEN / case / "expected" / "stories.txt"
    made = dump(GOLDEN / case)
    if request.config.getoption("--update-golden"):
        expected.parent.mkdir(exist_ok=True)
        expected.write_text(made, encoding="utf-8")
        return
    assert expected.is_file(), f"{case} has no expected/: run pytest tests/test_golden.py --update-golden"
    assert made == expected.read_text(encoding="utf-8"), f"{case}: recognition changed; if meant, --update-golden and review the diff"
