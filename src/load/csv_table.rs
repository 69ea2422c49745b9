//! Shared CSV plumbing for the result, place and crosswalk readers.
//!
//! Steps:
//! 1. read the header (line 1): columns are found by name (trimmed, any case, any order);
//!    extra columns are ignored; each missing required column is one file-level problem;
//! 2. read every record as bytes, so a record with invalid UTF-8 or the wrong number of
//!    fields becomes a problem naming its line instead of stopping the read;
//! 3. hand each record to the reader as a [`Row`], whose typed getters (codes, years,
//!    dates, criteria, positions) record a problem naming the line, field and value;
//! 4. check duplicate keys over the parsed rows, naming both lines.

use super::error::{LoadError, Location, Problem};
use crate::model::{LonLat, UnitCode, VIETNAM_EXTENT};
use std::collections::HashMap;
use std::fmt::Display;
use std::hash::Hash;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A value read from a CSV file, with the line it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Sourced<T> {
    /// 1-based line in the CSV file (the header is line 1).
    pub line: u64,
    pub value: T,
}

/// What a reader made of a file: the rows that read well, the problems of the others, and
/// the unit that each row it refused names in its own code cell. With the last, the checks
/// against the boundaries tell in the same report that a row with a bad date also names no
/// commune, instead of only once the date is fixed. `U` is what names a unit (for the
/// criteria, the code and the set that says what kind of unit it is).
#[derive(Debug)]
pub struct RowsRead<T, U = UnitCode> {
    pub rows: Vec<Sourced<T>>,
    pub problems: Vec<Problem>,
    pub unread_units: Vec<Sourced<U>>,
}

impl<T, U> RowsRead<T, U> {
    /// The rows, or every problem of the file.
    pub fn finish(self) -> Result<Vec<Sourced<T>>, LoadError> {
        LoadError::check(self.rows, self.problems)
    }
}

/// First and last years accepted for recognition and approval years.
pub const YEARS: std::ops::RangeInclusive<u16> = 2010..=2030;

/// The number of national NTM criteria (Decision 318/QĐ-TTg).
pub const CRITERIA: u8 = 19;

/// Opens a CSV file for [`Sheet::from_reader`]; a file that cannot be opened is a file problem.
pub(crate) fn open(path: &Path) -> Result<std::fs::File, LoadError> {
    std::fs::File::open(path)
        .map_err(|e| LoadError::one(Problem::new(path, Location::File, format!("cannot open: {e}"))))
}

/// A CSV file read into memory (these files are at most tens of thousands of rows).
pub(crate) struct Sheet {
    path: PathBuf,
    columns: HashMap<String, usize>,
    records: Vec<(u64, Vec<String>)>,
    problems: Vec<Problem>,
}

