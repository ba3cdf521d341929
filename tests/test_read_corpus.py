"""Issue 3: every file of the real-world corpus (../shared/corpus/) builds, alone and all together,
into an EPUB that EPUBCheck passes with no errors and no warnings, and no word is lost.

The corpus is never modified: each build reads byte-for-byte copies in a temporary folder (the
reader refuses symlinks that lead out of the stories' folder, error A013).
To keep the suite fast, each file alone and the anthology of all of them are built as EPUB only;
the PDF of the whole corpus (about 1,500 pages) takes minutes to lay out, so the PDF word check runs
on one anthology of the smaller files, which between them have every structure the readers make
(sections, numbered notes, quotations, Markdown, HTML, Hebrew and Russian).
"""

from __future__ import annotations

import html
import re
import shutil
from collections import Counter
from pathlib import Path

import lxml.html
import pytest

from compiler.build import BuildResult, build
from compiler.model import AuthorNote, BlockQuote, Heading, Paragraph, SceneBreak, Story, Verse, plain_text
from compiler.options import BuildOptions
from compiler.read import input_format
from compiler.read.decode import decode

from .helpers import CORPUS, epub_text, epubcheck_problems, missing_words, pdf_body_text, run_epubcheck_many, visible_text, words

FILES = sorted(p for p in CORPUS.glob("*.txt")) if CORPUS.is_dir() else []
pytestmark = [pytest.mark.corpus, pytest.mark.slow]


