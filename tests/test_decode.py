"""Issue 14 (encodings): a legacy file is read in the code page whose reading looks like text, and
mojibake that no repair can undo is reported as a warning that `anthology check` does not call clean.

The fixtures (tests/fixtures/encodings/) are written by make.py beside them with Python's codecs.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compiler.build import build
from compiler.options import BuildOptions
from compiler.diagnostics import ExitCode, Severity
from compiler.read.decode import decode
from compiler.read.plausibility import char_score, doubtful

FIXTURES = Path(__file__).parent / "fixtures" / "encodings"


def _decoded(name: str) -> tuple[str, str, list[str]]:
    path = FIXTURES / name
    result = decode(path.read_bytes(), path)
    return result.text, result.encoding, [f"{d.severity.name} {d.code}" for d in result.diagnostics]


@pytest.mark.parametrize(
    ("name", "encoding", "phrase"),
    [
        # 0x91–0x94 are Windows-1252's curly quotes; in DOS cp437 they would be æÆôö.
        ("cp1252.txt", "cp1252", "“Don’t wait up,” she told the café owner, and he didn’t — he never did."),
        ("cp437.txt", "cp437", "╔══════════════════════════╗"),
        ("cp437.txt", "cp437", "Renée typed her handle"),
        # Mac Roman's quotes are 0xD2–0xD5 (ÒÓÔÕ in Windows-1252, ╥╙╘╒ in cp437), é is 0x8E.
        ("mac_roman.txt", "mac_roman", "“Pick the ones with the blush,” Grandmother said."),
        ("mac_roman.txt", "mac_roman", "The café in the village bought what we didn’t eat."),
        # No byte in 0x80–0x9F: the text is Latin-1, whatever Windows would call it.
        ("latin1.txt", "latin-1", "Señora Peña grew jalapeños, dill and crème fraîche herbs for the fête."),
    ],
)
def test_a_legacy_file_is_read_in_the_code_page_its_text_comes_out_right_in(name: str, encoding: str, phrase: str) -> None:
    text, found, diagnostics = _decoded(name)
    assert found == encoding
    assert phrase in " ".join(text.split())
    assert not [d for d in diagnostics if d.startswith("WARNING")]


def test_a_degree_sign_after_a_number_is_not_taken_for_a_quote() -> None:
    # Five "43°" (each after a digit, before a space) once looked like a closing quote byte.
    text, _, _ = _decoded("cp1252.txt")
    assert text.count("°") == 6 and "43”" not in text and "41°" in text and "38°." in text


def test_utf8_mojibake_is_repaired_and_said_as_info() -> None:
    text, encoding, diagnostics = _decoded("utf8_mojibake.txt")
    assert encoding == "utf-8" and "INFO A021" in diagnostics
    assert "“Don’t wait up,” she told the café owner" in text and "â€" not in text
    assert not [d for d in diagnostics if d.startswith("WARNING")]


def test_mojibake_no_repair_can_undo_is_a_warning_that_names_its_lines() -> None:
    # Windows-1252 read as DOS cp437 and saved as UTF-8: "donÆt", "cafΘ", "43░".
    path = FIXTURES / "utf8_mojibake_left.txt"
    (warning,) = [d for d in decode(path.read_bytes(), path).diagnostics if d.code == "A023"]
    assert warning.severity == Severity.WARNING and warning.line == 1
    assert "LamplighterÆs" in warning.message and "re-save the file as UTF-8" in warning.message


def test_anthology_check_does_not_call_a_book_with_mojibake_clean(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy2(FIXTURES / "utf8_mojibake_left.txt", src / "lamplighter.txt")
    result = build(BuildOptions(source=src, output=tmp_path / "book", formats=("epub",)))
    assert [d.code for d in result.diagnostics if d.severity == Severity.WARNING] == ["A023"]
    run = subprocess.run([sys.executable, "-m", "compiler", "check", str(src), "--book", str(tmp_path / "book")], capture_output=True, text=True)
    assert run.returncode == ExitCode.OUTPUT, run.stdout
    assert "looks mis-decoded" in run.stdout and "lamplighter.txt:1" in run.stdout


def test_a_clean_legacy_book_still_checks_clean(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for name in ("cp1252.txt", "mac_roman.txt", "latin1.txt"):
        shutil.copy2(FIXTURES / name, src / name)
    build(BuildOptions(source=src, output=tmp_path / "book", formats=("epub",)))
    run = subprocess.run([sys.executable, "-m", "compiler", "check", str(src), "--book", str(tmp_path / "book")], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout
    assert "mis-decoded" not in run.stdout


@pytest.mark.parametrize(
    ("text", "at", "verdict"),
    [
        ("we’re", 2, "plausible"),  # an apostrophe between letters
        ("weÆre", 2, "implausible"),  # a capital inside a lowercase word
        ("“Yes,” she", 0, "plausible"),
        ("Romulan╩warship", 7, "implausible"),  # drawing glued to words
        ("╔═══╗", 2, "plausible"),  # drawing among drawing
        ("it was 43° out", 9, "plausible"),
        ("mission,¢ said", 8, "implausible"),  # a cent sign after a comma
        ("Ayudam‚!", 6, "implausible"),  # a low quote closing nothing
        ("Ayudamé!", 6, "plausible"),
        ("Ïðèâåò", 2, "implausible"),  # Cyrillic read through a Western page
        ("café", 3, "plausible"),
    ],
)
def test_the_plausibility_of_a_character_depends_on_where_it_stands(text: str, at: int, verdict: str) -> None:
    score = char_score(text, at)
    assert (score > 0) == (verdict == "plausible"), score


def test_what_a_utf8_text_may_hold_is_not_called_mojibake() -> None:
    # Vietnamese and Polish words are mostly accented; Hebrew, Greek and box drawing are text too.
    for text in ("Người được", "różdżkę, dążył", "שלום עולם", "Καλημέρα", "╔═╗ ║ ╚═╝", "naïve café", "43°, 12¢, £5, 9¾"):
        assert doubtful(text) == [], text
