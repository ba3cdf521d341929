"""Issue 20: the page-quality check reads faults back from a laid-out PDF — a page that ends short
where the text runs on, a word hyphenated across a leaf turn, a line that opens with a closing
mark or a dash glued to a quote, a running head on a blank or opening page — and the themes give
it nothing to find: scene breaks keep with their next lines without leaving a hole, the rights
block stands at the foot of its verso, dashes stay with the word they close.

Every PDF here is made by weasyprint from a few lines of HTML written in the test.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import weasyprint

from compiler.package.press.pagetext import TextBlock, read_pages, starts
from compiler.package.press.quality import Kind, check_pdf
from compiler.render.theme import load_theme
from compiler.transforms.breaks import join

from .helpers import SEEDS

PAGE = "@page { size: 300pt 300pt; margin: 20pt 20pt 40pt; @bottom-center { content: counter(page); } }"
BLOCK = TextBlock(20, 40)
BASE = """html { font: 10pt/20pt "DejaVu Serif"; } body { margin: 0; }
p { margin: 0; widows: 2; orphans: 2; }
h2 { font-size: 10pt; line-height: 20pt; margin: 0; bookmark-level: 1; break-before: page; }
h3 { font-size: 10pt; line-height: 20pt; margin: 0; bookmark-level: 2; }"""


def pdf(body: str, css: str = "") -> bytes:
    html = f'<html lang="en"><body>{body}</body></html>'
    return weasyprint.HTML(string=html).write_pdf(stylesheets=[weasyprint.CSS(string=PAGE + BASE + css)])


def lines(n: int, word: str = "line") -> str:
    return "".join(f"<p>{word} {i}</p>" for i in range(n))


def kinds(data: bytes, block: TextBlock = BLOCK) -> list[tuple[Kind, int]]:
    return [(f.kind, f.page) for f in check_pdf(data, block)]


# ------------------------------------------------------------------ short pages (Q001)


def test_a_group_kept_together_that_moves_leaves_a_short_page() -> None:
    # 12 lines fit a page; a 6-line block that must not break follows 8 lines: a hole of 4 lines.
    data = pdf(lines(8) + '<div style="break-inside: avoid">' + lines(6, "kept") + "</div>" + lines(12, "more"))
    found = check_pdf(data, BLOCK)
    assert [(f.kind, f.page) for f in found] == [(Kind.SHORT_PAGE, 1)]
    assert "4.0 lines" in found[0].diagnostic().message and found[0].text == "line 7"


def test_a_page_ending_two_lines_short_for_widows_and_orphans_is_not_reported() -> None:
    # 10 lines, then a 3-line paragraph: two of its lines would leave one alone, so it moves whole.
    data = pdf(lines(10) + "<p>three<br/>lines<br/>together</p>" + lines(12, "more"))
    assert len(read_pages(data, BLOCK)[0].body) == 10
    assert kinds(data) == []


def test_a_page_before_a_story_or_a_section_or_a_forced_break_may_end_short() -> None:
    story = pdf(lines(3) + '<h2 id="next">Next story</h2>' + lines(14))
    section = pdf(lines(8) + '<h3 id="part-two" style="break-before: page">Part two</h3>' + lines(14))
    document = pdf(lines(3) + '<div id="doc-notes" style="break-before: page">' + lines(14) + "</div>")
    licence = pdf(lines(3) + '<section id="story-boilerplate" style="break-before: page">' + lines(14) + "</section>")
    unnamed = pdf(lines(3) + '<section style="break-before: page">' + lines(14) + "</section>")
    assert kinds(story) == kinds(section) == kinds(document) == kinds(licence) == []
    assert kinds(unnamed) == [(Kind.SHORT_PAGE, 1)]  # nothing says why the text stops: a hole


# ------------------------------------------------------------------ hyphens across a leaf turn (Q002)

NARROW = "@page { size: 100pt 300pt; margin: 20pt 20pt 40pt; } p { hyphens: manual; widows: 1; orphans: 1; }"


def _word_broken_at(page_end: int, word: str) -> bytes:
    """One word a line; the 12th line of the page is a word too long for it, broken where it may."""
    return pdf(lines(page_end - 1, "w") + f"<p>{word}</p>" + lines(12, "x"), NARROW)


def test_a_word_hyphenated_at_the_foot_of_a_recto_is_reported() -> None:
    found = check_pdf(_word_broken_at(12, "extra\u00adordinarily"), BLOCK)
    assert [(f.kind, f.page) for f in found] == [(Kind.LEAF_TURN_HYPHEN, 1)]
    assert found[0].text.endswith("extra\u2010") and "hyphenated" in found[0].detail


def test_a_compound_broken_at_its_hyphen_on_a_recto_is_reported_as_such() -> None:
    found = check_pdf(_word_broken_at(12, "self-consciousness"), BLOCK)
    assert [(f.kind, f.page) for f in found] == [(Kind.LEAF_TURN_HYPHEN, 1)] and "compound" in found[0].detail


def test_a_word_hyphenated_across_a_spread_is_tolerated() -> None:
    data = _word_broken_at(24, "extra\u00adordinarily")  # the foot of page 2, a verso
    assert read_pages(data, BLOCK)[1].body[-1].text.endswith("\u2010")
    assert kinds(data) == []


# ------------------------------------------------------------------ lines opening with a closer (Q003)

# A column just too narrow for "said the soldier—”": the break falls before the dash.
SPEECH = "“Wait, I never said the soldier—” she stopped."
COLUMN = "p { width: 160pt; }"


def test_a_line_opening_with_a_dash_glued_to_a_quote_is_reported() -> None:
    found = check_pdf(pdf(f"<p>{SPEECH}</p>", COLUMN), BLOCK)
    assert [(f.kind, f.text[:2]) for f in found] == [(Kind.LINE_OPENS_WITH_CLOSER, "—”")]


def test_a_title_that_is_a_dash_is_no_line_broken_before_its_dash() -> None:
    # A heading is set as written: a story titled "—" opens no line with a stray dash; a dash
    # alone on a line of text still does.
    body = "<h2 style='font-size: 20pt; line-height: 30pt'>—</h2><p>Text.</p><p>He said it and then —</p><p>—</p>"
    found = check_pdf(pdf(body, COLUMN), BLOCK)
    assert [(f.kind, f.text) for f in found] == [(Kind.LINE_OPENS_WITH_CLOSER, "—")]
    assert all(f.page == 1 for f in found) and len(found) == 1


def test_the_dash_joined_to_its_word_keeps_it_off_the_next_line() -> None:
    joined = join(SPEECH)
    assert joined != SPEECH and joined.replace("\u2060", "") == SPEECH
    assert kinds(pdf(f"<p>{joined}</p>", COLUMN)) == []


def test_a_closing_quote_set_apart_at_the_end_of_a_paragraph_stays_on_its_line() -> None:
    text = "“Nobody ever listens to me when I talk ”"
    found = check_pdf(pdf(f"<p>{text}</p>", "p { width: 202pt; }"), BLOCK)
    assert [(f.kind, f.text) for f in found] == [(Kind.LINE_OPENS_WITH_CLOSER, "”")]
    assert kinds(pdf(f"<p>{join(text)}</p>", "p { width: 202pt; }")) == []


def test_elisions_and_an_opening_ellipsis_may_open_a_line() -> None:
    data = pdf("<p>’em all</p><p>’Tis so</p><p>...and then</p><p>— Dialogue, Russian style</p>")
    assert kinds(data) == []


# ------------------------------------------------------------------ running heads (Q004)

HEADS = "@page { @top-center { content: 'The Book'; } } @page :blank { @bottom-center { content: none; } }"


def test_a_running_head_on_an_opening_page_or_any_furniture_on_a_blank_page_is_reported() -> None:
    data = pdf(lines(3) + '<div id="doc-story" style="break-before: right">' + lines(3) + "</div>", HEADS)
    # Page 1 text, page 2 blank (the story opens on a recto) with its head, page 3 the opening.
    assert kinds(data) == [(Kind.RUNNING_HEAD, 2), (Kind.RUNNING_HEAD, 3)]


def test_pages_without_heads_where_they_do_not_belong_pass() -> None:
    css = HEADS + " @page :blank { @top-center { content: none; } } @page opening { @top-center { content: none; } }"
    data = pdf(lines(3) + '<div id="doc-story" style="break-before: right; page: opening">' + lines(3) + "</div>", css)
    assert kinds(data) == []


# ------------------------------------------------------------------ the themes


def _theme_pdf(theme: str, body: str) -> tuple[bytes, TextBlock]:
    loaded = load_theme(theme)
    block = TextBlock.from_theme(loaded.settings)
    margins = loaded.settings.print
    width, height = (float(v) * 72 for v in margins.trim.split("x"))
    page = weasyprint.CSS(string=(
        f"@page {{ size: {width}pt {height}pt; margin: {block.top}pt {margins.outside * 72}pt {block.bottom}pt {margins.inside * 72}pt; }}"
    ))
    sheets = [weasyprint.CSS(filename=str(path)) for path in loaded.chain("print.css")] + [page]
    html = f'<html lang="en"><body><div class="doc" id="doc-story"><section class="chapter"><div class="story-text">{body}</div></section></div></body></html>'
    return weasyprint.HTML(string=html, base_url=str(loaded.folders[0])).write_pdf(stylesheets=sheets), block


@pytest.mark.parametrize("theme", ["classic", "modern", "large-print"])
def test_a_scene_break_keeps_with_its_next_line_and_leaves_no_hole(theme: str) -> None:
    """Wherever the ornament falls near the foot of a page, it never ends the page, and the page
    never ends shorter than widows and orphans at 2 allow: the ornament keeps with the first line
    of a three-line paragraph, not with the whole paragraph. A first page full of lines shows the
    check what a full page is."""
    full_page, fillers = {"classic": (33, 33), "modern": (36, 27), "large-print": (23, 17)}[theme]
    first = "<p>" + "<br/>".join(["full"] * full_page) + "</p>"
    three_lines = "<p>first<br/>second<br/>third</p>"
    long = "<p>" + " ".join(["long"] * 150) + "</p>"
    for before in range(fillers - 6, fillers + 1):
        filler = "".join(f"<p>Line {n}</p>" for n in range(before))
        data, block = _theme_pdf(theme, first + filler + '<hr class="scene-break"/>' + three_lines + long + long)
        pages = read_pages(data, block)
        assert len(pages[0].body) == full_page and pages[1].body[0].text.startswith("Line")
        assert pages[1].body[-1].text.startswith(("Line", "first", "second", "third", "long")), (before, pages[1].body[-1].text)  # not the ornament
        assert [f.detail for f in check_pdf(data, block) if f.kind is Kind.SHORT_PAGE] == [], before


@pytest.fixture(scope="module", params=["classic", "modern", "large-print"])
def seeds_pdf(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, TextBlock]:
    from compiler.build import build
    from compiler.options import BuildOptions

    result = build(BuildOptions(source=SEEDS, output=tmp_path_factory.mktemp(f"quality-{request.param}"), formats=("pdf",), theme=request.param))
    pdf_path = next(p for p in result.outputs if p.suffix == ".pdf")
    return pdf_path.read_bytes(), TextBlock.from_theme(load_theme(request.param).settings)


def test_the_seeds_give_the_check_nothing_to_find(seeds_pdf: tuple[bytes, TextBlock]) -> None:
    data, block = seeds_pdf
    assert [str(f.diagnostic()) for f in check_pdf(data, block)] == []


def test_the_rights_block_stands_at_the_foot_of_its_verso(seeds_pdf: tuple[bytes, TextBlock]) -> None:
    data, block = seeds_pdf
    rights = next(s.page for s in starts(data) if s.name == "doc-rights")
    pages = read_pages(data, block)
    page, text = pages[rights - 1], max(pages, key=lambda p: len(p.body))  # a page of running text, for its pitch
    pitch = text.body[0].baseline - text.body[1].baseline
    assert not page.recto and page.body[0].text.lower().startswith("rights")
    assert page.body[-1].baseline - page.block_bottom < pitch  # its last line on the last line of the page
    assert page.body[0].baseline < page.block_top - 2 * pitch  # and the page is not simply full


# ------------------------------------------------------------------ anthology check


def _anthology(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "compiler", *args], capture_output=True, text=True)


@pytest.mark.page_faults
def test_anthology_check_reports_page_faults_as_warnings_that_do_not_fail_it(tmp_path: Path) -> None:
    """A user's theme that prints folios on blank pages: the book is whole, so the check passes,
    and says what a typesetter would fix, with the page; the seeds in classic give it nothing."""
    theme = tmp_path / "loud"
    theme.mkdir()
    (theme / "theme.toml").write_text('name = "loud"\ndescription = "classic, with folios on blank pages"\nextends = "classic"\n', encoding="utf-8")
    (theme / "print.css").write_text("@page :blank { @bottom-center { content: counter(page); } }\n", encoding="utf-8")
    for name, chosen in (("loud", str(theme)), ("plain", "classic")):
        built = _anthology("build", str(SEEDS), "-o", str(tmp_path / name), "--format", "pdf", "--theme", chosen, "-q")
        assert built.returncode == 0, built.stderr
    run = _anthology("check", str(SEEDS), "--book", str(tmp_path / "loud"), "--theme", str(theme))
    assert run.returncode == 0, run.stdout
    assert re.search(r"page quality: \d+ warnings? \(\d+ Q004\)", run.stdout), run.stdout
    assert re.search(r"warning Q004: page \d+ \(folio \d+\): a blank page carries a running head or folio", run.stdout), run.stdout
    run = _anthology("check", str(SEEDS), "--book", str(tmp_path / "plain"))
    assert run.returncode == 0 and "page quality: nothing to report" in run.stdout, run.stdout
