"""Render stage: model + theme to XHTML documents, once, for both packagers.

One Jinja environment per build (autoescaping, StrictUndefined, sandboxed: sandbox.py) renders
each part of the book to an XHTML content document. The EPUB packager ships these documents as they are; the PDF packager
joins the same documents under the theme's print stylesheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jinja2

from ..model import Anthology
from .sandbox import ThemeLoader, environment, render_template
from .theme import Theme
from .view import ENDNOTES_FILE, authors_text, book_view


@dataclass(frozen=True)
class TocEntry:
    title: str
    href: str
    children: tuple[TocEntry, ...] = ()


@dataclass(frozen=True)
class RenderedDoc:
    file_name: str
    title: str
    matter: str  # "front", "body" or "back"
    landmark: str  # epub:type for the landmarks nav and the EPUB 2 guide; "" for none
    xhtml: bytes
    toc: TocEntry | None  # how the navigation lists it; None to leave it out


@dataclass(frozen=True)
class RenderedBook:
    docs: tuple[RenderedDoc, ...]  # in reading order
    nav: RenderedDoc  # the EPUB navigation document (contents, landmarks)
    theme: Theme
    language: str
    print_front: tuple[RenderedDoc, ...] = ()  # pages only a printed book has (the half-title)
    cover: RenderedDoc | None = None  # the EPUB's cover page, first in its spine; print has none


def _environment(theme: Theme) -> jinja2.Environment:
    env = environment(theme)
    # A global, so macros imported without the caller's context (macros.xhtml) see it too.
    env.globals["theme"] = theme.settings.for_templates()
    return env


def _render(env: jinja2.Environment, template: str, /, **context: Any) -> bytes:
    loader = env.loader
    assert isinstance(loader, ThemeLoader)
    return render_template(env, loader.theme, template, **context)


def _cover_alt(book: dict[str, Any]) -> str:
    # The drawn cover carries only the title, editor and authors, so they are its text alternative.
    alt = f"Cover: {book['full_title']}"
    if book["editor"]:
        alt += f", edited by {book['editor']}"
    if book["authors"]:
        alt += f"; stories by {authors_text(tuple(book['authors']))}"
    return alt


def render(anthology: Anthology, theme: Theme, cover_image: str | None = None) -> RenderedBook:
    """`cover_image` is the cover's href inside the EPUB; None renders no cover page."""
    env = _environment(theme)
    book = book_view(anthology)
    settings = theme.settings
    common = {"book": book, "theme": settings.for_templates()}

    def doc(file_name: str, title: str, matter: str, landmark: str, template: str, toc: TocEntry | None, **extra: Any) -> RenderedDoc:
        xhtml = _render(env, template, page_title=title, **common, **extra)
        return RenderedDoc(file_name, title, matter, landmark, xhtml, toc)

    contents_title = settings.labels.contents
    notes_title = settings.labels.notes
    rights_title = settings.labels.rights

    docs = [
        doc("titlepage.xhtml", anthology.meta.title, "front", "titlepage", "titlepage.xhtml", None),
        doc("rights.xhtml", rights_title, "front", "copyright-page", "rights.xhtml", TocEntry(rights_title, "rights.xhtml")),
        doc("contents.xhtml", contents_title, "front", "toc", "contents.xhtml", TocEntry(contents_title, "contents.xhtml")),
    ]
    for view, story in zip(book["stories"], anthology.stories):
        sections = tuple(TocEntry(s["title"], s["href"]) for s in view["sections"])
        entry = TocEntry(story.title, view["file"], sections)
        landmark = "bodymatter" if not any(d.matter == "body" for d in docs) else ""
        docs.append(doc(view["file"], story.title, "body", landmark, "chapter.xhtml", entry, story=view))
    if book["notes"]:
        docs.append(doc(ENDNOTES_FILE, notes_title, "back", "endnotes", "endnotes.xhtml", TocEntry(notes_title, ENDNOTES_FILE)))
    cover = None
    if cover_image is not None:
        alt = _cover_alt(book)
        cover = doc("cover.xhtml", "Cover", "front", "cover", "cover.xhtml", None, cover_image=cover_image, cover_alt=alt)
    entries = [d.toc for d in docs if d.toc is not None]
    landmarks = ([cover] if cover else []) + docs
    nav = doc("nav.xhtml", contents_title, "front", "", "nav.xhtml", None, entries=entries, docs=landmarks)
    halftitle = doc("halftitle.xhtml", anthology.meta.title, "front", "", "halftitle.xhtml", None)
    return RenderedBook(tuple(docs), nav, theme, anthology.meta.language, (halftitle,), cover)


def render_wrap_cover(anthology: Anthology, theme: Theme) -> RenderedDoc:
    """The print-on-demand wrap cover (back, spine, front on one sheet): print only, never in the
    EPUB. Its geometry comes from the packager (compiler/package/press/wrapcover.py)."""
    book = book_view(anthology)
    xhtml = _render(_environment(theme), "wrap-cover.xhtml", page_title=anthology.meta.title, book=book, theme=theme.settings.for_templates())
    return RenderedDoc("wrap-cover.xhtml", anthology.meta.title, "front", "", xhtml, None)
