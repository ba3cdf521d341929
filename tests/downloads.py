"""Downloads made in the tests, of our own writing: an Archive of Our Own work in its download
template (otwarchive's `app/views/downloads/`, the structure only), an EPUB 3 with a nav, a
footnote and no headings of its own, an EpubMerge-style anthology of two works, and hostile
EPUBs (a zip bomb, a path out of the book, an XXE entity, DRM). The AO3 EPUB is made from the
HTML with calibre's `ebook-convert`, as the Archive makes its EPUB downloads."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from html import escape
from pathlib import Path

from ebooklib import epub

ENV = dict(os.environ, QT_QPA_PLATFORM="offscreen", QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox")


@dataclass(frozen=True)
class Chapter:
    heading: str
    paragraphs: tuple[str, ...]
    summary: str = ""
    notes: str = ""
    end_notes: str = ""


@dataclass(frozen=True)
class Work:
    title: str
    authors: tuple[str, ...]
    work_id: int
    summary: str
    chapters: tuple[Chapter, ...]
    series: str = ""
    part: int = 0
    notes: str = ""
    end_notes: str = ""
    translator: str = ""


LANTERN = Work(
    title="The Lantern Keeper's Ledger",
    authors=("quillfeather", "marrow_and_moss"),
    work_id=4815162,
    summary="A lighthouse keeper counts ships, and one night a ship counts her back.",
    series="Harbour Lights",
    part=2,
    notes="Written for the Small Harbours exchange. Thanks to my beta, who caught every tide.",
    end_notes="The ledger's last entry is borrowed from a real keeper's logbook of 1887.",
    chapters=(
        Chapter(
            "Low Water",
            (
                "Maren Oddvik kept the lamp at Skarvøy for eleven winters before the ledger began to answer.",
                "She wrote the ships in pencil: their names, their flags, the hour they rounded the skerry.",
                "On the twelfth winter a line appeared below her own, in ink that smelled of brine.",
            ),
            summary="Maren finds a line she did not write.",
            notes="Content note: a storm, and a great deal of weather.",
        ),
        Chapter(
            "Spring Tide",
            (
                "“Who keeps this book?” Maren asked the lamp room, and felt foolish for asking.",
                "The reply came at dawn: a schooner's name, a flag she did not know, and the word *thank you*.",
                "She trimmed the wick, and counted, and was counted.",
            ),
            end_notes="A spring tide has nothing to do with spring: it comes with the new and full moon.",
        ),
    ),
)

HARBOUR = Work(
    title="Before the Lamp Was Lit",
    authors=("quillfeather",),
    work_id=4815100,
    summary="How the Skarvøy light came to be built, told by the stones.",
    series="Harbour Lights",
    part=1,
    chapters=(
        Chapter("Quarry", ("The stones remember the quarry at Hellesylt and the men who sang while they cut.",
                           "They were carried by boat, three to a load, and none of them was lost.")),
    ),
)


def ao3_html(work: Work) -> str:
    """A work as the Archive's HTML download lays it out (the template of 2023)."""
    url = f"https://archiveofourown.org/works/{work.work_id}"
    authors = ", ".join(f'<a rel="author" href="https://archiveofourown.org/users/{a}/pseuds/{a}">{escape(a)}</a>' for a in work.authors)
    tags = [("Rating:", "Teen And Up Audiences"), ("Archive Warning:", "No Archive Warnings Apply"), ("Category:", "Gen"),
            ("Fandom:", "Original Work"), ("Characters:", "Maren Oddvik, The Ledger"),
            ("Additional Tags:", "Lighthouses, Epistolary, Magical Realism"), ("Language:", "English")]
    rows = "".join(f"<dt>{k}</dt>\n<dd>{escape(v)}</dd>\n" for k, v in tags)
    if work.series:
        rows += f'<dt>Series:</dt>\n<dd>Part {work.part} of\n<a href="https://archiveofourown.org/series/77">{escape(work.series)}</a></dd>\n'
    words = sum(len(p.split()) for c in work.chapters for p in c.paragraphs)
    rows += f"<dt>Stats:</dt>\n<dd>\nPublished: 2024-03-01\nWords: {words}\nChapters: {len(work.chapters)}/{len(work.chapters)}\n</dd>\n"
    preface = [
        '<div id="preface">', '<h2 class="toc-heading">Preface</h2>',
        f'<p class="message"><b>{escape(work.title)}</b><br/>\nPosted originally on the <a href="https://archiveofourown.org/">Archive of Our Own</a> at <a href="{url}">{url}</a>.</p>',
        '<div class="meta">', f'<dl class="tags">\n{rows}</dl>', f"<h1>{escape(work.title)}</h1>", f'<div class="byline">by {authors}</div>',
        "<p>Summary</p>", f'<blockquote class="userstuff"><p>{escape(work.summary)}</p></blockquote>',
    ]
    if work.notes:
        preface += ["<p>Notes</p>", f'<blockquote class="userstuff"><p>{escape(work.notes)}</p></blockquote>']
    if work.end_notes:
        preface.append('<div class="endnote-link">\nSee the end of the work for more <a href="#endnotes">notes</a>\n</div>')
    preface += ["</div>", "</div>"]
    chapters = ['<div id="chapters" class="userstuff">']
    for n, ch in enumerate(work.chapters, start=1):
        if len(work.chapters) > 1:
            chapters += ['<div class="meta group">', f'<h2 class="heading">Chapter {n}: {escape(ch.heading)}</h2>']
            if ch.summary:
                chapters += ["<p>Chapter Summary</p>", f'<blockquote class="userstuff"><p>{escape(ch.summary)}</p></blockquote>']
            if ch.notes:
                chapters += ["<p>Chapter Notes</p>", f'<blockquote class="userstuff"><p>{escape(ch.notes)}</p></blockquote>']
            if ch.end_notes:
                chapters.append(f'<div class="endnote-link">\nSee the end of the chapter for more <a href="#endnotes{n}">notes</a>\n</div>')
            chapters.append("</div>")
        body = "".join(f"<p>{_em(escape(p))}</p>\n" for p in ch.paragraphs)
        chapters.append(f'<div class="userstuff">{body}</div>')
        if ch.end_notes:
            chapters.append(f'<div class="meta" id="endnotes{n}">\n<p>Chapter End Notes</p>\n<blockquote class="userstuff"><p>{escape(ch.end_notes)}</p></blockquote>\n</div>')
    chapters.append("</div>")
    afterword = ['<div id="afterword">', '<h2 class="toc-heading">Afterword</h2>']
    if work.end_notes:
        afterword += ['<div class="meta">', '<div id="endnotes">', "<p>End Notes</p>",
                      f'<blockquote class="userstuff"><p>{escape(work.end_notes)}</p></blockquote>', "</div>", "</div>"]
    afterword += [f'<p class="message">Please <a href="{url}/comments/new">drop by the Archive and comment</a> to let the creator know if you enjoyed their work!</p>', "</div>"]
    head = (f'<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">\n<head>\n<meta charset="utf-8"/>\n'
            f"<title>{escape(work.title)} - {escape(work.authors[0])} - Original Work</title>\n"
            "<style>.toc-heading { display: none; }</style>\n</head>\n<body>\n")
    return head + "\n".join(preface + chapters + afterword) + "\n</body>\n</html>\n"


