#!/usr/bin/env bash
# bando serving warm vector tiles vs nginx serving the same bytes as static files, same
# tiles, same connections, one run.
#
#   bash benches/compare/warm_tiles_vs_nginx.sh [COMMUNES.fgb]
#
# Installs what it needs from Debian (nginx, wrk), builds and starts bando with
# --boundaries the same file and its load generator (benches/compare/http_load/), then
# warm_tiles_vs_nginx.py picks tiles of the NTM map at z5–z12 over Vietnam (seeded, up to
# 400 non-empty ones per zoom), asks bando for each once with `Accept-Encoding: gzip`
# (so its cache holds them all), writes the bytes it answered into a folder as
# /tiles/ntm/{z}/{x}/{y}.mvt, and starts nginx on that folder the way one serves tiles
# fast: 2 worker processes (one per core, as bando's 2 HTTP workers), sendfile,
# open_file_cache, no access log, keep-alive without limit, and the headers bando sends
# (Content-Encoding: gzip, Content-Type, Cache-Control, Vary, CORS). Then, alternating
# the two servers REPS times, at CONNECTIONS keep-alive connections over 2 client threads:
#   - http_load, layout "ordered" (each client thread's connections on one bando worker)
#     and "spread" (each client thread's connections on both workers);
#   - wrk with a Lua script walking the same list (the bar's usual tool).
# Server CPU per answer comes from /proc (bando's process; nginx's workers).
# Writes benches/compare/out/warm_tiles_vs_nginx.md.
#
# Environment: CONNECTIONS (64), REPS (3), SECONDS_PER_RUN (8), NGINX_PORT (8098),
#   WORK (/tmp/bando-warm-tiles: the tile folder and nginx's files), and BANDO_PORT of lib.sh.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
use_boundary_file "${1:-$REPO/../shared/geodata/communes-2025.fgb}"
started=$(date +%s)

need_debian_packages nginx wrk
build_bando
say "building the load generator (benches/compare/http_load)"
(cd "$REPO" && cargo build --release --manifest-path benches/compare/http_load/Cargo.toml --target-dir target || cargo build --offline --release --manifest-path benches/compare/http_load/Cargo.toml --target-dir target) >>"$LOGS/cargo.log" 2>&1 \
  || { tail -30 "$LOGS/cargo.log" >&2; die "cargo build of http_load failed (log: $LOGS/cargo.log)"; }
start_bando_or_die "$FGB"

WORK=${WORK:-/tmp/bando-warm-tiles}
NGINX_PORT=${NGINX_PORT:-8098}
# Only what this script writes there goes: WORK may name a folder that holds more.
rm -rf "$WORK/root" "$WORK/nginx.pid"; mkdir -p "$WORK"

# The timing script starts nginx and stops it when it ends, however it ends.
set +e
timeout 3600 python3 "$HERE/warm_tiles_vs_nginx.py" --bando "$BANDO_URL" --bando-pid "$BANDO_PID" \
  --work "$WORK" --nginx-port "$NGINX_PORT" --http-load "$REPO/target/release/http_load" \
  --connections "${CONNECTIONS:-64}" --reps "${REPS:-3}" --seconds "${SECONDS_PER_RUN:-8}" \
  --data "$(basename "$FGB")" --out "$OUT/warm_tiles_vs_nginx.md"
rc=$?
set -e
[ $rc = 0 ] || die "timing script failed (exit $rc)"
say "total $(( $(date +%s) - started )) s; report: $OUT/warm_tiles_vs_nginx.md"
