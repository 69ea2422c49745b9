//! Draft previews over real HTTP with a real database file: a Hà Tĩnh editor's draft
//! raises one commune from dat_chuan to nang_cao; the preview picture has the new
//! level's colour at the commune's label point while the public static map keeps the
//! old one; the page lists the commune; the picture reuses the page's preview snapshot;
//! the author, admins and reviewers see it, another editor of the province is refused
//! (403), one of another province finds nothing (404), anonymous callers are refused.
//!
//! The commune is computed from geodata/results-communes.csv and the reference table
//! (its latest record, level dat_chuan), its pixel from its label point in the embedded
//! boundaries with the Web Mercator formulas of common::raster, the colours from the
//! style file's classes.

mod common;

use common::manage::{Answer, Browser, DataDir};
use common::raster::{decode_png, hex, world_pixel};
use common::sources::{csv_rows, geodata, Row};
use common::{embedded_label_points, reference};
use std::collections::{BTreeMap, HashSet};

const ADMIN: (&str, &str) = ("tw.admin", "quan-tri-trung-uong-2026");
const AUTHOR: (&str, &str) = ("ha.tinh", "bien-tap-ha-tinh-2026");
const COLLEAGUE: (&str, &str) = ("ha.tinh.2", "bien-tap-ha-tinh-2026-b");
const REVIEWER: (&str, &str) = ("xem.xet", "nguoi-xem-xet-2026");
const NGHE_AN: (&str, &str) = ("nghe.an", "bien-tap-nghe-an-2026");
const ZOOM: u8 = 12;
const SIDE: u32 = 600;

fn signed_in(server: &common::Server, (user, password): (&str, &str), address: &str) -> (Browser, String) {
    let mut b = Browser::new(server, address);
    let answer = b.login(user, password);
    assert_eq!(answer.status, 303, "{user}: {}", answer.body);
    let csrf = b.csrf();
    (b, csrf)
}

/// The fill colour of `level` in the NTM style file.
fn colour(level: &str) -> [u8; 3] {
    let text = std::fs::read_to_string(common::repo().join("styles/ntm-results.json")).expect("style file");
    let style: serde_json::Value = serde_json::from_str(&text).expect("style JSON");
    hex(style["classes"][level]["fill"].as_str().unwrap_or_else(|| panic!("classes.{level}.fill")))
}

/// A Hà Tĩnh commune whose latest record is dat_chuan, with a label point no pilot or
/// tourism symbol is drawn near at the zoom of the pictures: its record and point.
fn commune() -> (Row, f64, f64) {
    let in_province: HashSet<String> =
        csv_rows(reference("communes-2024.csv")).into_iter().filter(|r| r["province_code"] == "42").map(|r| r["code"].clone()).collect();
    let mut latest: BTreeMap<String, Row> = BTreeMap::new();
    for r in csv_rows(geodata("results-communes.csv")).into_iter().filter(|r| in_province.contains(&r["code"])) {
        if latest.get(&r["code"]).is_none_or(|l| l["year"] < r["year"]) {
            latest.insert(r["code"].clone(), r);
        }
    }
    let symbols: Vec<(f64, f64)> = ["pilots.csv", "tourism.csv"]
        .into_iter()
        .flat_map(|file| csv_rows(geodata(file)))
        .filter_map(|r| Some((r["lon"].parse().ok()?, r["lat"].parse().ok()?)))
        .map(|(lon, lat)| world_pixel(lon, lat, ZOOM))
        .collect();
    let labels = embedded_label_points(2024);
    latest
        .into_values()
        .filter(|r| r["level"] == "dat_chuan")
        .find_map(|r| {
            let point = labels.iter().find(|c| c.code == r["code"])?;
            let (px, py) = world_pixel(point.lon, point.lat, ZOOM);
            let clear = symbols.iter().all(|&(x, y)| (x - px).hypot(y - py) >= 24.0);
            clear.then(|| (r.clone(), point.lon, point.lat))
        })
        .expect("a Hà Tĩnh commune at dat_chuan with a clear label point")
}

/// The pixel of the picture `answer` at (`lon`, `lat`), the picture being centred there
/// at ZOOM: the centre's world pixel minus the picture's rounded origin.
fn pixel_at(answer: &Answer, lon: f64, lat: f64) -> [u8; 3] {
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.header("content-type"), Some("image/png"));
    let png = decode_png(&answer.bytes);
    assert_eq!((png.width, png.height), (SIDE, SIDE));
    let (px, py) = world_pixel(lon, lat, ZOOM);
    let half = f64::from(SIDE) / 2.0;
    let (ox, oy) = ((px - half).round(), (py - half).round());
    png.pixel((px - ox).floor() as u32, (py - oy).floor() as u32)
}

