//! Cached tiles across an approval, over real HTTP with a real database file: after the
//! Hà Tĩnh office's change is approved, a tile far from Hà Tĩnh is still answered from the
//! cache with the same ETag and the same bytes (and a client's old ETag still gets 304),
//! while the tile over the changed commune has a new ETag and new bytes. A restart, which
//! renders everything afresh from the database, draws the far tile with the same bytes.
//! The commune, its record and the tiles come from geodata/results-communes.csv and the
//! reference table.

mod common;

use common::manage::{Browser, DataDir};
use common::sources::{csv_rows, geodata, Row};
use common::{reference, Server};
use serde_json::json;

const ADMIN: (&str, &str) = ("tw.admin", "quan-tri-trung-uong-2026");
const HA_TINH: (&str, &str) = ("ha.tinh", "bien-tap-ha-tinh-2026");

/// The slippy-map tile holding (lon, lat) at `z`.
fn tile_of(lon: f64, lat: f64, z: u8) -> (u8, u32, u32) {
    let n = f64::from(1u32 << z);
    let x = ((lon + 180.0) / 360.0 * n).floor() as u32;
    let r = lat.to_radians();
    let y = ((1.0 - (r.tan() + 1.0 / r.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor() as u32;
    (z, x, y)
}

/// The reference point of `code` (edition 2024).
fn point_of(communes: &[Row], code: &str) -> (f64, f64) {
    let c = communes.iter().find(|c| c["code"] == code).unwrap_or_else(|| panic!("commune {code} in the reference table"));
    (c["lon"].parse().unwrap(), c["lat"].parse().unwrap())
}

/// A commune of `province` whose latest result is `dat_chuan`, with that result.
fn latest_dat_chuan(communes: &[Row], province: &str) -> Row {
    let codes: std::collections::HashSet<&str> = communes.iter().filter(|r| r["province_code"] == province).map(|r| r["code"].as_str()).collect();
    let mut latest: std::collections::BTreeMap<String, Row> = std::collections::BTreeMap::new();
    for r in csv_rows(geodata("results-communes.csv")).into_iter().filter(|r| codes.contains(r["code"].as_str())) {
        if latest.get(&r["code"]).is_none_or(|l| l["year"] < r["year"]) {
            latest.insert(r["code"].clone(), r);
        }
    }
    latest.into_values().find(|r| r["level"] == "dat_chuan").expect("a dat_chuan commune in the province")
}

/// A tile's answer: status, ETag, how it was made (Server-Timing), body.
struct Tile {
    status: u16,
    etag: String,
    timing: String,
    body: Vec<u8>,
}

fn get_tile(server: &Server, path: &str, if_none_match: Option<&str>) -> Tile {
    let mut headers = vec![("Accept-Encoding", "gzip")];
    if let Some(tag) = if_none_match {
        headers.push(("If-None-Match", tag));
    }
    let raw = server.get_raw(path, &headers);
    Tile {
        status: raw.status,
        etag: raw.header("etag").unwrap_or_default().to_string(),
        timing: raw.header("server-timing").unwrap_or_default().to_string(),
        body: raw.body,
    }
}

fn signed_in(server: &Server, (user, password): (&str, &str), address: &str) -> (Browser, String) {
    let mut b = Browser::new(server, address);
    assert_eq!(b.login(user, password).status, 303);
    let csrf = b.csrf();
    (b, csrf)
}

#[test]
fn an_approval_keeps_cached_tiles_of_untouched_provinces_and_renews_the_touched_ones() {
    let dir = DataDir::new("tile-carry");
    dir.add_user(ADMIN.0, "admin", &[], "Văn phòng Điều phối NTM Trung ương", ADMIN.1);
    dir.add_user(HA_TINH.0, "province", &["42"], "VP Điều phối NTM Hà Tĩnh", HA_TINH.1);
    let server = dir.serve(&[]);
    let communes = csv_rows(reference("communes-2024.csv"));

    // The changed commune (Hà Tĩnh) and a commune at the other end of the country (Cà Mau).
    let row = latest_dat_chuan(&communes, "42");
    let (lon, lat) = point_of(&communes, &row["code"]);
    let far = communes.iter().find(|c| c["province_code"] == "96").expect("a Cà Mau commune");
    let (far_lon, far_lat) = (far["lon"].parse().unwrap(), far["lat"].parse().unwrap());
    let path = |(z, x, y): (u8, u32, u32), ext: &str, edition: &str| format!("/tiles/ntm/{z}/{x}/{y}.{ext}?edition={edition}");
    let near_mvt = path(tile_of(lon, lat, 10), "mvt", "2024");
    let near_png = path(tile_of(lon, lat, 10), "png", "2024");
    let far_tiles = [
        path(tile_of(far_lon, far_lat, 10), "mvt", "2024"),
        path(tile_of(far_lon, far_lat, 10), "png", "2024"),
        path(tile_of(far_lon, far_lat, 9), "mvt", "2025"),
    ];

    // Before: every tile rendered once, then answered from the cache.
    let mut before = Vec::new();
    for p in far_tiles.iter().chain([&near_mvt, &near_png]) {
        let first = get_tile(&server, p, None);
        assert_eq!(first.status, 200, "{p}");
        let again = get_tile(&server, p, None);
        assert_eq!(again.timing, "cache;desc=hit", "{p}");
        before.push(first);
    }

    // Hà Tĩnh raises the commune to nang_cao; the admin approves.
    let (mut editor, editor_csrf) = signed_in(&server, HA_TINH, "192.0.2.30");
    let line = format!("{},{},nang_cao,{},{},{}", row["code"], row["year"], row["criteria_met"], row["recognized_on"], "77/QĐ-UBND");
    let csv = format!("code,year,level,criteria_met,recognized_on,decision\n{line}\n");
    let uploaded = editor.send("POST", "/api/v1/manage/uploads?file_name=results-communes.csv", &[("X-CSRF-Token", &editor_csrf)], Some(("text/csv", &csv)));
    assert_eq!(uploaded.status, 201, "{}", uploaded.body);
    let id = uploaded.json()["submission"]["id"].as_i64().unwrap();
    let submitted = editor.json("POST", &format!("/api/v1/manage/submissions/{id}/submit"), Some(&editor_csrf), &json!({}));
    assert_eq!(submitted.status, 200, "{}", submitted.body);
    let (mut admin, admin_csrf) = signed_in(&server, ADMIN, "192.0.2.31");
    let approved = admin.json("POST", &format!("/api/v1/manage/submissions/{id}/approve"), Some(&admin_csrf), &json!({"decision": "5/QĐ-TTg"}));
    assert_eq!(approved.status, 200, "{}", approved.body);

    // Far from Hà Tĩnh: the same ETag and bytes, straight from the cache; an old ETag is
    // still current (304).
    for (p, old) in far_tiles.iter().zip(&before) {
        let now = get_tile(&server, p, None);
        assert_eq!((now.status, now.timing.as_str()), (200, "cache;desc=hit"), "{p}");
        assert_eq!(now.etag, old.etag, "{p}");
        assert!(now.body == old.body, "{p}: the bytes changed");
        assert_eq!(get_tile(&server, p, Some(&old.etag)).status, 304, "{p}");
    }
    // Over the changed commune: rendered again, with a new ETag and new bytes; the old
    // ETag no longer matches.
    for (p, old) in [&near_mvt, &near_png].into_iter().zip(&before[far_tiles.len()..]) {
        let now = get_tile(&server, p, None);
        assert_eq!(now.status, 200, "{p}");
        assert!(now.timing.starts_with("render;"), "{p}: {}", now.timing);
        assert_ne!(now.etag, old.etag, "{p}");
        assert!(now.body != old.body, "{p}: the tile still shows the old level");
        assert_eq!(get_tile(&server, p, Some(&old.etag)).status, 200, "{p}");
    }

    // A restart renders from the database with no cache: the far tiles' bytes are those
    // the cache kept, the near ones those rendered after the approval.
    let after_near: Vec<Vec<u8>> = [&near_mvt, &near_png].iter().map(|p| get_tile(&server, p, None).body).collect();
    drop(server);
    let restarted = dir.serve(&[]);
    for (p, old) in far_tiles.iter().zip(&before) {
        let fresh = get_tile(&restarted, p, None);
        assert!(fresh.timing.starts_with("render;"), "{p}: {}", fresh.timing);
        assert!(fresh.body == old.body, "{p}: the kept tile differs from a fresh render");
    }
    for (p, body) in [&near_mvt, &near_png].iter().zip(&after_near) {
        assert!(get_tile(&restarted, p, None).body == *body, "{p}: differs from a fresh render");
    }
}
