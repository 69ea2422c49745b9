//! Writes the seed inputs of the fuzz targets (`fuzz/`) from the project's own data:
//!   cargo run --release --example fuzz_seeds -- fuzz/corpus
//!
//! Steps: 1. the head of every embedded CSV table, behind the selector byte of its
//! reader; 2. three communes of `geodata/communes-2025.fgb` (generated boundaries) as
//! GeoJSON and as FlatGeobuf, with a hole, a multipolygon and a few faulty files;
//! 3. batch bodies in the three shapes; 4. the request targets of the README and of the
//! OpenAPI examples; 5. both embedded styles. `cargo fuzz cmin` then keeps the seeds
//! (and what the fuzzer found) that add coverage, in `fuzz/corpus/<target>/`.
use bando::load::{read_boundaries, BoundaryFeature};
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
    println!("seeds written to {}", out.display());
}
