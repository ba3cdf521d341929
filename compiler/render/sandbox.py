"""Render stage: the Jinja environment a theme's templates run in — data in, markup out, no code.

A theme is data a user may download from anyone, so its templates must not be able to run code.
They get a view model of plain dicts, lists and strings (view.py) and only loop and branch over it,
in Jinja's immutable sandbox: no attribute that starts with an underscore (`cycler.__init__.
__globals__`, the way from a template out to `os`), no method that changes a value, no unsafe
callable; here also no string or list multiplied past a book's size and no power of a huge exponent
(each would take the machine's memory or time). Templates are loaded only from the theme chain's
`templates/` folders: Jinja refuses `..` in a name, and the loader refuses a file that resolves,
links followed, outside the chain (theme.py). A template's error names the template and its line
and stops the build as the theme's fault (exit 5), never as a traceback.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment
from lxml import etree

from ..confine import file_or_link
from ..diagnostics import BuildError, stop
from .theme import Theme

_MAX_REPEAT = 1_000_000  # characters or items a template may make by multiplying: a page's worth and more
_MAX_EXPONENT = 1_000


class ThemeLoader(jinja2.BaseLoader):
    """The chain's templates/ folders, most specific first, each file read through the theme's checks."""

    def __init__(self, theme: Theme) -> None:
        self.theme = theme

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)  # TemplateNotFound for "..": no way up out of templates/
        for folder in self.theme.folders:
            path = folder.joinpath("templates", *pieces)
            if file_or_link(path):
                return self.theme.read_text(path), str(path), lambda: True
        raise jinja2.TemplateNotFound(template)


class _Sandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(count, int) and len(seq) * count > _MAX_REPEAT:
                    raise SecurityError(f"a template may not make more than {_MAX_REPEAT:,} characters or items by multiplying")
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > _MAX_EXPONENT:
            raise SecurityError(f"a template may not raise a number to a power over {_MAX_EXPONENT}")
        return super().call_binop(context, operator, left, right)


def environment(theme: Theme) -> jinja2.Environment:
    return _Sandbox(
        loader=ThemeLoader(theme),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _template_line(exc: BaseException, theme: Theme) -> tuple[Path | None, int]:
    """The template file and line an error was raised at (Jinja writes templates' frames as theirs)."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return Path(exc.filename), exc.lineno
    roots = [str(folder) for folder in theme.folders]
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.startswith(tuple(roots)):
            return Path(frame.filename), frame.lineno or 0
    return None, 0


# What a template's own mistakes raise: Jinja's errors (syntax, an undefined name, the sandbox) and
# what an expression can raise on the data (a wrong type, a missing key, a division by zero).
_TEMPLATE_FAULTS = (jinja2.TemplateError, TypeError, ValueError, LookupError, ArithmeticError, AttributeError, RecursionError)


def render_template(env: jinja2.Environment, theme: Theme, template: str, /, **context: Any) -> bytes:
    """One template rendered to a well-formed XHTML document, or the theme's error saying where it went wrong."""
    try:
        xhtml = env.get_template(template).render(**context).encode("utf-8")
    except BuildError:
        raise  # a template file the theme may not use (theme.py said why)
    except jinja2.TemplateNotFound as exc:
        raise stop("T002", theme.folders[0], name=repr(theme.name), file=f"templates/{exc.name}") from None
    except _TEMPLATE_FAULTS as exc:
        path, line = _template_line(exc, theme)
        error = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else f"{type(exc).__name__}: {exc}"
        raise stop("T011", path, line, template=template, error=error) from None
    try:
        etree.fromstring(xhtml)
    except etree.XMLSyntaxError as exc:  # a theme template wrote broken markup
        raise stop("T010", template=template, error=exc) from None
    return xhtml
