//! Reads a CSV upload (one file holds one kind of record, told by its header) into a
//! [`Table`].
//!
//! Steps: 1. make every line end LF (CRLF, and a lone CR as Excel for Mac writes), then
//! refuse a physical line longer than [`MAX_CSV_LINE_BYTES`] before parsing (one scan);
//! 2. drop a UTF-8 byte-order mark; 3. take `;` as the delimiter when the header line has
//! more `;` than `,` (CSV as Excel saves it in a Vietnamese locale), else `,`; 4. tell the kind from the header
//! (and, for results, from the file name or the width of the codes); 5. keep every record
//! as text with its line. Decimal commas (`105,85`) are read in [`super::records`].

use super::cells::clean_text;
use super::layout::SheetContent;
use super::table::Table;
use super::UploadProblem;
use crate::model::RecordKind;

/// Longest line a CSV upload may have (a record of today's files is under 1 KB).
pub const MAX_CSV_LINE_BYTES: usize = 64 * 1024;

/// The delimiter of Excel's CSV in locales whose decimal separator is a comma.
const SEMICOLON: u8 = b';';

pub(crate) fn read_table(file_name: &str, bytes: &[u8]) -> Result<(Table, Vec<UploadProblem>), Vec<UploadProblem>> {
    let refuse = |en: String, vi: String| vec![UploadProblem::sheet(file_name, en, vi)];
    // Lines as an editor counts them (CRLF, LF or a lone CR, as Excel for Mac's "CSV
    // (Macintosh)" writes, each end one), for the length check and for the reader, which
    // numbers lines by LF alone: the report names the line a user sees.
    let bytes = &*crate::line_ends::to_lf(bytes);
    // 1. Line length, before any parsing.
    let mut start = 0usize;
    for (line, end) in bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i).chain([bytes.len()]).enumerate() {
        if end - start > MAX_CSV_LINE_BYTES {
            return Err(vec![UploadProblem {
                row: Some(line as u64 + 1),
                ..UploadProblem::sheet(
                    file_name,
                    format!("line {} is {} bytes long, more than the {MAX_CSV_LINE_BYTES} a line may have", line + 1, end - start),
                    format!("Dòng {} dài {} byte, vượt giới hạn {MAX_CSV_LINE_BYTES} byte một dòng", line + 1, end - start),
                )
            }]);
        }
        start = end + 1;
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let header_line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let count = |c: u8| header_line.iter().filter(|b| **b == c).count();
    let delimiter = if count(SEMICOLON) > count(b',') { SEMICOLON } else { b',' };
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(bytes);
    let mut raw = Vec::new();
    let mut problems = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line());
                return Err(vec![UploadProblem { row: line, ..UploadProblem::sheet(file_name, format!("malformed CSV: {e}"), format!("Tệp CSV bị lỗi định dạng: {e}")) }]);
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        let mut cells = Vec::with_capacity(record.len());
        for (i, field) in record.iter().enumerate() {
            match std::str::from_utf8(field) {
                Ok(text) => match clean_text(text) {
                    Ok(t) => cells.push(t),
                    Err(p) => {
                        problems.push(UploadProblem::cell(file_name, line, "", i as u32, p.en, p.vi, Some(text.chars().take(80).collect())));
                        cells.push(String::new());
                    }
                },
                Err(_) => {
                    problems.push(UploadProblem::cell(
                        file_name,
                        line,
                        "",
                        i as u32,
                        "not valid UTF-8 (save the file as “CSV UTF-8”)".into(),
                        "Không phải mã UTF-8 (hãy lưu tệp dạng “CSV UTF-8”)".into(),
                        Some(String::from_utf8_lossy(field).into_owned()),
                    ));
                    cells.push(String::new());
                }
            }
        }
        if cells.iter().all(String::is_empty) {
            continue;
        }
        raw.push((line, cells));
    }
    let header: Vec<String> = raw.first().map(|(_, c)| c.iter().map(|h| h.trim().to_lowercase()).collect()).unwrap_or_default();
    let Some(kind) = kind_of(file_name, &header, &raw) else {
        return Err(refuse(
            format!("cannot tell what this CSV holds from its header '{}' (expected the header of results-communes.csv, results-districts.csv, results-provinces.csv, criteria.csv, pilots.csv or tourism.csv)", header.join(",")),
            format!("Không nhận ra loại dữ liệu từ dòng tiêu đề '{}' (cần tiêu đề của một trong các tệp CSV hiện hành)", header.join(",")),
        ));
    };
    let table = Table::from_rows(file_name, SheetContent::Records(kind), raw).map_err(|p| vec![*p])?;
    for p in &mut problems {
        if let Some(i) = p.column_index {
            p.column = table.columns.get(i as usize).cloned();
        }
    }
    Ok((table, problems))
}

/// The kind of a CSV file from its header; results files are told apart by `criteria_met`
/// (commune results only), then by the file name (`district`, `huyen`, `province`), then by
/// the widest code (spreadsheets drop leading zeros, so the widest, not the first).
fn kind_of(file_name: &str, header: &[String], rows: &[(u64, Vec<String>)]) -> Option<RecordKind> {
    let has = |c: &str| header.iter().any(|h| h == c);
    if has("unit_code") && has("criterion") {
        return Some(RecordKind::Criteria);
    }
    if has("category") && has("commune_code") {
        return Some(RecordKind::Tourism);
    }
    if has("kind") && has("commune_code") {
        return Some(RecordKind::Pilot);
    }
    if !(has("code") && has("level")) {
        return None;
    }
    // Commune results are the only results with `criteria_met` (the loader requires it).
    if has("criteria_met") {
        return Some(RecordKind::CommuneResult);
    }
    let name = crate::text::fold(file_name);
    let words: Vec<&str> = name.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    if words.iter().any(|w| ["district", "districts", "huyen"].contains(w)) {
        return Some(RecordKind::DistrictResult);
    }
    if words.iter().any(|w| ["province", "provinces"].contains(w)) {
        return Some(RecordKind::ProvinceResult);
    }
    let code = header.iter().position(|h| h == "code")?;
    let widest = rows.iter().skip(1).filter_map(|(_, c)| c.get(code)).map(|c| c.trim().len()).max().unwrap_or(5);
    Some(match widest {
        0..=2 => RecordKind::ProvinceResult,
        3 => RecordKind::DistrictResult,
        _ => RecordKind::CommuneResult,
    })
}
