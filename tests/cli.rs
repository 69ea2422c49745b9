//! `bando query` from the command line.

mod common;
use common::BIN;

#[test]
fn query_prints_the_commune_its_parents_and_level() {
    let out = std::process::Command::new(BIN).args(["query", "105.964112", "21.002414"]).output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.starts_with("Xã Dương Xá"), "{text}");
    assert!(text.contains("Huyện Gia Lâm") && text.contains("Thành phố Hà Nội"), "{text}");
    assert!(text.contains("NTM"), "{text}");
}

#[test]
fn query_json_matches_the_http_shape_and_misses_exit_3() {
    let out = std::process::Command::new(BIN)
        .args(["query", "105.964112", "21.002414", "--edition", "2025", "--year", "2023", "--json"])
        .output()
        .expect("run");
    assert!(out.status.success());
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(body["edition"], 2025);
    assert_eq!(body["year"], 2023);
    assert!(body["former_communes"]["total"].as_u64().unwrap() >= 1);

    let out = std::process::Command::new(BIN).args(["query", "110.0", "14.0"]).output().expect("run");
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no commune"));
}
