"""Issue 4: the EPUB opened in a real reading system — epub.js 0.3.93 in headless Debian chromium.

`tests/reading-system/render.mjs` (playwright-core) displays every document of the spine, parsed
as XHTML, follows a note reference to its end-note, and keeps a screenshot of each page it showed
in tests/artifacts/reading-system/<book>/. A missing chromium or npm install fails these tests
rather than skipping them: `tests/run.sh` installs both.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from compiler.package.extract import text_of
from PIL import Image

from compiler.build import build
from compiler.options import BuildOptions

from .conftest import BUILT_EPUBS
from .helpers import CORPUS, NS, ROOT, SEEDS, missing_words, words

pytestmark = pytest.mark.external

TOOLS = ROOT / "tests" / "reading-system"
ARTIFACTS = ROOT / "tests" / "artifacts" / "reading-system"
ERROR_PAGE = "This page contains the following errors"


def open_in_reader(epub: Path, shots: Path) -> dict:
    BUILT_EPUBS.append(epub)  # EPUBCheck sweeps it at the end of the session
    shutil.rmtree(shots, ignore_errors=True)  # no screenshot left over from an earlier run
    assert (TOOLS / "node_modules" / "playwright-core").is_dir(), "run `bash tests/run.sh` (npm ci in tests/reading-system)"
    assert Path("/usr/bin/chromium").is_file(), "Debian chromium is missing: run `bash tests/run.sh`"
    run = subprocess.run(["node", str(TOOLS / "render.mjs"), str(epub), str(shots)], capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def spine(epub: Path) -> list[str]:
    with zipfile.ZipFile(epub) as z:
        opf = etree.fromstring(z.read("EPUB/content.opf"))
    hrefs = {i.get("id"): i.get("href") for i in opf.xpath("//opf:manifest/opf:item", namespaces=NS)}
    return [hrefs[r] for r in opf.xpath("//opf:spine/opf:itemref/@idref", namespaces=NS)]


def document_text(epub: Path, href: str) -> str:
    with zipfile.ZipFile(epub) as z:
        root = etree.fromstring(z.read(f"EPUB/{href}"))
    # Inline elements run together and blocks and <br/> break words, as rendered (verse uses <br/>).
    return text_of(root.find("x:body", NS))


@pytest.fixture(scope="module")
def seeds_reader(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    epub = next(p for p in build(BuildOptions(source=SEEDS, output=tmp_path_factory.mktemp("rs-seeds"), formats=("epub",))).outputs)
    return epub, open_in_reader(epub, ARTIFACTS / "seeds")


@pytest.fixture(scope="module")
def corpus_reader(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    assert CORPUS.is_dir(), f"{CORPUS} is missing: the shared corpus sits beside the project"
    epub = next(p for p in build(BuildOptions(source=CORPUS, output=tmp_path_factory.mktemp("rs-corpus"), formats=("epub",))).outputs)
    return epub, open_in_reader(epub, ARTIFACTS / "corpus")


def _assert_every_document_rendered_with_its_text(epub: Path, seen: dict) -> None:
    assert seen["pageErrors"] == [] and seen["refused"] == []
    docs = seen["documents"]
    assert [d["href"] for d in docs] == spine(epub)  # every spine document, in reading order
    for doc in docs:
        assert doc["contentType"] == "application/xhtml+xml", doc["href"]
        assert not doc["parseError"] and ERROR_PAGE not in doc["text"], doc["href"]
        assert missing_words(words(document_text(epub, doc["href"])), doc["text"]) == {}, doc["href"]
        assert doc["visible"], f"{doc['href']}: its heading is not on the first page shown"
        with Image.open(doc["screenshot"]) as shot:
            assert shot.size == (600, 800)
            low, high = shot.convert("L").getextrema()
            assert high - low > 128, f"{doc['screenshot']} is blank"


def test_reading_system_renders_every_seeds_document_with_its_text(seeds_reader: tuple[Path, dict]) -> None:
    epub, seen = seeds_reader
    _assert_every_document_rendered_with_its_text(epub, seen)
    chapters = [d["text"] for d in seen["documents"] if d["href"] == "breaking-down.xhtml"]
    assert "Breaking Down" in chapters[0] and "by DancingPetal" in chapters[0]


def test_reading_system_follows_a_note_reference_to_its_end_note(seeds_reader: tuple[Path, dict]) -> None:
    _, seen = seeds_reader
    note = seen["note"]
    assert note is not None, "no note reference was found in any chapter"
    assert note["from"] == "breaking-down.xhtml"
    assert note["href"] == "endnotes.xhtml" and note["target"] == note["ref"]["href"].split("#")[1]
    assert note["visible"], "the end-note is not on the page the reader turned to"
    assert not note["parseError"]
    assert f"{note['ref']['text'].capitalize()}" in note["text"]  # "zinnia" → "Zinnia (White): goodness"


@pytest.mark.corpus
@pytest.mark.slow
def test_reading_system_renders_every_corpus_document_with_its_text(corpus_reader: tuple[Path, dict]) -> None:
    epub, seen = corpus_reader
    _assert_every_document_rendered_with_its_text(epub, seen)
