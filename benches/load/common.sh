# Start-up shared by the load scripts (run.sh, manage.sh); sourced from the repository
# root. Defines where the outputs go, builds bando, and gives the steps both scripts take:
#
#   1. `prepare`: install wrk from Debian when it is missing, build the release binary
#      (BIN), make a scratch folder (WORK, removed on exit with the server stopped);
#   2. `start_server LABEL ARGS…`: `bando serve ARGS…` in the background (SERVER), its
#      output in out/LABEL-server.out and .log, waiting for its "listening on" line;
#   3. `warm`: fetch the 20 tiles of mix.lua's warm list, vector and PNG, once;
#   4. `start_mix LABEL KINDS`: one wrk per kind of request (mix.lua, KIND=…), CONNS
#      connections in all shared as SHARE says, for DURATION seconds, in the background
#      (their ids in MIX_PIDS), each writing out/LABEL-KIND.txt.
#
# The caller sets DURATION, CONNS and BASE before step 4.

HERE=benches/load
OUT=$HERE/out
mkdir -p "$OUT"
export POINTS_FILE=geodata/reference/communes-2024.csv

# Connections per kind (sum 256 with every kind); scaled to CONNS by start_mix.
declare -A SHARE=([mvt_cold]=32 [mvt_warm]=64 [png_cold]=24 [png_warm]=32 [static]=16 [point]=40 [batch]=16 [search]=16 [stats]=16)

prepare() {
  if ! command -v wrk >/dev/null; then
    apt-get update -qq && apt-get install -y -qq wrk
  fi
  cargo build --release --quiet
  BIN=$PWD/target/release/bando
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"; [[ -n "${SERVER:-}" ]] && kill "$SERVER" 2>/dev/null || true' EXIT
}

start_server() { # $1: label; the rest: arguments of `bando serve`
  local label=$1
  shift
  "$BIN" serve "$@" >"$OUT/$label-server.out" 2>"$OUT/$label-server.log" &
  SERVER=$!
  for _ in $(seq 1200); do
    grep -q '^listening on' "$OUT/$label-server.out" 2>/dev/null && break
    sleep 0.1
  done
  grep -q '^listening on' "$OUT/$label-server.out" || { echo "server did not start"; cat "$OUT/$label-server.log"; exit 1; }
}

warm() {
  for t in 5/25/14 5/25/15 5/26/14 5/26/15 6/51/28 6/51/29 6/52/28 7/102/56 7/102/57 7/103/56 7/103/57 \
           8/203/112 8/203/113 8/204/112 6/50/30 7/101/60 7/101/61 8/204/121 5/25/16 6/51/31; do
    curl -s -o /dev/null -H 'Accept-Encoding: gzip' "$BASE/tiles/ntm/$t.mvt"
    curl -s -o /dev/null "$BASE/tiles/ntm/$t.png"
  done
}

start_mix() { # $1: label, $2: kinds
  local label=$1 kinds=$2 total=0 k c
  MIX_PIDS=()
  for k in $kinds; do total=$((total + SHARE[$k])); done
  for k in $kinds; do
    c=$(( (SHARE[$k] * CONNS + total / 2) / total ))
    (( c < 1 )) && c=1
    KIND=$k wrk -t1 -c"$c" -d"${DURATION}s" --timeout 35s -s "$HERE/mix.lua" "$BASE" >"$OUT/$label-$k.txt" 2>&1 &
    MIX_PIDS+=($!)
  done
  echo "$label: ${#MIX_PIDS[@]} wrk processes, $CONNS connections, ${DURATION}s"
}
