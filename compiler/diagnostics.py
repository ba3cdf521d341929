"""Diagnostics as values, every code declared once, and the one exception type that stops a command.

Every finding has a stable code, a severity, the file and line it is about and a message that says
what to do. Stages return diagnostics next to their result; the CLI prints them. A command stops only
through `BuildError`, whose `exit_code` tells the kind of failure.

`CODES` is the registry: each code's severity, the exit code it stops a command with (errors), its
message as a template and what a user does about it. `diagnostic()` and `stop()` make findings from
it; the README's table of diagnostics is generated from it (tests/test_diagnostics.py holds the two
together, and checks that every code the program uses is declared here with the severity it is
used with). Codes still written out at their call site (`Diagnostic(...)`, `fail(...)`) keep their
message there; the template here is its gist.
"""

from __future__ import annotations

import difflib
import enum
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class Severity(enum.IntEnum):
    INFO = 10
    WARNING = 20
    ERROR = 30


class ExitCode(enum.IntEnum):
    OK = 0
    USAGE = 2  # bad command line (typer's own code)
    INPUT = 3  # a story or the manifest cannot be read or understood
    CONFIG = 4  # anthology.toml is invalid
    THEME = 5  # the theme is missing or broken
    OUTPUT = 6  # the book could not be written, or failed its own checks
    DEVICE = 7  # deliver: no e-reader, several and none chosen, or the copy onto it failed
    LIMIT = 8  # the build ran past its --timeout or --max-memory and was stopped
    BATCH = 9  # batch: one or more books failed (the others were built), or no cluster to run on
    INTERNAL = 70  # a bug: please report it (EX_SOFTWARE)


# What each exit code means, as the README's table of exit codes says it.
EXIT_MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "built (or: check found nothing wrong)",
    ExitCode.USAGE: "bad command line (an unknown option or value, `--trim` included; `init` where an `anthology.toml` is, without `--force`)",
    ExitCode.INPUT: "a story cannot be read (empty, binary, unreadable, too large, a link out of the folder); the message names the file and line",
    ExitCode.CONFIG: "`anthology.toml` is invalid; every problem is listed at once, each with its line",
    ExitCode.THEME: "the theme is missing or broken; every problem in its `theme.toml` is listed at once",
    ExitCode.OUTPUT: "the book could not be written, or failed its own check (a lost word); `azw3` without calibre",
    ExitCode.DEVICE: "`deliver`: no e-reader found, several found and none chosen, a Kindle too old for AZW3, or the copy onto it failed",
    ExitCode.LIMIT: "the build ran past its `--timeout` or `--max-memory` and was stopped; nothing was written",
    ExitCode.BATCH: "`batch`: one or more books failed (the summary names each and why; the others were built), or Dask is missing or its scheduler cannot be reached",
    ExitCode.INTERNAL: "internal error (a bug): run again with `--debug` and report the traceback",
}


