from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from compiler.build import BuildResult, build
from compiler.options import BuildOptions

from .helpers import SEEDS, epubcheck_problems, run_epubcheck_many


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", default=False,
        help="rewrite each tests/golden/<case>/expected from what the program makes now (review the diff)",
    )


# Property tests: 200 examples each in CI; `--hypothesis-profile=long` for release checks.
# The default is derandomized: CI runs the same 200 examples every time, so a red CI means a change
# broke something, not that the search got lucky; the long profile explores with fresh examples.
settings.register_profile("default", max_examples=200, deadline=None, derandomize=True)
settings.register_profile("long", max_examples=2000, deadline=None)

# Every EPUB any test builds is validated: tests register what they write, and EPUBCheck runs once
# over all of them at the end of the session (one JVM start instead of one per book).
BUILT_EPUBS: list[Path] = []


@pytest.fixture(autouse=True)
def _register_built_epubs(tmp_path: Path):  # type: ignore[no-untyped-def]
    yield
    BUILT_EPUBS.extend(sorted(tmp_path.rglob("*.epub")))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    epubs = [p for p in dict.fromkeys(BUILT_EPUBS) if p.exists()]
    if not epubs:
        return
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        reports = run_epubcheck_many(epubs, Path(tmp))
    failed = {path: epubcheck_problems(r) or ["FATAL"] for path, r in reports.items() if epubcheck_problems(r) or r["checker"].get("nFatal")}
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    line = reporter.write_line if reporter else print
    line("")
    line(f"EPUBCheck 5.3 on every EPUB the tests built: {len(epubs) - len(failed)} of {len(epubs)} clean (0 errors, 0 warnings)")
    for path, problems in failed.items():
        for problem in problems:
            line(f"  {path}: {problem}")
    if failed:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def seeds_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The seeds, built once for the whole session with the shipped anthology.toml."""
    out = tmp_path_factory.mktemp("seeds-out")
    result = build(BuildOptions(source=SEEDS, output=out))
    BUILT_EPUBS.extend(p for p in result.outputs if p.suffix == ".epub")
    return result


@pytest.fixture(scope="session")
def bare_seeds_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The two seed stories alone, without an anthology.toml."""
    src = tmp_path_factory.mktemp("bare-seeds")
    for story in SEEDS.glob("*.txt"):
        shutil.copy2(story, src / story.name)
    result = build(BuildOptions(source=src, output=tmp_path_factory.mktemp("bare-out")))
    BUILT_EPUBS.extend(p for p in result.outputs if p.suffix == ".epub")
    return result


def write_story(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
