# Shared steps of the side-by-side comparisons, sourced by the scripts in this folder:
#
#   source "$(dirname "$0")/lib.sh"
#   need_debian_packages postgresql-15-postgis-3 gdal-bin python3-psycopg2
#   start_postgis                 # throwaway cluster on 127.0.0.1:$PG_PORT, database bando
#   load_communes "$FGB"          # table `communes` (geom 4326 + geom3857, GiST), reused when unchanged
#   subdivide_communes            # table `communes_sub`: ST_Subdivide(geom, 256) + province name, GiST, prewarmed
#   build_bando                   # cargo build --release -> $BIN
#   start_bando_or_die "$FGB" --tile-cache-mb 0   # -> $BANDO_URL, $BANDO_PID
#
# Every step logs to $LOGS; an EXIT trap stops bando and the PostgreSQL this run started
# (KEEP_PG=1 leaves PostgreSQL running). Callers set HERE (this folder) before sourcing.
#
# Environment: PG_PORT (5439), BANDO_PORT (0 = any free port),
#   BANDO_PG_DIR (/tmp/bando-compare-pg-$PG_PORT), KEEP_PG=1.

REPO=$(cd "$HERE/../.." && pwd)
PG_PORT=${PG_PORT:-5439}
BANDO_PORT=${BANDO_PORT:-0}
PGBIN=/usr/lib/postgresql/15/bin
PGDIR=${BANDO_PG_DIR:-/tmp/bando-compare-pg-$PG_PORT}
OUT=$HERE/out
LOGS=$OUT/logs
DSN="host=127.0.0.1 port=$PG_PORT user=postgres dbname=bando"
BIN=$REPO/target/release/bando
mkdir -p "$LOGS"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# use_boundary_file PATH: sets FGB to its absolute path, or exits 0 with "skipped"
# (comparisons need the real data, which a checkout may not have beside it).
use_boundary_file() {
  if [ ! -f "$1" ]; then
    echo "skipped: boundary file $1 not found (pass its path as the first argument)"
    exit 0
  fi
  FGB="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
}

# need_debian_packages PKG... : installs the missing ones (root only).
need_debian_packages() {
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing Debian packages (${missing[*]}); run as root or install them"
  say "installing ${missing[*]}"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } \
    >"$LOGS/apt.log" 2>&1 || { tail -20 "$LOGS/apt.log" >&2; die "apt-get failed (log: $LOGS/apt.log)"; }
}

# python3 with psycopg2 -> $PY
find_python_with_psycopg2() {
  PY=
  local cand
  for cand in /usr/bin/python3 python3; do
    if command -v "$cand" >/dev/null && "$cand" -c 'import psycopg2' 2>/dev/null; then PY=$cand; return 0; fi
  done
  die "no python3 with psycopg2 found"
}

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

# A throwaway PostgreSQL 15 + PostGIS on 127.0.0.1:$PG_PORT with database `bando`.
start_postgis() {
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
    # Parallel workers off: one backend answers one request, as one bando request does.
    as_pg "$PGBIN/pg_ctl -D $PGDIR -l $PGDIR/log -w -o \"-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1 -c shared_buffers=512MB -c max_parallel_workers_per_gather=0\" start" >/dev/null \
      || { tail -20 "$PGDIR/log" >&2; die "PostgreSQL did not start (is port $PG_PORT taken?)"; }
    PG_STARTED=1
  fi
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -Atqc "select 1 from pg_database where datname='bando'" | grep -q 1 \
    || psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc 'create database bando'
  psql_ -c 'create extension if not exists postgis'
}

# load_communes FILE [TABLE=communes]: geom (4326) and geom3857 with GiST indexes; the
# table is tagged with the file's name, size and mtime and reused when they match.
load_communes() {
  local fgb=$1 table=${2:-communes}
  local sig="source=$(basename "$fgb") bytes=$(stat -c %s "$fgb") mtime=$(stat -c %Y "$fgb")"
  local have
  have=$(psql_ -Atc "select coalesce(obj_description('public.$table'::regclass, 'pg_class'), '')" 2>/dev/null || true)
  if [ "$have" = "$sig" ]; then
    say "reusing table $table ($sig)"
  else
    say "loading $fgb into $table"
    local t0; t0=$(date +%s)
    ogr2ogr -f PostgreSQL "PG:$DSN" "$fgb" -nln "$table" -overwrite -nlt PROMOTE_TO_MULTI \
      -lco GEOMETRY_NAME=geom -lco SPATIAL_INDEX=GIST -lco FID=fid -gt 65536 >"$LOGS/ogr2ogr.log" 2>&1 \
      || { tail -20 "$LOGS/ogr2ogr.log" >&2; die "ogr2ogr failed"; }
    psql_ <<SQL
alter table $table add column geom3857 geometry(MultiPolygon, 3857);
update $table set geom3857 = ST_Transform(geom, 3857);
create index ${table}_geom3857_gist on $table using gist (geom3857);
vacuum analyze $table;
comment on table $table is '$sig';
SQL
    say "loaded in $(( $(date +%s) - t0 )) s"
  fi
  say "PostGIS: $(psql_ -Atc "select count(*) || ' rows, ' || sum(ST_NPoints(geom)) || ' vertices' from $table")"
}

