"""Issue 2: the seeds build end to end into a valid EPUB and a print PDF, losing nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest

from compiler.build import BuildResult, build
from compiler.options import BuildOptions
from compiler.read.decode import decode

from .helpers import ROOT, SEEDS, epub_documents, epub_text, epubcheck_problems, missing_words, pdf_body_text, pdf_pages, run_epubcheck, words, NS


def _epub(result: BuildResult) -> Path:
    return next(p for p in result.outputs if p.suffix == ".epub")


def _pdf(result: BuildResult) -> Path:
    return next(p for p in result.outputs if p.suffix == ".pdf")


def test_cli_build_with_no_arguments_writes_both_books(tmp_path: Path) -> None:
    # A fresh checkout: the program, its themes and its sample stories, run from its top folder, where
    # a bare `anthology build` builds seeds/ into output/ (in a folder of stories it builds that folder).
    keep = {"compiler", "themes", "seeds", "pyproject.toml"}
    shutil.copytree(ROOT, tmp_path, dirs_exist_ok=True, ignore=lambda folder, names: [n for n in names if Path(folder) == ROOT and n not in keep] + [n for n in names if n == "__pycache__"])
    run = subprocess.run([sys.executable, "-m", "compiler", "build"], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "output" / "anthology.epub").stat().st_size > 5000
    assert (tmp_path / "output" / "anthology.pdf").read_bytes().startswith(b"%PDF-")
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "output" / "anthology.epub").stat().st_mode & 0o777 == 0o666 & ~umask  # not private
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("which", ["seeds_build", "bare_seeds_build"])
def test_epubcheck_passes_with_no_errors_and_no_warnings(which: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    result: BuildResult = request.getfixturevalue(which)
    report = run_epubcheck(_epub(result), tmp_path)
    assert report["checker"]["nFatal"] == 0
    assert epubcheck_problems(report) == []


def _expected_words(result: BuildResult) -> dict[Path, object]:
    expected = {}
    for path, consumed in result.consumed.items():
        counter = words(decode(path.read_bytes(), path).text)
        counter.subtract(words(" ".join(consumed)))
        expected[path] = +counter
    return expected


def test_every_word_of_the_seeds_reaches_the_epub_and_the_pdf(seeds_build: BuildResult) -> None:
    epub = epub_text(_epub(seeds_build))
    anthology = seeds_build.anthology
    pdf = pdf_body_text(_pdf(seeds_build), {anthology.meta.title, "Notes"} | {s.title for s in anthology.stories})
    for path, expected in _expected_words(seeds_build).items():
        assert sum(expected.values()) > 1000, path  # the whole story was read, not a fragment
        assert missing_words(expected, epub) == {}, f"{path.name}: lost in EPUB"
        assert missing_words(expected, pdf) == {}, f"{path.name}: lost in PDF"


def test_only_the_furniture_labels_are_consumed(seeds_build: BuildResult) -> None:
    consumed = {p.name: c for p, c in seeds_build.consumed.items()}
    assert consumed["000_a1435ebc971daef6.txt"] == ("Summary;;;",)
    assert consumed["003_66649ebb0b25f766.txt"] == ("Disclaimer:", "A/N:", "(by:", "A/N:")


def test_story_order_title_and_byline_come_from_the_manifest_and_the_text(seeds_build: BuildResult) -> None:
    stories = seeds_build.anthology.stories
    assert [s.title for s in stories] == ["Breaking Down", "Sasuke had left just over a month ago"]
    assert [s.authors for s in stories] == [("DancingPetal",), ("Linali-chan",)]
    assert stories[1].title_guessed and not stories[0].title_guessed


def test_untitled_story_is_named_by_its_first_line_and_the_build_says_so(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy2(SEEDS / "000_a1435ebc971daef6.txt", src)
    run = subprocess.run([sys.executable, "-m", "compiler", "build", str(src), "-o", str(tmp_path / "out"), "--format", "epub"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "A101" in run.stderr and "Sasuke had left just over a month ago" in run.stderr
    assert "000_a1435ebc971daef6" not in epub_text(tmp_path / "out" / "anthology.epub")


def test_title_override_in_the_manifest_wins_and_silences_the_warning(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy2(SEEDS / "000_a1435ebc971daef6.txt", src)
    (src / "anthology.toml").write_text('[stories."000_a1435ebc971daef6.txt"]\ntitle = "Mended"\n', encoding="utf-8")
    result = build(BuildOptions(source=src, output=tmp_path / "out", formats=("epub",)))
    assert result.anthology.stories[0].title == "Mended"
    assert not [d for d in result.diagnostics if d.code == "A101"]


def test_chapter_has_title_byline_summary_notes_and_scene_breaks(seeds_build: BuildResult) -> None:
    docs = epub_documents(_epub(seeds_build))
    chapter = docs["EPUB/breaking-down.xhtml"]
    assert chapter.xpath("string(//x:h2[@class='chapter-title'])", namespaces=NS) == "Breaking Down"
    assert chapter.xpath("string(//x:p[@class='byline'])", namespaces=NS) == "by DancingPetal"
    notes = chapter.xpath("//x:div[contains(@class,'authors-note')]", namespaces=NS)
    assert [n.get("class").split()[-1] for n in notes] == ["authors-note-before", "authors-note-after"]
    assert len(chapter.xpath("//x:div[@class='scene-break'][@role='separator']", namespaces=NS)) == 1
    # The disclaimer lives on the rights page, not in the chapter.
    assert "Kishimoto" not in "".join(chapter.itertext())
    other = docs["EPUB/sasuke-had-left-just-over-a-month-ago.xhtml"]
    assert "Sakura gets her heart broken" in other.xpath("string(//x:section[@class='summary'])", namespaces=NS)
    # Two blank lines are a scene break, except after a letter's "Love you for always,".
    assert len(other.xpath("//x:div[@class='scene-break'][@role='separator']", namespaces=NS)) == 6


def test_rights_page_gathers_the_disclaimers_with_their_stories(seeds_build: BuildResult) -> None:
    rights = epub_documents(_epub(seeds_build))["EPUB/rights.xhtml"]
    text = " ".join("".join(rights.itertext()).split())
    assert "Naruto belongs to Kishimoto Masashi, I only borrow once in a while." in text
    assert "Breaking Down by DancingPetal" in text


def test_identical_disclaimers_are_merged_and_credit_every_story(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for name, title in (("a.txt", "First Light"), ("b.txt", "Second Wind")):
        (src / name).write_text(f"Disclaimer: I own nothing.\n\n{title}\n\n(by: Someone)\n\nOnce upon a time.\n", encoding="utf-8")
    (src / "c.txt").write_text("DISCLAIMER - i own NOTHING\n\nThird Act\n\nby Other\n\nThe end came.\n", encoding="utf-8")
    result = build(BuildOptions(source=src, output=tmp_path / "out", formats=("epub",)))
    rights = result.anthology.rights
    assert len(rights) == 1
    assert [c[0] for c in rights[0].credits] == ["First Light", "Second Wind", "Third Act"]


def test_glossary_terms_link_to_endnotes_and_back(seeds_build: BuildResult) -> None:
    docs = epub_documents(_epub(seeds_build))
    chapter = docs["EPUB/breaking-down.xhtml"]
    refs = chapter.xpath("//x:a[@epub:type='noteref']", namespaces=NS)
    assert sorted(r.text for r in refs) == ["alyssums", "chrysanthemum", "daffodils", "irises", "roses", "zinnia"]
    notes = docs["EPUB/endnotes.xhtml"]
    for ref in refs:
        target = ref.get("href").split("#")[1]
        (note,) = notes.xpath(f"//x:aside[@id='{target}']", namespaces=NS)
        assert note.get("{http://www.idpf.org/2007/ops}type") == "footnote"
        (back,) = note.xpath(".//x:a[@epub:type='backlink']", namespaces=NS)
        assert back.get("href") == f"breaking-down.xhtml#{ref.get('id')}"
    assert "Flower Symbology Used in This One-shot" in "".join(notes.itertext())


def test_typography_is_curly_and_keeps_every_word(seeds_build: BuildResult) -> None:
    text = epub_text(_epub(seeds_build))
    assert '"' not in text and "……" not in text and "..." not in text
    assert "“Why…did he leave? Why, Naruto?”" in text
    # The dash is joined to its word by an invisible WORD JOINER, so no line opens with it (issue 20).
    assert "at times like these\u2060—”" in text



def test_pdf_fonts_are_all_embedded(seeds_build: BuildResult) -> None:
    out = subprocess.run(["pdffonts", str(_pdf(seeds_build))], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows, "no fonts listed"
    assert all(row.split()[-5] == "yes" for row in rows), out


def test_pdf_passes_qpdf_check(seeds_build: BuildResult) -> None:
    run = subprocess.run(["qpdf", "--check", str(_pdf(seeds_build))], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def _outline(pdf: pikepdf.Pdf) -> dict[str, int]:
    pages = {page.objgen: i + 1 for i, page in enumerate(pdf.pages)}
    found: dict[str, int] = {}
    with pdf.open_outline() as outline:
        stack = list(outline.root)
        while stack:
            item = stack.pop(0)
            dest = item.destination
            page = dest[0] if isinstance(dest, pikepdf.Array) else None
            found[item.title] = pages.get(page.objgen, 0) if page is not None else 0
            stack.extend(item.children)
    return found


def test_pdf_has_a_bookmark_per_chapter_at_its_first_page(seeds_build: BuildResult) -> None:
    pdf_path = _pdf(seeds_build)
    with pikepdf.open(pdf_path) as pdf:
        outline = _outline(pdf)
    texts = pdf_pages(pdf_path)
    for story in seeds_build.anthology.stories:
        page = outline[story.title]
        assert story.title in texts[page - 1].split("\n")[0:3], (story.title, page)
    assert "Notes" in outline and "Contents" in outline


def _folio(page_text: str) -> str:
    lines = [line.strip() for line in page_text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def test_pdf_contents_page_numbers_match_where_chapters_start(seeds_build: BuildResult) -> None:
    texts = pdf_pages(_pdf(seeds_build))
    contents = next(t for t in texts if t.lstrip().startswith("Contents"))
    assert _folio(contents) == "v"  # front matter has roman folios
    # Body folios are arabic from 1; find where folio 1 sits from the first page that shows one.
    index, folio = next((i, int(_folio(t))) for i, t in enumerate(texts) if _folio(t).isdigit())
    first_body = index - folio + 1
    assert first_body % 2 == 0  # folio 1 is a recto (odd physical page)
    for story in seeds_build.anthology.stories:
        line = next(line for line in contents.splitlines() if line.startswith(story.title))
        number = int(line.rstrip(". ").split()[-1])
        opening = texts[first_body + number - 1]
        assert opening.split("\n")[0] == story.title  # the chapter opens there: no running head above
        assert _folio(texts[first_body + number]) == str(number + 1)  # and the folios run on from it
        assert number % 2 == 1  # stories open on rectos
    notes = next(line for line in contents.splitlines() if line.startswith("Notes"))
    number = int(notes.rstrip(". ").split()[-1])  # the end-notes are listed with their page too
    assert texts[first_body + number - 1].split("\n")[0] == "Notes"


def test_pdf_links_resolve_contents_to_chapters_and_notes_both_ways(tmp_path: Path) -> None:
    # The screen PDF is the one to click through; the print PDF (PDF/X) carries no links.
    screen = build(BuildOptions(source=SEEDS, output=tmp_path, formats=("pdf",), profile="screen"))
    with pikepdf.open(_pdf(screen)) as pdf:
        pages = {page.objgen: i + 1 for i, page in enumerate(pdf.pages)}
        names = {}
        tree = pikepdf.NameTree(pdf.Root.Names.Dests)
        for key, value in tree.items():
            dest = value if isinstance(value, pikepdf.Array) else value.D
            names[str(key)] = pages[dest[0].objgen]
        links = []
        for number, page in enumerate(pdf.pages, start=1):
            for annot in page.get("/Annots", []):
                if annot.get("/Subtype") == "/Link" and "/Dest" in annot:
                    links.append((number, str(annot.Dest)))
    targets = {dest for _, dest in links}
    assert all(dest in names for dest in targets), targets - set(names)
    story = screen.anthology.stories[0]
    assert story.slug in targets  # contents → chapter
    for note in story.endnotes:
        assert note.note_id in targets  # term → note
        assert note.ref_ids[0] in targets  # note → term
        assert names[note.note_id] > names[note.ref_ids[0]]


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    outputs = []
    for n in (1, 2):
        out = tmp_path / str(n)
        subprocess.run([sys.executable, "-m", "compiler", "build", str(SEEDS), "-o", str(out)], env=env, check=True, capture_output=True)
        outputs.append(((out / "anthology.epub").read_bytes(), (out / "anthology.pdf").read_bytes()))
    assert outputs[0] == outputs[1]


def test_running_heads_on_body_pages_not_on_openings_or_blanks(seeds_build: BuildResult) -> None:
    texts = pdf_pages(_pdf(seeds_build))
    anthology = seeds_build.anthology
    titles = [s.title for s in anthology.stories]
    index, folio = next((i, int(_folio(t))) for i, t in enumerate(texts) if _folio(t).isdigit())
    first_body = index - folio + 1
    seen = {"opening": 0, "verso": 0, "recto": 0, "blank": 0}
    for i, text in enumerate(texts[first_body:], start=1):
        first_line = text.strip().split("\n")[0] if text.strip() else ""
        if not text.strip():
            seen["blank"] += 1  # nothing at all on a blank page: no head, no folio
        elif first_line in titles + ["Notes"] and _folio(text) != str(i):
            seen["opening"] += 1  # an opening: its title first, no folio
        elif i % 2 == 0:
            assert first_line == anthology.meta.title, i  # versos: the book title
            assert _folio(text) == str(i)
            seen["verso"] += 1
        else:
            assert first_line in titles + ["Notes"], i  # rectos: the story's title
            assert _folio(text) == str(i)
            seen["recto"] += 1
    assert seen["opening"] == len(titles) + 1 and seen["verso"] > 3 and seen["recto"] > 3 and seen["blank"] >= 1
