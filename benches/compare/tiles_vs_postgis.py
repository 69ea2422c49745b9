#!/usr/bin/env python3
"""Time the same vector tiles from PostGIS (ST_AsMVT) and from bando, side by side.

Tile list: around two points (Hà Nội and Cần Thơ in the Mekong delta), at z5, z8, z11 and
z13, the tile that contains the point and its 8 neighbours: 9 tiles per zoom and area.

Both systems are warmed up once (one untimed pass over the list); then every tile is
fetched R times from each, alternating PostGIS and bando per repetition so that machine
noise hits both alike. The per-tile figure is the median of the R times; sizes are the
uncompressed tile bodies.

Two measures are taken in the same repetitions. End to end: the client round trip
(psycopg2 query for PostGIS, one HTTP GET for bando). Engine only: for PostGIS the same
query under EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON), its "Execution Time"; for bando
the `Server-Timing: render;dur=X` header of the responses already timed (n/a when the
server does not send it).

Only the standard library and psycopg2 are used. Usage:
    tiles_vs_postgis.py --pg "host=127.0.0.1 port=5439 user=postgres dbname=bando" \
        --bando http://127.0.0.1:PORT [--reps 5] [--out benches/compare/out/postgis_mvt.md]
`--bando none` times PostGIS alone.
"""

import argparse
import datetime
import http.client
import json
import math
import os
import platform
import socket
import statistics
import sys
import time
import urllib.parse

import psycopg2

ZOOMS = (5, 8, 11, 13)
AREAS = (
    ("Hà Nội", 105.85, 21.03),
    ("Mekong (Cần Thơ)", 105.78, 10.03),
)
# PostGIS 3.3 figures for the Hà Nội centre tiles, as written in the design notes.
BAR = {5: "275 ms / 754 KB", 8: "188 ms / 543 KB", 11: "6.7 ms", 13: "1.4 ms"}
EXTENT = 4096
BUFFER = 64

# The standard PostGIS recipe: clip and quantise with ST_AsMVTGeom against the tile
# envelope, pick candidates through the GiST index with the envelope grown by the buffer.
PG_SQL = """
SELECT ST_AsMVT(q, 'communes', {extent}, 'geom') FROM (
  SELECT code, name, kind,
         ST_AsMVTGeom(geom3857, ST_TileEnvelope(%(z)s, %(x)s, %(y)s), {extent}, {buffer}, true) AS geom
  FROM {table}
  WHERE geom3857 && ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => ({buffer}.0 / {extent}))
) q
"""


