"""Issue 3: every field the reader recognises can be overridden per story in anthology.toml, and a
wrong key or value is an error naming the nearest valid one (all errors at once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.build import build
from compiler.config import load_config
from compiler.diagnostics import BuildError
from compiler.model import AuthorNote, Heading, Paragraph, SceneBreak, Story, plain_text
from compiler.options import BuildOptions
from compiler.read import read_stories

from .helpers import epub_text

STORY = """Title: Small Hours
Author: Rin Okafor
Rating: T
Pairing: Rin/Tove

Disclaimer: The night shift belongs to nobody.

A/N: Written on a train.

The ward was quiet when Rin came on, quieter than it had been all week, with only the hum of the machines and the rain on the long windows to keep her company until dawn.

Tove was asleep at the desk.


Rin let her sleep.

Chapter 2

Morning came grey over the river.

***

Rin went home.

Interlude

She slept.

A/N: Thanks for reading!
"""


def _read(tmp_path: Path, manifest: str) -> tuple[Story, tuple[str, ...], list[str]]:
    src = tmp_path / "in"
    src.mkdir(exist_ok=True)
    (src / "story.txt").write_text(STORY, encoding="utf-8")
    (src / "anthology.toml").write_text('[stories."story.txt"]\n' + manifest, encoding="utf-8")
    read = read_stories(src, load_config(src))
    (story,) = read.stories
    return story, read.consumed[src / "story.txt"], [f"{d.code}:{d.line}" for d in read.diagnostics]


def _sections(story: Story) -> list[str]:
    return [plain_text(b.children) for b in story.body if isinstance(b, Heading)]


def test_what_the_reader_recognises_without_a_manifest(tmp_path: Path) -> None:
    story, _, codes = _read(tmp_path, "")
    assert (story.title, story.authors) == ("Small Hours", ("Rin Okafor",))
    assert [(f.key, plain_text(f.value)) for f in story.fields] == [("rating", "T"), ("pairing", "Rin/Tove")]
    assert _sections(story) == ["Chapter 1", "Chapter 2", "Interlude"]
    assert sum(isinstance(b, SceneBreak) for b in story.body) == 2 and "A141:10" in codes


@pytest.mark.parametrize(
    ("manifest", "check"),
    [
        ('title = "Night Ward"', lambda s: s.title == "Night Ward" and not s.title_guessed),
        ('author = "R. Okafor"', lambda s: s.authors == ("R. Okafor",)),
        ('authors = ["Rin Okafor", "Tove Lind"]', lambda s: s.authors == ("Rin Okafor", "Tove Lind")),
        ('summary = "A nurse, a night."', lambda s: [plain_text(p.children) for p in s.summary] == ["A nurse, a night."]),
        ('disclaimer = "Mine, all mine."', lambda s: plain_text(s.disclaimer[0].children) == "Mine, all mine."),
        ('disclaimer = ""', lambda s: s.disclaimer == ()),
        ('rating = "M"', lambda s: [(f.label, plain_text(f.value)) for f in s.fields][0] == ("Rating", "M")),
        ('genre = "Drama"', lambda s: ("genre", "Genre", "Drama") in [(f.key, f.label, plain_text(f.value)) for f in s.fields]),
        ('pairing = ""', lambda s: [f.key for f in s.fields] == ["rating"]),
        ('warnings = "None"', lambda s: s.fields[-1].key == "warnings"),
        ('language = "en-GB"', lambda s: s.language == "en-GB"),
        ('notes_before = ["First note.", "Second note."]', lambda s: [plain_text(n.blocks[0].children) for n in s.notes_before] == ["First note.", "Second note."]),
        ('notes_after = ""', lambda s: s.notes_after == ()),
        ("sections = false", lambda s: _sections(s) == [] and "Chapter 2" in [plain_text(b.children) for b in s.body if isinstance(b, Paragraph)]),
        ('sections = ["Chapter 2", 25]', lambda s: _sections(s) == ["Chapter 1", "Chapter 2", "Interlude"]),
        ('sections = ["chapter 2"]', lambda s: _sections(s) == ["Chapter 1", "Chapter 2"]),
        ('first_section = "Night"', lambda s: _sections(s)[0] == "Night" and s.body[0].synthesized),
        ('first_section = ""', lambda s: _sections(s) == ["Chapter 2", "Interlude"]),
        ('scene_breaks = "none"', lambda s: not any(isinstance(b, SceneBreak) for b in s.body)),
        ('scene_breaks = "marked"', lambda s: sum(isinstance(b, SceneBreak) for b in s.body) == 1),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_each_recognised_field_can_be_overridden(tmp_path: Path, manifest: str, check) -> None:  # type: ignore[no-untyped-def]
    story, _, _ = _read(tmp_path, manifest)
    assert check(story), story


def test_replaced_text_is_left_out_on_purpose_and_a_missing_section_is_a_warning(tmp_path: Path) -> None:
    story, consumed, codes = _read(tmp_path, 'title = "Night Ward"\nrating = "M"\nnotes_after = ""\nsections = ["Chapter 9"]\n')
    assert {"Small Hours", "T", "Thanks for reading!"} <= set(consumed)
    assert "A150:0" in codes  # names the manifest (no line: TOML tables are not tracked by line)
    assert _sections(story) == []  # "Chapter 9" is nowhere, so no sections; the headings stay as text


def test_a_build_with_overrides_passes_its_own_nothing_lost_check(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "story.txt").write_text(STORY, encoding="utf-8")
    (src / "anthology.toml").write_text(
        '[stories."story.txt"]\ntitle = "Night Ward"\nauthors = ["Rin Okafor", "Tove Lind"]\nsummary = "A nurse, a night."\n'
        'disclaimer = "Mine."\nrating = "M"\nnotes_before = "Hello."\nnotes_after = []\nsections = false\nscene_breaks = "marked"\n',
        encoding="utf-8",
    )
    result = build(BuildOptions(source=src, output=tmp_path / "out", formats=("epub",)))  # raises V001 if a word went missing
    text = epub_text(result.outputs[0])
    assert "Night Ward" in text and "Tove Lind" in text and "Thanks for reading" not in text
    assert not any(isinstance(b, AuthorNote) for b in result.anthology.stories[0].body)


def test_unknown_keys_and_bad_values_are_all_reported_with_the_nearest_name(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "story.txt").write_text(STORY, encoding="utf-8")
    (src / "anthology.toml").write_text(
        '[stories."story.txt"]\nratng = "M"\nscene_breaks = "markd"\nsections = "no"\nauthor = "A"\nauthors = ["B"]\nnotes_before = 3\n',
        encoding="utf-8",
    )
    with pytest.raises(BuildError) as caught:
        load_config(src)
    messages = [f"{d.code} {d.message}" for d in caught.value.diagnostics]
    assert any('C001 unknown key stories."story.txt".ratng; did you mean "rating"?' == m for m in messages)
    assert any(m.startswith("C007") and 'did you mean "marked"?' in m for m in messages)
    assert any(m.startswith("C002") and "sections must be a boolean or list" in m for m in messages)
    assert any(m.startswith("C002") and "notes_before must be a string or list" in m for m in messages)
    assert any(m.startswith("C006") for m in messages)
    assert all(d.path == src / "anthology.toml" for d in caught.value.diagnostics)


def test_inspect_says_which_fields_the_manifest_sets(tmp_path: Path) -> None:
    from compiler.inspect import format_reports, inspect

    _read(tmp_path, 'title = "Night Ward"\nrating = "M"\nsections = false\n')
    out = format_reports(inspect(tmp_path / "in"))
    assert "manifest:    sets title, sections, rating (anthology.toml wins over what was read)" in out
    assert "field:       Rating: M" in out and "title:       Night Ward" in out
