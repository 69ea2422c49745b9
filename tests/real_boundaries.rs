//! The real boundary files of ../shared/geodata. They are not committed, so these tests
//! are `#[ignore]`d; `.ci/run` runs them with `--include-ignored` where the folder exists.

mod common;
use common::{path_str, reference_communes, shared_geodata, Server, BIN};
use geo::{BoundingRect, Contains, MultiPolygon, Point};
use geozero::ToGeo;

/// Reads every feature of a FlatGeobuf file with the flatgeobuf crate directly,
/// independently of the service's loader.
fn read_fgb(path: &std::path::Path) -> Vec<(String, MultiPolygon<f64>)> {
    use flatgeobuf::{FallibleStreamingIterator, FeatureProperties, FgbReader};
    let mut file = std::io::BufReader::new(std::fs::File::open(path).expect("open"));
    let mut reader = FgbReader::open(&mut file).expect("fgb").select_all_seq().expect("select");
    let mut out = Vec::new();
    while let Some(feature) = reader.next().expect("feature") {
        let code: String = feature.property("code").expect("code");
        let geometry = match feature.to_geo().expect("geometry") {
            geo::Geometry::MultiPolygon(m) => m,
            geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
            other => panic!("unexpected geometry {other:?}"),
        };
        out.push((code, geometry));
    }
    out
}

/// SplitMix64: deterministic test points.
fn random_points(n: usize, seed: u64) -> Vec<(f64, f64)> {
    let mut s = seed;
    let mut next = || {
        s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) as f64 / u64::MAX as f64
    };
    (0..n).map(|_| (102.1 + next() * 7.4, 8.5 + next() * 15.0)).collect()
}

#[test]
#[ignore = "needs the real boundary files of ../shared/geodata (not committed)"]
fn real_2025_communes_answer_exactly_as_a_brute_force_gis() {
    let path = shared_geodata("communes-2025.fgb");
    let server = Server::start(&["--boundaries", path_str(&path)]);
    let (_, meta) = server.get_json("/api/v1/meta");
    assert_eq!(meta["counts"]["communes_2025"], 3321, "{meta}");
    let sources = meta["meta"]["sources"].as_array().unwrap();
    let b2025 = sources.iter().find(|s| s["layer"] == "boundaries_2025").unwrap();
    assert_eq!(b2025["sample"], false);
    assert_eq!(b2025["path"], "communes-2025.fgb");

    let features = read_fgb(&path);
    let boxes: Vec<_> = features.iter().map(|(_, g)| g.bounding_rect().expect("bbox")).collect();
    // Oracle: every polygon that contains the point (geo::Contains, brute force over
    // bounding boxes); the service answers the lowest code where files overlap.
    let expected = |lon: f64, lat: f64| -> Option<String> {
        let p = Point::new(lon, lat);
        features
            .iter()
            .zip(&boxes)
            .filter(|(_, b)| b.min().x <= lon && lon <= b.max().x && b.min().y <= lat && lat <= b.max().y)
            .filter(|((_, g), _)| g.contains(&p))
            .map(|((code, _), _)| code.clone())
            .min()
    };
    let mut points: Vec<(f64, f64)> = reference_communes(2025).iter().map(|c| (c.lon, c.lat)).collect();
    points.extend(random_points(1_500, 7));
    let mut checked_inside = 0;
    let mut mismatches = Vec::new();
    for (lon, lat) in points {
        let want = expected(lon, lat);
        let (status, body) = server.get_json(&format!("/api/v1/communes/at?lon={lon}&lat={lat}&edition=2025&radius_m=0"));
        let got = (status == 200).then(|| body["commune"]["code"].as_str().unwrap().to_string());
        if status != 200 {
            assert_eq!(status, 404, "{body}");
        }
        checked_inside += usize::from(want.is_some());
        if got != want {
            mismatches.push(format!("({lon}, {lat}): service {got:?}, brute force {want:?}"));
        }
    }
    assert!(checked_inside > 3_000, "too few points on land: {checked_inside}");
    assert!(mismatches.is_empty(), "{} mismatches: {:?}", mismatches.len(), &mismatches[..mismatches.len().min(10)]);
}

#[test]
#[ignore = "needs the real boundary files of ../shared/geodata (not committed)"]
fn gadm_districts_report_their_two_invalid_polygons() {
    let path = shared_geodata("districts-gadm-2008.fgb");
    let out = std::process::Command::new(BIN).args(["validate", path_str(&path)]).output().expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("2 problems"), "{stdout}");
    assert_eq!(stdout.matches("districts-gadm-2008.fgb: feature").count(), 2, "{stdout}");
    assert!(stdout.contains("106.6") && stdout.contains("10.7"), "first crossing not located: {stdout}");
    assert!(stdout.contains("106.7") && stdout.contains("11.4"), "second crossing not located: {stdout}");
}

#[test]
#[ignore = "needs the real boundary files of ../shared/geodata (not committed)"]
fn real_2025_communes_validate_clean() {
    let path = shared_geodata("communes-2025.fgb");
    let out = std::process::Command::new(BIN).args(["validate", path_str(&path)]).output().expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("3321 record(s)") && stdout.contains("no problems found"), "{stdout}");
}
