//! `bando query` from the command line, compared with the HTTP API on the same data.

mod common;
use common::{Server, BIN};
use serde_json::Value;

fn query(args: &[&str]) -> std::process::Output {
    std::process::Command::new(BIN).arg("query").args(args).env("RUST_LOG", "warn").output().expect("run bando query")
}

#[test]
fn query_prints_the_commune_its_parents_and_level() {
    let out = query(&["105.964112", "21.002414"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.starts_with("Xã Dương Xá"), "{text}");
    assert!(text.contains("Huyện Gia Lâm") && text.contains("Thành phố Hà Nội"), "{text}");
    assert!(text.contains("NTM"), "{text}");
}

#[test]
fn query_json_matches_the_http_shape_and_misses_exit_3() {
    let server = Server::shared();
    // Both editions, a recorded level with its district, a ward with radius 0.
    let cases = [
        ("105.964112", "21.002414", "2025", "2023", "5000"),
        ("105.553299", "20.971621", "2024", "2025", "2000"),
        ("105.848112", "21.046798", "2024", "2021", "0"),
    ];
    for (lon, lat, edition, year, radius) in cases {
        let out = query(&[lon, lat, "--edition", edition, "--year", year, "--radius-m", radius, "--json"]);
        assert!(out.status.success(), "{lon},{lat}: {}", String::from_utf8_lossy(&out.stderr));
        let cli: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
        let (status, mut http) =
            server.get_json(&format!("/api/v1/communes/at?lon={lon}&lat={lat}&edition={edition}&year={year}&radius_m={radius}"));
        assert_eq!(status, 200, "{http}");
        // `meta` (data version, sources, sample notice) describes an HTTP answer; the
        // command line prints the answer alone. Everything else must be the same.
        assert!(http["meta"]["data_version"].is_string(), "{http}");
        assert!(cli.get("meta").is_none(), "the CLI answer now carries meta: compare it too");
        http.as_object_mut().expect("object").remove("meta");
        assert_eq!(cli, http, "{lon},{lat} edition {edition} year {year}: CLI and HTTP differ");
    }

    let out = query(&["110.0", "14.0"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no commune"));
    let (status, _) = server.get_json("/api/v1/communes/at?lon=110.0&lat=14.0");
    assert_eq!(status, 404, "a miss is a 404 over HTTP as it is exit 3 on the command line");
}
