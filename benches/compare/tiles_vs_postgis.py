#!/usr/bin/env python3
"""Time the same vector tiles from PostGIS (ST_AsMVT) and from bando, side by side.

Tile list: around two points (Hà Nội and Cần Thơ in the Mekong delta), at z5, z8, z11 and
z13, the tile that contains the point and its 8 neighbours: 9 tiles per zoom and area.

Both systems are warmed up once (one untimed pass over the list); then every tile is
fetched R times from each, alternating PostGIS and bando per repetition so that machine
noise hits both alike. The per-tile figure is the median of the R times; sizes are the
uncompressed tile bodies.

Only the standard library and psycopg2 are used. Usage:
    tiles_vs_postgis.py --pg "host=127.0.0.1 port=5439 user=postgres dbname=bando" \
        --bando http://127.0.0.1:PORT [--reps 5] [--out benches/compare/out/postgis_mvt.md]
`--bando none` times PostGIS alone.
"""

import argparse
import datetime
import http.client
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
        self.cur.execute("SELECT postgis_lib_version(), current_setting('server_version')")
        self.version = "PostGIS %s on PostgreSQL %s" % self.cur.fetchone()

    def fetch(self, z, x, y):
        """(seconds, body bytes, status note)"""
        t0 = time.perf_counter()
        self.cur.execute(self.sql, {"z": z, "x": x, "y": y})
        row = self.cur.fetchone()
        body = bytes(row[0]) if row and row[0] is not None else b""
        return time.perf_counter() - t0, body, "ok"

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

    def _connect(self):
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        self.conn.connect()
        # Small requests go out at once, as a tile client's would.
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def fetch(self, z, x, y):
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
            enc = resp.getheader("Content-Encoding")
            if resp.status == 200:
                note = "ok" if not enc or enc == "identity" else f"ok ({enc}!)"
                return dt, body, note
            if resp.status == 204:
                return dt, b"", "204"
            return dt, b"", str(resp.status)
        raise AssertionError("unreachable")

    def close(self):
        if self.conn is not None:
            self.conn.close()


class Absent:
    name = "bando"
    version = "not run"

    def fetch(self, z, x, y):
        return float("nan"), b"", "not run"

    def close(self):
        pass


# --- measuring ---

def measure(systems, tiles, reps):
    for s in systems:  # warm-up: one untimed pass over the whole list
        for _, z, x, y, _ in tiles:
            s.fetch(z, x, y)
    results = []
    for t in tiles:
        _, z, x, y, _ = t
        times = {s.name: [] for s in systems}
        last = {}
        for r in range(reps):
            order = systems if r % 2 == 0 else systems[::-1]
            for s in order:
                dt, body, note = s.fetch(z, x, y)
                times[s.name].append(dt)
                last[s.name] = (body, note)
        row = {"tile": t}
        for s in systems:
            body, note = last[s.name]
            ts = [v for v in times[s.name] if not math.isnan(v)]
            row[s.name] = {
                "ms": statistics.median(ts) * 1000 if ts else float("nan"),
                "bytes": len(body),
                "note": note,
                "layers": mvt_layers(body),
            }
        results.append(row)
    return results


def fmt_ms(v):
    if math.isnan(v):
        return "–"
    return f"{v:.2f}" if v < 10 else f"{v:.1f}" if v < 100 else f"{v:.0f}"


def fmt_kb(n):
    return f"{n / 1000:.1f}" if n < 10_000 else f"{n / 1000:.0f}"


def comparable(rows):
    """False when bando sent no tile where PostGIS had features: the times are not comparable."""
    return all(r["bando"]["note"].startswith("ok") for r in rows if r["PostGIS"]["bytes"] > 0)


