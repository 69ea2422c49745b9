//! Hostile uploads are refused before anything large is allocated, each in bounded time:
//! a zip bomb disguised as .xlsx (declared and lying sizes), a sheet declaring its used
//! range to row 1,048,576, a 200 MB file, a CSV with a 10 MB line, formulas, and sheets
//! missing or renamed. The time bounds are loose on purpose (a refusal in seconds, not
//! minutes): they catch a reader that inflates or allocates by what the file declares.

use bando::atlas::{build, Atlas, Inputs};
use bando::load::upload::{read_upload, UploadReport, UploadScope, MAX_UPLOAD_BYTES};
use std::io::Write;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn atlas() -> &'static Atlas {
    static ATLAS: OnceLock<Atlas> = OnceLock::new();
    ATLAS.get_or_init(|| build(&Inputs::embedded(bando::config::EMBEDDED_GEODATA)).expect("embedded data").0)
}

/// Reads an upload that must be refused, within a loose time bound.
fn refused(name: &str, bytes: &[u8]) -> UploadReport {
    let atlas = atlas();
    let started = Instant::now();
    let result = read_upload(name, bytes, atlas, &UploadScope::All);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(20), "{name} took {took:?}");
    match result {
        Ok(u) => panic!("{name} was accepted with {} records", u.len()),
        Err(report) => report,
    }
}

fn has(report: &UploadReport, en: &str, vi: &str) {
    assert!(report.problems.iter().any(|p| p.message_en.contains(en) && p.message_vi.contains(vi)), "no problem with '{en}' / '{vi}' in:\n{report}");
}

/// A zip of the given parts (deflated).
fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in parts {
        out.start_file(*name, options).expect("start");
        out.write_all(content).expect("write");
    }
    out.finish().expect("finish").into_inner()
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;

/// A one-sheet workbook written by hand, so that its XML can hold what Excel might.
fn workbook_with_sheet(sheet_name: &str, sheet_xml: &str) -> Vec<u8> {
    let workbook = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets></workbook>"#
    );
    zip_of(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", ROOT_RELS.as_bytes()),
        ("xl/workbook.xml", workbook.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet_xml.as_bytes()),
    ])
}

