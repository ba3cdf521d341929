"""Issue 4: `--format kepub,azw3` — the EPUB converted for Kobo (our own KEPUB step) and Kindle (calibre).

What is pinned: no word of the EPUB is lost in either (the KEPUB by its XHTML, the AZW3 by calibre
reading it back to text), the KEPUB carries Kobo's spans and divs and still passes EPUBCheck (the
session's sweep checks every *.epub, the .kepub.epub included), both are byte-identical between
builds, and a missing calibre stops the build before anything is written, saying what to install.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from compiler.build import BuildResult, build
from compiler.options import BuildOptions
from compiler.package.extract import text_of
from compiler.package.epub.kepub import content_documents, sentences

from .conftest import BUILT_EPUBS
from .helpers import CORPUS, NS, SEEDS, words

KOBO_ID = re.compile(r"^kobo\.\d+\.\d+$")
CALIBRE_ENV = dict(os.environ, QT_QPA_PLATFORM="offscreen", QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox")


@pytest.fixture(scope="module")
def corpus_formats(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    result = build(BuildOptions(source=CORPUS, output=tmp_path_factory.mktemp("formats-corpus"), formats=("kepub", "azw3")))
    BUILT_EPUBS.extend(p for p in result.outputs if p.suffix == ".epub")  # the .kepub.epub too
    return result


def _named(result: BuildResult, name: str) -> Path:
    return next(p for p in result.outputs if p.name == name)


def _bodies(epub: Path) -> dict[str, etree._Element]:
    with zipfile.ZipFile(epub) as z:
        return {name: etree.fromstring(z.read(name)).find("x:body", NS) for name in sorted(content_documents(z))}


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.external
def test_kepub_and_azw3_are_written_beside_the_epub_they_are_made_from(corpus_formats: BuildResult) -> None:
    assert sorted(p.name for p in corpus_formats.outputs) == ["anthology.azw3", "anthology.epub", "anthology.kepub.epub"]
    with zipfile.ZipFile(_named(corpus_formats, "anthology.kepub.epub")) as kepub:
        assert kepub.namelist()[0] == "mimetype" and kepub.read("mimetype") == b"application/epub+zip"
        assert kepub.getinfo("mimetype").compress_type == zipfile.ZIP_STORED


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.external
def test_kepub_keeps_every_word_of_every_document(corpus_formats: BuildResult) -> None:
    epub, kepub = _bodies(_named(corpus_formats, "anthology.epub")), _bodies(_named(corpus_formats, "anthology.kepub.epub"))
    assert epub.keys() == kepub.keys() and len(epub) > 5
    for name in epub:
        assert words(text_of(kepub[name])) == words(text_of(epub[name])), name
        # Stronger than words: the text itself, character for character, once whitespace is set aside.
        assert "".join(text_of(kepub[name]).split()) == "".join(text_of(epub[name]).split()), name


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.external
def test_kepub_spans_every_run_of_text_with_unique_kobo_ids(corpus_formats: BuildResult) -> None:
    for name, body in _bodies(_named(corpus_formats, "anthology.kepub.epub")).items():
        columns = body.xpath("x:div", namespaces=NS)
        assert [d.get("id") for d in columns] == ["book-columns"] and len(body) == 1, name
        assert [d.get("id") for d in columns[0].xpath("x:div", namespaces=NS)] == ["book-inner"], name
        spans = body.xpath(".//x:span[@class='koboSpan']", namespaces=NS)
        ids = [s.get("id") for s in spans]
        assert spans and all(KOBO_ID.match(i) for i in ids) and len(set(ids)) == len(ids), name
        all_ids = body.xpath(".//@id")
        assert len(set(all_ids)) == len(all_ids), name
        # No text outside a span, except whitespace between blocks.
        for element in body.iter("{*}*"):
            for text, holder in ((element.text, element), (element.tail, element.getparent())):
                if text and text.strip() and not holder.xpath("ancestor-or-self::x:span[@class='koboSpan']", namespaces=NS):
                    pytest.fail(f"{name}: text outside a koboSpan in <{etree.QName(holder).localname}>: {text[:40]!r}")


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.external
def test_kepub_leaves_the_nav_and_the_package_as_they_were(corpus_formats: BuildResult) -> None:
    with zipfile.ZipFile(_named(corpus_formats, "anthology.epub")) as epub, zipfile.ZipFile(_named(corpus_formats, "anthology.kepub.epub")) as kepub:
        assert epub.namelist() == kepub.namelist()
        spanned = content_documents(epub)
        for name in epub.namelist():
            if name not in spanned:
                assert epub.read(name) == kepub.read(name), name


@given(st.text(alphabet=st.sampled_from(list("ab .!?:…'\"”’)\n\t")) | st.characters(), max_size=80))
def test_sentences_rejoin_to_the_text(text: str) -> None:
    pieces = sentences(text)
    assert "".join(pieces) == text
    assert all(pieces)


def test_sentences_cut_after_the_closing_quote_and_keep_the_space() -> None:
    assert sentences("“Go.” She left… Then: done!") == ["“Go.” ", "She left… ", "Then: ", "done!"]


def _calibre(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, env=CALIBRE_ENV, timeout=300, check=False)


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.external
def test_azw3_keeps_every_word_and_the_metadata(corpus_formats: BuildResult, tmp_path: Path) -> None:
    azw3 = _named(corpus_formats, "anthology.azw3")
    assert azw3.read_bytes()[60:68] == b"BOOKMOBI"
    text = tmp_path / "back.txt"
    run = _calibre("ebook-convert", str(azw3), str(text))
    assert run.returncode == 0, run.stdout + run.stderr
    # What a reader sees: the documents' bodies (calibre's text leaves out each document's <title>).
    expected = words("\n".join(text_of(body) for body in _bodies(_named(corpus_formats, "anthology.epub")).values()))
    assert sum(expected.values()) > 50_000
    assert expected - words(text.read_text(encoding="utf-8")) == {}
    meta = _calibre("ebook-meta", str(azw3)).stdout
    assert f"Title               : {corpus_formats.anthology.meta.title}" in meta
    # The ASIN is the book's content-derived identifier, not calibre's random one.
    assert "mobi-asin:" + corpus_formats.anthology.meta.identifier.removeprefix("urn:uuid:") in meta


@pytest.mark.external
def test_kepub_and_azw3_are_byte_identical_between_builds(tmp_path: Path) -> None:
    first = build(BuildOptions(source=SEEDS, output=tmp_path / "one", formats=("kepub", "azw3")))
    time.sleep(1.1)  # calibre stamps the clock to the second: make sure it moved
    second = build(BuildOptions(source=SEEDS, output=tmp_path / "two", formats=("kepub", "azw3")))
    for a, b in zip(first.outputs, second.outputs, strict=True):
        assert a.name == b.name and a.read_bytes() == b.read_bytes(), a.name


def test_without_calibre_azw3_stops_before_anything_is_written(tmp_path: Path) -> None:
    out = tmp_path / "out"
    empty_path = tmp_path / "bin"
    empty_path.mkdir()  # a PATH with no ebook-convert on it
    env = dict(os.environ, PATH=str(empty_path))
    run = subprocess.run(
        [sys.executable, "-m", "compiler", "build", str(SEEDS), "-o", str(out), "--format", "epub,azw3"],
        capture_output=True, text=True, env=env, check=False,
    )
    assert run.returncode == 6, run.stderr
    assert "error O002" in run.stderr and "ebook-convert" in run.stderr and "apt-get install calibre" in run.stderr
    assert "Traceback" not in run.stderr
    assert not out.exists()


def test_kepub_alone_needs_no_calibre(tmp_path: Path) -> None:
    empty_path = tmp_path / "bin"
    empty_path.mkdir()
    env = dict(os.environ, PATH=str(empty_path))
    run = subprocess.run(
        [sys.executable, "-m", "compiler", "build", str(SEEDS), "-o", str(tmp_path / "out"), "--format", "kepub"],
        capture_output=True, text=True, env=env, check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "anthology.kepub.epub" in run.stdout and "anthology.epub" in run.stdout


def test_a_default_build_is_still_the_epub_and_the_pdf(seeds_build: BuildResult) -> None:
    # Regression: listing kepub and azw3 among the formats once made every default build convert too.
    assert sorted(p.name for p in seeds_build.outputs) == ["anthology.epub", "anthology.pdf"]


def test_an_unknown_format_lists_every_choice(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "compiler", "build", str(SEEDS), "-o", str(tmp_path / "out"), "--format", "mobi"],
        capture_output=True, text=True, check=False,
    )
    assert run.returncode == 2 and "choose from epub, pdf, azw3, kepub" in run.stderr
