#!/usr/bin/env bash
# Public read load while offices publish: does the map keep answering at full speed while
# 20 province editors upload and one admin approves? (benches/load/README.md)
#
# Steps:
#   1. build the release binary; install wrk from Debian when it is missing (common.sh);
#   2. a fresh data folder: 20 province editors (one per edition-2025 province) and one
#      admin made with `bando user add`; `bando serve --data-dir` on the embedded data
#      (seeded on first start); warm tiles fetched;
#   3. the runs of ORDER, each DURATION seconds of the public read mix (mix.lua: cold and
#      warm vector and PNG tiles, point queries; one wrk per kind, CONNS connections in
#      all), warm tiles fetched before each:
#        - "idle-1", "idle-2": the read mix alone (two of them show the run-to-run noise);
#        - "busy": the same mix while editors.py plays the offices for the same time
#          (each editor uploads a CSV or its province's workbook and submits, then pauses
#          PAUSE s; the admin approves the newest submitted submission in a loop), at
#          nice OFFICE_NICE: it stands for offices elsewhere, so its own CPU on the
#          server's cores is not the server's doing;
#      during each run cpu_account.py reads where the cores went (server threads by
#      name and nice value, wrk, the office client) into out/manage-RUN-cpu.txt;
#   4. `bando db check` after the stop; out/MANAGE.md (manage_report.py): req/s per run
#      and kind, busy/idle ratios, CPU per process and server thread group, the
#      offices' counts and latencies.
#
# Environment: DURATION (s, default 60), CONNS (default 64), PAUSE (s, default 2),
# ORDER (default "idle-1 busy idle-2"; any order of those names), OFFICE_NICE (default
# 10), PORT (default 18090). Traffic goes to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-60}
CONNS=${CONNS:-64}
PAUSE=${PAUSE:-2}
ORDER=${ORDER:-idle-1 busy idle-2}
OFFICE_NICE=${OFFICE_NICE:-10}
PORT=${PORT:-18090}
BASE=http://127.0.0.1:$PORT
source benches/load/common.sh
prepare
DATA=$WORK/data
rm -f "$OUT"/manage-*

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

start_server manage --bind "127.0.0.1:$PORT" --data-dir "$DATA"

KINDS="mvt_cold mvt_warm png_cold png_warm point"

read_mix() { # $1: run name. The read mix for DURATION (with the offices when "busy").
  local run=$1 offices= others=() i=0
  warm
  if [[ $run == busy ]]; then
    nice -n "$OFFICE_NICE" python3 "$HERE/editors.py" "$BASE" "$DURATION" "$PAUSE" "$ACCOUNTS" >"$OUT/manage-offices.txt" 2>&1 &
    offices=$!
    others+=("offices=$offices")
    # The read load starts once the offices have signed in (editors.py prints READY).
    for _ in $(seq 600); do
      grep -q '^READY' "$OUT/manage-offices.txt" && break
      kill -0 "$offices" 2>/dev/null || break
      sleep 0.1
    done
  fi
  start_mix "manage-$run" "$KINDS"
  for p in "${MIX_PIDS[@]}"; do others+=("wrk$((i++))=$p"); done
  python3 "$HERE/cpu_account.py" "$DURATION" 0.2 "$SERVER" "${others[@]}" >"$OUT/manage-$run-cpu.txt" &
  local cpu=$!
  wait "${MIX_PIDS[@]}"
  wait "$cpu"
  if [[ -n $offices ]]; then
    wait "$offices" || { echo "the office client failed:"; cat "$OUT/manage-offices.txt"; exit 1; }
  fi
}

for run in $ORDER; do
  read_mix "$run"
done
curl -s "$BASE/api/v1/publications" >"$OUT/manage-publications.json"
kill -TERM "$SERVER"
wait "$SERVER" || true
SERVER=
"$BIN" db check --data-dir "$DATA" >"$OUT/manage-db-check.txt"

python3 "$HERE/manage_report.py" "$OUT" "$DURATION" "$CONNS" "$PAUSE" "$ORDER" "$OFFICE_NICE" >"$OUT/MANAGE.md"
cat "$OUT/MANAGE.md"
