#!/usr/bin/env bash
# bando's batch point query vs a PostGIS ST_Contains join, same points, same data, one run.
#
#   bash benches/compare/batch_vs_postgis.sh [COMMUNES.fgb]
#
# Installs what it needs from Debian, starts a throwaway PostgreSQL + PostGIS on
# 127.0.0.1, loads the communes into table `communes` and cuts them into `communes_sub`
# (ST_Subdivide 256, GiST, prewarmed; both reused when unchanged), builds
# and starts bando with --boundaries the same file, then batch_vs_postgis.py times
# 100,000 seeded random points over Vietnam's bounding box on both, checks the answers
# agree and writes the report to benches/compare/out/batch_vs_postgis.md.
#
# Environment: POINTS (100000), SEED (2025), REPS (3), and those of lib.sh.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
use_boundary_file "${1:-$REPO/../shared/geodata/communes-2025.fgb}"
started=$(date +%s)

need_debian_packages postgresql-15-postgis-3 gdal-bin python3-psycopg2
find_python_with_psycopg2
start_postgis
load_communes "$FGB" communes
subdivide_communes communes
build_bando
start_bando_or_die "$FGB"

set +e
timeout 1800 "$PY" "$HERE/batch_vs_postgis.py" --pg "$DSN" --table communes --bando "$BANDO_URL" \
  --points "${POINTS:-100000}" --seed "${SEED:-2025}" --reps "${REPS:-3}" --data "$(basename "$FGB")" \
  --out "$OUT/batch_vs_postgis.md"
rc=$?
set -e
[ $rc = 0 ] || die "timing script failed (exit $rc)"
say "total $(( $(date +%s) - started )) s; report: $OUT/batch_vs_postgis.md"
