"""Issue 15: the stages depend on each other one way only. Readers never reach for the packagers,
the packagers never reach for the verifier (it reads their books back through them), and no two
modules import each other, directly or round a longer loop.

The import graph is read from the source with `ast`, every `import` counted wherever it stands
(at the top, inside a function, under `if TYPE_CHECKING:`), so a lazy import cannot hide a loop.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .helpers import ROOT

PACKAGE = ROOT / "compiler"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The compiler modules `name` imports: `from .x import y` counts as importing x.y when y is a
    module, else x."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            targets = [f"{prefix}.{alias.name}" if f"{prefix}.{alias.name}" in known else prefix for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:  # `import compiler.package.pdf.book as x`: the module itself
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def _under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_the_graph_sees_function_level_imports(graph: dict[str, set[str]]) -> None:
    # build() imports the packagers inside functions, to keep `anthology --help` quick: they count.
    assert any(_under(target, "compiler.package") for target in graph["compiler.build"])
    assert "compiler.check" in graph["compiler.checkbook"]


def test_no_reader_imports_a_packager(graph: dict[str, set[str]]) -> None:
    wrong = sorted(f"{m} imports {t}" for m, ts in graph.items() if _under(m, "compiler.read") for t in ts if _under(t, "compiler.package"))
    assert wrong == []


def test_no_packager_imports_the_verifier(graph: dict[str, set[str]]) -> None:
    verifier = ("compiler.check", "compiler.checkbook")
    wrong = sorted(f"{m} imports {t}" for m, ts in graph.items() if _under(m, "compiler.package") for t in ts if t in verifier)
    assert wrong == []


# Circles known and owned elsewhere, each listed so that no other can join it unseen; the test fails
# once one is gone, to be struck off. None today.
KNOWN_CIRCLES: set[str] = set()


def test_no_import_circles(graph: dict[str, set[str]]) -> None:
    # Depth-first search; a module met again while still on the path closes a circle.
    circles: list[str] = []
    state: dict[str, str] = {}  # "open" while on the path, "done" after

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph.get(module, ())):
            if state.get(target) == "open":
                circles.append(" → ".join(path[path.index(target) :] + [module, target]) if target in path else f"{module} → {target}")
            elif target not in state:
                visit(target, path + [module])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [])
    assert set(circles) == KNOWN_CIRCLES
