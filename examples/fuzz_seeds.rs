//! Writes the seed inputs of the fuzz targets (`fuzz/`) from the project's own data:
//!   cargo run --release --example fuzz_seeds -- fuzz/corpus
//!
//! Steps: 1. the head of every embedded CSV table, behind the selector byte of its
//! reader; 2. three communes of `geodata/communes-2025.fgb` (generated boundaries) as
//! GeoJSON and as FlatGeobuf, with a hole, a multipolygon and a few faulty files;
//! 3. batch bodies in the three shapes; 4. the request targets of the README and of the
//! OpenAPI examples; 5. both embedded styles; 6. criteria assessments and targets;
//! 7. uploads: one province's published records as the workbook its office sends back
//! (described as text, as `checks::workbook_from_text` reads it), as CSV files and as raw
//! .xlsx bytes, under that province's scope, another province's and the central office's.
//! `cargo fuzz cmin` then keeps the seeds (and what the fuzzer found) that add coverage,
//! in `fuzz/corpus/<target>/`.
#[path = "../fuzz/src/checks.rs"]
#[allow(dead_code)]
mod checks;

use bando::atlas::Atlas;
use bando::load::upload::layout::{SheetContent, CRITERIA_ROW_COLUMNS};
use bando::load::upload::{province_units, DATA_SHEETS};
use bando::load::{read_boundaries, BoundaryFeature};
use bando::model::{AsOf, ProvinceCode, Record, RecordKind};
use std::collections::BTreeMap;
use geo::{Geometry, MultiPolygon, Polygon};
use std::fs;
use std::path::{Path, PathBuf};

fn write(dir: &Path, target: &str, name: &str, bytes: &[u8]) {
    let folder = dir.join(target);
    fs::create_dir_all(&folder).expect("create the seed folder");
    fs::write(folder.join(name), bytes).expect("write a seed");
}

/// The header and the first `lines` rows of a CSV file.
fn head(path: &Path, lines: usize) -> Vec<u8> {
    let text = fs::read_to_string(path).expect("read an embedded CSV");
    text.lines().take(lines + 1).map(|l| format!("{l}\n")).collect::<String>().into_bytes()
}

