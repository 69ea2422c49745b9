#!/usr/bin/python3
"""bando's PNG tiles vs Mapnik 3.1 over PostGIS, the same tiles in one run.

Mapnik draws the same commune polygons (table `communes`, geom3857) with the same
colours, outline widths and opacities as bando's style file, plus the province
borders (dissolved once into `provinces_3857`); commune levels are the ones bando's
own vector tiles carry (read once from bando's z7 MVT tiles into `bando_levels`, then
joined into `communes_styled`, so Mapnik's per-tile query is a plain bbox query).

Per tile and repetition, interleaved: bando `GET /tiles/ntm/{z}/{x}/{y}.png?labels=false`
(the same picture as the Mapnik map, which draws no place names; client
wall time, and the server's render + encode time from Server-Timing) and Mapnik
`render` + PNG encoding in this process, once as 32-bit RGBA at zlib level 1 and once
as an 8-bit palette (`png8:m=h:z=6`, how tiles are usually served). Writes a Markdown report and a
side-by-side picture (Mapnik left, bando right) of a few tiles.

Needs /usr/bin/python3 with mapnik, psycopg2 and PIL (Debian: python3-mapnik,
python3-psycopg2, python3-pil).
"""
import argparse, http.client, io, json, math, statistics, struct, sys, time, urllib.parse

import mapnik
import psycopg2
from PIL import Image, ImageDraw

PLACES = [("hanoi", 105.85, 21.03), ("mekong", 105.78, 10.03)]
ZOOMS = range(5, 13)
R = 6378137.0
MERC = "+proj=merc +a=6378137 +b=6378137 +lat_ts=0.0 +lon_0=0.0 +x_0=0.0 +y_0=0 +k=1.0 +units=m +nadgrids=@null +wktext +no_defs +over"