def _copied(folder: Path, files: list[Path]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for f in files:
        shutil.copyfile(f, folder / f.name)
    return folder


def source_words(path: Path) -> Counter[str]:
    """The words a reader sees in the source: for HTML the text content (tags are markup)."""
    text = decode(path.read_bytes(), path).text
    if input_format(path) == "html":
        text = visible_text(lxml.html.fragment_fromstring(text, create_parent="div"))
    if input_format(path) == "markdown":
        # Raw HTML in Markdown is markup (tags, comments, entities), as in HTML; `_word_` is
        # emphasis markup and `___` a rule: the underscores are not part of any word.
        text = html.unescape(re.sub(r"<!--.*?-->|<[A-Za-z/!][^<>]*>", " ", text, flags=re.S))
        text = re.sub(r"(?<!\w)_+|_+(?!\w)", " ", text)
        # `*word*` is emphasis: on the page "*discretion*on" reads "discretionon", as written.
        text = text.replace("*", "")
    return words(text)


def expected_words(result: BuildResult) -> dict[Path, Counter[str]]:
    out = {}
    for path, consumed in result.consumed.items():
        counter = source_words(path)
        consumed_text = " ".join(consumed)
        if input_format(path) == "markdown":
            consumed_text = re.sub(r"(?<!\w)_+|_+(?!\w)", " ", consumed_text)
        counter.subtract(words(consumed_text))
        out[path] = +counter
    return out


# Under 130 kB each: everything but the three novels.
SMALL = [p for p in FILES if p.stat().st_size < 130_000]


@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    src = _copied(tmp_path_factory.mktemp("corpus") / "in", FILES)
    return build(BuildOptions(source=src, output=tmp_path_factory.mktemp("corpus-out"), formats=("epub",)))


@pytest.fixture(scope="module")
def small_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    src = _copied(tmp_path_factory.mktemp("small") / "in", SMALL)
    return build(BuildOptions(source=src, output=tmp_path_factory.mktemp("small-out")))


def _epub(result: BuildResult) -> Path:
    return next(p for p in result.outputs if p.suffix == ".epub")


@pytest.fixture(scope="module")
def alone(tmp_path_factory: pytest.TempPathFactory, corpus_build: BuildResult) -> dict[str, tuple[BuildResult, dict]]:
    """Every file built alone (EPUB only), then EPUBCheck over all of them and the whole-corpus book
    in one JVM (a JVM start and warm-up per book would cost more than the checks)."""
    results = {}
    for path in FILES:
        folder = tmp_path_factory.mktemp(path.stem.replace(".", "-"))
        results[path.name] = build(BuildOptions(source=_copied(folder / "in", [path]), output=folder / "out", formats=("epub",)))
    books = [_epub(r) for r in results.values()] + [_epub(corpus_build)]
    reports = run_epubcheck_many(books, tmp_path_factory.mktemp("epubcheck"))
    return {name: (r, reports[_epub(r)]) for name, r in results.items()} | {"": (corpus_build, reports[_epub(corpus_build)])}


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_file_builds_alone_passes_epubcheck_and_loses_no_word(path: Path, alone: dict[str, tuple[BuildResult, dict]]) -> None:
    result, report = alone[path.name]
    assert report["checker"]["nFatal"] == 0
    assert epubcheck_problems(report) == []
    (expected,) = expected_words(result).values()
    assert sum(expected.values()) > 500
    assert missing_words(expected, epub_text(_epub(result))) == {}


def test_whole_corpus_builds_as_one_anthology_and_passes_epubcheck(alone: dict[str, tuple[BuildResult, dict]]) -> None:
    result, report = alone[""]
    assert len(result.anthology.stories) == len(FILES)
    assert report["checker"]["nFatal"] == 0
    assert epubcheck_problems(report) == []


def _total(result: BuildResult) -> Counter[str]:
    total: Counter[str] = Counter()
    for expected in expected_words(result).values():
        total.update(expected)
    return total


def test_no_word_of_the_whole_corpus_is_lost_in_the_anthology_epub(corpus_build: BuildResult) -> None:
    assert _total(corpus_build) - words(epub_text(_epub(corpus_build))) == {}


def test_no_word_of_the_smaller_files_is_lost_in_their_anthology_pdf(small_build: BuildResult) -> None:
    assert len(SMALL) >= 6
    anthology = small_build.anthology
    from compiler.render.view import running_head

    # Pages carry the short form of a long title as their running head.
    heads = {anthology.meta.title, "Notes"} | {s.title for s in anthology.stories} | {running_head(s.title) for s in anthology.stories}
    text = pdf_body_text(next(p for p in small_build.outputs if p.suffix == ".pdf"), heads)
    # weasyprint sets U+2010 both for its own hyphens and when it breaks at a compound's hyphen
    # ("muggle-borns"); `words` rejoins the first kind, so count the text both ways.
    pdf = words(text) | words(text.replace("\u2010\n", "-\n"))
    missing = _total(small_build) - pdf
    # pdftotext reorders right-to-left lines and splits Hebrew words at gershayim ("ד\"ר"); one- and
    # two-letter Hebrew pieces are that artefact, not lost text (the EPUB test above has them all).
    missing = Counter({w: n for w, n in missing.items() if not (len(w) <= 2 and all("\u0590" <= c <= "\u05ff" for c in w))})
    # A compound broken at its hyphen can come back glued ("Muggleborns", "Gutenbergtm"): a word
    # still counts as present when its letters appear in the text with all spacing removed.
    squashed = re.sub(r"\W+", "", text.casefold())
    assert {w: n for w, n in missing.items() if w not in squashed} == {}


# ------------------------------------------------------------------ what the reader understood
# (the same facts `anthology inspect` prints; checked against the files by reading them)


def _read(name: str) -> tuple[Story, tuple[str, ...], list[str]]:
    from compiler.read import read_story

    result = read_story(CORPUS / name, None)
    return result.story, result.consumed, [d.code for d in result.diagnostics]


def _count(story: Story, kind: type) -> int:
    return sum(isinstance(b, kind) for b in story.body)


def _sections(story: Story) -> list[str]:
    return [plain_text(b.children) for b in story.body if isinstance(b, Heading)]


def test_usenet_archive_in_markdown_front_matter_header_disclaimer_parts_and_closing_notes() -> None:
    story, consumed, _ = _read("ranma_bliss_usenet_archive.md.txt")
    assert (story.title, story.authors) == ("BLISS", ("Mike Loader", "Lara Bartram"))
    assert _sections(story) == ["I", "II", "III", "IV", "V"]
    assert plain_text(story.disclaimer[0].children).startswith("{These characters are not property of us.")
    assert story.notes_after and "Subject: [Ranma][FanFic] Bliss 1/5" in consumed


def test_usenet_post_with_8bit_quotes_reads_quotes_and_names_author_and_title() -> None:
    story, consumed, codes = _read("startrek_fools_in_hell_usenet_8bit_quotes.txt")
    assert (story.title, story.authors, story.source.encoding) == ("Fools in Hell", ("Dylan Winslow",), "cp1252")
    assert consumed[0].startswith("Path: ") and "A022" in codes
    text = " ".join(plain_text(b.children) for b in story.body if isinstance(b, Paragraph))
    assert "•" not in text and "¢" not in text and "“Commander Prak, you have the con." in text


def test_gutenberg_title_author_and_all_33_footnotes_linked_both_ways() -> None:
    story, _, _ = _read("pg17997_passamaquoddy_folklore_latin1_crlf.txt")
    assert (story.title, story.authors, story.source.encoding) == ("Contribution to Passamaquoddy Folk-Lore", ("J. Walter Fewkes",), "latin-1")
    assert len(story.endnotes) == 33 and all(n.ref_ids for n in story.endnotes)


def test_ao3_fragments_sections_and_letter_breaks() -> None:
    multi, _, codes = _read("hp_multichapter_ao3_fragment_ZZZ_breaks.html.txt")
    # The first chapter has no heading; "Chapter 1" is added so the contents lists all nine.
    assert _sections(multi)[:2] == ["Chapter 1", "Chapter 2: Just Another Few Years"] and _sections(multi)[-1] == "Chapter 9"
    # Seven drawn "ZZZZ" breaks and six time-skip slug lines ("Several hours later:"); the eighth
    # "ZZZZ" sets chapter 5's "Summary:" note off the text, and is no break.
    assert len(_sections(multi)) == 9 and _count(multi, SceneBreak) == 13 and "A141" in codes
    assert isinstance(multi.body[0], Heading) and multi.body[0].synthesized
    # "Heir: Slytherin<br/>Gryffindor<br/>…": lines broken with <br/> are kept, not run together.
    lists = [[plain_text(line) for line in b.lines] for b in multi.body if isinstance(b, Verse)]
    assert ["Heir: Slytherin", "Gryffindor"] == lists[2][:2]  # after "Title", a paragraph of its own
    short, consumed, _ = _read("hp_ron_ginny_ao3_fragment_x_breaks.html.txt")
    assert _count(short, SceneBreak) == 5 and "Work Text:" in consumed


def test_hebrew_and_russian_chapters() -> None:
    he, _, _ = _read("hpmor_he_ch02_rtl_bom_crlf_comments.txt")
    # A chapter's file: "פרק 2" over its title is the chapter's heading, not the work's title.
    assert he.title_guessed and _sections(he) == ["פרק 2 כל האמונות שלי שגויות"]
    # [a] and [b] are comments on the disclaimer (which goes to the rights page); [c] is in the text.
    assert plain_text(he.disclaimer[0].children).startswith("<הכנס כאן")
    assert len(he.endnotes) == 3 and [bool(n.ref_ids) for n in he.endnotes] == [False, False, True]
    ru, consumed, _ = _read("hpmor_ru_ch01_bom.md.txt")
    assert ru.title == "Глава 1. Крайне маловероятный день" and ru.disclaimer and len(ru.notes_before) == 1
    assert "Отказ от прав:" in consumed


def test_markdown_stories_title_breaks_quotes_and_footnotes() -> None:
    mlp, _, _ = _read("mlp_pink_mended_sparkles_markdown_cc0.md.txt")
    assert mlp.title == "Pink-Mended Sparkles" and _count(mlp, SceneBreak) == 11 and _count(mlp, BlockQuote) == 1
    neph, _, _ = _read("hp_nephilim_ch02_markdown_footnotes.md.txt")
    assert neph.title == "Chapter 2" and len(neph.endnotes) == 5 and all(n.ref_ids for n in neph.endnotes)


def test_fanfiction_net_author_notes_of_every_chapter_are_kept_as_notes_of_their_section() -> None:
    story, consumed, _ = _read("hp_fortunes_might_ffn_scrape.txt")
    notes = [(i, b) for i, b in enumerate(story.body) if isinstance(b, AuthorNote)]
    assert len(notes) == 10  # chapters 2 to 11; chapter 1's is the story's opening note
    for i, note in notes:
        heading = story.body[i - 1]
        assert isinstance(heading, Heading) and heading.line < note.line + 10  # right after its section's title
        assert not plain_text(note.blocks[0].children).startswith("Author")  # the label is structure…
    assert consumed.count("Author's Note:") == 11  # …and listed as left out, once per chapter
    first = plain_text(notes[0][1].blocks[0].children)
    assert first.startswith("Thank you Chase'sGirl19 (first review!)") and notes[0][1].line == 130
    # The header each chapter repeats is said once: title, pairing and disclaimer are not in the text.
    text = " ".join(plain_text(b.children) for b in story.body if isinstance(b, Paragraph))
    assert "Pairing: SS/RL" not in text and "belong to JKR" not in text
    assert [(f.key, plain_text(f.value)) for f in story.fields] == [("pairing", "SS/RL")]


def test_gutenberg_header_and_licence_are_kept_as_labelled_back_matter_not_the_story() -> None:
    story, _, codes = _read("pg17997_passamaquoddy_folklore_latin1_crlf.txt")
    printed, gutenberg = story.boilerplate
    assert (gutenberg.source, gutenberg.line) == ("Project Gutenberg", 1)
    texts = [plain_text(b.children) for b in gutenberg.blocks if isinstance(b, Paragraph)]
    assert texts[0].startswith("The Project Gutenberg eBook, Contribution")
    assert any(t.startswith("***END OF THE PROJECT GUTENBERG EBOOK") for t in texts)
    assert any("FULL PROJECT GUTENBERG LICENSE" in t for t in texts)
    # The reprint's own title page and the transcriber's note are the edition's front matter; the
    # article starts under its own title.
    assert printed.source == "the printed edition" and any("Transcriber's note" in plain_text(b.children) for b in printed.blocks if isinstance(b, Paragraph))
    body = " ".join(plain_text(b.children) for b in story.body if isinstance(b, Paragraph))
    assert "Gutenberg" not in body and body.startswith("A CONTRIBUTION TO PASSAMAQUODDY FOLK-LORE.")
    assert "A140" in codes


def test_gutenberg_back_matter_renders_after_the_story_under_its_own_label(alone: dict[str, tuple[BuildResult, dict]]) -> None:
    from .helpers import NS, epub_documents

    result, _ = alone["pg17997_passamaquoddy_folklore_latin1_crlf.txt"]
    docs = epub_documents(_epub(result))
    (chapter,) = [d for n, d in docs.items() if n.endswith("contribution-to-passamaquoddy-folk-lore.xhtml")]
    printed, section = chapter.xpath("//x:section[@class='boilerplate']", namespaces=NS)
    assert section.get("role") == "doc-colophon"
    assert "".join(section.xpath("x:p[1]//text()", namespaces=NS)).startswith("Project Gutenberg’s notice and licence")
    assert "".join(printed.xpath("x:p[1]//text()", namespaces=NS)).startswith("The printed edition’s title page")
    story_text = chapter.xpath("//x:div[@class='story-text']", namespaces=NS)[0]
    assert story_text.getparent().index(story_text) < section.getparent().index(section)


def test_inspect_reports_each_new_recognition_with_its_line(tmp_path: Path) -> None:
    from compiler.inspect import format_reports, inspect

    src = _copied(tmp_path / "in", [CORPUS / n for n in (
        "hp_fortunes_might_ffn_scrape.txt", "pg17997_passamaquoddy_folklore_latin1_crlf.txt", "hp_multichapter_ao3_fragment_ZZZ_breaks.html.txt")])
    out = format_reports(inspect(src))
    assert "section note: line 130: Author's Note: Thank you Chase'sGirl19" in out
    assert "field:       Pairing: SS/RL  (line 6)" in out
    assert "back matter: line 1: Project Gutenberg’s notice and licence" in out and "back matter: line 38: The printed edition’s" in out
    assert "section:     line 4: Chapter 1  (added: the first part has no heading)" in out
    assert "verse:       line 4: Heir: Slytherin (7 lines kept)" in out
    assert "info A140" in out and "info A141" in out


def test_scraped_chapters_saved_twice_are_read_once() -> None:
    story, _, codes = _read("hp_fortunes_might_ffn_scrape.txt")
    assert story.title == "Fortune's Might" and "A120" in codes
    assert plain_text(story.disclaimer[0].children) == "Harry Potter and his world belong to JKR."
    assert len(_sections(story)) >= 11 and _sections(story)[0] == "Lesson One: Fait Accompli"


def test_one_paragraph_per_line_novel() -> None:
    story, _, codes = _read("starwars_ghosts_on_coruscant.txt")
    assert story.title_guessed and "A101" in codes
    assert _count(story, Paragraph) > 2500 and _count(story, SceneBreak) > 40
