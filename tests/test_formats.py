"""Issue 15: what a build makes is one options value and a table of formats.

Pinned here: the options pickle (a batch runner sends them to other processes) and say every bad
choice at once; the plan adds what a format is made from and nothing it only borrows from; the PDF
measures the page map only for an EPUB made with it; every row names functions that exist."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from compiler.diagnostics import BuildError
from compiler.options import BuildOptions
from compiler.package.formats import BY_NAME, FORMATS, choices, load, plan, wanted_products


def test_options_pickle_and_list_every_problem_at_once() -> None:
    options = BuildOptions(source=Path("stories"), output=Path("book"), formats=("epub", "docx", "mobi"), profile="poster", jobs=0)
    assert pickle.loads(pickle.dumps(options)) == options
    problems = options.problems(choices())
    assert [d.code for d in problems] == ["U001", "U002", "U003"]
    assert "docx, mobi" in problems[0].message and "choose from epub, pdf, azw3, kepub" in problems[0].message


def test_the_manifest_fills_in_only_what_the_options_leave_open() -> None:
    from compiler.config import Config

    manifest = Config(theme="modern", trim="6x9")
    assert BuildOptions().settled(manifest).theme == "modern" and BuildOptions().settled(manifest).trim == "6x9"
    assert BuildOptions(theme="classic", trim="A5").settled(manifest) == BuildOptions(theme="classic", trim="A5")


def _names(options: BuildOptions) -> list[str]:
    return [f.name for f in plan(options)]


def test_a_format_made_from_the_epub_brings_it_and_one_that_borrows_from_the_pdf_does_not() -> None:
    assert _names(BuildOptions(formats=("kepub",))) == ["epub", "kepub"]
    assert _names(BuildOptions(formats=("epub",))) == ["epub"]  # the page map is used only if the PDF is made anyway
    assert _names(BuildOptions(formats=("kepub", "pdf"))) == ["pdf", "epub", "kepub"]  # made in the table's order
    assert _names(BuildOptions(formats=("pdf",), cover_pdf=True)) == ["pdf", "cover"]


def test_the_pdf_measures_where_pages_begin_only_for_an_epub_made_with_it() -> None:
    both = plan(BuildOptions())
    assert wanted_products(BY_NAME["pdf"], both) == {"page_map"}
    assert wanted_products(BY_NAME["pdf"], plan(BuildOptions(formats=("pdf",)))) == frozenset()


def test_a_cover_needs_a_print_pdf_before_any_work() -> None:
    with pytest.raises(BuildError) as err:
        plan(BuildOptions(formats=("epub",), cover_pdf=True))
    assert [d.code for d in err.value.diagnostics] == ["C023"]


def test_every_row_names_functions_that_exist_and_needs_only_rows_above_it() -> None:
    seen: set[str] = set()
    for fmt in FORMATS:
        for reference in (fmt.packager, fmt.reader, fmt.preflight, fmt.start):
            if reference:
                assert callable(load(reference)), reference
        assert {need.format for need in fmt.needs} <= seen, fmt.name
        assert not fmt.checked_against or fmt.checked_against == "sources" or fmt.checked_against in seen
        seen.add(fmt.name)
    assert len({f.file_name for f in FORMATS}) == len(FORMATS)
