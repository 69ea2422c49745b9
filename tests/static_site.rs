//! The published map with no bando process: `bando publish` writes the embedded data's
//! site, web/e2e/static.mjs serves the folder with a plain static file server with HTTP
//! range support (Node's http module, in the script) and drives the static viewer in
//! headless Chromium (playwright-core, Debian's /usr/bin/chromium).
//!
//! What the page must show is computed here from the source files: Xã Dương Xá's class in
//! 2025 (geodata/results-communes.csv), its name and district (the reference table
//! geodata/reference/communes-2024.csv) and its label point (the embedded boundaries);
//! the communes named "Phú Cát"; and a commune whose name several communes share, with
//! its district, for a "name district" query; the numbers of the statistics panel for the
//! country and for Dương Xá's province. The script checks the pixels there have the class
//! colour, the popup built from tile properties, the search from the prebuilt index, the
//! statistics panel from the published files, 206 answers to range requests, and that no
//! request reaches /api/. Before it runs, every published statistics file is compared
//! with the API's answer to the same question on a real server: byte for byte the same.

mod common;

use common::browser::{ensure_chromium, ensure_npm_packages, web_dir, CHROMIUM};
use common::sources::{csv_rows, results, stats_panel_numbers, Row};
use common::text::{core, fold, url_encode, COMMUNE_PREFIXES, DISTRICT_PREFIXES};
use common::{embedded_label_points, reference, repo, Server, TempDir, BIN};
use serde_json::json;
use std::collections::BTreeMap;
use std::process::Command;

const DUONG_XA: &str = "00571";
const YEAR: u16 = 2025;

