#!/usr/bin/env bash
# The point answer's criteria checklist before and after a change: `cargo bench --bench
# point_query` and `--bench tiles` built at BASE and at the working tree, run interleaved
# in one run, with a table of ratios.
#
#   bash benches/compare/checklist_before_after.sh [BASE]
#
# BASE defaults to the merge-base of HEAD and `main` (what the branch changed); any commit
# works, and only the benchmarks both sides have are compared.
#
# Steps:
#   1. check BASE out into a temporary git worktree (removed at the end);
#   2. build both sides' bench executables with `cargo bench --no-run`: the working tree
#      into CARGO_TARGET_DIR (default ./target), BASE into a target folder of its own,
#      seeded with a copy of the compiled dependencies (never bando's own artifacts).
#      Cargo names a package's artifacts alike whatever folder it is built from, so one
#      shared folder would let each side overwrite the other's executables and leave
#      fingerprints that make the next `cargo` in this tree take BASE's library for its
#      own; each executable is also copied aside as soon as it is built;
#   3. for ROUNDS rounds, run each bench executable of both sides one after the other,
#      alternating which side goes first, with criterion's `bencher` output;
#   4. per benchmark, the median over the rounds of each side's time, the ratio
#      after / before, and the spread over the rounds (how noisy the machine was); the
#      checklist's own cost is `point_answer/.../with_criteria` over `without_criteria`.
#
# Writes benches/compare/out/checklist_before_after.md (and raw.tsv beside it) and prints it.
#
# Environment: ROUNDS (3); FILTER (criterion's name filter, default `embedded`: the
#   embedded data only, which both sides always have; the real-data benchmarks need
#   ../shared/geodata beside each tree, which the temporary BASE tree has not);
#   WARMUP (1) and MEASURE (3) seconds per benchmark; CARGO_TARGET_DIR.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=$HERE/out
mkdir -p "$OUT/logs"
ROUNDS=${ROUNDS:-3}
FILTER=${FILTER:-embedded}
WARMUP=${WARMUP:-1}
MEASURE=${MEASURE:-3}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$REPO/target}
BENCHES=(point_query tiles)

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

