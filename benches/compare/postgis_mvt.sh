#!/usr/bin/env bash
# bando's vector tiles vs PostGIS ST_AsMVT(ST_AsMVTGeom(...)) on the same data, in one run.
#
#   bash benches/compare/postgis_mvt.sh [COMMUNES.fgb]
#
# Installs what it needs from Debian (postgresql-15-postgis-3, gdal-bin, python3-psycopg2),
# starts a throwaway PostgreSQL + PostGIS on 127.0.0.1, loads the communes into table
# `communes` (geom 4326, geom3857, GiST indexes; reused on the next run when the file is
# unchanged), builds and starts bando with its tile cache off, times the same tile list on
# both (tiles_vs_postgis.py), stops what it started and prints the report, which is also
# written to benches/compare/out/postgis_mvt.md.
#
# Environment: REPS (5), and those of lib.sh: PG_PORT (5439), BANDO_PORT (0 = any free
#   port), BANDO_PG_DIR (/tmp/bando-compare-pg-$PG_PORT), KEEP_PG=1 leaves PostgreSQL running.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
use_boundary_file "${1:-$REPO/../shared/geodata/communes-2025.fgb}"
REPS=${REPS:-5}
started=$(date +%s)

need_debian_packages postgresql-15-postgis-3 gdal-bin python3-psycopg2
find_python_with_psycopg2
start_postgis
load_communes "$FGB" communes
build_bando
start_bando_or_die "$FGB" --tile-cache-mb 0

# --- timing ---------------------------------------------------------------------------
set +e
timeout 600 "$PY" "$HERE/tiles_vs_postgis.py" --pg "$DSN" --table communes --bando "$BANDO_URL" \
  --reps "$REPS" --edition 2025 --data "$(basename "$FGB")" --cache "off (--tile-cache-mb 0)" \
  --out "$OUT/postgis_mvt.md"
rc=$?
set -e
[ $rc = 0 ] || die "timing script failed (exit $rc)"
say "total $(( $(date +%s) - started )) s; report: $OUT/postgis_mvt.md"