def tile_of(lon, lat, z):
    n = 2 ** z
    x = (lon + 180.0) / 360.0 * n
    s = math.sin(math.radians(lat))
    y = (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * n
    return int(x), int(y)


def tile_box(z, x, y):
    span = 2 * math.pi * R / 2 ** z
    minx = -math.pi * R + x * span
    maxy = math.pi * R - y * span
    return minx, maxy - span, minx + span, maxy


def tile_list(block):
    tiles = []
    for place, lon, lat in PLACES:
        for z in ZOOMS:
            cx, cy = tile_of(lon, lat, z)
            h = block // 2
            for dy in range(-h, h + 1):
                for dx in range(-h, h + 1):
                    tiles.append((place, z, cx + dx, cy + dy))
    return tiles


# --- levels from bando's vector tiles --------------------------------------------------

def varint(buf, i):
    v = shift = 0
    while True:
        b = buf[i]; i += 1
        v |= (b & 0x7F) << shift
        if b < 0x80:
            return v, i
        shift += 7


def fields(buf):
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        n, wire = key >> 3, key & 7
        if wire == 0:
            v, i = varint(buf, i)
        elif wire == 2:
            ln, i = varint(buf, i)
            v = buf[i:i + ln]; i += ln
        elif wire == 1:
            v = buf[i:i + 8]; i += 8
        elif wire == 5:
            v = buf[i:i + 4]; i += 4
        else:
            raise ValueError("bad wire type")
        yield n, v


def commune_levels(mvt):
    out = {}
    for n, layer in fields(mvt):
        if n != 3:
            continue
        name, keys, values, feats = None, [], [], []
        for m, v in fields(layer):
            if m == 1: name = v.decode()
            elif m == 2: feats.append(v)
            elif m == 3: keys.append(v.decode())
            elif m == 4:
                val = None
                for k, x in fields(v):
                    if k == 1: val = x.decode()
                values.append(val)
        if name != "communes":
            continue
        for f in feats:
            tags = []
            for m, v in fields(f):
                if m == 2:
                    j = 0
                    while j < len(v):
                        t, j = varint(v, j); tags.append(t)
            props = {keys[tags[k]]: values[tags[k + 1]] for k in range(0, len(tags) - 1, 2)}
            if "code" in props and "level" in props:
                out[props["code"]] = props["level"]
    return out


def http_get(conn, path):
    conn.request("GET", path)
    r = conn.getresponse()
    body = r.read()
    return r.status, body, r.getheader("Server-Timing") or ""


def load_levels(pg, bando, edition):
    u = urllib.parse.urlparse(bando)
    conn = http.client.HTTPConnection(u.hostname, u.port)
    levels = {}
    x0, y0 = tile_of(102.0, 23.5, 7)
    x1, y1 = tile_of(110.0, 8.0, 7)
    for x in range(x0, x1 + 1):
        for y in range(y0, y1 + 1):
            status, body, _ = http_get(conn, f"/tiles/ntm/7/{x}/{y}.mvt?edition={edition}")
            if status == 200:
                levels.update(commune_levels(body))
    cur = pg.cursor()
    cur.execute("drop table if exists bando_levels; create table bando_levels (code text primary key, level text)")
    cur.executemany("insert into bando_levels values (%s, %s)", sorted(levels.items()))
    cur.execute("""drop table if exists communes_styled;
        create table communes_styled as
          select c.fid, c.code, coalesce(l.level, 'no_data') as level, c.geom3857
          from communes c left join bando_levels l on l.code = c.code;
        create index on communes_styled using gist (geom3857);
        analyze communes_styled""")
    cur.execute("""do $$ begin
        if to_regclass('provinces_3857') is null then
          create table provinces_3857 as
            select province_code, ST_Multi(ST_Union(ST_MakeValid(geom3857)))::geometry(MultiPolygon, 3857) as geom3857
            from communes group by province_code;
          create index on provinces_3857 using gist (geom3857);
          analyze provinces_3857;
        end if; end $$""")
    pg.commit()
    cur.execute("select level, count(*) from communes_styled group by 1 order by 1")
    return levels, cur.fetchall()


# --- Mapnik map per zoom -----------------------------------------------------------------

def width_at(stops, z):
    if z <= stops[0][0]:
        return stops[0][1]
    if z >= stops[-1][0]:
        return stops[-1][1]
    for (za, wa), (zb, wb) in zip(stops, stops[1:]):
        if za <= z <= zb:
            return wa + (wb - wa) * (z - za) / (zb - za)


def mix(hex_fill, hex_bg, opacity):
    f = [int(hex_fill[i:i + 2], 16) for i in (1, 3, 5)]
    b = [int(hex_bg[i:i + 2], 16) for i in (1, 3, 5)]
    return "#%02x%02x%02x" % tuple(round(a * opacity + c * (1 - opacity)) for a, c in zip(f, b))


def mapnik_map(style, z, dsn):
    m = mapnik.Map(256, 256, MERC)
    # The style's widths are MapLibre's, whose zoom z - 1 has the scale of a 256-px tile of
    # zoom z: bando reads them there (`raster::style_zoom`), and so does Mapnik here.
    sz = max(z - 1, 0)
    m.background = mapnik.Color(style["background"])
    m.buffer_size = 16
    params = dict(kv.split("=") for kv in dsn.split())
    def postgis(table):
        return mapnik.PostGIS(host=params["host"], port=params["port"], user=params["user"], dbname=params["dbname"],
                              table=table, geometry_field="geom3857", srid=3857, extent="-20037508,-20037508,20037508,20037508",
                              estimate_extent=False, persist_connection=True)
    s = mapnik.Style()
    opacity = style["communes"]["opacity"]
    for level, c in style["classes"].items():
        r = mapnik.Rule()
        r.filter = mapnik.Expression("[level] = '%s'" % level)
        ps = mapnik.PolygonSymbolizer()
        ps.fill = mapnik.Color(mix(c["fill"], style["background"], opacity))
        r.symbols.append(ps)
        s.rules.append(r)
    o = style["outlines"]["communes"]
    w = width_at(o["width"], sz)
    if w > 0:
        r = mapnik.Rule()
        ls = mapnik.LineSymbolizer()
        ls.stroke = mapnik.Color(o["color"]); ls.stroke_width = w; ls.stroke_opacity = o["opacity"]
        r.symbols.append(ls)
        s.rules.append(r)
    m.append_style("communes", s)
    lyr = mapnik.Layer("communes", MERC)
    lyr.datasource = postgis("communes_styled")
    lyr.styles.append("communes")
    m.layers.append(lyr)
    o = style["outlines"]["provinces"]
    ps = mapnik.Style(); r = mapnik.Rule(); ls = mapnik.LineSymbolizer()
    ls.stroke = mapnik.Color(o["color"]); ls.stroke_width = width_at(o["width"], sz); ls.stroke_opacity = o["opacity"]
    r.symbols.append(ls); ps.rules.append(r)
    m.append_style("provinces", ps)
    lyr = mapnik.Layer("provinces", MERC)
    lyr.datasource = postgis("provinces_3857")
    lyr.styles.append("provinces")
    m.layers.append(lyr)
    return m


# Mapnik's PNG settings compared: its default 32-bit RGBA at zlib level 1 (the fast
# setting), and the 8-bit palette an expert serves tiles with (png8, hextree quantiser,
# zlib level 6).
PNG32 = "png32:z=1"
PNG8 = "png8:m=h:z=6"


def render_mapnik(m, z, x, y):
    m.zoom_to_box(mapnik.Box2d(*tile_box(z, x, y)))
    im = mapnik.Image(256, 256)
    mapnik.render(m, im)
    return im


def mapnik_tile(m, z, x, y, fmt=PNG32):
    return render_mapnik(m, z, x, y).tostring(fmt)


# --- main ----------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", required=True)
    ap.add_argument("--bando", required=True)
    ap.add_argument("--style", required=True, help="bando's style file (styles/ntm-results.json)")
    ap.add_argument("--edition", default="2025")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--block", type=int, default=3, help="tiles per side around each centre tile")
    ap.add_argument("--data", default="")
    ap.add_argument("--out", required=True)
    ap.add_argument("--side-by-side", required=True)
    a = ap.parse_args()
    style = json.load(open(a.style))
    pg = psycopg2.connect(a.pg)
    t0 = time.time()
    levels, counts = load_levels(pg, a.bando, a.edition)
    print(f"levels of {len(levels)} communes from bando's tiles; PostGIS tables ready in {time.time() - t0:.1f} s", file=sys.stderr)
    maps = {z: mapnik_map(style, z, a.pg) for z in ZOOMS}
    u = urllib.parse.urlparse(a.bando)
    conn = http.client.HTTPConnection(u.hostname, u.port)
    tiles = tile_list(a.block)
    # Warm-up: one pass of each (connections, page cache), not timed.
    for place, z, x, y in tiles[:: max(1, len(tiles) // 16)]:
        http_get(conn, f"/tiles/ntm/{z}/{x}/{y}.png?edition={a.edition}&labels=false")
        mapnik_tile(maps[z], z, x, y)
    times = {t: {"mapnik": [], "mapnik_png8": [], "bando": [], "bando_server": []} for t in tiles}
    sizes = {}
    for rep in range(a.reps):
        for t in tiles:
            place, z, x, y = t
            s = time.perf_counter()
            status, body, timing = http_get(conn, f"/tiles/ntm/{z}/{x}/{y}.png?edition={a.edition}&labels=false")
            times[t]["bando"].append(time.perf_counter() - s)
            if status != 200:
                raise SystemExit(f"bando answered {status} for {z}/{x}/{y}")
            if timing.startswith("render;dur="):
                times[t]["bando_server"].append(float(timing.split("=")[1]) / 1000.0)
            # One render, two encodings: each timing is the render plus its encoding.
            s = time.perf_counter()
            im = render_mapnik(maps[z], z, x, y)
            rendered = time.perf_counter()
            png = im.tostring(PNG32)
            encoded = time.perf_counter()
            png8 = im.tostring(PNG8)
            times[t]["mapnik"].append(encoded - s)
            times[t]["mapnik_png8"].append(rendered - s + time.perf_counter() - encoded)
            sizes[t] = (len(body), len(png), len(png8))
        print(f"repetition {rep + 1}/{a.reps} done", file=sys.stderr)

    med = lambda v: statistics.median(v) if v else float("nan")
    lines = [
        "# bando PNG tiles vs Mapnik 3.1 over PostGIS",
        "",
        f"Data: {a.data}, edition {a.edition}; {len(tiles)} tiles of 256 px ({a.block}×{a.block} around the centre tile of "
        f"Hà Nội and the Mekong delta at each zoom 5–12), {a.reps} repetitions, interleaved tile by tile in one run. "
        "bando: `GET /tiles/ntm/{z}/{x}/{y}.png` with its tile cache off (`--tile-cache-mb 0`): client wall time over "
        "HTTP keep-alive, and server time (render + PNG encode, from `Server-Timing`). Mapnik "
        f"{mapnik.mapnik_version()}: `render` + `tostring('{PNG32}')` in-process (no HTTP), and the same render + "
        f"`tostring('{PNG8}')` (8-bit palette, as tiles are usually served); PostGIS datasource "
        "(`communes_styled`: commune polygons with bando's levels, GiST index; `provinces_3857`: dissolved provinces).",
        "",
        "Both draw the commune fills by level, commune outlines and province outlines with the widths and colours of "
        "`styles/ntm-results.json` (read at zoom z - 1 for a tile of zoom z: MapLibre's zoom of the same scale); "
        "bando also draws pilot and tourism symbols (Mapnik does not).",
        "",
        "Per zoom: median over the tiles of each tile's median time (ms); ratio = Mapnik / bando (above 1: bando faster).",
        "",
        "| zoom | tiles | Mapnik ms | Mapnik png8 ms | bando client ms | bando server ms | ratio (client) | ratio (server) "
        "| Mapnik KB | Mapnik png8 KB | bando KB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    total = {"mapnik": 0.0, "mapnik_png8": 0.0, "bando": 0.0, "bando_server": 0.0}
    for z in ZOOMS:
        ts = [t for t in tiles if t[1] == z]
        mm = med([med(times[t]["mapnik"]) for t in ts]) * 1000
        m8 = med([med(times[t]["mapnik_png8"]) for t in ts]) * 1000
        bc = med([med(times[t]["bando"]) for t in ts]) * 1000
        bs = med([med(times[t]["bando_server"]) for t in ts]) * 1000
        for k in total:
            total[k] += sum(med(times[t][k]) for t in ts if times[t][k])
        kb = lambda i: sum(sizes[t][i] for t in ts) / len(ts) / 1024
        lines.append(f"| {z} | {len(ts)} | {mm:.2f} | {m8:.2f} | {bc:.2f} | {bs:.2f} | {mm / bc:.1f}× | {mm / bs:.1f}× "
                     f"| {kb(1):.1f} | {kb(2):.1f} | {kb(0):.1f} |")
    size = lambda i: sum(v[i] for v in sizes.values())
    per_place = lambda place, i: sum(v[i] for t, v in sizes.items() if t[0] == place)
    lines += [
        "",
        f"**All tiles once** (sum of per-tile medians): Mapnik {total['mapnik'] * 1000:.0f} ms, bando client "
        f"{total['bando'] * 1000:.0f} ms, bando server {total['bando_server'] * 1000:.0f} ms: "
        f"**{total['mapnik'] / total['bando']:.1f}×** (client), {total['mapnik'] / total['bando_server']:.1f}× (server); "
        f"Mapnik png8 {total['mapnik_png8'] * 1000:.0f} ms.",
        "",
        f"**Bytes, all tiles**: bando {size(0)} B, Mapnik png32 {size(1)} B (bando / Mapnik **{size(0) / size(1):.2f}**), "
        f"Mapnik png8 {size(2)} B (bando / Mapnik png8 **{size(0) / size(2):.2f}**). "
        + "; ".join(f"{place}: bando {per_place(place, 0)} B, png32 {per_place(place, 1)} B, png8 {per_place(place, 2)} B"
                    for place, _, _ in PLACES) + ".",
        "",
        "Levels drawn (communes_styled): " + ", ".join(f"{l} {n}" for l, n in counts),
        "",
        f"Side by side (Mapnik left, bando right): `{a.side_by_side}`",
    ]
    report = "\n".join(lines) + "\n"
    open(a.out, "w").write(report)
    print(report)

    # Side-by-side picture of a few tiles.
    picks = [("hanoi", 8), ("hanoi", 10), ("hanoi", 12), ("mekong", 9)]
    rows = []
    for place, z in picks:
        lon, lat = next((lo, la) for p, lo, la in PLACES if p == place)
        x, y = tile_of(lon, lat, z)
        _, body, _ = http_get(conn, f"/tiles/ntm/{z}/{x}/{y}.png?edition={a.edition}&labels=false")
        rows.append((f"{place} {z}/{x}/{y}", Image.open(io.BytesIO(mapnik_tile(maps[z], z, x, y))).convert("RGB"),
                     Image.open(io.BytesIO(body)).convert("RGB")))
    head = 18
    out = Image.new("RGB", (2 * 256 + 30, len(rows) * (256 + head) + head), "white")
    d = ImageDraw.Draw(out)
    d.text((10, 2), "Mapnik 3.1 + PostGIS", fill="black")
    d.text((276, 2), "bando", fill="black")
    for i, (label, mk, bd) in enumerate(rows):
        top = head + i * (256 + head)
        d.text((10, top + 2), label, fill="black")
        out.paste(mk, (10, top + head - 2))
        out.paste(bd, (276, top + head - 2))
    out.save(a.side_by_side)


if __name__ == "__main__":
    main()
