"""Issue 16: stories as readers download them — the Archive's EPUB read as its HTML, any EPUB 2 or 3
read as a story (an EpubMerge anthology as its works), hostile EPUBs refused with a clear message,
and every download's source credited on the rights page and in the EPUB's metadata."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from compiler.build import build
from compiler.config import load_config
from compiler.diagnostics import BuildError, ExitCode
from compiler.model import AuthorNote, BlockQuote, Emphasis, Heading, Inline, Origin, Paragraph, Story, Strong, Text, Verse, plain_text
from compiler.options import BuildOptions
from compiler.read import read_stories, read_story

from .downloads import HARBOUR, LANTERN, ao3_html, calibre_epub, hostile_epub, merged_epub, plain_epub
from .helpers import NS, epub_documents


def _blocks(story: Story) -> list[tuple[str, str]]:
    """The story's body as a reader meets it: each block's kind and text."""
    out = []
    for b in story.body:
        if isinstance(b, AuthorNote):
            out.append((f"note:{b.kind}", " ".join(plain_text(p.children) for p in b.blocks if isinstance(p, Paragraph))))
        elif isinstance(b, (Heading, Paragraph)):
            out.append((type(b).__name__, plain_text(b.children)))
        else:
            out.append((type(b).__name__, ""))
    return out


def _notes(notes: tuple[AuthorNote, ...]) -> list[str]:
    return [" ".join(plain_text(p.children) for p in n.blocks if isinstance(p, Paragraph)) for n in notes]


def _essence(story: Story) -> dict[str, object]:
    return {
        "title": story.title,
        "authors": story.authors,
        "fields": [(f.key, " ".join(plain_text(f.value).split())) for f in story.fields],
        "summary": [plain_text(p.children) for p in story.summary],
        "notes_before": _notes(story.notes_before),
        "notes_after": _notes(story.notes_after),
        "body": _blocks(story),
        "origin": story.origin,
    }


@pytest.mark.external
def test_the_archives_epub_download_reads_into_the_same_story_as_its_html(tmp_path: Path) -> None:
    html = tmp_path / "lantern.html"
    html.write_text(ao3_html(LANTERN), encoding="utf-8")
    book = tmp_path / "lantern.epub"
    calibre_epub(html, book, LANTERN)
    from_html, from_epub = read_story(html, None), read_story(book, None)
    assert from_epub.format == "ao3-download-epub" and from_html.format == "ao3-download-html"
    assert _essence(from_epub.story) == _essence(from_html.story)
    story = from_epub.story
    assert story.title == "The Lantern Keeper's Ledger"
    assert story.authors == ("quillfeather", "marrow_and_moss")
    fields = dict((f.key, plain_text(f.value)) for f in story.fields)
    assert fields["warnings"] == "No Archive Warnings Apply" and fields["tags"] == "Lighthouses, Epistolary, Magical Realism"
    assert [b for b in _blocks(story) if b[0] == "Heading"] == [("Heading", "Chapter 1: Low Water"), ("Heading", "Chapter 2: Spring Tide")]
    kinds = [k for k, _ in _blocks(story) if k.startswith("note:")]
    assert kinds == ["note:summary", "note:note", "note:end"]  # chapter summary, chapter notes, chapter end notes
    assert _notes(story.notes_after) == [LANTERN.end_notes]  # the afterword's end notes
    # `<em>thank you</em>\n  .`: the markup's line break before the full stop is not a space
    assert any(t.endswith("the word thank you.") for _, t in _blocks(story))
    assert story.origin.url == "https://archiveofourown.org/works/4815162" and story.origin.work_id == "4815162"
    assert (story.origin.series, story.origin.part) == ("Harbour Lights", 2)
    # The Archive's own words are not the story's
    text = " ".join(t for _, t in _blocks(story))
    assert "Posted originally" not in text and "drop by the Archive" not in text and "See the end" not in text


def test_any_epub_reads_its_metadata_headings_from_the_nav_and_keeps_notes_linked(tmp_path: Path) -> None:
    book = tmp_path / "salt-roads.epub"
    plain_epub(book)
    read = read_story(book, None)
    story = read.story
    assert story.title == "Salt Roads" and story.authors == ("Ilse Varga",)
    assert [plain_text(p.children) for p in story.summary] == ["Two caravans cross the salt flats in opposite directions.", "Only one arrives."]
    assert ("tags", "Desert, Caravans") in [(f.key, plain_text(f.value)) for f in story.fields]
    assert story.origin.url == "https://example.org/stories/salt-roads"
    # The chapters have no headings of their own: the nav names them
    assert [t for k, t in _blocks(story) if k == "Heading"] == ["Eastbound", "Westbound"]
    # The footnote is a note linked from its mention, not a paragraph of the story
    assert [plain_text(n.body).strip() for n in story.endnotes] == ["Her name was Dalia Ferro, and she drew every well."]
    assert all("Dalia" not in t for _, t in _blocks(story))
    # inspect can say where each came from
    assert dict(read.where)["title"].endswith("dc:title") and dict(read.where)["summary"].endswith("dc:description")


def test_an_epubmerge_anthology_is_read_as_its_works_in_order(tmp_path: Path) -> None:
    src = tmp_path / "stories"
    src.mkdir()
    merged_epub(src / "two-winters.epub")
    read = read_stories(src, load_config(src))
    assert [(s.title, s.authors) for s in read.stories] == [("First Frost", ("Oona Bright",)), ("The Ice Road", ("Tobias Fenn",))]
    assert [[t for k, t in _blocks(s) if k == "Heading"] for s in read.stories] == [["Kettle", "Thaw"], ["Crossing", "Far Shore"]]
    assert "A046" in [d.code for d in read.diagnostics]
    assert [s.source.work for s in read.stories] == [1, 2]


def test_works_of_one_series_stand_in_the_order_of_their_parts(tmp_path: Path) -> None:
    src = tmp_path / "stories"
    src.mkdir()
    (src / "a-lantern.html").write_text(ao3_html(LANTERN), encoding="utf-8")  # part 2, first by name
    (src / "b-harbour.html").write_text(ao3_html(HARBOUR), encoding="utf-8")  # part 1
    assert [s.origin.part for s in read_stories(src, load_config(src)).stories] == [1, 2]
    (src / "anthology.toml").write_text('order = ["a-lantern.html", "b-harbour.html"]\n', encoding="utf-8")
    assert [s.origin.part for s in read_stories(src, load_config(src)).stories] == [2, 1]  # the manifest's word stands


@pytest.mark.parametrize(
    ("kind", "code", "words"),
    [
        ("bomb", "A042", "zip bomb"),
        ("traversal", "A042", "leads out of the book"),
        ("drm", "A041", "DRM"),
        ("not-zip", "A040", "not a zip archive"),
    ],
)
def test_a_hostile_epub_is_refused_with_a_clear_message(kind: str, code: str, words: str, tmp_path_factory: pytest.TempPathFactory,
                                                       tmp_path: Path) -> None:
    # Outside tmp_path: these are attacks to refuse, not books the tests build for EPUBCheck.
    src = tmp_path_factory.mktemp("hostile")
    (src / "gift.epub").write_bytes(hostile_epub(kind))
    run = subprocess.run([sys.executable, "-m", "compiler", "build", str(src), "-o", str(tmp_path / "out")], capture_output=True, text=True)
    assert run.returncode == ExitCode.INPUT, run.stderr
    assert "Traceback" not in run.stderr
    assert "gift.epub" in run.stderr and code in run.stderr and words in run.stderr, run.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_an_xxe_entity_is_not_expanded_and_the_user_hears_so(tmp_path_factory: pytest.TempPathFactory) -> None:
    src = tmp_path_factory.mktemp("xxe")
    (src / "gift.epub").write_bytes(hostile_epub("xxe"))
    read = read_story(src / "gift.epub", None)
    assert "A043" in [d.code for d in read.diagnostics]
    text = " ".join(t for _, t in _blocks(read.story))
    assert "A quiet" in text and "page of story" in text
    assert "root:" not in text  # /etc/passwd was never read


def test_reading_a_zip_bomb_stops_before_unpacking_it() -> None:
    from compiler.read.epub import read_epub

    with pytest.raises(BuildError) as err:
        read_epub(hostile_epub("bomb"), Path("gift.epub"))
    assert err.value.diagnostics[0].code == "A042"


@pytest.mark.external
@pytest.mark.slow
def test_an_anthology_of_three_downloads_builds_with_every_source_credited(tmp_path: Path) -> None:
    src = tmp_path / "stories"
    src.mkdir()
    html = tmp_path / "lantern.html"
    html.write_text(ao3_html(LANTERN), encoding="utf-8")
    calibre_epub(html, src / "1-lantern.epub", LANTERN)  # the Archive's EPUB download
    (src / "2-harbour.html").write_text(ao3_html(HARBOUR), encoding="utf-8")  # its HTML download
    plain_epub(src / "3-salt-roads.epub")  # an EPUB from elsewhere
    result = build(BuildOptions(source=src, output=tmp_path / "out"))  # verifies: nothing lost in either book
    epub_path = next(p for p in result.outputs if p.suffix == ".epub")
    with zipfile.ZipFile(epub_path) as z:
        opf = etree.fromstring(z.read(next(n for n in z.namelist() if n.endswith(".opf"))))
    sources = [e.text for e in opf.iterfind(".//{http://purl.org/dc/elements/1.1/}source")]
    assert {"https://archiveofourown.org/works/4815162", "https://archiveofourown.org/works/4815100",
            "https://example.org/stories/salt-roads"} <= set(sources)
    docs = epub_documents(epub_path)
    rights = next(d for n, d in docs.items() if n.endswith("rights.xhtml"))
    credits = ["".join(p.itertext()) for p in rights.iterfind(".//x:p[@class='source']", NS)]
    # The series' first part first, although its file name sorts second
    assert credits[0].startswith("Before the Lamp Was Lit by quillfeather (part 1 of Harbour Lights): first published on Archive of Our Own")
    assert credits[1].startswith("The Lantern Keeper’s Ledger by quillfeather and marrow_and_moss (part 2 of Harbour Lights)")
    assert "https://example.org/stories/salt-roads" in credits[2]
    endnotes = [d for n, d in docs.items() if "endnotes" in n or "notes" in n]
    assert any("Dalia Ferro" in "".join(d.itertext()) for d in endnotes)


def test_the_nothing_lost_check_reads_an_input_epub_without_the_reader(tmp_path: Path) -> None:
    from compiler.check import epub_source_text

    book = tmp_path / "salt-roads.epub"
    plain_epub(book)
    text = epub_source_text(book.read_bytes())
    assert "forty camels" in text and "traded maps for silence" in text and "Dalia Ferro" in text
    assert text.index("forty camels") < text.index("traded maps")  # the spine's order


# FanFicFare's own files, made by FanFicFare (pinned in the test extras) from its offline test
# site: test1.com stories are generated inside FanFicFare, nothing is fetched. Written outside
# tmp_path: FanFicFare's EPUB of this story has EPUBCheck errors of its own (an XHTML 1.1 `<s>`), and
# it is an input here, not a book the tests build.
FFF_URL = "http://test1.com?sid=12"
_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")  # the test site stamps each chapter with the time it was made


@pytest.fixture(scope="module")
def fanficfare_downloads(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("fanficfare")
    made = {}
    for fmt in ("epub", "html", "txt"):
        out = folder / fmt
        out.mkdir()
        env = dict(os.environ, HOME=str(folder))  # no one's personal.ini
        run = subprocess.run([sys.executable, "-m", "fanficfare.cli", "--non-interactive", "-f", fmt, FFF_URL],
                             cwd=out, env=env, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr[-2000:]
        made[fmt] = next(out.glob(f"*.{fmt}"))
    return made


def _marked(inlines: tuple[Inline, ...]) -> str:
    """The text with its italics and bold shown."""
    return "".join(n.text if isinstance(n, Text) else f"<i>{_marked(n.children)}</i>" if isinstance(n, Emphasis)
                   else f"<b>{_marked(n.children)}</b>" if isinstance(n, Strong) else _marked(n.children) for n in inlines)


def _fff_essence(story: Story) -> dict[str, object]:
    def norm(text: str) -> str:
        return _TIME.sub("<time>", " ".join(text.split()))

    words = [w for k, t in _blocks(story) if k in ("Paragraph", "Heading") for w in norm(t).split()]
    # Paragraph by paragraph, every scene break and heading in its place, emphasis kept
    blocks = [(type(b).__name__, norm(_marked(b.children)) if isinstance(b, (Paragraph, Heading)) else "") for b in story.body]
    return {
        "blocks": blocks,
        "title": story.title,
        "authors": story.authors,
        "fields": [(f.key, norm(plain_text(f.value))) for f in story.fields],
        "summary": [norm(plain_text(p.children)) for p in story.summary],
        "chapters": [(b.level, norm(plain_text(b.children))) for b in story.body if isinstance(b, Heading)],
        "words": words,
        "origin": story.origin,
    }


def test_fanficfare_epub_html_and_txt_read_into_the_same_story(fanficfare_downloads: dict[str, Path]) -> None:
    read = {fmt: read_story(path, None) for fmt, path in fanficfare_downloads.items()}
    assert {fmt: r.format for fmt, r in read.items()} == {"epub": "fanficfare-epub", "html": "fanficfare-html", "txt": "fanficfare-txt"}
    epub, html, txt = (_fff_essence(read[f].story) for f in ("epub", "html", "txt"))
    assert epub == html
    # The TXT is html2text's Markdown of the same chapters: read back, the same paragraphs (a run of
    # <br>s parts two, as in the HTML), the same scene breaks (only the <hr>s), the same emphasis
    assert txt == html
    kinds = [k for k, _ in html["blocks"]]  # type: ignore[union-attr]
    assert kinds.count("SceneBreak") == 2 * 8 and kinds.count("Paragraph") > 8 * 10  # two <hr>s in each of 8 chapters
    assert ("Paragraph", "br breaks") in html["blocks"] and any("<i>italics</i>, <b>bold</b>," in t for _, t in html["blocks"])  # type: ignore[operator, union-attr]
    story = read["html"].story
    assert (story.title, story.authors) == ("Test Story Title 12", ("Test Author aa",))
    fields = {f.key: plain_text(f.value) for f in story.fields}
    assert fields["status"] == "Completed" and fields["word count"] == "123,456" and fields["rating"] == "Tweenie"
    assert plain_text(story.summary[0].children).startswith("Description tests:")
    assert [t for _, t in html["chapters"]][:3] == ["Prologue tests:[bare amp(&) qt(') amp(&) gt(>) lt(<) ATnT(AT&T) L(£) Onna(女)]", "Prologue", "Chapter 1, Xenos on Cinnabar"]
    assert story.origin == Origin("test1.com", FFF_URL, "12", "魔法少女まどか★マギカ", 12)
    # FanFicFare's own words are not the story's: its contents, the labels
    assert "Table of Contents" not in " ".join(txt["words"]) and "TABLE" not in txt["words"]


# A chapter with what html2text's wrapping at 78 columns can garble: a hyphenated word and `--`
# dashes broken across lines, a wrapped line that starts "1. " (a list to CommonMark), empty
# paragraphs, lines parted by <br>, a rule, italics before a comma, a quotation.
_CHAPTER = ("<p>ab She waited by the door for a long time and then she said it was a well-known fact that the "
            "harbour--like the town--never slept at all.</p><p>&nbsp;</p><p>&nbsp;</p>"
            "<p>Then the list came, and she read it aloud while the others waited, counting - 1. bread and salt.</p>"
            "<p>Line one<br/>line two<br/>line three<br/><br/>A new one after two breaks.</p><hr/>"
            "<p><i>Later</i>, at the quay.</p><blockquote><p>A quoted letter.</p><p>Its second paragraph.</p></blockquote>"
            "<p>Done.</p>")


def test_a_fanficfare_txt_chapter_reads_into_the_paragraphs_of_the_html_it_was_written_from(tmp_path: Path) -> None:
    from html2text import html2text  # what FanFicFare writes a TXT's chapters with, at its 78 columns

    body = html2text(_CHAPTER, bodywidth=78)
    assert "well-\nknown" in body and "\n1. bread" in body  # the garbling this test is about is there
    head = ("\nTidewater\n\nby Some One\n\n\n\nRating: T\nStory URL: http://example.org/s/1\nSummary: A summary.\n\n\n\n\n"
            "TABLE OF CONTENTS\n\n\nThe One\n\n\n\n\n        The One\n\n")
    (tmp_path / "quay.txt").write_text(head + body + "\n\nEnd file.\n", encoding="utf-8")
    (tmp_path / "quay.html").write_text("<html><body><h1>Tidewater</h1><p>by Some One</p><h2>The One</h2>" + re.sub(r"(</p>|<hr/>|</blockquote>)", "\\1\n", _CHAPTER) + "</body></html>", encoding="utf-8")
    txt, html = (read_story(tmp_path / name, None).story for name in ("quay.txt", "quay.html"))

    def blocks(story: Story) -> list[tuple[str, str]]:
        return [(type(b).__name__, _marked(b.children) if isinstance(b, (Paragraph, Heading)) else repr(b.lines) if isinstance(b, Verse)
                 else str(len(b.blocks)) if isinstance(b, BlockQuote) else "") for b in story.body]

    assert blocks(txt) == blocks(html)
    assert ("Paragraph", "ab She waited by the door for a long time and then she said it was a well-known fact "
            "that the harbour--like the town--never slept at all.") in blocks(txt)
    assert ("Paragraph", "Then the list came, and she read it aloud while the others waited, counting - 1. bread and salt.") in blocks(txt)
    assert ("Paragraph", "<i>Later</i>, at the quay.") in blocks(txt) and ("BlockQuote", "2") in blocks(txt)
    assert [k for k, _ in blocks(txt)].count("SceneBreak") == 1  # the <hr>; not the empty paragraphs, not the <br>s


def test_a_fanficfare_epub_builds_with_nothing_lost(fanficfare_downloads: dict[str, Path], tmp_path: Path,
                                                   tmp_path_factory: pytest.TempPathFactory) -> None:
    src = tmp_path_factory.mktemp("fanficfare-book")  # FanFicFare's EPUB, outside the EPUBCheck sweep as above
    shutil.copy(fanficfare_downloads["epub"], src / "test-story.epub")
    build(BuildOptions(source=src, output=tmp_path / "out", formats=("epub",)))  # the nothing-lost check reads the input EPUB itself
    text = " ".join("".join(d.itertext()) for d in epub_documents(tmp_path / "out" / "anthology.epub").values())
    assert "Xenos on Cinnabar" in text and "first published on test1.com, http://test1.com?sid=12" in " ".join(text.split())


def test_inspect_says_which_file_of_the_epub_and_which_metadata_field_each_part_came_from(tmp_path: Path) -> None:
    from compiler.inspect import describe, inspect

    src = tmp_path / "stories"
    src.mkdir()
    plain_epub(src / "salt-roads.epub")
    shown = "\n".join(describe(inspect(src)[0]))
    assert "taken from:  title: content.opf dc:title" in shown
    assert "taken from:  summary: content.opf dc:description" in shown
    assert "section:     EPUB/eastbound.xhtml:" in shown  # a line of the EPUB named by its document
