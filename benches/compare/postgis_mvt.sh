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
# Environment: PG_PORT (5439), BANDO_PORT (0 = any free port), REPS (5),
#   BANDO_PG_DIR (/tmp/bando-compare-pg-$PG_PORT), KEEP_PG=1 leaves PostgreSQL running.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
FGB=${1:-$REPO/../shared/geodata/communes-2025.fgb}
PG_PORT=${PG_PORT:-5439}
BANDO_PORT=${BANDO_PORT:-0}
REPS=${REPS:-5}
TABLE=communes
PGBIN=/usr/lib/postgresql/15/bin
PGDIR=${BANDO_PG_DIR:-/tmp/bando-compare-pg-$PG_PORT}
OUT=$HERE/out
LOGS=$OUT/logs
DSN="host=127.0.0.1 port=$PG_PORT user=postgres dbname=bando"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

if [ ! -f "$FGB" ]; then
  echo "skipped: boundary file $FGB not found (pass its path as the first argument)"
  exit 0
fi
FGB=$(cd "$(dirname "$FGB")" && pwd)/$(basename "$FGB")
mkdir -p "$LOGS"
started=$(date +%s)

# --- packages -------------------------------------------------------------------------
missing=()
for p in postgresql-15-postgis-3 gdal-bin python3-psycopg2; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing Debian packages (${missing[*]}); run as root or install them"
  say "installing ${missing[*]}"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } \
    >"$LOGS/apt.log" 2>&1 || { tail -20 "$LOGS/apt.log" >&2; die "apt-get failed (log: $LOGS/apt.log)"; }
fi
PY=
for cand in /usr/bin/python3 python3; do
  if command -v "$cand" >/dev/null && "$cand" -c 'import psycopg2' 2>/dev/null; then PY=$cand; break; fi
done
[ -n "$PY" ] || die "no python3 with psycopg2 found"

# --- PostgreSQL + PostGIS -------------------------------------------------------------
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
psql_() { PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d bando -v ON_ERROR_STOP=1 -q "$@"; }
PG_STARTED=0
BANDO_PID=
cleanup() {
  if [ -n "$BANDO_PID" ] && kill -0 "$BANDO_PID" 2>/dev/null; then
    kill "$BANDO_PID" 2>/dev/null || true
    wait "$BANDO_PID" 2>/dev/null || true
    say "bando stopped"
  fi
  if [ "$PG_STARTED" = 1 ] && [ "${KEEP_PG:-0}" != 1 ]; then
    as_pg "$PGBIN/pg_ctl -D $PGDIR -m fast stop" >/dev/null 2>&1 || true
    say "PostgreSQL stopped (data kept in $PGDIR for the next run)"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ ! -f "$PGDIR/PG_VERSION" ]; then
  say "creating a PostgreSQL cluster in $PGDIR"
  rm -rf "$PGDIR"; mkdir -p "$PGDIR"
  [ "$(id -u)" = 0 ] && chown postgres "$PGDIR"
  as_pg "$PGBIN/initdb -D $PGDIR -U postgres -A trust" >"$LOGS/initdb.log" 2>&1 \
    || { tail -20 "$LOGS/initdb.log" >&2; die "initdb failed"; }
fi
if as_pg "$PGBIN/pg_ctl -D $PGDIR status" >/dev/null 2>&1; then
  say "PostgreSQL already running from $PGDIR (left running at the end)"
else
  say "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  # Parallel workers off: one backend renders one tile, as one bando request does.
  as_pg "$PGBIN/pg_ctl -D $PGDIR -l $PGDIR/log -w -o \"-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1 -c shared_buffers=512MB -c max_parallel_workers_per_gather=0\" start" >/dev/null \
    || { tail -20 "$PGDIR/log" >&2; die "PostgreSQL did not start (is port $PG_PORT taken?)"; }
  PG_STARTED=1
fi
psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -Atqc "select 1 from pg_database where datname='bando'" | grep -q 1 \
  || psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc 'create database bando'
psql_ -c 'create extension if not exists postgis'

