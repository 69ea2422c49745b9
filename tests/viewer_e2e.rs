//! The web viewer in real headless Chromium: starts bando on 127.0.0.1, computes what the
//! page must show from the source CSV files (geodata/results-communes.csv, pilots.csv,
//! tourism.csv and the reference table ../shared/data/communes-2024.csv), and runs
//! web/e2e/viewer.mjs (playwright-core driving Debian's /usr/bin/chromium).
//!
//! Setup done here, as the README's test command promises: `npm ci` in web/ when its
//! node_modules is missing, and `apt-get install chromium` when /usr/bin/chromium is
//! missing and the test runs as root. Screenshots land in screenshots/.

mod common;

use common::browser::{ensure_chromium, ensure_npm_packages, web_dir, CHROMIUM};
use common::{embedded_label_points, path_str, repo, reference, Server, TempDir};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::process::Command;

/// Dương Xá (Gia Lâm): the place the test clicks, at its label point.
const DUONG_XA: (&str, f64, f64) = ("00571", 105.964112, 21.002414);
const SEARCH_QUERY: &str = "phu cat";

/// One row of the reference table communes-2024.csv, read with a plain CSV reader.
struct Row {
    code: String,
    name: String,
    district: String,
    province_code: String,
    province: String,
    lon: f64,
    lat: f64,
    bbox: [f64; 4],
}

fn reference_rows() -> Vec<Row> {
    let path = reference("communes-2024.csv");
    let mut reader = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    reader
        .deserialize::<BTreeMap<String, String>>()
        .map(|r| {
            let r = r.expect("row");
            let f = |k: &str| r[k].parse::<f64>().unwrap_or_else(|_| panic!("{k}"));
            Row {
                code: r["code"].clone(),
                name: r["name"].clone(),
                district: r["district_name"].clone(),
                province_code: r["province_code"].clone(),
                province: r["province_name"].clone(),
                lon: f("lon"),
                lat: f("lat"),
                bbox: [f("min_lon"), f("min_lat"), f("max_lon"), f("max_lat")],
            }
        })
        .collect()
}

fn read_csv(name: &str) -> Vec<BTreeMap<String, String>> {
    let path = repo().join("geodata").join(name);
    let mut reader = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    reader.deserialize().map(|r| r.expect("row")).collect()
}

/// A commune's recognitions from results-communes.csv: (year, level, criteria_met), by year.
type History = Vec<(u16, String, Option<u8>)>;

fn histories() -> BTreeMap<String, History> {
    let mut out: BTreeMap<String, History> = BTreeMap::new();
    for r in read_csv("results-communes.csv") {
        out.entry(r["code"].clone()).or_default().push((
            r["year"].parse().expect("year"),
            r["level"].clone(),
            r["criteria_met"].parse().ok(),
        ));
    }
    for h in out.values_mut() {
        h.sort();
    }
    out
}

/// The recognition in force at the end of `year`, as the programme counts it.
fn in_force(history: Option<&History>, year: u16) -> Option<&(u16, String, Option<u8>)> {
    history?.iter().rev().find(|(y, _, _)| *y <= year)
}

/// The words of the level name every label of it contains (Decision 318 wording).
fn level_word(level: &str) -> &'static str {
    match level {
        "chua_dat" => "chưa đạt",
        "dat_chuan" => "đạt chuẩn",
        "nang_cao" => "nâng cao",
        "kieu_mau" => "kiểu mẫu",
        other => panic!("unexpected level {other}"),
    }
}

fn lonlat(r: &BTreeMap<String, String>) -> Option<(f64, f64)> {
    Some((r["lon"].parse().ok()?, r["lat"].parse().ok()?))
}

