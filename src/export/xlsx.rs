//! Writes a layer's rows as an Excel workbook, for readers who open the data in a
//! spreadsheet: a CSV file without a byte-order mark opens in Excel in the machine's
//! code page, and Vietnamese names come out garbled.
//!
//! Steps: 1. one sheet named after the layer, with the columns of the CSV export (no
//! polygons; points as `lon`/`lat`); 2. the header row bold, frozen, with a filter on
//! every column; 3. codes and other text as text (leading zeros kept), whole and decimal
//! numbers as numbers, empty values as empty cells; 4. columns sized to their contents;
//! 5. a fixed creation date (1 January 2000) in the document properties, so that the
//! bytes depend only on the data, as for the other formats (the API and `bando export`
//! give the same file).
//! The workbook is assembled in memory (a layer is at most about ten thousand rows) and
//! then copied out.

use super::{Table, Value};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};
use std::io::Write;

pub const MEDIA_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The workbook's bytes.
pub fn workbook(t: &Table<'_>) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    workbook.set_properties(&DocProperties::new().set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?));
    let sheet = workbook.add_worksheet();
    sheet.set_name(t.name)?;
    let bold = Format::new().set_bold();
    for (c, (name, _)) in t.columns.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *name, &bold)?;
    }
    for i in 0..t.len {
        let row = i as u32 + 1;
        for (c, value) in t.values(i).into_iter().enumerate() {
            let c = c as u16;
            match value {
                Value::Text(s) => sheet.write_string(row, c, s)?,
                Value::Int(n) => sheet.write_number(row, c, n as f64)?,
                Value::Float(x) => sheet.write_number(row, c, x)?,
                Value::Null => sheet,
            };
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    if let Some(last) = t.columns.len().checked_sub(1) {
        sheet.autofilter(0, 0, t.len as u32, last as u16)?;
    }
    sheet.autofit();
    workbook.save_to_buffer()
}

/// Writes the workbook to `out`.
pub fn write(t: &Table<'_>, out: &mut dyn Write) -> Result<(), super::ExportError> {
    out.write_all(&workbook(t)?)?;
    Ok(())
}
