"""How a story opens and closes on the page, in every theme: the field list set off from the summary
under it, an author's note's label never left at the foot of a page without its note, and a title
that is a word, never a lone mark."""

from __future__ import annotations

import random
import re
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from compiler.build import build
from compiler.options import BuildOptions
from compiler.read import read_story

from .helpers import pdf_pages

THEMES = ("classic", "large-print", "modern")
_WORDS = "the harbour lamps were lit one by one and the fishing boats came home slowly over the grey water while gulls".split()


def _stories(folder: Path) -> None:
    """Stories that end in an author's note, of lengths that bring the note's label to the last
    line of a page in classic (two of them) and large-print (one), and one story that opens with a
    field list over a summary."""
    rng = random.Random(3)
    for n in range(11):
        paras = [" ".join(rng.choice(_WORDS) for _ in range(20 + (k * 7 + n * 3) % 40)).capitalize() + "." for k in range(4 + n)]
        note = "Author's note: Thank you for reading this one. " + " ".join(rng.choice(_WORDS) for _ in range(40)) + "."
        if n in (1, 8, 10):
            (folder / f"story{n:02}.txt").write_text(f"Story {n}\n\nby Ann Writer\n\n" + "\n\n".join(paras) + f"\n\n{note}\n", encoding="utf-8")
    (folder / "fields.md").write_text(
        "---\ntitle: The Lamplighter\nauthor: Ann Writer\nrating: Teen And Up Audiences\nfandom: Harbour Lights\n"
        "characters: Mara, the Harbourmaster\nsummary: Mara lights the harbour lamps one last time before the town leaves.\n---\n\n"
        + "\n\n".join(" ".join(_WORDS).capitalize() + "." for _ in range(6)) + "\n",
        encoding="utf-8",
    )


def _lines(pdf: Path) -> list[tuple[int, float, float, str]]:
    """Every line of text: its page, top, bottom (points) and words, from poppler's layout."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True).stdout
    root = etree.fromstring(re.sub(rb"<!DOCTYPE[^>]*>", b"", xml))
    out = []
    for number, page in enumerate(root.iter("{*}page"), start=1):
        for line in page.iter("{*}line"):
            words = " ".join(w.text or "" for w in line.iter("{*}word"))
            out.append((number, float(line.get("yMin", 0)), float(line.get("yMax", 0)), words))
    return out


@pytest.fixture(scope="module", params=THEMES)
def opened(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    src = tmp_path_factory.mktemp("opening-src")
    _stories(src)
    out = tmp_path_factory.mktemp("opening-out")
    build(BuildOptions(source=src, output=out, formats=("pdf",), theme=request.param))
    return request.param, out / "anthology.pdf"


def test_an_authors_note_label_stands_on_the_page_of_its_note(opened: tuple[str, Path]) -> None:
    _, pdf = opened
    labels = 0
    for k, page in enumerate(pdf_pages(pdf)):
        lines = [line.strip() for line in page.strip().split("\n") if line.strip()]
        if lines and lines[-1].isdigit():  # the folio
            lines = lines[:-1]
        for at, line in enumerate(lines):
            if line.replace(" ", "").casefold() == "author’snote":  # modern spaces its capitals out
                labels += 1
                assert at + 1 < len(lines) and lines[at + 1].startswith("Thank you for reading"), (k + 1, lines[-3:])
    assert labels == 3


def test_the_field_list_stands_apart_from_the_summary_under_it(opened: tuple[str, Path]) -> None:
    _, pdf = opened
    lines = _lines(pdf)
    rating = next(k for k, line in enumerate(lines) if line[3].startswith("Rating:"))
    fields = lines[rating:rating + 3]
    assert [f[3].split(":")[0] for f in fields] == ["Rating", "Fandom", "Characters"]
    summary = lines[rating + 3]
    assert summary[3].startswith("Mara lights the harbour lamps") and summary[0] == fields[-1][0]
    between_fields = fields[1][1] - fields[0][2]  # the space between two lines of the list
    before_summary = summary[1] - fields[-1][2]
    assert before_summary > between_fields + 5  # points: a visible gap, not the list's line spacing


@pytest.mark.parametrize("mark", ["—", "--", "—.", "…", "“—”"])
def test_a_story_opening_on_a_lone_mark_is_named_by_its_first_words(mark: str, tmp_path: Path) -> None:
    story = tmp_path / "untitled.txt"
    story.write_text(f"{mark}\n\nThe rain had not stopped for three days, and the river rose.\n\nShe counted the boats.\n", encoding="utf-8")
    read = read_story(story, None)
    assert read.story.title == "The rain had not stopped for three days…" and read.story.title_guessed
    assert any(d.code == "A101" for d in read.diagnostics)  # the user hears the title was guessed
