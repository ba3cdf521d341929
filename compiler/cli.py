"""Command line (typer). Heavy modules are imported inside commands so `--help` stays instant."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Optional

import typer

from . import __version__
from .diagnostics import BuildError, Diagnostic, ExitCode, Severity

app = typer.Typer(
    add_completion=True,
    no_args_is_help=True,
    # Plain click help and tracebacks: rich's formatting costs ~0.3 s of imports on every --help.
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help="Turn a folder of stories into an anthology: an EPUB 3 for e-readers and a print-ready PDF.",
)


def _report(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...], verbose: bool, quiet: bool) -> None:
    for d in diagnostics:
        if quiet and d.severity < Severity.ERROR:
            continue
        if d.severity == Severity.INFO and not verbose:
            continue
        typer.echo(str(d), err=True)


@contextlib.contextmanager
def _progress(quiet: bool) -> Iterator[Callable[[str], None] | None]:
    """A live line naming the build's stage, on a terminal only (never in logs or pipes)."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console  # only on a terminal: rich costs start-up time

    with Console(stderr=True).status("building…") as status:
        yield lambda stage: status.update(f"{stage}…")


# Declarations shared by build and watch, so the two commands cannot drift apart.
SOURCE = typer.Argument(Path("seeds"), help="Folder holding the stories (and an optional anthology.toml).")
OUTPUT = typer.Option(Path("output"), "-o", "--output", help="Folder to write anthology.epub, anthology.pdf (and the other formats) into.")
FORMATS_OPTION = typer.Option(
    "epub,pdf", "--format", help="Comma-separated formats to write: epub, pdf, kepub (Kobo), azw3 (Kindle; needs calibre)."
)
THEME = typer.Option(None, "--theme", help="Theme name or folder (default: from anthology.toml, else classic).")


def _formats(text: str) -> tuple[str, ...]:
    """--format's comma-separated names (checked, with the other options, by BuildOptions.problems)."""
    return tuple(f.strip().lower() for f in text.split(",") if f.strip())


