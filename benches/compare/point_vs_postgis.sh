#!/usr/bin/env bash
# bando's single-point query over HTTP vs PostGIS ST_Contains over libpq, same points,
# same data, same concurrency, one run.
#
#   bash benches/compare/point_vs_postgis.sh [COMMUNES.fgb]
#
# Installs what it needs from Debian (postgresql-15-postgis-3, gdal-bin,
# python3-psycopg2, wrk), starts a throwaway PostgreSQL + PostGIS on 127.0.0.1, loads the
# communes into table `communes` and cuts them into `communes_sub` (ST_Subdivide 256,
# GiST, prewarmed; both reused when the file is unchanged), builds and starts bando with
# --boundaries the same file and its load generator (benches/compare/http_load/), then
# point_vs_postgis.py picks 10,000 seeded random points on land and times `http_load`
# (and `wrk`, a second opinion) against bando and `pgbench -M prepared` against PostGIS
# (subdivided and plain polygons) at 2 and 16 clients, REPS times each, interleaved.
# Writes benches/compare/out/point_vs_postgis.md.
#
# Environment: POINTS (10000), SEED (2025), REPS (3), SECONDS_PER_RUN (10), CLIENTS
#   (2,16), WRK (1; 0 leaves wrk out), and those of lib.sh: PG_PORT (5439), BANDO_PORT, BANDO_PG_DIR, KEEP_PG=1.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
use_boundary_file "${1:-$REPO/../shared/geodata/communes-2025.fgb}"
started=$(date +%s)

need_debian_packages postgresql-15-postgis-3 gdal-bin python3-psycopg2 wrk
find_python_with_psycopg2
start_postgis
load_communes "$FGB" communes
subdivide_communes communes
build_bando
say "building the load generator (benches/compare/http_load)"
(cd "$REPO" && cargo build --release --manifest-path benches/compare/http_load/Cargo.toml --target-dir target || cargo build --offline --release --manifest-path benches/compare/http_load/Cargo.toml --target-dir target) >>"$LOGS/cargo.log" 2>&1 \
  || { tail -30 "$LOGS/cargo.log" >&2; die "cargo build of http_load failed (log: $LOGS/cargo.log)"; }
start_bando_or_die "$FGB"
wrk_flag=--wrk
[ "${WRK:-1}" = 0 ] && wrk_flag=--no-wrk

set +e
timeout 3600 "$PY" "$HERE/point_vs_postgis.py" --pg "$DSN" --table communes --bando "$BANDO_URL" \
  --bando-pid "$BANDO_PID" --postmaster-pid "$(head -1 "$PGDIR/postmaster.pid")" --pgbench "$PGBIN/pgbench" \
  --http-load "$REPO/target/release/http_load" "$wrk_flag" \
  --points "${POINTS:-10000}" --seed "${SEED:-2025}" --reps "${REPS:-3}" --seconds "${SECONDS_PER_RUN:-10}" \
  --clients "${CLIENTS:-2,16}" --data "$(basename "$FGB")" --workdir "$OUT/point_query" --out "$OUT/point_vs_postgis.md"
rc=$?
set -e
[ $rc = 0 ] || die "timing script failed (exit $rc)"
say "total $(( $(date +%s) - started )) s; report: $OUT/point_vs_postgis.md"
