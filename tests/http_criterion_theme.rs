//! The map by criterion over real HTTP: a server started with an assessment file written
//! here (indicator 8.4 met by some xã of one province and not by others, in 2024 and 2025;
//! criteria 8 and 2 of one xã; indicator 9.5 of one district). Checked against those rows
//! and the embedded results CSV, read here: the vector tiles' criteria attributes, PNG
//! tiles and static maps drawn with `theme=criterion:…` in the colours of the served
//! legend, the theme's legend on the static map, and refusals naming `theme`.

mod common;
use common::mvt::{decode, tile_bytes, Feature};
use common::raster::{legend_fills, png_of, world_pixel, Png};
use common::sources::{csv_rows, geodata, results};
use common::{embedded_label_points, path_str, reference, Server, TempDir};
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// One assessment row as written to the file.
struct Row {
    code: String,
    year: u16,
    set: &'static str,
    item: &'static str,
    met: bool,
    value: Option<f64>,
}

struct Fixture {
    server: Server,
    rows: Vec<Row>,
    /// The xã given 8.4 rows, in code order.
    assessed: Vec<String>,
    /// The xã with rows for criteria 8 (met) and 2 (not met) in 2025.
    with_criteria: String,
    /// The district with a 9.5 row (met) in 2025.
    district: String,
    /// The assessment file (in a folder that lives as long as the fixture).
    file: std::path::PathBuf,
    _dir: TempDir,
}

const YEAR: u16 = 2025;
const HEAD: &str = "unit_code,year,set,criterion,indicator,met,value,assessed_on,note\n";
/// Zoom of the tiles read: a commune spans tens of pixels.
const Z: u8 = 12;

/// Chưa đạt xã (in force at the end of 2024 and of 2025) grouped by province, from the
/// reference table and the results CSV: only those may carry rows of the NTM set for some
/// items and not others (an NTM commune must meet every criterion of its set).
fn chua_dat_by_province() -> BTreeMap<String, Vec<String>> {
    let results = results();
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in csv_rows(reference("communes-2024.csv")) {
        if r["kind"] == "Xã" && results.class(&r["code"], 2024) == "chua_dat" && results.class(&r["code"], 2025) == "chua_dat" {
            out.entry(r["province_code"].clone()).or_default().push(r["code"].clone());
        }
    }
    out
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let by_province = chua_dat_by_province();
        let (_, codes) = by_province.iter().max_by_key(|(p, c)| (c.len(), std::cmp::Reverse(p.as_str()))).expect("a province with chưa đạt xã");
        // Xã whose label point no symbol covers in the PNG tiles.
        let labels = label_points(2024);
        let assessed: Vec<String> = codes.iter().filter(|c| clear_of_symbols(labels[*c])).take(12).cloned().collect();
        assert!(assessed.len() >= 8, "only {} chưa đạt xã in the province", assessed.len());
        let mut rows = Vec::new();
        for (k, code) in assessed.iter().enumerate() {
            // 2024: the first half met; 2025: the same, except the first xã, which no
            // longer meets it (so a view of 2024 and one of 2025 differ).
            let met_2024 = k < assessed.len() / 2;
            let met_2025 = met_2024 && k != 0;
            for (year, met) in [(2024, met_2024), (2025, met_2025)] {
                let value = if met { 90.0 + k as f64 + 0.5 } else { 30.0 + k as f64 };
                rows.push(Row { code: code.clone(), year, set: "xa_ntm_2021", item: "8.4", met, value: Some(value) });
            }
        }
        // Criteria 8 (met) and 2 (not met) of one xã whose 2025 record, if any, claims
        // between 1 and 18 criteria (the results file must agree with the rows).
        let with_criteria = assessed
            .iter()
            .find(|c| results().history(c).iter().filter(|r| r.year == 2025).all(|r| r.criteria_met.is_some_and(|n| (1..=18).contains(&n))))
            .expect("an xã whose 2025 record agrees with one criterion met of two")
            .clone();
        rows.push(Row { code: with_criteria.clone(), year: 2025, set: "xa_ntm_2021", item: "8", met: true, value: None });
        rows.push(Row { code: with_criteria.clone(), year: 2025, set: "xa_ntm_2021", item: "2", met: false, value: None });
        let district = csv_rows(reference("communes-2024.csv")).into_iter().find(|r| r["code"] == assessed[0]).expect("xã")["district_code"].clone();
        rows.push(Row { code: district.clone(), year: 2025, set: "huyen_ntm_2021", item: "9.5", met: true, value: Some(75.0) });

        let mut text = HEAD.to_string();
        for r in &rows {
            let (criterion, indicator) = r.item.split_once('.').unwrap_or((r.item, ""));
            let value = r.value.map_or(String::new(), |v| v.to_string());
            text.push_str(&format!("{},{},{},{criterion},{indicator},{},{value},,\n", r.code, r.year, r.set, r.met));
        }
        let dir = TempDir::new("criterion-theme");
        let file = dir.write("criteria.csv", &text);
        let server = Server::start(&["--criteria", path_str(&file)]);
        Fixture { server, rows, assessed, with_criteria, district, file, _dir: dir }
    })
}

