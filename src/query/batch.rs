//! Batch point queries: many points in, the commune of each out, in the same shape
//! and the same order.
//!
//! Steps: 1. [`parse`] reads the whole input (a JSON array of `[lon, lat]` or
//! `{"lon","lat","id"}`, a GeoJSON FeatureCollection of Points, or CSV `lon,lat[,id]`
//! with an optional header) and refuses it at the first bad point, naming the element,
//! feature or CSV row and line and the bad value (CSV as Excel saves it in a Vietnamese
//! locale is read too: `;` delimiter, decimal comma, BOM, CRLF); 2. [`BatchInput::answer_block`]
//! locates a block of points (split across threads, each point through
//! [`crate::index::AreaIndex::locate`]) and writes the answers of the block in the
//! input's shape; the caller writes [`BatchInput::head`], the blocks in order, then
//! [`BatchInput::tail`], so the answer can be streamed block by block.

use super::facts;
use crate::atlas::{Atlas, EditionAtlas};
use crate::model::AsOf;
use crate::standing;
use crate::model::LonLat;
use serde_json::{json, Value};

/// Most points one batch may hold.
pub const MAX_POINTS: usize = 100_000;

/// The shape of a batch input (and of its answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `[[lon, lat], {"lon":…, "lat":…, "id":…}, …]`
    JsonArray,
    /// A GeoJSON FeatureCollection of Points.
    FeatureCollection,
    /// `lon,lat[,id]` rows, header optional.
    Csv,
}

impl Shape {
    /// Guesses the shape from the first non-blank byte: `[` JSON array, `{` GeoJSON,
    /// anything else CSV.
    pub fn sniff(body: &[u8]) -> Shape {
        let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
        match body.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'[') => Shape::JsonArray,
            Some(b'{') => Shape::FeatureCollection,
            _ => Shape::Csv,
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Shape::JsonArray => "application/json",
            Shape::FeatureCollection => "application/geo+json",
            Shape::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// Why a batch was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    /// The input is malformed; the message names the element, feature or row.
    #[error("{0}")]
    Malformed(String),
    #[error("{count} points is more than the {MAX_POINTS} a batch may hold; split the input")]
    TooMany { count: usize },
}

/// A parsed batch: the points, and what is echoed back with each answer.
pub struct BatchInput {
    pub shape: Shape,
    pub points: Vec<LonLat>,
    echo: Echo,
}

enum Echo {
    /// JSON array: the id of each point, if it had one.
    Ids(Vec<Option<Value>>),
    /// FeatureCollection: the features as given (properties are added).
    Features(Vec<Value>),
    /// CSV: the header (if any) and every row as given, and the widest of them: rows
    /// may differ in length, and each is padded to `width` fields before the appended
    /// columns, so those line up under their names.
    /// The answer is written with the input's delimiter (`;` stays `;` for Excel).
    Rows { header: Option<csv::StringRecord>, rows: Vec<csv::StringRecord>, width: usize, delimiter: u8 },
}

/// Columns appended to CSV rows and properties added to GeoJSON features, followed by the
/// criteria columns ([`crate::standing::columns`]: edition 2024; empty in edition 2025).
pub const FLAT_COLUMNS: [&str; 10] = [
    "commune_code",
    "commune_name",
    "commune_kind",
    "district_code",
    "district_name",
    "province_code",
    "province_name",
    "level",
    "level_year",
    "criteria_met",
];

/// Reads a batch in the given shape; nothing is answered unless every point is good.
pub fn parse(shape: Shape, body: &[u8]) -> Result<BatchInput, BatchError> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    match shape {
        Shape::JsonArray | Shape::FeatureCollection => parse_json(body),
        Shape::Csv => parse_csv(body),
    }
}

fn malformed(message: String) -> BatchError {
    BatchError::Malformed(message)
}

/// A value shortened for an error message.
fn shown(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(80).collect::<String>())
    } else {
        text
    }
}

