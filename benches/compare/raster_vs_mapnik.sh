#!/usr/bin/env bash
# bando's PNG tiles vs Mapnik 3.1 over PostGIS on the same data, in one run.
#
#   bash benches/compare/raster_vs_mapnik.sh [COMMUNES.fgb]
#
# Installs what it needs from Debian (postgresql-15-postgis-3, gdal-bin,
# python3-psycopg2, python3-mapnik, python3-pil), starts a throwaway PostgreSQL +
# PostGIS on 127.0.0.1, loads the communes into table `communes` (reused when the file
# is unchanged), builds and starts bando with its tile cache off, and runs
# raster_vs_mapnik.py: the same 256 px tiles (z5–z12 over Hà Nội and the Mekong delta)
# from both, interleaved. Writes benches/compare/out/raster_vs_mapnik.md and
# benches/compare/out/raster_side_by_side.png.
#
# Environment: REPS (3), BLOCK (3: tiles per side around each centre tile), and those
#   of lib.sh: PG_PORT (5439), BANDO_PORT, BANDO_PG_DIR, KEEP_PG=1.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
use_boundary_file "${1:-$REPO/../shared/geodata/communes-2025.fgb}"
REPS=${REPS:-3}
BLOCK=${BLOCK:-3}
started=$(date +%s)

need_debian_packages postgresql-15-postgis-3 gdal-bin python3-psycopg2 python3-mapnik python3-pil
# Debian's mapnik bindings are for Debian's python3, whatever else is first on PATH.
PY=/usr/bin/python3
"$PY" -c 'import mapnik, psycopg2, PIL' || die "/usr/bin/python3 cannot import mapnik, psycopg2 and PIL"
start_postgis
load_communes "$FGB" communes
build_bando
start_bando_or_die "$FGB" --tile-cache-mb 0

set +e
timeout 1800 "$PY" "$HERE/raster_vs_mapnik.py" --pg "$DSN" --bando "$BANDO_URL" --style "$REPO/styles/ntm-results.json" \
  --edition 2025 --reps "$REPS" --block "$BLOCK" --data "$(basename "$FGB")" \
  --out "$OUT/raster_vs_mapnik.md" --side-by-side "$OUT/raster_side_by_side.png"
rc=$?
set -e
[ $rc = 0 ] || die "timing script failed (exit $rc)"
say "total $(( $(date +%s) - started )) s; report: $OUT/raster_vs_mapnik.md, picture: $OUT/raster_side_by_side.png"