impl Fixture {
    /// The latest row of `code` for `item` by the end of `year`.
    fn row(&self, code: &str, item: &str, year: u16) -> Option<&Row> {
        self.rows.iter().filter(|r| r.code == code && r.item == item && r.year <= year).max_by_key(|r| r.year)
    }
}

fn label_points(edition: u16) -> HashMap<String, (f64, f64)> {
    embedded_label_points(edition).into_iter().map(|c| (c.code, (c.lon, c.lat))).collect()
}

/// The tile at zoom `Z` holding `(lon, lat)` and the point's pixel in it.
fn tile_of(lon: f64, lat: f64) -> ((u32, u32), (u32, u32)) {
    let (px, py) = world_pixel(lon, lat, Z);
    let (tx, ty) = ((px / 256.0) as u32, (py / 256.0) as u32);
    ((tx, ty), ((px - f64::from(tx) * 256.0) as u32, (py - f64::from(ty) * 256.0) as u32))
}

fn mvt(server: &Server, path: &str) -> HashMap<String, Vec<Feature>> {
    decode(&tile_bytes(&server.get_raw(path, &[("Accept-Encoding", "gzip")])))
}

fn commune<'t>(tile: &'t HashMap<String, Vec<Feature>>, code: &str) -> &'t Feature {
    tile["communes"].iter().find(|f| f.attrs["code"] == code).unwrap_or_else(|| panic!("commune {code} is not in the tile"))
}

#[test]
fn tiles_say_which_communes_meet_8_4_as_the_rows_do() {
    let fx = fixture();
    let labels = label_points(2024);
    for year in [2024u16, 2025] {
        let (mut met, mut not_met) = (0, 0);
        for code in &fx.assessed {
            let (lon, lat) = labels[code];
            let ((tx, ty), _) = tile_of(lon, lat);
            let tile = mvt(&fx.server, &format!("/tiles/ntm/{Z}/{tx}/{ty}.mvt?year={year}"));
            let f = commune(&tile, code);
            let row = fx.row(code, "8.4", year).expect("a row");
            let want = if row.met { "met" } else { "not_met" };
            assert_eq!(f.attrs.get("ind_xa_ntm_2021_8_4").map(String::as_str), Some(want), "{code} in {year}: {:?}", f.attrs);
            let value: f64 = f.attrs["ind_xa_ntm_2021_8_4_value"].parse().expect("a number");
            assert_eq!(Some(value), row.value, "{code} in {year}");
            if row.met {
                met += 1;
            } else {
                not_met += 1;
            }
        }
        assert!(met > 0 && not_met > 0, "{year}: {met} met, {not_met} not met");
    }
}