# --- load (reused when the same file was loaded completely before) -------------------
SIG="source=$(basename "$FGB") bytes=$(stat -c %s "$FGB") mtime=$(stat -c %Y "$FGB")"
have=$(psql_ -Atc "select coalesce(obj_description('public.$TABLE'::regclass, 'pg_class'), '')" 2>/dev/null || true)
if [ "$have" = "$SIG" ]; then
  say "reusing table $TABLE ($SIG)"
else
  say "loading $FGB into $TABLE"
  t0=$(date +%s)
  ogr2ogr -f PostgreSQL "PG:$DSN" "$FGB" -nln "$TABLE" -overwrite -nlt PROMOTE_TO_MULTI \
    -lco GEOMETRY_NAME=geom -lco SPATIAL_INDEX=GIST -lco FID=fid -gt 65536 >"$LOGS/ogr2ogr.log" 2>&1 \
    || { tail -20 "$LOGS/ogr2ogr.log" >&2; die "ogr2ogr failed"; }
  psql_ <<SQL
alter table $TABLE add column geom3857 geometry(MultiPolygon, 3857);
update $TABLE set geom3857 = ST_Transform(geom, 3857);
create index ${TABLE}_geom3857_gist on $TABLE using gist (geom3857);
vacuum analyze $TABLE;
comment on table $TABLE is '$SIG';
SQL
  say "loaded in $(( $(date +%s) - t0 )) s"
fi
say "PostGIS: $(psql_ -Atc "select count(*) || ' rows, ' || sum(ST_NPoints(geom)) || ' vertices' from $TABLE")"

# --- bando ----------------------------------------------------------------------------
say "building bando (cargo build --release in $REPO)"
(cd "$REPO" && cargo build --release) >"$LOGS/cargo.log" 2>&1 \
  || { tail -30 "$LOGS/cargo.log" >&2; die "cargo build failed (log: $LOGS/cargo.log)"; }
BIN=$REPO/target/release/bando

# start_bando EXTRA_ARGS... -> sets BANDO_URL, or returns 1 (exited) / 2 (timed out)
start_bando() {
  : >"$LOGS/bando.out"; : >"$LOGS/bando.err"
  "$BIN" serve --bind "127.0.0.1:$BANDO_PORT" --boundaries "$FGB" "$@" >"$LOGS/bando.out" 2>"$LOGS/bando.err" &
  BANDO_PID=$!
  for _ in $(seq 1 600); do
    BANDO_URL=$(grep -o 'listening on http://[^ ]*' "$LOGS/bando.out" | head -1 | sed 's/^listening on //') || true
    [ -n "$BANDO_URL" ] && return 0
    if ! kill -0 "$BANDO_PID" 2>/dev/null; then wait "$BANDO_PID" 2>/dev/null || true; BANDO_PID=; return 1; fi
    sleep 0.2
  done
  return 2
}
CACHE_STATE="off (--tile-cache-mb 0)"
say "starting bando with $(basename "$FGB")"
t0=$(date +%s)
if ! start_bando --tile-cache-mb 0; then
  cp "$LOGS/bando.err" "$LOGS/bando-first-try.err"
  if grep -q -- "tile-cache-mb" "$LOGS/bando.err"; then
    echo "WARNING: this bando does not know --tile-cache-mb; running it without (its tile cache, if any, stays on and tiles may come from it)" >&2
    CACHE_STATE="flag unknown to this build: run without --tile-cache-mb"
    start_bando || { tail -20 "$LOGS/bando.err" >&2; die "bando did not start (log: $LOGS/bando.err)"; }
  else
    tail -20 "$LOGS/bando.err" >&2; die "bando did not start (log: $LOGS/bando.err)"
  fi
fi
say "bando listening on $BANDO_URL after $(( $(date +%s) - t0 )) s"

# --- timing ---------------------------------------------------------------------------
set +e
timeout 600 "$PY" "$HERE/tiles_vs_postgis.py" --pg "$DSN" --table "$TABLE" --bando "$BANDO_URL" \
  --reps "$REPS" --edition 2025 --data "$(basename "$FGB")" --cache "$CACHE_STATE" \
  --out "$OUT/postgis_mvt.md"
rc=$?
set -e
[ $rc = 0 ] || die "timing script failed (exit $rc)"
say "total $(( $(date +%s) - started )) s; report: $OUT/postgis_mvt.md"
