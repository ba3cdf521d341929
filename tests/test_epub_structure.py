"""Issue 4: the EPUB's package, navigation, semantics and cover, read back with XPath.

Every EPUB these tests build also goes through EPUBCheck 5.3 (0 errors, 0 warnings): conftest.py
checks whatever lands in a test's tmp_path at the end of the session.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from compiler.build import BuildResult, build
from compiler.options import BuildOptions

from .helpers import CORPUS, NS, SEEDS, epubcheck_problems, run_epubcheck

NCX = {"ncx": "http://www.daisy.org/z3986/2005/ncx/"}
ALL = {**NS, **NCX, "dc": "http://purl.org/dc/elements/1.1/"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
# epub:type → the DPUB-ARIA role that must go with it (https://www.w3.org/TR/dpub-aria-1.1/).
ROLES = {"chapter": "doc-chapter", "endnotes": "doc-endnotes", "noteref": "doc-noteref", "backlink": "doc-backlink", "toc": "doc-toc", "cover": "doc-cover"}
# Deprecated in DPUB-ARIA 1.1; Ace flags them (https://www.w3.org/TR/dpub-aria-1.1/#doc-endnote).
DEPRECATED_ROLES = {"doc-endnote", "doc-biblioentry"}


def _epub(result: BuildResult) -> Path:
    return next(p for p in result.outputs if p.suffix == ".epub")


def _read(epub: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(epub) as z:
        return etree.fromstring(z.read(name))


def _opf(epub: Path) -> etree._Element:
    return _read(epub, "EPUB/content.opf")


def _assert_valid(epub: Path, tmp: Path) -> None:
    report = run_epubcheck(epub, tmp)
    assert report["checker"]["nFatal"] == 0
    assert epubcheck_problems(report) == []


def _one(root: etree._Element, path: str) -> str:
    found = root.xpath(path, namespaces=ALL)
    assert len(found) == 1, (path, found)
    return str(found[0])


# ------------------------------------------------------------------------------------------ metadata


def test_opf_metadata_names_title_language_and_subjects(seeds_build: BuildResult) -> None:
    # Who made the book (authors, editor) and its identifier: tests/test_epub_metadata.py.
    opf = _opf(_epub(seeds_build))
    assert _one(opf, "/opf:package/@xml:lang") == "en"
    assert _one(opf, "/opf:package/@version") == "3.0"
    assert _one(opf, "//dc:title/text()") == "Broken and Mended"
    assert _one(opf, "//dc:language/text()") == "en"
    assert opf.xpath("//dc:subject/text()", namespaces=ALL) == ["Naruto (fan fiction)"]
    description = _one(opf, "//dc:description/text()")
    assert all(s.title in description for s in seeds_build.anthology.stories)


def test_accessibility_metadata_is_declared(seeds_build: BuildResult) -> None:
    opf = _opf(_epub(seeds_build))
    meta = lambda prop: opf.xpath(f"//opf:meta[@property='{prop}']/text()", namespaces=ALL)  # noqa: E731
    assert sorted(meta("schema:accessMode")) == ["textual", "visual"]  # the cover is an image
    assert meta("schema:accessModeSufficient") == ["textual"]
    assert {"structuralNavigation", "tableOfContents", "readingOrder"} <= set(meta("schema:accessibilityFeature"))
    assert meta("schema:accessibilityHazard") == ["none"]
    assert meta("schema:accessibilitySummary")[0].strip()
    assert meta("dcterms:conformsTo") == []  # not claimed until a conformance review earns it


def test_modified_date_comes_from_source_date_epoch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    epub = _epub(build(BuildOptions(source=SEEDS, output=tmp_path / "out", formats=("epub",))))
    assert _one(_opf(epub), "//opf:meta[@property='dcterms:modified']/text()") == "2023-11-14T22:13:20Z"


def test_modified_date_is_the_newest_input_without_source_date_epoch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    src = tmp_path / "in"
    shutil.copytree(SEEDS, src)
    for i, path in enumerate(sorted(src.iterdir())):
        os.utime(path, (1600000000 + i * 1000, 1600000000 + i * 1000))
    newest = 1600000000 + (len(list(src.iterdir())) - 1) * 1000  # 2020-09-13T12:56:40Z + 2000 s
    epub = _epub(build(BuildOptions(source=src, output=tmp_path / "out", formats=("epub",))))
    assert newest == 1600002000
    assert _one(_opf(epub), "//opf:meta[@property='dcterms:modified']/text()") == "2020-09-13T13:00:00Z"


# ------------------------------------------------------------------------------------------ navigation


def test_epub2_ncx_and_guide_are_there_for_old_readers(seeds_build: BuildResult) -> None:
    epub = _epub(seeds_build)
    opf = _opf(epub)
    ncx_id = _one(opf, "//opf:spine/@toc")
    assert _one(opf, f"//opf:item[@id='{ncx_id}']/@media-type") == "application/x-dtbncx+xml"
    ncx = _read(epub, "EPUB/" + _one(opf, f"//opf:item[@id='{ncx_id}']/@href"))
    assert _one(ncx, "//ncx:meta[@name='dtb:uid']/@content") == seeds_build.anthology.meta.identifier
    assert _one(ncx, "//ncx:docTitle/ncx:text/text()") == "Broken and Mended"
    points = ncx.xpath("//ncx:navMap/ncx:navPoint", namespaces=ALL)
    labels = [p.xpath("string(ncx:navLabel/ncx:text)", namespaces=ALL) for p in points]
    assert labels == ["Rights and Disclaimers", "Contents", *[s.title for s in seeds_build.anthology.stories], "Notes"]
    orders = [int(o) for o in ncx.xpath("//ncx:navPoint/@playOrder", namespaces=ALL)]
    assert orders == list(range(1, len(orders) + 1))
    guide = {r.get("type"): r.get("href") for r in opf.xpath("//opf:guide/opf:reference", namespaces=ALL)}
    assert guide == {
        "cover": "cover.xhtml",
        "title-page": "titlepage.xhtml",
        "copyright-page": "rights.xhtml",
        "toc": "contents.xhtml",
        "text": "breaking-down.xhtml",
        "notes": "endnotes.xhtml",
    }


def test_nav_document_has_contents_and_landmarks(seeds_build: BuildResult) -> None:
    epub = _epub(seeds_build)
    opf = _opf(epub)
    nav = _read(epub, "EPUB/" + _one(opf, "//opf:item[contains(concat(' ', @properties, ' '), ' nav ')]/@href"))
    toc = nav.xpath("//x:nav[@epub:type='toc']", namespaces=ALL)
    assert len(toc) == 1 and toc[0].get("role") == "doc-toc"
    hrefs = toc[0].xpath(".//x:a/@href", namespaces=ALL)
    assert "breaking-down.xhtml" in hrefs and "endnotes.xhtml" in hrefs
    landmarks = {a.get(EPUB_TYPE): a.get("href") for a in nav.xpath("//x:nav[@epub:type='landmarks']//x:a", namespaces=ALL)}
    assert landmarks == {
        "cover": "cover.xhtml",
        "titlepage": "titlepage.xhtml",
        "copyright-page": "rights.xhtml",
        "toc": "contents.xhtml",
        "bodymatter": "breaking-down.xhtml",
        "endnotes": "endnotes.xhtml",
    }
    # The nav document is not read as a page: readers and calibre open on the cover.
    spine = opf.xpath("//opf:spine/opf:itemref/@idref", namespaces=ALL)
    assert _one(opf, "//opf:item[@properties='nav']/@id") not in spine


def test_semantics_pair_epub_type_with_dpub_aria_roles_and_use_no_deprecated_role(seeds_build: BuildResult) -> None:
    with zipfile.ZipFile(_epub(seeds_build)) as z:
        docs = {n: etree.fromstring(z.read(n)) for n in z.namelist() if n.endswith(".xhtml")}
    seen: set[str] = set()
    for name, root in docs.items():
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            for kind in (element.get(EPUB_TYPE) or "").split():
                # Landmark links name the part they point to; they are not that part.
                in_landmarks = element.xpath("ancestor::x:nav[@epub:type='landmarks']", namespaces=ALL)
                if kind in ROLES and not in_landmarks and not (kind == "toc" and element.tag != "{http://www.w3.org/1999/xhtml}nav"):
                    seen.add(kind)
                    assert element.get("role") == ROLES[kind], (name, kind, element.get("role"))
            assert element.get("role") not in DEPRECATED_ROLES, (name, element.get("role"))
    assert seen == set(ROLES)
    assert docs["EPUB/titlepage.xhtml"].xpath("//*[@epub:type='titlepage']", namespaces=ALL)
    assert docs["EPUB/rights.xhtml"].xpath("//*[@epub:type='copyright-page']", namespaces=ALL)
    assert len(docs["EPUB/endnotes.xhtml"].xpath("//x:aside[@epub:type='footnote'][@role='doc-footnote']", namespaces=ALL)) == 6


# ------------------------------------------------------------------------------------------ cover


def _cover(epub: Path) -> tuple[etree._Element, str, bytes]:
    opf = _opf(epub)
    (item,) = opf.xpath("//opf:item[contains(concat(' ', @properties, ' '), ' cover-image ')]", namespaces=ALL)
    with zipfile.ZipFile(epub) as z:
        return item, "EPUB/" + item.get("href"), z.read("EPUB/" + item.get("href"))


def test_drawn_cover_is_the_cover_image_and_the_first_page(seeds_build: BuildResult) -> None:
    epub = _epub(seeds_build)
    opf = _opf(epub)
    item, name, data = _cover(epub)
    assert item.get("media-type") == "image/png" and name == "EPUB/images/cover.png"
    assert _one(opf, "//opf:meta[@name='cover']/@content") == item.get("id")  # EPUB 2 readers, Kindle
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG" and image.size[0] >= 1600 and image.size[1] >= 2560
        low, high = image.convert("L").getextrema()
        assert high - low > 128  # ink on paper, not a blank
    first = _one(opf, "//opf:spine/opf:itemref[1]/@idref")
    page = _read(epub, "EPUB/" + _one(opf, f"//opf:item[@id='{first}']/@href"))
    (img,) = page.xpath("//x:img", namespaces=ALL)
    assert img.get("src") == "images/cover.png" and img.get("role") == "doc-cover"
    assert img.get("alt") == "Cover: Broken and Mended, edited by The Anthology Project; stories by DancingPetal and Linali-chan"


def test_drawn_cover_is_byte_identical_between_builds(seeds_build: BuildResult, tmp_path: Path) -> None:
    again = _epub(build(BuildOptions(source=SEEDS, output=tmp_path / "again", formats=("epub",))))
    assert _cover(again)[2] == _cover(_epub(seeds_build))[2]


def test_cover_names_only_who_there_is(bare_seeds_build: BuildResult) -> None:
    # No anthology.toml: no editor, the default title, the stories in file-name order.
    (img,) = _read(_epub(bare_seeds_build), "EPUB/cover.xhtml").xpath("//x:img", namespaces=ALL)
    assert img.get("alt") == "Cover: Collected Stories; stories by Linali-chan and DancingPetal"


@pytest.mark.parametrize(("name", "kind", "media_type"), [("cover.png", "PNG", "image/png"), ("cover.jpg", "JPEG", "image/jpeg")])
def test_users_cover_replaces_the_drawn_one(name: str, kind: str, media_type: str, tmp_path: Path) -> None:
    src = tmp_path / "in"
    shutil.copytree(SEEDS, src)
    picture = io.BytesIO()
    Image.new("RGB", (1600, 2560), "#336699").save(picture, kind)
    (src / name).write_bytes(picture.getvalue())
    epub = _epub(build(BuildOptions(source=src, output=tmp_path / "out", formats=("epub",))))
    item, stored, data = _cover(epub)
    assert data == picture.getvalue() and item.get("media-type") == media_type
    assert stored == f"EPUB/images/{name}"
    (img,) = _read(epub, "EPUB/cover.xhtml").xpath("//x:img", namespaces=ALL)
    assert img.get("src") == f"images/{name}"


def test_drawn_cover_fits_a_title_and_editor_too_long_for_it(tmp_path: Path) -> None:
    src = tmp_path / "in"
    shutil.copytree(SEEDS, src)
    title = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 3 + " and " + "many more words " * 30
    (src / "anthology.toml").write_text(f'title = "{title}"\neditor = "{"E" * 200}"\n', encoding="utf-8")
    epub = _epub(build(BuildOptions(source=src, output=tmp_path / "out", formats=("epub",))))
    with Image.open(io.BytesIO(_cover(epub)[2])) as image:
        assert image.size == (1600, 2560)
    (img,) = _read(epub, "EPUB/cover.xhtml").xpath("//x:img", namespaces=ALL)
    assert title.strip() in img.get("alt")  # the alternative text keeps what the picture had to cut


def test_a_cover_that_is_not_an_image_stops_the_build_with_a_message(tmp_path: Path) -> None:
    src = tmp_path / "in"
    shutil.copytree(SEEDS, src)
    (src / "cover.jpg").write_text("not a picture", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "compiler", "build", str(src), "-o", str(tmp_path / "out"), "--format", "epub"], capture_output=True, text=True)
    assert run.returncode == 3 and "C030" in run.stderr and "cover.jpg" in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.corpus
@pytest.mark.slow
def test_corpus_epub_passes_epubcheck(tmp_path: Path) -> None:
    # Checked here at once, by name, as well as by the session-end sweep.
    assert CORPUS.is_dir(), f"{CORPUS} is missing: the shared corpus sits beside the project"
    _assert_valid(_epub(build(BuildOptions(source=CORPUS, output=tmp_path / "out", formats=("epub",)))), tmp_path)