#[test]
fn criteria_are_bits_of_a_mask_with_a_mask_of_what_is_known() {
    let fx = fixture();
    let code = &fx.with_criteria;
    let (lon, lat) = label_points(2024)[code];
    let ((tx, ty), _) = tile_of(lon, lat);
    let tile = mvt(&fx.server, &format!("/tiles/ntm/{Z}/{tx}/{ty}.mvt?year={YEAR}"));
    let f = commune(&tile, code);
    let mask: u64 = f.attrs["crit_xa_ntm_2021"].parse().expect("mask");
    let known: u64 = f.attrs["crit_xa_ntm_2021_known"].parse().expect("known mask");
    // Bit n−1 for criterion n, from the rows: 8 met, 2 not met, nothing else known.
    let bit = |n: u32| 1u64 << (n - 1);
    let met: u64 = ["8", "2"].iter().filter(|i| fx.row(code, i, YEAR).unwrap().met).map(|i| bit(i.parse().unwrap())).sum();
    assert_eq!((mask, known), (met, bit(8) | bit(2)), "{:?}", f.attrs);
    // A commune without rows carries no criteria: below the NTM level nothing is known, and
    // a đạt chuẩn (or higher) xã meets the whole set by recognition, which its `level` says.
    for other in tile["communes"].iter().filter(|o| !fx.rows.iter().any(|r| r.code == o.attrs["code"])) {
        assert!(!other.attrs.keys().any(|k| k.starts_with("crit_") || k.starts_with("ind_")), "{:?}", other.attrs);
    }
    // The district's row.
    let district = tile.get("districts").and_then(|d| d.iter().find(|f| f.attrs["code"] == fx.district)).expect("the district");
    assert_eq!(district.attrs["ind_huyen_ntm_2021_9_5"], "met");
    // TileJSON names the attributes.
    let tj = fx.server.get_raw("/tiles/ntm.json", &[]).json();
    let fields = |layer: &str| tj["vector_layers"].as_array().unwrap().iter().find(|l| l["id"] == layer).unwrap()["fields"].clone();
    for key in ["crit_xa_ntm_2021", "crit_xa_ntm_2021_known", "ind_xa_ntm_2021_8_4", "ind_xa_ntm_2021_8_4_value", "ind_xa_nang_cao_2021_15_2"] {
        assert!(fields("communes").get(key).is_some(), "{key} not documented");
    }
    assert!(fields("districts").get("ind_huyen_ntm_2021_9_5").is_some());
}

#[test]
fn a_merged_commune_of_2025_does_not_meet_what_a_former_xa_does_not() {
    let fx = fixture();
    let crosswalk = csv_rows(geodata("crosswalk-2024-2025.csv"));
    let kinds_2025: HashMap<String, String> = csv_rows(reference("communes-2025.csv")).into_iter().map(|r| (r["code"].clone(), r["kind"].clone())).collect();
    let labels = label_points(2025);
    let mut checked = 0;
    for code in fx.assessed.iter().filter(|c| !fx.row(c, "8.4", YEAR).unwrap().met) {
        let rows: Vec<_> = crosswalk.iter().filter(|r| &r["code_2024"] == code).collect();
        let [r] = rows.as_slice() else { continue };
        if r["relation"] != "whole" || kinds_2025[&r["code_2025"]] != "Xã" {
            continue;
        }
        let (lon, lat) = labels[&r["code_2025"]];
        let ((tx, ty), _) = tile_of(lon, lat);
        let tile = mvt(&fx.server, &format!("/tiles/ntm/{Z}/{tx}/{ty}.mvt?year={YEAR}&edition=2025"));
        let f = commune(&tile, &r["code_2025"]);
        assert_eq!(f.attrs.get("ind_xa_ntm_2021_8_4").map(String::as_str), Some("not_met"), "2025 commune {} took in {code}", r["code_2025"]);
        checked += 1;
    }
    assert!(checked > 0, "no assessed xã went whole into a 2025 xã");
}

/// The fills of a theme's legend as served in its style, by class key.
fn fills_of(server: &Server, theme: &str) -> HashMap<String, [u8; 3]> {
    legend_fills(server, &format!("theme={theme}"))
}