#[test]
fn the_published_map_works_from_a_plain_static_server() {
    ensure_npm_packages();
    ensure_chromium();
    let dir = TempDir::new("static-site");
    let out = dir.path("published");
    // Small archives keep the test fast: z0–z10 of one year, the NTM map, both editions.
    let o = Command::new(BIN)
        .arg("publish")
        .arg(&out)
        .args(["--maps", "ntm", "--years", &YEAR.to_string(), "--maxzoom", "10"])
        .env("RUST_LOG", "warn")
        .output()
        .expect("run bando publish");
    assert!(o.status.success(), "bando publish failed:\n{}", String::from_utf8_lossy(&o.stderr));

    let reference_rows = csv_rows(reference("communes-2024.csv"));
    let row = reference_rows.iter().find(|r| r["code"] == DUONG_XA).expect("Dương Xá in the reference table");
    let label = embedded_label_points(2024).into_iter().find(|c| c.code == DUONG_XA).expect("Dương Xá's label point");
    let class = results().class(DUONG_XA, YEAR).to_string();
    let phu_cat: Vec<&str> = reference_rows.iter().filter(|r| r["name"].ends_with(" Phú Cát")).map(|r| r["code"].as_str()).collect();
    assert!(!phu_cat.is_empty());
    // A name several xã share, and one of them with its district: "name district" must
    // put that one first.
    let mut by_name: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for r in reference_rows.iter().filter(|r| r["kind"] == "Xã") {
        by_name.entry(r["name"].as_str()).or_default().push(r);
    }
    let (shared_name, shared) = by_name.iter().filter(|(_, rows)| rows.len() >= 3).max_by_key(|(_, rows)| rows.len()).expect("a shared name");
    let target = shared[shared.len() / 2];
    // The 2025 commune that took Dương Xá (crosswalk): its old name and district find it.
    let successors: Vec<String> =
        csv_rows(reference("crosswalk-2024-2025.csv")).into_iter().filter(|r| r["code_2024"] == DUONG_XA).map(|r| r["code_2025"].clone()).collect();
    assert_eq!(successors.len(), 1, "Dương Xá went to one 2025 commune: {successors:?}");
    // Dương Xá typed with two letters swapped, with its district and without spaces: both
    // need typo tolerance, and the server's first hit for each must be found first.
    let server = Server::shared();
    let typos: Vec<serde_json::Value> = typo_queries(&row["name"], &row["district_name"])
        .into_iter()
        .map(|q| {
            let (status, body) = server.get_json(&format!("/api/v1/search?q={}&edition=2024&limit=8", url_encode(&q)));
            assert_eq!(status, 200, "{q}: {body}");
            let first = &body["hits"][0];
            assert_eq!(first["code"], DUONG_XA, "the server's first hit for {q:?}: {body}");
            assert!(first["score"].as_f64().unwrap() <= 0.55, "{q:?} matched without typo tolerance: {first}");
            json!({"q": q, "code": DUONG_XA})
        })
        .collect();
    let ward = reference_rows.iter().find(|r| r["name"] == "Phường 1" && r["district_name"] == "Quận 3").expect("Phường 1, Quận 3");
    // An address with the usual abbreviations, and one written in English, as the server
    // reads them.
    let phu_cat_quoc_oai = reference_rows.iter().find(|r| r["name"] == "Xã Phú Cát" && r["district_name"] == "Huyện Quốc Oai").expect("Phú Cát, Quốc Oai");
    let written: Vec<serde_json::Value> = [("P1, Q3, TP HCM", &ward["code"]), ("Phu Cat Commune, Quoc Oai District, Hanoi", &phu_cat_quoc_oai["code"])]
        .into_iter()
        .map(|(q, code)| {
            let (_, body) = server.get_json(&format!("/api/v1/search?q={}&edition=2024", url_encode(q)));
            assert_eq!(body["hits"][0]["code"], code.as_str(), "the server's first hit for {q:?}: {body}");
            json!({"q": q, "code": code})
        })
        .collect();
    // Names that several things share, which the order of equal scores decides: the name
    // spelt with its tone marks first ("Phú Cát", "Phù Cát"), then the larger unit (a
    // province before the communes of its name).
    let district_code = |name: &str| reference_rows.iter().find(|r| r["district_name"] == name).map(|r| r["district_code"].clone()).expect(name);
    let province_code = |name: &str| reference_rows.iter().find(|r| r["province_name"] == name).map(|r| r["province_code"].clone()).expect(name);
    let ties: Vec<serde_json::Value> = [
        ("Phú Cát", "commune", phu_cat_quoc_oai["code"].clone()),
        ("Phù Cát", "district", district_code("Huyện Phù Cát")),
        ("phu tho", "province", province_code("Tỉnh Phú Thọ")),
        ("Quảng Ninh", "province", province_code("Tỉnh Quảng Ninh")),
    ]
    .into_iter()
    .map(|(q, kind, code)| {
        let (_, body) = server.get_json(&format!("/api/v1/search?q={}&edition=2024", url_encode(q)));
        let first = &body["hits"][0];
        assert_eq!((first["kind"].as_str(), first["code"].as_str()), (Some(kind), Some(code.as_str())), "the server's first hit for {q:?}: {body}");
        json!({"q": q, "kind": kind, "code": code})
    })
    .collect();
    let mut expect = json!({
        "year": YEAR,
        "commune": {"code": DUONG_XA, "name": row["name"], "district": row["district_name"], "lon": label.lon, "lat": label.lat, "class": class},
        "phu_cat": phu_cat,
        "shared": {"name": shared_name, "count": shared.len(), "code": target["code"], "district": target["district_name"]},
        "former": {"name": row["name"], "district": row["district_name"], "code": successors[0]},
        "typos": typos,
        "written": written,
        "ties": ties,
    });

    // The statistics files are the API's answers, byte for byte: the nation and every
    // province of both editions for the year.
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("manifest.json")).expect("manifest.json")).expect("manifest JSON");
    let stats_files: Vec<&str> =
        manifest["files"].as_array().expect("files").iter().filter(|f| f["role"] == "site_stats").map(|f| f["path"].as_str().expect("path")).collect();
    let (_, meta) = server.get_json("/api/v1/meta");
    let provinces = meta["counts"]["provinces_2024"].as_u64().unwrap() + meta["counts"]["provinces_2025"].as_u64().unwrap();
    assert_eq!(stats_files.len() as u64, 2 + provinces, "one file per edition for the nation and per province: {stats_files:?}");
    for path in &stats_files {
        let (view, scope) = path.rsplit_once('/').expect("stats/{edition}-{year}/{scope}.json");
        let (edition, year) = view.rsplit_once('/').expect("stats/…").1.split_once('-').expect("{edition}-{year}");
        let scope = scope.strip_suffix(".json").expect(".json");
        let province = if scope == "nation" { String::new() } else { format!("&province={scope}") };
        let answer = server.get_raw(&format!("/api/v1/stats?edition={edition}&year={year}{province}"), &[("Accept-Encoding", "identity")]);
        assert_eq!(answer.status, 200, "{path}");
        let file = std::fs::read(out.join(path)).expect("stats file");
        assert!(file == answer.body, "{path} differs from the API's answer for edition {edition}, year {year}, scope {scope}");
    }
    // The district themes are offered on edition 2024 only, each drawing the districts
    // (a district without a xã not assessed).
    let file_of = |name: &str| -> serde_json::Value {
        let path = manifest["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).find(|p| p.ends_with(name)).unwrap_or_else(|| panic!("{name} in the manifest"));
        serde_json::from_slice(&std::fs::read(out.join(path)).expect(name)).expect("JSON")
    };
    let site = file_of("static.json");
    for view in site["views"].as_array().expect("views") {
        let district_themes: Vec<(&String, &serde_json::Value)> = view["themes"].as_object().expect("themes").iter().filter(|(k, _)| k.starts_with("criterion:huyen_")).collect();
        if view["edition"] == 2025 {
            assert!(district_themes.is_empty(), "edition 2025 offers district themes: {district_themes:?}");
            continue;
        }
        let (_, style) = district_themes.iter().find(|(k, _)| k.ends_with(":9.5")).unwrap_or_else(|| panic!("no district theme of 9.5 in {view}"));
        let style = file_of(style.as_str().unwrap());
        assert!(style["layers"].as_array().unwrap().iter().any(|l| l["id"] == "districts-fill"), "the 9.5 style fills no districts");
        let classes = style["metadata"]["bando:legend"]["classes"].as_array().unwrap();
        assert!(classes.iter().any(|c| c["key"] == "not_applicable" && c["label"]["vi"].as_str().unwrap().starts_with("Quận")), "{classes:?}");
    }

    let stats = json!({
        "nation": stats_panel_numbers(None, YEAR),
        "province": {"code": row["province_code"], "name": row["province_name"], "numbers": stats_panel_numbers(Some(&row["province_code"]), YEAR)},
    });
    expect["stats"] = stats;

    let status = Command::new("node")
        .arg("e2e/static.mjs")
        .current_dir(web_dir())
        .env("BANDO_SITE_DIR", &out)
        .env("BANDO_E2E", expect.to_string())
        .env("SCREENSHOTS", repo().join("screenshots"))
        .env("CHROMIUM", CHROMIUM)
        .status()
        .expect("run node (install Node.js: apt-get install nodejs npm)");
    assert!(status.success(), "web/e2e/static.mjs failed ({status}); its output above names the check");
}