fn inline(r: &str, text: &str) -> String {
    format!(r#"<c r="{r}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// A 2024 xã code (Dương Xá, Hà Nội; in the embedded sample data).
const XA: &str = "00571";

#[test]
fn zip_bomb_disguised_as_xlsx_is_refused_by_its_declared_sizes() {
    // 256 MiB of one byte, deflated to a few hundred KB, as a worksheet.
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).compression_level(Some(1)).large_file(false);
    out.start_file("xl/worksheets/sheet1.xml", options).expect("start");
    let block = vec![b'a'; 1 << 20];
    for _ in 0..256 {
        out.write_all(&block).expect("write");
    }
    let bomb = out.finish().expect("finish").into_inner();
    assert!(bomb.len() < MAX_UPLOAD_BYTES, "{}", bomb.len());
    let report = refused("bomb.xlsx", &bomb);
    has(&report, "zip bomb", "zip bomb");
}

#[test]
fn zip_bomb_whose_directory_lies_is_caught_by_the_bytes_inflated() {
    // A whole workbook whose sheet inflates to 64 MiB but is declared as 4 KiB in the
    // central directory and the local header (so no ratio check can see it).
    let sheet = vec![b'a'; 64 << 20];
    let mut bomb = {
        let workbook = r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="KetQua_Xa" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
        zip_of(&[
            ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
            ("_rels/.rels", ROOT_RELS.as_bytes()),
            ("xl/workbook.xml", workbook.as_bytes()),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
            ("xl/worksheets/sheet1.xml", &sheet),
        ])
    };
    let name = b"xl/worksheets/sheet1.xml";
    let patch = |bytes: &mut Vec<u8>, signature: [u8; 4], name_at: usize, size_at: usize| {
        let at = (0..bytes.len() - 4)
            .find(|&i| bytes[i..i + 4] == signature && bytes.get(i + name_at..i + name_at + name.len()) == Some(&name[..]))
            .expect("header");
        bytes[at + size_at..at + size_at + 4].copy_from_slice(&4096u32.to_le_bytes());
    };
    patch(&mut bomb, [0x50, 0x4b, 0x01, 0x02], 46, 24); // central directory: uncompressed size
    patch(&mut bomb, [0x50, 0x4b, 0x03, 0x04], 30, 22); // local header: uncompressed size
    let report = refused("lying.xlsx", &bomb);
    assert!(report.problems.iter().any(|p| p.message_en.contains("zip bomb") || p.message_en.contains("not a readable")), "{report}");
}

#[test]
fn sheet_declaring_its_range_to_the_last_row_and_column_is_refused() {
    // The real thing: a stray value in the last cell of the sheet, written by an xlsx writer.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("KetQua_Xa").expect("name");
    for (c, h) in ["code", "year", "level", "criteria_met", "recognized_on", "decision"].iter().enumerate() {
        ws.write_string(1, c as u16, *h).expect("write");
    }
    ws.write_string(1_048_575, 16_383, "x").expect("write");
    let bytes = wb.save_to_buffer().expect("save");
    let report = refused("far.xlsx", &bytes);
    has(&report, ":XFD1048576", "XFD1048576");
    assert_eq!(report.problems[0].sheet, "KetQua_Xa", "{report}");
    // The declared dimension alone, with nothing behind it, is refused too.
    let xml = r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData/></worksheet>"#;
    has(&refused("declared.xlsx", &workbook_with_sheet("KetQua_Xa", xml)), "1048576", "dòng");
}

#[test]
fn a_file_of_200_mb_is_refused_by_the_size_limit() {
    let big = vec![b'a'; 200 * 1024 * 1024];
    let report = refused("big.csv", &big);
    has(&report, &format!("more than the {MAX_UPLOAD_BYTES} bytes"), "vượt giới hạn");
}

#[test]
fn a_csv_with_a_10_mb_line_is_refused_naming_the_line() {
    let mut body = b"code,year,level,criteria_met,recognized_on,decision\n".to_vec();
    body.extend(std::iter::repeat_n(b'x', 10 * 1024 * 1024));
    body.push(b'\n');
    let report = refused("results-communes.csv", &body);
    has(&report, "line 2 is 10485760 bytes long", "Dòng 2");
    assert_eq!(report.problems[0].row, Some(2));
}

#[test]
fn formulas_count_by_their_cached_value_and_one_without_is_a_problem() {
    let header = ["code", "year", "level", "criteria_met", "recognized_on", "decision"];
    let cells: String = header.iter().enumerate().map(|(i, h)| inline(&format!("{}2", (b'A' + i as u8) as char), h)).collect();
    // Row 3: level by a formula with its cached text; row 4: criteria_met by a formula
    // Excel never computed (no <v>).
    let row3 = format!(r#"{}<c r="B3"><v>2023</v></c><c r="C3" t="str"><f>"dat_chuan"</f><v>dat_chuan</v></c><c r="D3"><f>10+9</f><v>19</v></c>"#, inline("A3", XA));
    let row4 = format!(r#"{}<c r="B4"><v>2024</v></c>{}<c r="D4"><f>SUM(D1:D3)</f></c>"#, inline("A4", XA), inline("C4", "nang_cao"));
    let xml = format!(
        r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="2">{cells}</row><row r="3">{row3}</row><row r="4">{row4}</row></sheetData></worksheet>"#
    );
    let report = refused("formulas.xlsx", &workbook_with_sheet("KetQua_Xa", &xml));
    assert_eq!(report.problems.len(), 1, "{report}");
    let p = &report.problems[0];
    assert_eq!((p.row, p.column.as_deref(), p.cell.as_deref()), (Some(4), Some("criteria_met"), Some("D4")), "{report}");
    has(&report, "formula without a computed value", "Công thức");
    // With the value Excel saved, the formula's value is read (and nothing is evaluated).
    let fixed = xml.replace("<f>SUM(D1:D3)</f>", "<f>SUM(D1:D3)</f><v>19</v>");
    let upload = read_upload("formulas.xlsx", &workbook_with_sheet("KetQua_Xa", &fixed), atlas(), &UploadScope::All).unwrap_or_else(|e| panic!("{e}"));
    let levels: Vec<String> = upload.records(bando::model::RecordKind::CommuneResult).map(|r| format!("{} {} {}", r.get("year"), r.get("level"), r.get("criteria_met"))).collect();
    assert_eq!(levels, ["2023 dat_chuan 19", "2024 nang_cao 19"]);
}

#[test]
fn renamed_or_missing_sheets_are_named_with_the_expected_ones() {
    let xml = format!(
        r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">{}{}</row><row r="2">{}{}</row></sheetData></worksheet>"#,
        inline("A1", "code"),
        inline("B1", "year"),
        inline("A2", XA),
        inline("B2", "2024")
    );
    let report = refused("renamed.xlsx", &workbook_with_sheet("Kết quả xã", &xml));
    has(&report, "'Kết quả xã' is not a sheet of the template", "không thuộc mẫu");
    has(&report, "KetQua_Xa, TieuChi_Xa, KetQua_Huyen, TieuChi_Huyen, MoHinh_ThiDiem, DuLich", "KetQua_Xa");
    // An empty workbook (its one sheet empty) names the expected sheets too.
    let empty = r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>"#;
    has(&refused("empty.xlsx", &workbook_with_sheet("Sheet1", empty)), "none of the template's data sheets", "KetQua_Xa");
    // A data sheet without its row of column names.
    has(&refused("headless.xlsx", &workbook_with_sheet("KetQua_Xa", &xml)), "column names code, year, level", "tên cột");
}

#[test]
fn an_old_xls_or_a_fake_xlsx_is_named_as_such() {
    has(&refused("old.xls", &[0xD0, 0xCF, 0x11, 0xE0, 0, 0, 0, 0]), ".xls", ".xls");
    has(&refused("fake.xlsx", b"code,year\n"), "not a zip archive", "không phải");
}
