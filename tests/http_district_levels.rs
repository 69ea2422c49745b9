//! How a district stands, the same in every answer: a district without a xã (a quận, or a
//! city of wards only) has no NTM task and is "not applicable"; one with a xã and no
//! recognition has no data; a recognised one has its level. Checked over real HTTP on the
//! embedded data against the reference table and `results-districts.csv`, read here: the
//! point answer, the vector tiles' `level`, the national statistics, the districts' export,
//! the district theme's legend and PNG pixels, and the themes that colour districts by
//! level and provinces by completion.

mod common;
use common::mvt::{decode, tile_bytes};
use common::raster::{hex, legend_fills, png_of, world_pixel};
use common::sources::{csv_rows, districts_with_xa, geodata, row_in_force};
use common::{embedded_label_points, reference, Server};
use std::collections::{BTreeMap, HashMap};

const YEAR: u16 = 2025;
const Z: u8 = 12;

/// What the sources say about each 2024 district: its expected key at the end of `YEAR`,
/// and the label points of its communes.
struct District {
    key: String,
    points: Vec<(f64, f64)>,
}

fn districts() -> BTreeMap<String, District> {
    let results = csv_rows(geodata("results-districts.csv"));
    let points: HashMap<String, (f64, f64)> = embedded_label_points(2024).into_iter().map(|c| (c.code, (c.lon, c.lat))).collect();
    let rows = csv_rows(reference("communes-2024.csv"));
    let mut communes: HashMap<&str, Vec<(f64, f64)>> = HashMap::new();
    for r in &rows {
        communes.entry(r["district_code"].as_str()).or_default().push(points[&r["code"]]);
    }
    districts_with_xa(&rows)
        .into_iter()
        .map(|(code, has_xa)| {
            let key = match row_in_force(&results, code, YEAR) {
                Some(row) => row["level"].clone(),
                None if has_xa => "no_data".to_string(),
                None => "not_applicable".to_string(),
            };
            let points = communes.remove(code).unwrap_or_default();
            (code.to_string(), District { key, points })
        })
        .collect()
}

#[test]
fn a_district_without_a_xa_is_not_applicable_in_answers_tiles_and_statistics() {
    let server = Server::shared();
    let districts = districts();
    let mut expected: BTreeMap<&str, usize> = BTreeMap::new();
    for d in districts.values() {
        *expected.entry(d.key.as_str()).or_default() += 1;
    }
    assert!(expected.get("not_applicable").is_some_and(|&n| n >= 40), "the reference table has its quận: {expected:?}");
    assert!(expected.get("no_data").is_some_and(|&n| n > 0), "{expected:?}");

    // The statistics count every district under its key.
    let (status, stats) = server.get_json(&format!("/api/v1/stats?year={YEAR}&edition=2024"));
    assert_eq!(status, 200, "{stats}");
    let by_level = &stats["districts"]["by_level"];
    for (key, n) in &expected {
        assert_eq!(by_level[*key].as_u64(), Some(*n as u64), "districts {key} in {by_level}");
    }
    assert_eq!(stats["districts"]["eligible"].as_u64(), Some((districts.len() - expected["not_applicable"]) as u64));

    // The districts' export says the same of every district.
    let export = server.get_raw(&format!("/api/v1/export/districts.csv?year={YEAR}"), &[("Accept-Encoding", "identity")]);
    assert_eq!(export.status, 200);
    let text = String::from_utf8(export.body).expect("UTF-8");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").trim_start_matches('\u{feff}').split(',').collect();
    let (code_at, level_at) = (header.iter().position(|h| *h == "code").unwrap(), header.iter().position(|h| *h == "level").unwrap());
    let mut exported = 0;
    for line in lines {
        // District names hold no comma, so the line splits plainly.
        let fields: Vec<&str> = line.split(',').map(|f| f.trim_matches('"')).collect();
        assert_eq!(fields[level_at], districts[fields[code_at]].key, "district {} in the export", fields[code_at]);
        exported += 1;
    }
    assert_eq!(exported, districts.len());

    // The point answer and the tile at one commune of each district of the first few of
    // each key.
    let mut checked: BTreeMap<&str, usize> = BTreeMap::new();
    for (code, d) in &districts {
        let seen = checked.entry(d.key.as_str()).or_default();
        if *seen >= 6 {
            continue;
        }
        *seen += 1;
        let (lon, lat) = d.points[0];
        let (status, body) = server.get_json(&format!("/api/v1/communes/at?lon={lon}&lat={lat}&edition=2024&year={YEAR}"));
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["district"]["code"], code.as_str(), "{body}");
        let ntm = &body["district"]["ntm"];
        let answered = if ntm["status"] == "recorded" { &ntm["level"] } else { &ntm["status"] };
        assert_eq!(answered, d.key.as_str(), "district {code} in the point answer: {ntm}");

        let (px, py) = world_pixel(lon, lat, Z);
        let path = format!("/tiles/ntm/{Z}/{}/{}.mvt?edition=2024&year={YEAR}", (px / 256.0) as u32, (py / 256.0) as u32);
        let tile = decode(&tile_bytes(&server.get_raw(&path, &[("Accept-Encoding", "gzip")])));
        let feature = tile["districts"].iter().find(|f| f.kind == 3 && f.attrs["code"] == *code).unwrap_or_else(|| panic!("district {code} in {path}"));
        assert_eq!(feature.attrs["level"], d.key, "district {code} in {path}");
    }
    assert!(checked.len() >= 3, "{checked:?}");
}