impl Sheet {
    /// Reads a CSV table from `input`; problems name `path` as their file. Fails at once
    /// (with one problem per column) when required columns are missing, since no row
    /// could then be read.
    pub fn from_reader(path: &Path, mut input: impl Read, required: &[&str]) -> Result<Sheet, LoadError> {
        let file_problem = |msg: String| LoadError::one(Problem::new(path, Location::File, msg));
        let mut bytes = Vec::new();
        input.read_to_end(&mut bytes).map_err(|e| file_problem(format!("cannot read: {e}")))?;
        // Lines as an editor counts them (a lone CR ends one), so problems name the line
        // a user sees.
        let bytes = crate::line_ends::to_lf(&bytes);
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(&*bytes);
        let mut record = csv::ByteRecord::new();
        let mut problems = Vec::new();

        let header_found =
            reader.read_byte_record(&mut record).map_err(|e| file_problem(format!("cannot read the header: {e}")))?;
        if !header_found {
            return Err(file_problem("the file is empty; a header row is required".into()));
        }
        let mut columns = HashMap::new();
        for (i, raw) in record.iter().enumerate() {
            let Ok(name) = std::str::from_utf8(raw) else {
                return Err(file_problem(format!("header column {} is not valid UTF-8", i + 1)));
            };
            let name = name.trim_start_matches('\u{feff}').trim().to_lowercase();
            if columns.insert(name.clone(), i).is_some() {
                problems.push(
                    Problem::new(path, Location::Line(1), "the column appears twice in the header").field(name, ""),
                );
            }
        }
        let width = record.len();
        let missing: Vec<Problem> = required
            .iter()
            .filter(|c| !columns.contains_key(**c))
            .map(|c| Problem::new(path, Location::File, format!("required column '{c}' is missing from the header")))
            .collect();
        if !missing.is_empty() {
            return Err(LoadError { problems: missing });
        }

        let mut records = Vec::new();
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    let location = e.position().map_or(Location::File, |p| Location::Line(p.line()));
                    problems.push(Problem::new(path, location, format!("unreadable, reading stopped: {e}")));
                    break;
                }
            }
            let line = record.position().map_or(0, |p| p.line());
            if record.len() != width {
                problems.push(Problem::new(
                    path,
                    Location::Line(line),
                    format!("{} fields where the header has {width}", record.len()),
                ));
                continue;
            }
            let mut fields = Vec::with_capacity(width);
            let mut bad_utf8 = None;
            for (i, raw) in record.iter().enumerate() {
                match std::str::from_utf8(raw) {
                    Ok(s) => fields.push(s.trim().to_string()),
                    Err(_) => {
                        bad_utf8.get_or_insert((i, String::from_utf8_lossy(raw).into_owned()));
                        fields.push(String::new());
                    }
                }
            }
            if let Some((i, lossy)) = bad_utf8 {
                let name = columns.iter().find(|(_, &c)| c == i).map(|(n, _)| n.clone()).unwrap_or_default();
                problems.push(
                    Problem::new(path, Location::Line(line), "not valid UTF-8 (save the file as UTF-8)")
                        .field(name, lossy),
                );
                continue;
            }
            records.push((line, fields));
        }
        Ok(Sheet { path: path.to_path_buf(), columns, records, problems })
    }

    /// Runs `parse` on every record; keeps the values it returns and all problems found.
    pub fn parse_rows<T>(self, mut parse: impl FnMut(&mut Row<'_>) -> Option<T>) -> Parsed<T> {
        let Sheet { path, columns, records, mut problems } = self;
        let mut rows = Vec::with_capacity(records.len());
        for (line, fields) in &records {
            let mut row = Row { path: &path, line: *line, columns: &columns, fields, problems: &mut problems };
            if let Some(value) = parse(&mut row) {
                rows.push(Sourced { line: *line, value });
            }
        }
        Parsed { path, rows, problems }
    }
}

