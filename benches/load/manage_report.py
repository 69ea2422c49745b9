#!/usr/bin/env python3
"""Markdown report of manage.sh: public read throughput idle, with offices publishing, and
idle again (noise), from the RESULT lines of out/manage-<run>-<kind>.txt, the OFFICES
line of editors.py and the publication log. Usage: manage_report.py OUT DURATION CONNS PAUSE"""
import json
import pathlib
import sys

out, duration, conns, pause = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
KINDS = ["mvt_cold", "mvt_warm", "png_cold", "png_warm", "point"]
RUNS = ["idle-1", "busy", "idle-2"]


def results(run):
    rows = {}
    for kind in KINDS:
        f = out / f"manage-{run}-{kind}.txt"
        for line in f.read_text().splitlines() if f.exists() else []:
            if line.startswith("RESULT "):
                rows[kind] = json.loads(line[len("RESULT "):])
    return rows


runs = {run: results(run) for run in RUNS}
total = {run: sum(r["rps"] for r in rows.values()) for run, rows in runs.items()}

print(f"# Public reads while offices publish: {duration} s per run, {conns} connections\n")
print("Machine: 2 cores shared with other builds; wrk, the office client and the server on the same cores.\n")
print("| kind | " + " | ".join(f"{run} req/s | {run} p99 ms" for run in RUNS) + " |")
print("|---|" + "---:|---:|" * len(RUNS))
for kind in KINDS:
    cells = []
    for run in RUNS:
        r = runs[run].get(kind)
        cells += [f"{r['rps']:.0f}", f"{r['p99_ms']:.0f}"] if r else ["", ""]
    print(f"| {kind} | " + " | ".join(cells) + " |")
print("| **all** | " + " | ".join(f"**{total[run]:.0f}** | " for run in RUNS) + " |")
errors = {run: sum(r["s5xx_not_503"] + r["err_connect"] + r["err_timeout"] for r in rows.values()) for run, rows in runs.items()}
print(f"\n5xx (not 503), connection errors and timeouts: " + ", ".join(f"{run} {errors[run]}" for run in RUNS))
if total["idle-1"]:
    print(f"\n- **busy / idle-1 = {total['busy'] / total['idle-1']:.3f}** (goal: at least 0.90)")
    print(f"- idle-2 / idle-1 = {total['idle-2'] / total['idle-1']:.3f} (the run-to-run noise)")
    mean_idle = (total["idle-1"] + total["idle-2"]) / 2
    print(f"- busy / mean of the idle runs = {total['busy'] / mean_idle:.3f}")

offices = out / "manage-offices.txt"
line = next((l for l in offices.read_text().splitlines() if l.startswith("OFFICES ")), None) if offices.exists() else None
if line:
    o = json.loads(line[len("OFFICES "):])
    print(f"\nOffices during the busy run (20 editors pausing {pause} s between uploads, 1 admin approving in a loop):\n")
    print(f"- uploads + submit: {o['uploads']} (p50 {o['upload_p50_ms']} ms, p99 {o['upload_p99_ms']} ms)")
    print(f"- approvals: {o['approvals']} (p50 {o['approve_p50_ms']} ms, p99 {o['approve_p99_ms']} ms)")
    print(f"- statuses: {json.dumps(o['statuses'], sort_keys=True)}")
pubs = out / "manage-publications.json"
if pubs.exists():
    print(f"- publications at the end: {len(json.loads(pubs.read_text())['publications'])} (1 = the seed)")
check = out / "manage-db-check.txt"
if check.exists():
    print(f"- `bando db check` after the stop: {check.read_text().strip().splitlines()[-1] if check.read_text().strip() else '(no output)'}")
