//! Refuses hostile workbooks before anything large is allocated, and streams each sheet's
//! XML once to learn what calamine would otherwise find out the hard way.
//!
//! Steps: 1. read the end-of-central-directory record by hand: the entry count must be
//! small and the archive not zip64 (a workbook under [`super::MAX_UPLOAD_BYTES`] never
//! needs it); 2. read the central directory ([`zip::ZipArchive`]) and check every entry's
//! declared uncompressed size, the total, and the compression ratio; 3. inflate every entry
//! through a counter that stops at the declared size and at the total budget, so a
//! directory that lies is caught by the bytes actually inflated; 4. while inflating each
//! worksheet, read its XML as a stream: the declared `<dimension>`, the number of rows,
//! and the cells holding a formula without a cached value (nothing is evaluated).
//! Only a workbook that passes all of this is handed to calamine, which then inflates
//! the same bounded parts again.

use super::layout::column_letters;
use quick_xml::events::Event;
use std::collections::HashMap;
use std::io::{Cursor, Read};

/// Most entries (parts) a workbook may have; Excel writes a few dozen.
pub const MAX_ZIP_ENTRIES: usize = 1_000;
/// Most bytes all parts may inflate to together.
pub const MAX_INFLATED_BYTES: u64 = 200 * 1024 * 1024;
/// Highest compression ratio accepted for a part larger than [`RATIO_FLOOR`] (sheet XML
/// compresses 5–30×; a zip bomb, thousands ×).
pub const MAX_RATIO: u64 = 200;
const RATIO_FLOOR: u64 = 1024 * 1024;
/// Most rows a sheet may declare or hold.
pub const MAX_SHEET_ROWS: u32 = 100_000;
/// Most columns a sheet may declare.
pub const MAX_SHEET_COLUMNS: u32 = 256;

/// Why a workbook was refused: English and Vietnamese, and the sheet when there is one.
#[derive(Debug, Clone)]
pub(crate) struct Refusal {
    pub sheet: Option<String>,
    pub en: String,
    pub vi: String,
}

fn refuse(en: String, vi: String) -> Refusal {
    Refusal { sheet: None, en, vi }
}

/// What the inspection learnt about one worksheet.
#[derive(Debug, Clone, Default)]
pub(crate) struct SheetScan {
    pub rows: u32,
    /// 0-based (row, column) of formula cells without a cached value.
    pub formulas_without_value: Vec<(u32, u32)>,
}

/// What the inspection learnt about the workbook: per sheet name, its scan.
#[derive(Debug, Default)]
pub(crate) struct Inspection {
    pub sheets: HashMap<String, SheetScan>,
}

