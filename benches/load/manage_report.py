#!/usr/bin/env python3
"""Markdown report of manage.sh: public read throughput idle, with offices publishing, and
idle again (noise), from the RESULT lines of out/manage-<run>-<kind>.txt, the CPU lines
of cpu_account.py (out/manage-<run>-cpu.txt), the OFFICES line of editors.py and the
publication log. Usage: manage_report.py OUT DURATION CONNS PAUSE ORDER OFFICE_NICE"""
import json
import pathlib
import sys

out, duration, conns, pause = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
RUNS = sys.argv[5].split() if len(sys.argv) > 5 else ["idle-1", "busy", "idle-2"]
office_nice = sys.argv[6] if len(sys.argv) > 6 else "0"
KINDS = ["mvt_cold", "mvt_warm", "png_cold", "png_warm", "point"]


def results(run):
    rows = {}
    for kind in KINDS:
        f = out / f"manage-{run}-{kind}.txt"
        for line in f.read_text().splitlines() if f.exists() else []:
            if line.startswith("RESULT "):
                rows[kind] = json.loads(line[len("RESULT "):])
    return rows


def cpu(run):
    f = out / f"manage-{run}-cpu.txt"
    line = next((l for l in f.read_text().splitlines() if l.startswith("CPU ")), None) if f.exists() else None
    return json.loads(line[len("CPU "):]) if line else None


runs = {run: results(run) for run in RUNS}
total = {run: sum(r["rps"] for r in rows.values()) for run, rows in runs.items()}

print(f"# Public reads while offices publish: {duration} s per run, {conns} connections\n")
print(f"Runs in this order: {', '.join(RUNS)}. Machine: 2 cores shared with other builds; wrk, the office "
      f"client (at nice {office_nice}) and the server on the same cores.\n")
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
if total.get("idle-1") and total.get("busy"):
    print(f"\n- **busy / idle-1 = {total['busy'] / total['idle-1']:.3f}** (goal: at least 0.90)")
if total.get("idle-1") and total.get("idle-2"):
    print(f"- idle-2 / idle-1 = {total['idle-2'] / total['idle-1']:.3f} (the run-to-run noise)")
    if total.get("busy"):
        mean_idle = (total["idle-1"] + total["idle-2"]) / 2
        print(f"- busy / mean of the idle runs = {total['busy'] / mean_idle:.3f}")

cpus = {run: cpu(run) for run in RUNS}
if any(cpus.values()):
    print("\nWhere the cores went (core-seconds during each run, from /proc; in brackets the priorities seen: "
          "nice value, or `idle` for the SCHED_IDLE class):\n")
    groups = []
    for c in cpus.values():
        for g in (c or {}).get("server_threads", {}):
            if g not in groups:
                groups.append(g)
    print("| | " + " | ".join(RUNS) + " |")
    print("|---|" + "---:|" * len(RUNS))

    def row(label, get):
        print(f"| {label} | " + " | ".join(get(cpus[run]) if cpus[run] else "" for run in RUNS) + " |")

    row("server, all threads", lambda c: f"{c['processes_core_s'].get('server', 0):.1f}")
    for g in groups:
        def cell(c, g=g):
            t = c["server_threads"].get(g)
            return f"{t['core_s']:.1f} ({', '.join(t['priority'])})" if t else ""
        row(f"server `{g}`", cell)
    row("server, threads shorter than 0.2 s", lambda c: f"{c['server_unseen_core_s']:.1f}")
    row("wrk (all)", lambda c: f"{sum(v for k, v in c['processes_core_s'].items() if k.startswith('wrk')):.1f}")
    row("office client", lambda c: f"{c['processes_core_s'].get('offices', 0):.1f}")

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
