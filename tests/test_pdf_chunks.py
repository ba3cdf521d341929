"""The PDF laid out in chunks (issue 8): the same book as one pass, links and bookmarks across
chunks, folios stamped on the right pages, and a rebuild that lays out only what changed."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

import compiler.package.pdf.chunks as scheduler
import compiler.package.press.pdfx as pdfx
from compiler.build import BuildResult, build
from compiler.options import BuildOptions
from compiler.package.pdf.layoutcache import FOLDER
from compiler.package.pdf.pagestyle import page_style
from compiler.render.theme import load_theme

from .helpers import SEEDS, pdf_pages, seeds_over

COPIES = 3  # six stories: with a small chunk budget, five chunks and the notes


def _book(folder: Path) -> Path:
    return seeds_over(folder, COPIES, "Chunked")


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, BuildResult]:
    src = _book(tmp_path_factory.mktemp("chunked") / "src")
    patch = pytest.MonkeyPatch()
    patch.setattr(scheduler, "CHUNK_BYTES", 8_000)  # about one story a chunk
    # The links are checked as the merge wrote them: the print profile's PDF/X-4 step then removes
    # them, as PDF/X allows no annotations on the printed area (tests/test_pdf_profiles.py).
    patch.setattr(pdfx, "make_pdfx", lambda data, *_, **__: data)
    try:
        return {
            "chunked": build(BuildOptions(source=src, output=tmp_path_factory.mktemp("chunked-out"), formats=("pdf",), cache=False)),
            "one pass": build(BuildOptions(source=src, output=tmp_path_factory.mktemp("one-pass-out"), formats=("pdf",), one_pass=True)),
        }
    finally:
        patch.undo()


def _pdf(result: BuildResult) -> Path:
    return next(p for p in result.outputs if p.suffix == ".pdf")


def test_the_book_is_cut_into_several_chunks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from compiler.package.pdf.printdoc import parts_of
    from compiler.render import render
    from compiler.build import assemble
    from compiler.config import load_config
    from compiler.read import read_stories
    from compiler.transforms import transform

    src = _book(tmp_path / "src")
    config = load_config(src)
    anthology, _ = transform(assemble(config, read_stories(src, config).stories))
    rendered = render(anthology, load_theme("classic"))
    parts, _ = parts_of(rendered.docs)
    chunks = scheduler.chunks_of([p for p in parts if p.doc.matter == "body"], 8_000)
    assert len(chunks) >= 5 and sum(len(c) for c in chunks) == 2 * COPIES


def test_chunked_layout_gives_the_same_pages_as_one_pass(books: dict[str, BuildResult]) -> None:
    chunked, whole = pdf_pages(_pdf(books["chunked"])), pdf_pages(_pdf(books["one pass"]))
    assert len(chunked) == len(whole) > 60
    different = [n for n, (a, b) in enumerate(zip(chunked, whole), start=1) if a != b]
    assert different == []


def test_links_and_bookmarks_work_across_chunks(books: dict[str, BuildResult]) -> None:
    result = books["chunked"]
    path = _pdf(result)
    texts = pdf_pages(path)
    with pikepdf.open(path) as book:
        index = {page.objgen: n for n, page in enumerate(book.pages, start=1)}
        names = {str(k): index[v[0].objgen] for k, v in pikepdf.NameTree(book.Root.Names.Dests).items()}
        links = []
        for page in book.pages:
            for annot in page.get("/Annots", []):
                assert "/A" not in annot or not str(annot.A.get("/URI", "")).startswith("anthology-dest:")
                if "/Dest" in annot:
                    links.append(str(annot.Dest))
        with book.open_outline() as outline:
            marks = {item.title: index[item.destination[0].objgen] for item in outline.root}
    assert links and set(links) <= set(names)  # every link lands somewhere
    for story in result.anthology.stories:
        assert story.slug in links  # the contents reaches every chapter, whichever chunk it is in
        assert texts[marks[story.title] - 1].split("\n")[0] == story.title  # its bookmark opens it
        for note in story.endnotes:
            assert names[note.note_id] > names[note.ref_ids[0]]  # term → note, and back
            assert note.ref_ids[0] in links and note.note_id in links


def test_folios_follow_the_physical_pages_and_notes_cite_them(books: dict[str, BuildResult]) -> None:
    texts = pdf_pages(_pdf(books["chunked"]))
    lines = [[line.strip() for line in t.strip().splitlines() if line.strip()] for t in texts]
    shown = [(n, int(page[-1])) for n, page in enumerate(lines) if page and page[-1].isdigit()]
    first_body = shown[0][0] - shown[0][1] + 1
    assert len(shown) > 40 and all(n - first_body + 1 == folio for n, folio in shown)
    notes = next(t for t in texts if t.lstrip().startswith("Notes"))
    assert "(p.\u00a0" in notes or "(p. " in notes


@pytest.mark.slow
def test_a_rebuild_after_an_edit_lays_out_only_what_changed_and_matches_a_clean_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scheduler, "CHUNK_BYTES", 8_000)
    src = _book(tmp_path / "src")
    out = tmp_path / "out"
    build(BuildOptions(source=src, output=out, formats=("pdf",)))
    before = {p.name for p in (out / FOLDER).iterdir()}
    story = sorted(src.glob("1-*.txt"))[0]
    text = story.read_text(encoding="utf-8")
    story.write_text(text.replace("\n\n", " She paused, and the moment passed.\n\n", 1), encoding="utf-8")
    build(BuildOptions(source=src, output=out, formats=("pdf",)))
    after = {p.name for p in (out / FOLDER).iterdir()}
    clean = build(BuildOptions(source=src, output=tmp_path / "clean", formats=("pdf",)))
    assert (out / "anthology.pdf").read_bytes() == _pdf(clean).read_bytes()
    # Each entry is a .pdf and a .json: the edited chunk and its folios, and at most the notes
    # and the front matter (page numbers) with theirs, are new; every other chunk was reused.
    assert 2 <= len(after - before) <= 8 and len(before & after) >= 10


def test_the_classic_theme_splits_folios_from_running_heads() -> None:
    style = page_style(tuple(load_theme("classic").chain("print.css")))
    assert style.splittable
    assert {(b.selector, b.box) for b in style.folios} == {("", "bottom-center"), ("contents", "bottom-center")}
    assert {(b.selector, b.box) for b in style.heads} == {(":left", "top-center"), (":right", "top-center")}


def test_a_theme_with_folio_and_title_in_one_box_is_laid_out_in_one_pass(tmp_path: Path) -> None:
    theme = tmp_path / "mixed"
    theme.mkdir()
    (theme / "theme.toml").write_text('extends = "classic"\n', encoding="utf-8")
    (theme / "print.css").write_text('@page :right { @top-center { content: string(story-title) " · " counter(page); } }\n', encoding="utf-8")
    assert not page_style(tuple(load_theme(str(theme)).chain("print.css"))).splittable
    result = build(BuildOptions(source=SEEDS, output=tmp_path / "out", formats=("pdf",), theme=str(theme)))
    texts = pdf_pages(_pdf(result))
    assert any(" · 3" in t for t in texts)  # the theme's combined head is on the page


def test_no_cache_leaves_no_cache_folder(tmp_path: Path) -> None:
    import subprocess
    import sys

    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "compiler", "build", str(SEEDS), "-o", str(out), "--format", "pdf", "--no-cache", "-q"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in out.iterdir()) == ["anthology.pdf"]
    run = subprocess.run([sys.executable, "-m", "compiler", "build", str(SEEDS), "-o", str(out), "--format", "pdf", "-q"], capture_output=True, text=True)
    assert (out / FOLDER).is_dir() and any((out / FOLDER).glob("*.pdf"))
