//! `bando validate` on an office's .xlsx workbook: the same checks as the management
//! upload, run before anyone uploads; every problem by sheet and row in one report, and the
//! scope of `--province` enforced as on the server.

mod common;
use common::{csv_rows, geodata, reference, TempDir, BIN};
use std::path::Path;

/// The commune results sheet: a row of labels, the row of column names, then `rows`.
fn workbook(path: &Path, rows: &[[&str; 6]]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("KetQua_Xa").unwrap();
    ws.write_string(0, 0, "Kết quả NTM của xã").unwrap();
    for (c, name) in ["code", "year", "level", "criteria_met", "recognized_on", "decision"].iter().enumerate() {
        ws.write_string(1, c as u16, *name).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            ws.write_string(2 + r as u32, c as u16, *value).unwrap();
        }
    }
    wb.save(path).unwrap();
}

fn validate(args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(BIN).arg("validate").args(args).env("RUST_LOG", "warn").output().expect("run bando validate");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}

/// A published result row of a commune outside Hà Nội (province 01 in both editions), as
/// the six cells of the sheet.
fn result_outside_ha_noi() -> [String; 6] {
    let province_of: std::collections::HashMap<String, String> =
        csv_rows(reference("communes-2024.csv")).into_iter().map(|r| (r["code"].clone(), r["province_code"].clone())).collect();
    let row = csv_rows(geodata("results-communes.csv")).into_iter().find(|r| province_of[&r["code"]] != "01").expect("a commune outside Hà Nội");
    ["code", "year", "level", "criteria_met", "recognized_on", "decision"].map(|c| row[c].clone())
}

#[test]
fn a_clean_workbook_reads_and_a_bad_one_names_every_bad_row() {
    let dir = TempDir::new("validate-xlsx");
    let good = result_outside_ha_noi();
    let good: [&str; 6] = std::array::from_fn(|i| good[i].as_str());
    let clean = dir.path("clean.xlsx");
    workbook(&clean, &[good]);
    let (ok, out) = validate(&[clean.to_str().unwrap()]);
    assert!(ok, "{out}");
    assert!(out.contains("1 records read") && out.contains("commune_result"), "{out}");

    let mut bad_level = good;
    bad_level[2] = "dat_chuan_lam";
    let mut unknown = good;
    unknown[0] = "99999";
    let bad = dir.path("bad.xlsx");
    workbook(&bad, &[bad_level, unknown]);
    let (ok, out) = validate(&[bad.to_str().unwrap()]);
    assert!(!ok, "{out}");
    assert!(out.contains("2 problems"), "both rows in one report: {out}");
    for (cell, what) in [("KetQua_Xa!C3", "dat_chuan_lam"), ("KetQua_Xa!A4", "99999")] {
        assert!(out.lines().any(|l| l.contains(cell) && l.contains(what)), "{cell} ({what}) named: {out}");
    }
}

#[test]
fn a_province_editor_s_workbook_may_not_touch_another_province() {
    let dir = TempDir::new("validate-xlsx-scope");
    let row = result_outside_ha_noi();
    let path = dir.path("other.xlsx");
    workbook(&path, &[std::array::from_fn(|i| row[i].as_str())]);
    let (ok, out) = validate(&["--province", "01", path.to_str().unwrap()]);
    assert!(!ok, "a Hà Nội editor's workbook changing commune {}: {out}", row[0]);
    assert!(out.contains("KetQua_Xa!A3") && out.contains(&row[0]) && out.contains("outside your provinces"), "{out}");
    let (ok, out) = validate(&[path.to_str().unwrap()]);
    assert!(ok, "the central office may: {out}");
}
