"""The document model: what every stage after parsing reads and writes.

Readers turn files into these types; transforms return new instances (everything is frozen);
the renderer turns them into XHTML. Nothing here knows about EPUB, PDF or any input format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

# What no text of the model may hold: the complement of XML 1.0's Char production (tab, line feed,
# carriage return and the rest of Unicode but the surrogates, U+FFFE and U+FFFF). Readers leave it
# out where they copy markup (read/xmlsafe.py); transforms/xmlchars.py drops the rest, with a warning.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def unshowable(value: object) -> str:
    """The characters of a string (or list of strings) no book can hold, named: "U+0001, U+001B";
    '' when there are none. For settings (anthology.toml, theme.toml), checked before they are used."""
    texts = [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
    return ", ".join(f"U+{ord(ch):04X}" for ch in sorted({ch for text in texts for ch in NOT_XML.findall(text)}))

# ---------------------------------------------------------------- inline content


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Emphasis:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Strong:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class NoteRef:
    """A mention in the text that links to an end-note; `ref_id` is the anchor of the mention."""

    note_id: str
    ref_id: str
    children: tuple[Inline, ...]


Inline = Union[Text, Emphasis, Strong, NoteRef]

# ---------------------------------------------------------------- blocks


@dataclass(frozen=True)
class Paragraph:
    children: tuple[Inline, ...]
    line: int = 0  # 1-based source line, for diagnostics; 0 when synthesised
    continues: bool = False  # a letter's sign-off or similar: no first-line indent break rules


@dataclass(frozen=True)
class SceneBreak:
    line: int = 0
    marked: bool = True  # drawn in the source ("* * *", a rule); False for a gap of blank lines


@dataclass(frozen=True)
class Heading:
    """A section heading inside a story (a chapter or part of a multi-part story)."""

    children: tuple[Inline, ...]
    anchor: str = ""
    line: int = 0
    synthesized: bool = False  # not in the source: the untitled first part of a multi-part story
    level: int = 1  # 1 for the story's top divisions (a BOOK or PART above chapters, else chapters)


@dataclass(frozen=True)
class BlockQuote:
    """Quoted matter set off from the text: an epigraph, a letter, a Markdown `>` block."""

    blocks: tuple[Block, ...]
    line: int = 0
    kind: str = ""  # "letter": a letter or message in the story, kept paragraph by paragraph


@dataclass(frozen=True)
class Verse:
    """Lines kept as written, not re-flowed: a poem, a song, a memo's address block, a word list."""

    lines: tuple[tuple[Inline, ...], ...]
    line: int = 0


@dataclass(frozen=True)
class Preformatted:
    """Lines whose columns matter — ASCII art, a box drawn in line characters, a table of aligned
    columns: kept character for character, set in a monospace font, never re-flowed, justified,
    hyphenated or touched by typography (a dash for "--" would shift every column after it)."""

    lines: tuple[str, ...]
    line: int = 0


@dataclass(frozen=True)
class AuthorNote:
    """An author's note (`A/N: …`): before or after the story, or inside it, at the head of the
    section it belongs to (multi-chapter downloads repeat one per chapter), or at its end."""

    blocks: tuple[Block, ...]
    line: int = 0
    label: str = ""  # the author's own label, as written ("A/N:", "Author's notes:"): shown by inspect
    kind: str = "note"  # "note"; "summary" (a chapter's summary); "end" (a chapter's end notes)


Block = Union[Paragraph, SceneBreak, Heading, BlockQuote, Verse, Preformatted, AuthorNote]

# ---------------------------------------------------------------- story furniture


@dataclass(frozen=True)
class Field:
    """A labelled header field a fan-fiction site writes: "Rating: T", "Pairing: Rin/Tove"."""

    key: str  # normalised: "rating", "genre", "pairing", "warnings", "fandom", "characters", …
    label: str  # as written: "Rated", "Genres"
    value: tuple[Inline, ...]
    line: int = 0


@dataclass(frozen=True)
class Boilerplate:
    """Text a distributor wraps around a work (Project Gutenberg's header and licence): kept, but
    as the story's back matter under its own label, not as the story's opening or ending."""

    source: str  # who wrote it: "Project Gutenberg", "the printed edition"
    blocks: tuple[Block, ...]
    line: int = 0
    label: str = ""  # what the book calls it: "Project Gutenberg’s notice and licence"


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    qualifier: str  # "White" in "Zinnia (White) – goodness"; may be empty
    definition: str
    line: int = 0