#[test]
fn the_district_theme_draws_a_district_without_a_xa_as_not_assessed() {
    let server = Server::shared();
    let (status, style) = server.get_json("/styles/ntm.json?theme=criterion:9.5&edition=2024");
    assert_eq!(status, 200, "{style}");
    let classes = style["metadata"]["bando:legend"]["classes"].as_array().unwrap();
    let not_applicable = classes.iter().find(|c| c["key"] == "not_applicable").unwrap_or_else(|| panic!("a not-applicable class in {classes:?}"));
    assert!(not_applicable["label"]["vi"].as_str().unwrap().starts_with("Quận"), "{not_applicable}");
    let fill = hex(not_applicable["fill"].as_str().unwrap());
    let no_data = hex(classes.iter().find(|c| c["key"] == "no_data").unwrap()["fill"].as_str().unwrap());
    assert_ne!(fill, no_data);

    // Each commune's label point of the first quận, in the theme's PNG tile without names.
    let districts = districts();
    let (code, quan) = districts.iter().find(|(_, d)| d.key == "not_applicable").unwrap();
    let drawn = drawn_in(server, &mut HashMap::new(), "criterion:9.5", &quan.points, fill);
    // A pilot or tourism symbol may cover a few label points.
    assert!(drawn * 4 >= quan.points.len() * 3, "district {code}: {drawn} of {} label points in the not-applicable fill", quan.points.len());
}

/// The legend's fills of a theme on edition 2024, by class key.
fn fills_of(server: &Server, theme: &str) -> HashMap<String, [u8; 3]> {
    legend_fills(server, &format!("theme={theme}&edition=2024&year={YEAR}"))
}

/// How many of `points` the theme's PNG tiles (zoom `Z`, no names) draw in `fill`.
fn drawn_in(server: &Server, tiles: &mut HashMap<String, common::raster::Png>, theme: &str, points: &[(f64, f64)], fill: [u8; 3]) -> usize {
    points
        .iter()
        .filter(|&&(lon, lat)| {
            let (px, py) = world_pixel(lon, lat, Z);
            let (tx, ty) = ((px / 256.0) as u32, (py / 256.0) as u32);
            let path = format!("/tiles/ntm/{Z}/{tx}/{ty}.png?edition=2024&year={YEAR}&theme={theme}&labels=false");
            let png = tiles.entry(path.clone()).or_insert_with(|| png_of(&server.get_raw(&path, &[])));
            png.pixel((px - f64::from(tx) * 256.0) as u32, (py - f64::from(ty) * 256.0) as u32) == fill
        })
        .count()
}

#[test]
fn themes_colour_districts_by_level_and_provinces_by_completion() {
    let server = Server::shared();
    let mut tiles = HashMap::new();
    // Districts: two of each key, each drawn in its class at (nearly) every label point of
    // its communes (a pilot or tourism symbol may cover a few).
    let fills = fills_of(server, "level:districts");
    let mut checked: BTreeMap<&str, usize> = BTreeMap::new();
    for (code, d) in districts() {
        let n = checked.entry(if d.key == "not_applicable" { "not_applicable" } else { "other" }).or_default();
        if *n >= 3 || d.points.len() > 40 {
            continue;
        }
        *n += 1;
        let drawn = drawn_in(server, &mut tiles, "level:districts", &d.points, fills[&d.key]);
        assert!(drawn * 4 >= d.points.len() * 3, "district {code} ({}): {drawn} of {} label points in its fill", d.key, d.points.len());
    }

    // Provinces: completed by the year or not yet, from the results table.
    let fills = fills_of(server, "level:provinces");
    assert_eq!(fills.len(), 2, "{fills:?}");
    let results = csv_rows(geodata("results-provinces.csv"));
    let completed = |code: &str| row_in_force(&results, code, YEAR).is_some();
    let points: HashMap<String, (f64, f64)> = embedded_label_points(2024).into_iter().map(|c| (c.code, (c.lon, c.lat))).collect();
    let mut by_province: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    for r in csv_rows(reference("communes-2024.csv")) {
        by_province.entry(r["province_code"].clone()).or_default().push(points[&r["code"]]);
    }
    let mut seen = [0, 0];
    for (code, points) in &by_province {
        let done = usize::from(completed(code));
        if seen[done] >= 2 {
            continue;
        }
        seen[done] += 1;
        let key = if done == 1 { "dat_chuan" } else { "chua_dat" };
        let sample: Vec<(f64, f64)> = points.iter().step_by(points.len() / 12 + 1).copied().collect();
        let drawn = drawn_in(server, &mut tiles, "level:provinces", &sample, fills[key]);
        assert!(drawn * 4 >= sample.len() * 3, "province {code} ({key}): {drawn} of {} label points in its fill", sample.len());
    }
    assert_eq!(seen, [2, 2]);
}