BASE=$(git -C "$REPO" rev-parse --verify "${1:-$(git -C "$REPO" merge-base HEAD main)}^{commit}") || die "unknown BASE"
AFTER="$(git -C "$REPO" rev-parse --short HEAD)$(git -C "$REPO" diff --quiet HEAD -- src benches Cargo.toml Cargo.lock || echo '+uncommitted')"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bando-before-XXXXXX")
cleanup() {
  git -C "$REPO" worktree remove --force "$TMP/tree" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "before: $(git -C "$REPO" log -1 --format='%h %s' "$BASE")"
say "after:  $AFTER (the working tree)"
git -C "$REPO" worktree add --detach "$TMP/tree" "$BASE" >"$OUT/logs/worktree.log" 2>&1 || die "git worktree add failed"

# The base side's target folder: the compiled dependencies of this tree's release
# profile, without bando's artifacts, fingerprints, build outputs and executables.
say "copying the compiled dependencies for the base build"
mkdir -p "$TMP/target/release"
if [ -d "$CARGO_TARGET_DIR/release" ]; then
  (cd "$CARGO_TARGET_DIR/release" && find deps build .fingerprint -mindepth 1 -maxdepth 1 2>/dev/null \
      | grep -v -e 'bando' | while read -r f; do
          # Executables in deps/ are test and bench binaries: not needed, and large.
          if [ -f "$f" ] && [ -x "$f" ] && [[ "$f" == deps/* ]] && [[ "$(basename "$f")" != *.* ]]; then continue; fi
          printf '%s\n' "$f"
        done | tar cf - -T - | tar xf - -C "$TMP/target/release")
fi

# build_side DIR LABEL TARGET: builds the bench executables and copies them aside.
build_side() {
  local dir=$1 label=$2 target=$3 bench
  for bench in "${BENCHES[@]}"; do
    say "building $bench ($label)"
    (cd "$dir" && CARGO_TARGET_DIR=$target cargo bench --no-run --bench "$bench" --message-format=json 2>"$OUT/logs/build-$label-$bench.log") \
      | python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and "bench" in m["target"]["kind"]:
        print(m["executable"])' >"$TMP/exe-$label-$bench" \
      || { tail -30 "$OUT/logs/build-$label-$bench.log" >&2; die "cargo bench --no-run failed ($label, $bench)"; }
    [ -s "$TMP/exe-$label-$bench" ] || die "no executable for $bench ($label)"
    cp "$(cat "$TMP/exe-$label-$bench")" "$TMP/bin-$label-$bench"
  done
}
build_side "$TMP/tree" before "$TMP/target"
build_side "$REPO" after "$CARGO_TARGET_DIR"

RAW=$OUT/checklist_before_after.raw.tsv
printf 'round\tside\tbench\tname\tns\tdeviation_ns\n' >"$RAW"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date +%s)
for round in $(seq 1 "$ROUNDS"); do
  for bench in "${BENCHES[@]}"; do
    if [ $((round % 2)) = 1 ]; then order="before after"; else order="after before"; fi
    for side in $order; do
      dir=$REPO; [ "$side" = before ] && dir=$TMP/tree
      say "round $round/$ROUNDS: $bench ($side)"
      # A bench executable runs from its own tree, as `cargo bench` runs it.
      (cd "$dir" && "$TMP/bin-$side-$bench" --bench --output-format bencher \
          --warm-up-time "$WARMUP" --measurement-time "$MEASURE" "$FILTER" 2>>"$OUT/logs/run-$side-$bench.log") \
        | sed -n 's/^test \(.*\) \.\.\. bench: *\([0-9,]*\) ns\/iter (+\/- *\([0-9,]*\))$/\1\t\2\t\3/p' | tr -d , \
        | while IFS=$'\t' read -r name ns dev; do printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$side" "$bench" "$name" "$ns" "$dev"; done >>"$RAW"
    done
  done
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$RAW" "$OUT/checklist_before_after.md" "$(git -C "$REPO" log -1 --format='%h %s' "$BASE")" "$AFTER" \
  "$ROUNDS" "$LOAD_START" "$LOAD_END" "$(( $(date +%s) - started ))" "$(nproc)" <<'PY'
import csv, statistics, sys
raw, out, before, after, rounds, load0, load1, seconds, cores = sys.argv[1:]
times = {}
for r in csv.DictReader(open(raw), delimiter="\t"):
    times.setdefault((r["bench"], r["name"]), {}).setdefault(r["side"], []).append(int(r["ns"]))

def fmt(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.0f} ns"

def spread(xs):
    return (max(xs) / min(xs) - 1) * 100 if len(xs) > 1 and min(xs) > 0 else 0.0

lines = [
    "# Point answer and tiles, before and after, in one run",
    "",
    f"- before: `{before}`",
    f"- after: `{after}`",
    f"- {rounds} rounds, sides interleaved (alternating which goes first); {seconds} s; {cores} cores;"
    f" load average {load0} at the start, {load1} at the end",
    "- time: median over the rounds of criterion's estimate per iteration; spread: (slowest round / fastest round − 1)"
    " per side, the noise of this machine during the run",
    "",
    "| bench | benchmark | before | after | after / before | spread before | spread after |",
    "|---|---|---:|---:|---:|---:|---:|",
]
both = {k: v for k, v in times.items() if "before" in v and "after" in v}
for (bench, name), sides in sorted(both.items()):
    b, a = statistics.median(sides["before"]), statistics.median(sides["after"])
    lines.append(f"| {bench} | {name} | {fmt(b)} | {fmt(a)} | {a / b:.2f} | {spread(sides['before']):.0f}% | {spread(sides['after']):.0f}% |")
only = sorted(f"{n} ({'/'.join(s)})" for (_, n), s in times.items() if (_, n) not in both)
if only:
    lines += ["", "On one side only (not compared): " + ", ".join(only)]

# The checklist's own cost on each side: the whole answer with it over the answer without.
lines += ["", "| side | point answer with checklist / without (median over rounds of the per-round ratio) |", "|---|---:|"]
for side in ("before", "after"):
    with_ = {k: v.get(side) for k, v in times.items() if k[1].endswith("/with_criteria")}
    for (bench, name), xs in with_.items():
        ys = times.get((bench, name.replace("/with_criteria", "/without_criteria")), {}).get(side)
        if xs and ys:
            ratios = [x / y for x, y in zip(xs, ys)]
            lines.append(f"| {side} | {statistics.median(ratios):.2f} (rounds: {', '.join(f'{r:.2f}' for r in ratios)}) |")
text = "\n".join(lines) + "\n"
open(out, "w").write(text)
print(text)
PY