/// Inspects an .xlsx archive; `Err` when it must not be opened.
pub(crate) fn inspect(bytes: &[u8]) -> Result<Inspection, Refusal> {
    let entries = end_of_central_directory(bytes)?;
    if entries > MAX_ZIP_ENTRIES as u64 {
        return Err(refuse(
            format!("the archive has {entries} parts; a workbook has at most {MAX_ZIP_ENTRIES}"),
            format!("Tệp nén có {entries} thành phần; một sổ tính có tối đa {MAX_ZIP_ENTRIES}"),
        ));
    }
    let unreadable = |e: zip::result::ZipError| {
        refuse(format!("not a readable .xlsx workbook: {e}"), format!("Không đọc được tệp .xlsx: {e}"))
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    // 2. Declared sizes.
    let mut declared_total = 0u64;
    let mut declared = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(unreadable)?;
        let (size, packed) = (entry.size(), entry.compressed_size().max(1));
        declared_total = declared_total.saturating_add(size);
        if size > RATIO_FLOOR && size / packed > MAX_RATIO {
            return Err(refuse(
                format!("part {} would inflate {}× (from {packed} to {size} bytes): refused as a zip bomb", entry.name(), size / packed),
                format!("Thành phần {} giãn nở {} lần (từ {packed} lên {size} byte): bị từ chối (zip bomb)", entry.name(), size / packed),
            ));
        }
        declared.push((entry.name().to_string(), size));
    }
    if declared_total > MAX_INFLATED_BYTES {
        return Err(too_big(declared_total));
    }
    // 3–4. Inflate under the caps, scanning the worksheets.
    let names = sheet_paths(&mut archive)?;
    let mut inspection = Inspection::default();
    let mut budget = MAX_INFLATED_BYTES;
    for (i, (name, size)) in declared.iter().enumerate() {
        let entry = archive.by_index(i).map_err(unreadable)?;
        let mut capped = Capped { inner: entry, left: (*size).min(budget), declared: *size, used: 0, over: false };
        let scanned = match names.get(name.as_str()) {
            Some(sheet) => scan_sheet(&mut capped).map_err(|mut r| {
                r.sheet = Some(sheet.clone());
                r
            }).map(|scan| Some((sheet.clone(), scan))),
            None => std::io::copy(&mut capped, &mut std::io::sink()).map(|_| None).map_err(|e| {
                refuse(format!("part {name} cannot be inflated: {e}"), format!("Không giải nén được thành phần {name}: {e}"))
            }),
        };
        if capped.over {
            return Err(refuse(
                format!("part {name} inflates beyond its declared {size} bytes or the {MAX_INFLATED_BYTES}-byte budget: refused as a zip bomb"),
                format!("Thành phần {name} giãn nở vượt kích thước khai báo ({size} byte) hoặc giới hạn {MAX_INFLATED_BYTES} byte: bị từ chối (zip bomb)"),
            ));
        }
        if let Some((sheet, scan)) = scanned? {
            inspection.sheets.insert(sheet, scan);
        }
        budget = budget.saturating_sub(capped.used);
    }
    Ok(inspection)
}

fn too_big(total: u64) -> Refusal {
    refuse(
        format!("the workbook would inflate to {total} bytes, more than the {MAX_INFLATED_BYTES} accepted: refused as a zip bomb"),
        format!("Sổ tính giãn nở tới {total} byte, vượt giới hạn {MAX_INFLATED_BYTES} byte: bị từ chối (zip bomb)"),
    )
}

/// The entry count of the end-of-central-directory record, read by hand so that a forged
/// directory is refused before the zip reader allocates an entry table for it.
fn end_of_central_directory(bytes: &[u8]) -> Result<u64, Refusal> {
    const SIGNATURE: [u8; 4] = [0x50, 0x4b, 0x05, 0x06];
    let not_zip = || refuse("not a .xlsx workbook: no zip directory found".into(), "Không phải tệp .xlsx: không tìm thấy danh mục nén".into());
    if bytes.len() < 22 {
        return Err(not_zip());
    }
    // The record is 22 bytes plus a comment of at most 65,535 bytes, at the very end.
    let earliest = bytes.len().saturating_sub(22 + 65_535);
    let at = (earliest..=bytes.len() - 22).rev().find(|&i| bytes[i..i + 4] == SIGNATURE).ok_or_else(not_zip)?;
    let total = u16::from_le_bytes([bytes[at + 10], bytes[at + 11]]);
    if total == 0xFFFF {
        return Err(refuse(
            "zip64 archives are not accepted (a workbook this size never needs one)".into(),
            "Không chấp nhận tệp nén zip64 (sổ tính cỡ này không cần)".into(),
        ));
    }
    Ok(u64::from(total))
}

/// A reader that stops (with an error) past `left` bytes, and records that it did.
struct Capped<R> {
    inner: R,
    left: u64,
    declared: u64,
    used: u64,
    over: bool,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // One byte more than allowed is asked for, to tell "exactly at the cap" from "over".
        let want = buf.len().min(self.left.saturating_add(1).min(usize::MAX as u64) as usize);
        let n = self.inner.read(&mut buf[..want])?;
        if n as u64 > self.left {
            self.over = true;
            return Err(std::io::Error::other(format!("more than the declared {} bytes", self.declared)));
        }
        self.left -= n as u64;
        self.used += n as u64;
        Ok(n)
    }
}

