#!/usr/bin/env python3
"""Warm vector tiles: bando from its tile cache against nginx serving the same bytes as
static files (called by warm_tiles_vs_nginx.sh, which starts bando).

Steps:
  1. pick tiles of the NTM map at z5-z12 over Vietnam (seeded; up to 400 that bando
     answers 200 per zoom), fetching each from bando once with Accept-Encoding: gzip: its
     cache now holds them, and the bytes go into WORK/root/tiles/ntm/z/x/y.mvt;
  2. write nginx.conf and start nginx on that folder (stopped at the end, however the
     run ends); check that both servers answer every tile with the same bytes;
  3. REPS times, alternating the servers: http_load (layouts ordered and spread) and wrk
     at CONNECTIONS connections, 2 client threads; server CPU per answer from /proc;
  4. write the report: median throughput per tool and server, the ratio bando / nginx
     per repetition, CPU per answer.
"""

import argparse
import math
import os
import random
import statistics
import subprocess
import sys
import time
import urllib.request

SAMPLE_BOX = (102.1, 8.4, 109.5, 23.4)  # lon0, lat0, lon1, lat1: Vietnam and its seas
PER_ZOOM = 400
ZOOMS = range(5, 13)

NGINX_CONF = """
worker_processes 2;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
{user}
events {{ worker_connections 4096; }}
http {{
  access_log off;
  sendfile on; tcp_nopush on; tcp_nodelay on;
  keepalive_requests 1000000; keepalive_timeout 60;
  open_file_cache max=20000 inactive=60s; open_file_cache_valid 600s;
  types {{ application/vnd.mapbox-vector-tile mvt; }}
  server {{
    listen 127.0.0.1:{port} reuseport backlog=4096;
    root {work}/root;
    location /tiles/ {{
      add_header Content-Encoding gzip;
      add_header Vary Accept-Encoding;
      add_header Access-Control-Allow-Origin *;
      expires 1h;
    }}
  }}
}}
"""

WRK_LUA = """
local paths = {{}}
for line in io.lines("{paths}") do paths[#paths + 1] = line end
local requests = {{}}
local i = 0
init = function(args)
  for k, p in ipairs(paths) do requests[k] = wrk.format("GET", p, {{["Accept-Encoding"] = "gzip"}}) end
  i = math.random(#paths)
end
request = function()
  i = i % #requests + 1
  return requests[i]
end
"""


def say(*a):
    print("==>", *a, file=sys.stderr, flush=True)


def fetch(url):
    req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req) as r:
        return r.status, r.read()