fn coordinate(what: &str, v: &Value, name: &str, range: f64) -> Result<f64, BatchError> {
    let x = v.as_f64().ok_or_else(|| malformed(format!("{what}: {name} {} is not a number", shown(v))))?;
    if !(-range..=range).contains(&x) {
        return Err(malformed(format!("{what}: {name} {x} is outside -{range}…{range}")));
    }
    Ok(x)
}

fn parse_json(body: &[u8]) -> Result<BatchInput, BatchError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| malformed(format!("malformed JSON at line {} column {}: {e}", e.line(), e.column())))?;
    match value {
        Value::Array(items) => {
            if items.len() > MAX_POINTS {
                return Err(BatchError::TooMany { count: items.len() });
            }
            let mut points = Vec::with_capacity(items.len());
            let mut ids = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let what = format!("point {i}");
                let (lon, lat, id) = match item {
                    Value::Array(xy) if xy.len() == 2 => (&xy[0], &xy[1], None),
                    Value::Object(o) if o.contains_key("lon") && o.contains_key("lat") => (&o["lon"], &o["lat"], o.get("id").cloned()),
                    other => {
                        return Err(malformed(format!(
                            "{what}: expected [lon, lat] or {{\"lon\": …, \"lat\": …, \"id\": …}}, found {}",
                            shown(other)
                        )))
                    }
                };
                points.push(LonLat::new(coordinate(&what, lon, "lon", 180.0)?, coordinate(&what, lat, "lat", 90.0)?));
                ids.push(id);
            }
            Ok(BatchInput { shape: Shape::JsonArray, points, echo: Echo::Ids(ids) })
        }
        Value::Object(mut o) => {
            if o.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
                return Err(malformed(format!(
                    "expected a JSON array of points or a GeoJSON FeatureCollection, found an object with \"type\": {}",
                    o.get("type").map_or("(none)".into(), shown)
                )));
            }
            let Some(Value::Array(features)) = o.remove("features") else {
                return Err(malformed("the FeatureCollection has no \"features\" array".into()));
            };
            if features.len() > MAX_POINTS {
                return Err(BatchError::TooMany { count: features.len() });
            }
            let mut points = Vec::with_capacity(features.len());
            for (i, f) in features.iter().enumerate() {
                let what = format!("feature {i}");
                if f.get("type").and_then(Value::as_str) != Some("Feature") {
                    return Err(malformed(format!("{what}: not a GeoJSON Feature: {}", shown(f))));
                }
                let geometry = f.get("geometry").filter(|g| !g.is_null());
                let Some(geometry) = geometry else {
                    return Err(malformed(format!("{what} has no geometry (a Point is needed)")));
                };
                let kind = geometry.get("type").and_then(Value::as_str).unwrap_or("(none)");
                if kind != "Point" {
                    return Err(malformed(format!("{what}: geometry is a {kind}, not a Point")));
                }
                let xy = geometry.get("coordinates").and_then(Value::as_array).filter(|c| c.len() >= 2);
                let Some(xy) = xy else {
                    return Err(malformed(format!(
                        "{what}: Point coordinates {} are not [lon, lat]",
                        geometry.get("coordinates").map_or("(none)".into(), shown)
                    )));
                };
                points.push(LonLat::new(coordinate(&what, &xy[0], "lon", 180.0)?, coordinate(&what, &xy[1], "lat", 90.0)?));
            }
            Ok(BatchInput { shape: Shape::FeatureCollection, points, echo: Echo::Features(features) })
        }
        other => Err(malformed(format!(
            "expected a JSON array of points or a GeoJSON FeatureCollection, found {}",
            shown(&other)
        ))),
    }
}

/// The delimiter of a CSV body: `;` when its first line has more `;` than `,` (CSV as Excel
/// saves it in locales whose decimal separator is a comma, Vietnamese among them), else `,`.
fn csv_delimiter(body: &[u8]) -> u8 {
    let first = body.split(|b| *b == b'\n').next().unwrap_or_default();
    let count = |c: u8| first.iter().filter(|b| **b == c).count();
    if count(b';') > count(b',') { b';' } else { b',' }
}

