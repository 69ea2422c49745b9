#!/usr/bin/env python3
"""Throughput of single-point queries: bando's GET /api/v1/communes/at vs PostGIS ST_Contains.

Steps:
  1. points: N seeded random points (random.Random(SEED)) uniform over Vietnam's mainland
     bounding box, kept only when PostGIS finds them in a commune (on land), until N;
     bando's answers for the same points are checked against PostGIS's (same commune);
  2. the same point list is written as a list of request targets for `http_load` (the
     lean keep-alive HTTP/1.1 client of benches/compare/http_load/), as a wrk Lua
     script (one URL per point) and as pgbench scripts that pick one of the points at random and send its coordinates as
     the two parameters of a prepared statement (-M prepared);
  3. warm-up: a short untimed run of each;
  4. REPS repetitions; in each, for each concurrency (2 and 16 clients), the
     systems run one after the other for SECONDS each, in an order rotated every
     repetition: bando (http_load, 2 threads, connections in order: each client thread's
     connections on one of bando's workers), bando with the connections spread (each
     client thread's connections on both workers), bando again through wrk (a second
     opinion, optional), PostGIS on subdivided polygons and PostGIS on the plain polygons
     (pgbench, 2 threads). Each run records queries/s, mean latency,
     the server's CPU time (bando's process; PostgreSQL's backends, read from the
     postmaster's reaped-children counters) and the 1-minute load average;
  5. the report: medians per system and concurrency, ratios bando / PostGIS of the
     medians (and the range of the per-repetition ratios), CPU time per query.

Usage: point_vs_postgis.py --pg DSN --bando URL --bando-pid PID --postmaster-pid PID
           --http-load PATH [--wrk | --no-wrk] [--points 10000] [--seed 2025] [--reps 5] [--seconds 10] [--clients 2,16]
           [--table communes] [--out report.md]
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import time
import urllib.parse

import psycopg2

BBOX = (102.14, 8.18, 109.47, 23.39)
TICK = os.sysconf("SC_CLK_TCK")

# What a SQL user asks PostGIS: the commune containing the point with its code, name,
# kind and province (code and name); the lowest code where the file overlaps itself,
# as bando answers. $1, $2 = lon, lat.
SQL_SUBDIVIDED = """SELECT code, name, kind, province_code, province_name
FROM {table}_sub
WHERE ST_Contains(geom, ST_SetSRID(ST_MakePoint({lon}, {lat}), 4326))
ORDER BY code LIMIT 1"""
SQL_PLAIN = """SELECT c.code, c.name, c.kind, c.province_code, p.name AS province_name
FROM {table} c LEFT JOIN provinces_2025 p ON p.code = c.province_code
WHERE ST_Contains(c.geom, ST_SetSRID(ST_MakePoint({lon}, {lat}), 4326))
ORDER BY c.code LIMIT 1"""


def land_points(cur, table, n, seed):
    """N seeded uniform points of the bounding box that PostGIS places in a commune."""
    rng = random.Random(seed)
    kept = []
    while len(kept) < n:
        batch = [(round(rng.uniform(BBOX[0], BBOX[2]), 6), round(rng.uniform(BBOX[1], BBOX[3]), 6)) for _ in range(4 * n)]
        cur.execute(
            f"""SELECT i, (SELECT code FROM {table}_sub c WHERE ST_Contains(c.geom, ST_SetSRID(ST_MakePoint(x, y), 4326))
                           ORDER BY code LIMIT 1)
                FROM unnest(%s::float8[], %s::float8[]) WITH ORDINALITY AS t(x, y, i) ORDER BY i""",
            ([x for x, _ in batch], [y for _, y in batch]),
        )
        for i, code in cur.fetchall():
            if code is not None and len(kept) < n:
                kept.append((batch[i - 1], code))
    return kept


def bando_codes(url, pts):
    """bando's commune for each point, from its batch endpoint (edition 2025)."""
    u = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
    conn.request("POST", "/api/v1/communes/at?edition=2025", body=json.dumps([[x, y] for x, y in pts]),
                 headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    data = resp.read()
    if resp.status != 200:
        raise SystemExit(f"bando answered {resp.status}: {data[:300]!r}")
    return [a["commune"]["code"] if a["commune"] else None for a in json.loads(data)]


def bando_get(url, path):
    u = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    conn.request("GET", path)
    resp = conn.getresponse()
    return resp.status, resp.read()


def point_path(x, y):
    return f"/api/v1/communes/at?lon={x}&lat={y}&edition=2025"


def write_targets(path, pts):
    """One request target per line, for http_load."""
    with open(path, "w") as f:
        f.writelines(point_path(x, y) + "\n" for x, y in pts)


def write_wrk_script(path, pts):
    """Each wrk thread walks the point list from its own offset, one URL per request.
    The requests are formatted once per thread in `init` (wrk.format builds the request
    text from tables, which per request cost the client about 0.6 µs more on these shared
    cores); `request()` only hands out the next one."""
    urls = ",\n".join(f'"{point_path(x, y)}"' for x, y in pts)
    with open(path, "w") as f:
        f.write(f"""-- generated by point_vs_postgis.py: the {len(pts)} points as bando URLs
local urls = {{
{urls}
}}
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("i", (threads * 7919) % #urls)
end
local requests = {{}}
function init(args)
  for k, url in ipairs(urls) do requests[k] = wrk.format("GET", url) end
end
function request()
  i = i % #requests + 1
  return requests[i]
end
""")


def write_pgbench_script(path, sql, pts):
    """Picks point :k at random; its lon and lat come from a binary tree of CASE
    expressions (pgbench has no arrays), 14 comparisons for 10,000 points: the
    coordinates reach PostgreSQL as the statement's two parameters, as from an
    application, with no table lookup on the server."""
    def tree(lo, hi, axis):
        if hi - lo == 1:
            return repr(pts[lo][axis])
        mid = (lo + hi) // 2
        return f"case when :k < {mid} then {tree(lo, mid, axis)} else {tree(mid, hi, axis)} end"

    with open(path, "w") as f:
        f.write(f"\\set k random(0, {len(pts) - 1})\n")
        f.write(f"\\set lon {tree(0, len(pts), 0)}\n")
        f.write(f"\\set lat {tree(0, len(pts), 1)}\n")
        f.write(" ".join(sql.format(lon=":lon", lat=":lat").split()) + ";\n")


def cpu_seconds(pid, children=False):
    """utime + stime of a process (with children=True: of its reaped children)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # After the ")" of comm, field 3 (state) is index 0: utime=14, stime=15, cutime=16, cstime=17.
    own, reaped = int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])
    return (reaped if children else own) / TICK


def run_wrk(url, script, clients, seconds):
    out = subprocess.run(["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "-s", script, url],
                         capture_output=True, text=True, check=True).stdout
    qps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = re.search(r"Latency\s+([\d.]+)(us|ms|s)", out)
    lat_ms = float(lat.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[lat.group(2)]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    if bad or errors:
        raise SystemExit(f"wrk saw failures:\n{out}")
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return qps, lat_ms, total


def run_http_load(binary, url, targets, clients, seconds, layout):
    """http_load with one keep-alive connection per client on min(2, clients) threads; `layout`
    "ordered" puts each thread's connections on one of bando's two HTTP workers, "spread" on both."""
    res = subprocess.run([binary, "--url", url, "--paths", targets, "--connections", str(clients),
                          "--threads", str(min(2, clients)), "--seconds", str(seconds), "--layout", layout],
                         capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(f"http_load failed:\n{res.stdout}\n{res.stderr}")
    out = dict(kv.split("=", 1) for kv in res.stdout.split())
    if int(out["non_200"]) or int(out["errors"]):
        raise SystemExit(f"http_load saw failures: {res.stdout}{res.stderr}")
    return float(out["qps"]), float(out["latency_ms"]), int(out["requests"])


def run_pgbench(pgbench, env, script, clients, seconds):
    res = subprocess.run([pgbench, "-n", "-M", "prepared", "-f", script, f"-c{clients}", "-j2", f"-T{seconds}", "bando"],
                         capture_output=True, text=True, env=env)
    if res.returncode != 0:
        raise SystemExit(f"pgbench failed:\n{res.stdout}\n{res.stderr}")
    out = res.stdout
    qps = float(re.search(r"tps = ([\d.]+)", out).group(1))
    lat_ms = float(re.search(r"latency average = ([\d.]+) ms", out).group(1))
    total = int(re.search(r"number of transactions actually processed: (\d+)", out).group(1))
    failed = re.search(r"number of failed transactions: (\d+)", out)
    if failed and int(failed.group(1)):
        raise SystemExit(f"pgbench saw failures:\n{out}")
    return qps, lat_ms, total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", required=True)
    ap.add_argument("--bando", required=True)
    ap.add_argument("--bando-pid", type=int, required=True)
    ap.add_argument("--postmaster-pid", type=int, required=True)
    ap.add_argument("--pgbench", default="pgbench")
    ap.add_argument("--http-load", required=True, help="the http_load binary (benches/compare/http_load/)")
    ap.add_argument("--wrk", action=argparse.BooleanOptionalAction, default=True,
                    help="also time bando through wrk, as a second opinion (default on)")
    ap.add_argument("--points", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--clients", default="2,16")
    ap.add_argument("--table", default="communes")
    ap.add_argument("--data", default="communes-2025.fgb")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--out")
    a = ap.parse_args()
    clients = [int(c) for c in a.clients.split(",")]
    dsn = dict(kv.split("=", 1) for kv in a.pg.split())
    env = dict(os.environ, PGHOST=dsn["host"], PGPORT=dsn["port"], PGUSER=dsn["user"])

    # 1. Points on land, and both systems' communes for them.
    conn = psycopg2.connect(a.pg)
    conn.autocommit = True
    cur = conn.cursor()
    kept = land_points(cur, a.table, a.points, a.seed)
    pts = [p for p, _ in kept]
    codes = bando_codes(a.bando, pts)
    same = sum(1 for (_, pg), b in zip(kept, codes) if pg == b)
    status, body = bando_get(a.bando, point_path(*pts[0]))
    sample = json.loads(body)
    assert status == 200 and sample["commune"]["code"] == kept[0][1], (status, body[:300])
    cur.execute("EXPLAIN " + SQL_SUBDIVIDED.format(table=a.table, lon="%s", lat="%s"), pts[0])
    plan_sub = "\n".join(r[0] for r in cur.fetchall())
    cur.execute("EXPLAIN " + SQL_PLAIN.format(table=a.table, lon="%s", lat="%s"), pts[0])
    plan_plain = "\n".join(r[0] for r in cur.fetchall())
    cur.execute(SQL_SUBDIVIDED.format(table=a.table, lon="%s", lat="%s"), pts[0])
    pg_row = cur.fetchone()
    cur.execute(f"SELECT count(*), sum(ST_NPoints(geom)) FROM {a.table}_sub")
    pieces, vertices = cur.fetchone()
    cur.execute("SHOW shared_buffers")
    shared_buffers = cur.fetchone()[0]
    conn.close()

    # 2. The same points for wrk and pgbench.
    os.makedirs(a.workdir, exist_ok=True)
    targets = os.path.join(a.workdir, "point_query.targets")
    write_targets(targets, pts)
    lua = os.path.join(a.workdir, "point_query.lua")
    write_wrk_script(lua, pts)
    scripts = {}
    for name, sql in (("postgis_subdivided", SQL_SUBDIVIDED), ("postgis_plain", SQL_PLAIN)):
        scripts[name] = os.path.join(a.workdir, f"point_query_{name}.sql")
        write_pgbench_script(scripts[name], sql.format(table=a.table, lon="{lon}", lat="{lat}"), pts)

    def run(system, c, seconds):
        client_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        if system in ("bando", "bando_spread", "bando_wrk"):
            before = cpu_seconds(a.bando_pid)
            if system != "bando_wrk":
                layout = "spread" if system == "bando_spread" else "ordered"
                qps, lat, total = run_http_load(a.http_load, a.bando, targets, c, seconds, layout)
            else:
                qps, lat, total = run_wrk(a.bando, lua, c, seconds)
            cpu = cpu_seconds(a.bando_pid) - before
        else:
            before = cpu_seconds(a.postmaster_pid, children=True)
            qps, lat, total = run_pgbench(a.pgbench, env, scripts[system], c, seconds)
            time.sleep(0.3)  # let the postmaster reap the backends that just exited
            cpu = cpu_seconds(a.postmaster_pid, children=True) - before
        client_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        client = (client_after.ru_utime + client_after.ru_stime) - (client_before.ru_utime + client_before.ru_stime)
        return {"qps": qps, "lat_ms": lat, "cpu_us": cpu / total * 1e6, "client_us": client / total * 1e6}

    # 3. Warm-up (buffers, caches, bando's first touch of its index pages).
    systems = ["bando", "postgis_subdivided", "postgis_plain", "bando_spread"] + (["bando_wrk"] if a.wrk else [])
    for s in systems:
        run(s, 2, 3)

    # 4. Timed runs, order rotated per repetition.
    results = {(s, c): [] for s in systems for c in clients}
    loads = []
    started = time.time()
    for rep in range(a.reps):
        order = systems[rep % len(systems):] + systems[:rep % len(systems)]
        for c in clients:
            for s in order:
                load = os.getloadavg()[0]
                r = run(s, c, a.seconds)
                r["load"] = load
                loads.append(load)
                results[(s, c)].append(r)
                print(f"rep {rep + 1} clients {c:>2} {s:<19} {r['qps']:>9.0f} q/s  {r['lat_ms']:.3f} ms  "
                      f"{r['cpu_us']:.1f} µs server CPU/query  {r['client_us']:.1f} µs client  load {load:.2f}", flush=True)
    took = time.time() - started

    # 5. Report.
    med = lambda s, c, k: statistics.median(r[k] for r in results[(s, c)])
    lines = [
        "# Point query: bando `GET /api/v1/communes/at` vs PostGIS `ST_Contains`",
        "",
        f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}; {platform.node()}, {os.cpu_count()} cores; "
        f"data `{a.data}` (table `{a.table}`: {pieces:,} pieces of at most 256 vertices in `{a.table}_sub`, "
        f"{vertices:,} vertices; shared_buffers {shared_buffers}); {len(pts):,} points on land, seed {a.seed}; "
        f"{a.reps} repetitions of {a.seconds} s per system and concurrency, order rotated, medians; "
        f"{took / 60:.1f} min of timing. 1-minute load average during the runs: median {statistics.median(loads):.2f}, "
        f"{min(loads):.2f}–{max(loads):.2f} (it counts the runs' own runnable clients and server threads, "
        f"which at 16 clients keep it far above the {os.cpu_count()} cores, and any other process).",
        "",
        "| clients | system | queries/s (median) | runs | mean latency | server CPU per query | client CPU per query |",
        "|---:|---|---:|---|---:|---:|---:|",
    ]
    for c in clients:
        for s in systems:
            runs = ", ".join(f"{r['qps']:.0f}" for r in results[(s, c)])
            lines.append(f"| {c} | {s} | **{med(s, c, 'qps'):,.0f}** | {runs} | {med(s, c, 'lat_ms'):.3f} ms | "
                         f"{med(s, c, 'cpu_us'):.1f} µs | {med(s, c, 'client_us'):.1f} µs |")
    has_wrk = "bando_wrk" in systems
    lines += ["", "| clients | bando / PostGIS subdivided | bando / PostGIS plain | bando, connections spread / PostGIS subdivided"
              + (" | bando through wrk / PostGIS subdivided" if has_wrk else "")
              + " | server CPU per query, PostGIS subdivided / bando | server + client CPU per query, PostGIS subdivided / bando |",
              "|---:|---:|---:|---:|" + ("---:|" if has_wrk else "") + "---:|---:|"]
    for c in clients:
        cells = []
        pairs = (("bando", "postgis_subdivided"), ("bando", "postgis_plain"), ("bando_spread", "postgis_subdivided"))
        for b, s in pairs + ((("bando_wrk", "postgis_subdivided"),) if has_wrk else ()):
            per_rep = [x["qps"] / p["qps"] for x, p in zip(results[(b, c)], results[(s, c)])]
            cells.append(f"**{med(b, c, 'qps') / med(s, c, 'qps'):.1f}×** "
                         f"(per repetition {min(per_rep):.1f}–{max(per_rep):.1f}×)")
        cpu = med("postgis_subdivided", c, "cpu_us") / med("bando", c, "cpu_us")
        whole = ((med("postgis_subdivided", c, "cpu_us") + med("postgis_subdivided", c, "client_us"))
                 / (med("bando", c, "cpu_us") + med("bando", c, "client_us")))
        lines.append(f"| {c} | " + " | ".join(cells) + f" | {cpu:.1f}× | {whole:.1f}× |")
    load_cells = "; ".join(
        f"{s} at {c}: " + ", ".join(f"{r['load']:.1f}" for r in results[(s, c)]) for c in clients for s in systems)
    lines += [
        "",
        f"Load average at the start of each run: {load_cells}.",
        "",
        "## What each side answers",
        "",
        f"- **bando** (`http_load --connections N --threads 2`, one keep-alive connection per client, each request "
        f"the next of the points, connections opened in order so that each client thread's connections are served "
        f"by one of bando's two HTTP workers; `bando_spread`: the same with `--layout spread`, each client thread's "
        f"connections served by both workers; `bando_wrk`: the same through `wrk -t2 -cN` and a Lua script): "
        f"`GET {point_path(*pts[0])}` → {len(body):,} bytes of JSON: commune (code, name, kind), province, "
        f"the levels of its former communes in 2025, the pilots and tourism sites within 5 km "
        f"({len(sample['pilots'])} and {len(sample['tourism'])} here) with distances, and `meta` (data version, sources).",
        f"- **PostGIS** (`pgbench -M prepared -cN -j2`, one backend per client, a random one of the same points per "
        f"query): code, name, kind, province code and province name of the commune; here {pg_row}. No levels, no "
        f"nearby places, no metadata: less than bando answers.",
        "",
        "```sql",
        "-- subdivided: pieces of at most 256 vertices with the province name copied in, GiST, prewarmed",
        SQL_SUBDIVIDED.format(table=a.table, lon="$1", lat="$2"),
        "-- plain: one multipolygon per commune, GiST, prewarmed; province name by join",
        SQL_PLAIN.format(table=a.table, lon="$1", lat="$2"),
        "```",
        "",
        "## Same answers?",
        "",
        f"bando's commune (batch endpoint, edition 2025) equals PostGIS's for {same:,} of the {len(pts):,} points.",
        "",
        "## Plans",
        "",
        "```",
        plan_sub,
        "",
        plan_plain,
        "```",
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    if a.out:
        with open(a.out, "w") as f:
            f.write(report)


if __name__ == "__main__":
    main()
