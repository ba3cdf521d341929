"""Issue 20: volumes. `--volumes N` or `[volumes]` in anthology.toml splits the anthology between
stories into volumes of even size, each a whole book (title page "Volume II", its own contents,
rights page and notes, a series in its metadata) in EPUB and in print; one volume is today's book.
"""

from __future__ import annotations

import dataclasses
import itertools
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from compiler.build import BuildResult, build
from compiler.budget import VolumeBudget
from compiler.options import BuildOptions
from compiler.read.decode import decode
from compiler.volumes import partition, roman

from .conftest import BUILT_EPUBS
from .helpers import ROOT, NS, epub_documents, epub_text, epubcheck_problems, pdf_body_text, pdf_pages, run_epubcheck_many, seeds_over, words

# Two short stories with end-notes (Markdown footnotes) beside the seeds: the books' notes must stay
# with their own volume. Their disclaimers differ, so each rights page shows whose volume it is.
NOTED = {
    "x-notes-one.md": """# Lanterns Upriver

by Marisol Quent

Disclaimer: The river belongs to nobody; the lanterns belong to Marisol.

The ferryman counted the lanterns twice before he let anyone aboard.[^1] Nobody argued with him.

[^1]: He always counted twice, ever since the flood year.
""",
    "x-notes-two.md": """# The Clockmaker's Apprentice

by Oduya Brandt

Disclaimer: Gears and springs courtesy of the public domain.

Every clock in the shop ran four minutes slow, by design.[^1] The apprentice never asked why.

[^1]: Four minutes was how long the master needed to cross the square.
""",
}


