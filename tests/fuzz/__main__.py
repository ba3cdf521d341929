"""`python -m tests.fuzz run [--seconds N] [--seed S] [--keep] [TARGET…]`: each target (all by
default) fuzzed for N seconds in its own process; exits 1 if any crashed, timed out or ran out of
memory, printing the input's path and a command that replays it. The work folder (seeds, the
corpus grown, logs) is a temporary one, kept when something failed or with --keep."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from . import TARGETS
from .runner import run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    go = commands.add_parser("run", help="fuzz targets for a bounded time each")
    go.add_argument("targets", nargs="*", metavar="TARGET", help=f"of {', '.join(TARGETS)} (default: all)")
    go.add_argument("--seconds", type=int, default=60, help="per target (default 60)")
    go.add_argument("--seed", type=int, default=1, help="libFuzzer's -seed (default 1: reproducible)")
    go.add_argument("--keep", action="store_true", help="keep the work folder (corpus, logs) even when nothing failed")
    args = parser.parse_args(argv)
    unknown = [t for t in args.targets if t not in TARGETS]
    if unknown:
        parser.error(f"no target {', '.join(unknown)}; the targets are {', '.join(TARGETS)}")
    work = Path(tempfile.mkdtemp(prefix="anthology-fuzz-run-"))
    failed = False
    for target in args.targets or TARGETS:
        outcome = run(target, args.seconds, work, args.seed)
        print(outcome.summary(), flush=True)
        failed |= outcome.failed
    if failed or args.keep:
        print(f"work folder kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
