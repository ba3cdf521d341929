"""Issue 15: diagnostics are declared data. Every code the program reports is in the one registry
(compiler/diagnostics.py) with the severity and exit code it is used with, no two meanings share a
code, and the README's tables of diagnostics and exit codes are the registry's own
(`pytest tests/test_diagnostics.py --update-golden` rewrites them)."""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Callable
from pathlib import Path

import pytest

from compiler.diagnostics import CODES, EXIT_MEANINGS, ExitCode, Severity

from .helpers import ROOT

README = ROOT / "README.md"
CODE = re.compile(r"^[A-Z]\d{3}$")
FAMILIES = {
    "A": "reading the stories", "B": "`batch`", "C": "anthology.toml and the covers", "D": "`deliver`", "I": "imposition for sewn signatures",
    "K": "`check`", "L": "limits", "N": "notes", "O": "writing the books", "P": "the PDF", "Q": "page quality",
    "T": "the theme", "U": "the command line", "V": "the nothing-lost check",
}


def _uses() -> list[tuple[str, str, str | None, str | None]]:
    """(where, code, severity, exit code) for every code written in the program; severity and exit
    code when the call says them."""
    found = []
    for path in sorted((ROOT / "compiler").rglob("*.py")):
        where = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                args = [a.value if isinstance(a, ast.Constant) else ast.unparse(a) for a in node.args]
                texts = [a for a in args if isinstance(a, str) and CODE.match(a)]
                if not texts:
                    continue
                severity = {"warning": "WARNING", "info": "INFO", "fail": "ERROR"}.get(name)
                exit_code = None
                if name == "Diagnostic" and len(args) > 1:
                    severity = str(args[1]).removeprefix("Severity.")
                if name == "fail":
                    exit_code = str(args[0]).removeprefix("ExitCode.")
                found.append((where, texts[0], severity, exit_code))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.match(node.value):
                found.append((where, node.value, None, None))
    return found


def test_every_code_the_program_uses_is_declared_with_the_severity_and_exit_code_it_is_used_with() -> None:
    wrong = []
    for where, code, severity, exit_code in _uses():
        declared = CODES.get(code)
        if declared is None:
            wrong.append(f"{where}: {code} is not in compiler/diagnostics.py CODES")
            continue
        if severity is not None and severity != declared.severity.name:
            wrong.append(f"{where}: {code} used as {severity}, declared {declared.severity.name}")
        if exit_code is not None and (declared.exit is None or exit_code != declared.exit.name):
            wrong.append(f"{where}: {code} stops with {exit_code}, declared {declared.exit}")
    assert wrong == []


def test_every_declared_code_is_used() -> None:
    used = {code for where, code, _, _ in _uses() if where != "compiler/diagnostics.py"}
    assert sorted(set(CODES) - used) == []


def test_errors_say_how_they_stop_and_notes_never_stop() -> None:
    for code in CODES.values():
        assert (code.exit is not None) == (code.severity == Severity.ERROR), code.code
        assert code.code[0] in FAMILIES and code.message and code.fix, code.code
        fields = [name for _, name, _, _ in string.Formatter().parse(code.message) if name is not None]
        assert all(name.isidentifier() for name in fields), code.code


def _shown(template: str) -> str:
    return template.replace("|", "\\|")


def diagnostics_table() -> str:
    rows = ["| code | severity | exit | message | what to do |", "| --- | --- | --- | --- | --- |"]
    for family, title in FAMILIES.items():
        rows.append(f"| **{family}** | | | *{title}* | |")
        for code in (c for c in CODES.values() if c.code.startswith(family)):
            exit_code = str(int(code.exit)) if code.exit is not None else ""
            rows.append(f"| `{code.code}` | {code.severity.name.lower()} | {exit_code} | {_shown(code.message)} | {_shown(code.fix)} |")
    return "\n".join(rows)


def exit_codes_table() -> str:
    rows = ["| code | meaning |", "| --- | --- |"]
    rows += [f"| {int(code)} | {EXIT_MEANINGS[code]} |" for code in ExitCode]
    return "\n".join(rows)


def _block(text: str, name: str) -> tuple[int, int]:
    start = text.index(f"<!-- {name}: generated from compiler/diagnostics.py by tests/test_diagnostics.py --update-golden -->\n")
    start = text.index("\n", start) + 1
    return start, text.index(f"<!-- end {name} -->", start)


@pytest.mark.parametrize(("name", "table"), [("exit codes", exit_codes_table), ("diagnostics", diagnostics_table)])
def test_the_readme_tables_are_the_registry(name: str, table: Callable[[], str], request: pytest.FixtureRequest) -> None:
    text = README.read_text(encoding="utf-8")
    start, end = _block(text, name)
    wanted = table() + "\n"
    if request.config.getoption("--update-golden"):
        README.write_text(text[:start] + wanted + text[end:], encoding="utf-8")
        return
    assert text[start:end] == wanted, "the README's table differs from CODES: run pytest tests/test_diagnostics.py --update-golden"


def test_no_code_means_two_things() -> None:
    # The cover image's codes were C001/C002, which anthology.toml's unknown key and wrong type
    # also used: each code now has one message, one meaning.
    assert len({c.code for c in CODES.values()}) == len(CODES)
    assert "cover" not in CODES["C001"].message and "cover" in CODES["C030"].message
    sources = [Path(w) for w, code, _, _ in _uses() if code in ("C001", "C002")]
    assert {p.name for p in sources} <= {"config.py", "diagnostics.py"}
