"""Issue 17, item 3: every regular expression run on story text takes time linear in the text.

A backtracking pattern made a 363-byte story with `by` and 300 spaces take 106 s. The patterns are
collected by walking the modules that run them on story text (every compiled pattern held by a
module, a class or a frozen table of them), so a new pattern is covered without a new test. Each is
fed runs of the characters it names itself and a few usual suspects (spaces, letters, digits, line
breaks), alone and after each word it spells out ("by", "Subject:"), at 5,000 and 100,000
characters; the larger may cost at most 25× the smaller (20× is linear, the rest is the noise of a
shared machine; a quadratic pattern costs 400×). Cost is CPU time, relative, never seconds.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import compiler.read
import compiler.transforms

SMALL, LARGE = 5_000, 100_000
LIMIT = 25.0
_BASICS = " \ta1.*-\u00a0é中"
_SINGLE_MODULES = ("compiler.check", "compiler.checkbook", "compiler.scripts", "compiler.sourcetext")


def _modules() -> Iterator[ModuleType]:
    for package in (compiler.read, compiler.transforms):
        yield package
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            yield importlib.import_module(info.name)
    for name in _SINGLE_MODULES:
        yield importlib.import_module(name)


def _patterns_in(value: object, depth: int = 0) -> Iterator[re.Pattern[str]]:
    if isinstance(value, re.Pattern):
        if isinstance(value.pattern, str):
            yield value
    elif depth < 2 and isinstance(value, (tuple, list, frozenset, set)):
        for item in value:
            yield from _patterns_in(item, depth + 1)
    elif depth < 2 and isinstance(value, dict):
        for item in value.values():
            yield from _patterns_in(item, depth + 1)
    elif depth == 0 and isinstance(value, type):
        for item in vars(value).values():
            yield from _patterns_in(item, depth + 1)


def _collect() -> dict[str, re.Pattern[str]]:
    found: dict[str, re.Pattern[str]] = {}
    for module in _modules():
        for name, value in vars(module).items():
            if isinstance(value, ModuleType):
                continue
            if isinstance(value, type) and value.__module__ != module.__name__:
                continue
            for k, pattern in enumerate(_patterns_in(value)):
                found.setdefault(f"{module.__name__}.{name}" + (f"[{k}]" if k else ""), pattern)
    return found


ANCHORED: set[str] = set()
_RE_CALLS = frozenset({"sub", "subn", "search", "match", "fullmatch", "findall", "finditer", "split", "compile"})


def _flags(node: ast.expr) -> int | None:
    """`re.I | re.M` and the like, as a number; None for anything else."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "re":
        value = getattr(re, node.attr, None)
        return int(value) if isinstance(value, re.RegexFlag) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left, right = _flags(node.left), _flags(node.right)
        return None if left is None or right is None else left | right
    return None


