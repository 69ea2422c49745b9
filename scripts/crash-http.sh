#!/usr/bin/env bash
# The full crash test of approvals over HTTP: 50 SIGKILLs of a real `bando serve
# --data-dir` at random moments of upload → submit → approve (tests/http_crash.rs, which
# runs 6 rounds in the normal test suite).
#
# Usage: scripts/crash-http.sh [ROUNDS] [SEED]
#   ROUNDS defaults to 50; SEED replays the kill delays of an earlier run (printed at
#   the start of every run).
set -euo pipefail
cd "$(dirname "$0")/.."
export BANDO_CRASH_ROUNDS=${1:-50}
if [[ -n "${2:-}" ]]; then export BANDO_CRASH_SEED=$2; fi
exec cargo test --release --test http_crash -- --nocapture