impl Sheet {
    /// [`Sheet::parse_rows`], also reading with `unit` the unit of each row `parse`
    /// refuses (from the raw cells: `unit` records no problem; a code that does not read
    /// is `parse`'s to report).
    pub fn parse_rows_naming_units<T, U>(
        self,
        unit: impl Fn(&Row<'_>) -> Option<U>,
        mut parse: impl FnMut(&mut Row<'_>) -> Option<T>,
    ) -> (Parsed<T>, Vec<Sourced<U>>) {
        let mut unread = Vec::new();
        let parsed = self.parse_rows(|row| {
            let value = parse(row);
            if value.is_none() {
                if let Some(u) = unit(row) {
                    unread.push(Sourced { line: row.line, value: u });
                }
            }
            value
        });
        (parsed, unread)
    }
}

/// Rows read from a sheet, and the problems found so far.
pub(crate) struct Parsed<T> {
    pub path: PathBuf,
    pub rows: Vec<Sourced<T>>,
    pub problems: Vec<Problem>,
}

impl<T> Parsed<T> {
    /// Adds a problem for each row whose key was already used by an earlier row.
    pub fn no_duplicates<K: Hash + Eq>(
        &mut self,
        field: &str,
        key: impl Fn(&T) -> K,
        show: impl Fn(&T) -> String,
        what: &str,
    ) {
        let mut first: HashMap<K, u64> = HashMap::with_capacity(self.rows.len());
        for r in &self.rows {
            if let Some(&line) = first.get(&key(&r.value)) {
                self.problems.push(
                    Problem::new(&self.path, Location::Line(r.line), format!("duplicate {what}: also on line {line}"))
                        .field(field, show(&r.value)),
                );
            } else {
                first.insert(key(&r.value), r.line);
            }
        }
    }

    /// The rows, or every problem of the file sorted by line.
    pub fn finish(self) -> Result<Vec<Sourced<T>>, LoadError> {
        let (rows, problems) = self.into_parts();
        LoadError::check(rows, problems)
    }

    /// [`Parsed::into_parts`] with the units of the refused rows.
    pub fn into_read<U>(self, unread_units: Vec<Sourced<U>>) -> RowsRead<T, U> {
        let (rows, problems) = self.into_parts();
        RowsRead { rows, problems, unread_units }
    }

    /// The rows that read well and the problems of the others (sorted by line), so that
    /// checks across files can still run on the good rows and one report lists everything.
    pub fn into_parts(mut self) -> (Vec<Sourced<T>>, Vec<Problem>) {
        self.problems.sort_by_key(|p| match p.location {
            Location::File => 0,
            Location::Line(n) => n,
            Location::Feature(i) => i as u64,
        });
        (self.rows, self.problems)
    }
}

/// One record, with typed getters that record problems naming the line, field and value.
pub(crate) struct Row<'a> {
    path: &'a Path,
    line: u64,
    columns: &'a HashMap<String, usize>,
    fields: &'a [String],
    problems: &'a mut Vec<Problem>,
}

impl<'a> Row<'a> {
    /// The record's 1-based line (the header is line 1).
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The trimmed text of a column; "" when the (optional) column is absent.
    pub fn text(&self, column: &str) -> &'a str {
        let fields: &'a [String] = self.fields;
        self.columns.get(column).and_then(|&i| fields.get(i)).map_or("", |s| s.as_str())
    }

    /// Records a problem on this line.
    pub fn fail(&mut self, column: &str, value: &str, message: impl Into<String>) {
        self.problems.push(Problem::new(self.path, Location::Line(self.line), message).field(column, value));
    }

    /// Non-empty text.
    pub fn required(&mut self, column: &str) -> Option<&'a str> {
        let t = self.text(column);
        if t.is_empty() {
            self.fail(column, t, format!("{column} is required"));
            None
        } else {
            Some(t)
        }
    }

    /// Non-empty text or None.
    pub fn optional_text(&self, column: &str) -> Option<String> {
        Some(self.text(column)).filter(|t| !t.is_empty()).map(str::to_string)
    }

    /// A required value parsed by `parse`, whose error message is reported.
    pub fn parse<T, E: Display>(&mut self, column: &str, parse: impl FnOnce(&str) -> Result<T, E>) -> Option<T> {
        let t = self.required(column)?;
        match parse(t) {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(column, t, e.to_string());
                None
            }
        }
    }

    /// An optional value: `Some(None)` when empty, `None` when present but invalid.
    pub fn parse_optional<T, E: Display>(
        &mut self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<Option<T>> {
        if self.text(column).is_empty() {
            Some(None)
        } else {
            self.parse(column, parse).map(Some)
        }
    }

    /// A year in [`YEARS`].
    pub fn year(&mut self, column: &str) -> Option<u16> {
        self.parse(column, parse_year)
    }

    pub fn optional_year(&mut self, column: &str) -> Option<Option<u16>> {
        self.parse_optional(column, parse_year)
    }

    /// An ISO date `YYYY-MM-DD`, or None when empty.
    pub fn optional_date(&mut self, column: &str) -> Option<Option<String>> {
        self.parse_optional(column, |t| parse_date(t).map(|()| t.to_string()))
    }

    /// A number of criteria met, 0 to 19, or None when empty.
    pub fn optional_criteria(&mut self, column: &str) -> Option<Option<u8>> {
        self.parse_optional(column, |t| match t.parse::<u8>() {
            Ok(n) if n <= CRITERIA => Ok(n),
            _ => Err(format!("criteria met must be a whole number from 0 to {CRITERIA}")),
        })
    }

    /// A position from the `lon` and `lat` columns: both empty is None; one empty, a
    /// non-number or a point outside Vietnam's extent is a problem naming the column.
    pub fn optional_position(&mut self) -> Option<Option<LonLat>> {
        let [x0, y0, x1, y1] = VIETNAM_EXTENT;
        let (lon, lat) = (self.text("lon"), self.text("lat"));
        match (lon.is_empty(), lat.is_empty()) {
            (true, true) => return Some(None),
            (true, false) => {
                self.fail("lon", lon, "lon is empty but lat is given: give both or neither");
                return None;
            }
            (false, true) => {
                self.fail("lat", lat, "lat is empty but lon is given: give both or neither");
                return None;
            }
            (false, false) => {}
        }
        let lon = self.parse("lon", |t| parse_degrees(t, x0..=x1, "lon"));
        let lat = self.parse("lat", |t| parse_degrees(t, y0..=y1, "lat"));
        Some(Some(LonLat::new(lon?, lat?)))
    }
}