def _version(value: bool) -> None:
    if value:
        typer.echo(f"anthology {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Optional[bool] = typer.Option(None, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """Turn a folder of stories into an anthology."""


@app.command()
def build(
    source: Path = SOURCE,
    output: Path = OUTPUT,
    formats: str = FORMATS_OPTION,
    theme: Optional[str] = THEME,
    trim: Optional[str] = typer.Option(None, "--trim", help="Print trim size: 5x8, 5.25x8, 5.5x8.5, 6x9, A5 or WxH[in|mm] (default: anthology.toml, else the theme's)."),
    profile: str = typer.Option(
        "print", "--profile", help="PDF profile: print (trim-size pages), screen (tagged PDF/UA-1), booklet (2-up for home printing), signatures (sheets for a sewn binding)."
    ),
    bleed: bool = typer.Option(False, "--bleed", help="Add 0.125 in bleed and crop marks around each page (print profile)."),
    cover_pdf: bool = typer.Option(False, "--cover-pdf", help="Also write anthology-cover.pdf: back, spine and front on one sheet for print-on-demand (print profile)."),
    paper: str = typer.Option("white", "--paper", help="Interior paper, for the cover's spine width: white or cream."),
    verify: bool = typer.Option(True, "--verify/--no-verify", help="Check that every word of every story is in each book before writing it."),
    cache: bool = typer.Option(True, "--cache/--no-cache", help="Reuse the PDF layout of unchanged stories from the last build into OUTPUT (kept in OUTPUT/.anthology-cache)."),
    jobs: Optional[int] = typer.Option(None, "-j", "--jobs", min=1, help="Lay the PDF out in this many processes at once (default: one per core)."),
    # --- the signatures profile (each also a key of anthology.toml's [signatures]; the flag wins)
    layout: Optional[str] = typer.Option(None, "--layout", help="Signatures: folio, quarto, octavo or sextodecimo (default folio)."),
    sheets: Optional[int] = typer.Option(None, "--sheets", help="Signatures: folded sheets per signature (default 4 folio, 2 quarto, 1 octavo or sextodecimo)."),
    duplex: Optional[bool] = typer.Option(None, "--duplex/--single-sided", help="Signatures: both sides in one run (default), or every front then every back."),
    flyleaves: Optional[int] = typer.Option(None, "--flyleaves", help="Signatures: blank leaves before the first page and after the last (default 0)."),
    pages: Optional[str] = typer.Option(None, "--pages", help='Signatures: page ranges of the book to impose, e.g. "1-48,97-" (default all).'),
    marks: Optional[str] = typer.Option(None, "--marks", help="Signatures: comma-separated cut, crop, sewing, order; \"\" for none (default sewing,order)."),
    paper_size: Optional[str] = typer.Option(None, "--paper-size", help="Signatures: the printer's paper: letter, legal, tabloid, a4, a3 or WxH[in|mm] (default letter)."),
    # --- end of the signatures profile
    verbose: bool = typer.Option(False, "-v", "--verbose", help="Also show informational notes."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Show errors only."),
    debug: bool = typer.Option(False, "--debug", help="Show a traceback on internal errors (read by main())."),
) -> None:
    """Build the anthology from SOURCE into OUTPUT."""
    from .build import build as run_build
    from .options import BuildOptions
    from .signatures import Signatures

    signatures = Signatures(layout, sheets, duplex, flyleaves, pages, _formats(marks) if marks is not None else None, paper_size)
    options = BuildOptions(
        source=source, output=output, formats=_formats(formats), theme=theme, trim=trim, profile=profile, bleed=bleed,
        cover_pdf=cover_pdf, paper=paper, verify=verify, cache=cache, jobs=jobs, signatures=signatures,
    )
    with _progress(quiet) as step:
        result = run_build(options, step)
    _report(result.diagnostics, verbose, quiet)
    if not quiet:
        for path in result.outputs:
            typer.echo(f"wrote {path} ({path.stat().st_size:,} bytes)")


@app.command()
def deliver(
    device: Optional[str] = typer.Argument(
        None, metavar="DEVICE", help="The e-reader: its mounted folder; or kobo, kindle or its folder name when several are connected (default: the one found)."
    ),
    source: Path = typer.Option(Path("seeds"), "-s", "--source", help="Folder holding the stories."),
    output: Path = typer.Option(Path("output"), "-o", "--output", help="Folder of the built book; it is built there unless it is newer than every input."),
    theme: Optional[str] = THEME,
    book_format: Optional[str] = typer.Option(None, "--format", help="Send this format instead of the one the device reads best: epub, kepub or azw3."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="Also show informational notes."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Show errors only."),
) -> None:
    """Copy the book onto a connected e-reader, in the format it reads best (KEPUB for Kobo, AZW3 for Kindle, EPUB for others)."""
    from .deliver import BOOK_NAMES, deliver as run_deliver

    if book_format is not None and book_format not in BOOK_NAMES:
        typer.echo(f"error: unknown format {book_format}; choose from {', '.join(BOOK_NAMES)}", err=True)
        raise typer.Exit(ExitCode.USAGE)
    with _progress(quiet) as step:
        done = run_deliver(source, output, device, theme, book_format, step)
    _report(done.diagnostics, verbose, quiet)
    if quiet:
        return
    name = {"kepub": "KEPUB", "epub": "EPUB", "azw3": "AZW3"}[book_format or done.device.format]
    reason = f"{done.device.why}" if book_format is None else f"{name}, as asked"
    typer.echo(f"found {done.device}: {reason}")
    typer.echo(f"{'built' if done.built else 'using the built'} {done.book}" + ("" if done.built else " (newer than every story, the manifest and the theme)"))
    replaced = ", replacing the earlier copy" if done.replaced else ""
    typer.echo(f"copied {name} to {done.target} ({done.size:,} bytes){replaced}")
    typer.echo(f"Eject the {done.device.kind} before unplugging it.")


@app.command()
def inspect(
    source: Path = typer.Argument(Path("seeds"), help="Folder holding the stories (and an optional anthology.toml)."),
    as_json: bool = typer.Option(False, "--json", help="Print what was recognised as JSON (the shape the labelled corpus is scored in)."),
) -> None:
    """Show what was recognised in each story of SOURCE (title, author, notes, sections, …) and what was left out."""
    from .inspect import format_reports, inspect as run_inspect

    reports = run_inspect(source)
    if as_json:
        import json

        from .config import load_config
        from .inspect import as_json as report_json

        language = load_config(source).language
        typer.echo(json.dumps({"stories": [report_json(r, language) for r in reports]}, ensure_ascii=False, indent=1))
        return
    typer.echo(format_reports(reports), nl=False)


@app.command()
def check(
    source: Path = typer.Argument(Path("seeds"), help="Folder holding the stories the book was built from."),
    book: Path = typer.Option(Path("output"), "--book", help="Folder holding anthology.epub and/or anthology.pdf."),
    theme: Optional[str] = typer.Option(None, "--theme", help="The theme the PDF was built with, if not anthology.toml's (for the page-quality check)."),
) -> None:
    """Check a built book against its stories: every word present, the validators that are installed, and the PDF's pages as a typesetter would (warnings)."""
    from .checkbook import run_check

    lines, ok = run_check(source, book, theme)
    for line in lines:
        typer.echo(line)
    if not ok:
        raise typer.Exit(ExitCode.OUTPUT)


@app.command()
def watch(
    source: Path = SOURCE,
    output: Path = OUTPUT,
    formats: str = FORMATS_OPTION,
    theme: Optional[str] = THEME,
    max_builds: Optional[int] = typer.Option(None, "--max-builds", hidden=True, help="Stop after this many builds (for tests)."),
) -> None:
    """Build, then rebuild whenever a story, anthology.toml or the theme changes (Ctrl-C to stop)."""
    from .build import build as run_build
    from .config import load_config
    from .diagnostics import stopping
    from .options import BuildOptions
    from .package.formats import choices
    from .render.theme import load_theme
    from .watch import watch_and_build

    options = BuildOptions(source=source, output=output, formats=_formats(formats), theme=theme)
    problems = options.problems(choices())
    if problems:  # said once, not after every change
        raise stopping(problems)

    def once() -> list[str]:
        result = run_build(options)
        return [str(d) for d in result.diagnostics if d.severity >= Severity.WARNING] + [
            f"wrote {path} ({path.stat().st_size:,} bytes)" for path in result.outputs
        ]

    folders = list(load_theme(theme or load_config(source).theme, source).folders)
    try:
        watch_and_build(source, output, once, lambda line: typer.echo(line, err=True), folders, max_builds)
    except KeyboardInterrupt:
        typer.echo("stopped", err=True)


@app.command()
def init(
    source: Path = typer.Argument(Path("."), help="Folder holding the stories."),
    force: bool = typer.Option(False, "--force", help="Replace an existing anthology.toml."),
) -> None:
    """Write an anthology.toml for the stories in SOURCE, filled with what was recognised."""
    from .init import write_manifest

    target = write_manifest(source, force)
    typer.echo(f"wrote {target}")


themes_app = typer.Typer(help="List the built-in themes, or preview one as a PNG spread.", invoke_without_command=True)
app.add_typer(themes_app, name="themes")


@themes_app.callback()
def themes_list(ctx: typer.Context) -> None:
    """List the built-in themes."""
    if ctx.invoked_subcommand is not None:
        return
    from .preview import list_themes

    for theme in list_themes():
        parent = f" (extends {theme.extends})" if theme.extends else ""
        typer.echo(f"{theme.name:<12} {theme.description}{parent}")


@themes_app.command("preview")
def themes_preview(
    name: str = typer.Argument(..., help="Theme name or folder."),
    source: Path = typer.Option(Path("seeds"), "--source", help="Stories to set (default: seeds/)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="PNG file to write (default: NAME-preview.png)."),
) -> None:
    """Render a sample spread of NAME to a PNG file."""
    from .preview import preview

    target = output or Path(f"{Path(name).name}-preview.png")
    preview(name, source, target)
    typer.echo(f"wrote {target}")


def main() -> None:
    # Every command stops the same way: a BuildError's diagnostics and its exit code, never a
    # traceback; anything else is a bug, reported in one line (the traceback only with --debug).
    try:
        app(prog_name="anthology")
    except BuildError as exc:
        _report(exc.diagnostics, verbose=True, quiet=False)
        sys.exit(exc.exit_code)
    except Exception as exc:
        if "--debug" in sys.argv:
            raise
        typer.echo(f"internal error: {type(exc).__name__}: {exc}\nRun again with --debug and report the traceback.", err=True)
        sys.exit(ExitCode.INTERNAL)


if __name__ == "__main__":
    main()
