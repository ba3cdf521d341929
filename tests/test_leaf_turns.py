"""Issue 20: no word hyphenated across a leaf turn. Where the last line of a recto ends in a
hyphen, the word is set whole and the chunk laid out again (compiler/package/pdf/leafturns.py);
the page-quality check, reading the PDF, finds none left, and every word is still there. The
build re-makes only the pages from the recto on (remake.py, issue 19); the whole document laid
out again from an edited parse is the reference it must match."""

from __future__ import annotations

import re
from pathlib import Path

import weasyprint

from compiler.build import build
from compiler.options import BuildOptions
from compiler.package.extract import pdf_page_texts
from compiler.package.pdf.leafturns import broken_at_leaf_turns, keep_words_whole, set_words_whole
from compiler.package.pdf.remake import Layout
from compiler.package.press.pagetext import TextBlock
from compiler.package.press.quality import Kind, check_pdf
from compiler.render.theme import load_theme

from .conftest import write_story

# Long words, hyphenated at nearly every line end in a narrow justified measure.
WORDS = "understanding incomprehensible <em>extraordinary</em> responsibilities characterisation"
CSS = """@page { size: 300pt 300pt; margin: 20pt 20pt 40pt; }
html { font: 10pt/14pt "DejaVu Serif"; } p { margin: 0; text-align: justify; hyphens: auto; }"""


def _lay_out(source: str) -> tuple[weasyprint.HTML, weasyprint.Document]:
    parsed = weasyprint.HTML(string=source)
    return parsed, parsed.render(stylesheets=[weasyprint.CSS(string=CSS)])


def _remade(html: str) -> tuple[bytes, bytes]:
    """What the build does (the words set whole in the box tree, the pages from each recto on
    re-made), and every page of that same tree laid out again: the two must be the same pages."""
    layout = Layout(weasyprint.HTML(string=html), [weasyprint.CSS(string=CSS)], None)
    assert layout.editable
    remade = set_words_whole(layout).write_pdf()
    return remade, layout.again(list(range(len(layout.starts()) - 1))).write_pdf()


def _fixed_by_boxes(html: str, before: bytes) -> None:
    remade, reference = _remade(html)
    assert [f for f in check_pdf(remade, TextBlock(20, 40)) if f.kind is Kind.LEAF_TURN_HYPHEN] == []
    assert _words(remade) == _words(before)
    assert pdf_page_texts(remade) == pdf_page_texts(reference)


def _words(pdf: bytes) -> str:
    """The text without its spaces and hyphens: where the lines break may move, nothing else. (PDFium
    reads a hyphen the author typed at a line's end as U+FFFE, the line break dropped.)"""
    return re.sub(r"[\s\u2010\u00ad\ufffe-]", "", "\n".join(pdf_page_texts(pdf)))


def test_words_broken_at_the_foot_of_a_recto_are_laid_out_whole() -> None:
    html = "<html lang='en'><body>" + "".join(f"<p>{' '.join([WORDS] * 6)} number {n}</p>" for n in range(40)) + "</body></html>"
    parsed, first = _lay_out(html)
    before = first.write_pdf()
    found = [f for f in check_pdf(before, TextBlock(20, 40)) if f.kind is Kind.LEAF_TURN_HYPHEN]
    assert len(found) >= 3 and len(broken_at_leaf_turns(first)) == len(found)  # the text is made to break words on rectos
    after = keep_words_whole(parsed, first, _lay_out).write_pdf()
    assert [f for f in check_pdf(after, TextBlock(20, 40)) if f.kind is Kind.LEAF_TURN_HYPHEN] == []
    assert _words(after) == _words(before)  # only where the lines break moved
    assert any(line.rstrip().endswith("\u2010") for page in pdf_page_texts(after)[1::2] for line in page.splitlines()[-1:])  # versos may still end mid-word: the spread is in view
    _fixed_by_boxes(html, before)


def test_a_hyphen_the_author_set_before_a_space_is_kept_with_its_next_word_at_a_leaf_turn() -> None:
    # `là- em`: a broken-off word ends the recto with a hyphen, as a compound would; the two are
    # kept together, never split by the leaf.
    html = "<html lang='en'><body>" + "".join(f"<p>{' '.join(['Um- well, wait- what'] * (9 + n % 7))} {n}</p>" for n in range(40)) + "</body></html>"
    parsed, first = _lay_out(html)
    before = first.write_pdf()
    assert [f for f in check_pdf(before, TextBlock(20, 40)) if f.kind is Kind.LEAF_TURN_HYPHEN]
    after = keep_words_whole(parsed, first, _lay_out).write_pdf()
    assert [f for f in check_pdf(after, TextBlock(20, 40)) if f.kind is Kind.LEAF_TURN_HYPHEN] == []
    assert _words(after) == _words(before)
    _fixed_by_boxes(html, before)


def test_a_book_of_long_words_has_none_broken_at_a_leaf_turn(tmp_path: Path) -> None:
    source = tmp_path / "stories"
    source.mkdir()
    paragraph = " ".join(["Understanding the incomprehensible, extraordinary responsibilities of characterisation"] * 5)
    write_story(source, "long-words.md", "# Long Words\n\nby A. Writer\n\n" + "\n\n".join(f"{paragraph} ({n})." for n in range(60)))
    result = build(BuildOptions(source=source, output=tmp_path / "out", formats=("pdf",), cache=False))  # every word checked present by the build
    pdf = next(p for p in result.outputs if p.suffix == ".pdf").read_bytes()
    assert [str(f.diagnostic()) for f in check_pdf(pdf, TextBlock.from_theme(load_theme("classic").settings)) if f.kind is Kind.LEAF_TURN_HYPHEN] == []
