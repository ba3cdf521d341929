"""Issue 18: notes the way most reading systems handle them.

Found: `epub:type="endnote"` is deprecated (EPUBCheck's usage message OPF-086b); the "↑" back-link
showed inside every pop-up; Kindle pops up a note only when its back-link comes first (pandoc PR
#8676), Kobo only when the target is typed `footnote`/`endnote` (pandoc #9851), Apple Books wants an
`aside` (pandoc #1995); and term linking missed "-ies" plurals ("lilies" for "Lily").
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from compiler.build import BuildResult, build
from compiler.options import BuildOptions

from .conftest import BUILT_EPUBS
from .helpers import EPUBCHECK_JAR, NS, ROOT, epub_documents

TOOLS = ROOT / "tests" / "reading-system"
ARTIFACTS = ROOT / "tests" / "artifacts" / "reading-system"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
ARROWS = "↑↩⤴⬆^"


def _epub(result: BuildResult) -> Path:
    return next(p for p in result.outputs if p.suffix == ".epub")


def test_each_note_is_an_aside_typed_footnote_that_opens_with_its_back_link(seeds_build: BuildResult) -> None:
    docs = epub_documents(_epub(seeds_build))
    notes = docs["EPUB/endnotes.xhtml"]
    (section,) = notes.xpath("//x:section[@epub:type='endnotes'][@role='doc-endnotes']", namespaces=NS)
    asides = section.xpath(".//x:aside", namespaces=NS)
    assert len(asides) == 6
    chapter = docs["EPUB/breaking-down.xhtml"]
    for aside in asides:
        assert aside.get(EPUB_TYPE) == "footnote" and aside.get("role") == "doc-footnote"  # Kobo, Apple Books
        # Kindle: the first thing in the note is the link back to the mention, and it reads as the term.
        first = next(aside.iter("{http://www.w3.org/1999/xhtml}a"))
        assert first.get(EPUB_TYPE) == "backlink" and first.get("role") == "doc-backlink"
        paragraph = first.getparent()
        assert paragraph.text is None and paragraph.index(first) == 0
        assert first.xpath("string()").strip() and not set(first.xpath("string()")) & set(ARROWS)
        # The mention links to the note, and the note back to the mention.
        (ref,) = chapter.xpath(f"//x:a[@href='endnotes.xhtml#{aside.get('id')}']", namespaces=NS)
        assert ref.get(EPUB_TYPE) == "noteref" and ref.get("role") == "doc-noteref"
        assert first.get("href") == f"breaking-down.xhtml#{ref.get('id')}"
        assert len(ref) == 0  # no element inside the reference: Apple Books then pops up nothing
    # The deprecated type is gone from every document.
    for name, root in docs.items():
        assert not root.xpath("//*[contains(concat(' ', @epub:type, ' '), ' endnote ')]", namespaces=NS), name


def test_epubcheck_with_usage_messages_says_nothing_about_notes(seeds_build: BuildResult, tmp_path: Path) -> None:
    report = tmp_path / "usage.json"
    subprocess.run(["java", "-jar", str(EPUBCHECK_JAR), str(_epub(seeds_build)), "--usage", "--json", str(report), "-q"], capture_output=True, check=False)
    messages = json.loads(report.read_text(encoding="utf-8"))["messages"]
    about_notes = [
        f"{m['severity']} {m['ID']}: {m['message']}"
        for m in messages
        if "note" in m["message"].lower() or any("endnotes" in (loc.get("path") or "") for loc in m["locations"])
    ]
    assert about_notes == []


def test_plural_mentions_link_to_the_glossary_term(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    story = (
        "The Garden\n\nby Someone\n\n"
        "The lilies by the gate were white, and two peaches hung over the wall among the leaves.\n\n"
        "Flower Symbolism in This Story:\n\nLily – purity\n\nPeach – longevity\n\nLeaf – hope\n"
    )
    (src / "garden.txt").write_text(story, encoding="utf-8")
    result = build(BuildOptions(source=src, output=tmp_path / "out", formats=("epub",)))
    chapter = epub_documents(_epub(result))["EPUB/the-garden.xhtml"]
    refs = chapter.xpath("//x:a[@epub:type='noteref']", namespaces=NS)
    assert sorted(r.text for r in refs) == ["leaves", "lilies", "peaches"]


# ------------------------------------------------------------------------------ in a reading system


def _open_in_foliate(epub: Path, shots: Path) -> dict:
    BUILT_EPUBS.append(epub)
    shutil.rmtree(shots, ignore_errors=True)
    assert (TOOLS / "node_modules" / "foliate-js").is_dir(), "run `bash tests/run.sh` (npm ci in tests/reading-system)"
    assert Path("/usr/bin/chromium").is_file(), "Debian chromium is missing: run `bash tests/run.sh`"
    run = subprocess.run(["node", str(TOOLS / "popups.mjs"), str(epub), str(shots)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


@pytest.fixture(scope="module")
def foliate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    epub = _epub(build(BuildOptions(source=ROOT / "seeds", output=tmp_path_factory.mktemp("foliate"), formats=("epub",))))
    return epub, _open_in_foliate(epub, ARTIFACTS / "foliate")


def _notes_by_id(epub: Path) -> dict[str, str]:
    with zipfile.ZipFile(epub) as z:
        root = etree.fromstring(z.read("EPUB/endnotes.xhtml"))
    return {a.get("id"): " ".join(a.xpath("string()").split()) for a in root.iter("{http://www.w3.org/1999/xhtml}aside")}


@pytest.mark.external
def test_foliate_pops_up_every_note_with_its_text_and_no_back_arrow(foliate: tuple[Path, dict]) -> None:
    epub, seen = foliate
    assert seen["pageErrors"] == [] and seen["refused"] == []
    notes = _notes_by_id(epub)
    assert len(seen["refs"]) == len(notes) == 6
    for ref in seen["refs"]:
        popup = ref["popup"]
        assert popup is not None and "error" not in popup, ref  # a pop-up, not a page turn
        assert popup["type"] == "footnote" and popup["hidden"], ref  # foliate-js took it for a note
        shown = " ".join(popup["text"].split())
        assert shown == notes[ref["href"].split("#")[1]], ref  # the note's own text, all of it
        assert ref["text"].lower()[:4] in shown.lower()  # "lilies" → "Lily: …"
        assert not set(shown) & set(ARROWS), shown
    assert Path(seen["refs"][0]["screenshot"]).is_file()


@pytest.mark.external
def test_foliate_keeps_the_notes_on_the_notes_page(foliate: tuple[Path, dict]) -> None:
    # Foliate's reader hides asides typed footnote (they are for pop-ups); the notes section is
    # where a reader paging to the end reads them all, so the theme keeps them shown there.
    epub, seen = foliate
    page = seen["notesPage"]
    assert page["asides"] == page["shown"] == 6
    for text in _notes_by_id(epub).values():
        assert text in " ".join(page["text"].split())