fn geojson(features: &[(String, Geometry<f64>)]) -> Vec<u8> {
    let features: Vec<serde_json::Value> = features
        .iter()
        .map(|(code, g)| {
            serde_json::json!({"type": "Feature", "properties": {"code": code, "name": format!("Xã {code}"), "n": 3},
                "geometry": serde_json::to_value(geojson::Geometry::from(g)).expect("geometry as JSON")})
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({"type": "FeatureCollection", "features": features})).expect("JSON")
}

fn fgb(features: &[(String, Geometry<f64>)], crs: i32) -> Vec<u8> {
    use flatgeobuf::{ColumnType, FgbCrs, FgbWriter, FgbWriterOptions, GeometryType};
    let options = FgbWriterOptions {
        crs: FgbCrs { code: crs, ..Default::default() },
        write_index: false,
        detect_type: false,
        promote_to_multi: false,
        ..Default::default()
    };
    let mut w = FgbWriter::create_with_options("seed", GeometryType::Unknown, options).expect("writer");
    w.add_column("code", ColumnType::String, |_, _| {});
    w.add_column("n", ColumnType::Int, |_, _| {});
    for (code, g) in features {
        w.add_feature_geom(g.clone(), |f| {
            use geozero::PropertyProcessor;
            f.property(0, "code", &geozero::ColumnValue::String(code)).expect("code");
            f.property(1, "n", &geozero::ColumnValue::Int(3)).expect("n");
        })
        .expect("feature");
    }
    let mut out = Vec::new();
    w.write(&mut out).expect("write FlatGeobuf");
    out
}

fn main() {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "fuzz/corpus".into()));
    let geodata = Path::new(bando::config::EMBEDDED_GEODATA);

    // 1. CSV tables; the selector byte is the reader's index in `checks::load_csv`.
    let tables = [
        "results-communes.csv",
        "results-districts.csv",
        "results-provinces.csv",
        "pilots.csv",
        "tourism.csv",
        "crosswalk-2024-2025.csv",
    ];
    for (i, table) in tables.iter().enumerate() {
        let mut seed = vec![i as u8];
        seed.extend(head(&geodata.join(table), 12));
        write(&out, "load_csv", table, &seed);
    }
    let faulty = b"code,year,level,criteria_met,recognized_on,decision\n0037,2011,dat,20,2011-02-30,x\n00379,2011,dat_chuan,18,,\n00379,2011,dat_chuan,19,,\n\"unclosed\n";
    write(&out, "load_csv", "faulty-results.csv", &[&[0u8][..], faulty].concat());

    // 2. Boundaries.
    let communes = read_boundaries(&geodata.join("communes-2025.fgb"), "code").expect("embedded communes load");
    let mut features: Vec<(String, Geometry<f64>)> = communes
        .features
        .iter()
        .take(3)
        .map(|f: &BoundaryFeature| (f.code.clone(), Geometry::MultiPolygon(f.geometry.clone())))
        .collect();
    let square = |x: f64, y: f64, d: f64| {
        geo::LineString::from(vec![(x, y), (x + d, y), (x + d, y + d), (x, y + d), (x, y)])
    };
    let with_hole = Polygon::new(square(105.0, 20.0, 1.0), vec![square(105.25, 20.25, 0.5)]);
    features.push(("90001".into(), Geometry::Polygon(with_hole)));
    let two_parts = MultiPolygon(vec![Polygon::new(square(106.0, 20.0, 0.1), vec![]), Polygon::new(square(106.5, 20.0, 0.1), vec![])]);
    features.push(("90002".into(), Geometry::MultiPolygon(two_parts)));
    write(&out, "load_geojson", "communes.geojson", &geojson(&features));
    write(&out, "load_fgb", "communes.fgb", &fgb(&features, 4326));
    let faults = vec![
        ("".to_string(), Geometry::Point(geo::Point::new(105.5, 20.5))),
        ("90003".to_string(), Geometry::Polygon(Polygon::new(geo::LineString::from(vec![(105.0, 20.0), (106.0, 21.0), (106.0, 20.0), (105.0, 21.0), (105.0, 20.0)]), vec![]))),
        ("90003".to_string(), Geometry::Polygon(Polygon::new(square(500000.0, 2300000.0, 1000.0), vec![]))),
    ];
    write(&out, "load_geojson", "faults.geojson", &geojson(&faults));
    write(&out, "load_fgb", "faults.fgb", &fgb(&faults, 4326));
    write(&out, "load_fgb", "projected.fgb", &fgb(&features[3..4], 3405));

    // 3. Batch bodies; the selector byte is 0 JSON array, 1 GeoJSON, 2 CSV, 3 sniffed.
    let bodies: [(&str, u8, &[u8]); 5] = [
        ("array.json", 0, br#"[[105.964112, 21.002414], {"lon": 105.85, "lat": 21.03, "id": "hoan-kiem"}, [0, 0]]"#),
        ("features.geojson", 1, br#"{"type":"FeatureCollection","features":[{"type":"Feature","id":1,"properties":{"name":"a"},"geometry":{"type":"Point","coordinates":[105.964112,21.002414]}}]}"#),
        ("header.csv", 2, b"id,lat,lon\np1,21.002414,105.964112\np2,21.03,105.85\n"),
        ("bare.csv", 0x13, b"105.964112,21.002414,a\n105.85,21.03,b\n"),
        ("edition-2025.json", 0x10, b"[[105.964112, 21.002414]]"),
    ];
    for (name, selector, body) in bodies {
        write(&out, "batch_body", name, &[&[selector][..], body].concat());
    }

    // 4. Request targets (README curl examples and the OpenAPI examples).
    let targets = [
        "/api/v1/communes/at?lon=105.964112&lat=21.002414",
        "/api/v1/communes/at?lon=105.964112&lat=21.002414&edition=2025&year=2023&radius_m=2000",
        "/api/v1/communes/00571?year=2023",
        "/api/v1/communes/00565?edition=2025&geometry=true",
        "/api/v1/districts/018?year=2024",
        "/api/v1/provinces/01?edition=2024&year=2025",
        "/api/v1/export/provinces.csv?edition=2025",
        "/api/v1/export/pilots.geojson",
        "/api/v1/search?q=duong%20xa",
        "/api/v1/search?q=phu%20cat&limit=5&edition=2025",
        "/api/v1/stats?province=01&year=2023",
        "/api/v1/stats?district=018&format=csv",
        "/api/v1/meta",
        "/tiles/ntm.json?year=2023&edition=2024",
        "/tiles/ntm/10/813/454.mvt?year=2023",
        "/tiles/tourism/8/203/113.png",
        "/tiles/ntm/6/50/28@2x.png?edition=2025",
        "/styles/ntm.json?year=2022&edition=2025",
        "/api/v1/legend/tourism",
        "/api/v1/legend/ntm.png?lang=en",
        "/static/ntm.png?bbox=105.8,20.9,106.0,21.1&width=64&height=48",
        "/static/tourism.png?center=105.9,21.0&zoom=9&width=32&height=32",
        "/web/app.js",
        "/",
    ];
    for (i, t) in targets.iter().enumerate() {
        write(&out, "http_get", &format!("target-{i:02}"), t.as_bytes());
    }

    // 5. Styles; the selector byte is 0 any map, 1 ntm, 2 tourism.
    for (selector, file) in [(1u8, "ntm-results.json"), (2, "rural-tourism.json")] {
        let text = fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("styles").join(file)).expect("embedded style");
        write(&out, "style", file, &[&[selector][..], &text].concat());
    }
    // 6. Criteria; the selector byte is 0 assessments, 1 targets.
    write(&out, "load_criteria", "criteria.csv", &[&[0u8][..], &head(&geodata.join("criteria.csv"), 40)].concat());
    write(&out, "load_criteria", "targets.csv", &[&[1u8][..], &fs::read(geodata.join("targets/targets.csv")).expect("targets")].concat());
    let faulty = b"unit_code,year,set,criterion,indicator,met,value,assessed_on,note\n436,2024,huyen_ntm_2021,9,5,yes,80,2024-01-01,x\n00379,2019,xa_ntm_2021,20,,maybe,abc,2024-13-01,\n00379,2024,xa_ntm_2021,8,4,true,,,\n00379,2024,xa_ntm_2021,8,4,true,,,\n";
    write(&out, "load_criteria", "faulty-criteria.csv", &[&[0u8][..], faulty].concat());

    // 7. Uploads; the selector byte is the scope (0 all, else 1 + a 2025 province's
    // position) plus the form (0x00 text workbook, 0x80 CSV, 0xC0 raw .xlsx).
    let inputs = bando::atlas::Inputs::embedded(bando::config::EMBEDDED_GEODATA);
    let atlas = bando::atlas::build(&inputs).expect("the embedded data loads").0;
    let scope_of = |code: &str| {
        let code = ProvinceCode::parse(code).expect("a province code");
        1 + atlas.editions[1].provinces.keys().position(|&p| p == code).expect("a 2025 province") as u8
    };
    let (own, other) = (scope_of("42"), scope_of("01"));
    let records = bando::export::template::published_records(&atlas, &province_units(&atlas, &[ProvinceCode::parse("42").expect("42")]), AsOf::Year(2024));
    let text = upload_text(&atlas, &records);
    for (name, selector) in [("own-province", own), ("other-province", other), ("central-office", 0)] {
        write(&out, "upload", &format!("{name}.txt"), &[&[selector][..], text.as_bytes()].concat());
    }
    let faulty = "[ketqua_xa]\ncode\tyear\tlevel\tcriteria_met\trecognized_on\tdecision\n18112\t#1990\tdat\t#25\t31/02/2024\t\n99999\t2024\t=1+1\n18112\t#2024\tdat_chuan\t#19\n18112\t#2024\tdat_chuan\t#19\n[Sheet 9]\na\tb\n[TieuChi_Xa]\nunit_code\tyear\tset\t1\t8.4\n436\t2024\txa_ntm_2021\tmaybe\tcó\n";
    write(&out, "upload", "faulty.txt", &[&[own][..], faulty.as_bytes()].concat());
    for (kind, rows) in &records {
        let csv = bando::model::write_csv(*kind, rows.iter().take(4));
        write(&out, "upload", &format!("{kind}.csv"), &[&[0x80 | own][..], csv.as_bytes()].concat());
    }
    let (workbook, _) = checks::workbook_from_text(&text).expect("the seed describes a workbook");
    write(&out, "upload", "own-province.xlsx", &[&[0xC0 | own][..], &workbook].concat());
    println!("seeds written to {}", out.display());
}

