"""Command line (typer). Heavy modules are imported inside commands so `--help` stays instant."""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from . import __version__

if TYPE_CHECKING:
    from .batch import BookResult
    from .diagnostics import Diagnostic

# diagnostics.py (a table of every code, dataclasses) is imported where a command needs it, not
# here: `--help` and the usage errors typer reports itself never do.

app = typer.Typer(
    add_completion=True,
    no_args_is_help=True,
    # Plain click help and tracebacks: rich's formatting costs ~0.3 s of imports on every --help.
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help="Turn a folder of stories into an anthology: an EPUB 3 for e-readers and a print-ready PDF.",
)


def _report(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...], verbose: bool, quiet: bool) -> None:
    from .diagnostics import Severity

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


def _fits(value: Path | None) -> Path | None:
    """A path the system can hold, or a usage error naming the part it cannot: past NAME_MAX, every
    later question about the file would raise rather than answer."""
    from .confine import overlong
    from .diagnostics import printable

    if value is not None and (problem := overlong(value)):
        raise typer.BadParameter(printable(problem))
    return value


# Declarations shared by the commands, so they cannot drift apart. Every command's stories folder
# defaults by one rule (compiler/folders.py): the current folder, or seeds/ in anthology's checkout.
SOURCE_HELP = "Folder holding the stories and an optional anthology.toml (default: the current folder; seeds/ in anthology's own checkout)."
SOURCE = typer.Argument(None, show_default=False, callback=_fits, help=SOURCE_HELP)
OUTPUT = typer.Option(Path("output"), "-o", "--output", callback=_fits, help="Folder to write anthology.epub, anthology.pdf (and the other formats) into.")
FORMATS_OPTION = typer.Option(
    "epub,pdf", "--format", help="Comma-separated formats to write: epub, pdf, kepub (Kobo), azw3 (Kindle; needs calibre)."
)
THEME = typer.Option(None, "--theme", help="Theme name or folder (default: from anthology.toml, else classic).")


def _source(given: Path | None) -> Path:
    from .folders import default_source

    return given if given is not None else default_source()


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
    source: Optional[Path] = SOURCE,
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
    jobs: Optional[int] = typer.Option(None, "-j", "--jobs", min=1, help="Lay the PDF out in this many processes at once (default, and at most: one per core)."),
    timeout: Optional[float] = typer.Option(None, "--timeout", metavar="SECONDS", help="Stop the build (exit 8, nothing written) if it takes longer than this."),
    max_memory: Optional[int] = typer.Option(None, "--max-memory", metavar="MB", help="Stop the build (exit 8, nothing written) if its processes together hold more memory than this."),
    volumes: Optional[int] = typer.Option(
        None, "--volumes", metavar="N", help="Split the anthology between stories into N volumes of even size, each a whole book (anthology-vol1.epub, …); default: anthology.toml's [volumes], else one book."
    ),
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
    source = _source(source)
    # A build watched for time and memory runs in a process of its own (bounded.py), which starts its own server.
    if "pdf" in _formats(formats) and profile != "screen" and jobs != 1 and timeout is None and max_memory is None:
        from .package.pdf.chunks import warm_up

        warm_up(source)  # the PDF's layout server imports weasyprint while this process imports the rest and reads
    from . import timings
    from .build import build as run_build
    from .diagnostics import stopping
    from .options import BuildOptions
    from .budget import VolumeBudget
    from .signatures import Signatures
    from .package.formats import choices

    signatures = Signatures(layout, sheets, duplex, flyleaves, pages, _formats(marks) if marks is not None else None, paper_size)
    options = BuildOptions(
        source=source, output=output, formats=_formats(formats), theme=theme, trim=trim, profile=profile, bleed=bleed,
        cover_pdf=cover_pdf, paper=paper, verify=verify, cache=cache, jobs=jobs, timeout=timeout, max_memory=max_memory, signatures=signatures,
        volumes=VolumeBudget(count=volumes),
    )
    problems = options.problems(choices())
    if problems:  # every mistake of the command line at once, exit 2
        raise stopping(problems)
    with timings.recording(), _progress(quiet) as step:
        timings.started()  # the interpreter and the imports so far
        result = run_build(options, step)
    _report(result.diagnostics, verbose, quiet)
    if not quiet:
        for path in result.outputs:
            typer.echo(f"wrote {path} ({path.stat().st_size:,} bytes)")