def ratio(pg, bd, rows):
    if not comparable(rows):
        return "n/a†"
    if math.isnan(pg) or math.isnan(bd) or bd <= 0:
        return "–"
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
    w("")
    w("Per zoom and area: **median ms** is the median over the tiles of the per-tile medians; "
      "**total ms** the time to render every tile once (sum of the per-tile medians); "
      "**ratio** = PostGIS / bando (above 1: bando is faster); KB = 1000 bytes, uncompressed. "
      "\"non-empty\" counts the tiles where PostGIS found features (the others are sea or outside Vietnam).")
    w("")
    w("| area | z | tiles (non-empty) | PostGIS median ms | bando median ms | ratio | PostGIS total ms "
      "| bando total ms | ratio (total) | PostGIS KB | bando KB |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")

    def med(vals):
        vals = list(vals)
        return float("nan") if not vals or any(math.isnan(v) for v in vals) else statistics.median(vals)

    def line(label, z, rows):
        pm, bm = med(r[P]["ms"] for r in rows), med(r[B]["ms"] for r in rows)
        ps, bs = sum(r[P]["ms"] for r in rows), sum(r[B]["ms"] for r in rows)
        pb, bb = sum(r[P]["bytes"] for r in rows), sum(r[B]["bytes"] for r in rows)
        nonempty = sum(1 for r in rows if r[P]["bytes"] > 0)
        w(f"| {label} | {z} | {len(rows)} ({nonempty}) | {fmt_ms(pm)} | {fmt_ms(bm)} | {ratio(pm, bm, rows)} | "
          f"{fmt_ms(ps)} | {fmt_ms(bs)} | {ratio(ps, bs, rows)} | {fmt_kb(pb)} | {fmt_kb(bb)} |")

    for area, _, _ in AREAS:
        for z in ZOOMS:
            rows = [r for r in results if r["tile"][0] == area and r["tile"][1] == z]
            if rows:
                line(area, z, rows)
    for z in ZOOMS:
        line("both areas", z, [r for r in results if r["tile"][1] == z])
    line("**overall**", "all", results)
    w("")
    w("## Centre tiles (the tile containing the point)")
    w("")
    w("The bar, from the design notes: PostGIS 3.3 ST_AsMVT on Hà Nội tiles, "
      + ", ".join(f"z{z} {v}" for z, v in BAR.items()) + ".")
    w("")
    w("| area | tile | PostGIS ms | PostGIS KB | bando ms | bando KB | ratio | bar (PostGIS, Hà Nội) |")
    w("|---|---|---:|---:|---:|---:|---:|---|")
    for r in results:
        area, z, x, y, centre = r["tile"]
        if centre:
            p, b = r[P], r[B]
            bar = BAR.get(z, "") if area == AREAS[0][0] else ""
            w(f"| {area} | {z}/{x}/{y} | {fmt_ms(p['ms'])} | {fmt_kb(p['bytes'])} | {fmt_ms(b['ms'])} | "
              f"{fmt_kb(b['bytes'])} | {ratio(p['ms'], b['ms'], [r])} | {bar} |")
    w("")
    w("## What the tiles carried")
    w("")
    w(f"- PostGIS responses: {notes_of(results, P)}; features by layer over all tiles: {layers_of(results, P)}")
    w(f"- bando responses: {notes_of(results, B)}; features by layer over all tiles: {layers_of(results, B)}")
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
    w("| area | z/x/y | PostGIS ms | bando ms | ratio | PostGIS bytes | bando bytes | bando status | "
      "PostGIS features | bando layers (features) |")
    w("|---|---|---:|---:|---:|---:|---:|---|---:|---|")
    for r in results:
        area, z, x, y, centre = r["tile"]
        p, b = r[P], r[B]
        tile = f"{z}/{x}/{y}" + (" (centre)" if centre else "")
        bl = ", ".join(f"{k} {v}" for k, v in b["layers"].items()) or "–"
        w(f"| {area} | {tile} | {fmt_ms(p['ms'])} | {fmt_ms(b['ms'])} | {ratio(p['ms'], b['ms'], [r])} | {p['bytes']} | "
          f"{b['bytes']} | {b['note']} | {sum(p['layers'].values())} | {bl} |")
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
