"""Issue 18: who made the book and which book it is, as library views read them.

Library views showed the editor, or "Unknown", as the author: the only `dc:creator` was the editor
(none at all with `editor = ""`, which `init` writes). And `dc:identifier` changed with any byte of
any story, so readers that match books by identifier filed every corrected build as a new book.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from compiler.build import BuildResult, build
from compiler.options import BuildOptions
from compiler.package.epub.metadata import file_as

from .helpers import NS, SEEDS

ALL = {**NS, "dc": "http://purl.org/dc/elements/1.1/"}


def _epub(result: BuildResult) -> Path:
    return next(p for p in result.outputs if p.suffix == ".epub")


def _opf(epub: Path) -> etree._Element:
    with zipfile.ZipFile(epub) as z:
        return etree.fromstring(z.read("EPUB/content.opf"))


def _refined(opf: etree._Element, element: etree._Element, prop: str) -> list[str]:
    return [str(v) for v in opf.xpath(f"//opf:meta[@refines='#{element.get('id')}'][@property='{prop}']/text()", namespaces=ALL)]


def _identifier(epub: Path) -> str:
    opf = _opf(epub)
    uid = opf.get("unique-identifier")
    (value,) = opf.xpath(f"//dc:identifier[@id='{uid}']/text()", namespaces=ALL)
    return str(value)


def _stories(tmp_path: Path, manifest: str | None = None) -> Path:
    src = tmp_path / "stories"
    shutil.copytree(SEEDS, src)
    if manifest is not None:
        (src / "anthology.toml").write_text(manifest, encoding="utf-8")
    return src


def test_story_authors_are_the_creators_in_order_and_the_editor_is_editor(seeds_build: BuildResult) -> None:
    opf = _opf(_epub(seeds_build))
    creators = opf.xpath("//dc:creator", namespaces=ALL)
    assert [c.text for c in creators] == ["DancingPetal", "Linali-chan"]  # reading order, each once
    for creator in creators:
        assert _refined(opf, creator, "role") == ["aut"]
        assert _refined(opf, creator, "file-as") == [creator.text]  # one-word pen names sort as written
    (editor,) = opf.xpath("//dc:contributor", namespaces=ALL)
    assert editor.text == "The Anthology Project"
    assert _refined(opf, editor, "role") == ["edt"]


def test_a_book_whose_stories_name_no_author_is_the_editors(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("A Quiet Night\n\nThe rain fell on the roofs all night long.\n", encoding="utf-8")
    (src / "anthology.toml").write_text('editor = "Ann Editor"\n', encoding="utf-8")
    opf = _opf(_epub(build(BuildOptions(source=src, output=tmp_path / "out", formats=("epub",)))))
    (creator,) = opf.xpath("//dc:creator", namespaces=ALL)
    assert creator.text == "Ann Editor" and _refined(opf, creator, "role") == ["edt"]


def test_without_an_editor_the_authors_are_still_the_creators(bare_seeds_build: BuildResult) -> None:
    opf = _opf(_epub(bare_seeds_build))
    # No manifest: the stories in file-name order, so the other author comes first.
    assert [c.text for c in opf.xpath("//dc:creator", namespaces=ALL)] == ["Linali-chan", "DancingPetal"]
    assert opf.xpath("//dc:contributor", namespaces=ALL) == []


def test_each_author_is_filed_by_surname() -> None:
    assert file_as("Ursula K. Le Guin") == "Le Guin, Ursula K."
    assert file_as("Martin Luther King Jr.") == "King, Martin Luther, Jr."
    assert file_as("DancingPetal") == "DancingPetal"
    assert file_as("The Raven Queen") == "The Raven Queen"  # a group or a handle, not a surname
    assert file_as("村上春樹") == "村上春樹"


@pytest.mark.external
def test_calibre_lists_the_story_authors_as_the_books_authors(seeds_build: BuildResult) -> None:
    assert shutil.which("ebook-meta"), "calibre is missing: run `bash tests/run.sh` (apt-get install calibre)"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox")
    listing = subprocess.run(["ebook-meta", str(_epub(seeds_build))], capture_output=True, text=True, env=env, timeout=120).stdout
    authors = next(line.split(":", 1)[1].strip() for line in listing.splitlines() if line.startswith("Author(s)"))
    # calibre prints "A & B [sort A & sort B]": the story authors, not the editor, and not "Unknown".
    assert authors.split(" [")[0] == "DancingPetal & Linali-chan"


def test_identifier_survives_an_edit_of_a_story(tmp_path: Path) -> None:
    src = _stories(tmp_path)
    before = _identifier(_epub(build(BuildOptions(source=src, output=tmp_path / "one", formats=("epub",)))))
    story = src / "003_66649ebb0b25f766.txt"
    story.write_bytes(story.read_bytes() + b"\n")  # a blank line added
    after = _identifier(_epub(build(BuildOptions(source=src, output=tmp_path / "two", formats=("epub",)))))
    assert after == before and before.startswith("urn:uuid:")


def test_identifier_is_new_for_a_new_title_or_editor_or_when_the_manifest_says_so(tmp_path: Path) -> None:
    def identifier(name: str, manifest: str) -> str:
        src = _stories(tmp_path / name, manifest)
        return _identifier(_epub(build(BuildOptions(source=src, output=tmp_path / name / "out", formats=("epub",)))))

    base = identifier("base", 'title = "Broken and Mended"\neditor = "The Anthology Project"\n')
    assert identifier("same", 'editor = "The Anthology Project"\ntitle = "Broken and Mended"\nsubjects = ["x"]\n') == base
    assert identifier("title", 'title = "Mended Again"\neditor = "The Anthology Project"\n') != base
    assert identifier("editor", 'title = "Broken and Mended"\neditor = "Someone Else"\n') != base
    chosen = 'title = "Broken and Mended"\neditor = "The Anthology Project"\nidentifier = "urn:isbn:9780000000002"\n'
    assert identifier("chosen", chosen) == "urn:isbn:9780000000002"
