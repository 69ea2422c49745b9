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

/// A problem names the input and says what is wrong.
fn check_problem(p: &load::Problem) {
    assert_eq!(p.file, Path::new(INPUT), "a problem names the input: {p}");
    assert!(!p.message.trim().is_empty(), "a problem says what is wrong: {p:?}");
}

fn check_load_error(e: &LoadError) {
    assert!(!e.problems.is_empty(), "a LoadError holds at least one problem");
    e.problems.iter().for_each(check_problem);
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

/// The criteria readers, against the embedded atlas's catalog of sets; the first byte
/// picks one: assessments (`criteria.csv`, read as the atlas reads it: the rows that read
/// well and the problems of the others) or targets (`targets/targets.csv`). Rows keep
/// their lines; every problem names the input.
pub fn load_criteria(data: &[u8], atlas: &Atlas) {
    let Some((&which, csv)) = data.split_first() else { return };
    let (name, catalog) = (Path::new(INPUT), &atlas.criteria.catalog);
    if which % 2 == 0 {
        match load::read_criteria_rows_from(name, csv, catalog) {
            Ok(load::RowsRead { rows, problems, unread_units }) => {
                check_lines(&rows);
                check_lines(&unread_units);
                // The unit of a refused row: never a row that read well.
                let read: std::collections::HashSet<u64> = rows.iter().map(|r| r.line).collect();
                assert!(unread_units.iter().all(|u| !read.contains(&u.line)), "a row that read well is also listed as refused");
                problems.iter().for_each(check_problem);
            }
            Err(e) => check_load_error(&e),
        }
    } else {
        match load::read_targets_from(name, csv, catalog) {
            Ok(rows) => check_lines(&rows),
            Err(e) => check_load_error(&e),
        }
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

/// An upload, as an office sends it to the management routes, read against `atlas` by
/// [`read_upload`](bando::load::upload::read_upload). The first byte picks the uploader
/// (bits 0–5: 0 the central office, otherwise one edition-2025 province by position) and
/// the form of the rest (bits 6–7): a workbook described as text ([`workbook_from_text`]),
/// a CSV file, or raw bytes named `.xlsx` (the zip guard's input).
///
/// What must hold for any upload:
/// - a refusal holds at least one problem; each names a sheet of the workbook (or the
///   file), says what is wrong in both languages, and a cell reference ends with its row;
/// - an accepted upload holds only records of units inside the uploader's provinces
///   (the security boundary between offices), each with one field per column and no two
///   of a kind with the same key.
pub fn upload(data: &[u8], atlas: &Atlas) {
    use bando::load::upload::{province_units, read_upload, UploadScope};
    let Some((&which, rest)) = data.split_first() else { return };
    let provinces: Vec<_> = atlas.editions[1].provinces.keys().copied().collect();
    let scope = match usize::from(which & 0x3f) {
        0 => UploadScope::All,
        n => UploadScope::Provinces(vec![provinces[(n - 1) % provinces.len()]]),
    };
    let (file_name, bytes, sheets) = match which >> 6 {
        0 | 1 => {
            let Some((bytes, sheets)) = workbook_from_text(&String::from_utf8_lossy(rest)) else { return };
            ("fuzz-input.xlsx", bytes, Some(sheets))
        }
        2 => ("fuzz-input.csv", rest.to_vec(), None),
        _ => ("fuzz-input.xlsx", rest.to_vec(), None),
    };
    match read_upload(file_name, &bytes, atlas, &scope) {
        Err(report) => {
            assert_eq!(report.file_name, file_name);
            assert!(!report.problems.is_empty(), "a refusal holds at least one problem");
            for p in &report.problems {
                assert!(!p.message_en.trim().is_empty() && !p.message_vi.trim().is_empty(), "a problem says what is wrong: {p:?}");
                let known_sheet = p.sheet == file_name || sheets.as_ref().is_none_or(|names| names.contains(&p.sheet));
                assert!(known_sheet, "a problem names a sheet of the workbook or the file: {p:?} (sheets {sheets:?})");
                if let Some(cell) = &p.cell {
                    let row = p.row.expect("a problem naming a cell names its row");
                    let letters = cell.trim_end_matches(|c: char| c.is_ascii_digit());
                    assert!(!letters.is_empty() && letters.chars().all(|c| c.is_ascii_uppercase()), "cell reference {cell}");
                    assert_eq!(&cell[letters.len()..], row.to_string(), "cell reference {cell} names row {row}");
                }
            }
        }
        Ok(upload) => {
            let catalog = &atlas.criteria.catalog;
            let units = match &scope {
                UploadScope::All => None,
                UploadScope::Provinces(p) => Some(province_units(atlas, p)),
            };
            for (kind, records) in &upload.records {
                let mut keys = std::collections::HashSet::new();
                for r in records {
                    assert_eq!(r.record.kind, *kind);
                    assert_eq!(r.record.fields.len(), kind.columns().len(), "one field per column: {r:?}");
                    assert!(keys.insert(r.record.key()), "two records with key {} in one upload", r.record.key());
                    let unit = kind.unit(|c| r.record.get(c), catalog).unwrap_or_else(|| panic!("an accepted record names its unit: {r:?}"));
                    if let Some(u) = &units {
                        assert!(u.contains(unit), "{scope:?} may not change {unit}: {r:?}");
                    }
                }
            }
        }
    }
}

/// Longest text [`workbook_from_text`] turns into a workbook, and most cells it writes:
/// enough for every sheet with a few rows, small enough to stay fast.
const WORKBOOK_TEXT_BYTES: usize = 16 * 1024;
const WORKBOOK_CELLS: usize = 2_000;

/// A workbook written with rust_xlsxwriter from a text description, so that the fuzzer
/// mutates what an office types rather than zip bytes:
///
/// ```text
/// [KetQua_Xa]                                   a sheet, by name (the first line may omit it)
/// code<TAB>year<TAB>level                       a row: cells separated by tabs, as text
/// 00379<TAB>#2011<TAB>dat_chuan<TAB>@2011-02-16  #number, @date (date-formatted), =formula
/// ```
///
/// An empty cell is skipped. Returns the workbook's bytes and its sheets' names, or
/// `None` for a description rust_xlsxwriter refuses (a sheet name Excel forbids, say).
pub fn workbook_from_text(text: &str) -> Option<(Vec<u8>, Vec<String>)> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
    if text.len() > WORKBOOK_TEXT_BYTES {
        return None;
    }
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    let mut workbook = Workbook::new();
    let mut names: Vec<String> = Vec::new();
    let mut row = 0u32;
    let mut cells = 0usize;
    for line in text.lines() {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            workbook.add_worksheet().set_name(name).ok()?;
            names.push(name.to_string());
            row = 0;
            continue;
        }
        if names.is_empty() {
            workbook.add_worksheet();
            names.push("Sheet1".to_string());
        }
        let sheet = workbook.worksheet_from_index(names.len() - 1).ok()?;
        for (col, cell) in line.split('\t').enumerate() {
            let col = u16::try_from(col).ok()?;
            cells += 1;
            if cells > WORKBOOK_CELLS {
                return None;
            }
            if let Some(number) = cell.strip_prefix('#').and_then(|n| n.parse::<f64>().ok()) {
                sheet.write_number(row, col, number).ok()?;
            } else if let Some(date) = cell.strip_prefix('@').and_then(|d| ExcelDateTime::parse_from_str(d).ok()) {
                sheet.write_datetime_with_format(row, col, &date, &date_format).ok()?;
            } else if let Some(formula) = cell.strip_prefix('=') {
                sheet.write_formula(row, col, Formula::new(formula)).ok()?;
            } else if !cell.is_empty() {
                sheet.write_string(row, col, cell).ok()?;
            }
        }
        row += 1;
    }
    Some((workbook.save_to_buffer().ok()?, names))
}
