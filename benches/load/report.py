#!/usr/bin/env python3
"""Markdown report of a load run: reads the RESULT lines of out/<run>-<kind>.txt and
the facts files written by run.sh. Usage: report.py OUT_DIR DURATION CONNS"""
import json
import pathlib
import sys

out, duration, conns = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
KINDS = ["mvt_cold", "mvt_warm", "png_cold", "png_warm", "static", "point", "batch", "search", "stats"]


def results(run):
    rows = {}
    for kind in KINDS:
        f = out / f"{run}-{kind}.txt"
        if not f.exists():
            continue
        for line in f.read_text().splitlines():
            if line.startswith("RESULT "):
                rows[kind] = json.loads(line[len("RESULT "):])
    return rows


def facts(run):
    f = out / f"{run}-facts.txt"
    if not f.exists():
        return {}
    return {k: v for k, _, v in (line.partition(" ") for line in f.read_text().splitlines())}


def table(run, rows):
    print(f"\n### {run}\n")
    print("| kind | requests | req/s | p50 ms | p99 ms | max ms | 2xx | 3xx | 4xx | 503 | other 5xx | conn err | read err | timeouts |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    totals = {"requests": 0, "rps": 0.0, "s503": 0, "s5xx_not_503": 0, "err_connect": 0, "err_read": 0, "err_timeout": 0}
    for kind in KINDS:
        r = rows.get(kind)
        if not r:
            continue
        print(f"| {kind} | {r['requests']} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['max_ms']:.0f} | "
              f"{r['s2xx']} | {r['s3xx']} | {r['s4xx']} | {r['s503']} | {r['s5xx_not_503']} | {r['err_connect']} | "
              f"{r['err_read']} | {r['err_timeout']} |")
        for k in totals:
            totals[k] += r[k]
    print(f"| **all** | {totals['requests']} | {totals['rps']:.0f} | | | | | | | {totals['s503']} | "
          f"{totals['s5xx_not_503']} | {totals['err_connect']} | {totals['err_read']} | {totals['err_timeout']} |")
    return totals


print(f"# bando load test: {duration} s, {conns} connections, one wrk per kind\n")
print("Machine: 2 cores shared with other builds and tests at the same time, wrk on the same "
      "cores as the server: figures are noisy and pessimistic; compare within one run.")
with_static, no_static = results("with-static"), results("no-static")
tw = table("with-static (reload good at 1/3, bad at 1/2)", with_static)
tn = table("no-static (same reloads)", no_static)
final = results("with-static-final")
if final:
    table("final burst, SIGTERM after 2 s (errors after the stop are expected: the listener is closed)", final)

fs, fn = facts("with-static"), facts("no-static")
mb = lambda kb: f"{int(kb) / 1024:.0f} MiB" if kb else "?"
print("\n### Checks\n")
for run, f in (("with static maps", fs), ("without", fn)):
    print(f"- reloads during load ({run}): good HTTP {f.get('good_reload', '?')}; bad (broken results CSV swapped in, then back) HTTP {f.get('bad_reload', '?')}")
print(f"- SIGTERM during the final burst: exit code {fs.get('sigterm_exit_code', '?')} after {fs.get('sigterm_exit_after_s', '?')} s; "
      f"uncached 4096×4096 static maps in flight: {', '.join(fs.get(f'in_flight_static_{n}', '?') for n in (1, 2, 3))}; "
      f"'every request in flight was answered' logged: {fs.get('drained_log', '?')}")
print(f"- non-503 5xx: {tw['s5xx_not_503']} with static maps, {tn['s5xx_not_503']} without (must be 0)")
print(f"- connection errors (connect/read/timeout): {tw['err_connect']}/{tw['err_read']}/{tw['err_timeout']} with static maps, "
      f"{tn['err_connect']}/{tn['err_read']}/{tn['err_timeout']} without")
# The memory budget: the atlas (the resident size once serving and warm: the atlas, its
# snapshot and the runtime) twice, since a reload builds the new one while the old one
# serves; the two caches as configured; and per static render slot the largest map's
# pixels (MAX_SIDE² RGBA: its palette lookup and deflate output are small beside them);
# and the fixed answer tables (point heads 32 MiB, statistics and search answers 16 MiB
# each: src/api/point_head.rs, src/api/answer_cache.rs).
STATIC_PIXELS_MIB = 4096 * 4096 * 4 / 2**20
ANSWER_TABLES_MIB = 32 + 16 + 16
for run, f in (("with static maps", fs), ("without static maps", fn)):
    if not f.get("start_rss_kb") or not f.get("peak_rss_kb"):
        continue
    atlas = int(f["start_rss_kb"]) / 1024
    renders = int(f.get("static_renders", 1)) * STATIC_PIXELS_MIB if run == "with static maps" else 0
    budget = 2 * atlas + int(f.get("tile_cache_mb", 256)) + int(f.get("static_cache_mb", 64)) + renders + ANSWER_TABLES_MIB
    peak = int(f["peak_rss_kb"]) / 1024
    end = f" (at the end of the run {mb(f['end_rss_kb'])})" if f.get("end_rss_kb") else ""
    print(f"- RSS {run}: peak {peak:.0f} MiB{end} against a budget of {budget:.0f} MiB = 2 × {atlas:.0f} MiB "
          f"(the atlas once serving, twice during a reload) + tile cache {f.get('tile_cache_mb', '?')} MiB + static-map cache "
          f"{f.get('static_cache_mb', '?')} MiB + {renders:.0f} MiB of static-map pixels in render + {ANSWER_TABLES_MIB} MiB "
          f"of answer tables: "
          f"{peak / budget:.2f} of the budget ({'within' if peak <= budget else 'BEYOND'})")
for kind in ("mvt_cold", "png_cold"):
    a, b = with_static.get(kind), no_static.get(kind)
    if a and b and b["p99_ms"] > 0:
        ratio = a["p99_ms"] / b["p99_ms"]
        print(f"- {kind} p99: {a['p99_ms']:.1f} ms with static maps, {b['p99_ms']:.1f} ms without: "
              f"{ratio:.2f}× ({'within' if ratio <= 2 else 'BEYOND'} the 2× bound)")
