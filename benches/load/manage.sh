#!/usr/bin/env bash
# Public read load while offices publish: does the map keep answering at full speed while
# 20 province editors upload and one admin approves? (benches/load/README.md)
#
# Steps:
#   1. build the release binary; install wrk from Debian when it is missing;
#   2. a fresh data folder: 20 province editors (one per edition-2025 province) and one
#      admin made with `bando user add`; `bando serve --data-dir` on the embedded data
#      (seeded on first start); warm tiles fetched;
#   3. "idle-1": the public read mix (mix.lua: cold and warm vector and PNG tiles, point
#      queries; one wrk per kind, CONNS connections in all) for DURATION seconds, nothing
#      else running;
#   4. "busy": the same mix while editors.py runs the offices for the same time (each
#      editor uploads a CSV or its province's workbook and submits, then pauses PAUSE s;
#      the admin approves the newest submitted submission in a loop);
#   5. "idle-2": the read mix alone again, to show the run-to-run noise;
#   6. write out/MANAGE.md (manage_report.py): req/s per run and kind, busy/idle-1 and
#      idle-2/idle-1 ratios, the offices' counts and latencies.
#
# Environment: DURATION (s, default 60), CONNS (default 64), PAUSE (s, default 2),
# PORT (default 18090). Traffic goes to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=benches/load
OUT=$HERE/out
DURATION=${DURATION:-60}
CONNS=${CONNS:-64}
PAUSE=${PAUSE:-2}
PORT=${PORT:-18090}
BASE=http://127.0.0.1:$PORT
mkdir -p "$OUT"

if ! command -v wrk >/dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk
fi
cargo build --release --quiet
BIN=$PWD/target/release/bando

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"; [[ -n "${SERVER:-}" ]] && kill "$SERVER" 2>/dev/null || true' EXIT
export POINTS_FILE=geodata/reference/communes-2024.csv
DATA=$WORK/data

# --- accounts: one admin, 20 editors of distinct edition-2025 provinces -------------
ACCOUNTS=$WORK/accounts.txt
add_user() { # name password role [province]
  local args=(user add "$1" --role "$3" --name "$1" --data-dir "$DATA")
  [[ -n "${4:-}" ]] && args+=(--province "$4")
  echo "$2" | "$BIN" "${args[@]}" >/dev/null
  echo "$1 $2 $3 ${4:--}" >>"$ACCOUNTS"
}
add_user load.admin "load-admin-pass-2026" admin
for p in $(tail -n +2 geodata/reference/communes-2025.csv | cut -d, -f4 | sort -u | head -20); do
  add_user "editor.$p" "load-editor-pass-$p" province "$p"
done

# --- server ---------------------------------------------------------------------------
"$BIN" serve --bind "127.0.0.1:$PORT" --data-dir "$DATA" >"$OUT/manage-server.out" 2>"$OUT/manage-server.log" &
SERVER=$!
for _ in $(seq 1200); do
  grep -q '^listening on' "$OUT/manage-server.out" 2>/dev/null && break
  sleep 0.1
done
grep -q '^listening on' "$OUT/manage-server.out" || { echo "server did not start"; cat "$OUT/manage-server.log"; exit 1; }

warm() {
  for t in 5/25/14 5/25/15 5/26/14 5/26/15 6/51/28 6/51/29 6/52/28 7/102/56 7/102/57 7/103/56 7/103/57 \
           8/203/112 8/203/113 8/204/112 6/50/30 7/101/60 7/101/61 8/204/121 5/25/16 6/51/31; do
    curl -s -o /dev/null -H 'Accept-Encoding: gzip' "$BASE/tiles/ntm/$t.mvt"
    curl -s -o /dev/null "$BASE/tiles/ntm/$t.png"
  done
}

# Connections per kind, as in run.sh, scaled to CONNS.
declare -A SHARE=([mvt_cold]=32 [mvt_warm]=64 [png_cold]=24 [png_warm]=32 [point]=40)
KINDS="mvt_cold mvt_warm png_cold png_warm point"

read_mix() { # $1: label. Runs the read mix for DURATION and waits for it.
  local label=$1 total=0 pids=()
  for k in $KINDS; do total=$((total + SHARE[$k])); done
  for k in $KINDS; do
    local c=$(( (SHARE[$k] * CONNS + total / 2) / total ))
    (( c < 1 )) && c=1
    KIND=$k wrk -t1 -c"$c" -d"${DURATION}s" --timeout 35s -s "$HERE/mix.lua" "$BASE" >"$OUT/manage-$label-$k.txt" 2>&1 &
    pids+=($!)
  done
  echo "$label: ${#pids[@]} wrk processes, $CONNS connections, ${DURATION}s"
  wait "${pids[@]}"
}

warm
read_mix idle-1
warm
python3 "$HERE/editors.py" "$BASE" "$DURATION" "$PAUSE" "$ACCOUNTS" >"$OUT/manage-offices.txt" 2>&1 &
OFFICES=$!
read_mix busy
wait "$OFFICES" || { echo "the office client failed:"; cat "$OUT/manage-offices.txt"; exit 1; }
warm
read_mix idle-2
curl -s "$BASE/api/v1/publications" >"$OUT/manage-publications.json"
kill -TERM "$SERVER"
wait "$SERVER" || true
SERVER=
"$BIN" db check --data-dir "$DATA" >"$OUT/manage-db-check.txt"

python3 "$HERE/manage_report.py" "$OUT" "$DURATION" "$CONNS" "$PAUSE" >"$OUT/MANAGE.md"
cat "$OUT/MANAGE.md"
