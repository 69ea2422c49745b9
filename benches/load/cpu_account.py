#!/usr/bin/env python3
"""CPU accounting for one run of manage.sh: where the cores went, per process and per
server thread, read from /proc. Standard library only.

Steps:
  1. every INTERVAL seconds for DURATION seconds, read /proc/PID/stat of each watched
     process (user + system ticks, which include its threads that have ended) and
     /proc/SERVER/task/*/stat of every server thread (name, nice value, ticks);
  2. keep each thread's last reading, so threads that ended during the run (an approval's
     or an upload's own thread) still count;
  3. print one line `CPU {json}`: core-seconds per process and, for the server, per
     thread group (the name with its number removed: bando-http, tokio-rt-worker, approval,
     upload, manage, …) with the priorities seen (nice value, or the scheduling class), plus the server's time not seen in any thread
     (threads shorter than the interval).

Usage: cpu_account.py DURATION INTERVAL SERVER_PID [LABEL=PID ...]
A LABEL=PID whose process has ended by the end counts up to its last reading.
"""
import json
import os
import re
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


# Scheduling policies by number (man 7 sched); SCHED_OTHER threads are named by nice value.
POLICIES = {1: "fifo", 2: "rr", 3: "batch", 5: "idle", 6: "deadline"}


def stat_of(path):
    """(name, priority, ticks) of a /proc stat file, or None when it is gone; the priority
    is `nice N`, or the policy's name when it is not SCHED_OTHER."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return None
    # The name sits in parentheses and may hold spaces; the fields after it are plain.
    name = text[text.index("(") + 1:text.rindex(")")]
    rest = text[text.rindex(")") + 2:].split()
    # rest[0] is field 3 (state): utime is field 14, stime 15, nice 19, policy 41.
    policy = int(rest[38]) if len(rest) > 38 else 0
    priority = POLICIES.get(policy, f"nice {rest[16]}")
    return name, priority, int(rest[11]) + int(rest[12])


def main():
    duration, interval, server = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
    others = dict(a.split("=", 1) for a in sys.argv[4:])
    procs = {"server": server, **{k: int(v) for k, v in others.items()}}
    first_proc, last_proc = {}, {}
    first_task, last_task = {}, {}
    deadline = time.monotonic() + duration
    first_round = True
    while True:
        for label, pid in procs.items():
            s = stat_of(f"/proc/{pid}/stat")
            if s:
                first_proc.setdefault(label, s[2])
                last_proc[label] = s[2]
        try:
            tids = os.listdir(f"/proc/{server}/task")
        except OSError:
            tids = []
        for tid in tids:
            s = stat_of(f"/proc/{server}/task/{tid}/stat")
            if s:
                # A thread first seen after the start began within the run, at 0 ticks.
                first_task.setdefault(tid, s if first_round else (s[0], s[1], 0))
                last_task[tid] = s
        first_round = False
        if time.monotonic() >= deadline:
            break
        time.sleep(interval)

    groups = {}
    for tid, (name, priority, ticks) in last_task.items():
        group = re.sub(r"[-_ ]?\d+$", "", name)
        g = groups.setdefault(group, {"core_s": 0.0, "threads": 0, "priority": set()})
        g["core_s"] += (ticks - first_task[tid][2]) / TICK
        g["threads"] += 1
        g["priority"].add(priority)
    seen = sum(g["core_s"] for g in groups.values())
    server_total = (last_proc.get("server", 0) - first_proc.get("server", 0)) / TICK
    out = {
        "duration_s": duration,
        "processes_core_s": {k: round((last_proc[k] - first_proc[k]) / TICK, 2) for k in last_proc},
        "server_threads": {
            k: {"core_s": round(g["core_s"], 2), "threads": g["threads"], "priority": sorted(g["priority"])}
            for k, g in sorted(groups.items(), key=lambda kv: -kv[1]["core_s"])
        },
        "server_unseen_core_s": round(server_total - seen, 2),
    }
    print("CPU " + json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
