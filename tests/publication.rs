//! `bando publish` and a read replica (`bando serve --publication`): publish the embedded
//! data, start a replica from the folder, answer a point query, publish again with a
//! change, and see the replica follow it without a restart; a folder whose files do not
//! match its manifest is refused, and the replica keeps what it serves.

mod common;
use common::{csv_rows, geodata, Server, TempDir, BIN};
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

/// Publishes with small tile archives (z0–z4): the replica reads the data files only.
fn publish(out: &Path, args: &[&str]) -> String {
    // `bando publish` copies the viewer's MapLibre and PMTiles from web/node_modules.
    common::browser::ensure_npm_packages();
    let o = std::process::Command::new(BIN).arg("publish").arg(out).args(["--maxzoom", "4"]).args(args).env("RUST_LOG", "warn").output().expect("run bando publish");
    let text = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "bando publish failed: {text}");
    text
}

fn manifest(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap()
}

/// The names of the tourism sites a point answer lists near (lon, lat).
fn sites_near(server: &Server, lon: &str, lat: &str) -> (Vec<String>, String) {
    let (status, body) = server.get_json(&format!("/api/v1/communes/at?lon={lon}&lat={lat}&radius_m=2000"));
    assert_eq!(status, 200, "{body}");
    let names = body["tourism"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap().to_string()).collect();
    (names, body["meta"]["data_version"].as_str().unwrap().to_string())
}