def tiles_over(z):
    lon0, lat0, lon1, lat1 = SAMPLE_BOX
    n = 2 ** z

    def xy(lon, lat):
        r = math.radians(lat)
        return int((lon + 180) / 360 * n), int((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)

    x0, y0 = xy(lon0, lat1)
    x1, y1 = xy(lon1, lat0)
    return [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


def pick_tiles(bando, root, seed):
    """Step 1."""
    rng = random.Random(seed)
    paths, sizes = [], []
    for z in ZOOMS:
        candidates = tiles_over(z)
        rng.shuffle(candidates)
        taken = 0
        for (z, x, y) in candidates:
            if taken == PER_ZOOM:
                break
            path = f"/tiles/ntm/{z}/{x}/{y}.mvt"
            status, body = fetch(bando + path)
            if status != 200:
                continue
            os.makedirs(os.path.dirname(root + path), exist_ok=True)
            with open(root + path, "wb") as f:
                f.write(body)
            paths.append(path)
            sizes.append(len(body))
            taken += 1
    return paths, sizes


def cpu_ticks(pids):
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total


def run_http_load(tool, url, paths_file, connections, seconds, layout):
    out = subprocess.run([tool, "--url", url, "--paths", paths_file, "--connections", str(connections), "--threads", "2",
                          "--seconds", str(seconds), "--layout", layout, "--header", "Accept-Encoding: gzip"],
                         check=True, capture_output=True, text=True).stdout
    fields = dict(kv.split("=", 1) for kv in out.split())
    if int(fields["non_200"]) or int(fields["errors"]):
        raise SystemExit(f"http_load against {url}: {out}")
    return int(fields["requests"]), float(fields["seconds"])


def run_wrk(url, lua, connections, seconds):
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", lua, url],
                         check=True, capture_output=True, text=True).stdout
    requests = int(next(l for l in out.splitlines() if "requests in" in l).split()[0])
    if "Non-2xx" in out or "Socket errors" in out:
        raise SystemExit(f"wrk against {url}:\n{out}")
    return requests, float(seconds)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bando", required=True)
    ap.add_argument("--bando-pid", type=int, required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--nginx-port", type=int, default=8098)
    ap.add_argument("--http-load", required=True)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=8)
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--data", default="")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    hz = os.sysconf("SC_CLK_TCK")

    root = os.path.join(a.work, "root")
    say("picking tiles and warming bando's cache")
    paths, sizes = pick_tiles(a.bando, root, a.seed)
    paths_file = os.path.join(a.work, "paths.txt")
    with open(paths_file, "w") as f:
        f.write("\n".join(paths) + "\n")
    lua = os.path.join(a.work, "tiles.lua")
    with open(lua, "w") as f:
        f.write(WRK_LUA.format(paths=paths_file))
    say(f"{len(paths)} tiles, {sum(sizes)} bytes (mean {sum(sizes) // len(sizes)}, median {sorted(sizes)[len(sizes) // 2]})")

    conf = os.path.join(a.work, "nginx.conf")
    with open(conf, "w") as f:
        # As root, nginx's workers would run as nobody; keep them able to read the folder.
        f.write(NGINX_CONF.format(work=a.work, port=a.nginx_port, user="user root;" if os.geteuid() == 0 else ""))
    subprocess.run(["nginx", "-c", conf], check=True)
    try:
        nginx_url = f"http://127.0.0.1:{a.nginx_port}"
        for _ in range(50):
            if os.path.exists(os.path.join(a.work, "nginx.pid")):
                break
            time.sleep(0.1)
        master = int(open(os.path.join(a.work, "nginx.pid")).read())
        workers = [int(p) for p in subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout.split()]
        same = sum(fetch(a.bando + p)[1] == fetch(nginx_url + p)[1] for p in paths)
        say(f"same bytes from both servers for {same} of {len(paths)} tiles")
        if same != len(paths):
            raise SystemExit("the two servers answer different bytes")

        systems = {"bando": (a.bando, [a.bando_pid]), "nginx": (nginx_url, workers)}
        tools = [("http_load ordered", lambda url: run_http_load(a.http_load, url, paths_file, a.connections, a.seconds, "ordered")),
                 ("http_load spread", lambda url: run_http_load(a.http_load, url, paths_file, a.connections, a.seconds, "spread")),
                 ("wrk", lambda url: run_wrk(url, lua, a.connections, int(a.seconds)))]
        results = {(t, s): [] for t, _ in tools for s in systems}
        load = []
        for rep in range(a.reps):
            for tool, run in tools:
                for system, (url, pids) in systems.items():
                    t0 = cpu_ticks(pids)
                    requests, seconds = run(url)
                    cpu_us = (cpu_ticks(pids) - t0) / hz * 1e6 / requests
                    results[(tool, system)].append((requests / seconds, cpu_us))
                    say(f"rep {rep + 1} {tool:17} {system}: {requests / seconds:,.0f} answers/s, {cpu_us:.2f} µs server CPU per answer")
            load.append(os.getloadavg()[0])
    finally:
        subprocess.run(["nginx", "-c", conf, "-s", "stop"])

    lines = [
        "# Warm vector tiles: bando vs nginx serving the same bytes",
        "",
        f"Data: {a.data}; {len(paths)} tiles of the NTM map at z{ZOOMS[0]}–z{ZOOMS[-1]} (seed {a.seed}), "
        f"{sum(sizes):,} bytes gzip (mean {sum(sizes) // len(sizes):,}, median {sorted(sizes)[len(sizes) // 2]:,}); "
        f"{a.connections} keep-alive connections over 2 client threads, {a.reps} × {a.seconds:g} s per tool and server, "
        f"alternating; load average after each repetition {', '.join(f'{l:.1f}' for l in load)}.",
        "",
        "| load generator | bando answers/s | nginx answers/s | bando / nginx | per repetition | server CPU per answer: bando, nginx |",
        "|---|---:|---:|---:|---|---:|",
    ]
    for tool, _ in tools:
        b = results[(tool, "bando")]
        n = results[(tool, "nginx")]
        ratios = [x[0] / y[0] for x, y in zip(b, n)]
        lines.append(f"| {tool} | {statistics.median(q for q, _ in b):,.0f} | {statistics.median(q for q, _ in n):,.0f} | "
                     f"**{statistics.median(ratios):.2f}×** | {min(ratios):.2f}–{max(ratios):.2f}× | "
                     f"{statistics.median(c for _, c in b):.1f} µs, {statistics.median(c for _, c in n):.1f} µs |")
    lines += [
        "",
        "Ordered: each client thread's connections reach one bando worker (bando deals the connections it accepts "
        "round robin, http_load opens them in turn); spread: each client thread's connections reach both workers. "
        "nginx's kernel spreads connections over its workers by hash (reuseport), so both layouts look alike to it. "
        "wrk opens its connections from both threads at once: they reach bando's workers mixed, like spread.",
        "",
    ]
    with open(a.out, "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
