//! The web viewer in real headless Chromium: starts bando on 127.0.0.1, computes what the
//! page must show from the source files (geodata/results-communes.csv, pilots.csv,
//! tourism.csv, the reference table geodata/reference/communes-2024.csv and the label
//! points of the embedded boundaries): the popup of the clicked commune, the province
//! statistics, a commune whose class changed between 2021 and 2025 (its colour on screen
//! and in the PNG tiles), the search target and a tourism site. Then it runs
//! web/e2e/viewer.mjs (playwright-core driving Debian's /usr/bin/chromium), where every
//! check must run and pass.
//!
//! Two more servers draw a basemap from the first one's origin (its PNG tiles through
//! `--basemap-tiles`, its tourism style through `--basemap-style`): the page must fetch
//! the basemap's tiles from that origin, under bando's layers, without a CSP message.
//!
//! Setup done here, as the README's test command promises: `npm ci` in web/ when its
//! node_modules is missing, and `apt-get install chromium` when /usr/bin/chromium is
//! missing and the test runs as root. Screenshots land in screenshots/.

mod common;

use common::browser::{ensure_chromium, ensure_npm_packages, web_dir, CHROMIUM};
use common::sources::{csv_rows, districts_with_xa, geodata, results, stats_panel_numbers, Row};
use common::{embedded_label_points, path_str, repo, Server, TempDir};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::process::Command;

/// Dương Xá (Gia Lâm): the place the test clicks, at its label point.
const DUONG_XA: (&str, f64, f64) = ("00571", 105.964112, 21.002414);
const SEARCH_QUERY: &str = "phu cat";

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

fn lonlat(r: &Row) -> Option<(f64, f64)> {
    Some((r["lon"].parse().ok()?, r["lat"].parse().ok()?))
}

fn number(r: &Row, key: &str) -> f64 {
    r[key].parse().unwrap_or_else(|_| panic!("{key} of {}", r["code"]))
}

/// Distance in metres on the sphere (good enough to keep clear of drawn points).
fn metres(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = ((b.0 - a.0) * a.1.to_radians().cos(), b.1 - a.1);
    dx.hypot(dy) * 111_195.0
}

/// The class a commune shows in 2025 under `theme=criterion:8.4` (indicator 8.4 of the
/// communes' NTM set), from the files: met when its level certifies the set (đạt chuẩn or
/// above), else its latest row of 8.4 by 2025, else no data; not applicable for phường.
fn indicator_8_4_in_2025(code: &str, level: &str) -> &'static str {
    match level {
        "not_applicable" => return "not_applicable",
        "dat_chuan" | "nang_cao" | "kieu_mau" => return "met",
        _ => {}
    }
    let rows = csv_rows(geodata("criteria.csv"));
    let latest = rows
        .iter()
        .filter(|r| r["unit_code"] == code && r["set"] == "xa_ntm_2021" && r["criterion"] == "8" && r["indicator"] == "4")
        .filter(|r| r["year"].parse::<u16>().unwrap() <= 2025)
        .max_by_key(|r| r["year"].parse::<u16>().unwrap());
    match latest.map(|r| r["met"].as_str()) {
        Some("true") => "met",
        Some(_) => "not_met",
        None => "no_data",
    }
}