fn expectations() -> Value {
    let reference = reference_rows();
    let history = histories();
    let labels: BTreeMap<String, (f64, f64)> =
        embedded_label_points(2024).into_iter().map(|c| (c.code, (c.lon, c.lat))).collect();

    // The click: Dương Xá's names from the reference table, its level from the results.
    let (code, lon, lat) = DUONG_XA;
    let duong_xa = reference.iter().find(|r| r.code == code).expect("Dương Xá in the reference table");
    assert_eq!(labels[code], (lon, lat), "Dương Xá's label point");
    let (level_year, level, criteria) = in_force(history.get(code), 2025).expect("Dương Xá has a recognition").clone();
    let pilots = read_csv("pilots.csv");
    let pilot = pilots
        .iter()
        .find(|p| p["commune_code"] == code && lonlat(p) == Some((lon, lat)))
        .map(|p| json!({"id": p["id"], "name": p["name"]}));

    // A commune first recognised (đạt chuẩn or above) in 2022–2025, nearest to Dương Xá, so
    // it is in the first view; none with a pilot or tourism point that could cover it.
    let tourism = read_csv("tourism.csv");
    let with_points: HashSet<&str> =
        pilots.iter().chain(&tourism).map(|r| r["commune_code"].as_str()).collect();
    let change = history
        .iter()
        .filter(|(c, _)| !with_points.contains(c.as_str()) && labels.contains_key(*c))
        .filter_map(|(c, h)| {
            let first = h.iter().find(|(_, level, _)| level != "chua_dat")?;
            (2022..=2025).contains(&first.0).then_some(c)
        })
        .map(|c| {
            let (x, y) = labels[c];
            (((x - lon).powi(2) + (y - lat).powi(2)).sqrt(), c)
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
        .expect("a commune recognised in 2022–2025");
    let at = |y| in_force(history.get(change), y).map_or("no_data".to_string(), |r| r.1.clone());
    let (level_2021, level_2025) = (at(2021), at(2025));
    assert_ne!(level_2021, level_2025);
    let change_row = reference.iter().find(|r| &r.code == change).expect("in the reference table");

    // The search target: Xã Phú Cát of Huyện Quốc Oai.
    let phu_cat = reference
        .iter()
        .find(|r| r.name == "Xã Phú Cát" && r.district == "Huyện Quốc Oai")
        .expect("Xã Phú Cát (Quốc Oai) in the reference table");

    // The tourism site nearest Phú Cát.
    let site = tourism
        .iter()
        .filter_map(|t| lonlat(t).map(|p| (p, t)))
        .min_by(|a, b| {
            let d = |p: (f64, f64)| (p.0 - phu_cat.lon).powi(2) + (p.1 - phu_cat.lat).powi(2);
            d(a.0).total_cmp(&d(b.0))
        })
        .expect("a tourism site");

    json!({
        "click": {
            "lon": lon, "lat": lat,
            "commune": duong_xa.name, "district": duong_xa.district, "province": duong_xa.province,
            "province_code": duong_xa.province_code,
            "level": level, "level_word": level_word(&level), "level_year": level_year,
            "criteria_met": criteria, "pilot": pilot,
        },
        "change": {
            "code": change, "name": change_row.name, "lon": labels[change].0, "lat": labels[change].1,
            "level_2021": level_2021, "level_2025": level_2025,
        },
        "search": {
            "query": SEARCH_QUERY, "name": phu_cat.name, "district": phu_cat.district,
            "bbox": phu_cat.bbox, "point": [phu_cat.lon, phu_cat.lat],
        },
        "tourism": {"id": site.1["id"], "name": site.1["name"], "lon": site.0 .0, "lat": site.0 .1},
    })
}

#[test]
fn viewer_in_headless_chromium() {
    ensure_npm_packages();
    ensure_chromium();
    let expect = expectations();
    eprintln!("expectations: {expect}");

    let server = Server::start(&[]);
    // A second server whose web folder has the viewer but no node_modules.
    let bare = TempDir::new("web-bare");
    for file in ["index.html", "app.js", "style.css"] {
        std::fs::copy(web_dir().join(file), bare.path(file)).expect("copy viewer file");
    }
    let bare_server = Server::start(&["--web", path_str(&bare.0)]);

    let status = Command::new("node")
        .arg("e2e/viewer.mjs")
        .current_dir(web_dir())
        .env("BANDO_URL", &server.base)
        .env("BANDO_NO_VENDOR_URL", &bare_server.base)
        .env("BANDO_E2E", expect.to_string())
        .env("SCREENSHOTS", repo().join("screenshots"))
        .env("CHROMIUM", CHROMIUM)
        .status()
        .expect("run node (install Node.js: apt-get install nodejs npm)");
    assert!(status.success(), "web/e2e/viewer.mjs failed ({status}); its output above names the check");
}