fn parse_year(t: &str) -> Result<u16, String> {
    match t.parse::<u16>() {
        Ok(y) if YEARS.contains(&y) => Ok(y),
        Ok(_) => Err(format!("year must be from {} to {}", YEARS.start(), YEARS.end())),
        Err(_) => Err("not a year (a 4-digit number expected)".to_string()),
    }
}

/// Checks `YYYY-MM-DD` with real month lengths (leap years included); also used for
/// dates in query strings.
pub fn parse_date(t: &str) -> Result<(), String> {
    crate::model::Day::parse(t).map(|_| ()).map_err(|e| e.reason)
}

pub(crate) fn parse_degrees(t: &str, range: std::ops::RangeInclusive<f64>, what: &str) -> Result<f64, String> {
    match t.parse::<f64>() {
        Ok(v) if !v.is_finite() => Err(format!("{what} is not a finite number")),
        Ok(v) if !range.contains(&v) => Err(format!(
            "{what} is outside Vietnam's extent ({} to {}); swapped lon/lat or not WGS84 degrees?",
            range.start(),
            range.end()
        )),
        Ok(v) => Ok(v),
        Err(_) => Err(format!("{what} is not a number (decimal degrees expected, with a '.' decimal point)")),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    /// Writes `content` (bytes, so invalid UTF-8 can be tested) to a temporary file.
    pub fn csv_file(name: &str, content: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("bando-csv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::File::create(&path).unwrap().write_all(content).unwrap();
        path
    }

    /// Asserts that `e` has a problem on `line` naming `field` and `value` whose text
    /// contains `message` and the file name; returns it.
    pub fn assert_problem<'e>(e: &'e LoadError, line: u64, field: &str, value: &str, message: &str) -> &'e Problem {
        let p = e
            .problems
            .iter()
            .find(|p| p.location == Location::Line(line) && p.field.as_deref() == Some(field))
            .unwrap_or_else(|| panic!("no problem on line {line} field {field} in:\n{e}"));
        assert_eq!(p.value.as_deref(), Some(value), "{p}");
        let text = p.to_string();
        assert!(text.contains(message), "{text} lacks {message}");
        let name = p.file.file_name().unwrap().to_str().unwrap();
        assert!(text.contains(&format!("{name}:{line}: field '{field}' = '{value}'")), "{text}");
        p
    }

    fn names(path: &Path, required: &[&str]) -> Result<Vec<Sourced<String>>, LoadError> {
        Sheet::from_reader(path, open(path)?, required)?.parse_rows(|r| r.required("name").map(str::to_string)).finish()
    }

    #[test]
    fn columns_are_found_by_name_in_any_order_and_case() {
        let path = csv_file("cols.csv", "\u{feff}Extra, NAME ,id\nx, Hà Nội ,1\n".as_bytes());
        let rows = names(&path, &["id", "name"]).unwrap();
        assert_eq!(rows, vec![Sourced { line: 2, value: "Hà Nội".to_string() }]);
    }

    #[test]
    fn each_missing_column_is_a_file_problem() {
        let path = csv_file("missing.csv", b"id\n1\n");
        let e = names(&path, &["id", "name", "year"]).unwrap_err();
        assert_eq!(e.problems.len(), 2);
        assert!(e.problems.iter().all(|p| p.location == Location::File));
        assert!(e.to_string().contains("missing.csv: required column 'name' is missing"), "{e}");
        assert!(e.to_string().contains("'year'"), "{e}");
    }

    #[test]
    fn wrong_field_count_and_bad_utf8_name_the_line_and_all_come_together() {
        let path = csv_file("bytes.csv", b"id,name\n1,a\n2,b,extra\n3,\xff\xfe\n4,\n");
        let e = names(&path, &["id", "name"]).unwrap_err();
        assert_eq!(e.problems.len(), 3, "{e}");
        let text = e.to_string();
        assert!(text.contains("bytes.csv:3: 3 fields where the header has 2"), "{text}");
        assert!(text.contains("bytes.csv:4: field 'name' = '\u{fffd}\u{fffd}': not valid UTF-8"), "{text}");
        assert_problem(&e, 5, "name", "", "name is required");
    }

    #[test]
    fn lines_end_as_an_editor_shows_them_whatever_ends_them() {
        // CR alone (Excel for Mac's "CSV (Macintosh)"), then CRLF and LF mixed.
        for (name, text) in [("mac.csv", "id,name\r1,\r2,b\r3,\r"), ("mixed.csv", "id,name\r\n1,\r2,b\n3,\r\n")] {
            let e = names(&csv_file(name, text.as_bytes()), &["id", "name"]).unwrap_err();
            assert_problem(&e, 2, "name", "", "name is required");
            assert_problem(&e, 4, "name", "", "name is required");
            assert_eq!(e.problems.len(), 2, "{e}");
        }
    }

    #[test]
    fn empty_file_needs_a_header() {
        let e = names(&csv_file("empty.csv", b""), &["name"]).unwrap_err();
        assert!(e.to_string().contains("empty.csv: the file is empty"), "{e}");
    }

    #[test]
    fn dates_are_checked_for_real_months_and_days() {
        assert!(parse_date("2024-02-29").is_ok());
        assert!(parse_date("2023-02-29").unwrap_err().contains("day 29"));
        assert!(parse_date("2023-13-01").unwrap_err().contains("month 13"));
        assert!(parse_date("2023-04-31").is_err());
        assert!(parse_date("2023-4-1").is_err());
        assert!(parse_date("31/12/2023").is_err());
        assert!(parse_date("2023-00-10").is_err());
        assert!(parse_date("2023-01-00").is_err());
    }

    #[test]
    fn degrees_are_numbers_inside_the_extent() {
        assert_eq!(parse_degrees("105.8", 101.5..=118.5, "lon"), Ok(105.8));
        assert!(parse_degrees("NaN", 101.5..=118.5, "lon").unwrap_err().contains("finite"));
        assert!(parse_degrees("inf", 101.5..=118.5, "lon").unwrap_err().contains("finite"));
        assert!(parse_degrees("105,8", 101.5..=118.5, "lon").unwrap_err().contains("not a number"));
        assert!(parse_degrees("21.0", 101.5..=118.5, "lon").unwrap_err().contains("outside"));
    }
}
