"""Runs fuzz targets, one process each (libFuzzer owns its process: its signal handlers, its
memory ceiling, its exit), and says what each found.

Each run: a fresh temporary folder with the target's seeds (seeds.py) and an empty corpus folder
where libFuzzer keeps the inputs that reached new code, `-max_total_time` seconds, a fixed `-seed`
(so CI is reproducible up to the machine's speed), `-rss_limit_mb=1024` and `-timeout=30` per
input — the bounds issue 17 holds every hostile case to. A crash, a timeout or an out-of-memory
leaves an artifact file; its path and a command that replays it are the result."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .seeds import ROOT, write_dictionary, write_seeds

MAX_LEN = 8192  # bytes an input may grow to: past the corpus seeds' 4 KB, small enough to run fast
_STATS = re.compile(r"^#(\d+)\s+(?:DONE|pulse|NEW|REDUCE|INITED)\s+cov: (\d+) ft: (\d+)(?:.*?exec/s: (\d+))?", re.M)
_ARTIFACT = re.compile(r"Test unit written to (\S+)")


@dataclass(frozen=True)
class Outcome:
    target: str
    returncode: int
    runs: int
    cov: int  # libFuzzer's `cov:`: code points (Python branches, here) the inputs reached
    features: int  # `ft:`: coverage features, finer than cov (edge counts)
    exec_per_s: int
    artifacts: tuple[Path, ...]
    log: Path

    @property
    def failed(self) -> bool:
        return self.returncode != 0 or bool(self.artifacts)

    def repro(self, artifact: Path) -> str:
        """One line that replays a found input against the target (no fuzzing, one run)."""
        return f"cd {shlex.quote(str(ROOT))} && python -m tests.fuzz.targets {self.target} {shlex.quote(str(artifact))}"

    def summary(self) -> str:
        head = f"{self.target}: {self.runs} runs, {self.exec_per_s} exec/s, cov {self.cov}, ft {self.features}"
        if not self.failed:
            return head + ", no crash"
        lines = [head + f", FAILED (exit {self.returncode}; log {self.log})"]
        if not self.artifacts:  # killed before libFuzzer wrote the input (a signal): the log says what
            text = self.log.read_text(encoding="utf-8", errors="replace")
            found = re.search(r"=== Uncaught Python exception: ===\n(.*)", text)
            lines.append("  " + (found.group(1) if found else text.strip().splitlines()[-1] if text.strip() else "no output"))
        for artifact in self.artifacts:
            data = artifact.read_bytes()
            shown = repr(data[:160]) + (f"… ({len(data)} bytes)" if len(data) > 160 else "")
            lines += [f"  input {artifact}: {shown}", f"  replay: {self.repro(artifact)}"]
        return "\n".join(lines)


def run(target: str, seconds: int, work: Path, seed: int = 1) -> Outcome:
    """Fuzz one target for `seconds` in its own process, inside `work` (seeds, corpus, artifacts, log)."""
    seeds, corpus, artifacts = work / f"{target}-seeds", work / f"{target}-corpus", work / f"{target}-artifacts"
    write_seeds(target, seeds)
    corpus.mkdir(parents=True, exist_ok=True)
    artifacts.mkdir(parents=True, exist_ok=True)
    log, dictionary = work / f"{target}.log", work / f"{target}.dict"
    write_dictionary(target, dictionary)
    flags = [f"-max_total_time={seconds}", f"-seed={seed}", "-rss_limit_mb=1024", "-timeout=30", f"-max_len={MAX_LEN}",
             f"-dict={dictionary}", f"-artifact_prefix={artifacts}/", "-print_final_stats=1"]
    # New inputs go to the first folder (the corpus); the seeds' folder is only read.
    command = [sys.executable, "-m", "tests.fuzz.targets", target, *flags, str(corpus), str(seeds)]
    with log.open("wb") as out:
        done = subprocess.run(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, check=False,
                              env={**os.environ, "ANTHOLOGY_FUZZ_WORK": str(work)})
    text = log.read_text(encoding="utf-8", errors="replace")
    stats = _STATS.findall(text)
    runs, cov, features, speed = (int(x or 0) for x in stats[-1]) if stats else (0, 0, 0, 0)
    found = re.search(r"stat::number_of_executed_units:\s*(\d+)", text)
    rate = re.search(r"stat::average_exec_per_sec:\s*(\d+)", text)
    return Outcome(target, done.returncode, int(found.group(1)) if found else runs, cov, features, int(rate.group(1)) if rate else speed,
                   tuple(Path(p) for p in _ARTIFACT.findall(text)), log)
