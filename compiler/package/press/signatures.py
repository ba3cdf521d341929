"""Package stage (PDF, signatures profile): the book imposed for a sewn binding, beside the book.

The row `signatures` of package/formats.py, made when the build's profile is `signatures`: from the
book's PDF (laid out as for print, without PDF/X: the sheets go to a home or office printer), once
the nothing-lost check has read it whole, the sheets of imposition.py, written to
`anthology-signatures.pdf`. The book stays beside them, to read or to proof page by page.

What to impose comes from the command line over the manifest's `[signatures]` table over the
defaults here; every value is checked before any work (`preflight`), all problems at once, each
naming where it was given (the manifest, or the command line when no file is named).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from pathlib import Path

from ...config import load_config
from ...diagnostics import BuildError, Diagnostic, diagnostic, stopping
from ...options import BuildOptions
from ...signatures import Signatures
from ..formats import Made, Work
from . import marks
from .folding import LAYOUTS
from .gathering import select_pages
from .imposition import SignatureOptions, impose
from .paper import parse_paper

DEFAULTS = Signatures(layout="folio", sheets=None, duplex=True, flyleaves=0, pages="", marks=marks.DEFAULT, paper="letter")


def chosen(options: BuildOptions) -> SignatureOptions:
    """The imposition a settled build asks for: its choices over the defaults."""
    wanted = options.signatures.over(DEFAULTS)
    return SignatureOptions(
        layout=(wanted.layout or "folio").lower(), paper=wanted.paper or "letter", sheets=wanted.sheets, duplex=wanted.duplex is not False,
        flyleaves=wanted.flyleaves or 0, pages=wanted.pages or "", marks=tuple(m.lower() for m in wanted.marks or ()),
    )


def _raised(check: Callable[[], object]) -> list[Diagnostic]:
    """What one of the engine's own checks (the paper, the page ranges) says, if anything."""
    try:
        check()
    except BuildError as error:
        return list(error.diagnostics)
    return []


def problems(options: SignatureOptions, given_in: Mapping[str, Path | None] | None = None) -> list[Diagnostic]:
    """Every choice the imposition cannot meet, all at once; `given_in` names the file each field
    came from (absent or None: the command line)."""
    where = given_in or {}
    found: list[tuple[str, Diagnostic]] = []
    if options.layout not in LAYOUTS:
        found.append(("layout", diagnostic("I004", layout=repr(options.layout), choices=", ".join(LAYOUTS))))
    if options.sheets is not None and options.sheets < 1:
        found.append(("sheets", diagnostic("I003", what=f"{options.sheets} sheets per signature; give 1 or more")))
    if options.flyleaves < 0:
        found.append(("flyleaves", diagnostic("I003", what=f"{options.flyleaves} flyleaves; give 0 or more")))
    unknown = sorted(set(options.marks) - set(marks.KINDS))
    if unknown:
        found.append(("marks", diagnostic("I005", marks=", ".join(unknown), choices=", ".join(marks.KINDS))))
    found += [("paper", d) for d in _raised(lambda: parse_paper(options.paper))]
    # The ranges' form now (as if the book ended at the last page they name); whether they lie
    # within the book once it is laid out.
    last = max((int(n) for n in re.findall(r"\d+", options.pages)), default=1)
    found += [("pages", d) for d in _raised(lambda: select_pages(options.pages, last))]
    return [dataclasses.replace(d, path=where.get(name)) for name, d in found]


def preflight(options: BuildOptions) -> None:
    """Before any work: the imposition asked for on the command line and in the manifest can be made."""
    config = load_config(options.source)
    settled = options.settled(config)
    given_in = {
        f.name: config.path if getattr(options.signatures, f.name) is None and getattr(config.signatures, f.name) is not None else None
        for f in dataclasses.fields(Signatures)
    }
    found = problems(chosen(settled), given_in)
    if found:
        raise stopping(found)


def package(work: Work) -> Made:
    """The signatures row of package/formats.py: the book's PDF imposed on sheets."""
    imposed = impose(work.made["pdf"].data, chosen(work.options))
    return Made(imposed.data, diagnostics=imposed.diagnostics)
