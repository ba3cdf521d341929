"""Issue 7 (nothing lost): the build compares every word with both books and fails loudly on a loss;
`anthology check` does the same for a built book and reports plainly."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compiler.build import build
from compiler.check import Expected, lost_words, words
from compiler.diagnostics import BuildError, ExitCode
from compiler.model import Paragraph, Text
from compiler.options import BuildOptions

from .helpers import SEEDS


def _story_folder(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    (src / "story.txt").write_text(
        "The Lantern\n\nby Someone\n\nFirst the lamplighter came.\n\nThen the zebra-striped moth arrived.\n\nAnd the night ended.\n",
        encoding="utf-8",
    )
    return src


def test_words_count_letters_and_digits_apart_in_any_script() -> None:
    assert words("Zinnia6 and «Привет», שלום; it’s 10 o’clock") == words("zinnia 6 AND привет שלום it s 10 o clock")


def test_lost_word_is_reported_with_its_story_and_line(tmp_path: Path) -> None:
    story = tmp_path / "s.txt"
    expected = [Expected(story, "One two\nthree zebra four\nzebra", ())]
    (loss,) = lost_words(expected, "one two three four zebra")
    assert (loss.word, loss.missing, loss.lines) == ("zebra", 1, (2, 3))


def test_a_build_that_would_lose_a_word_fails_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import compiler.render.view as view

    original = view.block_view

    def drop_the_moth(block, numbers):  # type: ignore[no-untyped-def]
        if isinstance(block, Paragraph) and "moth" in "".join(t.text for t in block.children if isinstance(t, Text)):
            block = dataclasses.replace(block, children=(Text("Then it arrived."),))
        return original(block, numbers)

    monkeypatch.setattr(view, "block_view", drop_the_moth)
    out = tmp_path / "out"
    with pytest.raises(BuildError) as err:
        build(BuildOptions(source=_story_folder(tmp_path), output=out))
    assert err.value.exit_code == ExitCode.OUTPUT
    lost = {(d.message.split("”")[0].lstrip("“"), d.line) for d in err.value.diagnostics}
    assert ("zebra", 7) in lost and ("moth", 7) in lost and ("striped", 7) in lost
    assert not out.exists() or not list(out.iterdir())


@pytest.mark.slow
def test_check_reports_a_complete_book_and_catches_a_tampered_one(tmp_path: Path) -> None:
    src = _story_folder(tmp_path)
    book = tmp_path / "book"
    build(BuildOptions(source=src, output=book, formats=("epub",)))
    run = subprocess.run([sys.executable, "-m", "compiler", "check", str(src), "--book", str(book)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "all 17 words of 1 stories present" in run.stdout and "EPUBCheck 5.3.0: 0 errors, 0 warnings" in run.stdout
    # A word missing from a book newer than its stories: check names it, with its story and line.
    (src / "story.txt").write_text((src / "story.txt").read_text(encoding="utf-8") + "\nA coda nobody built.\n", encoding="utf-8")
    later = (src / "story.txt").stat().st_mtime + 10
    os.utime(book / "anthology.epub", (later, later))
    run = subprocess.run([sys.executable, "-m", "compiler", "check", str(src), "--book", str(book)], capture_output=True, text=True)
    assert run.returncode == ExitCode.OUTPUT
    assert "“coda” (1×) is missing from the EPUB" in run.stdout and "story.txt:11" in run.stdout
    assert "--no-verify" not in run.stdout  # an option of build, not of check


def test_check_on_a_stale_book_says_to_rebuild_it(tmp_path: Path) -> None:
    # Issue 18: a story edited after the build was reported as lost words, "a bug, please report
    # it", with --no-verify (which check does not have).
    src = _story_folder(tmp_path)
    book = tmp_path / "book"
    build(BuildOptions(source=src, output=book, formats=("epub",)))
    story = src / "story.txt"
    story.write_text(story.read_text(encoding="utf-8") + "\nA coda nobody built.\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "compiler", "check", str(src), "--book", str(book)], capture_output=True, text=True)
    assert run.returncode == ExitCode.OUTPUT
    assert "error K002: anthology.epub is older than story.txt" in run.stdout
    assert f"Rebuild it: anthology build {src} -o {book}" in run.stdout
    assert "a bug" not in run.stdout and "report" not in run.stdout and "--no-verify" not in run.stdout
    # Changed without a word more (a blank line): every word is there; it says so, and to rebuild.
    build(BuildOptions(source=src, output=book, formats=("epub",)))
    story.write_text(story.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "compiler", "check", str(src), "--book", str(book)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout
    assert "words of 1 stories present" in run.stdout and "warning K004: the book is older than story.txt" in run.stdout


def test_check_without_a_book_says_to_build_first(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "compiler", "check", str(SEEDS), "--book", str(tmp_path)], capture_output=True, text=True)
    assert run.returncode == ExitCode.INPUT and "build first" in run.stderr


def test_seeds_check_passes_for_the_pdf_too(tmp_path: Path) -> None:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    build(BuildOptions(source=tmp_path / "seeds", output=tmp_path / "out", formats=("pdf",)))
    run = subprocess.run([sys.executable, "-m", "compiler", "check", "seeds", "--book", "out"], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout
    assert "anthology.pdf: all 5,270 words of 2 stories present" in run.stdout


def test_text_an_override_replaces_is_not_expected_in_the_book(tmp_path: Path) -> None:
    src = _story_folder(tmp_path)
    (src / "anthology.toml").write_text('[stories."story.txt"]\ntitle = "The Lamp"\nauthor = "Anon"\n', encoding="utf-8")
    result = build(BuildOptions(source=src, output=tmp_path / "out", formats=("epub",)))  # would fail V001 on "Lantern" and "Someone" otherwise
    assert result.consumed[src / "story.txt"][-2:] == ("The Lantern", "Someone")


def test_a_story_line_that_looks_like_a_folio_still_counts(tmp_path: Path) -> None:
    # Found by the property test: a story of nothing but digits was taken for page furniture.
    src = tmp_path / "in"
    src.mkdir()
    (src / "digits.txt").write_text("0" * 53, encoding="utf-8")
    result = build(BuildOptions(source=src, output=tmp_path / "out"))
    assert len(result.outputs) == 2


def test_inline_markup_does_not_split_words_but_blocks_do() -> None:
    # Found on the corpus: "*CRASH*SPLINTER*WHAM*" is one word on the page, as in the source.
    from compiler.check import Expected, lost_words, source_text

    # Emphasis marks inside a word may join it up or stand as characters ("f*ck"): either reading passes.
    source = source_text("*CRASH*SPLINTER*WHAM* fell f*ck\n\nnext", "markdown")
    expected = [Expected(Path("s.md"), source, ())]
    assert lost_words(expected, "CRASHSPLINTERWHAM fell f*ck next") == []
    assert lost_words(expected, "CRASH SPLINTER WHAM fell f*ck next") == []
    assert [loss.word for loss in lost_words(expected, "CRASHSPLINTER fell f*ck next")] == ["crash", "splinter", "wham"]
    assert words(source_text("<p>a<b>b</b>c</p><p>d</p><!-- hidden -->e", "html")) == words("abc d e")


def test_characters_no_font_can_set_are_a_font_error_not_a_lost_word(tmp_path: Path) -> None:
    # Found by the property test: a CJK character the theme's fonts lack is drawn as a box.
    src = tmp_path / "in"
    src.mkdir()
    # The falsifying example as hypothesis found it: unassigned code points around the CJK character.
    (src / "s.txt").write_text("V xhgjkaa a aaaaaaaaa aa aaaaa aa aaa aaaaaaaaa?0\U0009ad8d棬Á\U000c7eae", encoding="utf-8")
    fonts = subprocess.run(["fc-list", ":charset=68ec"], capture_output=True, text=True).stdout.strip()
    if fonts:  # a machine with a CJK system font sets the character, and the build rightly passes
        assert build(BuildOptions(source=src, output=tmp_path / "out", formats=("pdf",))).outputs
        return
    with pytest.raises(BuildError) as err:
        build(BuildOptions(source=src, output=tmp_path / "out", formats=("pdf",)))
    assert {d.code for d in err.value.diagnostics} == {"P011"}
    assert "add a font" in err.value.diagnostics[0].message


def test_the_build_reports_its_stages_in_order(tmp_path: Path) -> None:
    stages: list[str] = []
    build(BuildOptions(source=_story_folder(tmp_path), output=tmp_path / "out"), stages.append)
    per_story = [s for s in stages if s.startswith("laying out the PDF:")]
    assert [s for s in stages if s not in per_story] == [
        "reading the stories", "typesetting the text", "laying out the PDF", "packaging the EPUB", "checking every word", "writing",
    ]
    # while the PDF is laid out, the count of stories done goes up to all of them (one here)
    assert per_story == ["laying out the PDF: 0 of 1 stories", "laying out the PDF: 1 of 1 stories"]


def test_typography_reaches_verse_quotes_and_end_notes() -> None:
    from compiler.model import BlockQuote, EndNote, Source, Story, Verse
    from compiler.transforms.typography import typography

    story = Story(
        "s", "T", False, ("A",), Source(Path("s.txt"), "utf-8", "0"),
        body=(Verse(((Text('"Roses are red,'),), (Text('violets..." she said'),))), BlockQuote((Paragraph((Text("a 'quote' -- here"),)),))),
        endnotes=(EndNote("n", (Text("1"),), (Text('See "this"...'),)),),
    )
    fixed = typography(story)
    verse, quote = fixed.body
    assert isinstance(verse, Verse) and isinstance(quote, BlockQuote)
    assert [line[0].text for line in verse.lines] == ["“Roses are red,", "violets…” she said"]
    assert quote.blocks[0].children[0].text == "a ‘quote’ — here"  # type: ignore[union-attr]
    assert fixed.endnotes[0].body[0].text == "See “this”…"  # type: ignore[union-attr]


def test_digits_reordered_by_right_to_left_text_still_verify(tmp_path: Path) -> None:
    # Found by the property test: the Arabic mark makes "0ﹰ0" come out of the PDF as "00".
    src = tmp_path / "in"
    src.mkdir()
    (src / "s.txt").write_text("00Ë0\ufe700", encoding="utf-8")
    assert build(BuildOptions(source=src, output=tmp_path / "out", formats=("pdf",))).outputs


def test_invisible_characters_neither_join_nor_split_words(tmp_path: Path) -> None:
    # Found by the property test: the PDF drops U+E0000 between two letters, the source kept it.
    src = tmp_path / "in"
    src.mkdir()
    (src / "s.txt").write_text("A\U000e0000A and zero\u200bwidth", encoding="utf-8")
    assert build(BuildOptions(source=src, output=tmp_path / "out")).outputs
