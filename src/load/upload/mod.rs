//! Uploads: an office's workbook (or one of today's CSV files) read into records, or a
//! report of every problem in it, in Vietnamese and English.
//!
//! Steps ([`read_upload`]):
//! 1. refuse a file over [`MAX_UPLOAD_BYTES`] before reading it;
//! 2. an .xlsx (zip) file: refuse hostile archives and sheets ([`guard`]: zip bombs,
//!    declared dimensions to row 1,048,576, formulas without a cached value), then read its
//!    data sheets by name ([`layout::DATA_SHEETS`]) with calamine's cell iterator; a CSV
//!    file: refuse over-long lines, then read it in either locale's form (`,` or `;`,
//!    BOM, CRLF or a lone CR) and tell its kind from its header;
//! 3. turn rows into records of the flat [`Record`] shape (wide criteria rows into the
//!    long rows of `criteria.csv`), skipping rows that only name a unit;
//! 4. check them with the loaders and the atlas's reference checks, then the uploader's
//!    [`UploadScope`], and refuse duplicate keys naming both rows;
//! 5. return every record with its origin, or every problem found, sorted by sheet, row
//!    and column. Nothing is half-accepted.
//!
//! Limits (each refused with a problem, in bounded time and memory): [`MAX_UPLOAD_BYTES`];
//! [`guard::MAX_ZIP_ENTRIES`] parts, [`guard::MAX_INFLATED_BYTES`] inflated,
//! [`guard::MAX_RATIO`] compression ratio; [`guard::MAX_SHEET_ROWS`] rows and
//! [`guard::MAX_SHEET_COLUMNS`] columns per sheet; [`csv_input::MAX_CSV_LINE_BYTES`] per
//! CSV line; [`cells::MAX_CELL_CHARS`] per cell.

pub mod cells;
mod check;
pub mod csv_input;
pub mod guard;
pub mod layout;
mod messages;
mod records;
pub mod scope;
mod table;
mod xlsx;

pub use cells::number_text;
pub use csv_input::MAX_CSV_LINE_BYTES;
pub use layout::{SheetContent, SheetSpec, DATA_SHEETS, GUIDE_SHEET, LISTS_SHEET, UNITS_SHEET};
pub use scope::{province_units, ProvinceUnits, UploadScope};

use crate::atlas::Atlas;
use crate::model::{Record, RecordKind};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// Largest upload accepted (a province's whole workbook is 1–3 MB).
pub const MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;

/// Where a record came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// The sheet's name, or the CSV file's name.
    pub sheet: String,
    /// 1-based sheet row (or CSV line).
    pub row: u64,
}

/// One record of an upload and its origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UploadRecord {
    pub record: Record,
    pub origin: Origin,
}

/// A valid upload: its records by kind, in sheet and row order (a wide criteria row gives
/// one record per item, all with that row as origin).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Upload {
    pub file_name: String,
    pub records: BTreeMap<RecordKind, Vec<UploadRecord>>,
}

impl Upload {
    /// The records of one kind.
    pub fn records(&self, kind: RecordKind) -> impl Iterator<Item = &Record> {
        self.records.get(&kind).into_iter().flatten().map(|r| &r.record)
    }

    /// How many records the upload holds.
    pub fn len(&self) -> usize {
        self.records.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One problem of an upload.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UploadProblem {
    /// The sheet's name, or the file's name for a CSV file or the whole workbook.
    pub sheet: String,
    /// 1-based sheet row or CSV line; none for the whole sheet or file.
    pub row: Option<u64>,
    /// The column's name as the header writes it (`level`, `8.4`).
    pub column: Option<String>,
    /// Excel's reference of the cell (`D12`).
    pub cell: Option<String>,
    /// The offending value as found.
    pub value: Option<String>,
    pub message_vi: String,
    pub message_en: String,
    /// 0-based column, for ordering and for naming the column once the header is known.
    #[serde(skip)]
    pub(crate) column_index: Option<u32>,
}

impl UploadProblem {
    /// A problem of a whole sheet or file.
    pub(crate) fn sheet(sheet: &str, en: String, vi: String) -> UploadProblem {
        UploadProblem { sheet: sheet.to_string(), row: None, column: None, cell: None, value: None, message_vi: vi, message_en: en, column_index: None }
    }

    /// A problem of one cell.
    pub(crate) fn cell(sheet: &str, row: u64, column: &str, index: u32, en: String, vi: String, value: Option<String>) -> UploadProblem {
        UploadProblem {
            sheet: sheet.to_string(),
            row: Some(row),
            column: (!column.is_empty()).then(|| column.to_string()),
            cell: Some(format!("{}{row}", layout::column_letters(index))),
            value,
            message_vi: vi,
            message_en: en,
            column_index: Some(index),
        }
    }

    /// Drops the cell reference when the column is not in the sheet (a missing column).
    pub(crate) fn with_column_known(mut self, known: bool) -> UploadProblem {
        if !known {
            self.cell = None;
            self.column_index = None;
        }
        self
    }
}

impl fmt::Display for UploadProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.sheet)?;
        match (&self.cell, self.row) {
            (Some(cell), _) => write!(f, "!{cell}")?,
            (None, Some(row)) => write!(f, " row {row}")?,
            _ => {}
        }
        if let Some(column) = &self.column {
            write!(f, " [{column}]")?;
        }
        if let Some(value) = &self.value {
            write!(f, " = '{value}'")?;
        }
        write!(f, ": {} / {}", self.message_vi, self.message_en)
    }
}