/// Islets too small to outline (under 8 × 8 px) are filled in their province's class on
/// the PNG tiles of the provinces' theme, with no dark outline around them: the islands
/// of Quảng Ninh at z7. The islets are read from the vector tile of z6, whose 512 px have
/// the scale of the 256-px PNG tiles of z7.
#[test]
fn islets_are_filled_in_their_provinces_class_without_an_outline() {
    const PNG_Z: u8 = 7;
    let server = Server::shared();
    let fills = fills_of(server, "level:provinces");
    let results = csv_rows(geodata("results-provinces.csv"));
    let (wx, wy) = world_pixel(107.4, 21.0, PNG_Z);
    let (vx, vy) = ((wx / 512.0) as u32, (wy / 512.0) as u32);
    let vector = decode(&tile_bytes(&server.get_raw(&format!("/tiles/ntm/{}/{vx}/{vy}.mvt?edition=2024&year={YEAR}", PNG_Z - 1), &[])));
    let mut pngs = HashMap::new();
    let (mut filled, mut outlined, mut checked) = (0, 0, 0);
    for f in vector["provinces"].iter().filter(|f| f.kind == 3 && f.attrs.get("islets").is_some_and(|v| v == "true")) {
        let completed = row_in_force(&results, &f.attrs["code"], YEAR).is_some();
        let fill = fills[if completed { "dat_chuan" } else { "chua_dat" }];
        for ring in &f.rings {
            // World pixel of a grid point: 4,096 units over the vector tile's 512 px.
            let world = |p: [i64; 2]| (f64::from(vx) * 512.0 + p[0] as f64 / 8.0, f64::from(vy) * 512.0 + p[1] as f64 / 8.0);
            let n = ring.len() as f64;
            let (mx, my) = ring.iter().map(|&p| world(p)).fold((0.0, 0.0), |a, p| (a.0 + p.0 / n, a.1 + p.1 / n));
            // The vertices' mean, where it lies in the islet (an even count of crossings).
            let crossings = ring.iter().zip(ring.iter().cycle().skip(1)).map(|(&a, &b)| (world(a), world(b)));
            if crossings.filter(|&((ax, ay), (bx, by))| (ay > my) != (by > my) && mx < ax + (my - ay) / (by - ay) * (bx - ax)).count() % 2 == 0 {
                continue;
            }
            let (tx, ty) = ((mx / 256.0) as u32, (my / 256.0) as u32);
            let path = format!("/tiles/ntm/{PNG_Z}/{tx}/{ty}.png?edition=2024&year={YEAR}&theme=level:provinces&labels=false");
            let png = pngs.entry(path.clone()).or_insert_with(|| png_of(&server.get_raw(&path, &[])));
            let local = |x: f64, y: f64| (x - f64::from(tx) * 256.0, y - f64::from(ty) * 256.0);
            let (cx, cy) = local(mx, my);
            let (x0, y0, x1, y1) = ring.iter().map(|&p| world(p)).fold((f64::MAX, f64::MAX, f64::MIN, f64::MIN), |b, p| (b.0.min(p.0), b.1.min(p.1), b.2.max(p.0), b.3.max(p.1)));
            let ((x0, y0), (x1, y1)) = (local(x0 - 2.0, y0 - 2.0), local(x1 + 2.0, y1 + 2.0));
            if x0 < 0.0 || y0 < 0.0 || x1 > 255.0 || y1 > 255.0 {
                continue;
            }
            // An islet under 3 px across is mostly its anti-aliased coast.
            if x1 - x0 < 7.0 || y1 - y0 < 7.0 {
                continue;
            }
            checked += 1;
            // The fill, or the fill under the communes' light outline (white, at most 40%
            // at this scale), which runs round every islet and through those divided.
            let pixel = png.pixel(cx as u32, cy as u32);
            let under_light_outline = |alpha: f64| pixel.iter().zip(fill).all(|(&a, b)| (f64::from(a) - (f64::from(b) + alpha * (255.0 - f64::from(b)))).abs() <= 10.0);
            filled += usize::from((0..=40).any(|k| under_light_outline(f64::from(k) / 100.0)));
            // A province outline is dark and would run over the islet's corners; the
            // communes' outlines are light and the fills lighter. (An islet next to the
            // coast may have a corner under the mainland's outline.)
            let dark = ring.iter().map(|&p| world(p)).map(|(x, y)| local(x, y)).filter(|&(x, y)| png.pixel(x as u32, y as u32).iter().all(|&c| c < 110)).count();
            outlined += usize::from(dark * 2 > ring.len());
        }
    }
    assert!(outlined * 10 <= checked, "{outlined} of {checked} islets have most corners under a dark outline");
    assert!(checked >= 10, "{checked} islets checked");
    // A pilot or tourism symbol may cover a few.
    assert!(filled * 10 >= checked * 8, "{filled} of {checked} islets in their province's fill");
}
