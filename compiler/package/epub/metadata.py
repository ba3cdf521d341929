"""Package stage (EPUB): who made the book, as library views and catalogues read it.

Reading systems show the first `dc:creator` as the book's author and calibre lists every creator
whose role is `aut` (or unstated) as one: so the story authors are the creators, each once, in
reading order, with `role aut` and a `file-as` for sorting shelves by surname. The editor who
compiled the anthology is a `dc:contributor` with the MARC relator `edt`, so no library files the
book under the editor, unless no story names an author: then the editor is the only name the book
has and is its creator (still as `edt`), rather than leaving readers to show "Unknown".
(EPUB 3.3 §5.5.3.2.2: https://www.w3.org/TR/epub-33/#sec-opf-dccreator; relators:
https://id.loc.gov/vocabulary/relators.)
"""

from __future__ import annotations

from ebooklib import epub
from nameparser import HumanName

from ...model import Anthology

_ARTICLES = frozenset({"the", "a", "an"})


def book_authors(anthology: Anthology) -> list[str]:
    """Every story author once, in reading order."""
    return list(dict.fromkeys(author for story in anthology.stories for author in story.authors))


def file_as(name: str) -> str:
    """How a shelf sorts `name`: "Le Guin, Ursula K." for "Ursula K. Le Guin". A pen name of one
    word ("DancingPetal"), a name in a script without spaces, or a name that opens with an article
    ("The Raven Queen": a group or a handle, not a given name and a surname) sorts as written."""
    words = name.split()
    if len(words) < 2 or words[0].casefold() in _ARTICLES:
        return name
    parsed = HumanName(name)
    if not parsed.last or not parsed.first:
        return name
    given = " ".join(part for part in (parsed.title, parsed.first, parsed.middle) if part)
    sort = f"{parsed.last}, {given}"
    return f"{sort}, {parsed.suffix}" if parsed.suffix else sort


def _refine(book: epub.EpubBook, element_id: str, prop: str, value: str, scheme: str | None = None) -> None:
    attributes = {"refines": f"#{element_id}", "property": prop}
    if scheme:
        attributes["scheme"] = scheme
    book.add_metadata(None, "meta", value, attributes)


def add_people(book: epub.EpubBook, anthology: Anthology) -> None:
    authors = book_authors(anthology)
    for n, author in enumerate(authors, start=1):
        book.add_metadata("DC", "creator", author, {"id": f"author-{n}"})
        _refine(book, f"author-{n}", "role", "aut", "marc:relators")
        _refine(book, f"author-{n}", "file-as", file_as(author))
    editor = anthology.meta.editor
    if editor:
        book.add_metadata("DC", "contributor" if authors else "creator", editor, {"id": "editor"})
        _refine(book, "editor", "role", "edt", "marc:relators")
