#!/usr/bin/env python3
"""Time the commune of 100,000 points from bando's batch endpoint and from PostGIS.

Points: N seeded random points (random.Random(SEED)) uniform over Vietnam's mainland
bounding box (102.14–109.47 E, 8.18–23.39 N); many fall in the sea or in neighbouring
countries and have no commune in either system.

bando: one POST /api/v1/communes/at?edition=2025 with the points as a JSON array
`[[lon, lat], ...]`, timed from the start of the request until the whole streamed answer
is received (client wall time, http.client). Repeated R times; the median is reported.

PostGIS, set up as its experts would: the communes cut into pieces of at most 256
vertices (table communes_sub: ST_Subdivide, GiST, prewarmed; see lib.sh), and the points
loaded into a table in spatial order, so that consecutive index probes read the same
index pages and pieces. Timed separately:
  load: CREATE TEMP TABLE + COPY of the N points (id, lon, lat), then the point table
        with geometry in geohash order (ST_GeoHash, 10 characters) + ANALYZE;
  join: SELECT p.id, c.code FROM pts p JOIN communes_sub c ON ST_Contains(c.geom, p.geom),
        the GiST index on the pieces picking the candidates, every row fetched.
Each repetition does both; medians are reported. (A client could also send the points as
two float8[] parameters and unnest them in the same query: the join is the same.)

Both answers are then compared point by point. PostGIS returns every commune containing
a point (more than one where the boundary file overlaps itself, where bando answers the
lowest code); bando answers one or none.
Usage: batch_vs_postgis.py --pg DSN --bando URL [--points 100000] [--seed 2025]
           [--reps 3] [--table communes] [--out report.md]
"""

import argparse
import datetime
import http.client
import io
import json
import os
import platform
import random
import statistics
import time
import urllib.parse

import psycopg2

BBOX = (102.14, 8.18, 109.47, 23.39)


def points(n, seed):
    rng = random.Random(seed)
    return [(round(rng.uniform(BBOX[0], BBOX[2]), 6), round(rng.uniform(BBOX[1], BBOX[3]), 6)) for _ in range(n)]


