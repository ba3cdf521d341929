"""Issue 17: coverage-guided fuzzing in the test suite. Each target of tests/fuzz (the readers,
bytes → Story in every text format; EPUBs; the anthology.toml loader; the theme.toml loader) runs
under atheris for ANTHOLOGY_FUZZ_SECONDS (CI: 50, through .ci/run; 5 elsewhere, so a developer's
run stays quick), seeded with the hostile shapes, the seed stories and the corpus. A crash fails the
test with the input and a command that replays it; add the input to tests/fuzz/seeds.py once fixed."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from .fuzz import TARGETS
from .fuzz.runner import run

SECONDS = int(os.environ.get("ANTHOLOGY_FUZZ_SECONDS") or 5)

pytestmark = [
    pytest.mark.fuzz,
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("atheris") is None,
                       reason="atheris is not installed (pip install -e '.[test]' brings it; a cp311+ wheel on Linux)"),
]


@pytest.mark.epub_inputs  # the epub target's book, its chapter or package mutated
@pytest.mark.parametrize("target", TARGETS)
def test_fuzz_target_finds_no_crash(tmp_path: Path, target: str) -> None:
    outcome = run(target, SECONDS, tmp_path)
    print(outcome.summary())  # executions, speed and coverage, for -s or a failure's captured output
    assert not outcome.failed, outcome.summary()
    assert outcome.runs > 0, f"the fuzzer ran no input; its log: {outcome.log.read_text(errors='replace')[-2000:]}"
