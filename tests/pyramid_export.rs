//! `bando export --map … --format pmtiles|mbtiles`: the archives are read back by
//! independent readers (the Python `pmtiles` package, Python's `sqlite3`) and every tile
//! is compared with what the real server on 127.0.0.1 serves for the same view.
//!
//! The pyramid is z0–z10 of the embedded data: writing it takes under a second and the
//! server comparison about two thousand requests, well within the minute.

mod common;

use common::{ensure_python_package, path_str, Server, TempDir, BIN};
use std::collections::BTreeMap;
use std::io::Read;
use std::process::Command;

const MAXZOOM: u8 = 10;

type Tiles = BTreeMap<(u8, u32, u32), Vec<u8>>;

fn export(args: &[&str]) -> std::process::Output {
    Command::new(BIN).arg("export").args(args).env("RUST_LOG", "warn").output().expect("run bando export")
}

fn export_ok(args: &[&str]) {
    let out = export(args);
    assert!(out.status.success(), "bando export {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
}

fn python(script: &str, file: &std::path::Path) -> serde_json::Value {
    let out = Command::new("python3").args(["-c", script, path_str(file)]).output().expect("run python3");
    assert!(out.status.success(), "python3 failed:\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("python3 printed no JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex")).collect()
}

fn gunzip(gz: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(gz).read_to_end(&mut out).expect("a gzip tile");
    out
}

/// The tiles a reader listed: `[[z, x, y, hex], …]`.
fn listed(tiles: &serde_json::Value) -> Tiles {
    let mut out = Tiles::new();
    for t in tiles.as_array().expect("tiles") {
        let n = |i: usize| t[i].as_u64().expect("number");
        let key = (n(0) as u8, n(1) as u32, n(2) as u32);
        assert!(out.insert(key, hex(t[3].as_str().expect("hex"))).is_none(), "tile {key:?} listed twice");
    }
    out
}

/// Mercator tile column and row of a point.
fn tile_of(lon: f64, lat: f64, z: u8) -> (i64, i64) {
    let n = f64::from(1u32 << z);
    let x = (lon + 180.0) / 360.0 * n;
    let lat = lat.to_radians();
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n;
    (x.floor() as i64, y.floor() as i64)
}

/// Every tile z0–MAXZOOM within the view's TileJSON bounds (one tile wider all round,
/// for the render buffer), asked of the server: the archive must hold exactly the 200s,
/// with the served gzip bytes, and none of the 204s. Outside that ring there is no data.
fn compare_with_server(archive: &Tiles, map: &str, query: &str) {
    let server = Server::shared();
    let tilejson = server.get_raw(&format!("/tiles/{map}.json{query}"), &[]).json();
    let b: Vec<f64> = tilejson["bounds"].as_array().expect("bounds").iter().map(|v| v.as_f64().expect("number")).collect();
    let (mut served, mut empty) = (0, 0);
    let mut seen = 0;
    for z in 0..=MAXZOOM {
        let last = (1i64 << z) - 1;
        let (x0, y0) = tile_of(b[0], b[3], z);
        let (x1, y1) = tile_of(b[2], b[1], z);
        for x in (x0 - 1).max(0)..=(x1 + 1).min(last) {
            for y in (y0 - 1).max(0)..=(y1 + 1).min(last) {
                let (x, y) = (x as u32, y as u32);
                let answer = server.get_raw(&format!("/tiles/{map}/{z}/{x}/{y}.mvt{query}"), &[("accept-encoding", "gzip")]);
                let stored = archive.get(&(z, x, y));
                match answer.status {
                    204 => {
                        assert!(stored.is_none(), "{map} {z}/{x}/{y}: the server answers 204, the archive holds a tile");
                        empty += 1;
                    }
                    200 => {
                        let stored = stored.unwrap_or_else(|| panic!("{map} {z}/{x}/{y}: served, missing from the archive"));
                        assert_eq!(answer.header("content-encoding"), Some("gzip"));
                        assert!(gunzip(stored) == gunzip(&answer.body), "{map} {z}/{x}/{y}: the archive's tile differs from the served one");
                        assert!(*stored == answer.body, "{map} {z}/{x}/{y}: same tile, other gzip bytes");
                        served += 1;
                        seen += 1;
                    }
                    other => panic!("{map} {z}/{x}/{y}: status {other}"),
                }
            }
        }
    }
    assert_eq!(seen, archive.len(), "the archive holds tiles outside the data's bounds");
    assert!(served > 100 && empty > 100, "{served} served and {empty} empty tiles: the comparison checked too little");
}

/// The served TileJSON's layers with their zooms within the archive's.
fn clamped_layers(tilejson: &serde_json::Value) -> serde_json::Value {
    let mut layers = tilejson["vector_layers"].clone();
    for layer in layers.as_array_mut().expect("vector_layers") {
        for key in ["minzoom", "maxzoom"] {
            layer[key] = layer[key].as_u64().expect("zoom").min(u64::from(MAXZOOM)).into();
        }
    }
    layers
}

const READ_PMTILES: &str = r#"
import json, sys
from pmtiles.reader import Reader, MmapSource, all_tiles
with open(sys.argv[1], "rb") as f:
    r = Reader(MmapSource(f))
    h = r.header()
    tiles = []
    for (z, x, y), data in all_tiles(r.get_bytes):
        assert r.get(z, x, y) == data
        tiles.append([z, x, y, data.hex()])
    header = {k: (v.name if hasattr(v, "name") else v) for k, v in h.items()}
    print(json.dumps({"header": header, "metadata": r.metadata(), "tiles": tiles}))
"#;

#[test]
fn pmtiles_archive_holds_exactly_the_served_tiles() {
    ensure_python_package("pmtiles", "pmtiles==3.8.1");
    let dir = TempDir::new("pyramid-pmtiles");
    let out = dir.path("ntm.pmtiles");
    export_ok(&["--map", "ntm", "--format", "pmtiles", "--minzoom", "0", "--maxzoom", &MAXZOOM.to_string(), path_str(&out)]);
    let read = python(READ_PMTILES, &out);
    let tiles = listed(&read["tiles"]);
    compare_with_server(&tiles, "ntm", "");

    let h = &read["header"];
    assert_eq!((h["tile_type"].as_str(), h["tile_compression"].as_str()), (Some("MVT"), Some("GZIP")));
    assert_eq!((h["min_zoom"].as_u64(), h["max_zoom"].as_u64()), (Some(0), Some(u64::from(MAXZOOM))));
    assert_eq!(h["clustered"], true);
    assert_eq!(h["addressed_tiles_count"].as_u64(), Some(tiles.len() as u64));
    let distinct: std::collections::HashSet<&Vec<u8>> = tiles.values().collect();
    assert_eq!(h["tile_contents_count"].as_u64(), Some(distinct.len() as u64));
    assert!(h["tile_entries_count"].as_u64() <= h["addressed_tiles_count"].as_u64());
    // The header's box is the TileJSON's, in units of 1e-7 degree.
    let tilejson = Server::shared().get_raw("/tiles/ntm.json", &[]).json();
    let bounds = tilejson["bounds"].as_array().unwrap();
    for (i, key) in ["min_lon_e7", "min_lat_e7", "max_lon_e7", "max_lat_e7"].iter().enumerate() {
        assert_eq!(h[key].as_i64(), Some((bounds[i].as_f64().unwrap() * 1e7).round() as i64), "{key}");
    }

    // The metadata is the served TileJSON without a tile URL.
    let meta = &read["metadata"];
    assert_eq!(meta["vector_layers"], clamped_layers(&tilejson));
    for key in ["bounds", "center", "attribution", "version", "name"] {
        assert_eq!(meta[key], tilejson[key], "{key}");
    }
    assert_eq!((meta["minzoom"].as_u64(), meta["maxzoom"].as_u64()), (Some(0), Some(u64::from(MAXZOOM))));
    assert!(meta.get("tiles").is_none());
    assert!(meta["attribution"].as_str().unwrap().contains("sample"), "the embedded data is sample data: {}", meta["attribution"]);
    let layers: Vec<&str> = meta["vector_layers"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(layers, ["communes", "commune_labels", "districts", "provinces", "pilots", "tourism"]);
    assert!(meta["vector_layers"][0]["fields"]["level"].is_string());
}

const READ_MBTILES: &str = r#"
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
meta = dict(db.execute("SELECT name, value FROM metadata"))
tiles = [[z, x, (1 << z) - 1 - row, bytes(data).hex()]
         for z, x, row, data in db.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles")]
images = db.execute("SELECT count(*) FROM images").fetchone()[0]
print(json.dumps({"metadata": meta, "tiles": tiles, "images": images}))
"#;

#[test]
fn mbtiles_archive_of_another_view_holds_exactly_the_served_tiles() {
    let dir = TempDir::new("pyramid-mbtiles");
    let out = dir.path("tourism.mbtiles");
    let z = MAXZOOM.to_string();
    export_ok(&["--map", "tourism", "--format", "mbtiles", "--year", "2023", "--edition", "2025", "--maxzoom", &z, path_str(&out)]);
    let read = python(READ_MBTILES, &out);
    let tiles = listed(&read["tiles"]);
    compare_with_server(&tiles, "tourism", "?year=2023&edition=2025");
    let distinct: std::collections::HashSet<&Vec<u8>> = tiles.values().collect();
    assert_eq!(read["images"].as_u64(), Some(distinct.len() as u64), "one image row per distinct tile");

    let meta = &read["metadata"];
    let tilejson = Server::shared().get_raw("/tiles/tourism.json?year=2023&edition=2025", &[]).json();
    assert_eq!(meta["format"], "pbf");
    assert_eq!((meta["minzoom"].as_str(), meta["maxzoom"].as_str()), (Some("0"), Some(z.as_str())));
    let bounds: Vec<String> = tilejson["bounds"].as_array().unwrap().iter().map(|v| v.to_string()).collect();
    assert_eq!(meta["bounds"].as_str(), Some(bounds.join(",").as_str()));
    assert_eq!(meta["attribution"], tilejson["attribution"]);
    let json: serde_json::Value = serde_json::from_str(meta["json"].as_str().unwrap()).unwrap();
    assert_eq!(json["vector_layers"], clamped_layers(&tilejson));
}

#[test]
fn bad_requests_are_refused_with_every_problem_named() {
    let dir = TempDir::new("pyramid-bad");
    let out = dir.path("x.pmtiles");
    let o = export(&["--map", "roads", "--format", "geojson", "--edition", "2023", path_str(&out)]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    for part in ["--map 'roads'", "--format 'geojson'", "--edition"] {
        assert!(err.contains(part), "{part} not named in: {err}");
    }
    let o = export(&["--map", "ntm", "--format", "pmtiles", "--minzoom", "15", "--maxzoom", "3", path_str(&out)]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("--minzoom 15 is beyond") && err.contains("--minzoom 15 is above --maxzoom 3"), "{err}");
    // Zooms belong to maps; a layer and a map are not asked for together.
    assert!(!export(&["--layer", "communes", "--format", "csv", "--maxzoom", "3", path_str(&out)]).status.success());
    assert!(!export(&["--layer", "communes", "--map", "ntm", "--format", "csv", path_str(&out)]).status.success());
    assert!(!out.exists(), "a refused export wrote a file");
    // The layer export is unchanged.
    let csv = dir.path("communes.csv");
    export_ok(&["--layer", "communes", "--format", "csv", path_str(&csv)]);
    assert!(std::fs::read_to_string(&csv).unwrap().lines().count() > 10);
}