/// Positions of every pilot and tourism site (drawn over the fills).
fn point_positions() -> &'static [(f64, f64)] {
    static POINTS: OnceLock<Vec<(f64, f64)>> = OnceLock::new();
    POINTS.get_or_init(|| {
        ["pilots.csv", "tourism.csv"]
            .into_iter()
            .flat_map(|file| csv_rows(geodata(file)))
            .filter_map(|r| Some((r["lon"].parse().ok()?, r["lat"].parse().ok()?)))
            .collect()
    })
}

/// True when no symbol is drawn within 16 px of `(lon, lat)` at zoom `Z`.
fn clear_of_symbols((lon, lat): (f64, f64)) -> bool {
    let (px, py) = world_pixel(lon, lat, Z);
    !point_positions().iter().any(|&(plon, plat)| {
        let (x, y) = world_pixel(plon, plat, Z);
        (x - px).hypot(y - py) < 16.0
    })
}

/// The PNG tile (zoom `Z`) holding `(lon, lat)`, with `query`, without names (they are
/// written over the label points whose fill is checked).
fn png_path((lon, lat): (f64, f64), query: &str) -> String {
    let ((tx, ty), _) = tile_of(lon, lat);
    format!("/tiles/ntm/{Z}/{tx}/{ty}.png?{query}&labels=false")
}

/// The pixel of a label point in its PNG tile (fetched once into `tiles`).
fn label_pixel(server: &Server, tiles: &mut HashMap<String, Png>, point: (f64, f64), query: &str) -> [u8; 3] {
    let path = png_path(point, query);
    let tile = tiles.entry(path.clone()).or_insert_with(|| png_of(&server.get_raw(&path, &[])));
    let (_, (x, y)) = tile_of(point.0, point.1);
    tile.pixel(x, y)
}

#[test]
fn png_tiles_colour_communes_by_the_theme_in_the_legends_colours() {
    let fx = fixture();
    let fills = fills_of(&fx.server, "criterion:8.4");
    let labels = label_points(2024);
    let mut tiles = HashMap::new();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for code in &fx.assessed {
        let want = if fx.row(code, "8.4", YEAR).unwrap().met { "met" } else { "not_met" };
        let got = label_pixel(&fx.server, &mut tiles, labels[code], "theme=criterion:8.4");
        assert_eq!(got, fills[want], "commune {code} ({want}) at its label point");
        *seen.entry(want).or_default() += 1;
    }
    assert!(seen.get("met").is_some_and(|&n| n > 0) && seen.get("not_met").is_some_and(|&n| n > 0), "{seen:?}");

    // Units without rows, in the tiles already drawn: a đạt chuẩn (or higher) xã meets it by
    // recognition, a chưa đạt xã has no data, a phường or thị trấn is not assessed.
    let results = results();
    let mut without_rows: BTreeMap<&str, usize> = BTreeMap::new();
    for c in embedded_label_points(2024) {
        let point = (c.lon, c.lat);
        if fx.rows.iter().any(|r| r.code == c.code) || !tiles.contains_key(&png_path(point, "theme=criterion:8.4")) || !clear_of_symbols(point) {
            continue;
        }
        let want = match results.class(&c.code, YEAR) {
            "not_applicable" => "not_applicable",
            "chua_dat" => "no_data",
            _ => "met",
        };
        assert_eq!(label_pixel(&fx.server, &mut tiles, point, "theme=criterion:8.4"), fills[want], "commune {} ({want}) without rows", c.code);
        *without_rows.entry(want).or_default() += 1;
    }
    assert!(without_rows.len() >= 2, "too few kinds of unit without rows were checked: {without_rows:?}");

    // One xã's criteria: 8 met, 2 not met, 5 unknown.
    let point = labels[&fx.with_criteria];
    for (theme, want) in [("criterion:8", "met"), ("criterion:2", "not_met"), ("criterion:5", "no_data")] {
        let fills = fills_of(&fx.server, theme);
        assert_eq!(label_pixel(&fx.server, &mut tiles, point, &format!("theme={theme}")), fills[want], "{theme} at {}", fx.with_criteria);
    }
    // Indicator 9.5 of the district set fills the district: its xã's label points fall in it.
    let fills = fills_of(&fx.server, "criterion:9.5");
    let district_of: HashMap<String, String> = csv_rows(reference("communes-2024.csv")).into_iter().map(|r| (r["code"].clone(), r["district_code"].clone())).collect();
    for code in fx.assessed.iter().filter(|c| district_of[*c] == fx.district) {
        assert_eq!(label_pixel(&fx.server, &mut tiles, labels[code], "theme=criterion:9.5"), fills["met"], "district {} at xã {code}", fx.district);
    }
}

