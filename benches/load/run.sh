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
# Environment: DURATION (s, default 60), CONNS (default 256), PORT (default 18080).
# Traffic goes to 127.0.0.1 only; every wrk stops after DURATION.
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=benches/load
OUT=$HERE/out
DURATION=${DURATION:-60}
CONNS=${CONNS:-256}
PORT=${PORT:-18080}
BASE=http://127.0.0.1:$PORT
mkdir -p "$OUT"

if ! command -v wrk >/dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk
fi
cargo build --release --quiet
BIN=target/release/bando

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"; [[ -n "${SERVER:-}" ]] && kill "$SERVER" 2>/dev/null || true' EXIT
cp geodata/results-communes.csv "$WORK/results.csv"
export POINTS_FILE=geodata/reference/communes-2024.csv
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$WORK/token"
TOKEN=$(cat "$WORK/token")

# Connections per kind (sum 256 with static maps); scaled to CONNS.
declare -A SHARE=([mvt_cold]=32 [mvt_warm]=64 [png_cold]=24 [png_warm]=32 [static]=16 [point]=40 [batch]=16 [search]=16 [stats]=16)

start_server() { # $1: label
  "$BIN" serve --bind "127.0.0.1:$PORT" --results "$WORK/results.csv" --admin-token-file "$WORK/token" \
    >"$OUT/$1-server.out" 2>"$OUT/$1-server.log" &
  SERVER=$!
  for _ in $(seq 600); do
    grep -q '^listening on' "$OUT/$1-server.out" 2>/dev/null && break
    sleep 0.1
  done
  grep -q '^listening on' "$OUT/$1-server.out" || { echo "server did not start"; cat "$OUT/$1-server.log"; exit 1; }
}

rss_kb() { awk -v f="$1" '$1 == f":" {print $2}' "/proc/$SERVER/status"; }

warm() {
  for t in 5/25/14 5/25/15 5/26/14 5/26/15 6/51/28 6/51/29 6/52/28 7/102/56 7/102/57 7/103/56 7/103/57 \
           8/203/112 8/203/113 8/204/112 6/50/30 7/101/60 7/101/61 8/204/121 5/25/16 6/51/31; do
    curl -s -o /dev/null -H 'Accept-Encoding: gzip' "$BASE/tiles/ntm/$t.mvt"
    curl -s -o /dev/null "$BASE/tiles/ntm/$t.png"
  done
}

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

run_mix() { # $1: label, $2: kinds
  local label=$1 kinds=$2 total=0 pids=()
  for k in $kinds; do total=$((total + SHARE[$k])); done
  for k in $kinds; do
    local c=$(( (SHARE[$k] * CONNS + total / 2) / total ))
    (( c < 1 )) && c=1
    KIND=$k wrk -t1 -c"$c" -d"${DURATION}s" --timeout 35s -s "$HERE/mix.lua" "$BASE" >"$OUT/$label-$k.txt" 2>&1 &
    pids+=($!)
  done
  echo "$label: ${#pids[@]} wrk processes, $CONNS connections, ${DURATION}s"
}

# --- with static maps --------------------------------------------------------------
start_server with-static
echo "start_rss_kb $(rss_kb VmRSS)" >"$OUT/with-static-facts.txt"
warm
run_mix with-static "mvt_cold mvt_warm png_cold png_warm static point batch search stats"
mid_run_reloads with-static
wait $(jobs -p | grep -v "^$SERVER$") 2>/dev/null || true
echo "peak_rss_kb $(rss_kb VmHWM)" >>"$OUT/with-static-facts.txt"
echo "end_rss_kb $(rss_kb VmRSS)" >>"$OUT/with-static-facts.txt"

# Final burst: SIGTERM while requests are in flight.
DURATION_SAVED=$DURATION
DURATION=8
run_mix with-static-final "mvt_cold mvt_warm png_cold png_warm point batch search stats"
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
start_server no-static
warm
echo "start_rss_kb $(rss_kb VmRSS)" >"$OUT/no-static-facts.txt"
run_mix no-static "mvt_cold mvt_warm png_cold png_warm point batch search stats"
mid_run_reloads no-static
wait $(jobs -p | grep -v "^$SERVER$") 2>/dev/null || true
echo "peak_rss_kb $(rss_kb VmHWM)" >>"$OUT/no-static-facts.txt"
kill -TERM "$SERVER"
wait "$SERVER" || true
SERVER=

python3 "$HERE/report.py" "$OUT" "$DURATION" "$CONNS" >"$OUT/REPORT.md"
cat "$OUT/REPORT.md"