/// A coordinate as text: with a `;` delimiter a decimal comma (`105,85`) is a decimal point.
fn decimal(text: &str, delimiter: u8) -> std::borrow::Cow<'_, str> {
    if delimiter == b';' && text.matches(',').count() == 1 {
        std::borrow::Cow::Owned(text.replace(',', "."))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

fn parse_csv(body: &[u8]) -> Result<BatchInput, BatchError> {
    // Lines as an editor counts them (a lone CR ends one), so errors name the line a user sees.
    let body = &*crate::line_ends::to_lf(body);
    let delimiter = csv_delimiter(body);
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(csv::Trim::All).delimiter(delimiter).from_reader(body);
    let mut header = None;
    let (mut lon_col, mut lat_col) = (0, 1);
    let mut rows = Vec::new();
    let mut points = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(String::new(), |p| format!(" at line {}", p.line()));
            malformed(format!("malformed CSV{line}: {e}"))
        })?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        // A first row whose first field is not a number is the header.
        if header.is_none() && rows.is_empty() && record.get(0).is_some_and(|f| decimal(f, delimiter).parse::<f64>().is_err()) {
            let find = |names: &[&str]| record.iter().position(|h| names.contains(&h.to_ascii_lowercase().as_str()));
            lon_col = find(&["lon", "lng", "long", "longitude", "x"])
                .ok_or_else(|| malformed(format!("CSV header (line {line}) has no lon column: {:?}", record.iter().collect::<Vec<_>>())))?;
            lat_col = find(&["lat", "latitude", "y"])
                .ok_or_else(|| malformed(format!("CSV header (line {line}) has no lat column: {:?}", record.iter().collect::<Vec<_>>())))?;
            header = Some(record);
            continue;
        }
        let row = rows.len() + 1;
        if row > MAX_POINTS {
            // Count the rest without keeping them, to say how many there are.
            let rest = reader.records().filter(|r| r.as_ref().is_ok_and(|r| !r.iter().all(str::is_empty))).count();
            return Err(BatchError::TooMany { count: row + rest });
        }
        let what = format!("CSV row {row} (line {line})");
        let field = |col: usize, name: &str, range: f64| -> Result<f64, BatchError> {
            let text = record.get(col).ok_or_else(|| malformed(format!("{what}: no {name} value (column {})", col + 1)))?;
            let x: f64 = decimal(text, delimiter).parse().map_err(|_| malformed(format!("{what}: {name} '{text}' is not a number")))?;
            if !x.is_finite() || !(-range..=range).contains(&x) {
                return Err(malformed(format!("{what}: {name} '{text}' is outside -{range}…{range}")));
            }
            Ok(x)
        };
        points.push(LonLat::new(field(lon_col, "lon", 180.0)?, field(lat_col, "lat", 90.0)?));
        rows.push(record);
    }
    let width = header.iter().chain(&rows).map(csv::StringRecord::len).max().unwrap_or(0);
    Ok(BatchInput { shape: Shape::Csv, points, echo: Echo::Rows { header, rows, width, delimiter } })
}

impl BatchInput {
    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// What comes before the first answer (`meta` goes in a FeatureCollection).
    pub fn head(&self, atlas: &Atlas, meta: &Value) -> Vec<u8> {
        match &self.echo {
            Echo::Ids(_) => b"[".to_vec(),
            Echo::Features(_) => format!("{{\"type\":\"FeatureCollection\",\"meta\":{meta},\"features\":[").into_bytes(),
            Echo::Rows { header: Some(h), width, delimiter, .. } => {
                let mut w = csv::WriterBuilder::new().delimiter(*delimiter).from_writer(Vec::new());
                let _ = w.write_record(padded(h, *width).chain(FLAT_COLUMNS).chain(standing::columns::names(atlas)));
                w.into_inner().unwrap_or_default()
            }
            Echo::Rows { header: None, .. } => Vec::new(),
        }
    }