#[test]
fn themes_are_part_of_etags_and_pictures() {
    let fx = fixture();
    let (lon, lat) = label_points(2024)[&fx.assessed[0]];
    let ((tx, ty), _) = tile_of(lon, lat);
    let level = fx.server.get_raw(&format!("/tiles/ntm/{Z}/{tx}/{ty}.png"), &[]);
    let themed = fx.server.get_raw(&format!("/tiles/ntm/{Z}/{tx}/{ty}.png?theme=criterion:8.4"), &[]);
    let (e1, e2) = (level.header("etag").expect("etag"), themed.header("etag").expect("etag"));
    assert_ne!(e1, e2);
    assert_ne!(level.body, themed.body);
    let again = fx.server.get_raw(&format!("/tiles/ntm/{Z}/{tx}/{ty}.png?theme=criterion:8.4"), &[("If-None-Match", e2)]);
    assert_eq!(again.status, 304);
    let other = fx.server.get_raw(&format!("/tiles/ntm/{Z}/{tx}/{ty}.png?theme=criterion:8"), &[("If-None-Match", e2)]);
    assert_eq!(other.status, 200, "another theme is another picture");
    // The vector tile is the same whatever the theme.
    let a = fx.server.get_raw(&format!("/tiles/ntm/{Z}/{tx}/{ty}.mvt"), &[]);
    let b = fx.server.get_raw(&format!("/tiles/ntm/{Z}/{tx}/{ty}.mvt?theme=criterion:8.4"), &[]);
    assert_eq!((a.body.clone(), a.header("etag")), (b.body.clone(), b.header("etag")));
}

/// Columns of `png`'s left edge holding, top to bottom, runs of the `swatches` colours in
/// that order (a legend's class swatches), each 6–40 px tall and at most 16 px apart.
fn has_swatch_column(png: &Png, swatches: &[[u8; 3]]) -> bool {
    (0..png.width.min(120)).any(|x| {
        let mut runs: Vec<([u8; 3], u32, u32)> = Vec::new(); // (colour, first y, last y)
        for y in 0..png.height {
            let p = png.pixel(x, y);
            match runs.last_mut() {
                Some(run) if run.0 == p && run.2 + 1 == y => run.2 = y,
                _ => runs.push((p, y, y)),
            }
        }
        let runs: Vec<_> = runs.into_iter().filter(|r| swatches.contains(&r.0) && (6..=40).contains(&(r.2 - r.1 + 1))).collect();
        runs.windows(swatches.len()).any(|w| w.iter().zip(swatches).all(|(r, c)| r.0 == *c) && w.windows(2).all(|p| p[1].1 - p[0].2 <= 16))
    })
}