def bando_batch(url, pts):
    u = urllib.parse.urlparse(url)
    body = json.dumps([[x, y] for x, y in pts]).encode()
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
    t0 = time.perf_counter()
    conn.request("POST", "/api/v1/communes/at?edition=2025", body=body, headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    data = resp.read()
    elapsed = time.perf_counter() - t0
    conn.close()
    if resp.status != 200:
        raise SystemExit(f"bando answered {resp.status}: {data[:300]!r}")
    chunked = resp.getheader("Transfer-Encoding") == "chunked"
    return elapsed, data, chunked, len(body)


def postgis(dsn, table, pts):
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    cur = conn.cursor()
    buf = io.StringIO("".join(f"{i}\t{x}\t{y}\n" for i, (x, y) in enumerate(pts)))
    t0 = time.perf_counter()
    cur.execute("DROP TABLE IF EXISTS pts_in, pts; CREATE TEMP TABLE pts_in (id int, lon float8, lat float8)")
    cur.copy_from(buf, "pts_in", columns=("id", "lon", "lat"))
    cur.execute("CREATE TEMP TABLE pts AS SELECT id, geom FROM "
                "(SELECT id, ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS geom FROM pts_in) q "
                "ORDER BY ST_GeoHash(geom, 10); ANALYZE pts")
    load = time.perf_counter() - t0
    t1 = time.perf_counter()
    cur.execute(f"SELECT p.id, c.code FROM pts p JOIN {table}_sub c ON ST_Contains(c.geom, p.geom)")
    rows = cur.fetchall()
    join = time.perf_counter() - t1
    cur.execute(f"EXPLAIN SELECT p.id, c.code FROM pts p JOIN {table}_sub c ON ST_Contains(c.geom, p.geom)")
    plan = "\n".join(r[0] for r in cur.fetchall())
    conn.close()
    return load, join, rows, plan


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", required=True)
    ap.add_argument("--bando", required=True)
    ap.add_argument("--points", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--table", default="communes")
    ap.add_argument("--data", default="communes-2025.fgb")
    ap.add_argument("--out")
    a = ap.parse_args()

    pts = points(a.points, a.seed)
    # Warm both once (page cache, PostGIS buffers, bando's first-touch of its index).
    bando_batch(a.bando, pts[:1000])
    postgis(a.pg, a.table, pts[:1000])

    load_before = os.getloadavg()[0]
    b_times, loads, joins = [], [], []
    for _ in range(a.reps):
        t, data, chunked, sent = bando_batch(a.bando, pts)
        b_times.append(t)
        load, join, rows, plan = postgis(a.pg, a.table, pts)
        loads.append(load)
        joins.append(join)

    load_after = os.getloadavg()[0]
    answers = json.loads(data)
    assert len(answers) == len(pts), "bando answered a different number of points"
    bando_codes = []
    for (x, y), ans in zip(pts, answers):
        assert (ans["lon"], ans["lat"]) == (x, y), "bando answers out of input order"
        bando_codes.append(ans["commune"]["code"] if ans["commune"] else None)
    pg_codes = [set() for _ in pts]
    for i, code in rows:
        pg_codes[i].add(code)

    both_none = sum(1 for b, p in zip(bando_codes, pg_codes) if b is None and not p)
    same = sum(1 for b, p in zip(bando_codes, pg_codes) if b is not None and p == {b})
    overlap_agree = sum(1 for b, p in zip(bando_codes, pg_codes) if len(p) > 1 and b == min(p))
    overlap_other = sum(1 for b, p in zip(bando_codes, pg_codes) if len(p) > 1 and b != min(p))
    only_pg = sum(1 for b, p in zip(bando_codes, pg_codes) if b is None and p)
    only_bando = sum(1 for b, p in zip(bando_codes, pg_codes) if b is not None and not p)
    differ = sum(1 for b, p in zip(bando_codes, pg_codes) if b is not None and len(p) == 1 and b not in p)
    located = sum(1 for b in bando_codes if b is not None)

    mb, ml, mj = statistics.median(b_times), statistics.median(loads), statistics.median(joins)
    lines = [
        "# Batch point query: bando vs PostGIS `ST_Contains`",
        "",
        f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}; {platform.node()}, {os.cpu_count()} cores; "
        f"data `{a.data}` (table `{a.table}_sub`: the communes cut by `ST_Subdivide(geom, 256)`, GiST, prewarmed; "
        f"points in geohash order); {a.points:,} points, seed {a.seed}, "
        f"uniform over {BBOX}; {a.reps} repetitions, medians; same points, same run. "
        f"1-minute load average {load_before:.2f} before timing, {load_after:.2f} after "
        f"(above {os.cpu_count()}, other processes competed for the CPU).",
        "",
        "| | median | runs |",
        "|---|---:|---|",
        f"| bando `POST /api/v1/communes/at?edition=2025` (JSON array, {sent / 1e6:.1f} MB in, {len(data) / 1e6:.1f} MB out, streamed: {chunked}) | **{mb * 1000:.0f} ms** | {', '.join(f'{t * 1000:.0f}' for t in b_times)} |",
        f"| PostGIS load (temp table, COPY, geometry in geohash order, ANALYZE) | {ml * 1000:.0f} ms | {', '.join(f'{t * 1000:.0f}' for t in loads)} |",
        f"| PostGIS join (`ST_Contains` on the subdivided pieces with GiST, all rows fetched) | **{mj * 1000:.0f} ms** | {', '.join(f'{t * 1000:.0f}' for t in joins)} |",
        f"| PostGIS load + join | {(ml + mj) * 1000:.0f} ms | |",
        "",
        f"**Ratio PostGIS join / bando: {mj / mb:.1f}×** (load + join / bando: {(ml + mj) / mb:.1f}×; above 1 means bando is faster).",
        "",
        "bando's time is the client's wall time for the whole request (sending the points, locating, "
        "serialising the full answer with district/province/level, receiving it). PostGIS's join time is "
        "the client's wall time for the query and fetching its rows (id, code only).",
        "",
        "## Same answers?",
        "",
        f"- located by bando: {located:,} of {len(pts):,} points; in no commune in both: {both_none:,}",
        f"- same single commune in both: {same:,}",
        f"- in overlapping communes (PostGIS returns several; bando the lowest code): {overlap_agree:,} agree, {overlap_other:,} do not",
        f"- in a commune for PostGIS only: {only_pg:,}; for bando only: {only_bando:,}; a different commune: {differ:,}",
        "",
        "Points exactly on a border belong to one commune in bando (half-open rule) while `ST_Contains` "
        "excludes the boundary; such coincidences are vanishingly rare for random points.",
        "",
        "PostGIS plan of the join:",
        "",
        "```",
        plan,
        "```",
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    if a.out:
        with open(a.out, "w") as f:
            f.write(report)


if __name__ == "__main__":
    main()
