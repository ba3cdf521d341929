"""The fuzzers' starting inputs: the hostile shapes that broke readers and loaders before (shared
with the hypothesis tests, tests/test_fuzz_readers.py and test_fuzz_loaders.py, which run each of
them as a regression example), the project's seed stories, the first kilobytes of each file of the
labelled corpus when it is there, and the built-in themes' and seed's TOML files.

A reader input's first byte picks the file's suffix (`SUFFIXES[data[0] % 4]`), so one target
covers every text format; `reader_input` makes that byte for a wanted format."""

from __future__ import annotations

import hashlib
import io
import os
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
CORPUS = Path(os.environ.get("ANTHOLOGY_CORPUS") or ROOT.parent / "shared" / "corpus")
SUFFIXES = (".txt", ".md", ".html", ".xhtml")
CORPUS_BYTES = 4096  # the start of a story holds its title, byline, headers and notes: what readers recognise

READER_SHAPES: list[bytes] = [
    b"<html><body>" + b"<div>" * 300 + b"deep" + b"</div>" * 300,
    b"---\na: &a [1]\nb: [*a, *a]\n---\n# T\n\ntext",
    b'<?xml version="1.0" encoding="utf-8"?><html><body><p>x</p></body></html>',
    b"\xef\xbb\xbf\x93cp1252\x94",
    b"\xff\xfe\x00\xd8x\x00",
    b"by" + b" " * 300 + b"\n\ntext",
    b"<i>" * 250 + b"x",
    # Found by the hypothesis fuzzing (exit 70 on main before): a reference to a control character
    # alone in a file; a Markdown file holding the start of a whole page (lxml: "too many bodies");
    # a doctype alone as Markdown's HTML block (lxml: "Document is empty").
    b"&#1;",
    b"<!DOCTYPE html><html><head>\n",
    b"<!DOCTYPE html>\n",
    # Found by atheris (tests/fuzz): a tag name libxml2 keeps and lxml's QName refuses ("a<b"),
    # below the depth where deep markup is flattened (ValueError, exit 70 before).
    b"<i>" * 50 + b"<a<b>x",
    # Found by atheris: a line break inside emphasis nested 40 deep took time doubling with each
    # level (22 levels: 12 s; 40 never finished).
    b"<i>" * 40 + b"a<br>b",
    # Found by atheris: a control character by reference inside markup deep enough to be flattened.
    b"<i>" * 50 + b"a&#1;b",
]

LOADER_SHAPES: list[bytes] = [
    b'title = "x"\n' + b"a = " + b"[" * 2000 + b"]" * 2000,
    b"title = 3\n[stories.\"a.txt\"]\ntitle = []\n",
    b"[volumes]\ncount = -1\nwords = true\n",
    b"title = \"\x00\"\n",
    b"\xff\xfe t\x00i\x00",
    b'extends = "/etc"\n',
    b"[labels]\nvolume = \"{roman\"\n",
    b"[page]\nwidth = \"1e400in\"\n",
    # Names past the system's 255 bytes: pathlib raised ENAMETOOLONG asking whether they exist.
    b'order = ["' + b"[" * 300 + b'.txt"]\n[stories."' + b"x" * 300 + b'"]\ntitle = "x"\n',
    b'theme = "./' + b"x" * 300 + b'"\nextends = "./' + b"x" * 300 + b'"\n',
]


# Every table of the manifest, so mutations start from keys the loader checks, not only from the
# seed folder's short one.
MANIFEST_EXAMPLE = b"""title = "Broken and Mended"
editor = "The Anthology Project"
identifier = "urn:uuid:00000000-0000-4000-8000-000000000000"
language = "en"
subjects = ["Naruto (fan fiction)"]
order = ["b.txt", "a.txt"]
theme = "classic"
trim = "6x9in"

[volumes]
words = 180000

[signatures]
layout = "folio"
sheets = 4
duplex = true
flyleaves = 1
marks = ["crop"]
paper = "a4"

[stories."a.txt"]
title = "Mended"
authors = ["A", "B"]
summary = "x"
disclaimer = ""
rating = "T"
notes_before = ["n"]
sections = false
first_section = "Chapter 1"
scene_breaks = "marked"
"""

