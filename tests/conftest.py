"""Session-wide test set-up: hypothesis profiles, the EPUBCheck sweep over every EPUB the tests
build, the page-quality sweep over every book PDF they build (pagesweep.py), the labelled corpus (tests marked `corpus` skip, with the reason said once at the end, when it
is not beside the project; ANTHOLOGY_REQUIRE_CORPUS=1, as CI sets, makes that a failure), and
`--update-golden` for the golden folders (tests/golden/)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from compiler.build import BuildResult, build
from compiler.options import BuildOptions

from .helpers import CORPUS, SEEDS, epubcheck_problems, run_epubcheck_many

CORPUS_MISSING = (
    f"the labelled corpus is not at {CORPUS}: clone it beside the project as ../shared/corpus, "
    "or set ANTHOLOGY_CORPUS to its folder"
)
CORPUS_REQUIRED = os.environ.get("ANTHOLOGY_REQUIRE_CORPUS", "") not in ("", "0")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", default=False,
        help="rewrite each tests/golden/<case>/expected from what the program makes now (review the diff)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CORPUS.is_dir() or CORPUS_REQUIRED:
        return
    skip = pytest.mark.skip(reason=CORPUS_MISSING)
    for item in items:
        if item.get_closest_marker("corpus"):
            item.add_marker(skip)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if CORPUS_REQUIRED and not CORPUS.is_dir() and item.get_closest_marker("corpus"):
        pytest.fail(f"{CORPUS_MISSING} (ANTHOLOGY_REQUIRE_CORPUS is set: CI needs it)", pytrace=False)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "corpus" in getattr(r, "keywords", {})]
    if skipped:
        terminalreporter.write_line(f"{len(skipped)} corpus tests skipped: {CORPUS_MISSING}", yellow=True)

# Property tests: 200 examples each in CI; `--hypothesis-profile=long` for release checks.
# The default is derandomized: CI runs the same 200 examples every time, so a red CI means a change
# broke something, not that the search got lucky; the long profile explores with fresh examples.
settings.register_profile("default", max_examples=200, deadline=None, derandomize=True)
settings.register_profile("long", max_examples=2000, deadline=None)

# Every EPUB any test builds is validated: tests register what they write, and EPUBCheck runs once
# over all of them at the end of the session (one JVM start instead of one per book).
BUILT_EPUBS: list[Path] = []


@pytest.fixture(autouse=True)
def _register_built_epubs(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    yield
    if not request.node.get_closest_marker("epub_inputs"):  # malformed on purpose, to be read
        BUILT_EPUBS.extend(sorted(tmp_path.rglob("*.epub")))


# Every book PDF the session built gets the page-quality check at the end: every PDF under the
# session's temporary folder (module and session fixtures build there too), less the folders of
# tests marked page_faults, which make faulty books on purpose.
SESSION_TEMP: list[Path] = []
FAULTY_ON_PURPOSE: set[Path] = set()


@pytest.fixture(scope="session", autouse=True)
def _session_temp(tmp_path_factory: pytest.TempPathFactory) -> None:
    SESSION_TEMP.append(tmp_path_factory.getbasetemp())


@pytest.fixture(autouse=True)
def _faulty_on_purpose(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("page_faults"):
        FAULTY_ON_PURPOSE.add(request.getfixturevalue("tmp_path"))


def _page_quality_sweep(session: pytest.Session) -> None:
    from .pagesweep import sweep

    # Not the layout cache's chunks (.anthology-cache): pieces of books, checked as the books they make.
    pdfs = sorted({p for base in SESSION_TEMP for p in base.rglob("*.pdf") if not any(part.startswith(".") for part in p.relative_to(base).parts)})
    if not pdfs:
        return
    result = sweep(pdfs, FAULTY_ON_PURPOSE)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    line = reporter.write_line if reporter else print
    for text in result.lines():
        line(text)
    if result.failed:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _page_quality_sweep(session)
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