fn expectations() -> Value {
    let reference = csv_rows(common::reference("communes-2024.csv"));
    let results = results();
    let labels: BTreeMap<String, (f64, f64)> =
        embedded_label_points(2024).into_iter().map(|c| (c.code, (c.lon, c.lat))).collect();
    let row = |code: &str| reference.iter().find(|r| r["code"] == code).unwrap_or_else(|| panic!("{code} in the reference table"));

    // The click: Dương Xá's names from the reference table, its level from the results.
    let (code, lon, lat) = DUONG_XA;
    let duong_xa = row(code);
    assert_eq!(labels[code], (lon, lat), "Dương Xá's label point");
    let recognition = results.in_force(code, 2025).expect("Dương Xá has a recognition");
    let pilots = csv_rows(geodata("pilots.csv"));
    let pilot = pilots
        .iter()
        .find(|p| p["commune_code"] == code && lonlat(p) == Some((lon, lat)))
        .map(|p| json!({"id": p["id"], "name": p["name"]}))
        .expect("the Dương Xá smart-commune pilot at its label point in pilots.csv");

    // A commune first recognised (đạt chuẩn or above) in 2022–2025, nearest to Dương Xá, so
    // it is in the first view; no pilot or tourism point within 1.5 km of its label point
    // (the points are drawn over the fills, also in the PNG tiles).
    let tourism = csv_rows(geodata("tourism.csv"));
    let points: Vec<(f64, f64)> = pilots.iter().chain(&tourism).filter_map(lonlat).collect();
    let change = results
        .codes()
        .filter(|c| labels.contains_key(*c))
        .filter(|c| points.iter().all(|&p| metres(labels[*c], p) > 1_500.0))
        .filter(|c| results.history(c).iter().find(|r| r.level != "chua_dat").is_some_and(|r| (2022..=2025).contains(&r.year)))
        .min_by(|a, b| metres(labels[*a], (lon, lat)).total_cmp(&metres(labels[*b], (lon, lat))).then(a.cmp(b)))
        .expect("a commune recognised in 2022–2025");
    let (level_2021, level_2025) = (results.class(change, 2021), results.class(change, 2025));
    assert_ne!(level_2021, level_2025);
    let indicator_8_4 = indicator_8_4_in_2025(change, level_2025);

    // The search target: Xã Phú Cát of Huyện Quốc Oai.
    let phu_cat = reference
        .iter()
        .find(|r| r["name"] == "Xã Phú Cát" && r["district_name"] == "Huyện Quốc Oai")
        .expect("Xã Phú Cát (Quốc Oai) in the reference table");
    let phu_cat_point = (number(phu_cat, "lon"), number(phu_cat, "lat"));
    let phu_cat_bbox = ["min_lon", "min_lat", "max_lon", "max_lat"].map(|k| number(phu_cat, k));

    // The tourism site nearest Phú Cát.
    let site = tourism
        .iter()
        .filter_map(|t| lonlat(t).map(|p| (p, t)))
        .min_by(|a, b| metres(a.0, phu_cat_point).total_cmp(&metres(b.0, phu_cat_point)))
        .expect("a tourism site");

    // The names check: Hà Nội's name at its label point (the commune label point nearest
    // the mean of its communes' label points, in Web Mercator), and the changed commune's.
    let hanoi: Vec<(f64, f64)> = reference.iter().filter(|r| r["province_code"] == "01").filter_map(|r| labels.get(r["code"].as_str()).copied()).collect();
    let mercator = |(lon, lat): (f64, f64)| (lon, (std::f64::consts::FRAC_PI_4 + lat.to_radians() / 2.0).tan().ln());
    let n = hanoi.len() as f64;
    let mean = (hanoi.iter().map(|p| mercator(*p).0).sum::<f64>() / n, hanoi.iter().map(|p| mercator(*p).1).sum::<f64>() / n);
    let d = |p: (f64, f64)| {
        let (x, y) = mercator(p);
        ((x - mean.0).to_radians().powi(2) + (y - mean.1).powi(2)).sqrt()
    };
    let hanoi_label = hanoi.iter().copied().min_by(|a, b| d(*a).total_cmp(&d(*b))).expect("Hà Nội's communes");
    let hanoi_name = &reference.iter().find(|r| r["province_code"] == "01").expect("Hà Nội")["province_name"];

    // A commune of a district without a xã (a quận) away from every symbol: the district
    // themes draw it "not applicable".
    let has_xa = districts_with_xa(&reference);
    let in_quan = reference
        .iter()
        .filter(|r| !has_xa[r["district_code"].as_str()] && labels.contains_key(r["code"].as_str()))
        .find(|r| points.iter().all(|&p| metres(labels[r["code"].as_str()], p) > 1_500.0))
        .expect("a commune of a district without a xã, away from every symbol");

    json!({
        "quan": {
            "district": in_quan["district_name"], "lon": labels[in_quan["code"].as_str()].0, "lat": labels[in_quan["code"].as_str()].1,
            "province": in_quan["province_name"],
            "province_completed": csv_rows(geodata("results-provinces.csv")).iter().any(|r| r["code"] == in_quan["province_code"] && r["year"].parse::<u16>().is_ok_and(|y| y <= 2025)),
        },
        "names": {
            "province": {"name": hanoi_name, "lon": hanoi_label.0, "lat": hanoi_label.1},
            "commune": {"name": row(change)["name"], "lon": labels[change].0, "lat": labels[change].1},
        },
        "click": {
            "lon": lon, "lat": lat, "code": code,
            "commune": duong_xa["name"], "district": duong_xa["district_name"], "province": duong_xa["province_name"],
            "province_code": duong_xa["province_code"],
            "level": recognition.level, "level_word": level_word(&recognition.level), "level_year": recognition.year,
            "criteria_met": recognition.criteria_met, "pilot": pilot,
        },
        "stats": stats_panel_numbers(Some(&duong_xa["province_code"]), 2025),
        "change": {
            "code": change, "name": row(change)["name"], "lon": labels[change].0, "lat": labels[change].1,
            "level_2021": level_2021, "level_2025": level_2025, "indicator_8_4_2025": indicator_8_4,
        },
        "search": {
            "query": SEARCH_QUERY, "name": phu_cat["name"], "district": phu_cat["district_name"],
            "bbox": phu_cat_bbox,
            "point": [phu_cat_point.0, phu_cat_point.1],
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
    // Two servers with a basemap on another origin (the first server's port): its PNG tiles
    // as XYZ raster tiles, and its tourism style as a MapLibre style for the viewer to merge.
    let tiles_basemap = Server::start(&["--basemap-tiles", &format!("{}/tiles/ntm/{{z}}/{{x}}/{{y}}.png", server.base)]);
    let style_basemap = Server::start(&["--basemap-style", &format!("{}/styles/tourism.json", server.base)]);

    let status = Command::new("node")
        .arg("e2e/viewer.mjs")
        .current_dir(web_dir())
        .env("BANDO_URL", &server.base)
        .env("BANDO_NO_VENDOR_URL", &bare_server.base)
        .env("BANDO_BASEMAP_TILES_URL", &tiles_basemap.base)
        .env("BANDO_BASEMAP_STYLE_URL", &style_basemap.base)
        .env("BANDO_BASEMAP_ORIGIN", &server.base)
        .env("BANDO_E2E", expect.to_string())
        .env("SCREENSHOTS", repo().join("screenshots"))
        .env("CHROMIUM", CHROMIUM)
        .status()
        .expect("run node (install Node.js: apt-get install nodejs npm)");
    assert!(status.success(), "web/e2e/viewer.mjs failed ({status}); its output above names the check");
}