/// A wide criteria row's unit, year and set.
type WideKey = (String, String, String);

/// The first rows of each data sheet holding `records`, as `checks::workbook_from_text`
/// reads a workbook described as text: records one per row, criteria wide (one row per
/// unit, year and set, `có`/`không` under each item, an indicator's value under
/// `value_{item}`).
fn upload_text(atlas: &Atlas, records: &BTreeMap<RecordKind, Vec<Record>>) -> String {
    let mut text = String::new();
    for spec in &DATA_SHEETS {
        text.push_str(&format!("[{}]\n", spec.name));
        match spec.content {
            SheetContent::Records(kind) => {
                text.push_str(&kind.columns().join("\t"));
                text.push('\n');
                for r in records.get(&kind).into_iter().flatten().take(4) {
                    text.push_str(&r.fields.join("\t"));
                    text.push('\n');
                }
            }
            SheetContent::CriteriaWide(unit) => {
                // (unit, year, set) → item → (met, value)
                let mut rows: BTreeMap<WideKey, BTreeMap<String, (String, String)>> = BTreeMap::new();
                for r in records.get(&RecordKind::Criteria).into_iter().flatten() {
                    if atlas.criteria.catalog.get(r.get("set")).is_none_or(|s| s.unit != unit) {
                        continue;
                    }
                    let item = match r.get("indicator") {
                        "" => r.get("criterion").to_string(),
                        i => format!("{}.{i}", r.get("criterion")),
                    };
                    let met = if r.get("met") == "true" { "có" } else { "không" };
                    let key = (r.get("unit_code").to_string(), r.get("year").to_string(), r.get("set").to_string());
                    rows.entry(key).or_default().insert(item, (met.to_string(), r.get("value").to_string()));
                }
                let items: Vec<String> = rows.values().flat_map(|m| m.keys().cloned()).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
                let mut header: Vec<String> = CRITERIA_ROW_COLUMNS.iter().map(|c| c.to_string()).collect();
                header.extend(items.iter().cloned());
                let indicators: Vec<&String> = items.iter().filter(|i| i.contains('.')).collect();
                header.extend(indicators.iter().map(|i| format!("value_{i}")));
                text.push_str(&header.join("\t"));
                text.push('\n');
                for ((code, year, set), met) in rows.iter().take(3) {
                    let mut row = vec![code.clone(), format!("#{year}"), set.clone(), String::new(), String::new()];
                    row.extend(items.iter().map(|i| met.get(i).map(|m| m.0.clone()).unwrap_or_default()));
                    row.extend(indicators.iter().map(|i| met.get(*i).map(|m| m.1.clone()).unwrap_or_default()));
                    text.push_str(&row.join("\t"));
                    text.push('\n');
                }
            }
        }
    }
    text
}
