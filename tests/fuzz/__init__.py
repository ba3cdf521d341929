"""Coverage-guided fuzzing (issue 17): atheris (libFuzzer) over the readers (bytes → Story, every
text format, and EPUBs: a fixed book whose chapter or package document is the input) and the two loaders (anthology.toml, theme.toml). Each target may return a value or
raise `BuildError` (a diagnostic); any other exception, a hang past the per-input timeout or memory
past the ceiling is a crash. `python -m tests.fuzz run --seconds 60` runs them (see __main__.py);
tests/test_fuzz_atheris.py runs them in the test suite for ANTHOLOGY_FUZZ_SECONDS each.

Nothing in this package imports `compiler` at import time: the target process must import it
inside atheris's instrumentation hook (targets.py), which only instruments modules loaded after it."""

TARGETS = ("readers", "epub", "manifest", "theme")