#[test]
fn a_draft_preview_shows_the_new_level_to_its_author_admins_and_reviewers_only() {
    let dir = DataDir::new("preview");
    dir.add_user(ADMIN.0, "admin", &[], "Văn phòng Điều phối NTM Trung ương", ADMIN.1);
    dir.add_user(AUTHOR.0, "province", &["42"], "VP Điều phối NTM Hà Tĩnh", AUTHOR.1);
    dir.add_user(COLLEAGUE.0, "province", &["42"], "VP Điều phối NTM Hà Tĩnh (2)", COLLEAGUE.1);
    dir.add_user(REVIEWER.0, "reviewer", &[], "Người xem xét", REVIEWER.1);
    dir.add_user(NGHE_AN.0, "province", &["40"], "VP Điều phối NTM Nghệ An", NGHE_AN.1);
    let server = dir.serve(&[]);
    let (row, lon, lat) = commune();
    // The pictures show the year the data ends (the default): the commune's latest record
    // is in force then.
    let (code, year) = (row["code"].clone(), row["year"].clone());

    // The draft: the commune's latest record at nang_cao.
    let (mut author, csrf) = signed_in(&server, AUTHOR, "192.0.2.10");
    let csv = format!(
        "code,year,level,criteria_met,recognized_on,decision\n{code},{year},nang_cao,{},{},{}\n",
        row["criteria_met"], row["recognized_on"], row["decision"]
    );
    let made = author.send("POST", "/api/v1/manage/uploads?file_name=results-communes.csv", &[("X-CSRF-Token", &csrf)], Some(("text/csv", &csv)));
    assert_eq!(made.status, 201, "{}", made.body);
    let id = made.json()["submission"]["id"].as_i64().unwrap();
    let preview = format!("/manage/submissions/{id}/preview");
    let picture = format!("{preview}.png?center={lon},{lat}&zoom={ZOOM}&width={SIDE}&height={SIDE}&edition=2024");

    // The submission page links the preview; the preview page lists the commune with
    // its level before and with the draft, and shows both maps.
    let page = author.get(&format!("/manage/submissions/{id}"));
    assert!(page.body.contains(&format!("href=\"{preview}\"")), "{}", page.body);
    let page = author.get(&preview);
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let units = &page.body[page.body.find("id=\"changed-units\"").expect("the changed units")..];
    let line = &units[units.find(&format!("<td>{code}</td>")).unwrap_or_else(|| panic!("{code} is listed: {units}"))..];
    assert!(line[..line.find("</tr>").unwrap()].contains("dat_chuan → <strong>nang_cao</strong>"), "{line}");
    assert!(page.body.contains(&format!("src=\"/manage/submissions/{id}/preview.png?bbox=")), "{}", page.body);
    assert!(page.body.contains("src=\"/static/ntm.png?bbox="), "{}", page.body);

    // The picture: the new colour at the label point, the public map the old one. The
    // page built the preview; the picture finds it cached.
    let drawn = author.get(&picture);
    let timing = drawn.header("server-timing").unwrap_or("").to_string();
    assert!(timing.contains("preview;desc=hit"), "the page's preview is reused: {timing} ({} {})", drawn.status, drawn.body);
    assert_eq!(drawn.header("cache-control"), Some("private, no-store"));
    let (old, new) = (colour("dat_chuan"), colour("nang_cao"));
    assert_ne!(old, new);
    assert_eq!(pixel_at(&drawn, lon, lat), new, "the preview of {code} at {lon},{lat}");
    let public = Browser::new(&server, "192.0.2.11").get(&format!("/static/ntm.png?center={lon},{lat}&zoom={ZOOM}&width={SIDE}&height={SIDE}&edition=2024"));
    assert_eq!(pixel_at(&public, lon, lat), old, "the public map of {code} is unchanged");

    // Admins and reviewers see it; another editor of the province does not; an editor of
    // another province does not even find it; anonymous callers are refused.
    for (who, address) in [(ADMIN, "192.0.2.12"), (REVIEWER, "192.0.2.13")] {
        let (mut b, _) = signed_in(&server, who, address);
        assert_eq!(b.get(&preview).status, 200, "{}", who.0);
        assert_eq!(pixel_at(&b.get(&picture), lon, lat), new, "{}", who.0);
    }
    let (mut colleague, _) = signed_in(&server, COLLEAGUE, "192.0.2.14");
    assert_eq!(colleague.get(&format!("/manage/submissions/{id}")).status, 200, "a colleague sees the submission");
    assert_eq!(colleague.get(&preview).status, 403);
    assert_eq!(colleague.get(&picture).status, 403);
    let (mut other, _) = signed_in(&server, NGHE_AN, "192.0.2.15");
    assert_eq!((other.get(&preview).status, other.get(&picture).status), (404, 404));
    let mut anonymous = Browser::new(&server, "192.0.2.16");
    let answer = anonymous.get(&preview);
    assert_eq!((answer.status, answer.header("location")), (303, Some("/manage/login")));
    assert_eq!(anonymous.get(&picture).status, 401);

    // A wrong parameter is named.
    let bad = author.get(&format!("{preview}.png?width=0"));
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("width"), "{}", bad.body);
    assert_eq!(author.get(&format!("{preview}.png?map=roads")).status, 400);

    // Once approved, the draft has no preview: the public map shows it.
    let (mut admin, admin_csrf) = signed_in(&server, ADMIN, "192.0.2.17");
    let approved = admin.json("POST", &format!("/api/v1/manage/submissions/{id}/approve"), Some(&admin_csrf), &serde_json::json!({"decision": "5/QĐ-UBND"}));
    assert_eq!(approved.status, 200, "{}", approved.body);
    assert_eq!(author.get(&preview).status, 409);
    let public = Browser::new(&server, "192.0.2.18").get(&format!("/static/ntm.png?center={lon},{lat}&zoom={ZOOM}&width={SIDE}&height={SIDE}&edition=2024"));
    assert_eq!(pixel_at(&public, lon, lat), new, "published");
}

