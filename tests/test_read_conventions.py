"""Issue 3: one small fixture per convention people's story files use (tests/fixtures/read/), each
read the way its author meant: encodings, paragraphs and breaks, furniture, sections, notes, Markdown
and HTML. Regression tests are named after what they pin."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compiler.build import BuildResult, build
from compiler.model import AuthorNote, BlockQuote, Emphasis, Heading, NoteRef, Paragraph, Preformatted, SceneBreak, Story, Strong, Verse, plain_text
from compiler.options import BuildOptions
from compiler.read import read_story
from compiler.read.layout import is_separator
from compiler.read import ReadResult

from .helpers import NS, epub_documents, epub_text, epubcheck_problems, missing_words, run_epubcheck, words

FIXTURES = Path(__file__).parent / "fixtures" / "read"


def read(name: str) -> ReadResult:
    return read_story(FIXTURES / name, None)


def paragraphs(story: Story) -> list[str]:
    return [plain_text(b.children) for b in story.body if isinstance(b, Paragraph)]


def kinds(story: Story) -> str:
    letters = {Paragraph: "P", SceneBreak: "S", Heading: "H", BlockQuote: "Q", Verse: "V", Preformatted: "A", AuthorNote: "N"}
    return "".join(letters[type(b)] for b in story.body)


# ------------------------------------------------------------------ bytes to text


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("utf16.txt", "utf-16"),
        ("utf16le_nobom.txt", "utf-16-le"),
        ("cp1252.txt", "cp1252"),
        ("cp437.txt", "cp437"),
        ("mojibake.txt", "utf-8"),
        ("controls.txt", "utf-8"),
    ],
)
def test_every_encoding_reads_to_the_same_words_and_reports_the_encoding(name: str, encoding: str) -> None:
    result = read(name)
    assert result.story.source.encoding == encoding
    if name != "cp437.txt":
        assert result.story.title == "Café Night" and result.story.authors == ("José Ferrán",)
        assert paragraphs(result.story) == ["“We’re closed,” said the waiter. The naïve customer stayed anyway."]


def test_legacy_encodings_are_reported_as_info() -> None:
    assert [d.message for d in read("cp1252.txt").diagnostics if d.code == "A020"] == ["read as cp1252"]


def test_cp437_box_drawing_is_kept() -> None:
    assert "╔═══╗" in paragraphs(read("cp437.txt").story)[0]


def test_mojibake_is_repaired_and_reported_with_its_line() -> None:
    (repair,) = [d for d in read("mojibake.txt").diagnostics if d.code == "A021"]
    assert repair.line == 1


def test_control_characters_are_dropped_with_a_warning_that_says_where() -> None:
    (warning,) = [d for d in read("controls.txt").diagnostics if d.code == "A002"]
    assert warning.line == 5 and "U+0000" in warning.message and "U+0007" in warning.message


# ------------------------------------------------------------------ paragraphs and breaks


@pytest.mark.parametrize(
    "line", ["***", "* * *", r"\* \* \*", "~~~~", "----", "====", "____", "oOo", "-x-", "xXx", "#", "ZZZZZZZZZZ", "~o~", "• • •"]
)
def test_separator_lines_of_every_common_form_are_scene_breaks(line: str) -> None:
    assert is_separator(line)


@pytest.mark.parametrize("line", ["I", "A", "Oh.", "No!", "xylophone", "Zzz... he snored", "OK"])
def test_short_lines_of_text_are_not_separators(line: str) -> None:
    assert not is_separator(line)


def test_every_separator_form_in_a_story_is_one_scene_break() -> None:
    story = read("breaks.txt").story
    assert kinds(story) == "PS" * 12 + "P"


def test_one_paragraph_per_line_with_blank_line_scene_break() -> None:
    story = read("one_per_line.txt").story
    assert kinds(story) == "PPPPSPP"


def test_tab_and_space_indented_paragraphs_are_split_and_reflowed() -> None:
    assert paragraphs(read("indented.txt").story) == [
        "The first paragraph starts with a tab and runs on over a second line of the same paragraph.",
        "The second paragraph also starts with a tab and wraps once.",
        "The third is indented with spaces instead.",
    ]


def test_hard_wrapped_lines_are_reflowed_into_paragraphs() -> None:
    first, second = paragraphs(read("hardwrapped.txt").story)
    assert first.startswith("It had been raining for three days when the letter came, and by then the road")
    assert second == "She read it standing in the doorway, one hand on the frame, while the rain ran off the eaves in ropes."


def test_verse_keeps_its_lines_and_renders_them_with_line_breaks(fixtures_build: BuildResult) -> None:
    story = read("verse.txt").story
    assert kinds(story) == "PVP"
    verse = story.body[1]
    assert isinstance(verse, Verse)
    assert [plain_text(line) for line in verse.lines] == [
        "Hush now, the tide is turning,",
        "Hush now, the lamps are burning,",
        "Sleep till the morning comes.",
    ]
    docs = epub_documents(next(p for p in fixtures_build.outputs if p.suffix == ".epub"))
    (p,) = [p for d in docs.values() for p in d.xpath("//x:p[@class='verse'][starts-with(., 'Hush')]", namespaces=NS)]
    assert len(p.xpath("x:br", namespaces=NS)) == 2


def test_ascii_art_and_aligned_tables_keep_every_line_and_column(fixtures_build: BuildResult) -> None:
    story = read("ascii_art.txt").story
    assert kinds(story) == "PAPAPA"
    skull, table, box = (b for b in story.body if isinstance(b, Preformatted))
    assert skull.lines[1] == " /     \\" and skull.line == 7  # the common indent goes, the drawing's own stays
    assert table.lines == ("STATION      CALL    FREQ", "Northgate    NG-1    144.2", "Fairhollow   FH-7    146.9", "Saltmarsh    SM-3    145.5")
    assert box.lines[1] == "|  ALERT!!  |"  # its rules are part of the drawing, not scene breaks
    docs = epub_documents(next(p for p in fixtures_build.outputs if p.suffix == ".epub"))
    pres = [p for d in docs.values() for p in d.xpath("//x:pre", namespaces=NS)]
    assert [p.get("class") for p in pres] == ["preformatted width-narrow"] * 3
    assert pres[1].text.split("\n")[2] == "Fairhollow   FH-7    146.9"
    # Typography leaves drawings alone: "---" in a box's rule is not a dash, nor "--" in its text.
    assert pres[2].text.split("\n")[0] == "+-----------+"
    assert "folded the printout — twice —" in "".join(docs["EPUB/the-signal-tower.xhtml"].itertext())


@pytest.mark.parametrize("theme", ["classic", "modern", "large-print"])
def test_every_theme_sets_preformatted_lines_in_monospace_unjustified_and_unhyphenated(theme: str) -> None:
    from compiler.render.theme import load_theme

    folders = load_theme(theme, FIXTURES).folders
    for sheet in ("epub.css", "print.css"):
        css = "".join((f / sheet).read_text(encoding="utf-8") for f in reversed(folders) if (f / sheet).is_file())
        rule = css[css.index("pre.preformatted {") :].split("}")[0]
        assert "monospace" in rule and "white-space: pre" in rule and "text-align: left" in rule and "hyphens: none" in rule


def test_prose_with_sentence_gaps_and_a_row_of_dialogue_marks_is_not_art() -> None:
    from compiler.read.art import is_preformatted

    prose = [
        "It was late.  The road ran on past the mill and over the ridge, and the",
        "cart went with it.  Nobody spoke for a long while after that, until the",
        "lamps came on in the valley.  Then Tam said what they were all thinking.",
    ]
    assert not is_preformatted(prose)
    assert not is_preformatted(['"..."', '"?!"', '"!!!"'])
    assert not is_preformatted(["***", "* * *", "***"])


def test_html_lines_broken_with_br_are_kept_and_blank_lines_split_paragraphs() -> None:
    story = read("br_lines.html.txt").story
    assert kinds(story) == "PVPPV"
    letter, signature = (b for b in story.body if isinstance(b, Verse))
    assert [plain_text(line) for line in letter.lines] == ["Dear Odile,", "The sea is grey again,", "the gulls are loud,", "and I am coming home."]
    assert [plain_text(line) for line in signature.lines] == ["Yours,", "Jem"]
    # Long lines between breaks are paragraphs of their own, not a poem and not one run-on paragraph.
    assert paragraphs(story)[1].startswith("The first long line") and paragraphs(story)[2].startswith("And the second")


# ------------------------------------------------------------------ furniture


def test_usenet_header_is_consumed_and_names_author_and_title() -> None:
    result = read("usenet.txt")
    assert (result.story.title, result.story.authors) == ("The Quiet Station", ("Dana Voss",))
    assert result.consumed[0].startswith("Path:") and len(result.consumed) == 6
    assert len(paragraphs(result.story)) == 2


def test_labelled_fields_braced_disclaimer_and_to_be_continued() -> None:
    result = read("furniture.txt")
    story = result.story
    assert (story.title, story.authors) == ("Small Hours", ("Rin Okafor",))
    assert [(f.key, f.label, plain_text(f.value), f.line) for f in story.fields] == [
        ("rating", "Rating", "T", 3), ("genre", "Genre", "Drama/Angst", 4), ("pairing", "Pairing", "Rin/Tove", 5), ("warnings", "Warnings", "none", 6)
    ]
    assert "belong to their creators" in plain_text(story.disclaimer[0].children)
    assert [plain_text(p.children) for p in story.trailer] == ["To be continued..."]
    assert result.consumed == ("Title:", "Author:")


# ------------------------------------------------------------------ sections and notes


def test_chapter_part_and_roman_numeral_headings_become_sections() -> None:
    story = read("chapters.txt").story
    headings = [(plain_text(b.children), b.anchor) for b in story.body if isinstance(b, Heading)]
    assert [h for h, _ in headings] == ["Chapter 1", "Chapter 2: The Ford", "Chapter 3", "Part Two", "IV"]
    assert len({a for _, a in headings}) == 5 and all(a for _, a in headings)


def test_a_first_chapter_without_heading_gets_one_when_chapter_2_has_one() -> None:
    result = read("chapters.txt")
    first = result.story.body[0]
    assert isinstance(first, Heading) and first.synthesized and plain_text(first.children) == "Chapter 1"
    assert first.line == 5  # where the untitled first part starts
    (added,) = [d for d in result.diagnostics if d.code == "A141"]
    assert added.line == 5 and "first_section" in added.message
    from compiler.read.sections import implied_first

    assert [implied_first(h) for h in ("Part Two", "II", "第二章 重逢", "Chapter 3", "Prologue")] == ["Part One", "I", "第一章", "", ""]


def test_numbered_footnotes_become_end_notes_linked_both_ways() -> None:
    result = read("footnotes_pg.txt")
    story = result.story
    refs = [c for b in story.body if isinstance(b, Paragraph) for c in b.children if isinstance(c, NoteRef)]
    assert [plain_text(r.children) for r in refs] == ["[1]", "[2]"]
    assert [n.ref_ids for n in story.endnotes] == [(refs[0].ref_id,), (refs[1].ref_id,)]
    assert plain_text(story.endnotes[1].body) == "The otter appears in many of these tales as a trickster."
    assert "Footnote" not in " ".join(paragraphs(story))
    assert result.consumed.count("[Footnote") == 2


# ------------------------------------------------------------------ Markdown and HTML


def test_markdown_maps_front_matter_emphasis_quotes_sections_rules_and_footnotes() -> None:
    result = read("story.md")
    story = result.story
    assert (story.title, story.authors) == ("The Glass Harbour", ("Ines Marlow",))
    assert plain_text(story.disclaimer[0].children) == "The harbour belongs to nobody."
    assert kinds(story) == "HPQHPSP"  # "Chapter 1" added before the untitled first part
    first = story.body[1]
    assert isinstance(first, Paragraph)
    assert Emphasis((_t("dusk"),)) in first.children and Strong((_t("harbour master"),)) in first.children
    (note,) = story.endnotes
    assert plain_text(note.body) == "He counted twelve, though thirteen had gone out."
    assert "https://example.org/map" in result.consumed and "tags: harbour sea" in result.consumed


def test_html_fragment_maps_paragraphs_emphasis_breaks_sections_and_quotes() -> None:
    result = read("story.html.txt")
    story = result.story
    assert kinds(story) == "HPHVQSP"  # "Chapter 1" added; the "-x-" right before a heading is the heading's break
    assert "Work Text:" in result.consumed
    verse = story.body[3]
    assert isinstance(verse, Verse)  # "…remembered.<br/>Much louder.": the author's line break is kept
    assert [plain_text(line) for line in verse.lines] == ["The city was louder than she remembered.", "Much louder."]


def _t(text: str):  # noqa: ANN202 - a tiny constructor for readable assertions
    from compiler.model import Text

    return Text(text)


# ------------------------------------------------------------------ all fixtures as one book


@pytest.fixture(scope="module")
def fixtures_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    src = tmp_path_factory.mktemp("fixtures") / "in"
    src.mkdir()
    for f in FIXTURES.iterdir():
        shutil.copyfile(f, src / f.name)
    return build(BuildOptions(source=src, output=tmp_path_factory.mktemp("fixtures-out"), formats=("epub",)))


@pytest.mark.slow
def test_all_fixtures_build_into_a_valid_epub_with_every_word(fixtures_build: BuildResult, tmp_path: Path) -> None:
    epub = next(p for p in fixtures_build.outputs if p.suffix == ".epub")
    report = run_epubcheck(epub, tmp_path)
    assert epubcheck_problems(report) == []
    text = epub_text(epub)
    for path, consumed in fixtures_build.consumed.items():
        if path.name.endswith(".html.txt"):
            continue  # markup: covered by the corpus test, which reads the text content
        from compiler.read.decode import decode

        expected = words(decode(path.read_bytes(), path).text)
        expected.subtract(words(" ".join(consumed)))
        assert missing_words(+expected, text) == {}, path.name


def test_a_note_the_author_marked_keeps_that_mark_alone(fixtures_build: BuildResult) -> None:
    """One label per note: "[1]" in the text is the note's label; the book adds no number of its
    own beside it (print draws `data-n`) nor in the notes' list (a marked item has no list number)."""
    docs = epub_documents(next(p for p in fixtures_build.outputs if p.suffix == ".epub"))
    refs = [a for d in docs.values() for a in d.xpath("//x:a[@class='noteref']", namespaces=NS)]
    marked = [a for a in refs if "".join(a.itertext()).startswith("[")]
    assert marked and all(a.get("data-n") is None for a in marked)
    items = docs["EPUB/endnotes.xhtml"].xpath("//x:aside[contains(@class, 'endnote')]", namespaces=NS)
    ours = [note for note in items if note.get("id", "").startswith(("folk-tales", "the-glass-harbour"))]
    assert len(ours) == 3 and all("marked" in note.getparent().get("class", "") for note in ours)  # the list item


