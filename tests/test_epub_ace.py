"""Issue 4: DAISY Ace (the accessibility checker publishers and stores use) finds no violation.

Ace 1.4.6 comes from npm (`tests/reading-system/package.json`, installed by `tests/run.sh` with
`npm ci`); it drives Debian's chromium through puppeteer, so no browser is downloaded. A missing Ace
or chromium fails these tests rather than skipping them: CI installs both.
"""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from compiler.build import BuildResult, build
from compiler.options import BuildOptions

from .helpers import CORPUS, ROOT

pytestmark = pytest.mark.external

TOOLS = ROOT / "tests" / "reading-system"
ACE = TOOLS / "node_modules" / ".bin" / "ace-cli"
CHROMIUM = Path("/usr/bin/chromium")
# What EPUB Accessibility 1.1 asks for and Ace reports as present or missing.
DISCOVERY = {"schema:accessMode", "schema:accessModeSufficient", "schema:accessibilityFeature", "schema:accessibilityHazard", "schema:accessibilitySummary"}


def run_ace(epub: Path, out: Path) -> dict:
    """Ace's report.json for one EPUB."""
    assert ACE.is_file(), f"{ACE} is missing: run `bash tests/run.sh` (npm ci in tests/reading-system)"
    assert CHROMIUM.is_file(), "Debian chromium is missing: run `bash tests/run.sh` (apt-get install chromium)"
    env = dict(os.environ, PUPPETEER_EXECUTABLE_PATH=str(CHROMIUM), PUPPETEER_SKIP_DOWNLOAD="1")
    run = subprocess.run([str(ACE), "-s", "-f", "-o", str(out), str(epub)], env=env, capture_output=True, text=True, timeout=600)
    report = out / "report.json"
    assert report.is_file(), f"Ace wrote no report (exit {run.returncode}): {run.stdout}{run.stderr}"
    return json.loads(report.read_text(encoding="utf-8"))


def violations(report: dict) -> list[str]:
    found = []
    for subject in report["assertions"]:
        for check in subject["assertions"]:
            if check["earl:result"]["earl:outcome"] != "pass":
                test = check["earl:test"]
                found.append(f"{subject['earl:testSubject']['url']}: {test['earl:impact']} {test['dct:title']}: {check['earl:result'].get('dct:description', '')}")
    return found


def _epub(result: BuildResult) -> Path:
    return next(p for p in result.outputs if p.suffix == ".epub")


def _content_documents(epub: Path) -> set[str]:
    with zipfile.ZipFile(epub) as z:
        return {Path(n).name for n in z.namelist() if n.endswith(".xhtml")}


def _assert_clean(epub: Path, out: Path) -> None:
    report = run_ace(epub, out)
    assert violations(report) == []
    assert report["earl:result"]["earl:outcome"] == "pass"
    # Ace looked at every content document, not at an empty book.
    checked = {Path(s["earl:testSubject"]["url"]).name for s in report["assertions"]}
    assert _content_documents(epub) <= checked
    assert DISCOVERY <= set(report["a11y-metadata"]["present"])
    assert report["a11y-metadata"]["empty"] == []


@pytest.mark.slow
def test_ace_finds_no_violation_in_the_seeds(seeds_build: BuildResult, tmp_path: Path) -> None:
    _assert_clean(_epub(seeds_build), tmp_path / "ace")


def test_ace_finds_no_violation_in_the_bare_seeds(bare_seeds_build: BuildResult, tmp_path: Path) -> None:
    # No anthology.toml: no editor, no subjects, and the cover names only the authors.
    _assert_clean(_epub(bare_seeds_build), tmp_path / "ace")


@pytest.mark.corpus
@pytest.mark.slow
def test_ace_finds_no_violation_in_the_corpus(tmp_path: Path) -> None:
    assert CORPUS.is_dir(), f"{CORPUS} is missing: the shared corpus sits beside the project"
    result = build(BuildOptions(source=CORPUS, output=tmp_path / "out", formats=("epub",)))
    _assert_clean(_epub(result), tmp_path / "ace")
