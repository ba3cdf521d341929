#!/usr/bin/env bash
# Rebuilds anthology-fogra39.icc, the CMYK output profile every print PDF embeds as its PDF/X output
# intent (compiler/package/press/pdfx.py). It is committed, so neither a build nor CI needs this script;
# run it only to change the profile. Needs Debian's argyll (colprof) and icc-profiles-free (the
# FOGRA39 characterization data, zlib licence). Takes ~20 s; the result is byte-identical each time
# because the header's creation date is pinned below.
set -euo pipefail
cd "$(dirname "$0")"
data=/usr/share/color/icc/FOGRA39L.ti3
command -v colprof >/dev/null || { echo "needs ArgyllCMS: apt-get install argyll" >&2; exit 1; }
[ -f "$data" ] || { echo "needs $data: apt-get install icc-profiles-free" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$data" "$work/profile.ti3"
# -qm: medium quality (colprof's default); -nc: leave the 1,617 measurements out of the profile;
# -kr -l300: ramped black generation, 300 % total ink (ISO Coated v2 300 % is the common press limit).
colprof -qm -nc -kr -l300 \
  -A "anthology" \
  -D "Anthology FOGRA39 (ISO 12647-2:2004 coated, 300% TAC)" \
  -C "From FOGRA39L characterization data (Fogra; icc-profiles-free, zlib licence); made with ArgyllCMS colprof" \
  "$work/profile" >/dev/null
# Pin the header's creation date (bytes 24-35: year, month, day, hour, minute, second as uint16).
python3 - "$work/profile.icc" <<'PY'
import struct, sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
data[24:36] = struct.pack(">6H", 2026, 11, 22, 0, 0, 0)
open(path, "wb").write(bytes(data))
PY
cp "$work/profile.icc" anthology-fogra39.icc
echo "wrote $(pwd)/anthology-fogra39.icc ($(stat -c %s anthology-fogra39.icc) bytes)"
