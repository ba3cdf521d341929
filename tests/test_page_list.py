"""The EPUB's page list comes from the PDF built from the same sources (issue 4): a marker at the
word where each printed page begins, so readers of either edition cite the same page."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from compiler.build import BuildResult, build
from compiler.options import BuildOptions
from compiler.scripts import WORD

from .helpers import CORPUS, NS, pdf_pages


def _marks(epub: Path) -> dict[str, str]:
    """page label → the first words after its marker in the EPUB."""
    found: dict[str, str] = {}
    with zipfile.ZipFile(epub) as z:
        nav = etree.fromstring(z.read("EPUB/nav.xhtml"))
        listed = [a.text for a in nav.iterfind(".//x:nav[@epub:type='page-list']//x:a", NS)]
        for name in z.namelist():
            if not name.endswith(".xhtml") or name.endswith("nav.xhtml"):
                continue
            root = etree.fromstring(z.read(name))
            for span in root.iterfind(".//x:span[@epub:type='pagebreak']", NS):
                after = "".join(_text_after(span))[:200]
                found[span.get("aria-label")] = after
    assert listed == list(found) or sorted(listed) == sorted(found)
    return found


def _text_after(span: etree._Element):  # type: ignore[no-untyped-def]
    # Everything after the marker in document order, inside its block and beyond.
    el = span
    yield el.tail or ""
    while el is not None:
        for sibling in el.itersiblings():
            yield "".join(sibling.itertext())
            yield sibling.tail or ""
        el = el.getparent()


def _first_word(text: str) -> str:
    found = WORD.findall(text.replace("\u2010\n", ""))
    return found[0].casefold() if found else ""


def _folio(page: str) -> str:
    lines = [line.strip() for line in page.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _check(result: BuildResult) -> int:
    epub = next(p for p in result.outputs if p.suffix == ".epub")
    pdf = next(p for p in result.outputs if p.suffix == ".pdf")
    pages = pdf_pages(pdf)
    heads = {result.anthology.meta.title} | {s.title for s in result.anthology.stories}
    marks = _marks(epub)
    checked = 0
    first_body = None
    for label, after in marks.items():
        if not label.isdigit():
            continue
        if first_body is None:
            # where folio 1 is: from the first page that shows an arabic folio
            index, folio = next((i, int(f)) for i, t in enumerate(pages) if (f := _folio(t)).isdigit())
            first_body = index - folio + 1
        text = pages[first_body + int(label) - 1]
        lines = [line for line in text.strip().splitlines() if line.strip()]
        if not lines:
            continue  # a blank page is marked where the next begins
        # The first line is the running head, unless the page opens a story with its title.
        firsts = {_first_word("\n".join(lines))}
        if lines[0].strip() in heads and len(lines) > 1:
            firsts.add(_first_word("\n".join(lines[1:])))
        in_epub = _first_word(after)
        # The page may open inside a word hyphenated across the turn: the marker stands before that word.
        assert any(in_epub.endswith(w) for w in firsts if w), (label, firsts, in_epub)
        checked += 1
    return checked


def test_every_printed_page_of_the_seeds_is_marked_at_its_first_word(seeds_build: BuildResult) -> None:
    assert _check(seeds_build) >= 15


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["hpmor_ru_ch01_bom.md.txt", "startrek_fools_in_hell_usenet_8bit_quotes.txt"])
def test_page_list_of_a_corpus_story(name: str, tmp_path: Path) -> None:
    story = CORPUS / name
    src = tmp_path / "src"
    src.mkdir()
    (src / story.name).write_bytes(story.read_bytes())
    assert _check(build(BuildOptions(source=src, output=tmp_path / "out"))) >= 5


NCX = {"n": "http://www.daisy.org/z3986/2005/ncx/"}


def test_the_page_list_is_in_both_the_nav_and_the_ncx(seeds_build: BuildResult) -> None:
    # Issue 18: EPUB 2 reading systems read only the NCX, which had no pageList and declared 0 pages.
    epub = next(p for p in seeds_build.outputs if p.suffix == ".epub")
    with zipfile.ZipFile(epub) as z:
        nav = etree.fromstring(z.read("EPUB/nav.xhtml"))
        ncx = etree.fromstring(z.read("EPUB/toc.ncx"))
    in_nav = [(a.text, a.get("href")) for a in nav.iterfind(".//x:nav[@epub:type='page-list']//x:a", NS)]
    in_ncx = [
        (t.findtext("n:navLabel/n:text", namespaces=NCX), t.find("n:content", NCX).get("src"))
        for t in ncx.iterfind("n:pageList/n:pageTarget", NCX)
    ]
    assert len(in_nav) == len(pdf_pages(next(p for p in seeds_build.outputs if p.suffix == ".pdf")))
    assert in_ncx == in_nav
    head = {m.get("name"): m.get("content") for m in ncx.iterfind("n:head/n:meta", NCX)}
    assert head["dtb:totalPageCount"] == str(len(in_nav))
    assert head["dtb:maxPageNumber"] == max((label for label, _ in in_nav if label.isdigit()), key=int)
    kinds = {t.findtext("n:navLabel/n:text", namespaces=NCX): (t.get("type"), t.get("value")) for t in ncx.iterfind("n:pageList/n:pageTarget", NCX)}
    assert kinds["i"] == ("front", None) and kinds["1"] == ("normal", "1")
    # Each target is a marker in the text at that page's first word (checked above for the nav).
    assert all(src.split("#")[1] == f"page-{label}" for label, src in in_ncx)


def test_an_epub_built_alone_declares_no_pages(tmp_path: Path) -> None:
    from .helpers import SEEDS

    epub = next(p for p in build(BuildOptions(source=SEEDS, output=tmp_path / "out", formats=("epub",))).outputs)
    with zipfile.ZipFile(epub) as z:
        ncx = etree.fromstring(z.read("EPUB/toc.ncx"))
    assert ncx.find("n:pageList", NCX) is None
    head = {m.get("name"): m.get("content") for m in ncx.iterfind("n:head/n:meta", NCX)}
    assert head["dtb:totalPageCount"] == "0" and head["dtb:depth"] == "1"