@app.command()
def batch(
    works: Path = typer.Argument(..., metavar="LIST_OR_FOLDER", callback=_fits, help="A folder holding one folder of stories per book, or a text file naming one such folder per line."),
    output: Path = typer.Option(Path("output"), "-o", "--output", callback=_fits, help="Folder to write each book into, as OUTPUT/<the work's folder name>/."),
    formats: str = FORMATS_OPTION,
    theme: Optional[str] = THEME,
    trim: Optional[str] = typer.Option(None, "--trim", help="Print trim size (default: each work's anthology.toml, else the theme's)."),
    profile: str = typer.Option("print", "--profile", help="PDF profile: print, screen or booklet."),
    scheduler: Optional[str] = typer.Option(
        None, "--scheduler", envvar="DASK_SCHEDULER_ADDRESS", help="A Dask scheduler's address (tcp://host:8786) to build on its workers (default: a cluster of this machine's cores)."
    ),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, help="Worker processes of the local cluster (default: one per core); ignored with --scheduler."),
    timeout: float = typer.Option(600.0, "--timeout", min=1, help="Seconds a book's EPUB or PDF may take; one that runs over is stopped and reported, the others go on."),
    memory: str = typer.Option("2GB", "--memory", help="Memory a book's build may hold (2GB, 1500MB); one that runs over is stopped and reported."),
    rebuild: bool = typer.Option(False, "--rebuild", help="Build every book, even those whose last build into OUTPUT is still right."),
    page_list: bool = typer.Option(
        False, "--page-list", help="Make each work's EPUB with its PDF, in one task, so that it carries the print edition's page numbers (the EPUB then waits for the PDF)."
    ),
    verify: bool = typer.Option(True, "--verify/--no-verify", help="Check that every word of every story is in each book before writing it."),
    cache: bool = typer.Option(True, "--cache/--no-cache", help="Keep each PDF's laid-out chunks for the next build of its work (OUTPUT/<work>/.anthology-cache)."),
    report: Optional[Path] = typer.Option(None, "--report", callback=_fits, help="Also write every book's outcome, time, memory and worker to this JSON file."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="A line per book, and every book's warnings."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Only the failures."),
) -> None:
    """Build many books at once, one per work, on a Dask cluster: this machine's cores, or a scheduler's workers."""
    import time

    from .batch.cluster import require_dask

    require_dask()  # before anything imports it
    from .batch import Limits, build_many
    from .batch.many import problems_of
    from .atomic import write_atomically
    from .batch.summary import parse_size, report_json, summary_lines
    from .batch.works import find_works
    from .diagnostics import ExitCode, diagnostic, stopping
    from .options import BuildOptions

    try:
        ceiling = parse_size(memory)
    except ValueError as exc:
        typer.echo(f"error: --memory: {exc}", err=True)
        raise typer.Exit(ExitCode.USAGE) from None
    found, notes = find_works(works, output)
    _report(notes, verbose, quiet)
    jobs = [
        BuildOptions(source=w.source, output=output / w.name, formats=_formats(formats), theme=theme, trim=trim, profile=profile, verify=verify, cache=cache)
        for w in found
    ]
    problems = problems_of(jobs[:1])  # the same options for every book: said once, before any cluster starts
    if problems:
        raise stopping(problems)
    started = time.monotonic()
    signal.signal(signal.SIGTERM, _interrupt)  # stopped by a service manager: close the cluster as for Ctrl-C
    with _batch_progress(len(jobs), quiet) as on_book:
        try:
            results = build_many(
                jobs, scheduler=scheduler, workers=workers, limits=Limits(timeout=timeout, memory=ceiling), rebuild=rebuild, split=not page_list,
                names=[w.name for w in found], on_book=on_book,
            )
        except KeyboardInterrupt:
            typer.echo("stopped: every book written so far is whole; run the same command again to build the rest", err=True)
            raise typer.Exit(130) from None
    if verbose:
        for result in results:
            _report(result.diagnostics, verbose, quiet)
    elapsed = time.monotonic() - started
    if report is not None:
        write_atomically(report, report_json(results, elapsed).encode())
    lines = summary_lines(results, elapsed, verbose)
    failed = sum(1 for r in results if r.status == "failed")
    if not quiet or failed:
        for line in lines:
            typer.echo(line)
    if failed:
        raise stopping([diagnostic("B010", failed=failed, total=len(results))])


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def _batch_progress(books: int, quiet: bool) -> Iterator[Callable[[BookResult], None] | None]:
    """A bar over the books, advancing as each book's last part finishes (on a terminal only)."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn())
    counts = {"built": 0, "cached": 0, "failed": 0}
    with Progress(*columns, console=Console(stderr=True)) as progress:
        bar = progress.add_task("books", total=books)

        def on_book(result: BookResult) -> None:
            counts[result.status.value] += 1
            progress.update(bar, advance=1, description=f"books: {counts['built']} built, {counts['cached']} cached, {counts['failed']} failed")

        yield on_book


@app.command()
def deliver(
    device: Optional[str] = typer.Argument(
        None, metavar="DEVICE", help="The e-reader: its mounted folder; or kobo, kindle or its folder name when several are connected (default: the one found)."
    ),
    source: Optional[Path] = typer.Option(None, "-s", "--source", show_default=False, callback=_fits, help=SOURCE_HELP),
    output: Path = typer.Option(Path("output"), "-o", "--output", callback=_fits, help="Folder of the built book; it is built there unless it is newer than every input."),
    theme: Optional[str] = THEME,
    book_format: Optional[str] = typer.Option(None, "--format", help="Send this format instead of the one the device reads best: epub, kepub or azw3."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="Also show informational notes."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Show errors only."),
) -> None:
    """Copy the book onto a connected e-reader, in the format it reads best (KEPUB for Kobo, AZW3 for Kindle, EPUB for others)."""
    from .deliver import BOOK_NAMES, deliver as run_deliver
    from .diagnostics import ExitCode

    if book_format is not None and book_format not in BOOK_NAMES:
        typer.echo(f"error: unknown format {book_format}; choose from {', '.join(BOOK_NAMES)}", err=True)
        raise typer.Exit(ExitCode.USAGE)
    with _progress(quiet) as step:
        done = run_deliver(_source(source), output, device, theme, book_format, step)
    _report(done.diagnostics, verbose, quiet)
    if quiet:
        return
    name = {"kepub": "KEPUB", "epub": "EPUB", "azw3": "AZW3"}[book_format or done.device.format]
    reason = f"{done.device.why}" if book_format is None else f"{name}, as asked"
    typer.echo(f"found {done.device}: {reason}")
    typer.echo({
        "current": f"using the built {done.book} (newer than every story, the manifest and the theme)",
        "converted": f"made {done.book} from the built EPUB (newer than every story, the manifest and the theme)",
        "built": f"built {done.book} (with the PDF, for the print edition's page numbers)",
    }[done.how])
    replaced = ", replacing the earlier copy" if done.replaced else ""
    typer.echo(f"copied {name} to {done.target} ({done.size:,} bytes){replaced}")
    typer.echo(f"Eject the {done.device.kind} before unplugging it.")


@app.command()
def inspect(
    source: Optional[Path] = SOURCE,
    as_json: bool = typer.Option(False, "--json", help="Print what was recognised as JSON (the shape the labelled corpus is scored in)."),
    volumes: Optional[int] = typer.Option(None, "--volumes", metavar="N", help="Also show how build --volumes N would split the anthology (default: anthology.toml's [volumes], if any)."),
    theme: Optional[str] = THEME,
) -> None:
    """Show what was recognised in each story of SOURCE (title, author, notes, sections, …) and what was left out, and the volume plan if the book is split."""
    from .inspect import format_reports, inspect as run_inspect, volume_plan

    source = _source(source)
    reports = run_inspect(source)
    plan = volume_plan(source, volumes, theme, [r.story for r in reports])
    if as_json:
        import json

        from .config import load_config
        from .inspect import as_json as report_json

        language = load_config(source).language
        shown: dict[str, object] = {"stories": [report_json(r, language) for r in reports]}
        if plan is not None:
            shown["volumes"] = plan[1]
        typer.echo(json.dumps(shown, ensure_ascii=False, indent=1))
        return
    typer.echo(format_reports(reports), nl=False)
    if plan is not None:
        typer.echo("\n" + "\n".join(plan[0]))


@app.command()
def check(
    source: Optional[Path] = SOURCE,
    book: Path = typer.Option(Path("output"), "--book", callback=_fits, help="Folder holding anthology.epub and/or anthology.pdf (build's -o)."),
    theme: Optional[str] = typer.Option(None, "--theme", help="The theme the PDF was built with, if not anthology.toml's (for the page-quality check)."),
) -> None:
    """Check a built book against its stories: every word present, the validators that are installed, and the PDF's pages as a typesetter would (warnings)."""
    from .checkbook import run_check
    from .diagnostics import ExitCode

    lines, ok = run_check(_source(source), book, theme)
    for line in lines:
        typer.echo(line)
    if not ok:
        raise typer.Exit(ExitCode.OUTPUT)


