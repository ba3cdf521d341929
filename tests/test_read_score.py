"""Issue 14: the recogniser's score on the labelled corpus never drops below the last one recorded.

`../shared/corpus/score.py` runs `inspect --json` on each of the public corpus's real files alone and
scores what was recognised against hand labels (labels.toml). The floor is the mean recorded in
bench/RECOGNITION.md; raise both together when the reader gets better.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import CORPUS, ROOT

# The mean score.py printed at the last recorded run (bench/RECOGNITION.md).
FLOOR = 0.976
# Fields this reader is responsible for, each at its recorded value or better (encoding and
# language are the decoder's and the language detector's).
FIELD_FLOORS = {
    "title": 1.0, "authors": 1.0, "summary": 1.0, "disclaimers": 1.0, "notes_before": 1.0, "notes_after": 1.0,
    "section_notes": 1.0, "headings": 0.99, "scene_breaks": 0.96, "notes": 1.0, "verbatim_blocks": 0.99,
}

SCORE = CORPUS / "score.py"


@pytest.mark.skipif(not SCORE.is_file(), reason="the labelled corpus (../shared/corpus/score.py) is not here")
def test_recognition_score_on_the_public_corpus_keeps_its_floor() -> None:
    run = subprocess.run(
        [sys.executable, str(SCORE), "--anthology", f"{sys.executable} -m compiler"],
        cwd=ROOT, capture_output=True, text=True, timeout=1200,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    mean = re.search(r"mean over \d+ files: ([\d.]+)%", run.stdout)
    assert mean is not None, run.stdout[-2000:]
    assert float(mean.group(1)) / 100 >= FLOOR, run.stdout
    fields = {m.group(1): float(m.group(2)) / 100 for m in re.finditer(r"^(\w+)\s+([\d.]+)%", run.stdout, re.M)}
    low = {f: fields.get(f, 0.0) for f, floor in FIELD_FLOORS.items() if fields.get(f, 0.0) + 1e-9 < floor}
    assert low == {}, run.stdout


def test_the_recorded_floor_is_the_one_in_recognition_md() -> None:
    page = (Path(ROOT) / "bench" / "RECOGNITION.md").read_text(encoding="utf-8")
    assert f"mean over 33 files: {FLOOR:.1%}" in page