def test_sections_are_listed_in_the_contents_and_quotes_render_as_blockquote(fixtures_build: BuildResult) -> None:
    docs = epub_documents(next(p for p in fixtures_build.outputs if p.suffix == ".epub"))
    contents = docs["EPUB/contents.xhtml"]
    listed = contents.xpath("//x:ol[@class='contents-sections']/x:li/x:a/text()", namespaces=NS)
    assert {"Chapter 1", "Chapter 2: The Ford", "Part Two", "IV", "Chapter 2: Night"} <= set(listed)
    quotes = [d for name, d in docs.items() if d.xpath("//x:blockquote[@class='quote']", namespaces=NS)]
    assert len(quotes) == 2


def test_inspect_describes_what_was_recognised(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for name in ("usenet.txt", "chapters.txt", "story.md"):
        shutil.copyfile(FIXTURES / name, src / name)
    run = subprocess.run([sys.executable, "-m", "compiler", "inspect", str(src)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "title:       The Quiet Station" in out and "author:      Dana Voss" in out
    assert "Path: news.example.edu!not-for-mail" in out  # listed as left out
    assert "section:     line 7: Chapter 2: The Ford" in out
    assert "disclaimer:  The harbour belongs to nobody." in out and "notes:       1 numbered notes, 1 linked" in out
