"""Issue 17's catalogue of hostile inputs, each built as a user would (`anthology build`, EPUB and
PDF), measured for wall time, CPU time and peak memory of the whole process tree (measure.py).

    python bench/hostile.py [--only NAME,…] [--big]

Each case must end in a valid book or a clear diagnostic (a code, no traceback), within 30 s and
1 GB on this project's machine kind (2 shared cores). `--big` adds the 31 MB story, refused up front.
The cases are made afresh in bench/work/hostile/ (inputs never change: each case's files are hashed
before and after); the table goes to bench/HOSTILE.md. Tests pin each case's outcome
(tests/test_hostile*.py, tests/test_security*.py); this measures what they cost.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import re
import shutil
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import measure

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = BENCH / "work" / "hostile"
SECONDS, MEGABYTES = 30.0, 1024

PARAS = "\n\n".join(f"Paragraph number {i} tells of lamps and candles in the old house." for i in range(20))
HTML_PARAS = "".join(f"<p>Paragraph number {i} tells of lamps and candles in the old house.</p>" for i in range(20))


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Path], list[str]]  # writes the stories folder; gives extra build arguments
    big: bool = False


def _file(folder: Path, name: str, content: str | bytes) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


def _story(name: str, content: str | bytes, *extra: str) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        _file(folder, name, content)
        return list(extra)

    return make


def _with(files: dict[str, str | bytes], *extra: str) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        for name, content in files.items():
            _file(folder, name, content)
        return list(extra)

    return make


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) + chunk(b"IEND", b"")


def _epub_after_body() -> bytes:
    """An EPUB of one well-formed chapter whose last words stand between </body> and </html>."""
    container = ('<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
                 '<rootfiles><rootfile full-path="content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>')
    opf = ('<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">'
           '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">x</dc:identifier><dc:title>After</dc:title>'
           '<dc:language>en</dc:language></metadata><manifest><item id="c" href="c.xhtml" media-type="application/xhtml+xml"/></manifest>'
           '<spine><itemref idref="c"/></spine></package>')
    chapter = (f'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>c</title></head><body><h1>After</h1>{HTML_PARAS}</body>'
               "<p>Closing words after the body.</p></html>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as book:
        for name, text in (("mimetype", "application/epub+zip"), ("META-INF/container.xml", container), ("content.opf", opf), ("c.xhtml", chapter)):
            book.writestr(name, text)
    return out.getvalue()

def _big_story(folder: Path) -> list[str]:
    line = "The rain came down on the roofs of the town and nobody in the square said a word about it.\n\n"
    with open(folder / "big.txt", "w", encoding="utf-8") as out:
        out.write("Big Story\n\nby A. Writer\n\n")
        for chapter in range(1, 3560):
            out.write(f"Chapter {chapter}\n\n" + line * 95)
    return []


def _theme_code(folder: Path) -> list[str]:
    _file(folder, "story.md", f"# Story\n\n{PARAS}\n")
    _file(folder, "mytheme/theme.toml", 'extends = "classic"\n')
    _file(folder, "mytheme/templates/titlepage.xhtml", "{{ cycler.__init__.__globals__.os.popen('id').read() }}")
    _file(folder, "anthology.toml", 'theme = "./mytheme"\n')
    return []


def _symlinks(folder: Path) -> list[str]:
    _file(folder, "story.md", f"# Story\n\n{PARAS}\n")
    (folder / "cover.png").symlink_to("/etc/hostname")
    (folder / "loop.md").symlink_to(folder / "loop.md")
    return []


def _nested_toml(folder: Path) -> list[str]:
    _file(folder, "story.md", f"# Story\n\n{PARAS}\n")
    _file(folder, "anthology.toml", "x = " + "[" * 5000 + "]" * 5000 + "\n")
    return []


CASES = [
    Case("theme template runs code", _theme_code),
    Case("byline `by` and 300 spaces", _story("by.txt", "A Title\n\nby" + " " * 300 + "\n\n" + PARAS + "\n")),
    Case("`Subject: x` and 2,000 spaces", _story("subj.md", "Subject: x" + " " * 2000 + "\n\n# T\n\n" + PARAS + "\n")),
    Case("last line of 5,000 spaces", _story("last.txt", "A Title\n\n" + PARAS + "\n\n" + " " * 5000)),
    Case("a glossary term and 100,000 spaces", _story("gloss.txt", "A Title\n\n" + PARAS + "\n\nGlossary\n\nterm" + " " * 100_000 + "x\n")),
    Case("a run of 100,000 letters with no @", _story("mail.txt", "A Title\n\nA/N: " + "a" * 100_000 + "\n\n" + PARAS + "\n")),
    Case("a word of 5,000 letters", _story("w5k.txt", "A Title\n\n" + PARAS + "\n\n" + "a" * 5000 + "\n")),
    Case("a word of 10,000 letters", _story("w10k.txt", "A Title\n\n" + PARAS + "\n\n" + "a" * 10_000 + "\n")),
    Case("HTML nested 300 deep", _story("deep.html", "<html><body><h1>Deep</h1>" + "<div>" * 300 + HTML_PARAS + "</div>" * 300 + "</body></html>")),
    Case("250 nested <em>", _story("em.html", f"<html><body><h1>Em</h1>{HTML_PARAS}<p>" + "<em>x " * 250 + "core" + "</em>" * 250 + "</p></body></html>")),
    Case("250 unclosed <i>", _story("i.html", f"<html><body><h1>Italic</h1>{HTML_PARAS}" + "<p><i>open italic words</p>" * 250 + "</body></html>")),
    Case("Markdown list 10 deep, quote 20 deep", _story("nest.md", "# Nest\n\n" + PARAS + "\n\n" + "".join("  " * k + "- level\n" for k in range(10)) + "\n" + ">" * 20 + " innermost words\n")),
    Case("Markdown story of raw HTML <div>s", _story("raw.md", "---\ntitle: Raw\n---\n\n<div class=\"entry\">\n" + HTML_PARAS + "\n</div>\n")),
    Case("YAML aliases (420 bytes)", _story("bomb.md", "---\na: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n" + "".join(f"{chr(98 + k)}: &{chr(98 + k)} [{','.join(['*' + chr(97 + k)] * 9)}]\n" for k in range(8)) + "---\n\n# Bomb\n\n" + PARAS + "\n")),
    Case("XML declaration atop .xhtml", _story("ch.xhtml", '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><head><title>X</title></head><body><h1>Chapter</h1>' + HTML_PARAS + "</body></html>")),
    Case("BOM then cp1252", _story("bom.txt", b"\xef\xbb\xbfA Title\n\n" + PARAS.encode() + b"\n\n\x93quoted\x94 caf\xe9\n")),
    Case("UTF-16 with a lone surrogate", _story("u16.txt", "\ufeffA Title\n\n".encode("utf-16-le") + PARAS.encode("utf-16-le") + b"\x00\xd8x\x00")),
    Case("control characters and &#1;", _story("ctl.html", f"<html><head><title>A\x01B</title></head><body><h1>Ti\x07tle &#1;</h1>{HTML_PARAS}</body></html>")),
    Case("<dl>, <th>, <details>", _story("dl.html", f"<html><body><h1>Lists</h1>{HTML_PARAS}<dl><dt>Alyssum</dt><dd>Worth</dd></dl><table><tr><th>Head</th><td>Cell</td></tr></table><details><summary>Sum</summary>Body</details></body></html>")),
    Case("U+202E in the text", _story("bidi.txt", "A Title\n\n" + PARAS + "\n\nabc\u202edef ghi\n")),
    Case("only invisible characters", _story("blank.txt", "\u200b\u200c\ufeff\u2060\n")),
    Case("a 201-byte PNG of 100,000 × 100,000", _with({"story.md": f"# Story\n\n{PARAS}\n", "cover.png": _png(100_000, 100_000)})),
    Case("links out of the folder and a loop", _symlinks),
    Case("anthology.toml nested 5,000 deep", _nested_toml),
    Case("theme = \"/etc\"", _with({"story.md": f"# Story\n\n{PARAS}\n", "anthology.toml": 'theme = "/etc"\n'})),
    Case("trim = \"0x0\"", _with({"story.md": f"# Story\n\n{PARAS}\n", "anthology.toml": 'trim = "0x0"\n'})),
    Case("order names anthology.toml", _with({"story.md": f"# Story\n\n{PARAS}\n", "anthology.toml": 'order = ["anthology.toml", "story.md"]\n'})),
    Case("names of 300 bytes in order and theme", _with({"story.md": f"# Story\n\n{PARAS}\n", "anthology.toml": f'order = ["{"x" * 300}.md"]\ntheme = "./{"y" * 300}"\n'})),
    Case("an EPUB chapter's words after </body>", _with({"book.epub": _epub_after_body()})),
    Case("-j 1000", _story("story.md", f"# Story\n\n{PARAS}\n", "-j", "1000")),
    Case("a story of 31 MB", _big_story, big=True),
]


def _hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def _outcome(log: Path, returncode: int, out: Path) -> str:
    text = log.read_text(errors="replace")
    if "Traceback" in text:
        return "TRACEBACK"
    codes = list(dict.fromkeys(re.findall(r"\b(?:error|warning) ([A-Z]\d{3})\b", text)))
    made = sorted(p.suffix[1:] for p in out.glob("*") if p.suffix in (".epub", ".pdf"))
    return f"exit {returncode}" + (f", {' '.join(codes)}" if codes else "") + (f", wrote {'+'.join(made)}" if made else "")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python bench/hostile.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--only", help="comma-separated case names (substrings)")
    p.add_argument("--big", action="store_true", help="also the 31 MB story")
    args = p.parse_args(argv)
    cases = [c for c in CASES if (args.big or not c.big) and (not args.only or any(s in c.name for s in args.only.split(",")))]
    shutil.rmtree(WORK, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    rows, bad = [], 0
    for k, case in enumerate(cases):
        folder, out = WORK / f"{k:02d}" / "stories", WORK / f"{k:02d}" / "out"
        folder.mkdir(parents=True)
        extra = case.make(folder)
        before = _hashes(folder)
        run = measure.run([sys.executable, "-m", "compiler", "build", str(folder), "-o", str(out), *extra], WORK / f"{k:02d}" / "log.txt", env=env, cwd=ROOT)
        outcome = _outcome(run.log, run.returncode, out)
        ok = "TRACEBACK" not in outcome and run.returncode != 70 and run.seconds < SECONDS and run.peak_bytes < MEGABYTES * 2**20 and _hashes(folder) == before
        bad += not ok
        rows.append(f"| {case.name} | {outcome} | {run.seconds:.1f} | {run.cpu_seconds:.1f} | {run.peak_bytes / 2**20:.0f} | {'yes' if ok else '**no**'} |")
        print(rows[-1], flush=True)
    load = os.getloadavg()[0]
    table = "\n".join(
        [
            f"# Hostile inputs: what each costs\n\n`python bench/hostile.py{' --big' if args.big else ''}`, one build each (EPUB and PDF), load {load:.1f} at the end, "
            f"on 2 shared cores. Within bounds: no traceback, not exit 70, under {SECONDS:.0f} s and {MEGABYTES} MB, inputs unchanged.\n",
            "| case | outcome | wall s | CPU s | peak MB | within bounds |",
            "| --- | --- | ---: | ---: | ---: | --- |",
            *rows,
            "",
        ]
    )
    if not args.only:
        (BENCH / "HOSTILE.md").write_text(table, encoding="utf-8")
    print(f"{len(rows) - bad} of {len(rows)} within bounds")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
