//! The template through an independent xlsx library: Python's openpyxl opens it, checks
//! its frozen headers and drop-down lists, and edits it as an office would (one level, one
//! criterion, one new row); `read_upload` then names the bad row and, once it is fixed,
//! gives exactly the three changed records. `.ci/run` installs openpyxl; the test installs
//! it with pip when missing, and fails naming the command when it cannot.

mod common;

use bando::atlas::{build, Inputs};
use bando::export::template::{published_records, write_template};
use bando::load::upload::{province_units, read_upload, UploadScope};
use bando::model::{AsOf, ProvinceCode, Record, RecordKind};
use std::collections::{BTreeSet, HashMap};

const OPENPYXL: &str = "openpyxl==3.1.5";

#[test]
fn openpyxl_reads_the_template_and_its_edits_read_back_exactly() {
    common::ensure_python_package("openpyxl", OPENPYXL);

    let atlas = build(&Inputs::embedded(bando::config::EMBEDDED_GEODATA)).expect("embedded").0;
    let province = ProvinceCode(42);
    let as_of = AsOf::Year(*atlas.years().end());
    let dir = common::TempDir::new("openpyxl");
    let template = dir.path("template.xlsx");
    std::fs::write(&template, write_template(&atlas, province, as_of).expect("template")).expect("write");
    let (bad, good) = (dir.path("bad.xlsx"), dir.path("good.xlsx"));
    let out = std::process::Command::new("python3")
        .arg(common::repo().join("tests/py/edit_template.py"))
        .args([&template, &bad, &good])
        .output()
        .expect("run python3");
    assert!(out.status.success(), "openpyxl check failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let changed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let scope = UploadScope::Provinces(vec![province]);

    let report = read_upload("bad.xlsx", &std::fs::read(&bad).expect("read"), &atlas, &scope).expect_err("the bad row is refused");
    assert_eq!(report.problems.len(), 1, "{report}");
    let p = &report.problems[0];
    assert_eq!((p.sheet.as_str(), p.row, p.column.as_deref()), ("KetQua_Xa", changed["new_row"].as_u64(), Some("level")), "{report}");
    assert!(p.message_en.contains("not an NTM level") && p.message_vi.contains("không phải mức NTM"), "{p}");

    let upload = read_upload("good.xlsx", &std::fs::read(&good).expect("read"), &atlas, &scope).unwrap_or_else(|e| panic!("{e}"));
    let published = published_records(&atlas, &province_units(&atlas, &[province]), as_of);
    let by_key: HashMap<(RecordKind, String), &Record> = published.values().flatten().map(|r| ((r.kind, r.key()), r)).collect();
    let diff: BTreeSet<&Record> = upload.records.values().flatten().map(|u| &u.record).filter(|r| by_key.get(&(r.kind, r.key())) != Some(r)).collect();
    let level = &changed["level"];
    let criterion = &changed["criterion"];
    let expected: BTreeSet<String> = [
        format!("commune_result {},{},nang_cao", level["code"].as_str().unwrap(), level["year"].as_str().unwrap()),
        format!("commune_result {},2025,dat_chuan", level["code"].as_str().unwrap()),
        format!("criteria {},{},{},8,4,false", criterion["unit_code"].as_str().unwrap(), criterion["year"].as_str().unwrap(), criterion["set"].as_str().unwrap()),
    ]
    .into();
    let got: BTreeSet<String> = diff.iter().map(|r| format!("{} {}", r.kind, r.fields[..if r.kind == RecordKind::Criteria { 6 } else { 3 }].join(","))).collect();
    assert_eq!(got, expected);
}