def _source(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    folder = seeds_over(tmp_path_factory.mktemp(name) / "stories", 2, "River Crossings")
    for file, text in NOTED.items():
        (folder / file).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """Six stories of uneven length (1.3k, 3.7k, 1.3k, 3.7k words, then two of a few dozen) in three volumes."""
    source = _source(tmp_path_factory, "volumes")
    result = build(BuildOptions(source=source, output=tmp_path_factory.mktemp("volumes-out"), volumes=VolumeBudget(count=3)))
    BUILT_EPUBS.extend(p for p in result.outputs if p.suffix == ".epub")
    return result


def _outputs(result: BuildResult, suffix: str) -> list[Path]:
    return sorted((p for p in result.outputs if p.name.endswith(suffix) and "-cover" not in p.name), key=lambda p: p.name)


def _nav_titles(epub: Path) -> list[str]:
    nav = epub_documents(epub)["EPUB/nav.xhtml"]
    return [" ".join("".join(a.itertext()).split()) for a in nav.xpath("//x:nav[@epub:type='toc']//x:a", namespaces=NS)]


# ---------------------------------------------------------------- the split


def _best_largest(weights: list[int], parts: int) -> int:
    """The smallest possible largest run, by trying every way to cut."""
    best = sum(weights)
    for cuts in itertools.combinations(range(1, len(weights)), parts - 1):
        bounds = (0, *cuts, len(weights))
        best = min(best, max(sum(weights[a:b]) for a, b in itertools.pairwise(bounds)))
    return best


@pytest.mark.parametrize("weights, parts", [([9000, 120, 130, 7000, 2500, 2400, 60, 8800], 3), ([5, 1, 1, 1, 1, 1, 1, 9], 4), ([100, 100, 100], 5), ([40, 7, 12, 33, 5, 61, 2], 2)])
def test_the_split_falls_between_stories_and_no_volume_could_be_smaller(weights: list[int], parts: int) -> None:
    runs = partition(weights, parts)
    assert runs[0][0] == 0 and runs[-1][1] == len(weights)
    assert all(a < b for a, b in runs) and all(b == c for (_, b), (c, _) in itertools.pairwise(runs))  # consecutive, none empty
    assert len(runs) == min(parts, len(weights))
    assert max(sum(weights[a:b]) for a, b in runs) == _best_largest(weights, len(runs))


def test_volumes_are_balanced_by_words_and_each_holds_whole_stories(split: BuildResult) -> None:
    # Words as the reader counts them in each source file, less what the reader took as structure.
    sizes = []
    for story in split.anthology.stories:
        counted = words(decode(story.source.path.read_bytes(), story.source.path).text)
        counted.subtract(words(" ".join(split.consumed.get(story.source.path, ()))))
        sizes.append(sum((+counted).values()))
    volumes = split.volumes
    assert len(volumes) == 3
    assert [s.slug for v in volumes for s in v.stories] == [s.slug for s in split.anthology.stories]  # in reading order, each once
    largest = max(sum(sizes[k] for k, s in enumerate(split.anthology.stories) if s in v.stories) for v in volumes)
    assert largest == _best_largest(sizes, 3)


def test_each_story_is_in_exactly_one_volume_and_its_contents(split: BuildResult) -> None:
    epubs, pdfs = _outputs(split, ".epub"), _outputs(split, ".pdf")
    assert [p.name for p in epubs] == ["anthology-vol1.epub", "anthology-vol2.epub", "anthology-vol3.epub"]
    assert [p.name for p in pdfs] == ["anthology-vol1.pdf", "anthology-vol2.pdf", "anthology-vol3.pdf"]
    titles = [s.title for s in split.anthology.stories]
    for volume, epub, pdf in zip(split.volumes, epubs, pdfs):
        mine = [s.title for s in volume.stories]
        listed = [t for t in _nav_titles(epub) if t in titles]
        assert listed == mine  # its contents list only its own stories
        contents = next(page for page in pdf_pages(pdf) if "Contents" in page)
        assert [t for t in titles if t in contents] == mine
    everywhere = Counter(t for epub in epubs for t in _nav_titles(epub) if t in titles)
    assert everywhere == Counter(titles) and set(everywhere.values()) == {1}


def test_every_word_of_every_story_reaches_its_volume_in_both_books(split: BuildResult) -> None:
    epubs, pdfs = _outputs(split, ".epub"), _outputs(split, ".pdf")
    for volume, epub, pdf in zip(split.volumes, epubs, pdfs):
        expected: Counter[str] = Counter()
        for path in dict.fromkeys(s.source.path for s in volume.stories):
            counted = words(decode(path.read_bytes(), path).text)
            counted.subtract(words(" ".join(split.consumed.get(path, ()))))
            expected += +counted
        heads = {"River Crossings", "Notes", "Contents"} | {s.title for s in volume.stories}
        for text in (epub_text(epub), pdf_body_text(pdf, heads)):
            assert expected - words(text) == Counter(), epub.name


# ---------------------------------------------------------------- each volume a whole book


def test_the_second_title_page_says_volume_ii(split: BuildResult) -> None:
    epubs, pdfs = _outputs(split, ".epub"), _outputs(split, ".pdf")
    title_page = epub_documents(epubs[1])["EPUB/titlepage.xhtml"]
    lines = [" ".join("".join(p.itertext()).split()) for p in title_page.xpath("//x:section[@id='titlepage']/*", namespaces=NS)]
    assert lines[:2] == ["River Crossings", "Volume II"]
    printed = next(page for page in pdf_pages(pdfs[1]) if "Edited by" in page or "Stories by" in page)
    assert [line.strip() for line in printed.split("\n") if line.strip()][:2] == ["River Crossings", "Volume II"]
    with pikepdf.open(pdfs[1]) as pdf:
        assert str(pdf.docinfo["/Title"]) == "River Crossings — Volume II"
    with pikepdf.open(pdfs[0]) as pdf:
        assert str(pdf.docinfo["/Title"]) == "River Crossings — Volume I"


def test_each_volume_is_a_book_of_a_series_in_its_metadata(split: BuildResult) -> None:
    identifiers = set()
    for number, epub in enumerate(_outputs(split, ".epub"), start=1):
        with zipfile.ZipFile(epub) as z:
            opf = etree.fromstring(z.read("EPUB/content.opf"))
        meta = opf.find("opf:metadata", NS)
        assert meta is not None
        assert meta.findtext("{http://purl.org/dc/elements/1.1/}title") == f"River Crossings — Volume {roman(number)}"
        (series,) = meta.xpath("opf:meta[@property='belongs-to-collection']", namespaces=NS)
        assert series.text == "River Crossings"
        refines = {m.get("property"): m.text for m in meta.xpath(f"opf:meta[@refines='#{series.get('id')}']", namespaces=NS)}
        assert refines == {"collection-type": "series", "group-position": str(number)}
        identifiers.add(meta.findtext("{http://purl.org/dc/elements/1.1/}identifier"))
    assert len(identifiers) == 3  # a reader files each volume as a book of its own


def test_notes_stay_with_their_volume_and_link_both_ways(split: BuildResult) -> None:
    epubs, pdfs = _outputs(split, ".epub"), _outputs(split, ".pdf")
    with_notes = [k for k, v in enumerate(split.volumes) if any(s.endnotes for s in v.stories)]
    assert 2 in with_notes and len(with_notes) < 3  # the two noted stories end the book, in the last volume; one volume has none
    for k, epub in enumerate(epubs):
        docs = epub_documents(epub)
        names = {name.removeprefix("EPUB/") for name in docs}
        printed = [line.strip() for page in pdf_pages(pdfs[k]) for line in page.split("\n")]
        if k not in with_notes:
            assert "endnotes.xhtml" not in names and "Notes" not in printed
            continue
        assert "Notes" in printed
        notes = docs["EPUB/endnotes.xhtml"]
        ids = set(notes.xpath("//@id"))
        mine = {n.note_id for s in split.volumes[k].stories for n in s.endnotes}
        others = {n.note_id for v in split.volumes if v is not split.volumes[k] for s in v.stories for n in s.endnotes}
        assert mine <= ids and not (others - mine) & ids  # its own notes, no other volume's
        refs = [(name, a) for name, root in docs.items() for a in root.xpath("//x:a[@epub:type='noteref']", namespaces=NS)]
        assert refs
        for name, ref in refs:
            assert ref.get("href").split("#")[1] in ids  # the mention leads to its note…
            back = notes.xpath(f"//x:a[@href='{name.removeprefix('EPUB/')}#{ref.get('id')}']", namespaces=NS)
            assert back  # …and the note back to the mention, in this volume's own files
        assert {h.split("#")[0] for h in notes.xpath("//x:a/@href", namespaces=NS)} <= names


def test_each_rights_page_carries_the_disclaimers_of_its_own_stories(split: BuildResult) -> None:
    epubs = _outputs(split, ".epub")
    rights = [" ".join(epub_text_of(epub, "EPUB/rights.xhtml").split()) for epub in epubs]
    assert "lanterns belong to Marisol" in rights[2] and "public domain" in rights[2]
    assert not any("lanterns belong to Marisol" in r for r in rights[:2])
    assert "River Crossings, Volume II" in rights[1]


def epub_text_of(epub: Path, name: str) -> str:
    return "".join(epub_documents(epub)[name].itertext())


def test_every_volume_passes_epubcheck(split: BuildResult, tmp_path: Path) -> None:
    reports = run_epubcheck_many(_outputs(split, ".epub"), tmp_path)
    assert {p.name: epubcheck_problems(r) for p, r in reports.items()} == {p.name: [] for p in reports}


# ---------------------------------------------------------------- one volume is today's book


def test_one_volume_is_the_same_book_byte_for_byte(tmp_path: Path) -> None:
    source = seeds_over(tmp_path / "stories", 1, "River Crossings")
    plain = build(BuildOptions(source=source, output=tmp_path / "plain"))
    one = build(BuildOptions(source=source, output=tmp_path / "one", volumes=VolumeBudget(count=1)))
    roomy = build(BuildOptions(source=source, output=tmp_path / "roomy", volumes=VolumeBudget(words=180_000)))
    for result in (one, roomy):
        assert [p.name for p in result.outputs] == [p.name for p in plain.outputs] == ["anthology.pdf", "anthology.epub"]
        assert [p.read_bytes() for p in result.outputs] == [p.read_bytes() for p in plain.outputs]
        assert result.volumes == ()


def test_a_word_budget_makes_as_few_volumes_as_keep_each_within_it(tmp_path: Path) -> None:
    source = seeds_over(tmp_path / "stories", 2, "River Crossings")
    (source / "anthology.toml").write_text((source / "anthology.toml").read_text() + "\n[volumes]\nwords = 6000\n", encoding="utf-8")
    result = build(BuildOptions(source=source, output=tmp_path / "out", formats=("epub",)))
    assert [p.name for p in result.outputs] == ["anthology-vol1.epub", "anthology-vol2.epub"]  # 10k words: two of about 5k


# ---------------------------------------------------------------- the print profiles


@pytest.mark.parametrize("profile, extra", [("print", {"cover_pdf": True}), ("booklet", {}), ("signatures", {})])
def test_volumes_work_with_every_print_profile(profile: str, extra: dict[str, bool], tmp_path: Path) -> None:
    source = seeds_over(tmp_path / "stories", 1, "River Crossings")
    result = build(BuildOptions(source=source, output=tmp_path / "out", formats=("pdf",), profile=profile, volumes=VolumeBudget(count=2), **extra))
    names = sorted(p.name for p in result.outputs)
    wanted = {"print": ["anthology-vol1-cover.pdf", "anthology-vol1.pdf", "anthology-vol2-cover.pdf", "anthology-vol2.pdf"],
              "booklet": ["anthology-vol1.pdf", "anthology-vol2.pdf"],
              "signatures": ["anthology-vol1-signatures.pdf", "anthology-vol1.pdf", "anthology-vol2-signatures.pdf", "anthology-vol2.pdf"]}
    assert names == wanted[profile]
    if profile == "print":
        # Each wrap cover's spine is as thick as its own volume: the longer volume, the wider sheet.
        widths, pages = [], []
        for k in (1, 2):
            with pikepdf.open(tmp_path / "out" / f"anthology-vol{k}-cover.pdf") as cover, pikepdf.open(tmp_path / "out" / f"anthology-vol{k}.pdf") as book:
                widths.append(float(cover.pages[0].mediabox[2]))
                pages.append(len(book.pages))
            assert f"Volume {roman(k)}" in subprocess.run(["pdftotext", str(tmp_path / "out" / f"anthology-vol{k}-cover.pdf"), "-"], capture_output=True, text=True).stdout
        assert pages[0] != pages[1] and (widths[0] > widths[1]) == (pages[0] > pages[1])


# ---------------------------------------------------------------- bad values


def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "compiler", *args], capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize("value", ["0", "-2"])
def test_a_bad_volume_count_is_a_usage_error(value: str, tmp_path: Path) -> None:
    run = _cli("build", str(ROOT / "seeds"), "-o", str(tmp_path), f"--volumes={value}")
    assert run.returncode == 2
    assert "U008" in run.stderr and "Traceback" not in run.stderr
    assert not list(tmp_path.iterdir())


