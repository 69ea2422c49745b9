//! The checks of the fuzz targets: each takes the fuzzer's bytes, runs one of bando's
//! input readers on them and asserts what must hold for any input. A panic anywhere —
//! in bando or in an assertion here — is a crash.
//!
//! Steps of every check: 1. split off the selector byte where the target covers several
//! readers; 2. run the reader; 3. on an error, the error must name the input and say
//! something; on success, the value must keep the reader's promises (lines counted
//! from the header, rings closed and oriented, answers as many as the points and
//! parseable in the shape of the question).

use bando::atlas::Atlas;
// `geo` is a dependency of bando, named here for its coordinate type.
use bando::load::{self, BoundaryFormat, LoadError};
use bando::model::Edition;
use bando::query::batch::{self, Shape};
use std::path::Path;

/// The file name every problem of an in-memory input must carry.
pub const INPUT: &str = "fuzz-input";

fn check_load_error(e: &LoadError) {
    assert!(!e.problems.is_empty(), "a LoadError holds at least one problem");
    for p in &e.problems {
        assert_eq!(p.file, Path::new(INPUT), "a problem names the input: {p}");
        assert!(!p.message.trim().is_empty(), "a problem says what is wrong: {p:?}");
    }
    let text = e.to_string();
    assert!(text.contains(INPUT), "{text}");
}

/// Rows keep the line they came from: after the header, strictly increasing.
fn check_lines<T>(rows: &[load::Sourced<T>]) {
    let mut last = 1;
    for r in rows {
        assert!(r.line > last, "row lines {} after {last}", r.line);
        last = r.line;
    }
}

/// The CSV readers; the first byte picks one: commune, district or province results,
/// pilots, tourism sites, the crosswalk.
pub fn load_csv(data: &[u8]) {
    let Some((&which, csv)) = data.split_first() else { return };
    let name = Path::new(INPUT);
    macro_rules! run {
        ($read:path) => {
            match $read(name, csv) {
                Ok(rows) => check_lines(&rows),
                Err(e) => check_load_error(&e),
            }
        };
    }
    match which % 6 {
        0 => run!(load::read_commune_results_from),
        1 => run!(load::read_district_results_from),
        2 => run!(load::read_province_results_from),
        3 => run!(load::read_pilots_from),
        4 => run!(load::read_tourism_from),
        _ => run!(load::read_crosswalk_from),
    }
}

/// A boundary file (GeoJSON or FlatGeobuf): a loaded file holds closed rings without
/// repeated points, exteriors counter-clockwise and holes clockwise, finite
/// coordinates, non-empty unique codes.
pub fn load_boundaries(format: BoundaryFormat, data: &[u8]) {
    match load::read_boundaries_from(Path::new(INPUT), format, std::io::Cursor::new(data), "code") {
        Err(e) => check_load_error(&e),
        Ok(file) => {
            let mut codes = std::collections::HashSet::new();
            let mut vertices = 0;
            for f in &file.features {
                assert!(!f.code.is_empty(), "feature {} has an empty code", f.index);
                assert!(codes.insert(f.code.clone()), "code {} twice", f.code);
                assert!(!f.geometry.0.is_empty(), "feature {} has no polygon", f.index);
                for polygon in &f.geometry.0 {
                    let rings = std::iter::once(polygon.exterior()).chain(polygon.interiors());
                    for (k, ring) in rings.enumerate() {
                        let c = &ring.0;
                        vertices += c.len();
                        assert!(c.len() >= 4 && c.first() == c.last(), "feature {}: ring {k} is not closed", f.index);
                        assert!(c.iter().all(|p| p.x.is_finite() && p.y.is_finite()));
                        assert!(c.windows(2).all(|w| w[0] != w[1]), "feature {}: ring {k} repeats a point", f.index);
                        let area = twice_area(c);
                        if k == 0 {
                            assert!(area > 0.0, "feature {}: exterior is not counter-clockwise", f.index);
                        } else {
                            assert!(area < 0.0, "feature {}: hole {k} is not clockwise", f.index);
                        }
                    }
                }
            }
            assert_eq!(vertices, file.vertex_count, "vertex count");
        }
    }
}

fn twice_area(c: &[geo::Coord<f64>]) -> f64 {
    c.windows(2).map(|w| w[0].x * w[1].y - w[1].x * w[0].y).sum()
}