@app.command()
def watch(
    source: Optional[Path] = SOURCE,
    output: Path = OUTPUT,
    formats: str = FORMATS_OPTION,
    theme: Optional[str] = THEME,
    max_builds: Optional[int] = typer.Option(None, "--max-builds", hidden=True, help="Stop after this many builds (for tests)."),
) -> None:
    """Build, then rebuild whenever a story, anthology.toml or the theme changes (Ctrl-C to stop)."""
    from .build import build as run_build
    from .config import load_config
    from .diagnostics import Severity, stopping
    from .options import BuildOptions
    from .package.formats import choices
    from .render.theme import load_theme
    from .watch import watch_and_build

    source = _source(source)
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
    source: Optional[Path] = SOURCE,
    force: bool = typer.Option(False, "--force", help="Replace an existing anthology.toml."),
) -> None:
    """Write an anthology.toml for the stories in SOURCE, filled with what was recognised."""
    from .init import write_manifest

    target = write_manifest(_source(source), force)
    typer.echo(f"wrote {target}")


themes_app = typer.Typer(help="List the built-in themes, or preview one as an image of a spread.", invoke_without_command=True)
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
    source: Optional[Path] = typer.Option(None, "--source", show_default=False, callback=_fits, help="Stories to set (default: the current folder; seeds/ in anthology's own checkout)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", callback=_fits, help="Image to write, as its suffix says: .png, .jpg or .webp (default: NAME-preview.png)."),
) -> None:
    """Render a sample spread of NAME to an image (PNG, JPEG or WebP, as the file's suffix says)."""
    from .preview import image_format, preview

    target = output or Path(f"{Path(name).name}-preview.png")
    image_format(target)  # a suffix it cannot write is refused before anything is built
    preview(name, _source(source), target)
    typer.echo(f"wrote {target}")