def test_a_count_that_is_no_number_is_a_usage_error(tmp_path: Path) -> None:
    run = _cli("build", str(ROOT / "seeds"), "-o", str(tmp_path), "--volumes", "two")
    assert run.returncode == 2 and "Traceback" not in run.stderr


@pytest.mark.parametrize("table, said", [("count = 0", "count must be 1 or more"), ("count = 2\nwords = 9000", "give one of count, words"), ("words = true", "words must be a whole number"), ('pages = "many"', "volumes.pages")])
def test_a_bad_volumes_table_names_its_line(table: str, said: str, tmp_path: Path) -> None:
    source = seeds_over(tmp_path / "stories", 1, "River Crossings")
    manifest = source / "anthology.toml"
    manifest.write_text(manifest.read_text() + "\n[volumes]\n" + table + "\n", encoding="utf-8")
    run = _cli("build", str(source), "-o", str(tmp_path / "out"))
    assert run.returncode == 4, run.stderr
    assert said in run.stderr and "anthology.toml:" in run.stderr and "Traceback" not in run.stderr


def test_inspect_shows_the_volume_plan(tmp_path: Path) -> None:
    source = seeds_over(tmp_path / "stories", 2, "River Crossings")
    run = _cli("inspect", str(source), "--volumes", "2")
    assert run.returncode == 0, run.stderr
    plan = run.stdout.split("\nvolumes: ", 1)[1]
    assert plan.startswith("2, split between stories")
    assert "Volume I: 2 stories" in plan and "Volume II: 2 stories" in plan
    assert plan.count("Story ") == 4 and "about" in plan and "pages" in plan