/// A batch body: the first byte picks how the shape is told (JSON array, GeoJSON,
/// CSV, or sniffed from the body as when no Content-Type is sent). A parsed batch is
/// answered against `atlas`; the answer must parse in the input's shape and hold one
/// answer per point, in order.
pub fn batch_body(data: &[u8], atlas: &Atlas) {
    let Some((&which, body)) = data.split_first() else { return };
    let shape = match which % 4 {
        0 => Shape::JsonArray,
        1 => Shape::FeatureCollection,
        2 => Shape::Csv,
        _ => Shape::sniff(body),
    };
    let input = match batch::parse(shape, body) {
        Ok(input) => input,
        Err(e) => {
            assert!(!e.to_string().trim().is_empty(), "a refusal says why");
            return;
        }
    };
    assert_eq!(input.len(), input.points.len());
    for p in &input.points {
        assert!(p.lon.is_finite() && p.lat.is_finite() && p.lon.abs() <= 180.0 && p.lat.abs() <= 90.0, "{p:?}");
    }
    let edition = if which & 0x10 == 0 { Edition::E2024 } else { Edition::E2025 };
    let meta = serde_json::json!({"sample": true});
    let mut out = input.head(atlas, &meta);
    // Blocks of 3 points on 2 threads: block joins are exercised on small inputs too.
    for start in (0..input.len()).step_by(3) {
        let end = (start + 3).min(input.len());
        out.extend(input.answer_block(atlas, atlas.edition(edition), bando::model::AsOf::Year(2023), start..end, 2));
    }
    out.extend_from_slice(input.tail());
    match input.shape {
        Shape::JsonArray => {
            let v: serde_json::Value = serde_json::from_slice(&out).expect("the JSON answer parses");
            assert_eq!(v.as_array().map(Vec::len), Some(input.len()), "one answer per point");
        }
        Shape::FeatureCollection => {
            let v: serde_json::Value = serde_json::from_slice(&out).expect("the GeoJSON answer parses");
            assert_eq!(v["features"].as_array().map(Vec::len), Some(input.len()), "one feature per point");
        }
        Shape::Csv => {
            let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(out.as_slice());
            let records: Vec<csv::ByteRecord> =
                reader.byte_records().collect::<Result<_, _>>().expect("the CSV answer parses");
            let header = usize::from(!input.head(atlas, &meta).is_empty());
            assert_eq!(records.len() - header, input.len(), "one row per point");
            // Appended columns line up: every row (and the header) has one length.
            assert!(records.windows(2).all(|w| w[0].len() == w[1].len()), "rows of one length");
        }
    }
}

/// A style file: the first byte says which map it must be (any, ntm, tourism). A
/// parsed style gives a MapLibre style and a legend, and finite, non-negative widths
/// and radii at every zoom.
pub fn style(data: &[u8]) {
    use bando::style::{legend::legend, maplibre::maplibre_style, parse_style};
    use bando::tile::MapKind;
    let Some((&which, text)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(text) else { return };
    let expect = match which % 3 {
        0 => None,
        1 => Some(MapKind::Ntm),
        _ => Some(MapKind::Tourism),
    };
    let style = match parse_style(INPUT, text, expect) {
        Ok(s) => s,
        Err(e) => {
            assert!(e.to_string().starts_with(INPUT), "the error names the file: {e}");
            return;
        }
    };
    if let Some(m) = expect {
        assert_eq!(style.map, m);
    }
    let themed = bando::style::Themed::level(&style);
    for edition in Edition::ALL {
        let doc = maplibre_style(&themed, edition, "http://127.0.0.1/tiles/ntm.json", "http://127.0.0.1/fonts/{fontstack}/{range}.pbf");
        assert!(doc["layers"].is_array(), "a MapLibre style has layers");
    }
    let l = legend(&themed);
    assert_eq!(l.classes.len(), style.classes.len());
    for z in 0..=24 {
        let zoom = z as f32;
        for o in [&style.communes_outline, &style.districts_outline, &style.provinces_outline] {
            let w = o.width_at(zoom);
            assert!(w.is_finite() && w >= 0.0, "width {w} at zoom {zoom}");
        }
    }
    for layer in [&style.pilots, &style.tourism] {
        for s in &layer.symbols {
            for stars in [None, Some(3), Some(4), Some(5)] {
                let r = s.radius_for(stars);
                assert!(r.is_finite() && r >= 0.0, "radius {r}");
            }
        }
    }
}