/// Every problem of an upload. Never empty.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
pub struct UploadReport {
    pub file_name: String,
    pub problems: Vec<UploadProblem>,
}

impl fmt::Display for UploadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        writeln!(f, "{}: {n} problem{} found / {n} lỗi:", self.file_name, if n == 1 { "" } else { "s" })?;
        for p in &self.problems {
            writeln!(f, "  {p}")?;
        }
        Ok(())
    }
}

/// Reads an upload against the published atlas; see the module doc for the steps.
pub fn read_upload(file_name: &str, bytes: &[u8], atlas: &Atlas, scope: &UploadScope) -> Result<Upload, UploadReport> {
    let report = |problems: Vec<UploadProblem>| UploadReport { file_name: file_name.to_string(), problems };
    let whole = |en: String, vi: String| report(vec![UploadProblem::sheet(file_name, en, vi)]);
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(whole(
            format!("the file is {} bytes, more than the {MAX_UPLOAD_BYTES} bytes ({} MB) an upload may have", bytes.len(), MAX_UPLOAD_BYTES >> 20),
            format!("Tệp có {} byte, vượt giới hạn {MAX_UPLOAD_BYTES} byte ({} MB) cho một lần tải lên", bytes.len(), MAX_UPLOAD_BYTES >> 20),
        ));
    }
    let lower = file_name.to_lowercase();
    let (tables, mut problems) = if bytes.starts_with(b"PK") {
        xlsx::read_tables(file_name, bytes).map_err(report)?
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) || lower.ends_with(".xls") {
        return Err(whole(
            "an Excel 97–2003 (.xls) file: save it as an .xlsx workbook or CSV UTF-8".into(),
            "Tệp Excel 97–2003 (.xls): hãy lưu lại dạng sổ tính .xlsx hoặc CSV UTF-8".into(),
        ));
    } else if lower.ends_with(".xlsx") || lower.ends_with(".xlsm") {
        return Err(whole("the file is named .xlsx but is not a zip archive: it is not an Excel workbook".into(), "Tệp có đuôi .xlsx nhưng không phải sổ tính Excel".into()));
    } else {
        csv_input::read_table(file_name, bytes).map(|(t, p)| (vec![t], p)).map_err(report)?
    };
    let candidates = records::candidates(&tables, &atlas.criteria.catalog, &mut problems);
    let scope = scope::ScopeCheck::new(atlas, scope);
    let checked = check::check(&tables, candidates, atlas, &scope, &mut problems);
    if problems.is_empty() {
        return Ok(Upload { file_name: file_name.to_string(), records: checked.into_iter().filter(|(_, r)| !r.is_empty()).collect() });
    }
    Err(report(sorted(problems, &tables)))
}

/// Problems by sheet (workbook order), row and column; one per cell (the first found, the
/// most basic: a cell that cannot be read is not also reported as a bad level).
fn sorted(mut problems: Vec<UploadProblem>, tables: &[table::Table]) -> Vec<UploadProblem> {
    let rank = |sheet: &str| tables.iter().position(|t| t.sheet == sheet).unwrap_or(usize::MAX);
    problems.sort_by_key(|p| (rank(&p.sheet), p.row.unwrap_or(0), p.column_index.unwrap_or(0)));
    let mut seen = std::collections::HashSet::new();
    problems.retain(|p| p.cell.is_none() || seen.insert((p.sheet.clone(), p.cell.clone())));
    problems
}