def test_the_works_of_one_file_may_go_to_different_volumes_and_are_checked_across_them(tmp_path: Path) -> None:
    # An EpubMerge anthology is one file of several works: the split may fall between them, and the
    # nothing-lost check then reads that file against both volumes together.
    from .downloads import merged_epub

    source = tmp_path / "stories"
    source.mkdir()
    merged_epub(source / "two-winters.epub")
    result = build(BuildOptions(source=source, output=tmp_path / "out", volumes=VolumeBudget(count=2)))
    assert [[s.title for s in v.stories] for v in result.volumes] == [["First Frost"], ["The Ice Road"]]
    texts = [epub_text(tmp_path / "out" / f"anthology-vol{k}.epub") for k in (1, 2)]
    assert "kettle froze" in texts[0] and "kettle froze" not in texts[1]
    assert "ice sang lowest" in texts[1] and "ice sang lowest" not in texts[0]


def test_a_page_budget_keeps_each_volume_within_its_estimated_pages(tmp_path: Path) -> None:
    source = seeds_over(tmp_path / "stories", 3, "River Crossings")
    run = _cli("inspect", str(source))
    assert "volumes:" not in run.stdout  # no budget: one book, no plan shown
    (source / "anthology.toml").write_text((source / "anthology.toml").read_text() + "\n[volumes]\npages = 40\n", encoding="utf-8")
    run = _cli("inspect", str(source))
    assert run.returncode == 0, run.stderr
    estimates = [int(line.split("about ")[1].split(" pages")[0]) for line in run.stdout.splitlines() if line.startswith("  Volume ")]
    assert len(estimates) >= 2 and all(pages <= 40 for pages in estimates)


