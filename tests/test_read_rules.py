"""Issue 14: every convention in the recogniser's table (compiler/read/recognise/) pinned by a
small fixture of its own, named after the rule; a last test fails when a rule has none.

Each test writes a few lines the way people's files have them, reads them through the same path
the build uses, and checks both which rule read the block and what the story came out as.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pytest

from compiler.model import AuthorNote, BlockQuote, Heading, Paragraph, SceneBreak, Story, Verse, plain_text
from compiler.read import ReadResult, input_format, read_story
from compiler.read.recognise import Context, recognise
from compiler.read.recognise.table import RULES

PINNED: set[str] = set()


def pins(*names: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Mark a test as the fixture test of these rules (the coverage test counts them)."""

    def mark(test: Callable[..., None]) -> Callable[..., None]:
        PINNED.update(names)
        return test

    return mark


def _write(tmp_path: Path, text: str, name: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def read(tmp_path: Path, text: str, name: str = "story.txt") -> ReadResult:
    return read_story(_write(tmp_path, text, name), None)


def context(tmp_path: Path, text: str, name: str = "story.txt") -> Context:
    """The recogniser's reading of a file: its labels, and what it learnt (title, authors)."""
    path = _write(tmp_path, text, name)
    source = path.read_text(encoding="utf-8")
    kind = input_format(path)
    if kind == "markdown":
        from compiler.read.markdown import read_markdown as reader
    elif kind == "html":
        from compiler.read.html import read_html as reader
    else:
        from compiler.read.text import read_text as reader
    return recognise(reader(source, path))


def rules(tmp_path: Path, text: str, name: str = "story.txt") -> dict[str, list[str]]:
    """Which rule read which block: rule name -> the texts of the blocks it labelled."""
    ctx = context(tmp_path, text, name)
    out: dict[str, list[str]] = defaultdict(list)
    for c, label in zip(ctx.doc.stream, ctx.labels):
        if label is not None:
            out[label.rule].append(c.text)
    return out


def texts(story: Story, kind: type) -> list[str]:
    return [plain_text(b.children) for b in story.body if isinstance(b, kind)]  # type: ignore[attr-defined]


def count(story: Story, kind: type) -> int:
    return sum(isinstance(b, kind) for b in story.body)


PROSE = (
    "The kettle had boiled dry again, and the smell of hot metal filled the little kitchen while "
    "Mara stood at the window and watched the rain come in over the hills."
)


# ------------------------------------------------------------------ the frame


@pins("transport-header", "signature")
def test_transport_header_and_signature_are_left_out_and_name_the_post(tmp_path: Path) -> None:
    text = f"""
        Path: news.example.org!not-for-mail
        From: writer@example.org (Ada Quill)
        Newsgroups: rec.arts.fiction
        Subject: Lantern Road (1/1)

        {PROSE}

        The end of the road came at last.
        --
        Ada Quill   ada@example.org
    """
    found = rules(tmp_path, text)
    assert len(found["transport-header"]) == 1 and len(found["signature"]) == 2
    story = read(tmp_path, text).story
    assert (story.title, story.authors) == ("Lantern Road", ("Ada Quill",))
    assert "ada@example.org" not in " ".join(texts(story, Paragraph))


@pins("field-code")
def test_word_processor_field_code_is_left_out(tmp_path: Path) -> None:
    found = rules(tmp_path, f"{PROSE}\n\n{{PAGE|12}}\n")
    assert found["field-code"] == ["{PAGE|12}"]


@pins("archive-note")
def test_an_archives_note_above_a_posts_headers_is_left_out(tmp_path: Path) -> None:
    text = f"""
        > Kept here as an archive

        From: Ada Quill <ada@example.org>
        Subject: Lantern Road

        {PROSE}
    """
    found = rules(tmp_path, text, "post.md")
    assert found["archive-note"] == ["Kept here as an archive"]


@pins("gutenberg", "front-matter", "title-over-text", "contents-list", "contents-entry")
def test_gutenberg_wrapper_front_matter_and_contents_are_not_chapters(tmp_path: Path) -> None:
    text = """
        The Project Gutenberg EBook of Three Small Tales, by Various

        Title: Three Small Tales

        Author: Various

        *** START OF THIS PROJECT GUTENBERG EBOOK THREE SMALL TALES ***

        Produced by A Volunteer



        THREE SMALL TALES

        _Printed for the Society_



        CONTENTS

          The Miller's Ghost          1
          The Frozen Well             5



        THE MILLER'S GHOST


        The miller had been dead a year when the wheel began to turn again at night, slowly at
        first and then with a will, so that the whole valley heard it grinding.



        THE FROZEN WELL


        Nobody drew water from the frozen well, though it had never frozen in living memory
        before that winter, and nobody could say why it did then.

        *** END OF THIS PROJECT GUTENBERG EBOOK THREE SMALL TALES ***

        This file should be named 00000.txt
    """
    found = rules(tmp_path, text)
    assert found["gutenberg"] and found["contents-list"] and "THREE SMALL TALES" in found["front-matter"]
    assert found["contents-entry"] == ["THE MILLER'S GHOST", "THE FROZEN WELL"]
    story = read(tmp_path, text).story
    assert (story.title, story.authors) == ("Three Small Tales", ("Various",))
    assert texts(story, Heading) == ["THE MILLER'S GHOST", "THE FROZEN WELL"]  # never the contents' lines
    assert [p.source for p in story.boilerplate] == ["the printed edition", "Project Gutenberg"]  # header and licence are one part
    # Without a contents list, the text starts under the book's own title.
    found = rules(tmp_path, text.replace("CONTENTS", "").replace("The Miller's Ghost          1", "").replace("The Frozen Well             5", ""))
    assert found["title-over-text"] == ["THREE SMALL TALES"]


# ------------------------------------------------------------------ the head


@pins("labelled-fields", "disclaimer-bracketed", "end-mark")
def test_labelled_fields_and_a_bracketed_disclaimer(tmp_path: Path) -> None:
    text = f"""
        Title: Small Lights
        Author: Tam Reyes
        Rating: T
        Pairing: Tam/Oriel

        {{I don't own these characters; they belong to their creators.}}

        {PROSE}

        To be continued...
    """
    found = rules(tmp_path, text)
    assert found["labelled-fields"] and found["disclaimer-bracketed"] and found["end-mark"] == ["To be continued..."]
    story = read(tmp_path, text).story
    assert (story.title, story.authors) == ("Small Lights", ("Tam Reyes",))
    assert [(f.key, plain_text(f.value)) for f in story.fields] == [("rating", "T"), ("pairing", "Tam/Oriel")]


@pins("byline", "title-above-byline", "preface", "series-line")
def test_title_block_with_a_preface_above_it(tmp_path: Path) -> None:
    text = f"""
        Some of you asked for the rest of this, so here it is at last, all in one post.

                           THE LANTERN CYCLE

                           "Road of Ash"

                           by  Ada Quill

        {PROSE}
    """
    found = rules(tmp_path, text)
    assert found["title-above-byline"] == ['"Road of Ash"'] and found["series-line"] == ["THE LANTERN CYCLE"]
    assert found["preface"] and found["byline"] == ["by Ada Quill"]
    story = read(tmp_path, text).story
    assert (story.title, story.authors) == ("Road of Ash", ("Ada Quill",))
    assert [plain_text(n.blocks[0].children) for n in story.notes_before] == [
        "Some of you asked for the rest of this, so here it is at last, all in one post."
    ]
    assert [(f.key, plain_text(f.value)) for f in story.fields] == [("series", "THE LANTERN CYCLE")]


@pins("summary-label", "disclaimer-label", "note-label")
def test_labelled_summary_disclaimer_and_note_keep_their_labels_beside_them(tmp_path: Path) -> None:
    text = f"""
        Summary: Two lamplighters and one long night.

        Disclaimer: The city is mine, the lamps are not.

        A/N: Written for a friend.

        {PROSE}
    """
    found = rules(tmp_path, text)
    assert found["summary-label"] and found["disclaimer-label"] and found["note-label"]
    story = read(tmp_path, text).story
    assert (story.summary_label, story.disclaimer_label, story.notes_before[0].label) == ("Summary:", "Disclaimer:", "A/N:")
    assert plain_text(story.disclaimer[0].children) == "The city is mine, the lamps are not."


@pins("ownership", "rights-notice")
def test_an_ownership_line_and_a_copyright_line_are_disclaimers(tmp_path: Path) -> None:
    found = rules(tmp_path, f"Nothing here belongs to me but the plot.\n\n{PROSE}\n")
    assert found["ownership"] == ["Nothing here belongs to me but the plot."]
    found = rules(tmp_path, f"Copyright (c) 1994 Ada Quill\n\n{PROSE}\n")
    assert found["rights-notice"] == ["Copyright (c) 1994 Ada Quill"]


@pins("note-lead", "note-continues", "author-talk")
def test_notes_before_the_story_one_per_label(tmp_path: Path) -> None:
    text = """
        <p>Author's Note: This is the first part of a longer story, posted as I finish it.</p>
        <p>Background notes:</p>
        <p>The city in this story is made up, though the river is not.</p>
        <p><b>Thanks to</b> my two readers, who caught every slip.</p>
        <p>Disclaimer: The river belongs to everyone.</p>
        <p>Mara stood at the window and watched the rain come in over the hills, and the kettle boiled dry behind her.</p>
    """
    found = rules(tmp_path, text, "notes.html")
    assert found["note-lead"] == ["Background notes:", "Thanks to my two readers, who caught every slip."]
    assert found["note-continues"] == ["The city in this story is made up, though the river is not."]
    story = read(tmp_path, text, "notes.html").story
    assert len(story.notes_before) == 3 and story.disclaimer
    assert rules(tmp_path, f"Please send comments and flames to ada@example.org.\n\n{PROSE}\n")["author-talk"]


@pins("preface-section")
def test_a_foreword_is_the_note_before_the_text(tmp_path: Path) -> None:
    text = f"""
        FOREWORD


        These tales were told by the fire long before anyone wrote them down.

                                                              THE EDITOR



        THE FIRST TALE


        {PROSE}
    """
    found = rules(tmp_path, text)
    assert found["preface-section"][0] == "FOREWORD"
    story = read(tmp_path, text).story
    assert story.notes_before[0].label == "FOREWORD" and texts(story, Heading) == ["THE FIRST TALE"]


@pins("title-first-line", "fence")
def test_a_short_first_line_set_apart_is_the_title(tmp_path: Path) -> None:
    text = f"""
        ***   THE SALT ROAD   ***


        * * *

        {PROSE}
    """
    found = rules(tmp_path, text)
    assert found["title-first-line"] and found["fence"] == ["* * *"]
    story = read(tmp_path, text).story
    assert story.title == "THE SALT ROAD" and count(story, SceneBreak) == 0
    # A long first paragraph is the story, and the book says it guessed the title.
    guessed = read(tmp_path, f"{PROSE}\n").story
    assert guessed.title_guessed


@pins("title-repeat")
def test_the_title_shown_again_over_the_text_is_no_heading(tmp_path: Path) -> None:
    text = f"""
        <p><b>The Salt Road</b></p>
        <p>by Ada Quill</p>
        <p><b>The Salt Road</b></p>
        <p>{PROSE}</p>
    """
    found = rules(tmp_path, text, "road.html")
    assert found["title-repeat"] == ["The Salt Road"]
    assert texts(read(tmp_path, text, "road.html").story, Heading) == []


@pins("banner")
def test_a_drawn_banner_with_the_title_and_author_in_it(tmp_path: Path) -> None:
    text = f"""
        ▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄
        ░░░░░░░░THE LONG WINTER░░░░░░░░░░░░Ada Quill░░░░░░
        ▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀

        {PROSE}
    """
    story = read(tmp_path, text).story
    assert (story.title, story.authors) == ("THE LONG WINTER", ("Ada Quill",))
    assert story.body[0].__class__.__name__ == "Preformatted"  # the drawing stays, as drawn
    assert context(tmp_path, text).title_rule == "banner"


@pins("note-before-first-chapter")
def test_a_short_note_between_the_furniture_and_chapter_one(tmp_path: Path) -> None:
    text = f"""
        Disclaimer: Not mine.

        My first try at a crossover, so please be patient with me.

        Chapter 1: The Crossing

        {PROSE}
    """
    found = rules(tmp_path, text)
    assert found["note-before-first-chapter"] == ["My first try at a crossover, so please be patient with me."]


# ------------------------------------------------------------------ the tail


@pins("review-request", "glossary")
def test_a_glossary_without_blank_lines_and_a_review_request(tmp_path: Path) -> None:
    text = f"""
        {PROSE}

        Terms used:
        kintsugi – mending broken pottery with gold, so the break becomes part of its history and is shown rather than hidden
        wabi – beauty in plainness

        Please review!
    """
    found = rules(tmp_path, text)
    assert found["glossary"] and found["review-request"] == ["Please review!"]
    story = read(tmp_path, text).story
    assert story.glossary is not None and [e.term for e in story.glossary.entries] == ["kintsugi", "wabi"]


@pins("centred-sign-off")
def test_a_centred_closing_word_after_the_end(tmp_path: Path) -> None:
    found = rules(tmp_path, f"{PROSE}\n\n                                    Farewell.\n")
    assert found["centred-sign-off"] == ["Farewell."]


@pins("after-the-end")
def test_what_follows_the_end_mark_is_the_rights_line_and_a_closing_note(tmp_path: Path) -> None:
    text = f"""
        {PROSE}

                                  -end-
                       Copyright (c) 1993 Ada Quill

        Ada Quill can be contacted by e-mail at ada@example.org.
    """
    found = rules(tmp_path, text)
    assert found["after-the-end"] == ["Ada Quill can be contacted by e-mail at ada@example.org."]
    story = read(tmp_path, text).story
    assert plain_text(story.disclaimer[0].children) == "Copyright (c) 1993 Ada Quill" and len(story.notes_after) == 1


@pins("note-after", "note-heading")
def test_closing_notes_under_a_heading_one_per_signed_note(tmp_path: Path) -> None:
    text = f"""
        {PROSE}

        ## Author's notes:

        This one started as a joke between the two of us.

        -AQ

        ------   ------

        I wrote my half on trains.

        Tam
    """
    found = rules(tmp_path, text, "notes.md")
    assert found["note-heading"] == ["Author's notes:"] and len(found["note-after"]) == 4
    story = read(tmp_path, text, "notes.md").story
    assert [n.label for n in story.notes_after] == ["Author's notes:", ""]


@pins("note-list")
def test_a_closing_list_of_numbered_notes_is_end_notes(tmp_path: Path) -> None:
    text = """
        <p>The river ran backwards that year.[1] Nobody minded.[*]</p>
        <p>Then the snow came, as it always did.[2]</p>
        <hr/>
        <p>[1] It did not, really; the miller only said so.</p>
        <p>[*] The translator's own note: the pun does not survive.</p>
        <p>[2] In the old calendar, the snow came in the tenth month.</p>
    """
    found = rules(tmp_path, text, "notes.html")
    assert len(found["note-list"]) == 3
    story = read(tmp_path, text, "notes.html").story
    assert len(story.endnotes) == 3 and all(n.ref_ids and n.marked for n in story.endnotes)
    assert count(story, SceneBreak) == 0  # the rule sets the notes off


@pins("back-matter")
def test_a_printed_books_closing_map_is_back_matter(tmp_path: Path) -> None:
    text = f"""
        *** START OF THIS PROJECT GUTENBERG EBOOK A SHORT BOOK ***

        A SHORT BOOK


        {PROSE}

               *       *       *

        [Illustration:

        The map of the valley]

        *** END OF THIS PROJECT GUTENBERG EBOOK A SHORT BOOK ***
    """
    found = rules(tmp_path, text)
    assert len(found["back-matter"]) == 3
    assert count(read(tmp_path, text).story, SceneBreak) == 0


# ------------------------------------------------------------------ headings


@pins("heading-syntax", "chapter-words", "bare-number")
def test_headings_by_syntax_by_their_words_and_by_a_bare_number(tmp_path: Path) -> None:
    assert rules(tmp_path, f"# Road\n\n{PROSE}\n\n## The Ford\n\n{PROSE}\n", "r.md")["heading-syntax"] == ["The Ford"]
    text = f"""
        Chapter 2: The Ford

        {PROSE}

        IV

        {PROSE}
    """
    found = rules(tmp_path, text)
    assert found["chapter-words"] == ["Chapter 2: The Ford"] and found["bare-number"] == ["IV"]


def test_chapter_with_its_subtitle_on_the_next_line_is_one_heading_and_book_lines_a_level_up(tmp_path: Path) -> None:
    text = f"""
        BOOK I


        CHAPTER I.
        THE RIVER.


        {PROSE}


        CHAPTER II.
        THE MILL.


        {PROSE}
    """
    story = read(tmp_path, text).story
    headings = [(plain_text(b.children), b.level) for b in story.body if isinstance(b, Heading)]
    assert headings == [("BOOK I", 1), ("CHAPTER I. THE RIVER.", 2), ("CHAPTER II. THE MILL.", 2)]


@pins("underlined", "rule-and-number")
def test_an_underlined_heading_and_a_part_number_under_a_rule(tmp_path: Path) -> None:
    text = f"""
        Lantern Road, part 1:  Dusk
        ---------------------------
        1

        {PROSE}

        ---------------------------
        2

        {PROSE}
    """
    found = rules(tmp_path, text)
    assert found["underlined"][0] == "Lantern Road, part 1: Dusk" and found["rule-and-number"][-1] == "2"
    assert texts(read(tmp_path, text).story, Heading) == ["Lantern Road, part 1: Dusk", "2"]


@pins("lettered-sequence", "glued-heading")
def test_lettered_sections_and_one_glued_to_a_paragraph(tmp_path: Path) -> None:
    text = f"""
        A. First Light

        {PROSE}

        B. Second Thoughts

        {PROSE} It was late. C. Third Time Lucky

        The third section starts here and nobody minds.

        D. Last Word

        {PROSE}
    """
    found = rules(tmp_path, text)
    assert found["lettered-sequence"] == ["A. First Light", "B. Second Thoughts", "D. Last Word"] and found["glued-heading"]
    story = read(tmp_path, text).story
    assert texts(story, Heading) == ["A. First Light", "B. Second Thoughts", "C. Third Time Lucky", "D. Last Word"]


@pins("capitals-line")
def test_a_capitals_title_with_more_space_before_it_than_paragraphs_get(tmp_path: Path) -> None:
    text = f"""
        {PROSE}


        THE SNOW DANCE.

        {PROSE}

        "STOP THAT NOISE!"

        {PROSE}
    """
    found = rules(tmp_path, text)
    assert found["capitals-line"] == ["THE SNOW DANCE."]  # a shout is no title


@pins("set-apart-line")
def test_bold_lines_are_headings_only_as_a_run(tmp_path: Path) -> None:
    run = f"<p>{PROSE}</p><p><b>The Gate</b></p><p>{PROSE}</p><p><b>The Tower</b></p><p>{PROSE}</p>"
    assert rules(tmp_path, run, "run.html")["set-apart-line"] == ["The Gate", "The Tower"]
    alone = f"<p>{PROSE}</p><p><b>About the Author</b></p><p>{PROSE}</p>"
    assert "set-apart-line" not in rules(tmp_path, alone, "alone.html")


# ------------------------------------------------------------------ breaks


@pins("drawn-break", "slug-line")
def test_drawn_breaks_of_any_length_and_slug_lines(tmp_path: Path) -> None:
    text = f"""
        {PROSE}

        {"~" * 200}

        {PROSE}

        ❀ ❀ ❀

        {PROSE}

        Six months later:

        {PROSE}

        [LONDON, 1888]

        {PROSE}
    """
    found = rules(tmp_path, text)
    assert len(found["drawn-break"]) == 2 and found["slug-line"] == ["Six months later:", "[LONDON, 1888]"]
    story = read(tmp_path, text).story
    assert count(story, SceneBreak) == 4 and "~~~~" not in " ".join(texts(story, Paragraph))


@pins("fence-off")
def test_a_separator_at_a_sections_edge_or_fencing_a_note_is_no_break(tmp_path: Path) -> None:
    text = f"""
        Chapter 1

        * * *

        {PROSE}

        * * *

        A/N: Thanks for reading.
    """
    found = rules(tmp_path, text)
    assert found["fence-off"] == ["* * *"]
    assert count(read(tmp_path, text).story, SceneBreak) == 0


@pins("blank-line-break")
def test_blank_lines_are_a_break_only_where_the_files_spacing_says_so(tmp_path: Path) -> None:
    one_per_line = f"{PROSE}\n{PROSE}\n\n{PROSE}\n{PROSE}\n"
    assert count(read(tmp_path, one_per_line).story, SceneBreak) == 1
    spaced = f"{PROSE}\n\n{PROSE}\n\n\n{PROSE}\n"
    assert count(read(tmp_path, spaced).story, SceneBreak) == 1
    # A file that draws its breaks and has no blank lines between paragraphs: a stray blank line is a pause.
    drawn = f"{PROSE}\n{PROSE}\n\n{PROSE}\n*****\n{PROSE}\n"
    assert count(read(tmp_path, drawn).story, SceneBreak) == 1
    # Inside someone's speech, or after a letter's "Love," a gap is no break either.
    speech = f'{PROSE}\n"I have no feelings. None at all. Absolutely none ...\n\nbut why do you ask?" he said.\n{PROSE}\n'
    assert count(read(tmp_path, speech).story, SceneBreak) == 0


# ------------------------------------------------------------------ notes inside the story


@pins("section-note-label", "repeated-header")
def test_each_chapters_note_follows_its_heading_and_its_repeated_header_is_said_once(tmp_path: Path) -> None:
    text = f"""
        Title: Small Lights
        Pairing: Tam/Oriel

        {PROSE}

        Title: Small Lights
        Pairing: Tam/Oriel
        A/N: Thanks for all the reviews!

        Chapter 2

        {PROSE}
    """
    found = rules(tmp_path, text)
    assert found["repeated-header"] and found["section-note-label"] == ["A/N: Thanks for all the reviews!"]
    story = read(tmp_path, text).story
    chapter_2 = next(k for k, b in enumerate(story.body) if isinstance(b, Heading) and not b.synthesized)
    assert isinstance(story.body[chapter_2 + 1], AuthorNote)  # after its chapter's heading
    assert "Pairing: Tam/Oriel" not in " ".join(texts(story, Paragraph))


@pins("note-before-part")
def test_a_repost_notice_before_part_two_is_part_twos_note(tmp_path: Path) -> None:
    text = f"""
        {PROSE}


        This is a repost of part 2. Send comments and flames to ada@example.org.

        Part 2

        {PROSE}
    """
    found = rules(tmp_path, text)
    assert found["note-before-part"]
    story = read(tmp_path, text).story
    assert [type(b).__name__ for b in story.body][-3:] == ["Heading", "AuthorNote", "Paragraph"]


@pins("site-region")
def test_ao3_download_regions_title_byline_tags_notes_and_chapters(tmp_path: Path) -> None:
    html = (Path(__file__).parent / "fixtures" / "read" / "ao3_download.html.txt").read_text(encoding="utf-8")
    found = rules(tmp_path, html, "work.html")
    assert found["site-region"]
    result = read(tmp_path, html, "work.html")
    story = result.story
    assert (story.title, story.authors, result.format) == ("The Quiet Orchard", ("lantern_writer", "second_pen"), "ao3-download-html")
    assert [plain_text(p.children) for p in story.summary] == ["Two sisters, one orchard, a very long winter."]
    assert [f.key for f in story.fields][:3] == ["rating", "warnings", "fandom"] and story.fields[-1].key == "source"
    assert [plain_text(n.blocks[0].children) for n in story.notes_before] == ["For my sister, who planted the first tree."]
    assert [plain_text(n.blocks[0].children) for n in story.notes_after] == ["Thank you for reading to the end."]
    assert texts(story, Heading) == ["Frost", "Thaw"]
    inside = [(n.kind, plain_text(n.blocks[0].children)) for n in story.body if isinstance(n, AuthorNote)]
    assert inside == [("summary", "Winter comes early."), ("note", "This chapter was hard to write."), ("end", "More soon.")]
    assert "Posted originally on the" not in " ".join(texts(story, Paragraph))
    assert any("See the end of the chapter" in text for text, _ in result.boilerplate)


def test_fanfiction_net_page_story_text_title_author_and_chapter(tmp_path: Path) -> None:
    html = (Path(__file__).parent / "fixtures" / "read" / "ffn_page.html.txt").read_text(encoding="utf-8")
    result = read(tmp_path, html, "page.html")
    story = result.story
    assert (story.title, story.authors, result.format) == ("Glass Birds", ("featherpen",), "ffn-download")
    assert texts(story, Heading) == ["Chapter 1: The Aviary"]
    assert [(n.label, plain_text(n.blocks[0].children)) for n in story.notes_before] == [("Author's Note:", "Rated T for peril.")]
    assert "Follow/Fav" not in " ".join(texts(story, Paragraph)) and count(story, SceneBreak) == 1


# ------------------------------------------------------------------ verse, letters, documents


@pins("verse-lines")
def test_lines_the_author_broke_are_verse_and_a_wrap_is_not(tmp_path: Path) -> None:
    text = f"""
        {PROSE}

          Bala old the lake has had, and Bala new
           The lake will have, and Llanfor, too.

        She went on down the road, and did not look back at the water or the town or the
        people gathered at the edge of it to watch her go.
    """
    found = rules(tmp_path, text)
    assert len(found["verse-lines"]) == 1
    assert [len(b.lines) for b in read(tmp_path, text).story.body if isinstance(b, Verse)] == [2]


@pins("spaced-lines")
def test_a_poem_set_one_line_to_a_paragraph_with_blank_lines_between(tmp_path: Path) -> None:
    lines = ["The frost is on the apple bough,", "The lantern on the sill,", "And all the roads are silent now,", "And all the fields are still."]
    text = f"{PROSE}\n" * 5 + "\n" + "\n\n".join(lines) + "\n" + f"{PROSE}\n" * 3
    found = rules(tmp_path, text)
    assert found["spaced-lines"] == lines
    (poem,) = [b for b in read(tmp_path, text).story.body if isinstance(b, Verse)]
    assert [plain_text(line) for line in poem.lines] == lines


@pins("capitals-document")
def test_a_memo_in_capitals_is_kept_line_by_line(tmp_path: Path) -> None:
    text = f"""
        {PROSE}

        FLEET COMMAND

        MEMORANDUM TO:  CAPTAIN, SHIP ELEVEN

        1.  PROCEED TO THE NORTHERN STATION.

        2.  REPORT ON ARRIVAL.

        {PROSE}
    """
    found = rules(tmp_path, text)
    assert len(found["capitals-document"]) == 4
    assert count(read(tmp_path, text).story, Verse) == 1


@pins("letter")
def test_a_letter_from_salutation_to_signature_is_kept_together(tmp_path: Path) -> None:
    text = f"""
        <p>{PROSE}</p>
        <p><em>Dear Mara,</em></p>
        <p><em>The orchard is well and so are we. Come home when you can.</em></p>
        <p><em>Yours,</em></p>
        <p><em>Tam</em></p>
        <p>{PROSE}</p>
    """
    found = rules(tmp_path, text, "letter.html")
    assert found["letter"] == ["Dear Mara,", "The orchard is well and so are we. Come home when you can.", "Yours,", "Tam"]
    (letter,) = [b for b in read(tmp_path, text, "letter.html").story.body if isinstance(b, BlockQuote)]
    assert letter.kind == "letter" and len(letter.blocks) == 4


@pins("between-lines")
def test_a_short_line_between_two_blocks_of_lines_joins_them(tmp_path: Path) -> None:
    text = f"""
        <p>{PROSE}</p>
        <p>Name<br/>Birth name<br/>Place</p>
        <p>Title</p>
        <p>Heir: North<br/>South<br/>East</p>
        <p>{PROSE}</p>
    """
    found = rules(tmp_path, text, "table.html")
    assert found["between-lines"] == ["Title"]


@pins("stanza-number")
def test_numbered_stanzas_stay_in_their_poem(tmp_path: Path) -> None:
    text = f"""
        {PROSE}

             I.

          The king sat in the hall of stone,
          And drank the dark red wine;
          The candles burned, the harpers played,
          And all the night was fine.

             II.

          The king rose up before the dawn,
          And rode out to the sea;
          The gulls went crying overhead,
          And none so sad as he.

        {PROSE}
    """
    found = rules(tmp_path, text)
    assert found["stanza-number"] == ["I.", "II."]
    story = read(tmp_path, text).story
    assert texts(story, Heading) == []


# ------------------------------------------------------------------ conventions met in files nobody tuned for


def test_a_title_block_centred_by_eye_with_tabs_is_title_and_byline(tmp_path: Path) -> None:
    # Three centred lines: two of them start at the same tab stop, all share one middle.
    text = "\t\t\t\t\"Lamp Oil\"\n\t\t\t\t   By\n\t\t\t\tNell Harrow\n\n\n\n" + f"  {PROSE}\n\n" * 4
    story = read(tmp_path, text).story
    assert (story.title, story.authors) == ("Lamp Oil", ("Nell Harrow",))
    assert count(story, SceneBreak) == 0  # the space under the title block is no break


def test_a_boxed_title_with_its_byline_on_one_line_after_a_preface(tmp_path: Path) -> None:
    text = f"""
        Path: news.example.org!not-for-mail
        From: relay@example.org (Post Master)
        Newsgroups: rec.arts.fiction
        Subject: FICTION : Lantern Road (1/1)

        I wrote this years ago for a club magazine that never came out, and found it again last week.

        {"-" * 70}
        \t\t\tLANTERN ROAD  by Ada Quill
        {"-" * 70}

        {PROSE}

        {PROSE}
    """
    story = read(tmp_path, text).story
    assert (story.title, story.authors) == ("LANTERN ROAD", ("Ada Quill",))
    assert [plain_text(n.blocks[0].children)[:12] for n in story.notes_before] == ["I wrote this"]  # type: ignore[attr-defined]
    assert count(story, SceneBreak) == 0 and not any(isinstance(b, Verse) for b in story.body)


def test_a_byline_in_another_language_and_a_phrase_that_only_starts_like_one(tmp_path: Path) -> None:
    html = (
        '<p align="center"><strong>La casa vacía</strong></p><p align="center">Por Marta_Lune</p>'
        f"<p>{PROSE}</p><p>{PROSE}</p>"
    )
    story = read(tmp_path, html, "cuento.html").story
    assert (story.title, story.authors) == ("La casa vacía", ("Marta_Lune",))
    plea = '<p align="center"><strong>La casa vacía</strong></p><p align="center">Por favor</p>' f"<p>{PROSE}</p>"
    assert read(tmp_path, plea, "ruego.html").story.authors == ()


def test_a_time_skip_alone_and_a_row_of_colons_are_breaks(tmp_path: Path) -> None:
    text = f"""
        {PROSE}

        Three Weeks Later…

        {PROSE}

        :::

        {PROSE}

        He came back later.

        {PROSE}
    """
    found = rules(tmp_path, text)
    assert found["slug-line"] == ["Three Weeks Later…"] and found["drawn-break"] == [":::"]
    assert count(read(tmp_path, text).story, SceneBreak) == 2


def test_a_quoted_line_between_two_wide_gaps_is_set_off_even_inside_speech(tmp_path: Path) -> None:
    # The gap before the quoted line falls inside an unclosed quotation; the one after it would
    # count on its own. Together they set one remembered line apart: no break at all.
    text = f'  {PROSE}\n\n  "Well.  You are past your prime, then.\n\n\n  "And take that dog with you."\n\n\n  {PROSE}\n\n  {PROSE}\n'
    assert count(read(tmp_path, text).story, SceneBreak) == 0


def test_a_long_first_line_without_spaces_is_no_title(tmp_path: Path) -> None:
    first = "<p><em>" + "他把那封信从厚厚的课本里抽出来，翻来覆去地看了很久，才终于决定把它打开来，坐在窗边慢慢地读一读" + "</em></p>"
    html = first + "".join(f"<p>{'她走到窗前，看着外面的雨一点一点落下来，心里想着明天的事情。' * 3}</p>" for _ in range(3))
    assert read(tmp_path, html, "xin.html").story.title_guessed


@pins("subject-title")
def test_the_name_in_a_posts_subject_shown_again_is_its_title_and_the_text_above_it_a_preface(tmp_path: Path) -> None:
    text = f"""
        Path: news.example.org!not-for-mail
        From: Ada Quill <ada@example.org>
        Newsgroups: rec.arts.fiction
        Subject: Lantern Road

        A short one about the old road; nobody from the series turns up in it. Comments welcome!


        Lantern Road


             {PROSE}
        {PROSE}
             {PROSE}
        {PROSE}
    """
    found = rules(tmp_path, text)
    assert found["subject-title"] == ["Lantern Road"] and found["preface"][0].startswith("A short one")
    story = read(tmp_path, text).story
    assert story.title == "Lantern Road" and len(story.notes_before) == 1 and count(story, SceneBreak) == 0


@pins("stanza-divider")
def test_a_bbs_message_of_poems_with_stanza_dividers(tmp_path: Path) -> None:
    # CR CR LF line ends (a DOS file converted twice), a message header, three titled poems whose
    # stanzas are divided by a lone "-" set tight against them.
    poem = "     {title}\r\r\n     -\r\r\n  Across the hill the evening light\r\r\n  Goes slowly down to meet the sea\r\r\n" \
           "  And every field is turning white\r\r\n  Beneath the old and leaning tree\r\r\n     -\r\r\n" \
           "  The shepherd calls his flock away\r\r\n  The bell is ringing in the tower\r\r\n     -\r\r\n" \
           "    So ends the light, so ends the day\r\r\n    And so the night takes back its hour.\r\r\n\r\r\n"
    body = "".join(poem.format(title=t) for t in ("THE HILL AT DUSK", "A BELL IN WINTER", "THE LAST FIELD"))
    path = tmp_path / "poems.txt"
    path.write_bytes(("\r\nDate:  03-09-89  20:46\r\nFrom:  Quiet Heron\r\n\r\n\r\n" + body).encode("ascii"))
    result = read_story(path, None)
    story = result.story
    assert not story.title or story.title_guessed
    assert texts(story, Heading) == ["THE HILL AT DUSK", "A BELL IN WINTER", "THE LAST FIELD"]
    assert count(story, Verse) == 3 and count(story, SceneBreak) == 0
    assert [len(v.lines) for v in story.body if isinstance(v, Verse)] == [10, 10, 10]  # stanzas and dividers, no blank lines
    assert any(text.startswith("Date:") for text, _line in result.boilerplate)


def test_a_number_alone_is_a_date_line_not_a_title_or_a_heading(tmp_path: Path) -> None:
    html = (f"<p><b>1999</b></p><p>{PROSE}</p><p>{PROSE}</p><hr/><p>{PROSE}</p><p>{PROSE}</p>"
            f"<hr/><p><b>283</b></p><p>{PROSE}</p><p>{PROSE}</p>")
    story = read(tmp_path, html, "years.html").story
    assert story.title_guessed and texts(story, Heading) == []
    assert count(story, SceneBreak) == 2


def test_story_talk_about_a_story_in_another_language_is_not_a_note(tmp_path: Path) -> None:
    # "historia" (story) alone is the tale speaking, not its author: only "esta historia" or
    # "mi historia" talk about the post.
    html = ("<p>Esta no es la típica historia de amor entre la princesa y su príncipe azul. Tampoco es la historia de dos amantes.</p>"
            "<p>Su casa no tiene balcones por donde asomarse, y su príncipe monta a caballo por los bosques que rodean la casa cada mañana.</p>")
    story = read(tmp_path, html, "prologo.html").story
    assert story.notes_before == ()



@pins("repeated-title-block")
def test_the_title_block_repeated_at_part_two_is_text(tmp_path: Path) -> None:
    block = "                    THE SALT ROAD\n\n                  a tale by\n\n                    Ada Quill\n"
    text = f"{block}\n                     PART ONE\n\n{PROSE}\n\n{block}\n                     PART TWO\n\n{PROSE}\n"
    found = rules(tmp_path, text)
    assert found["repeated-title-block"] == ["THE SALT ROAD", "a tale by", "Ada Quill"]
    assert texts(read(tmp_path, text).story, Heading) == ["PART ONE", "PART TWO"]


# ------------------------------------------------------------------ weak evidence is reported


def test_a_reading_not_taken_is_reported_as_info_with_its_line(tmp_path: Path) -> None:
    text = f"The tower\n\n{PROSE}\n"
    result = read(tmp_path, f"Chapter 2: The Tower\n\n{PROSE}\n\nThank you for reading, the end is near now, said the guard.\n\n{PROSE}\n")
    assert result.story  # reading works
    close = [d for d in read(tmp_path, text).diagnostics if d.code == "A160"]
    assert all(d.line > 0 and "could be" in d.message for d in close)


# ------------------------------------------------------------------ the table itself


def test_every_rule_in_the_table_has_a_fixture_test() -> None:
    names = {r.name for r in RULES}
    assert len(names) == len(RULES), "rule names are unique"
    assert names - PINNED == set()
    assert all(r.evidence for r in RULES)


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_each_rule_names_its_evidence_and_role(rule) -> None:  # noqa: ANN001
    assert rule.role and len(rule.evidence) > 20