def _em(text: str) -> str:
    """*word* as the Archive keeps emphasis: <em>, with the line break its pretty-printer puts
    before the punctuation that follows (`</em>\n  ,` is no space in the text)."""
    import re

    return re.sub(r"\*([^*]+)\*", lambda m: f"<em>{m.group(1)}</em>\n  ", text)


def calibre_epub(html: Path, epub_path: Path, work: Work) -> None:
    """The HTML download converted as the Archive converts it (otwarchive's DownloadWriter runs
    calibre's ebook-convert with the work's metadata and its chapter headings as the contents)."""
    assert shutil.which("ebook-convert"), "ebook-convert is missing: run `bash tests/run.sh` (apt-get install calibre)"
    series = ["--series", work.series, "--series-index", str(work.part)] if work.series else []
    chapters = ("//h:body/h:div[@id='chapters']/h:h2[@class='toc-heading'] | //h:body/h:div[@id='chapters']/h:div[@class='meta group']"
                "/h:h2[@class='heading'] | //h:body/h:div[@id='preface' or @id='afterword']/h:h2[@class='toc-heading']")
    args = ["ebook-convert", str(html), str(epub_path), "--input-encoding", "utf-8", "--toc-threshold", "0", "--use-auto-toc",
            "--title", work.title, "--authors", ", ".join(work.authors), "--comments", work.summary,
            "--tags", "Fanworks, Teen And Up Audiences, Original Work, Lighthouses", "--pubdate", "2024-03-01",
            "--publisher", "Archive of Our Own", "--language", "en", "--chapter", chapters, "--no-default-epub-cover", *series]
    run = subprocess.run(args, capture_output=True, text=True, env=ENV, timeout=300)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]


def _page(title: str, body: str, lang: str = "en") -> epub.EpubHtml:
    page = epub.EpubHtml(title=title, file_name=f"{title.lower().replace(' ', '-')}.xhtml", lang=lang)
    page.content = f"<html><head><title>{escape(title)}</title></head><body>{body}</body></html>"
    return page