def _written_inline(module: ModuleType) -> Iterator[tuple[str, re.Pattern[str]]]:
    """Patterns written into a call (`re.sub(r"…", …)`), which no module attribute holds: a literal
    first argument, with the call's flags where they are spelled `re.X | re.Y`. One given to
    `re.match` or `re.fullmatch` is tried at the start only, and is measured so (ANCHORED)."""
    if not module.__file__ or not module.__file__.endswith(".py"):
        return
    for node in ast.walk(ast.parse(Path(module.__file__).read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _RE_CALLS):
            continue
        if not (isinstance(node.func.value, ast.Name) and node.func.value.id == "re") or not node.args:
            continue
        first = node.args[0]
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            continue
        flags = 0
        for arg in [*node.args[1:], *(k.value for k in node.keywords if k.arg == "flags")]:
            flags |= _flags(arg) or 0
        name = f"{module.__name__}:{node.lineno}"
        if node.func.attr in ("match", "fullmatch"):
            ANCHORED.add(name)
        yield name, re.compile(first.value, flags)


def _collect_all() -> dict[str, re.Pattern[str]]:
    found = _collect()
    seen = {(p.pattern, p.flags) for p in found.values()}
    for module in _modules():
        for name, pattern in _written_inline(module):
            if (pattern.pattern, pattern.flags) not in seen:
                seen.add((pattern.pattern, pattern.flags))
                found[name] = pattern
    return found


PATTERNS = _collect_all()


def _inputs(pattern: re.Pattern[str]) -> Iterator[tuple[str, str, str]]:
    r"""(prefix, repeated character, suffix): what the pattern names, then the usual suspects; each
    run alone and ended by "x." (a run that ends in another kind of character is what makes a
    `\s+$` or a `\w+@` try each start to the end and back)."""
    source = re.sub(r"\\[pPNuUx]\{?[0-9A-Fa-f]*\}?|\\[dDsSwWbB]", "", pattern.pattern)
    named = [ch for ch in dict.fromkeys(source) if (ch.isprintable() or ch in "\t\n") and ch not in "()[]{}|?+^$\\"]
    chars = dict.fromkeys([*_BASICS, "\n", *named[:12]])
    words = list(dict.fromkeys(re.findall(r"[A-Za-z][A-Za-z:]{1,15}", source)))[:2]
    for prefix in ["", "a", *words]:  # "a": a run after a letter, where `^…|…$` cannot take it whole
        for ch in chars:
            yield prefix, ch, ""
            yield prefix, ch, "x."


def _cost(pattern: re.Pattern[str], text: str, anchored: bool = False, budget: float = 0.002) -> float:
    """CPU seconds for one scan of every position, repeated until it is measurable. The matches are
    dropped as they come: `findall` keeps them all, and a list of 100,000 strings outgrows the
    caches, which made linear patterns measure 30× (and up to 130× under load)."""
    runs, start = 0, time.process_time()
    while True:
        if anchored:
            pattern.match(text)
        else:
            deque(pattern.finditer(text), maxlen=0)
        runs += 1
        spent = time.process_time() - start
        if spent > budget or runs >= 20 * budget / 0.002:
            return spent / runs


# A pattern still super-linear on some run of characters goes here, with why its input bounds it;
# it is not run (a quadratic probe at 100k characters takes minutes), and strict, so a pattern made
# linear fails here until it is taken off. Empty since the glossary line and the address cue.
KNOWN_SLOW: frozenset[str] = frozenset()


def test_the_walk_finds_the_patterns_that_once_hung() -> None:
    # The walk must reach into the recogniser and the check: an empty walk passes every test below.
    assert len(PATTERNS) > 80
    assert any(name.startswith("compiler.read.recognise.") for name in PATTERNS)
    assert "compiler.sourcetext._DESTINATION" in PATTERNS
    assert KNOWN_SLOW <= set(PATTERNS)


_SCAN = re.compile(r"(?!)")  # fails at once at every position: what reading the text costs


def _ratio(pattern: re.Pattern[str], prefix: str, ch: str, suffix: str = "", best_of: int = 1, anchored: bool = False,
           budget: float = 0.002) -> tuple[float, str]:
    """What 100k characters cost against 5k; each cost the least of `best_of` measurements (another
    process on the machine only ever adds time, so the least is the truest)."""

    def cost(n: int) -> float:
        return min(_cost(pattern, prefix + ch * n + suffix, anchored, budget) for _ in range(best_of))

    small = cost(SMALL)
    # A quick look at 4× first: a quadratic pattern shows 16× there, and 100k would take minutes.
    middle = cost(SMALL * 4)
    if middle > 12 * max(small, 2e-5):
        return middle / max(small, 1e-6) * 5, f"{prefix!r} + {ch!r}×n + {suffix!r} (at 20k)"
    return cost(LARGE) / max(small, 2e-5), f"{prefix!r} + {ch!r}×n + {suffix!r}"


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=pytest.mark.xfail(run=False, strict=True, reason="known super-linear")) if n in KNOWN_SLOW else n for n in sorted(PATTERNS)],
)
def test_pattern_is_linear_on_runs_of_its_worst_characters(name: str) -> None:
    pattern = PATTERNS[name]
    anchored = name in ANCHORED
    worst = max((_ratio(pattern, *where, anchored=anchored), where) for where in _inputs(pattern))
    (ratio, where), (prefix, ch, suffix) = worst
    if ratio > LIMIT:
        # Measured again before it is called super-linear: best of five, each ten times longer, and
        # set against a plain scan of the same text measured beside it. Another process on the
        # machine made a plain alternation look 47× once, and a linear `^[…][…]*$` 33× under two
        # test suites at once (the larger text loses more of the shared caches); a quadratic
        # pattern is 80× and more. The scan only ever lowers the ratio, and only when it too reads
        # over 20× (linear).
        ratio, where = _ratio(pattern, prefix, ch, suffix, best_of=5, anchored=anchored, budget=0.02)
        scan, _ = _ratio(_SCAN, prefix, ch, suffix, best_of=5, budget=0.02)
        ratio *= 20 / max(scan, 20)
    assert ratio <= LIMIT, f"{name} = {pattern.pattern!r}: 100k characters cost {ratio:.0f}× 5k on {where}"


def test_a_quadratic_pattern_is_caught() -> None:
    # The address cue as it was before it was made linear: `\S+@` tried from every letter of a run.
    ratio, _ = _ratio(re.compile(r"\S+@\S+\.\w+"), "", "a", best_of=3)
    assert ratio > 2 * LIMIT
    # … and the ornament's tail as it was, on a run of spaces ended by a letter.
    ratio, _ = _ratio(re.compile(r"^[\W_]+|[\W_]+$"), "a", " ", "x.", best_of=3)
    assert ratio > 2 * LIMIT
