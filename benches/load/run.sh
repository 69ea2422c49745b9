#!/usr/bin/env bash
# Load test of a real bando server on 127.0.0.1 with wrk (benches/load/README.md).
#
# Steps:
#   1. build the release binary; install wrk from Debian when it is missing;
#   2. run "with-static": one wrk per kind of request (mix.lua, KIND=…), all at once,
#      CONNS connections in all, for DURATION seconds; a good reload (POST
#      /api/v1/admin/reload with the bearer token) at a third of the run and a bad one
#      (a broken results CSV swapped into place, reload, swapped back) at half;
#      then a short final burst with three uncached 4096×4096 static maps in flight,
#      SIGTERM in the middle of it: the maps must be answered 200 and the exit code 0;
#   3. run "no-static": the same mix and reloads without static maps (cold tile p99
#      compared);
#   4. write out/REPORT.md (report.py) from the RESULT lines of every wrk.
#
# Memory: the server runs with TILE_CACHE_MB (256) and STATIC_CACHE_MB (64), one static
# map render at a time (the default); the report checks the peak resident size against
# the budget those make with the atlas (report.py).
#
# Environment: DURATION (s, default 60), CONNS (default 256), PORT (default 18080),
#   TILE_CACHE_MB, STATIC_CACHE_MB.
# Traffic goes to 127.0.0.1 only; every wrk stops after DURATION.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-60}
CONNS=${CONNS:-256}
PORT=${PORT:-18080}
TILE_CACHE_MB=${TILE_CACHE_MB:-256}
STATIC_CACHE_MB=${STATIC_CACHE_MB:-64}
BASE=http://127.0.0.1:$PORT
source benches/load/common.sh
prepare

cp geodata/results-communes.csv "$WORK/results.csv"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$WORK/token"
TOKEN=$(cat "$WORK/token")

serve() { # $1: label
  start_server "$1" --bind "127.0.0.1:$PORT" --results "$WORK/results.csv" --admin-token-file "$WORK/token" \
    --tile-cache-mb "$TILE_CACHE_MB" --static-map-cache-mb "$STATIC_CACHE_MB" --static-map-renders 1
}

start_facts() { # $1: label. The configuration and the resident size once serving and warm.
  { echo "tile_cache_mb $TILE_CACHE_MB"; echo "static_cache_mb $STATIC_CACHE_MB"; echo "static_renders 1"
    echo "start_rss_kb $(rss_kb VmRSS)"; } >"$OUT/$1-facts.txt"
}

rss_kb() { awk -v f="$1" '$1 == f":" {print $2}' "/proc/$SERVER/status"; }

reload() { # prints the status; the body goes to $1
  curl -s -o "$1" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/admin/reload"
}

mid_run_reloads() { # $1: label. A good reload at 1/3 of the run, a bad one at 1/2.
  local facts="$OUT/$1-facts.txt"
  sleep $((DURATION / 3))
  echo "good_reload $(reload "$OUT/$1-good-reload.json")" >>"$facts"
  sleep $((DURATION / 2 - DURATION / 3))
  cp "$WORK/results.csv" "$WORK/results.good"
  { cat "$WORK/results.good"; echo "00571,2099,kieu_mau,19,,"; echo "00571,2022,xuat_sac,19,,"; } >"$WORK/results.bad"
  mv "$WORK/results.bad" "$WORK/results.csv"
  echo "bad_reload $(reload "$OUT/$1-bad-reload.json")" >>"$facts"
  mv "$WORK/results.good" "$WORK/results.csv"
}

# --- with static maps --------------------------------------------------------------
serve with-static
warm
start_facts with-static
start_mix with-static "mvt_cold mvt_warm png_cold png_warm static point batch search stats"
mid_run_reloads with-static
wait $(jobs -p | grep -v "^$SERVER$") 2>/dev/null || true
echo "peak_rss_kb $(rss_kb VmHWM)" >>"$OUT/with-static-facts.txt"
echo "end_rss_kb $(rss_kb VmRSS)" >>"$OUT/with-static-facts.txt"

# Final burst: SIGTERM while requests are in flight.
DURATION_SAVED=$DURATION
DURATION=8
start_mix with-static-final "mvt_cold mvt_warm png_cold png_warm point batch search stats"
DURATION=$DURATION_SAVED
probes=()
for n in 1 2 3; do
  curl -s -o "$WORK/final-$n.png" -w '%{http_code}\n' \
    "$BASE/static/ntm.png?bbox=102.1$n,8.2,109.5,23.4&width=4096&height=4096" >"$WORK/final-$n.status" &
  probes+=($!)
done
sleep 2
kill -TERM "$SERVER"
t0=$(date +%s.%N)
set +e
wait "$SERVER"
code=$?
set -e
t1=$(date +%s.%N)
SERVER=
wait "${probes[@]}" || true
{
  echo "sigterm_exit_code $code"
  echo "sigterm_exit_after_s $(awk "BEGIN {printf \"%.2f\", $t1 - $t0}")"
  for n in 1 2 3; do echo "in_flight_static_$n $(cat "$WORK/final-$n.status") $(stat -c %s "$WORK/final-$n.png") bytes"; done
  echo "drained_log $(grep -c 'every request in flight was answered' "$OUT/with-static-server.log" || true)"
} >>"$OUT/with-static-facts.txt"
wait 2>/dev/null || true

# --- without static maps -----------------------------------------------------------
serve no-static
warm
start_facts no-static
start_mix no-static "mvt_cold mvt_warm png_cold png_warm point batch search stats"
mid_run_reloads no-static
wait $(jobs -p | grep -v "^$SERVER$") 2>/dev/null || true
echo "peak_rss_kb $(rss_kb VmHWM)" >>"$OUT/no-static-facts.txt"
kill -TERM "$SERVER"
wait "$SERVER" || true
SERVER=

python3 "$HERE/report.py" "$OUT" "$DURATION" "$CONNS" >"$OUT/REPORT.md"
cat "$OUT/REPORT.md"