/// Worksheet part → sheet name, from `xl/workbook.xml` and its relationships.
fn sheet_paths(archive: &mut zip::ZipArchive<Cursor<&[u8]>>) -> Result<HashMap<String, String>, Refusal> {
    let read_small = |archive: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str| -> Option<Vec<u8>> {
        let entry = archive.by_name(name).ok()?;
        let mut out = Vec::new();
        let declared = entry.size();
        let mut capped = Capped { inner: entry, left: declared.min(MAX_INFLATED_BYTES), declared, used: 0, over: false };
        capped.read_to_end(&mut out).ok()?;
        Some(out)
    };
    let (Some(workbook), Some(rels)) = (read_small(archive, "xl/workbook.xml"), read_small(archive, "xl/_rels/workbook.xml.rels")) else {
        return Err(refuse(
            "not a .xlsx workbook: xl/workbook.xml or its relationships are missing (an .xls or .ods file? save it as .xlsx)".into(),
            "Không phải sổ tính .xlsx: thiếu xl/workbook.xml (tệp .xls hoặc .ods? hãy lưu lại dạng .xlsx)".into(),
        ));
    };
    let mut targets = HashMap::new();
    each_element(&rels, b"Relationship", |attr| {
        if let (Some(id), Some(target)) = (attr(b"Id"), attr(b"Target")) {
            let path = match target.strip_prefix('/') {
                Some(absolute) => absolute.to_string(),
                None => format!("xl/{target}"),
            };
            targets.insert(id, path);
        }
    });
    let mut names = HashMap::new();
    each_element(&workbook, b"sheet", |attr| {
        if let (Some(name), Some(id)) = (attr(b"name"), attr(b"id")) {
            if let Some(path) = targets.get(&id) {
                names.insert(path.clone(), name);
            }
        }
    });
    Ok(names)
}

/// Calls `f` with an attribute getter (by local name) for every element called `local`.
fn each_element(xml: &[u8], local: &[u8], mut f: impl FnMut(&dyn Fn(&[u8]) -> Option<String>)) {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) if e.local_name().as_ref() == local => {
                let attrs: Vec<(Vec<u8>, String)> = e
                    .attributes()
                    .filter_map(Result::ok)
                    .map(|a| (a.key.local_name().as_ref().to_vec(), String::from_utf8_lossy(&a.value).into_owned()))
                    .collect();
                f(&|name: &[u8]| attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()));
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
}

/// A cell reference `B12` as 0-based (row, column).
pub(crate) fn cell_position(reference: &[u8]) -> Option<(u32, u32)> {
    let split = reference.iter().position(|b| b.is_ascii_digit())?;
    let (letters, digits) = reference.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    let column = letters.iter().fold(0u32, |acc, b| acc * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1)) - 1;
    let row: u32 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    Some((row.checked_sub(1)?, column))
}