def plain_epub(path: Path) -> None:
    """An EPUB 3 as a small press or a word processor makes one: metadata in the OPF, chapters
    with no headings of their own (the nav names them), and a footnote linked both ways."""
    book = epub.EpubBook()
    book.set_identifier("urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427")
    book.set_title("Salt Roads")
    book.set_language("en")
    book.add_author("Ilse Varga")
    book.add_metadata("DC", "description", "Two caravans cross the salt flats in opposite directions.\n\nOnly one arrives.")
    book.add_metadata("DC", "subject", "Desert")
    book.add_metadata("DC", "subject", "Caravans")
    book.add_metadata("DC", "source", "https://example.org/stories/salt-roads")
    one = _page(
        "Eastbound",
        "<p>The eastbound caravan left Tamar at dusk with forty camels and a cartographer"
        '<a epub:type="noteref" href="#fn1" id="ref1">1</a>.</p>'
        "<p>By midnight the flats were white as paper under the moon.</p>"
        '<aside epub:type="footnote" id="fn1"><p><a href="#ref1">1</a> Her name was Dalia Ferro, and she drew every well.</p></aside>',
    )
    two = _page("Westbound", "<p>The westbound caravan carried nothing but rumours, and sold them dear.</p>"
                             "<p>They met at the dry well, and traded maps for silence.</p>")
    for page in (one, two):
        book.add_item(page)
    book.toc = [epub.Link(one.file_name, "Eastbound", "east"), epub.Link(two.file_name, "Westbound", "west")]
    book.spine = ["nav", one, two]
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    epub.write_epub(str(path), book)


def merged_epub(path: Path) -> None:
    """An anthology EpubMerge makes of two downloads: one top-level contents entry per work, each
    over its chapters, and EpubMerge named as a contributor."""
    book = epub.EpubBook()
    book.set_identifier("urn:uuid:9c1f2a3e-5b6d-4e7f-8a9b-0c1d2e3f4a5b")
    book.set_title("Two Winters Anthology")
    book.set_language("en")
    book.add_author("Oona Bright", uid="creator1")
    book.add_author("Tobias Fenn", uid="creator2")
    book.add_metadata("DC", "contributor", "epubmerge")
    works = {
        "First Frost": ("Oona Bright", [("Kettle", "The kettle froze on the stove the morning the letters stopped."),
                                        ("Thaw", "By the thaw she had written forty letters of her own.")]),
        "The Ice Road": ("Tobias Fenn", [("Crossing", "Trucks crossed the lake at night when the ice sang lowest."),
                                         ("Far Shore", "On the far shore a dog waited for each of them in turn.")]),
    }
    toc: list[object] = []
    spine: list[object] = ["nav"]
    for w, (title, (author, chapters)) in enumerate(works.items(), start=1):
        title_page = epub.EpubHtml(title=title, file_name=f"w{w}/title.xhtml", lang="en")
        title_page.content = f"<html><head><title>{title}</title></head><body><h1>{title}</h1><p>by {author}</p></body></html>"
        book.add_item(title_page)
        spine.append(title_page)
        links = []
        for c, (heading, text) in enumerate(chapters, start=1):
            page = epub.EpubHtml(title=heading, file_name=f"w{w}/ch{c}.xhtml", lang="en")
            page.content = f"<html><head><title>{heading}</title></head><body><h2>{heading}</h2><p>{text}</p></body></html>"
            book.add_item(page)
            spine.append(page)
            links.append(epub.Link(page.file_name, heading, f"w{w}c{c}"))
        toc.append((epub.Section(title, title_page.file_name), links))
    book.toc = toc
    book.spine = spine
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    epub.write_epub(str(path), book)


_CONTAINER = (b'<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
              b'<rootfiles><rootfile full-path="content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>')
_OPF = (b'<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">'
        b'<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">x</dc:identifier><dc:title>Hostile</dc:title>'
        b'<dc:language>en</dc:language></metadata><manifest><item id="c" href="c.xhtml" media-type="application/xhtml+xml"/>'
        b'</manifest><spine><itemref idref="c"/></spine></package>')
_PAGE = b'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>c</title></head><body><p>A quiet page of story.</p></body></html>'


def hostile_epub(kind: str) -> bytes:
    """An EPUB that must be refused or read with care: "bomb", "traversal", "xxe", "drm", "not-zip"."""
    if kind == "not-zip":
        return b"PK but not really a zip archive at all"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), b"application/epub+zip")
        z.writestr("META-INF/container.xml", _CONTAINER)
        z.writestr("content.opf", _OPF)
        if kind == "bomb":  # 12 MB of one byte packs to a few kilobytes
            z.writestr("c.xhtml", _PAGE[:-14] + b"<p>" + b"a" * (12 * 2**20) + b"</p></body></html>")
        elif kind == "traversal":
            z.writestr("c.xhtml", _PAGE)
            z.writestr("../../outside.xhtml", _PAGE)
        elif kind == "xxe":
            z.writestr("c.xhtml", b'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
                                  + _PAGE.replace(b"A quiet page", b"A quiet &secret; page"))
        elif kind == "drm":
            z.writestr("c.xhtml", b"\x8f\x01\x77 ciphertext")
            z.writestr("META-INF/encryption.xml", b'<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
                       b'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData><enc:EncryptionMethod '
                       b'Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/><enc:CipherData><enc:CipherReference '
                       b'URI="c.xhtml"/></enc:CipherData></enc:EncryptedData></encryption>')
    return out.getvalue()