# Characters that would act on a terminal instead of showing: controls (a newline would fake a
# second diagnostic, ESC starts a terminal escape sequence) and the bidirectional overrides that
# make a name read backwards (U+202E). A file name is the user's, not ours: shown escaped, never run.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """`text` with every character that would act on a terminal written as an escape (\\n, \\x1b, \\u202e)."""
    return _UNPRINTABLE.sub(lambda m: _NAMED.get(m[0]) or (f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}"), text)


@dataclass(frozen=True)
class Diagnostic:
    code: str  # stable, e.g. "A101"; tests and users can filter on it
    severity: Severity
    message: str
    path: Path | None = None
    line: int = 0

    def where(self) -> str:
        """The file and line, escaped: the one place a diagnostic shows a file's name."""
        if self.path is None:
            return ""
        return printable(f"{self.path}:{self.line}" if self.line else str(self.path))

    def __str__(self) -> str:
        where = self.where()
        head = f"{where}: " if where else ""
        # Messages quote names too (a manifest's entries, a link's target): escaped the same way.
        return f"{head}{self.severity.name.lower()} {self.code}: {printable(self.message)}"


@dataclass(frozen=True)
class Code:
    code: str
    severity: Severity
    exit: ExitCode | None  # what an error stops a command with; None for notes and warnings
    message: str  # str.format template of the message, e.g. "unknown key {key}; {suggestion}"
    fix: str  # what the user does about it, for the README


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO
_X = ExitCode

# Families: A reading the stories, B batch, C anthology.toml and the covers, D deliver, K check, L limits,
# I imposition, N notes, O writing the books, P the PDF, Q page quality, T the theme, U the command line,
# V the nothing-lost check.
CODES: dict[str, Code] = {
    c.code: c
    for c in (
        Code("A001", _E, _X.INPUT, "this file is not text in any encoding we know (is it a binary file?)", "remove it from the folder, or convert it to UTF-8"),
        Code("A002", _W, None, "dropped {count} control character(s) {names} from column {column}", "none needed: characters that draw nothing are left out; check the line if it looks wrong"),
        Code("A003", _E, _X.INPUT, "this file is empty", "add the story's text or remove the file"),
        Code("A004", _W, None, "bytes that are not UTF-8 on line(s) {lines} were read as cp1252", "check those lines; save the file as UTF-8"),
        Code("A005", _W, None, "markup nested over {depth} levels deep was flattened to paragraphs; every word is kept, its emphasis inside is not", "none if the text reads right; otherwise fix the page's unclosed tags"),
        Code("A006", _W, None, "the front matter uses YAML aliases (&name, *name), which are refused (a few hundred bytes of them can expand to gigabytes); it is kept as text", "write each value out in full"),
        Code("A007", _W, None, "a word of {length} characters is longer than a line; it may break after every {step} characters", "none if it is meant (a URL, a scream); otherwise put the spaces back"),
        Code("A008", _W, None, "dropped {count} directional override(s) (U+202D, U+202E), which print the rest of a paragraph mirrored", "none if the words read right; for mirrored text on purpose, type its letters in reverse"),
        Code("A010", _E, _X.INPUT, "no such folder", "give the folder that holds the stories"),
        Code("A011", _E, _X.INPUT, "no stories here (looked for {suffixes} files)", "add some, or name another folder"),
        Code("A012", _E, _X.INPUT, "cannot read this file ({reason})", "check its permissions"),
        Code("A013", _E, _X.INPUT, "this links outside the stories folder (to {target})", "copy the story in instead"),
        Code("A020", _I, None, "read as {encoding}", "none: the file's legacy encoding was recognised"),
        Code("A021", _I, None, "repaired mis-decoded characters (mojibake such as “â€œ”) on {count} line(s)", "none: say so if a repair is wrong"),
        Code("A022", _I, None, "8-bit quote characters read as {mapping}", "none: the file's quote bytes were recognised"),
        Code("A023", _W, None, "text that looks mis-decoded (mojibake) is left on {count} line(s), such as {sample}; it was read as {encoding}", "re-save the file as UTF-8 from the program that shows it right, or correct those characters"),
        Code("A030", _I, None, "every story is in “{language}”", 'set language = "…" in anthology.toml to make it the book\'s language too'),
        Code("A040", _E, _X.INPUT, "this EPUB cannot be read: {reason}", "export the book again from the program or site that made it"),
        Code("A041", _E, _X.INPUT, "this EPUB is locked with DRM ({scheme}); its text cannot be read", "use a copy without DRM (the site's own download)"),
        Code("A042", _E, _X.INPUT, "this EPUB is refused as unsafe to unpack: {reason}", "use a copy made by a known tool (the site's download, calibre)"),
        Code("A043", _W, None, "{member} declares XML entities ({names}); they are not expanded, and any text they held is not in the book", "none if the text reads complete; otherwise convert the book again with calibre"),
        Code("A044", _W, None, "{member} is not well-formed XHTML ({error}); read as HTML", "none if the text reads right; otherwise convert the book again with calibre"),
        Code("A045", _W, None, "{member} is listed in the EPUB's spine but not in the book; left out", "none if nothing is missing; otherwise export the book again"),
        Code("A046", _I, None, "this EPUB gathers {count} works; each is read as a story of its own, in the book's order", 'none; leave works out with [stories."FILE"] in anthology.toml if you want fewer'),
        Code("A101", _W, None, 'no title found; using its first words, "{title}"', 'set one in anthology.toml: [stories."FILE"] title = "…"'),
        Code("A102", _W, None, "no author found", 'set [stories."FILE"] author = "…" in anthology.toml'),
        Code("A110", _I, None, "two blank lines after a line ending in a comma: kept as one scene", 'none; scene_breaks = "marked" counts only drawn breaks'),
        Code("A120", _I, None, "{count} chapter(s) were saved twice by a scraper; kept one copy", "none"),
        Code("A130", _I, None, "footnote [^{key}] is never referred to in the text", "refer to it, or leave it: it is kept as a note"),
        Code("A140", _I, None, "Project Gutenberg's header and licence are kept as the story's back matter", "none"),
        Code("A141", _I, None, "the first part has no heading while the later ones do: added “{heading}” (listed in the contents)", 'name it with [stories."FILE"] first_section = "…"'),
        Code("A150", _W, None, "sections: no paragraph of the story is {text}", "give its exact text or its line number"),
        Code("A160", _I, None, '"{text}" is read as story text; it could be the {role}', 'if it is, set that field in anthology.toml ([stories."FILE"])'),
        Code("B001", _E, _X.BATCH, "anthology batch runs on Dask, which is not installed here: {install}", "install it (pip install 'anthology[batch]'), or call build_many with an executor of your own"),
        Code("B002", _E, _X.INPUT, "no works here: each work is a folder of stories inside {folder} (or a folder named in a list file)", "put each work's stories in a folder of its own; `anthology build` makes one book of one folder"),
        Code("B003", _E, _X.INPUT, "{count} works would be written to {output}: {sources}", "rename one of the folders: a work's books go to OUTPUT/its folder's name"),
        Code("B004", _E, _X.INPUT, "cannot read the list of works ({reason})", "give a folder of works, or a text file naming one work folder per line"),
        Code("B005", _E, _X.BATCH, "cannot reach the Dask scheduler at {address} ({reason})", "start it (dask scheduler) and its workers, or check the address; leave --scheduler out to run on this machine"),
        Code("B010", _E, _X.BATCH, "{failed} of {total} books failed; the others were built", "see each book's reason above; run the same command again to retry only what is missing"),
        Code("B011", _E, _X.BATCH, "took over {limit} s and was stopped, so that the other books go on", "raise --timeout, or build this work alone"),
        Code("B012", _E, _X.BATCH, "used {used} MB, over the {limit} MB a book may, and was stopped, so that the other books go on", "raise --memory, or build this work alone"),
        Code("B013", _E, _X.BATCH, "the process building it died ({how})", "build this work alone with anthology build --debug, and report it"),
        Code("B014", _E, _X.BATCH, "internal error: {error}", "build this work alone with anthology build --debug, and report the traceback"),
        Code("B015", _E, _X.BATCH, "its worker was lost and it was not built ({reason})", "check the workers' logs; run the same command again to retry it"),
        Code("B020", _W, None, "{count} story file(s) directly in {folder} belong to no work and are left out: {names}", "move them into a folder of their own: each folder of stories is one book"),
        Code("B021", _W, None, "this folder holds no stories and is left out", "put story files in it, or move it out of the folder of works"),
        Code("C000", _E, _X.CONFIG, "not valid TOML: {error}", "fix the line the message names"),
        Code("C001", _E, _X.CONFIG, "unknown key {key}; {suggestion}", "use the key the message suggests (the nearest valid one)"),
        Code("C002", _E, _X.CONFIG, "{key} must {expected}", "give the key a value of that type"),
        Code("C003", _E, _X.CONFIG, "no story file {name} in {source} ({where}){hint}", "correct the file name (the message names the nearest one), or add the story"),
        Code("C004", _E, _X.CONFIG, "{name} is outside {source} ({where}); copy the story into the folder", "copy the story into the folder and name it there"),
        Code("C005", _E, _X.CONFIG, 'order: "{name}" is listed twice; keep one', "keep one"),
        Code("C006", _E, _X.CONFIG, "{where}author and {where}authors both given; keep one", "keep one"),
        Code("C007", _E, _X.CONFIG, '{where}scene_breaks must be one of {choices}, not "{value}"{hint}', 'use "auto", "marked" or "none"'),
        Code("C008", _E, _X.CONFIG, "{key} holds {chars}, characters no book can show", "remove them from the text"),
        Code("C009", _E, _X.CONFIG, '{where}: "{name}" is the manifest itself, not a story', "list story files only"),
        Code("C010", _E, _X.USAGE, "an anthology.toml is here already; edit it, or use --force to replace it", "edit it, or use --force to replace it"),
        Code("C011", _E, _X.CONFIG, "anthology.toml cannot be read: {problem}", "make anthology.toml a plain text file in the stories folder"),
        Code("C012", _E, _X.CONFIG, "[volumes]: {problem}", "give one of count, words or pages, a whole number over 0"),
        Code("C020", _W, None, "the interior has {pages} pages; print-on-demand paperbacks need at least {minimum} (KDP), so a service may refuse the book", "add stories, or print it another way"),
        Code("C021", _W, None, "the back cover cannot hold every story's title at the smallest type; it lists those that fit. Shorten titles, or leave the back to a cover of your own", "shorten titles, or leave the back to a cover of your own"),
        Code("C022", _W, None, "the story summaries do not fit on the back cover; it lists titles and authors only", "shorten the summaries if you want them there"),
        Code("C023", _E, _X.USAGE, "--cover-pdf wraps the print book: use it with --profile print and a --format that includes pdf", "add pdf to --format; use the print profile"),
        Code("C024", _E, _X.USAGE, "unknown paper {paper}; choose from {choices}", "--paper white or --paper cream"),
        Code("C030", _E, _X.INPUT, "the cover is not a JPEG or PNG image; replace it or remove it to get a drawn cover", "replace it, or remove it to get a drawn cover"),
        Code("C031", _E, _X.INPUT, "the cover holds a {kind} image; name it cover{suffix}", "rename the file to match its content"),
        Code("C032", _E, _X.INPUT, "the cover cannot be used: {problem}", "put the cover image itself (not a link to one elsewhere) in the stories folder"),
        Code("C033", _E, _X.INPUT, "the cover is {size}, over the {limit} pixels a side that stores and readers accept", "scale it down: 1600×2560 is what Kindle and Kobo ask for"),
        Code("D001", _E, _X.DEVICE, "no e-reader found (looked in {searched} for Kobo, Kindle and other readers' marker files)", "connect it by USB and choose to connect/transfer on its screen, or give its folder"),
        Code("D002", _E, _X.DEVICE, "{count} e-readers found: {listing}", "choose one by its folder, kind or folder name"),
        Code("D003", _E, _X.DEVICE, "{wanted} is neither a folder nor a connected e-reader ({seen})", "give the reader's folder, or kobo, kindle or its folder name"),
        Code("D004", _E, _X.DEVICE, "{why}", "send this Kindle a MOBI from elsewhere, or use Send to Kindle"),
        Code("D005", _E, _X.DEVICE, "not enough room on the {kind}: the book needs {needed} MB and {free} MB are free", "delete something from the reader first"),
        Code("D006", _E, _X.DEVICE, "could not reach or copy onto the {kind} ({reason})", "check that it is connected and writable; nothing was left half-copied"),
        Code("I001", _E, _X.CONFIG, "unknown paper {paper}; name one of {choices}, or give WIDTHxHEIGHT with in, mm, cm or pt", "name a paper or give its size"),
        Code("I002", _E, _X.CONFIG, "page range {part} is not N, N-M, N- or -M within the book's pages", "give pages of the book, from 1"),
        Code("I003", _E, _X.CONFIG, "sheets per signature and flyleaves must be counts ({what})", "give 1 or more sheets, 0 or more flyleaves"),
        Code("I004", _E, _X.CONFIG, "unknown signature layout {layout}; use one of {choices}", "folio, quarto, octavo or sextodecimo"),
        Code("I005", _E, _X.CONFIG, "unknown marks {marks}; use any of {choices}", "name marks from the list"),
        Code("I006", _E, _X.OUTPUT, "the book has no pages to impose", "build a book with pages first"),
        Code("I010", _W, None, "{size} pages printed at {scale} to fit on {paper}", "choose the larger paper the message names to print at full size"),
        Code("I011", _E, _X.CONFIG, "{size} pages do not fit on {paper}", "choose the larger paper the message names, or allow scaling"),
        Code("I020", _I, None, "{summary}", "none: how the sheets are laid out and folded"),
        Code("K001", _E, _X.INPUT, "no anthology.epub or anthology.pdf here; build first or name the folder with --book", "build first, or name the folder with --book"),
        Code("K002", _E, _X.OUTPUT, "{book} is older than {changed}: the {count} words written since ({sample}) are not in it yet. Rebuild it: anthology build {source} -o {folder}", "rebuild the book"),
        Code("K003", _E, _X.OUTPUT, "“{word}” ({count}×) is missing from the {book}, which is newer than every story: a bug, please report it with this story", "report it with the story"),
        Code("K004", _W, None, "the book is older than {changed}; every word is in it, but rebuild it to bring it up to date: anthology build {source} -o {folder}", "rebuild the book"),
        Code("L001", _E, _X.INPUT, "this file is {size} MB, over the {limit} MB a story may be", "split it into several files, one per part"),
        Code("L002", _E, _X.INPUT, "the stories add up to {size} MB, over {limit} MB", "build them as several anthologies"),
        Code("L003", _E, _X.INPUT, "a paragraph of {length} characters (over {limit}) cannot be laid out as one", "add blank lines between its paragraphs"),
        Code("L010", _E, _X.LIMIT, "the build was stopped after {seconds} s, its --timeout, while {stage}; nothing was written", "give it longer with --timeout, or build fewer stories at once"),
        Code("L011", _E, _X.LIMIT, "the build was stopped at {used} MB, over its --max-memory of {limit} MB, while {stage}; nothing was written", "raise --max-memory, or build fewer stories at once"),
        Code("N001", _I, None, 'glossary term "{term}" is not mentioned in the story; its note has no link', "none, or mention the term"),
        Code("O001", _E, _X.OUTPUT, "cannot write the book here ({reason}); choose another -o folder", "choose another -o folder"),
        Code("O002", _E, _X.OUTPUT, "AZW3 (Kindle) is made by calibre's ebook-convert, which is not installed: {install}", "install calibre, or leave azw3 out of --format"),
        Code("O003", _E, _X.OUTPUT, "calibre's ebook-convert could not make the AZW3 ({reason})", "check calibre's installation; leave azw3 out meanwhile"),
        Code("P001", _E, _X.CONFIG, "unknown trim size {trim}; use one of {names} or WIDTHxHEIGHT with in, mm, cm or pt", "use a named trim or WIDTHxHEIGHT with a unit"),
        Code("P002", _E, _X.CONFIG, "trim size {trim} is outside 2×3 in … 18×18 in", "use a trim between 2×3 and 18×18 inches"),
        Code("P010", _W, None, "{title}: the theme's fonts lack {chars}; the PDF uses a system font for them. Add a font that covers them to the theme's fonts/ folder", "add a font covering them to the theme's fonts/"),
        Code("P011", _E, _X.OUTPUT, "“{word}” could not be set in the PDF: no font has {chars}; add a font covering them to the theme's fonts/ folder", "add a font covering them to the theme's fonts/"),
        Code("P012", _E, _X.THEME, "{title} has characters the theme sets in {family} ({chars}): {problem}, or build only the EPUB (--format epub)", "install the font the theme names (e.g. apt-get install fonts-noto-cjk)"),
        Code("Q001", _W, None, "page {page}: the page ends short where the text runs on", "none needed for a proof; the layout keeps lines together that would otherwise break badly"),
        Code("Q002", _W, None, "page {page}: a word is hyphenated across the leaf turn", "none needed for a proof; reword or set that word unbreakable"),
        Code("Q003", _W, None, "page {page}: a line opens with a closing mark or a dash glued to a quote", "check the source's spacing around that dash or quote"),
        Code("Q004", _W, None, "page {page}: a running head or folio on a blank or opening page", "fix the theme's @page rules for :blank and chapter openings"),
        Code("P031", _E, _X.OUTPUT, "the print PDF still paints in RGB ({where}), which PDF/X-4 forbids; build with --profile screen, and report this", "build with --profile screen, and report it"),
        Code("P032", _E, _X.OUTPUT, "font {name} is not embedded in the print PDF; PDF/X needs every font embedded: give it to the theme with @font-face", "give the font to the theme with @font-face"),
        Code("T000", _E, _X.THEME, "the built-in themes are missing; reinstall anthology", "reinstall anthology"),
        Code("T001", _E, _X.THEME, "no theme called {name}{hint}; choose one of: {known}, or a theme folder", "name a built-in theme (the message names the nearest), or a theme folder as a path (./mytheme)"),
        Code("T002", _E, _X.THEME, "theme {name} has no {file}", "add the file to the theme, or extend a theme that has it"),
        Code("T003", _E, _X.THEME, "themes extend each other in a loop", "make one of them extend no other"),
        Code("T004", _E, _X.THEME, "{problem}", "write each [[system_fonts]] with family, files and unicode_range (U+3000-9FFF, …)"),
        Code("T005", _E, _X.THEME, "unknown key {key}; {suggestion}", "use the key the message suggests; the theme's own data goes under [extra]"),
        Code("T006", _E, _X.THEME, "not valid TOML: {error}", "fix the line the message names"),
        Code("T007", _E, _X.THEME, "{key} must be {expected}, not {got}", "give the key a value of that type"),
        Code("T008", _E, _X.THEME, "{folder} is not a theme: it has no theme.toml", "name a theme's folder (the one holding theme.toml), or a built-in theme"),
        Code("T009", _E, _X.THEME, "{file} cannot be used: {problem}", "keep the theme's files inside its folder, as plain files"),
        Code("T010", _E, _X.THEME, "template {template} produced invalid XHTML: {error}", "fix the theme's template"),
        Code("T011", _E, _X.THEME, "template {template} failed: {error}", "fix the template at the line named"),
        Code("T012", _E, _X.THEME, "extends = {name}: {problem}", "extend a built-in theme by name, or a theme folder by a path relative to this theme's folder"),
        Code("T020", _E, _X.THEME, "the theme has no fonts/ to draw the cover with; add one, or put a cover.jpg beside the stories", "add fonts/ to the theme, or put a cover.jpg beside the stories"),
        Code("U001", _E, _X.USAGE, "unknown format {formats}; choose from {known}", "name formats from the list, separated by commas"),
        Code("U002", _E, _X.USAGE, "unknown profile {profile}; choose from {known}", "--profile print, screen, booklet or signatures"),
        Code("U003", _E, _X.USAGE, "--jobs must be 1 or more, not {jobs}", "give a count of processes, or leave it out for one per core"),
        Code("U004", _E, _X.USAGE, "--trim: {problem}", "give a named trim (5x8, 5.25x8, 5.5x8.5, 6x9, A5) or WIDTHxHEIGHT with in, mm, cm or pt"),
        Code("U005", _E, _X.USAGE, "cannot write a {suffix} image; name the file with one of {choices}", "name the preview .png, .jpg or .webp"),
        Code("U006", _E, _X.USAGE, "{option} must be {expected}, not {value}", "give a number the message allows, or leave the option out"),
        Code("U007", _E, _X.USAGE, "{flags} are for --profile signatures; add it, or leave them out", "add --profile signatures, or leave those flags out"),
        Code("U008", _E, _X.USAGE, "--volumes must be a whole number of volumes, 1 or more, not {value}", "give how many volumes (1 for one book), or leave it out"),
        Code("V001", _E, _X.OUTPUT, "“{word}” ({count}×) is missing from the {book}: a bug, please report it with this story; --no-verify writes the book anyway", "report it with the story; --no-verify writes the book anyway"),
        Code("V002", _E, _X.OUTPUT, "the {made} lost words of the {made_from} ({sample}): a bug, please report it; build without {name} meanwhile", "report it; build without that format meanwhile"),
    )
}


def diagnostic(code: str, path: Path | None = None, line: int = 0, **fields: Any) -> Diagnostic:
    """A finding made from its registered code: the severity and message template declared there."""
    declared = CODES[code]
    return Diagnostic(code, declared.severity, declared.message.format(**fields), path, line)


def suggestion(key: str, known: list[str] | tuple[str, ...]) -> str:
    """What to say about an unknown key: the nearest known one, or else all of them."""
    near = difflib.get_close_matches(key, list(known), n=1)
    return f'did you mean "{near[0]}"?' if near else f"valid keys: {', '.join(known)}"


def info(code: str, message: str, path: Path | None = None, line: int = 0) -> Diagnostic:
    return Diagnostic(code, Severity.INFO, message, path, line)


def warning(code: str, message: str, path: Path | None = None, line: int = 0) -> Diagnostic:
    return Diagnostic(code, Severity.WARNING, message, path, line)


class BuildError(Exception):
    """Stops the build. Carries diagnostics that explain why; never shown as a traceback."""

    def __init__(self, exit_code: ExitCode, diagnostics: list[Diagnostic]) -> None:
        super().__init__("; ".join(str(d) for d in diagnostics))
        self.exit_code = exit_code
        self.diagnostics = diagnostics


def stop(code: str, path: Path | None = None, line: int = 0, **fields: Any) -> BuildError:
    """The error that stops a command, made from its registered code: `raise stop("O001", …)`."""
    return stopping([diagnostic(code, path, line, **fields)])


def stopping(errors: list[Diagnostic]) -> BuildError:
    """Several errors reported at once; the command exits as the first one's code declares."""
    exit_code = CODES[errors[0].code].exit
    assert exit_code is not None, f"{errors[0].code} is not declared as an error that stops a command"
    return BuildError(exit_code, errors)


def fail(exit_code: ExitCode, code: str, message: str, path: Path | None = None, line: int = 0) -> BuildError:
    return BuildError(exit_code, [Diagnostic(code, Severity.ERROR, message, path, line)])