def main() -> None:
    # A plain `kill` (SIGTERM) stops a command as an error does: layout processes are let go at once
    # and no temporary file is left, where Python's default would end the process on the spot.
    signal.signal(signal.SIGTERM, _terminated)
    _leave(_run())


def _run() -> int:
    # Every command stops the same way: a BuildError's diagnostics and its exit code, never a
    # traceback; anything else is a bug, reported in one line (the traceback only with --debug).
    try:
        app(prog_name="anthology")
    except SystemExit as exc:  # how click ends every command
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        typer.echo(exc.code, err=True)
        return 1
    except Exception as exc:
        from .diagnostics import BuildError, ExitCode, printable

        if isinstance(exc, BuildError):
            _report(exc.diagnostics, verbose=True, quiet=False)
            return exc.exit_code
        if "--debug" in sys.argv:
            raise

        typer.echo(f"internal error: {type(exc).__name__}: {printable(str(exc))}\nRun again with --debug and report the traceback.", err=True)
        return ExitCode.INTERNAL
    return 0


def _terminated(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _leave(code: int) -> None:
    """End the process once the command is done: what it wrote is flushed and closed, and the
    handlers registered to run at exit are run; what is skipped is freeing every object one by one,
    which a long build's interpreter takes a fifth of a second or more to do for nothing."""
    sys.stdout.flush()
    sys.stderr.flush()
    atexit._run_exitfuncs()
    os._exit(code)


if __name__ == "__main__":
    main()