@dataclass(frozen=True)
class Glossary:
    heading: str  # as the author wrote it, e.g. "Flower Symbology Used in This One-shot"
    entries: tuple[GlossaryEntry, ...]
    line: int = 0


@dataclass(frozen=True)
class EndNote:
    """A note in the back matter; `ref_ids` are the anchors of the mentions that link to it."""

    note_id: str
    label: tuple[Inline, ...]
    body: tuple[Inline, ...]
    ref_ids: tuple[str, ...] = ()
    # The author's own marker labels it in the text ("[1]", "[a]", "[*]"): the book adds no number
    # of its own, at the mention or in the list (one label per note).
    marked: bool = False


@dataclass(frozen=True)
class Source:
    path: Path
    encoding: str
    sha256: str
    # Which work of a file that holds several (an EPUB anthology made by EpubMerge): 1, 2…; 0 for
    # a file of one story. The file is still the source the nothing-lost check reads once.
    work: int = 0


@dataclass(frozen=True)
class Origin:
    """Where a downloaded story was published, as the download says: credited on the rights page
    and in the EPUB's metadata (dc:source), as fandom etiquette asks of anyone who shares a work."""

    site: str = ""  # "Archive of Our Own", "FanFiction.Net", "test1.com"
    url: str = ""  # the work's address
    work_id: str = ""  # the site's number for the work ("12345" of /works/12345)
    series: str = ""  # the series the work is a part of
    part: int = 0  # its place in that series; 0 when none is given


@dataclass(frozen=True)
class Story:
    slug: str  # stable identifier derived from content; used for file names and anchors
    title: str
    title_guessed: bool
    authors: tuple[str, ...]
    source: Source
    summary: tuple[Paragraph, ...] = ()
    fields: tuple[Field, ...] = ()  # Rating, Genre, Pairing, Warnings…: shown with the summary
    status: str = ""  # "[jan.10/09 START]": the author's progress stamp
    disclaimer: tuple[Paragraph, ...] = ()
    disclaimer_label: str = ""  # "Disclaimer:" as written (left out of the text; inspect shows it)
    summary_label: str = ""
    notes_before: tuple[AuthorNote, ...] = ()
    body: tuple[Block, ...] = ()
    notes_after: tuple[AuthorNote, ...] = ()
    glossary: Glossary | None = None
    endnotes: tuple[EndNote, ...] = ()
    trailer: tuple[Paragraph, ...] = ()  # "... Comments pretty please?" and other sign-off lines
    language: str = ""  # BCP 47 tag when it differs from the book's (from the manifest or the script)
    boilerplate: tuple[Boilerplate, ...] = ()  # a distributor's header and licence, as back matter
    origin: Origin = Origin()  # where it was published (a download's site and address)


@dataclass(frozen=True)
class BookMeta:
    title: str
    editor: str
    language: str
    identifier: str  # derived from the content, never random
    modified: str  # ISO 8601 UTC, from SOURCE_DATE_EPOCH or the newest input
    subjects: tuple[str, ...] = ()
    description: str = ""
    # One volume of several (compiler/volumes.py): its number, how many there are, and how the
    # title page says it ("Volume II", the theme's wording). 0 and "": the book is not split.
    volume: int = 0
    volumes: int = 0
    volume_label: str = ""

    @property
    def full_title(self) -> str:
        """The title a library lists the book under: "Title — Volume II" for a volume, else the title."""
        return f"{self.title} — {self.volume_label}" if self.volume_label else self.title


@dataclass(frozen=True)
class RightsEntry:
    """One disclaimer on the rights page, with every story that carries it."""

    text: tuple[Paragraph, ...]
    credits: tuple[tuple[str, str], ...]  # (story title, author)


@dataclass(frozen=True)
class Anthology:
    meta: BookMeta
    stories: tuple[Story, ...]
    rights: tuple[RightsEntry, ...] = field(default=())


def plain_text(inlines: tuple[Inline, ...]) -> str:
    """The text of inline content, markup dropped."""
    out: list[str] = []
    for node in inlines:
        if isinstance(node, Text):
            out.append(node.text)
        else:
            out.append(plain_text(node.children))
    return "".join(out)