def test_a_word_lost_from_a_volume_stops_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The second volume's EPUB read back without its last document (its story): the check across
    # volumes misses that story's words and nothing is written.
    import compiler.build as hallway
    from compiler.diagnostics import BuildError
    from .downloads import merged_epub

    source = tmp_path / "stories"
    source.mkdir()
    merged_epub(source / "two-winters.epub")
    reads = hallway._read_back
    calls: list[int] = []

    def losing(formats, made, suffix=""):  # type: ignore[no-untyped-def]
        books = reads(formats, made, suffix)
        calls.append(1)
        if len(calls) == 2:  # the second volume (its own check passes: it holds no whole file)
            books = [dataclasses.replace(b, parts=tuple(p for p in b.parts if "ice sang" not in p)) for b in books]
        return books

    monkeypatch.setattr(hallway, "_read_back", losing)
    with pytest.raises(BuildError) as stopped:
        build(BuildOptions(source=source, output=tmp_path / "out", formats=("epub",), volumes=VolumeBudget(count=2)))
    assert {d.code for d in stopped.value.diagnostics} == {"V001"}
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.epub"))


def test_volumes_are_the_same_bytes_on_every_build(tmp_path: Path) -> None:
    source = seeds_over(tmp_path / "stories", 1, "River Crossings")
    first, second = (build(BuildOptions(source=source, output=tmp_path / name, cache=False, volumes=VolumeBudget(count=2))) for name in ("a", "b"))
    assert [p.name for p in first.outputs] == [p.name for p in second.outputs]
    assert [p.read_bytes() for p in first.outputs] == [p.read_bytes() for p in second.outputs]
