"""What the benchmark runs, found (and installed through pip when missing and allowed), and the
machine it runs on, described for RESULTS.md."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import io
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
import tarfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# pypandoc_binary 1.17 ships pandoc 3.9, the version issue 8 measures against.
PANDOC_PACKAGE = "pypandoc_binary==1.17"
PYINSTRUMENT_PACKAGE = "pyinstrument>=5"
# Console scripts are taken from this interpreter's own bin folder, not from PATH: a pyenv shim
# (a bash script) would add ~0.1 s to every start-up we time.
SCRIPTS = Path(sysconfig.get_path("scripts"))


@dataclass(frozen=True)
class Tools:
    anthology: list[str]  # argv prefix for `anthology`
    pandoc: Path | None  # None: pypandoc_binary is absent and may not be installed
    env: dict[str, str]  # PATH with SCRIPTS first, so pandoc finds the same weasyprint
    code: str  # which anthology is measured: the working tree, or a snapshot of one commit


def snapshot(rev: str, work: Path) -> tuple[str, Path]:
    """The tree of commit `rev`, exported (git archive) into WORK/src-<sha>; returns (sha, folder).

    Benchmarking a commit rather than the working tree keeps a long run steady while others edit
    compiler/ in the same checkout, and says exactly which code the figures are for."""
    sha = _git("rev-parse", "--verify", f"{rev}^{{commit}}")
    if not sha:
        raise SystemExit(f"bench: no such commit: {rev}")
    folder = work / f"src-{sha[:12]}"
    if not (folder / "compiler").is_dir():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", sha], capture_output=True, check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
    return sha, folder


def pip_install(requirement: str) -> None:
    print(f"bench: installing {requirement} with pip", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", requirement], check=True)


def _pandoc_binary() -> Path | None:
    spec = importlib.util.find_spec("pypandoc")
    if spec is None or spec.origin is None:
        return None
    binary = Path(spec.origin).parent / "files" / "pandoc"
    return binary if binary.is_file() else None


def find_pandoc(install: bool) -> Path | None:
    binary = _pandoc_binary()
    if binary is None and install:
        pip_install(PANDOC_PACKAGE)
        importlib.invalidate_caches()
        binary = _pandoc_binary()
    return binary


def find_anthology(install: bool) -> list[str]:
    script = SCRIPTS / "anthology"
    if not script.exists() and importlib.util.find_spec("compiler") is None and install:
        pip_install(f"-e{ROOT}")
    if script.exists():
        return [str(script)]
    found = shutil.which("anthology")
    if found:
        return [found]
    raise SystemExit(f"bench: `anthology` is not installed; run `pip install -e {ROOT}` first")


def find_tools(install: bool, rev: str | None, work: Path) -> Tools:
    env = dict(os.environ)
    env["PATH"] = f"{SCRIPTS}{os.pathsep}{env.get('PATH', '')}"
    # Time the program as installed for a user, with its bytecode cached after the first run; some
    # sandboxes set this, which makes every start-up recompile our modules from source.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if not (SCRIPTS / "weasyprint").exists() and not shutil.which("weasyprint"):
        raise SystemExit("bench: the `weasyprint` command is missing (pandoc's --pdf-engine); pip install weasyprint")
    pandoc = find_pandoc(install)
    if rev is None:
        dirty = " with uncommitted changes" if _git("status", "--porcelain", "--untracked-files=no") else ""
        return Tools(find_anthology(install), pandoc, env, f"working tree at {_git('rev-parse', '--short', 'HEAD')}{dirty}")
    sha, folder = snapshot(rev, work)
    # The snapshot's package comes first on the path, ahead of the editable install's finder.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(folder), env.get("PYTHONPATH")]))
    return Tools([sys.executable, "-m", "compiler"], pandoc, env, f"commit {sha[:12]} (`--rev {rev}`, run from a snapshot)")


def need_pyinstrument(install: bool) -> None:
    if importlib.util.find_spec("pyinstrument") is None:
        if not install:
            raise SystemExit(f"bench: profiling needs pyinstrument: pip install '{PYINSTRUMENT_PACKAGE}'")
        pip_install(PYINSTRUMENT_PACKAGE)


def _first_line(command: list[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return out.strip().splitlines()[0] if out.strip() else "?"


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def _proc_field(path: str, key: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip().strip('"')
    except OSError:
        pass
    return "?"


def _os_name() -> str:
    try:
        return platform.freedesktop_os_release().get("PRETTY_NAME", "?")
    except OSError:
        return "?"


def _harfbuzz_subset() -> bool:
    out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=False).stdout
    return "libharfbuzz-subset" in out


def _git(*args: str) -> str:
    out = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False)
    return out.stdout.strip()


def load_average() -> str:
    return " / ".join(f"{v:.2f}" for v in os.getloadavg())


def describe_machine(tools: Tools, load_before: str) -> dict[str, str]:
    mem_kib = int(_proc_field("/proc/meminfo", "MemTotal").split()[0] or 0)
    info = subprocess.run([str(SCRIPTS / "weasyprint"), "--info"], capture_output=True, text=True, check=False).stdout
    pango = _proc_field_text(info, "Pango version")  # an int: 15012 is 1.50.12
    pango = f"{int(pango) // 10000}.{int(pango) // 100 % 100}.{int(pango) % 100}" if pango.isdigit() else pango
    return {
        "CPU": f"{_proc_field('/proc/cpuinfo', 'model name')}, nproc {len(os.sched_getaffinity(0))}",
        "memory": f"{mem_kib / 1024 / 1024:.1f} GiB",
        "OS": f"{_os_name()}, Linux {platform.release()}",
        "Python": platform.python_version(),
        "anthology": f"{_version('anthology')}, {tools.code}",
        "weasyprint": f"{_version('weasyprint')} (pydyf {_version('pydyf')}, fonttools {_version('fonttools')}, Pango {pango})",
        "HarfBuzz subsetting (libharfbuzz-subset0)": "installed" if _harfbuzz_subset() else "absent (weasyprint falls back to fontTools)",
        "ebooklib": _version("ebooklib"),
        "load average (1/5/15 min) before → after": f"{load_before} → {load_average()} (others' work on this machine; interleaving spreads it over both tools)",
        "pandoc": (_first_line([str(tools.pandoc), "--version"]) + f" (pypandoc_binary {_version('pypandoc_binary')})") if tools.pandoc else "absent",
    }


def _proc_field_text(text: str, key: str) -> str:
    for line in text.splitlines():
        if line.startswith(key):
            return line.split(":", 1)[1].strip()
    return "?"
