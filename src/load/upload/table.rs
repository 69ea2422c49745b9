//! A sheet read into text: the one shape both XLSX sheets and CSV files become before
//! their rows are turned into records.
//!
//! Steps ([`Table::from_rows`]): 1. find the row of column names among the first rows (the
//! first that holds every required column); 2. keep, for every later row, the text of
//! each named column; rows above the names (Vietnamese labels) are not data.

use super::layout::{required_columns, SheetContent, CONTEXT_PREFIX, HEADER_SEARCH_ROWS};
use super::UploadProblem;

/// One sheet (or CSV file) as text.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    /// The sheet name, or the CSV file's name.
    pub sheet: String,
    pub content: SheetContent,
    /// Column names, lower case, trimmed; context columns are kept but never read.
    pub columns: Vec<String>,
    /// Data rows: the 1-based row (sheet row or CSV line) and one text per column.
    pub rows: Vec<(u64, Vec<String>)>,
}

impl Table {
    /// Builds a table from raw rows (1-based row number, cells by 0-based column);
    /// `Err` names the missing columns.
    pub fn from_rows(sheet: &str, content: SheetContent, raw: Vec<(u64, Vec<String>)>) -> Result<Table, Box<UploadProblem>> {
        let required = required_columns(content);
        let normal = |c: &str| c.trim().trim_start_matches('\u{feff}').to_lowercase();
        let header_at = raw.iter().take(HEADER_SEARCH_ROWS as usize).position(|(_, cells)| {
            let names: Vec<String> = cells.iter().map(|c| normal(c)).collect();
            required.iter().all(|r| names.iter().any(|n| n == r))
        });
        let Some(header_at) = header_at else {
            let first = raw.first().map(|(_, c)| c.iter().filter(|c| !c.is_empty()).cloned().collect::<Vec<_>>().join(", ")).unwrap_or_default();
            return Err(Box::new(UploadProblem::sheet(
                sheet,
                format!(
                    "no row among the first {HEADER_SEARCH_ROWS} holds the column names {} (first row: '{first}'); keep the template's row of column names",
                    required.join(", ")
                ),
                format!(
                    "Không tìm thấy dòng tên cột ({}) trong {HEADER_SEARCH_ROWS} dòng đầu (dòng đầu: '{first}'); hãy giữ nguyên dòng tên cột của mẫu",
                    required.join(", ")
                ),
            )));
        };
        let mut rows = raw;
        let header = rows.drain(..=header_at).next_back().map(|(_, c)| c).unwrap_or_default();
        let columns: Vec<String> = header.iter().map(|c| normal(c)).collect();
        for (_, cells) in &mut rows {
            cells.resize(columns.len(), String::new());
        }
        Ok(Table { sheet: sheet.to_string(), content, columns, rows })
    }

    /// The index of a (non-context) column.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name && !c.starts_with(CONTEXT_PREFIX))
    }
}