#[test]
fn a_replica_serves_the_publication_and_follows_a_new_one_whole() {
    let dir = TempDir::new("publication");
    let out = dir.path("site");
    publish(&out, &[]);
    let first = manifest(&out);
    // Every file the manifest names is there with its size; the data inputs and the exports.
    for f in first["files"].as_array().unwrap() {
        let len = std::fs::metadata(out.join(f["path"].as_str().unwrap())).unwrap().len();
        assert_eq!(len, f["bytes"].as_u64().unwrap(), "{f}");
    }
    let roles: Vec<&str> = first["files"].as_array().unwrap().iter().map(|f| f["role"].as_str().unwrap()).collect();
    for role in ["reference_2024", "reference_2025", "commune_results", "district_results", "pilots", "tourism", "criteria_sets", "export", "site_archive", "site_style", "site_glyphs", "site_search", "site_viewer", "site_vendor", "site_index"] {
        assert!(roles.contains(&role), "no {role} in {roles:?}");
    }
    // Each layer's export in every format a reader asks for, Excel included.
    let exports: Vec<&str> = first["files"].as_array().unwrap().iter().filter(|f| f["role"] == "export").map(|f| f["path"].as_str().unwrap()).collect();
    for ext in ["geojson", "csv", "xlsx"] {
        for layer in ["communes-2024-", "communes-2025-", "districts-2024-", "provinces-2025-", "pilots.", "tourism."] {
            assert!(exports.iter().any(|p| p.contains(&format!("/{layer}")) && p.ends_with(&format!(".{ext}"))), "no {layer}….{ext} in {exports:?}");
        }
    }
    assert_eq!(first["sample"], true);

    let replica = Server::start(&["--publication", out.to_str().unwrap(), "--publication-poll-secs", "1"]);
    // Every year's levels as CSV and Excel, for a reader of that year; shapes (GeoJSON)
    // once, for the latest year; pilots and tourism once.
    let (_, meta) = replica.get_json("/api/v1/meta");
    let years: Vec<u64> = meta["meta"]["years"].as_array().expect("years").iter().map(|y| y.as_u64().unwrap()).collect();
    let latest = *years.last().expect("a year");
    assert!(years.len() > 1, "{years:?}");
    for &year in &years {
        for layer in ["communes-2024", "communes-2025", "districts-2024", "provinces-2024", "provinces-2025"] {
            for ext in ["csv", "xlsx", "geojson"] {
                let name = format!("/{layer}-{year}.{ext}");
                let present = exports.iter().any(|p| p.ends_with(&name));
                assert_eq!(present, ext != "geojson" || year == latest, "{name} in {exports:?}");
            }
        }
    }
    assert_eq!(exports.iter().filter(|p| p.contains("/pilots.")).count(), 3, "{exports:?}");
    let site = &csv_rows(geodata("tourism.csv"))[0];
    let (names, version) = sites_near(&replica, &site["lon"], &site["lat"]);
    assert!(names.contains(&site["name"]), "{names:?}");
    assert_eq!(version, first["data_version"].as_str().unwrap(), "the replica serves the published version");

    // A new publication: the same data with that site renamed, as the office's file.
    let renamed = format!("{} (đã đổi tên)", site["name"]);
    let text = std::fs::read_to_string(geodata("tourism.csv")).unwrap().replacen(&site["name"], &renamed, 1);
    let tourism = dir.write("tourism.csv", &text);
    publish(&out, &["--tourism", tourism.to_str().unwrap()]);
    let second = manifest(&out);
    assert_ne!(second["data_version"], first["data_version"]);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (names, version) = sites_near(&replica, &site["lon"], &site["lat"]);
        if version == second["data_version"].as_str().unwrap() {
            assert!(names.contains(&renamed) && !names.contains(&site["name"]), "{names:?}");
            break;
        }
        assert!(Instant::now() < deadline, "the replica did not follow the new publication: still {version}");
        std::thread::sleep(Duration::from_millis(300));
    }
    // The tourism file is now the office's, not the sample.
    let (_, body) = replica.get_json(&format!("/api/v1/communes/at?lon={}&lat={}", site["lon"], site["lat"]));
    let tourism_source = body["meta"]["sources"].as_array().unwrap().iter().find(|s| s["layer"] == "tourism").cloned().unwrap();
    assert_eq!(tourism_source["sample"], false, "{tourism_source}");

    // SIGHUP reloads the publication, never the embedded files.
    replica.signal("HUP");
    std::thread::sleep(Duration::from_secs(3));
    let (names, version) = sites_near(&replica, &site["lon"], &site["lat"]);
    assert_eq!(version, second["data_version"].as_str().unwrap(), "a reload of a replica loads its publication");
    assert!(names.contains(&renamed), "{names:?}");

    // A manifest whose file does not match (a half-written publication): the replica keeps
    // the version it serves, and a new replica refuses to start from it.
    let mut broken = second.clone();
    let entry = broken["files"].as_array_mut().unwrap().iter_mut().find(|f| f["role"] == "commune_results").unwrap();
    entry["sha256"] = Value::from("0".repeat(64));
    std::fs::write(out.join("manifest.json"), serde_json::to_vec(&broken).unwrap()).unwrap();
    std::thread::sleep(Duration::from_secs(3));
    let (_, version) = sites_near(&replica, &site["lon"], &site["lat"]);
    assert_eq!(version, second["data_version"].as_str().unwrap(), "a bad publication is not followed");
    let refused = Server::try_start(&["--publication", out.to_str().unwrap()]).err().expect("a replica refuses a folder that does not match its manifest");
    assert!(refused.stderr.contains("does not match the manifest") && refused.stderr.contains("results-communes.csv"), "{}", refused.stderr);
}

#[test]
fn bad_site_options_are_named_together_and_nothing_is_written() {
    let dir = TempDir::new("publication-bad");
    let out = dir.path("site");
    let o = std::process::Command::new(BIN)
        .arg("publish")
        .arg(&out)
        .args(["--years", "1990", "--minzoom", "9", "--maxzoom", "20"])
        .env("RUST_LOG", "warn")
        .output()
        .expect("run bando publish");
    let text = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    for part in ["--years: 1990 is not a year of the data", "--maxzoom 20 is beyond the maximum zoom 14"] {
        assert!(text.contains(part), "{part:?} not in: {text}");
    }
    assert!(!out.join("manifest.json").exists() && !out.join("index.html").exists());
    let maps = std::process::Command::new(BIN).arg("publish").arg(&out).args(["--maps", "ntm,roads"]).output().expect("run bando publish");
    assert!(!maps.status.success() && String::from_utf8_lossy(&maps.stderr).contains("--maps: 'roads' is not a map"));
}