#[test]
fn a_district_s_draft_is_listed_as_that_district_not_as_the_commune_of_the_same_digits() {
    let dir = DataDir::new("preview-district");
    dir.add_user(AUTHOR.0, "province", &["42"], "VP Điều phối NTM Hà Tĩnh", AUTHOR.1);
    let server = dir.serve(&[]);
    // A Hà Tĩnh district with a published record whose code, zero-padded, is also a
    // commune's of another province (district 436 and commune 00436 both exist).
    let reference_rows = csv_rows(reference("communes-2024.csv"));
    let commune_province: BTreeMap<String, String> = reference_rows.iter().map(|r| (r["code"].clone(), r["province_code"].clone())).collect();
    let ha_tinh: Vec<&Row> = reference_rows.iter().filter(|r| r["province_code"] == "42").collect();
    let published = csv_rows(geodata("results-districts.csv"));
    let (record, name) = published
        .iter()
        .find_map(|r| {
            let district = ha_tinh.iter().find(|c| c["district_code"] == r["code"])?;
            let twin = commune_province.get(&format!("00{}", r["code"]))?;
            (twin != "42").then(|| (r.clone(), district["district_name"].clone()))
        })
        .expect("a Hà Tĩnh district whose code is also another province's commune code");
    let code = record["code"].clone();

    // The draft corrects the decision number of its record.
    let (mut author, csrf) = signed_in(&server, AUTHOR, "192.0.2.20");
    let csv = format!("code,year,level,recognized_on,decision\n{code},{},{},{},99/QĐ-TTg\n", record["year"], record["level"], record["recognized_on"]);
    let made = author.send("POST", "/api/v1/manage/uploads?file_name=results-districts.csv", &[("X-CSRF-Token", &csrf)], Some(("text/csv", &csv)));
    assert_eq!(made.status, 201, "{}", made.body);
    let id = made.json()["submission"]["id"].as_i64().unwrap();
    // The submission's diff names the district beside its record.
    let submission = author.get(&format!("/manage/submissions/{id}"));
    let diff = &submission.body[submission.body.find("id=\"diff\"").expect("the diff")..];
    assert!(diff.contains(&format!("<td>{code}|{} <span class=\"unit\">{name}</span></td>", record["year"])), "{diff}");
    let page = author.get(&format!("/manage/submissions/{id}/preview"));
    assert_eq!(page.status, 200, "{}", page.body);
    let units = &page.body[page.body.find("id=\"changed-units\"").expect("the changed units")..];
    let row = &units[units.find(&format!("<td>{code}</td>")).unwrap_or_else(|| panic!("{code} is listed: {units}"))..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains(&format!("<td>{name}</td><td>42</td>")), "district {code} {name} of Hà Tĩnh: {row}");
    // The pictures frame Hà Tĩnh, not the province of the commune with the same digits.
    let bbox = |text: &str| -> Vec<f64> {
        let at = text.find("preview.png?bbox=").expect("the preview picture") + "preview.png?bbox=".len();
        text[at..].split('&').next().unwrap().split(',').map(|v| v.parse().unwrap()).collect()
    };
    let framed = bbox(&page.body);
    let extent = ha_tinh.iter().fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |e, r| {
        let v = |k: &str| r[k].parse::<f64>().unwrap();
        [e[0].min(v("min_lon")), e[1].min(v("min_lat")), e[2].max(v("max_lon")), e[3].max(v("max_lat"))]
    });
    let inside = |v: f64, lo: f64, hi: f64| v >= lo - 0.05 && v <= hi + 0.05;
    assert!(
        inside(framed[0], extent[0], extent[2]) && inside(framed[2], extent[0], extent[2]) && inside(framed[1], extent[1], extent[3]) && inside(framed[3], extent[1], extent[3]),
        "the pictures frame {framed:?}, Hà Tĩnh is {extent:?}"
    );
}
