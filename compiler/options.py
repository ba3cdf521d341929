"""What a build is asked to make: one frozen value, passed whole to `build()`.

The command line fills it in from its flags, a program (or a batch runner sending builds to other
processes: it pickles) from its own settings; `settled()` then takes what neither decided from the
stories' `anthology.toml`. Nothing here imports more than the standard library, so building an
options value costs nothing and says nothing about how the books are made.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .diagnostics import Diagnostic, diagnostic
from .budget import VolumeBudget
from .signatures import Signatures

if TYPE_CHECKING:
    from .config import Config

DEFAULT_FORMATS = ("epub", "pdf")
# What the PDF is for: a printer (trim-size pages, PDF/X-4), a screen (tagged PDF/UA-1), a
# booklet folded from sheets printed at home (imposed 2-up), or signatures sewn by hand (the book,
# and beside it the sheets imposed for folding: package/press/signatures.py).
PROFILES = ("print", "screen", "booklet", "signatures")


# The command line's name for each field of Signatures, in order.
SIGNATURE_FLAGS = ("layout", "sheets", "duplex/--single-sided", "flyleaves", "pages", "marks", "paper-size")


@dataclass(frozen=True)
class BuildOptions:
    source: Path = Path("seeds")  # the folder of stories (and its anthology.toml)
    output: Path = Path("output")  # where the books are written
    formats: tuple[str, ...] = DEFAULT_FORMATS  # as --format names them (package/formats.py)
    theme: str | None = None  # a theme's name or folder; None: anthology.toml's, else classic
    trim: str | None = None  # print trim size; None: anthology.toml's, else the theme's
    profile: str = "print"  # one of PROFILES
    bleed: bool = False  # 0.125 in of bleed and crop marks round every page (print profile)
    cover_pdf: bool = False  # also the wrap cover, anthology-cover.pdf (print profile)
    paper: str = "white"  # the interior paper, for the wrap cover's spine width
    verify: bool = True  # every word of every story checked in each book before anything is written
    cache: bool = True  # reuse the PDF layout of unchanged stories from the last build into `output`
    jobs: int | None = None  # PDF layout processes at once; None: one per core
    one_pass: bool = False  # lay the PDF out in one pass, not in parallel chunks (the tests' reference)
    signatures: Signatures = Signatures()  # the signatures profile's imposition
    timeout: float | None = None  # seconds the whole build may take; past it, it is stopped (exit 8)
    max_memory: int | None = None  # MB of resident memory the build's processes may hold together
    volumes: VolumeBudget = VolumeBudget()  # split into volumes between stories (compiler/volumes.py); none: one book

    def settled(self, config: Config) -> BuildOptions:
        """These options with what they leave open taken from the manifest: flags win over it. The
        layout processes are capped at the cores there are: the layout is CPU-bound, so more only
        add memory (each holds weasyprint and the theme, about 100 MB) and gain no time."""
        jobs = min(self.jobs, cores()) if self.jobs is not None else None
        return dataclasses.replace(
            self, theme=self.theme or config.theme, trim=self.trim or config.trim or None, jobs=jobs, signatures=self.signatures.over(config.signatures),
            volumes=self.volumes.over(config.volumes),
        )

    def problems(self, known_formats: tuple[str, ...]) -> list[Diagnostic]:
        """Every option that cannot be met, all at once (a bad command line: exit code 2)."""
        found = []
        unknown = [f for f in self.formats if f not in known_formats]
        if unknown or not self.formats:
            found.append(diagnostic("U001", formats=", ".join(unknown) or "(none)", known=", ".join(known_formats)))
        if self.profile not in PROFILES:
            found.append(diagnostic("U002", profile=self.profile, known=", ".join(PROFILES)))
        if self.jobs is not None and self.jobs < 1:
            found.append(diagnostic("U003", jobs=self.jobs))
        if self.trim:  # --trim (the manifest's and the theme's are checked where they are read)
            from .diagnostics import BuildError
            from .trims import parse_trim

            try:
                parse_trim(self.trim)
            except BuildError as bad:  # a usage error here (exit 2); in anthology.toml it is the manifest's (P001)
                found += [diagnostic("U004", problem=d.message) for d in bad.diagnostics]
        if self.timeout is not None and not self.timeout > 0:
            found.append(diagnostic("U006", option="--timeout", expected="a number of seconds over 0", value=self.timeout))
        if self.max_memory is not None and self.max_memory < 1:
            found.append(diagnostic("U006", option="--max-memory", expected="a number of megabytes over 0", value=self.max_memory))
        if self.volumes.count is not None and self.volumes.count < 1:
            found.append(diagnostic("U008", value=self.volumes.count))
        for key, value in (("words", self.volumes.words), ("pages", self.volumes.pages)):
            if value is not None and value < 1:  # a program's own budget (the manifest's is checked as it is read)
                found.append(diagnostic("U008", value=f"{value} ({key})"))
        given = [f"--{flag}" for flag, value in zip(SIGNATURE_FLAGS, dataclasses.astuple(self.signatures)) if value is not None]
        if given and self.profile != "signatures":
            found.append(diagnostic("U007", flags=", ".join(given)))
        return found


def cores() -> int:
    """The cores this process may run on (a container's or taskset's share, not the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