/// Streams one worksheet's XML: refuses a declared dimension or a row count beyond the
/// limits, and lists formula cells without a cached value.
fn scan_sheet(input: impl Read) -> Result<SheetScan, Refusal> {
    let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(input));
    let mut buf = Vec::new();
    let mut scan = SheetScan::default();
    // The current cell: its position, whether it has a formula, whether a cached value.
    let mut cell: Option<((u32, u32), bool, bool)> = None;
    let mut in_value = false;
    let (mut row, mut column) = (0u32, 0u32);
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| {
            refuse(format!("the sheet's XML is malformed: {e}"), format!("Nội dung XML của trang tính bị hỏng: {e}"))
        })?;
        match event {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"dimension" => {
                let reference = e.try_get_attribute("ref").ok().flatten().map(|a| a.value.into_owned()).unwrap_or_default();
                let last = reference.split(|b| *b == b':').next_back().and_then(cell_position);
                if let Some((r, c)) = last {
                    if r + 1 > MAX_SHEET_ROWS || c + 1 > MAX_SHEET_COLUMNS {
                        let text = String::from_utf8_lossy(&reference).into_owned();
                        return Err(refuse(
                            format!(
                                "the sheet declares its used range as {text} (to row {} and column {}); at most {MAX_SHEET_ROWS} rows and {MAX_SHEET_COLUMNS} columns are read: delete the cells below and to the right of your data",
                                r + 1,
                                column_letters(c)
                            ),
                            format!(
                                "Trang tính khai báo vùng dữ liệu {text} (đến dòng {} và cột {}); chỉ đọc tối đa {MAX_SHEET_ROWS} dòng và {MAX_SHEET_COLUMNS} cột: hãy xóa các ô thừa bên dưới và bên phải dữ liệu",
                                r + 1,
                                column_letters(c)
                            ),
                        ));
                    }
                }
            }
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"row" => {
                scan.rows += 1;
                if let Some(r) = e.try_get_attribute("r").ok().flatten().and_then(|a| std::str::from_utf8(&a.value).ok()?.parse::<u32>().ok()) {
                    row = r.saturating_sub(1);
                }
                column = 0;
                if scan.rows > MAX_SHEET_ROWS || row + 1 > MAX_SHEET_ROWS {
                    return Err(refuse(
                        format!("the sheet has rows beyond row {MAX_SHEET_ROWS}, more than a province's data: delete the rows below your data"),
                        format!("Trang tính có dòng vượt quá dòng {MAX_SHEET_ROWS}: hãy xóa các dòng thừa bên dưới dữ liệu"),
                    ));
                }
            }
            Event::End(e) if e.local_name().as_ref() == b"row" => row += 1,
            Event::Start(e) if e.local_name().as_ref() == b"c" => {
                let at = e.try_get_attribute("r").ok().flatten().and_then(|a| cell_position(&a.value)).unwrap_or((row, column));
                column = at.1 + 1;
                cell = Some((at, false, false));
            }
            Event::Empty(e) if e.local_name().as_ref() == b"c" => {
                let at = e.try_get_attribute("r").ok().flatten().and_then(|a| cell_position(&a.value)).unwrap_or((row, column));
                column = at.1 + 1;
            }
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"f" => {
                if let Some(c) = cell.as_mut() {
                    c.1 = true;
                }
            }
            Event::Start(e) if e.local_name().as_ref() == b"v" => in_value = true,
            Event::End(e) if e.local_name().as_ref() == b"v" => in_value = false,
            Event::Text(t) if in_value && !t.is_empty() => {
                if let Some(c) = cell.as_mut() {
                    c.2 = true;
                }
            }
            Event::End(e) if e.local_name().as_ref() == b"c" => {
                if let Some((at, true, false)) = cell.take() {
                    if scan.formulas_without_value.len() < 10_000 {
                        scan.formulas_without_value.push(at);
                    }
                }
                cell = None;
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(scan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_references_read_as_positions() {
        assert_eq!(cell_position(b"A1"), Some((0, 0)));
        assert_eq!(cell_position(b"XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(cell_position(b"AA10"), Some((9, 26)));
        assert_eq!(cell_position(b"10"), None);
        assert_eq!(cell_position(b"A0"), None);
    }

    #[test]
    fn a_declared_dimension_to_the_last_row_is_refused_while_streaming() {
        let xml = br#"<worksheet><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>"#;
        let e = scan_sheet(&xml[..]).unwrap_err();
        assert!(e.en.contains("A1:XFD1048576") && e.en.contains("1048576"), "{}", e.en);
        assert!(e.vi.contains("dòng"), "{}", e.vi);
    }

    #[test]
    fn formulas_without_cached_values_are_listed() {
        let xml = br#"<worksheet><sheetData><row r="3"><c r="B3"><f>1+1</f><v>2</v></c><c r="C3"><f>A1*2</f></c><c r="D3"><f>X</f><v></v></c></row></sheetData></worksheet>"#;
        let scan = scan_sheet(&xml[..]).unwrap_or_else(|e| panic!("{}", e.en));
        assert_eq!(scan.formulas_without_value, vec![(2, 2), (2, 3)]);
        assert_eq!(scan.rows, 1);
    }
}
