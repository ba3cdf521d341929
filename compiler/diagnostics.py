"""Diagnostics as values, and the one exception type that stops a build.

Every finding has a stable code, a severity, the file and line it is about and a message that says
what to do. Stages return diagnostics next to their result; the CLI prints them. A build stops only
through `BuildError`, whose `exit_code` tells the kind of failure (documented in the README).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path


class Severity(enum.IntEnum):
    INFO = 10
    WARNING = 20
    ERROR = 30


@dataclass(frozen=True)
class Diagnostic:
    code: str  # stable, e.g. "A101"; tests and users can filter on it
    severity: Severity
    message: str
    path: Path | None = None
    line: int = 0

    def where(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line else str(self.path)

    def __str__(self) -> str:
        where = self.where()
        head = f"{where}: " if where else ""
        return f"{head}{self.severity.name.lower()} {self.code}: {self.message}"


def info(code: str, message: str, path: Path | None = None, line: int = 0) -> Diagnostic:
    return Diagnostic(code, Severity.INFO, message, path, line)


def warning(code: str, message: str, path: Path | None = None, line: int = 0) -> Diagnostic:
    return Diagnostic(code, Severity.WARNING, message, path, line)


class ExitCode(enum.IntEnum):
    OK = 0
    USAGE = 2  # bad command line (typer's own code)
    INPUT = 3  # a story or the manifest cannot be read or understood
    CONFIG = 4  # anthology.toml is invalid
    THEME = 5  # the theme is missing or broken
    OUTPUT = 6  # the book could not be written, or failed its own checks
    DEVICE = 7  # deliver: no e-reader, several and none chosen, or the copy onto it failed
    INTERNAL = 70  # a bug: please report it (EX_SOFTWARE)


class BuildError(Exception):
    """Stops the build. Carries diagnostics that explain why; never shown as a traceback."""

    def __init__(self, exit_code: ExitCode, diagnostics: list[Diagnostic]) -> None:
        super().__init__("; ".join(str(d) for d in diagnostics))
        self.exit_code = exit_code
        self.diagnostics = diagnostics


def fail(exit_code: ExitCode, code: str, message: str, path: Path | None = None, line: int = 0) -> BuildError:
    return BuildError(exit_code, [Diagnostic(code, Severity.ERROR, message, path, line)])