# Words the mutators splice in (libFuzzer's -dict): the markup and conventions readers branch on,
# and TOML's punctuation (the loaders' keys come from their seeds: loader_tokens).
READER_TOKENS = ["<p>", "</p>", "<br>", "<br/>", "<i>", "</i>", "<em>", "<b>", "<strong>", "<div>", "</div>", "<hr>",
                 "<h1>", "<h2>", "<table>", "<td>", "<blockquote>", "<pre>", '<a href="#n1">', "<sup>", '<span style="',
                 "<!--", "-->", "<?xml", "<!DOCTYPE html>", '<html xmlns="http://www.w3.org/1999/xhtml">', "&amp;", "&#",
                 "---\n", "***", "* * *", "\n\n", "# ", "## ", "> ", "- ", "1. ", "```", "*", "_", "[^1]", "[^1]: ",
                 "Title: ", "Author: ", "by ", "Summary: ", "Rating: ", "Disclaimer: ", "A/N: ", "Chapter 1", "CHAPTER I.",
                 "Subject: ", "\u201c", "\u2014", "\ufeff", "\u00e2\u20ac\u2122"]
TOML_TOKENS = ["[", "]", "[[", "]]", "{", "}", " = ", '"', "'''", '"""', ",", ".", "\n", "true", "false", "-1", "0", "1e999",
               "nan", "inf", "1979-05-27T07:32:00Z", "\\u0000", "#"]


def loader_tokens() -> list[str]:
    """Every key name in the loaders' seeds, and TOML's punctuation."""
    keys: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                keys.add(key)
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    for seed in loader_seeds():
        try:
            walk(tomllib.loads(seed.decode("utf-8")))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):  # the hostile shapes
            continue
    return TOML_TOKENS + sorted(keys)


def write_dictionary(target: str, path: Path) -> None:
    """libFuzzer's dictionary format: one quoted token a line; quotes, backslashes and bytes past
    ASCII written as \\xNN."""
    lines = []
    tokens = {"readers": READER_TOKENS, "epub": READER_TOKENS + EPUB_TOKENS}.get(target) or loader_tokens()
    for token in tokens:
        escaped = "".join(chr(b) if 32 <= b < 127 and b not in b'"\\' else f"\\x{b:02x}" for b in token.encode("utf-8"))
        lines.append(f'"{escaped}"')
    path.write_text("\n".join(lines) + "\n", encoding="ascii")


# The EPUB target's fixed book: its input is either the one chapter (first byte even) or the package
# document (odd) of this book, so mutations reach the EPUB reader instead of failing zip's checksums.
EPUB_CONTAINER = (b'<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
                  b'<rootfiles><rootfile full-path="content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>')
EPUB_OPF = (b'<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">'
            b'<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">x</dc:identifier><dc:title>T</dc:title>'
            b'<dc:creator>A</dc:creator><dc:language>en</dc:language><dc:description>S</dc:description></metadata>'
            b'<manifest><item id="c" href="c.xhtml" media-type="application/xhtml+xml"/></manifest><spine><itemref idref="c"/></spine></package>')
EPUB_PAGE = (b'<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">'
             b'<head><title>c</title></head><body><h1>Chapter 1</h1><p>A quiet page<a epub:type="noteref" href="#n1">1</a>.</p>'
             b'<aside epub:type="footnote" id="n1"><p>A note.</p></aside></body></html>')
EPUB_TOKENS = ['<item id="', 'href="', 'media-type="application/xhtml+xml"', '<itemref idref="', 'properties="nav"', "<dc:title>",
               "<dc:creator>", '<meta property="', "<spine>", "</manifest>", 'epub:type="', "<nav", "<ol>", "<li>", "toc.ncx"]


