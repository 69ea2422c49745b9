//! The published map with no bando process: `bando publish` writes the embedded data's
//! site, web/e2e/static.mjs serves the folder with a plain static file server with HTTP
//! range support (Node's http module, in the script) and drives the static viewer in
//! headless Chromium (playwright-core, Debian's /usr/bin/chromium).
//!
//! What the page must show is computed here from the source files: Xã Dương Xá's class in
//! 2025 (geodata/results-communes.csv), its name and district (the reference table
//! geodata/reference/communes-2024.csv) and its label point (the embedded boundaries);
//! the communes named "Phú Cát"; and a commune whose name several communes share, with
//! its district, for a "name district" query. The script checks the pixels there have
//! the class colour, the popup built from tile properties, the search from the prebuilt
//! index, 206 answers to range requests, and that no request reaches /api/.

mod common;

use common::browser::{ensure_chromium, ensure_npm_packages, web_dir, CHROMIUM};
use common::sources::{csv_rows, results, Row};
use common::{embedded_label_points, reference, repo, TempDir, BIN};
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
    let expect = json!({
        "year": YEAR,
        "commune": {"code": DUONG_XA, "name": row["name"], "district": row["district_name"], "lon": label.lon, "lat": label.lat, "class": class},
        "phu_cat": phu_cat,
        "shared": {"name": shared_name, "count": shared.len(), "code": target["code"], "district": target["district_name"]},
    });

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
