"""Issue 14 (plain-text emphasis): `_word_` and `*word*` become emphasis where they cannot mean
anything else; snake_case, arithmetic, addresses, footnote stars, preformatted text and Markdown's
escaped asterisks stay as typed, and no pair reaches across paragraphs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from compiler.build import build
from compiler.options import BuildOptions
from compiler.model import Emphasis, Inline, NoteRef, Paragraph, Strong, Text
from compiler.read import read_story
from compiler.read.emphasis import emphasize

from .helpers import NS, epub_documents, epub_text

FIXTURES = Path(__file__).parent / "fixtures" / "emphasis"


def show(nodes: tuple[Inline, ...]) -> str:
    out = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, Emphasis):
            out.append(f"<em>{show(node.children)}</em>")
        elif isinstance(node, Strong):
            out.append(f"<strong>{show(node.children)}</strong>")
        else:
            out.append(f"<ref>{show(node.children)}</ref>")
    return "".join(out)


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("She had *never* seen it.", "She had <em>never</em> seen it."),
        ("I _really_ mean it.", "I <em>really</em> mean it."),
        ("*A whole sentence in thought.*", "<em>A whole sentence in thought.</em>"),
        ('"_Now_," she said.', '"<em>Now</em>," she said.'),
        ("It read **STORM** twice, __loudly__.", "It read <strong>STORM</strong> twice, <strong>loudly</strong>."),
        ("Under it, *_twice_*, a note.", "Under it, <em><em>twice</em></em>, a note."),
        ("*sigh* and *shrug*", "<em>sigh</em> and <em>shrug</em>"),
        # Left as typed:
        ("the file lamp_log_v2 and snake_case_name", "the file lamp_log_v2 and snake_case_name"),
        ("five is 5*3*2 / 6", "five is 5*3*2 / 6"),
        ("*CRASH*SPLINTER*WHAM*", "<em>CRASH*SPLINTER*WHAM</em>"),  # as CommonMark reads it: inner stars touch letters
        ("see http://example.org/_lamp_/ or a_b@example.org_", "see http://example.org/_lamp_/ or a_b@example.org_"),
        ("a footnote mark* and a * bullet", "a footnote mark* and a * bullet"),
        ("a blank ____ to fill, and *** stars", "a blank ____ to fill, and *** stars"),
        ("an * empty * pair and * *", "an * empty * pair and * *"),
        ("*a _b* c_", "<em>a _b</em> c_"),  # pairs do not cross
        ("and/or, /slashes/ are not emphasis", "and/or, /slashes/ are not emphasis"),
    ],
)
def test_typed_emphasis_is_read_only_where_unambiguous(typed: str, read: str) -> None:
    assert show(emphasize((Text(typed),))) == read


def test_emphasis_reaches_across_a_note_reference_and_is_idempotent() -> None:
    nodes: tuple[Inline, ...] = (Text("the _Wabanaki"), NoteRef("n1", "r1", (Text("1"),)), Text(" songs_ were old"))
    once = emphasize(nodes)
    assert show(once) == "the <em>Wabanaki<ref>1</ref> songs</em> were old"
    assert emphasize(once) == once


def test_a_pair_never_reaches_across_paragraphs(tmp_path: Path) -> None:
    (tmp_path / "s.txt").write_text("Title\n\nby X\n\n_It began on a Monday.\n\nIt ended on a Tuesday._\n", encoding="utf-8")
    story = read_story(tmp_path / "s.txt", None).story
    assert [show(b.children) for b in story.body if isinstance(b, Paragraph)] == ["_It began on a Monday.", "It ended on a Tuesday._"]


def test_plain_text_and_html_stories_set_typed_emphasis_in_italics_and_lose_no_word(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for name in ("marked.txt", "thoughts.html.txt"):
        shutil.copy2(FIXTURES / name, src / name)
    (src / "escaped.md").write_text("Escaped\n\nby Y\n\nThe sign said \\*closed\\* in stars.\n", encoding="utf-8")
    result = build(BuildOptions(source=src, output=tmp_path / "out", formats=("epub",)))  # the build's own check: every word in the book
    epub = result.outputs[0]
    ems = ["".join(e.itertext()) for root in epub_documents(epub).values() for e in root.iterfind(".//x:em", NS)]
    strongs = ["".join(e.itertext()) for root in epub_documents(epub).values() for e in root.iterfind(".//x:strong", NS)]
    for phrase in ("never", "really", "Tom", "own habit", "It was the kind of night that does not end.", "not today", "closed"):
        assert phrase in ems
    assert "STORM" in strongs
    text = epub_text(epub)
    assert "*never*" not in text and "_really_" not in text
    for kept in ("lamp_log_v2.txt", "http://example.org/lamp_log_/", "5*3", "mark* stays", "| *keep*   |", "said *closed* in stars"):
        assert kept in text