# subdivide_communes [TABLE=communes]: what a PostGIS expert builds for point-in-polygon
# look-ups: every commune cut into pieces of at most 256 vertices (ST_Subdivide), so the
# GiST index narrows a point to one small piece and the exact test reads few edges; the
# province name is copied in (from the project's reference table of 2025 communes) so a
# query needs no join. GiST index, VACUUM ANALYZE, table and index read into shared
# buffers (pg_prewarm). Rebuilt when `communes` was reloaded; tagged like it.
subdivide_communes() {
  local src=${1:-communes} table=${1:-communes}_sub
  local sig; sig="from $(psql_ -Atc "select obj_description('public.$src'::regclass, 'pg_class')") max_vertices=256"
  local have
  have=$(psql_ -Atc "select coalesce(obj_description('public.$table'::regclass, 'pg_class'), '')" 2>/dev/null || true)
  if [ "$have" = "$sig" ]; then
    say "reusing table $table"
  else
    say "subdividing $src into $table (ST_Subdivide, 256 vertices)"
    psql_ <<SQL
drop table if exists provinces_2025;
create table provinces_2025 (code text primary key, name text not null);
create temp table ref (code text, name text, kind text, province_code text, province_name text, lon float8, lat float8, area_km2 float8);
\copy ref from '$REPO/geodata/reference/communes-2025.csv' with (format csv, header true)
insert into provinces_2025 select distinct province_code, province_name from ref;
drop table if exists $table;
create table $table as
  select c.code, c.name, c.kind, c.province_code, p.name as province_name, ST_Subdivide(c.geom, 256) as geom
  from $src c left join provinces_2025 p on p.code = c.province_code;
create index ${table}_geom_gist on $table using gist (geom);
vacuum analyze $table;
comment on table $table is '$sig';
SQL
  fi
  # Tables, their TOAST (large geometries live there) and every index, into shared buffers.
  psql_ -c 'create extension if not exists pg_prewarm'
  psql_ -Atc "select sum(pg_prewarm(oid)) from pg_class where oid in (
      select r from unnest(array['$table'::regclass, '$src'::regclass]) r
      union select reltoastrelid from pg_class where oid in ('$table'::regclass, '$src'::regclass) and reltoastrelid <> 0
      union select indexrelid from pg_index where indrelid in (select oid from pg_class where oid in ('$table'::regclass, '$src'::regclass)
                                                          union select reltoastrelid from pg_class where oid in ('$table'::regclass, '$src'::regclass)))" >/dev/null
  say "PostGIS: $(psql_ -Atc "select count(*) || ' pieces, ' || sum(ST_NPoints(geom)) || ' vertices, ' || count(*) filter (where province_name is null) || ' without province name' from $table")"
}

build_bando() {
  say "building bando (cargo build --release in $REPO)"
  (cd "$REPO" && cargo build --release) >"$LOGS/cargo.log" 2>&1 \
    || { tail -30 "$LOGS/cargo.log" >&2; die "cargo build failed (log: $LOGS/cargo.log)"; }
}

# start_bando FILE EXTRA_ARGS... -> sets BANDO_URL, or returns 1 (exited) / 2 (timed out)
start_bando() {
  local fgb=$1; shift
  : >"$LOGS/bando.out"; : >"$LOGS/bando.err"
  "$BIN" serve --bind "127.0.0.1:$BANDO_PORT" --boundaries "$fgb" "$@" >"$LOGS/bando.out" 2>"$LOGS/bando.err" &
  BANDO_PID=$!
  for _ in $(seq 1 600); do
    BANDO_URL=$(grep -o 'listening on http://[^ ]*' "$LOGS/bando.out" | head -1 | sed 's/^listening on //') || true
    [ -n "$BANDO_URL" ] && return 0
    if ! kill -0 "$BANDO_PID" 2>/dev/null; then wait "$BANDO_PID" 2>/dev/null || true; BANDO_PID=; return 1; fi
    sleep 0.2
  done
  return 2
}

start_bando_or_die() {
  say "starting bando with $(basename "$1")"
  local t0; t0=$(date +%s)
  start_bando "$@" || { tail -20 "$LOGS/bando.err" >&2; die "bando did not start (log: $LOGS/bando.err)"; }
  say "bando listening on $BANDO_URL after $(( $(date +%s) - t0 )) s"
}