    pub fn tail(&self) -> &'static [u8] {
        match &self.echo {
            Echo::Ids(_) => b"\n]\n",
            Echo::Features(_) => b"\n]}\n",
            Echo::Rows { .. } => b"",
        }
    }

    /// Locates points `range` and writes their answers; the work is split across
    /// `threads` threads, each writing its share, joined in input order.
    pub fn answer_block(&self, atlas: &Atlas, edition: &EditionAtlas, as_of: AsOf, range: std::ops::Range<usize>, threads: usize) -> Vec<u8> {
        let threads = threads.clamp(1, 16);
        // Below a few hundred points a thread costs more than it saves.
        if threads == 1 || range.len() < 512 {
            return self.write_range(atlas, edition, as_of, range);
        }
        let step = range.len().div_ceil(threads);
        let parts: Vec<Vec<u8>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|k| {
                    let start = (range.start + k * step).min(range.end);
                    let end = (start + step).min(range.end);
                    s.spawn(move || self.write_range(atlas, edition, as_of, start..end))
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
        });
        parts.concat()
    }

    fn write_range(&self, atlas: &Atlas, edition: &EditionAtlas, as_of: AsOf, range: std::ops::Range<usize>) -> Vec<u8> {
        let mut out = Vec::with_capacity(range.len() * 256);
        let mut csv_out = match &self.echo {
            Echo::Rows { delimiter, .. } => Some(csv::WriterBuilder::new().delimiter(*delimiter).from_writer(Vec::with_capacity(range.len() * 128))),
            _ => None,
        };
        for i in range {
            let p = self.points[i];
            let found = edition.index.locate(p);
            match &self.echo {
                Echo::Ids(ids) => {
                    out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
                    let answer = PointOut {
                        lon: p.lon,
                        lat: p.lat,
                        id: ids[i].as_ref(),
                        commune: found.map(|c| facts(atlas, edition, c, as_of)),
                        criteria: found.filter(|_| edition.edition == crate::model::Edition::E2024).map(|c| {
                            let values = standing::columns::values(atlas, &edition.communes[c], as_of);
                            standing::columns::names(atlas).zip(values).map(|(n, v)| (n.to_string(), v.map_or(Value::Null, |s| json!(s)))).collect()
                        }),
                    };
                    let _ = serde_json::to_writer(&mut out, &answer);
                }
                Echo::Features(features) => {
                    out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
                    let mut f = features[i].clone();
                    let flat = flat_values(atlas, edition, found, as_of);
                    if !f.get("properties").is_some_and(Value::is_object) {
                        f["properties"] = json!({});
                    }
                    if let Some(props) = f["properties"].as_object_mut() {
                        for (name, v) in FLAT_COLUMNS.into_iter().chain(standing::columns::names(atlas)).zip(flat) {
                            props.insert(name.to_string(), v);
                        }
                    }
                    let _ = serde_json::to_writer(&mut out, &f);
                }
                Echo::Rows { rows, width, .. } => {
                    let flat = flat_values(atlas, edition, found, as_of);
                    let appended = flat.iter().map(|v| match v {
                        Value::Null => String::new(),
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    });
                    if let Some(w) = csv_out.as_mut() {
                        // Rows of one length only: the writer refuses a record whose
                        // length differs from the first one's (an answer lost).
                        let _ = w.write_record(padded(&rows[i], *width).map(str::to_string).chain(appended));
                    }
                }
            }
        }
        match csv_out {
            Some(w) => w.into_inner().unwrap_or_default(),
            None => out,
        }
    }
}

/// A CSV record's fields followed by empty ones up to `width`.
fn padded(record: &csv::StringRecord, width: usize) -> impl Iterator<Item = &str> {
    record.iter().chain(std::iter::repeat_n("", width.saturating_sub(record.len())))
}

/// One answer of a JSON array batch.
#[derive(serde::Serialize)]
struct PointOut<'a> {
    lon: f64,
    lat: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a Value>,
    commune: Option<super::CommuneFacts<'a>>,
    /// The criteria columns as an object (edition 2024 communes).
    #[serde(skip_serializing_if = "Option::is_none")]
    criteria: Option<serde_json::Map<String, Value>>,
}

