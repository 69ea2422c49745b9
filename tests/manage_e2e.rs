//! The management pages end to end, in real headless Chromium against a real server with a
//! real database file: the Hà Tĩnh editor downloads the template, edits it (in
//! web/e2e/manage.mjs, with ExcelJS), uploads a bad row and reads its message, fixes it,
//! submits; the admin approves; the public point query, the PNG tile and the commune's
//! history show the change.
//!
//! What to change and what the page must show is computed here from the source files:
//! a commune of Hà Tĩnh (province 42) whose latest published level is `dat_chuan`
//! (geodata/results-communes.csv, the reference table for its province), its label point
//! in the embedded boundaries, one criterion of a Hà Tĩnh commune assessed "not met" in
//! its latest assessment (geodata/criteria.csv), and the class colours of the NTM style.

mod common;

use common::browser::{ensure_chromium, ensure_npm_packages, web_dir, CHROMIUM};
use common::sources::{csv_rows, geodata};
use common::{embedded_label_points, path_str, reference, Server, TempDir, BIN};
use serde_json::json;
use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

const PROVINCE: &str = "42";
const EDITOR: (&str, &str) = ("hatinh.editor", "mat-khau-ha-tinh-2026");
const ADMIN: (&str, &str) = ("trung.uong", "mat-khau-trung-uong-2026");
const DECISION: &str = "1234/QĐ-UBND";

/// The template's words for each level (its guide sheet lists them).
fn level_label(level: &str) -> &'static str {
    match level {
        "chua_dat" => "Chưa đạt chuẩn NTM",
        "dat_chuan" => "Đạt chuẩn NTM",
        "nang_cao" => "NTM nâng cao",
        "kieu_mau" => "NTM kiểu mẫu",
        other => panic!("unexpected level {other}"),
    }
}

fn add_user(data_dir: &str, (username, password): (&str, &str), role: &str, province: Option<&str>) {
    let mut args = vec!["user", "add", username, "--role", role, "--data-dir", data_dir];
    if let Some(p) = province {
        args.extend(["--province", p]);
    }
    let mut child = Command::new(BIN).args(&args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("bando user add");
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "bando {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
}

#[test]
fn an_office_edits_its_workbook_and_the_public_map_changes_after_approval() {
    ensure_npm_packages();
    ensure_chromium();
    let reference: BTreeMap<String, String> =
        csv_rows(reference("communes-2024.csv")).into_iter().map(|r| (r["code"].clone(), r["province_code"].clone())).collect();
    let in_province = |code: &str| reference.get(code).map(String::as_str) == Some(PROVINCE);

    // The commune: latest published record of a Hà Tĩnh commune, level dat_chuan.
    let mut latest: BTreeMap<String, (u16, String)> = BTreeMap::new();
    for r in csv_rows(geodata("results-communes.csv")).into_iter().filter(|r| in_province(&r["code"])) {
        let year: u16 = r["year"].parse().unwrap();
        if latest.get(&r["code"]).is_none_or(|(y, _)| *y < year) {
            latest.insert(r["code"].clone(), (year, r["level"].clone()));
        }
    }
    let labels = embedded_label_points(2024);
    let (code, (year, _)) = latest
        .iter()
        .find(|(code, (_, level))| level == "dat_chuan" && labels.iter().any(|c| &c.code == *code))
        .expect("a Hà Tĩnh commune whose latest level is dat_chuan");
    let point = labels.iter().find(|c| &c.code == code).unwrap();

    // The criterion: an item of a Hà Tĩnh commune's latest assessment of a set, not met.
    let criteria = csv_rows(geodata("criteria.csv"));
    let mut last_year: BTreeMap<(String, String), u16> = BTreeMap::new();
    for r in criteria.iter().filter(|r| in_province(&r["unit_code"])) {
        let y: u16 = r["year"].parse().unwrap();
        let e = last_year.entry((r["unit_code"].clone(), r["set"].clone())).or_default();
        *e = (*e).max(y);
    }
    let item = criteria
        .iter()
        .filter(|r| in_province(&r["unit_code"]) && r["met"] == "false")
        .find(|r| last_year[&(r["unit_code"].clone(), r["set"].clone())] == r["year"].parse::<u16>().unwrap())
        .expect("a Hà Tĩnh criterion not met");
    let column = if item["indicator"].is_empty() { item["criterion"].clone() } else { format!("{}.{}", item["criterion"], item["indicator"]) };

    // The class colours of the NTM style.
    let style: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(common::repo().join("styles/ntm-results.json")).unwrap()).unwrap();
    let colour = |level: &str| -> String {
        style["classes"][level]["fill"].as_str().unwrap_or_else(|| panic!("classes.{level}.fill in styles/ntm-results.json")).to_string()
    };

    let dir = TempDir::new("manage-e2e");
    let data_dir = dir.path("data");
    let data = path_str(&data_dir).to_string();
    add_user(&data, EDITOR, "province", Some(PROVINCE));
    add_user(&data, ADMIN, "admin", None);
    let server = Server::start(&["--data-dir", &data]);

    let expect = json!({
        "editor": {"username": EDITOR.0, "password": EDITOR.1, "province": PROVINCE},
        "admin": {"username": ADMIN.0, "password": ADMIN.1},
        "sheets": {"commune_results": "KetQua_Xa", "criteria": "TieuChi_Xa"},
        "header_row": 2,
        "columns": {"code": "code", "year": "year", "level": "level", "unit_code": "unit_code"},
        "commune": {
            "code": code, "year": year.to_string(), "edition": 2024, "lon": point.lon, "lat": point.lat,
            "old_level": "dat_chuan", "new_level": "nang_cao",
            "old_label": level_label("dat_chuan"), "new_label": level_label("nang_cao"),
        },
        "criterion": {"unit_code": item["unit_code"], "year": item["year"], "set": item["set"], "column": column, "old": "không", "new": "có"},
        "bad_row": {"year": "2026", "level": "dat_chuan_cao"},
        "decision": DECISION,
        "colours": {"dat_chuan": colour("dat_chuan"), "nang_cao": colour("nang_cao")},
    });
    let output = Command::new("node")
        .arg(web_dir().join("e2e/manage.mjs"))
        .env("BANDO_URL", &server.base)
        .env("BANDO_E2E", expect.to_string())
        .env("SCREENSHOTS", common::repo().join("screenshots"))
        .env("WORK_DIR", dir.path("work"))
        .env("CHROMIUM", CHROMIUM)
        .current_dir(web_dir())
        .output()
        .expect("node runs web/e2e/manage.mjs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}");
    assert!(output.status.success(), "manage.mjs failed:\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("ok - ") && !stdout.contains("not ok"), "{stdout}");
}