# Chapters that are not XML (read as HTML, A044) holding what XML cannot: each raised ValueError
# or lxml's ParserError before (found by atheris, the epub target).
EPUB_CHAPTER_SHAPES: list[bytes] = [
    b"&#1;",
    b"<p>a<!-- x -- y --->b</p>",
    b"<p>x<a<b>y</a<b></p>",
    b'<p><span t="&#1;">z</span> <span a<b="1">w</span> <span a&#2;b="1">v</span></p>',
    b"<!DOCTYPE html>\n",
    b"<p>x</p>&#2;",
    b'<html xmlns="http://www.w3.org/1999/xhtml"><body><p><a href="//[x">a</a> <a href="http://[::1">b</a></p></body></html>',
]


def epub_book(chapter: bytes, opf: bytes = EPUB_OPF, compress: bool = False) -> bytes:
    """The EPUB target's book: one chapter, a package document, stored (no compression to undo)
    unless asked for, as the whole-file seed has it once."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED) as z:
        z.writestr("mimetype", b"application/epub+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/container.xml", EPUB_CONTAINER)
        z.writestr("content.opf", opf)
        z.writestr("c.xhtml", chapter)
    return out.getvalue()


def epub_seeds() -> list[bytes]:
    chapters = [EPUB_PAGE] + EPUB_CHAPTER_SHAPES + READER_SHAPES
    if CORPUS.is_dir():
        chapters += [p.read_bytes()[:CORPUS_BYTES] for p in sorted(CORPUS.glob("*.txt")) if _format_of(p.name) == ".html"]
    return [b"\x00" + c for c in chapters] + [b"\x01" + EPUB_OPF] + [b"\x02" + epub_book(EPUB_PAGE), b"\x02" + epub_book(EPUB_PAGE, compress=True)]


def reader_input(data: bytes, suffix: str) -> bytes:
    """`data` as the readers' target reads it: as a file with this suffix."""
    return bytes([SUFFIXES.index(suffix)]) + data


def _format_of(name: str) -> str:
    """A corpus file's real format, from its name ("x.html.txt" is HTML saved as text)."""
    parts = [p for p in Path(name.lower()).suffixes if p in SUFFIXES or p in (".htm", ".markdown")]
    inner = parts[-2] if len(parts) > 1 and parts[-1] == ".txt" else (parts[-1] if parts else ".txt")
    return {".htm": ".html", ".markdown": ".md"}.get(inner, inner)


def reader_seeds() -> list[bytes]:
    seeds = [reader_input(shape, suffix) for shape in READER_SHAPES for suffix in SUFFIXES]
    stories = sorted((ROOT / "seeds").glob("*.txt"))
    if CORPUS.is_dir():
        stories += sorted(CORPUS.glob("*.txt"))  # the stories; README.md beside them is not one
    for path in stories:
        seeds.append(reader_input(path.read_bytes()[:CORPUS_BYTES], _format_of(path.name)))
    return seeds


def loader_seeds() -> list[bytes]:
    """TOML for either loader: both take any TOML, and a theme's keys in a manifest (or the other
    way round) exercise the unknown-key paths."""
    files = sorted((ROOT / "themes").glob("*/theme.toml")) + [ROOT / "seeds" / "anthology.toml"]
    return [p.read_bytes() for p in files] + [MANIFEST_EXAMPLE] + LOADER_SHAPES


def write_seeds(target: str, folder: Path) -> int:
    """The target's seeds as files in `folder` (named by content, so a rerun writes the same set)."""
    folder.mkdir(parents=True, exist_ok=True)
    seeds = {"readers": reader_seeds, "epub": epub_seeds}.get(target, loader_seeds)()
    for seed in seeds:
        (folder / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
    return len(seeds)
