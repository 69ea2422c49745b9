#!/usr/bin/env bash
# Runs fuzz targets one after another, each for SECONDS (default 600), at low priority,
# logging to fuzz/logs/<target>.log. Build first (`cargo +nightly fuzz build -O`); this
# script runs the built binaries, so editing the sources meanwhile rebuilds nothing under
# a running fuzzer. A crash is written to fuzz/artifacts/<target>/ and fuzzing goes on
# (fork mode), so every target runs its full time.
#   fuzz/run.sh [SECONDS] [TARGET…]      (all targets when none is named)
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(load_csv load_geojson load_fgb batch_body http_get style load_criteria upload)
mkdir -p logs
for t in "${targets[@]}"; do
  dict=()
  [ -f "dicts/$t.dict" ] && dict=("-dict=dicts/$t.dict")
  mkdir -p "artifacts/$t" "corpus/$t"
  echo "== $t: $(date -u +%H:%M:%S) for ${seconds}s" >> logs/summary.txt
  nice -n 10 "target/x86_64-unknown-linux-gnu/release/$t" "corpus/$t" \
    -artifact_prefix="artifacts/$t/" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 \
    -max_len=65536 -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    "${dict[@]}" > "logs/$t.log" 2>&1 || echo "$t exited with $?" >> logs/summary.txt
  echo "== $t done $(date -u +%H:%M:%S): $(grep -E '^#[0-9]+' "logs/$t.log" | tail -1)" >> logs/summary.txt
done
