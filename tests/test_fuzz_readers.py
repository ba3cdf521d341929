"""Issue 17, fuzzing (readers side): any bytes given to a reader, in every format, become a story or
a diagnostic (BuildError), never another exception. Without coverage guidance (hypothesis, seeded
with hostile shapes and the corpus's first kilobytes when ../shared is there). The coverage-guided
fuzzing of the same entry is tests/fuzz (atheris); crashes either finds join READER_SHAPES
(tests/fuzz/seeds.py), and each runs below in every format as a regression example."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from compiler.diagnostics import BuildError
from compiler.read import read_story, read_works

from .fuzz.seeds import EPUB_CHAPTER_SHAPES, READER_SHAPES, SUFFIXES, epub_book
from .helpers import CORPUS

SEEDS = list(READER_SHAPES)  # hostile shapes and every crash found so far, shared with the atheris seeds
if CORPUS.is_dir():
    SEEDS += [p.read_bytes()[:1024] for p in sorted(CORPUS.glob("*.txt"))[:8]]


def _read(tmp: Path, data: bytes, suffix: str) -> None:
    path = tmp / f"story{suffix}"
    path.write_bytes(data)
    try:
        read_story(path, None)
    except BuildError:
        pass  # a diagnostic with a code: what bad input is owed


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("seed", range(len(SEEDS)))
def test_hostile_seeds_read_or_give_a_diagnostic(tmp_path: Path, suffix: str, seed: int) -> None:
    _read(tmp_path, SEEDS[seed], suffix)


@pytest.mark.epub_inputs  # each shape in a small EPUB, read, never built
@pytest.mark.parametrize("chapter", EPUB_CHAPTER_SHAPES)
def test_an_epub_chapter_that_is_not_xml_reads_or_gives_a_diagnostic(tmp_path: Path, chapter: bytes) -> None:
    """Read as HTML (A044), a chapter can hold what XML cannot (controls, `<a<b>`, `--` in a
    comment): the EPUB reader copies it into one tree all the same, its words kept."""
    path = tmp_path / "book.epub"
    path.write_bytes(epub_book(chapter + b"<p>Lastword here.</p>"))
    try:
        results = read_works(path, None)
    except BuildError:
        return
    assert any("Lastword" in repr(r.story) for r in results)


_MARKUP = st.sampled_from(["<p>", "</p>", "<i>", "</i>", "<div>", "<dl><dt>", "*", "_", "> ", "- ", "1. ", "#", "---\n",
                           "\n", "  ", "by ", "Subject: ", "&amp;", "&#1;", "\u202e", "\u200b", "<!--", "-->", "`"])
_TEXT = st.lists(st.one_of(_MARKUP, st.text(max_size=12)), max_size=60).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=_TEXT, suffix=st.sampled_from(SUFFIXES), raw=st.binary(max_size=64))
@example(text="<i>" * 300, suffix=".html", raw=b"")
def test_any_text_in_any_format_reads_or_gives_a_diagnostic(tmp_path: Path, text: str, suffix: str, raw: bytes) -> None:
    _read(tmp_path, text.encode("utf-8", "surrogatepass") + raw, suffix)


_AFTER_THE_PAGE = [
    b"<html><body><p>First page.</p></body></html><p>Lastword after the page.</p>",
    b"<HTML><BODY><p>First page.</p></BODY></HTML>\n<html><body><p>Lastword of a second page.</p></body></html>",
]


# Text between </body> and </html>: in a chapter that is well-formed XHTML it is read as XML, where
# it stood outside the body the EPUB reader copies (epub/join.py moves it in).
_AFTER_THE_BODY = b"<html><head><title>c</title></head><body><p>First page.</p></body><p>Lastword after the body.</p> and after</html>"


@pytest.mark.epub_inputs  # the page inside a small EPUB too, read, never built
@pytest.mark.parametrize("page, epub", [(p, e) for p in [*_AFTER_THE_PAGE, _AFTER_THE_BODY] for e in (False, True)])
def test_text_after_the_end_of_a_page_is_read(tmp_path: Path, page: bytes, epub: bool) -> None:
    """libxml2 dropped what follows `</html>` (two pages joined with `cat`, text a site appends);
    HTML5 parsers read it into the body, and so do the readers now (the build stopped with V001)."""
    path = tmp_path / ("book.epub" if epub else "story.html")
    path.write_bytes(epub_book(page) if epub else page)
    story = read_works(path, None)[0].story
    assert "Lastword" in repr(story) and "First page" in repr(story)