#[test]
fn a_static_map_with_a_theme_draws_its_legend() {
    let fx = fixture();
    let fills = fills_of(&fx.server, "criterion:8.4");
    let order: Vec<[u8; 3]> = ["met", "not_met", "not_applicable", "no_data"].iter().map(|k| fills[*k]).collect();
    let (lon, lat) = label_points(2024)[&fx.assessed[0]];
    let bbox = format!("{},{},{},{}", lon - 0.3, lat - 0.2, lon + 0.3, lat + 0.2);
    let themed = fx.server.get_raw(&format!("/static/ntm.png?bbox={bbox}&width=700&height=700&theme=criterion:8.4"), &[]);
    let level = fx.server.get_raw(&format!("/static/ntm.png?bbox={bbox}&width=700&height=700"), &[]);
    let (themed_png, level_png) = (png_of(&themed), png_of(&level));
    assert!(has_swatch_column(&themed_png, &order), "the criterion legend's swatches are not on the static map");
    assert!(!has_swatch_column(&level_png, &order), "the level map shows the criterion legend");
    assert_ne!(themed.header("etag"), level.header("etag"));
    // The legend alone draws the same swatches.
    let legend = png_of(&fx.server.get_raw("/api/v1/legend/ntm.png?theme=criterion:8.4", &[]));
    assert!(has_swatch_column(&legend, &order));
    // Its words: the indicator, its criterion's Vietnamese name and the set's decision, as
    // the catalog files say.
    let (_, json) = fx.server.get_json("/api/v1/legend/ntm?theme=criterion:8.4");
    assert_eq!(json["theme"], "criterion:xa_ntm_2021:8.4");
    let criterion_8 = csv_rows(geodata("criteria/xa_ntm_2021.csv")).into_iter().find(|r| r["criterion"] == "8" && r["indicator"].is_empty()).expect("criterion 8");
    let title = json["title"]["vi"].as_str().unwrap();
    assert!(title.starts_with("Chỉ tiêu 8.4") && title.contains(&criterion_8["name_vi"]), "{json}");
    let set = csv_rows(geodata("criteria/sets.csv")).into_iter().find(|r| r["set"] == "xa_ntm_2021").expect("set");
    let subtitle = json["subtitle"]["vi"].as_str().unwrap();
    assert!(subtitle.contains(&set["name_vi"]) && subtitle.contains(&set["decision"]), "{json}");
}

#[test]
fn the_command_line_draws_the_same_themed_map() {
    let fx = fixture();
    let (lon, lat) = label_points(2024)[&fx.assessed[0]];
    let bbox = format!("{},{},{},{}", lon - 0.2, lat - 0.15, lon + 0.2, lat + 0.15);
    let http = fx.server.get_raw(&format!("/static/ntm.png?bbox={bbox}&width=400&height=300&theme=criterion:8.4"), &[]);
    let dir = TempDir::new("criterion-render");
    let out = dir.path("map.png");
    let render = |theme: &str, out: &std::path::Path| {
        std::process::Command::new(common::BIN)
            .args(["render", "--map", "ntm", "--bbox", &bbox, "--size", "400x300", "--theme", theme, "--criteria", path_str(&fx.file)])
            .arg(out)
            .env("RUST_LOG", "warn")
            .output()
            .expect("bando render")
    };
    let done = render("criterion:8.4", &out);
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    assert_eq!(std::fs::read(&out).expect("written"), http.body, "the CLI and the HTTP answer draw the same picture");
    let refused = render("criterion:99", &dir.path("x.png"));
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--theme"), "{}", String::from_utf8_lossy(&refused.stderr));
}

#[test]
fn an_unknown_theme_is_a_400_naming_theme_everywhere() {
    let fx = fixture();
    for path in [
        "/styles/ntm.json?theme=criterion:99",
        "/tiles/ntm/8/203/112.png?theme=criterion:99",
        "/static/ntm.png?bbox=105.3,20.6,106.3,21.4&width=300&height=200&theme=criterion:99",
        "/api/v1/legend/ntm?theme=criterion:99",
        "/api/v1/legend/ntm.png?theme=criterion:99",
        "/styles/ntm.json?theme=criterion:xa_ntm_2021:15.2",
        "/styles/ntm.json?theme=colour",
        "/styles/tourism.json?theme=criterion:8.4",
        "/styles/ntm.json?theme=criterion:9.5&edition=2025",
    ] {
        let r = fx.server.get_raw(path, &[]);
        assert_eq!(r.status, 400, "{path}");
        let body = r.json();
        assert_eq!(body["error"]["parameter"], "theme", "{path}: {body}");
    }
    let (_, body) = fx.server.get_json("/styles/ntm.json?theme=criterion:99");
    assert!(body["error"]["message"].as_str().unwrap().contains("criterion 99"), "{body}");
}
