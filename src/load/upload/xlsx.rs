//! Reads an .xlsx upload's data sheets into [`Table`]s.
//!
//! Steps: 1. [`super::guard::inspect`] refuses hostile archives and scans each sheet's XML;
//! 2. calamine opens the workbook; every sheet must be one of the template's (a data,
//! guide, units or lists sheet) or be empty, so a renamed sheet is a problem naming the
//! expected sheets, never data skipped in silence; 3. each data sheet is read with
//! calamine's cell iterator (sparse: no grid is allocated from the sheet's dimension),
//! keeping the first [`guard::MAX_SHEET_COLUMNS`] columns; 4. formula cells count by their
//! cached value, and those without one are problems.

use super::cells::cell_text;
use super::guard::{self, Inspection};
use super::layout::{column_letters, expected_sheet_names, is_reference_sheet, sheet_spec};
use super::table::Table;
use super::UploadProblem;
use calamine::{Reader, Xlsx};
use std::collections::BTreeMap;
use std::io::Cursor;

/// The data sheets of a workbook, and the problems of its cells.
pub(crate) fn read_tables(file_name: &str, bytes: &[u8]) -> Result<(Vec<Table>, Vec<UploadProblem>), Vec<UploadProblem>> {
    let inspection: Inspection = guard::inspect(bytes).map_err(|r| {
        vec![UploadProblem::sheet(r.sheet.as_deref().unwrap_or(file_name), r.en, r.vi)]
    })?;
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        vec![UploadProblem::sheet(file_name, format!("not a readable .xlsx workbook: {e}"), format!("Không đọc được sổ tính .xlsx: {e}"))]
    })?;
    let mut tables = Vec::new();
    let mut problems = Vec::new();
    let names = workbook.sheet_names();
    for name in &names {
        let scan = inspection.sheets.get(name).cloned().unwrap_or_default();
        let Some(spec) = sheet_spec(name) else {
            if !is_reference_sheet(name) && scan.rows > 0 {
                problems.push(UploadProblem::sheet(
                    name,
                    format!("'{name}' is not a sheet of the template; name each sheet as the template does: {}", expected_sheet_names()),
                    format!("Trang tính '{name}' không thuộc mẫu; hãy đặt tên trang tính đúng như mẫu: {}", expected_sheet_names()),
                ));
            }
            continue;
        };
        let mut raw: BTreeMap<u32, Vec<String>> = BTreeMap::new();
        let mut cells = match workbook.worksheet_cells_reader(name) {
            Ok(c) => c,
            Err(e) => {
                problems.push(UploadProblem::sheet(name, format!("the sheet cannot be read: {e}"), format!("Không đọc được trang tính: {e}")));
                continue;
            }
        };
        let mut cell_problems = Vec::new();
        loop {
            let cell = match cells.next_cell() {
                Ok(Some(c)) => c,
                Ok(None) => break,
                Err(e) => {
                    cell_problems.push(UploadProblem::sheet(name, format!("the sheet cannot be read: {e}"), format!("Không đọc được trang tính: {e}")));
                    break;
                }
            };
            let (row, col) = cell.get_position();
            if col >= guard::MAX_SHEET_COLUMNS || row >= guard::MAX_SHEET_ROWS {
                continue;
            }
            let text = match cell_text(cell.get_value()) {
                Ok(t) => t,
                Err(p) => {
                    cell_problems.push(UploadProblem::cell(name, u64::from(row) + 1, &column_letters(col), col, p.en, p.vi, None));
                    continue;
                }
            };
            if text.is_empty() {
                continue;
            }
            let cells = raw.entry(row).or_default();
            if cells.len() <= col as usize {
                cells.resize(col as usize + 1, String::new());
            }
            cells[col as usize] = text;
        }
        let rows: Vec<(u64, Vec<String>)> = raw.into_iter().map(|(r, c)| (u64::from(r) + 1, c)).collect();
        match Table::from_rows(name, spec.content, rows) {
            Ok(table) => {
                let header = |col: u32| table.columns.get(col as usize).filter(|c| !c.is_empty()).cloned().unwrap_or_else(|| column_letters(col));
                for p in &mut cell_problems {
                    if let Some(col) = p.column_index {
                        p.column = Some(header(col));
                    }
                }
                for &(row, col) in &scan.formulas_without_value {
                    cell_problems.push(UploadProblem::cell(
                        name,
                        u64::from(row) + 1,
                        &header(col),
                        col,
                        "a formula without a computed value: formulas are never evaluated; open and save the file in Excel, or type the value".into(),
                        "Công thức chưa có giá trị đã tính: hệ thống không tính công thức; hãy mở và lưu tệp bằng Excel, hoặc nhập giá trị".into(),
                        None,
                    ));
                }
                tables.push(table);
            }
            Err(p) => problems.push(*p),
        }
        problems.extend(cell_problems);
    }
    if tables.is_empty() && problems.is_empty() {
        problems.push(UploadProblem::sheet(
            file_name,
            format!("the workbook has none of the template's data sheets (sheets found: {}); expected: {}", names.join(", "), expected_sheet_names()),
            format!("Sổ tính không có trang dữ liệu nào của mẫu (các trang có: {}); cần: {}", names.join(", "), expected_sheet_names()),
        ));
    }
    Ok((tables, problems))
}