/// A commune's name as typed with a slip: folded, without its administrative prefix, the
/// middle two letters of its longest word swapped; once followed by its district (also
/// without prefix), once with no spaces.
fn typo_queries(name: &str, district: &str) -> [String; 2] {
    let mut words: Vec<String> = fold(core(name, &COMMUNE_PREFIXES)).split(' ').map(str::to_string).collect();
    let longest = words.iter_mut().max_by_key(|w| w.len()).expect("a word");
    let mut letters: Vec<char> = longest.chars().collect();
    let middle = letters.len() / 2;
    assert!(middle >= 1 && letters[middle - 1] != letters[middle], "no slip to make in {longest}");
    letters.swap(middle - 1, middle);
    *longest = letters.into_iter().collect();
    [format!("{} {}", words.join(" "), fold(core(district, &DISTRICT_PREFIXES))), words.concat()]
}

/// Mercator tile column and row of a point.
fn tile_of(lon: f64, lat: f64, z: u8) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let lat = lat.to_radians();
    (((lon + 180.0) / 360.0 * n) as u32, ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n) as u32)
}

/// `bando serve --tiles`: a tile of a published view within its archive's zooms is the
/// archive's, byte for byte the live server's tile of the same data with the same
/// validators, even when the server's own data has changed since; deeper tiles are
/// rendered from the data in force.
#[test]
fn serve_tiles_answers_from_the_published_archives() {
    // `bando publish` copies the viewer's MapLibre and PMTiles from web/node_modules.
    ensure_npm_packages();
    let dir = TempDir::new("static-tiles");
    let out = dir.path("published");
    let o = Command::new(BIN)
        .arg("publish")
        .arg(&out)
        .args(["--years", &YEAR.to_string(), "--maxzoom", "7"])
        .env("RUST_LOG", "warn")
        .output()
        .expect("run bando publish");
    assert!(o.status.success(), "bando publish failed:\n{}", String::from_utf8_lossy(&o.stderr));
    // The server of --tiles serves other data: a tourism site renamed.
    let site = &csv_rows(common::geodata("tourism.csv"))[0];
    let text = std::fs::read_to_string(common::geodata("tourism.csv")).unwrap().replacen(&site["name"], "Điểm đã đổi tên", 1);
    let tourism = dir.write("tourism.csv", &text);
    let live = common::Server::shared();
    let tiles = common::Server::start(&["--tiles", common::path_str(&out), "--tourism", common::path_str(&tourism)]);
    let (lon, lat): (f64, f64) = (site["lon"].parse().unwrap(), site["lat"].parse().unwrap());
    let gzip = [("Accept-Encoding", "gzip")];
    let mut compared = 0;
    for map in ["ntm", "tourism"] {
        for edition in [2024, 2025] {
            for z in [0u8, 3, 5, 7] {
                let (x, y) = tile_of(lon, lat, z);
                let path = format!("/tiles/{map}/{z}/{x}/{y}.mvt?edition={edition}&year={YEAR}");
                let (a, b) = (live.get_raw(&path, &gzip), tiles.get_raw(&path, &gzip));
                assert_eq!(a.status, 200, "{path}");
                assert_eq!(b.status, a.status, "{path}");
                assert!(a.body == b.body, "{path}: the archive's tile differs from the live one");
                for h in ["etag", "cache-control", "vary", "content-type", "content-encoding"] {
                    assert_eq!(b.header(h), a.header(h), "{path}: {h}");
                }
                // A revalidation answers 304 from the archive's validators.
                let etag = b.header("etag").unwrap().to_string();
                assert_eq!(tiles.get_raw(&path, &[("Accept-Encoding", "gzip"), ("If-None-Match", &etag)]).status, 304, "{path}");
                compared += 1;
            }
        }
    }
    assert_eq!(compared, 16);
    // Beyond the archives' zooms: rendered from the data in force, which names the site anew.
    let (x, y) = tile_of(lon, lat, 12);
    let path = format!("/tiles/tourism/12/{x}/{y}.mvt?year={YEAR}");
    let (a, b) = (live.get_raw(&path, &[]), tiles.get_raw(&path, &[]));
    assert_eq!((a.status, b.status), (200, 200));
    let contains = |body: &[u8], text: &str| body.windows(text.len()).any(|w| w == text.as_bytes());
    assert!(contains(&a.body, &site["name"]) && contains(&b.body, "Điểm đã đổi tên"), "z12 is rendered from each server's own data");
    assert_ne!(a.header("etag"), b.header("etag"));
    // At z7 the site still has its published name: the tile came from the archive.
    let (x, y) = tile_of(lon, lat, 7);
    let published = tiles.get_raw(&format!("/tiles/tourism/7/{x}/{y}.mvt?year={YEAR}"), &[]);
    assert!(contains(&published.body, &site["name"]) && !contains(&published.body, "Điểm đã đổi tên"), "z7 is read from the archive");
}