def tile_of(lon, lat, z):
    n = 1 << z
    x = int((lon + 180.0) / 360.0 * n)
    lat_r = math.radians(lat)
    y = int((1.0 - math.asinh(math.tan(lat_r)) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def tile_list():
    """[(area, z, x, y, is_centre)], 9 tiles per area and zoom."""
    tiles = []
    for area, lon, lat in AREAS:
        for z in ZOOMS:
            cx, cy = tile_of(lon, lat, z)
            n = 1 << z
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    x, y = cx + dx, cy + dy
                    if 0 <= x < n and 0 <= y < n:
                        tiles.append((area, z, x, y, dx == 0 and dy == 0))
    return tiles


# --- a minimal MVT reader: layer names and feature counts, to say what each tile carries ---

def _varint(buf, i):
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, i
        shift += 7


def _fields(buf):
    i, end = 0, len(buf)
    while i < end:
        key, i = _varint(buf, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            val, i = _varint(buf, i)
        elif wire == 1:
            val, i = buf[i:i + 8], i + 8
        elif wire == 2:
            length, i = _varint(buf, i)
            val, i = buf[i:i + length], i + length
        elif wire == 5:
            val, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield field, val


def mvt_layers(data):
    """{layer name: feature count}; {} for an empty or undecodable tile."""
    out = {}
    try:
        for field, val in _fields(bytes(data)):
            if field == 3:  # Tile.layers
                name, features = "?", 0
                for lf, lv in _fields(val):
                    if lf == 1:
                        name = bytes(lv).decode("utf-8", "replace")
                    elif lf == 2:
                        features += 1
                out[name] = out.get(name, 0) + features
    except (IndexError, ValueError):
        return {"<undecodable>": 0}
    return out


# --- the two systems ---

class PostGIS:
    name = "PostGIS"

    def __init__(self, dsn, table):
        self.conn = psycopg2.connect(dsn)
        self.conn.autocommit = True
        self.cur = self.conn.cursor()
        self.sql = PG_SQL.format(extent=EXTENT, buffer=BUFFER, table=table)
        # TIMING OFF: no clock reads per plan node, which would inflate the figure; the
        # total "Execution Time" is still measured.
        self.explain_sql = "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON)\n" + self.sql
        self.planning_ms = []  # "Planning Time" of the timed EXPLAINs, reported as a note
        self.cur.execute("SELECT postgis_lib_version(), current_setting('server_version')")
        self.version = "PostGIS %s on PostgreSQL %s" % self.cur.fetchone()

    def fetch(self, z, x, y, timed=True):
        """(seconds end to end, body bytes, status note, engine ms).

        The engine figure comes from a second, untimed run of the same query under
        EXPLAIN ANALYZE, right after the timed one."""
        t0 = time.perf_counter()
        self.cur.execute(self.sql, {"z": z, "x": x, "y": y})
        row = self.cur.fetchone()
        body = bytes(row[0]) if row and row[0] is not None else b""
        dt = time.perf_counter() - t0
        return dt, body, "ok", self.engine_ms(z, x, y, timed)

    def engine_ms(self, z, x, y, timed=True):
        self.cur.execute(self.explain_sql, {"z": z, "x": x, "y": y})
        plan = self.cur.fetchone()[0]
        if isinstance(plan, (str, bytes)):  # psycopg2 parses json; be safe if it did not
            plan = json.loads(plan)
        top = plan[0]
        if timed and "Planning Time" in top:
            self.planning_ms.append(float(top["Planning Time"]))
        return float(top["Execution Time"])

    def close(self):
        self.conn.close()


class Bando:
    name = "bando"

    def __init__(self, base, edition):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port or 80
        self.prefix = u.path.rstrip("/")
        self.query = f"?edition={edition}"
        self.conn = None
        self.version = base
        # Server-Timing seen on the timed responses: render;dur / cache;desc=hit / absent
        self.timing_counts = {"render": 0, "cache hit": 0, "absent": 0}

    def _connect(self):
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        self.conn.connect()
        # Small requests go out at once, as a tile client's would.
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def fetch(self, z, x, y, timed=True):
        """(seconds end to end, body bytes, status note, engine ms from Server-Timing or nan).

        As for PostGIS, the engine figure comes from a second, untimed request of the
        same tile right after the timed one: each system's engine is then measured in
        the same state (its own data just used), not bando's right after PostGIS's two
        runs have filled the caches with theirs."""
        dt, body, note, eng = self._get(z, x, y, timed)
        if timed:
            eng = self._get(z, x, y, False)[3]
        return dt, body, note, eng

    def _get(self, z, x, y, timed):
        path = f"{self.prefix}/tiles/ntm/{z}/{x}/{y}.mvt{self.query}"
        for attempt in (1, 2):
            if self.conn is None:
                self._connect()
            try:
                t0 = time.perf_counter()
                # No Accept-Encoding but identity (http.client's default): uncompressed bodies.
                self.conn.request("GET", path)
                resp = self.conn.getresponse()
                body = resp.read()
                dt = time.perf_counter() - t0
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                continue
            if resp.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            eng, kind = server_timing_render(resp.getheader("Server-Timing"))
            if timed:
                self.timing_counts[kind] += 1
            enc = resp.getheader("Content-Encoding")
            if resp.status == 200:
                note = "ok" if not enc or enc == "identity" else f"ok ({enc}!)"
                return dt, body, note, eng
            if resp.status == 204:
                return dt, b"", "204", eng
            return dt, b"", str(resp.status), eng
        raise AssertionError("unreachable")

    def close(self):
        if self.conn is not None:
            self.conn.close()


def server_timing_render(value):
    """(ms, kind) from a Server-Timing header value: the `dur` of the `render` metric.

    kind is "render", "cache hit" (`cache;desc=hit`, no render time) or "absent"."""
    if not value:
        return float("nan"), "absent"
    kind = "absent"
    for metric in value.split(","):
        parts = [p.strip() for p in metric.split(";")]
        name = parts[0].lower()
        params = {}
        for p in parts[1:]:
            k, _, v = p.partition("=")
            params[k.strip().lower()] = v.strip().strip('"')
        if name == "render" and "dur" in params:
            try:
                return float(params["dur"]), "render"
            except ValueError:
                pass
        elif name == "cache":
            kind = "cache hit"
    return float("nan"), kind


class Absent:
    name = "bando"
    version = "not run"
    timing_counts = {}

    def fetch(self, z, x, y, timed=True):
        return float("nan"), b"", "not run", float("nan")

    def close(self):
        pass


# --- measuring ---

def measure(systems, tiles, reps):
    for s in systems:  # warm-up: one untimed pass over the whole list
        for _, z, x, y, _ in tiles:
            s.fetch(z, x, y, timed=False)
    results = []
    for t in tiles:
        _, z, x, y, _ = t
        times = {s.name: [] for s in systems}
        engine = {s.name: [] for s in systems}
        last = {}
        for r in range(reps):
            order = systems if r % 2 == 0 else systems[::-1]
            for s in order:
                dt, body, note, eng = s.fetch(z, x, y)
                times[s.name].append(dt)
                engine[s.name].append(eng)
                last[s.name] = (body, note)
        row = {"tile": t}
        for s in systems:
            body, note = last[s.name]
            ts = [v for v in times[s.name] if not math.isnan(v)]
            es = [v for v in engine[s.name] if not math.isnan(v)]
            row[s.name] = {
                "ms": statistics.median(ts) * 1000 if ts else float("nan"),
                "eng": statistics.median(es) if es else float("nan"),
                "bytes": len(body),
                "note": note,
                "layers": mvt_layers(body),
            }
        results.append(row)
    return results


def fmt_ms(v, nan="–"):
    if math.isnan(v):
        return nan
    return f"{v:.3f}" if v < 1 else f"{v:.2f}" if v < 10 else f"{v:.1f}" if v < 100 else f"{v:.0f}"


def fmt_kb(n):
    return f"{n / 1000:.1f}" if n < 10_000 else f"{n / 1000:.0f}"


def comparable(rows):
    """False when bando sent no tile where PostGIS had features: the times are not comparable."""
    return all(r["bando"]["note"].startswith("ok") for r in rows if r["PostGIS"]["bytes"] > 0)


def ratio(pg, bd, rows, nan="–"):
    if not comparable(rows):
        return "n/a†"
    if math.isnan(pg) or math.isnan(bd) or bd <= 0:
        return nan
    return f"{pg / bd:.2f}×"


def notes_of(rows, name):
    counts = {}
    for r in rows:
        n = r[name]["note"]
        counts[n] = counts.get(n, 0) + 1
    return ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))


def layers_of(rows, name):
    total = {}
    for r in rows:
        for layer, n in r[name]["layers"].items():
            total[layer] = total.get(layer, 0) + n
    return ", ".join(f"{k} {v}" for k, v in total.items()) or "none"


def report(results, pg, bd, reps, meta):
    P, B = pg.name, bd.name
    lines = []
    w = lines.append
    w("# bando vs PostGIS ST_AsMVT: vector tiles")
    w("")
    w(f"- run: {meta['when']} on {meta['host']} ({os.cpu_count()} cores), python {platform.python_version()}")
    w(f"- data: `{meta['data']}`; PostGIS table `{meta['table']}`")
    w(f"- PostGIS: {pg.version}; layer `communes` with code, name, kind; extent {EXTENT}, buffer {BUFFER}, "
      "one persistent connection")
    w(f"- bando: {bd.version}, `GET /tiles/ntm/{{z}}/{{x}}/{{y}}.mvt?edition={meta['edition']}`, "
      f"tile cache {meta['cache']}, one persistent HTTP/1.1 connection, no gzip")
    busy = any(v != "?" and float(v) > (os.cpu_count() or 1) for v in meta["load"])
    w(f"- machine load average (1 min) before / after timing: {meta['load'][0]} / {meta['load'][1]}"
      + (" — above the core count: other processes competed for the CPU and both systems' absolute times "
         "are inflated" if busy else ""))
    w(f"- method: one untimed warm-up pass each, then {reps} repetitions of every tile, alternating the two "
      "systems; per-tile figure = median of the repetitions; sizes uncompressed")
    w("- two measures from the same repetitions: **end to end** (client round trip: query or HTTP request "
      "until the whole tile is received) and **engine time** (what the server itself spends on the tile: "
      "PostGIS `EXPLAIN (ANALYZE, TIMING OFF)` Execution Time, bando `Server-Timing: render;dur`)")
    w("")

    def med(vals):
        vals = list(vals)
        return float("nan") if not vals or any(math.isnan(v) for v in vals) else statistics.median(vals)

    def total(vals):
        vals = list(vals)
        return float("nan") if any(math.isnan(v) for v in vals) else sum(vals)

    def zoom_table(key, p_label, b_label, nan):
        w(f"| area | z | tiles (non-empty) | PostGIS {p_label} | bando {b_label} | ratio | PostGIS total ms "
          "| bando total ms | ratio (total) | PostGIS KB | bando KB |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")

        def line(label, z, rows):
            pm, bm = med(r[P][key] for r in rows), med(r[B][key] for r in rows)
            ps, bs = total(r[P][key] for r in rows), total(r[B][key] for r in rows)
            pb, bb = sum(r[P]["bytes"] for r in rows), sum(r[B]["bytes"] for r in rows)
            nonempty = sum(1 for r in rows if r[P]["bytes"] > 0)
            w(f"| {label} | {z} | {len(rows)} ({nonempty}) | {fmt_ms(pm, nan)} | {fmt_ms(bm, nan)} | "
              f"{ratio(pm, bm, rows, nan)} | {fmt_ms(ps, nan)} | {fmt_ms(bs, nan)} | {ratio(ps, bs, rows, nan)} | "
              f"{fmt_kb(pb)} | {fmt_kb(bb)} |")

        for area, _, _ in AREAS:
            for z in ZOOMS:
                rows = [r for r in results if r["tile"][0] == area and r["tile"][1] == z]
                if rows:
                    line(area, z, rows)
        for z in ZOOMS:
            line("both areas", z, [r for r in results if r["tile"][1] == z])
        line("**overall**", "all", results)

    def centre_table(key, nan, bar_column):
        head = "| area | tile | PostGIS ms | PostGIS KB | bando ms | bando KB | ratio |"
        rule = "|---|---|---:|---:|---:|---:|---:|"
        if bar_column:
            head += " bar (PostGIS, Hà Nội) |"
            rule += "---|"
        w(head)
        w(rule)
        for r in results:
            area, z, x, y, centre = r["tile"]
            if centre:
                p, b = r[P], r[B]
                cells = (f"| {area} | {z}/{x}/{y} | {fmt_ms(p[key], nan)} | {fmt_kb(p['bytes'])} | "
                         f"{fmt_ms(b[key], nan)} | {fmt_kb(b['bytes'])} | {ratio(p[key], b[key], [r], nan)} |")
                if bar_column:
                    cells += f" {BAR.get(z, '') if area == AREAS[0][0] else ''} |"
                w(cells)

    common = ("**ratio** = PostGIS / bando (above 1: bando is faster); KB = 1000 bytes, uncompressed. "
              "\"non-empty\" counts the tiles where PostGIS found features (the others are sea or outside "
              "Vietnam).")

    w("## End to end (client round trip)")
    w("")
    w("What a client waits for: from sending the query (psycopg2, PostGIS) or the GET (http.client, bando) "
      "until the whole tile is received, so it includes the client library, the protocol and the loopback "
      "round trip on both sides. "
      "Per zoom and area: **median ms** is the median over the tiles of the per-tile medians; "
      "**total ms** the time to render every tile once (sum of the per-tile medians); " + common)
    w("")
    zoom_table("ms", "median ms", "median ms", "–")
    w("")
    w("### Centre tiles (the tile containing the point)")
    w("")
    w("The bar, from the design notes: PostGIS 3.3 ST_AsMVT on Hà Nội tiles, "
      + ", ".join(f"z{z} {v}" for z, v in BAR.items()) + ".")
    w("")
    centre_table("ms", "–", True)
    w("")

    seen = bd.timing_counts.get("render", 0)
    n_timed = sum(bd.timing_counts.values())
    w("## Engine time (server-side)")
    w("")
    w("What each system spends on the tile itself, without client, protocol or round trip. "
      "**PostGIS**: the same tile query run again (untimed by the client, right after each timed run) under "
      "`EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON)`, its `Execution Time`: the executor running the index "
      "scan, ST_AsMVTGeom and ST_AsMVT to the finished tile, without planning and without sending the result "
      "(TIMING OFF leaves out the per-node clock reads, which would inflate it). "
      "**bando**: the `Server-Timing: render;dur=…` header of the same tile requested again (untimed by the "
      "client, right after each timed request, as for PostGIS): the server's time to render and encode the MVT. "
      "Both views are given because at z11–z13 the end-to-end figures are dominated by the client round "
      "trip (an empty tile costs a few tenths of a ms on either side), which hides the engines; the engine "
      "view shows what each system spends on the tile, the end-to-end view what a client actually waits. "
      "Medians and totals as above; " + common)
    if isinstance(bd, Absent):
        w("")
        w("- bando was not run: its engine columns are n/a.")
    elif seen == 0:
        w("")
        w(f"- **this bando sent no `Server-Timing: render;dur` header** on any of its {n_timed} timed responses "
          "(a build from before the header, or tiles served from a cache): its engine columns are n/a.")
    elif seen < n_timed:
        w("")
        w(f"- `render;dur` on {seen} of {n_timed} timed bando responses "
          + ", ".join(f"{k} {v}" for k, v in bd.timing_counts.items() if k != "render" and v)
          + "; per-tile medians are over the responses that had it.")
    w("")
    zoom_table("eng", "median ms (EXPLAIN ANALYZE)", "median ms (Server-Timing render)", "n/a")
    w("")
    w("### Centre tiles (engine time)")
    w("")
    centre_table("eng", "n/a", False)
    w("")
    w("## What the tiles carried")
    w("")
    w(f"- PostGIS responses: {notes_of(results, P)}; features by layer over all tiles: {layers_of(results, P)}")
    w(f"- bando responses: {notes_of(results, B)}; features by layer over all tiles: {layers_of(results, B)}")
    if pg.planning_ms:
        w(f"- PostGIS planning time (not in its engine figure; paid on every end-to-end query, which is planned "
          f"afresh each time): median {fmt_ms(statistics.median(pg.planning_ms))} ms over the "
          f"{len(pg.planning_ms)} timed EXPLAINs")
    if bd.timing_counts:
        w("- bando `Server-Timing` on the timed responses: "
          + ", ".join(f"{k} {v}" for k, v in bd.timing_counts.items()))
    w("- † n/a: bando sent no tile (status other than 200) where PostGIS found features, "
      "so the two times do not measure the same work.")
    bad = [r for r in results if not r[B]["note"].startswith("ok")]
    if bad and len(bad) == len(results):
        w("- **bando returned no tile body for any request**: its figures time the request path only, "
          "not tile rendering; the comparison is not meaningful yet.")
    elif bad:
        w(f"- bando returned no body for {len(bad)} of {len(results)} tiles (empty tiles or errors, see below).")
    w("")
    w("## Per tile")
    w("")
    w("Medians of the repetitions: end to end (ms), then engine time (ms, EXPLAIN ANALYZE Execution Time "
      "and Server-Timing render).")
    w("")
    w("| area | z/x/y | PostGIS ms | bando ms | ratio | PostGIS engine ms | bando engine ms | engine ratio "
      "| PostGIS bytes | bando bytes | bando status | PostGIS features | bando layers (features) |")
    w("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|")
    for r in results:
        area, z, x, y, centre = r["tile"]
        p, b = r[P], r[B]
        tile = f"{z}/{x}/{y}" + (" (centre)" if centre else "")
        bl = ", ".join(f"{k} {v}" for k, v in b["layers"].items()) or "–"
        w(f"| {area} | {tile} | {fmt_ms(p['ms'])} | {fmt_ms(b['ms'])} | {ratio(p['ms'], b['ms'], [r])} | "
          f"{fmt_ms(p['eng'], 'n/a')} | {fmt_ms(b['eng'], 'n/a')} | {ratio(p['eng'], b['eng'], [r], 'n/a')} | "
          f"{p['bytes']} | {b['bytes']} | {b['note']} | {sum(p['layers'].values())} | {bl} |")
    w("")
    return "\n".join(lines)


def loadavg():
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pg", required=True, help="libpq connection string")
    ap.add_argument("--table", default="communes")
    ap.add_argument("--bando", required=True, help="base URL of a running bando, or 'none'")
    ap.add_argument("--edition", default="2025")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "out", "postgis_mvt.md"))
    ap.add_argument("--data", default="communes-2025.fgb", help="data file name, for the report")
    ap.add_argument("--cache", default="off (--tile-cache-mb 0)", help="bando tile cache state, for the report")
    args = ap.parse_args()
    if args.reps < 1:
        ap.error("--reps must be at least 1")

    tiles = tile_list()
    pg = PostGIS(args.pg, args.table)
    bd = Absent() if args.bando == "none" else Bando(args.bando, args.edition)
    print(f"timing {len(tiles)} tiles x {args.reps} repetitions on PostGIS and bando ...", file=sys.stderr)
    t0 = time.perf_counter()
    load_before = loadavg()
    try:
        results = measure([pg, bd], tiles, args.reps)
    finally:
        pg.close()
        bd.close()
    print(f"done in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    meta = {
        "when": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "host": platform.node(),
        "data": args.data,
        "table": args.table,
        "edition": args.edition,
        "cache": args.cache,
        "load": (load_before, loadavg()),
    }
    text = report(results, pg, bd, args.reps, meta)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text)
    print(text)
    print(f"\nreport written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