/// The [`FLAT_COLUMNS`] and criteria column values of a located point (all null when in no
/// commune).
fn flat_values(atlas: &Atlas, edition: &EditionAtlas, found: Option<usize>, as_of: AsOf) -> Vec<Value> {
    let Some(i) = found else { return vec![Value::Null; FLAT_COLUMNS.len() + standing::columns::count(atlas)] };
    let c = &edition.communes[i];
    let district = c.district.and_then(|d| edition.districts.get(&d));
    let record = match edition.edition {
        crate::model::Edition::E2024 => standing::commune_level(atlas, c, as_of).record(),
        crate::model::Edition::E2025 => None,
    };
    let mut values = vec![
        json!(c.code.to_string()),
        json!(c.name),
        json!(c.kind.as_str()),
        district.map_or(Value::Null, |d| json!(d.code.to_string())),
        district.map_or(Value::Null, |d| json!(d.name)),
        json!(c.province.to_string()),
        edition.provinces.get(&c.province).map_or(Value::Null, |p| json!(p.name)),
        json!(standing::commune_key(atlas, edition, i, as_of).as_str()),
        record.map_or(Value::Null, |r| json!(r.year)),
        record.and_then(|r| r.criteria_met).map_or(Value::Null, |n| json!(n)),
    ];
    let criteria = match edition.edition {
        crate::model::Edition::E2024 => standing::columns::values(atlas, c, as_of),
        crate::model::Edition::E2025 => vec![None; standing::columns::count(atlas)],
    };
    values.extend(criteria.into_iter().map(|v| v.map_or(Value::Null, |s| json!(s))));
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_shapes() {
        assert_eq!(Shape::sniff(b"  [[1,2]]"), Shape::JsonArray);
        assert_eq!(Shape::sniff(b"\n{\"type\":\"FeatureCollection\"}"), Shape::FeatureCollection);
        assert_eq!(Shape::sniff(b"lon,lat\n1,2"), Shape::Csv);
        assert_eq!(Shape::sniff(b"\xEF\xBB\xBF[[1,2]]"), Shape::JsonArray);
    }

    #[test]
    fn csv_rows_are_counted_after_the_header_and_named_with_their_line() {
        let body = b"lon,lat,id\n105,21,a\n105,21,b\n105,abc,c\n";
        let Err(BatchError::Malformed(m)) = parse(Shape::Csv, body) else { panic!("accepted") };
        assert!(m.contains("CSV row 3 (line 4)") && m.contains("'abc'"), "{m}");
        let input = parse(Shape::Csv, b"105.5,21.5\n106,20,x\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(input.points, vec![LonLat::new(105.5, 21.5), LonLat::new(106.0, 20.0)]);
        // Lines ended by CR alone (Excel for Mac's "CSV (Macintosh)") are lines too.
        let Err(BatchError::Malformed(m)) = parse(Shape::Csv, b"lon,lat,id\r105,21,a\r105,21,b\r105,abc,c\r") else { panic!("accepted") };
        assert!(m.contains("CSV row 3 (line 4)"), "{m}");
    }

    #[test]
    fn csv_in_the_vietnamese_excel_form_is_read() {
        let body = "\u{feff}lon;lat;id\r\n105,85;21,03;a\r\n106;20,5;b\r\n".as_bytes();
        let input = parse(Shape::sniff(body), body).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(input.points, vec![LonLat::new(105.85, 21.03), LonLat::new(106.0, 20.5)]);
        let Err(BatchError::Malformed(m)) = parse(Shape::Csv, b"lon;lat\r\n105,8,5;21\r\n") else { panic!("accepted") };
        assert!(m.contains("'105,8,5'"), "{m}");
    }

    #[test]
    fn json_points_mix_arrays_and_objects() {
        let input = parse(Shape::JsonArray, br#"[[105,21],{"lon":106,"lat":20,"id":"x"}]"#).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(input.points.len(), 2);
        let Err(BatchError::Malformed(m)) = parse(Shape::JsonArray, br#"[[105,21],[105,"n"]]"#) else { panic!("accepted") };
        assert!(m.contains("point 1") && m.contains("\"n\""), "{m}");
    }
}
