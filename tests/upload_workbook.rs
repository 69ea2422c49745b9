//! The office's workbook, end to end through the library: the template a province
//! downloads (checked with calamine and its raw XML), edited with another xlsx writer and
//! read back by `read_upload`; scope; CSV in the Vietnamese Excel form. Expected values
//! come from the CSV sources in `geodata/`, not from the code under test.

mod common;

use bando::atlas::{build, Atlas, Inputs};
use bando::export::template::{published_records, write_template};
use bando::load::upload::{province_units, read_upload, UploadReport, UploadScope, DATA_SHEETS};
use bando::model::{AsOf, ProvinceCode, Record, RecordKind};
use calamine::{Data, Reader, Xlsx};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{Cursor, Read};
use std::sync::OnceLock;

const HA_TINH: ProvinceCode = ProvinceCode(42);

fn atlas() -> &'static Atlas {
    static ATLAS: OnceLock<Atlas> = OnceLock::new();
    ATLAS.get_or_init(|| build(&Inputs::embedded(bando::config::EMBEDDED_GEODATA)).expect("embedded data").0)
}

fn as_of() -> AsOf {
    AsOf::Year(*atlas().years().end())
}

fn csv_rows(file: &str) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(common::repo().join("geodata").join(file)).expect(file);
    let header: Vec<String> = reader.headers().expect("header").iter().map(str::to_string).collect();
    reader.records().map(|r| header.iter().cloned().zip(r.expect("row").iter().map(str::to_string)).collect()).collect()
}

/// The 2024 communes the crosswalk maps into 2025 province `province`, from the CSV tables.
fn communes_2024_of(province: &str) -> BTreeSet<String> {
    let in_province: BTreeSet<String> = csv_rows("reference/communes-2025.csv").into_iter().filter(|r| r["province_code"] == province).map(|r| r["code"].clone()).collect();
    csv_rows("reference/crosswalk-2024-2025.csv").into_iter().filter(|r| in_province.contains(&r["code_2025"])).map(|r| r["code_2024"].clone()).collect()
}

type Sheets = BTreeMap<String, Vec<Vec<Data>>>;

/// Every sheet of a workbook as rows of cells (row 1 first), read by calamine.
fn read_sheets(bytes: &[u8]) -> (Vec<String>, Sheets) {
    let mut wb = Xlsx::new(Cursor::new(bytes.to_vec())).expect("calamine opens the template");
    let names = wb.sheet_names();
    let mut out = BTreeMap::new();
    for name in &names {
        let range = wb.worksheet_range(name).expect("sheet");
        let (top, left) = range.start().unwrap_or((0, 0));
        let mut rows = vec![Vec::new(); top as usize];
        for row in range.rows() {
            let mut cells = vec![Data::Empty; left as usize];
            cells.extend(row.iter().cloned());
            rows.push(cells);
        }
        out.insert(name.clone(), rows);
    }
    (names, out)
}

/// Writes sheets back as a plain workbook with rust_xlsxwriter (no validation, no styles).
fn write_sheets(names: &[String], sheets: &Sheets) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for name in names {
        let ws = wb.add_worksheet();
        ws.set_name(name).expect("name");
        for (r, row) in sheets[name].iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    Data::String(s) => {
                        ws.write_string(r, c, s).expect("write");
                    }
                    Data::Float(f) => {
                        ws.write_number(r, c, *f).expect("write");
                    }
                    Data::Int(i) => {
                        ws.write_number(r, c, *i as f64).expect("write");
                    }
                    Data::Bool(b) => {
                        ws.write_boolean(r, c, *b).expect("write");
                    }
                    Data::Empty => {}
                    other => panic!("unexpected cell {other:?}"),
                }
            }
        }
    }
    wb.save_to_buffer().expect("save")
}

fn text(cell: Option<&Data>) -> String {
    match cell {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(f)) => bando::load::upload::number_text(*f),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// The column index of `name` in a data sheet (row 2 holds the names).
fn column(rows: &[Vec<Data>], name: &str) -> usize {
    rows[1].iter().position(|c| text(Some(c)) == name).unwrap_or_else(|| panic!("no column {name}"))
}

fn set(rows: &mut [Vec<Data>], r: usize, c: usize, value: Data) {
    if rows[r].len() <= c {
        rows[r].resize(c + 1, Data::Empty);
    }
    rows[r][c] = value;
}

fn template() -> Vec<u8> {
    write_template(atlas(), HA_TINH, as_of()).unwrap_or_else(|e| panic!("{e}"))
}

fn unzip(bytes: &[u8]) -> BTreeMap<String, String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).expect("entry");
            let mut s = String::new();
            f.read_to_string(&mut s).expect("utf-8 part");
            (f.name().to_string(), s)
        })
        .collect()
}

fn diff(upload: &bando::load::upload::Upload, published: &BTreeMap<RecordKind, Vec<Record>>) -> BTreeSet<Record> {
    let by_key: HashMap<(RecordKind, String), &Record> = published.values().flatten().map(|r| ((r.kind, r.key()), r)).collect();
    upload.records.values().flatten().map(|u| &u.record).filter(|r| by_key.get(&(r.kind, r.key())) != Some(r)).cloned().collect()
}

#[test]
fn template_has_the_sheets_frozen_headers_drop_downs_and_the_province_units() {
    let bytes = template();
    let (names, sheets) = read_sheets(&bytes);
    for spec in DATA_SHEETS {
        assert!(names.contains(&spec.name.to_string()), "{names:?} lacks {}", spec.name);
    }
    assert!(names.contains(&"HuongDan".to_string()) && names.contains(&"DonVi".to_string()) && names.contains(&"DanhMuc".to_string()), "{names:?}");
    let parts = unzip(&bytes);
    let workbook = &parts["xl/workbook.xml"];
    assert!(workbook.contains(r#"name="DanhMuc" sheetId="10" state="hidden""#) || workbook.contains(r#"state="hidden""#), "the lists sheet is hidden: {workbook}");
    let sheet_xml: Vec<&String> = parts.iter().filter(|(k, _)| k.starts_with("xl/worksheets/sheet")).map(|(_, v)| v).collect();
    let with_pane = sheet_xml.iter().filter(|x| x.contains("<pane") && x.contains(r#"state="frozen""#)).count();
    assert!(with_pane >= DATA_SHEETS.len(), "{with_pane} frozen sheets");
    let validations: usize = sheet_xml.iter().map(|x| x.matches("<dataValidation ").count()).sum();
    assert!(validations >= 10, "{validations} data validations");
    assert!(sheet_xml.iter().any(|x| x.contains("DanhMuc!$A$2:$A$5")), "level lists point at the hidden sheet");

    // Prefilled: every published result of the province's 2024 communes, from the CSV files.
    let communes = communes_2024_of("42");
    let expected: BTreeSet<(String, String)> = csv_rows("results-communes.csv")
        .into_iter()
        .filter(|r| communes.contains(&r["code"]))
        .map(|r| (r["code"].clone(), r["year"].clone()))
        .collect();
    let rows = &sheets["KetQua_Xa"];
    let (code, year) = (column(rows, "code"), column(rows, "year"));
    let got: BTreeSet<(String, String)> =
        rows[2..].iter().map(|r| (text(r.get(code)), text(r.get(year)))).filter(|(_, y)| !y.is_empty()).collect();
    assert!(!expected.is_empty());
    assert_eq!(got, expected);
    // Criteria are wide: one column per item, yes/no in Vietnamese.
    let criteria = &sheets["TieuChi_Xa"];
    for item in ["1", "19", "8.4", "15.2", "value_8.4"] {
        column(criteria, item);
    }
    assert!(criteria[2..].iter().flatten().any(|c| text(Some(c)) == "có"), "criteria are prefilled");
    // Names are context (ref_ columns), the 2025 communes are listed.
    column(rows, "ref_name");
    assert!(sheets["DonVi"].len() > 2);
}

#[test]
fn unchanged_template_reads_back_as_the_published_records() {
    let upload = read_upload("ha-tinh.xlsx", &template(), atlas(), &UploadScope::Provinces(vec![HA_TINH])).unwrap_or_else(|e| panic!("{e}"));
    let published = published_records(atlas(), &province_units(atlas(), &[HA_TINH]), as_of());
    assert!(diff(&upload, &published).is_empty(), "{:?}", diff(&upload, &published).iter().take(5).collect::<Vec<_>>());
    for (kind, records) in &published {
        assert_eq!(upload.records(*kind).count(), records.len(), "{kind}");
    }
}

#[test]
fn edited_workbook_gives_exactly_the_changed_records_and_names_the_bad_row() {
    let (names, mut sheets) = read_sheets(&template());
    let scope = UploadScope::Provinces(vec![HA_TINH]);
    // One level: a dat_chuan row with 19 criteria becomes nâng cao.
    let results = sheets.get_mut("KetQua_Xa").expect("sheet");
    let (level, met, code, year) = (column(results, "level"), column(results, "criteria_met"), column(results, "code"), column(results, "year"));
    let r = (2..results.len()).find(|&r| text(results[r].get(level)) == "Đạt chuẩn NTM" && text(results[r].get(met)) == "19").expect("a dat_chuan row");
    set(results, r, level, Data::String("NTM nâng cao".into()));
    let changed_code = text(results[r].get(code));
    let changed_year = text(results[r].get(year));
    // One bad row, appended: a level that does not exist.
    let bad_row = results.len();
    let mut row = vec![Data::Empty; results[1].len()];
    row[code] = Data::String(changed_code.clone());
    row[year] = Data::Float(2025.0);
    row[level] = Data::String("xuất sắc".into());
    results.push(row);
    // One criterion: a "có" becomes "không".
    let criteria = sheets.get_mut("TieuChi_Xa").expect("sheet");
    let item = column(criteria, "8.4");
    let (unit, cyear, cset) = (column(criteria, "unit_code"), column(criteria, "year"), column(criteria, "set"));
    let c = (2..criteria.len()).find(|&r| text(criteria[r].get(item)) == "có").expect("a met 8.4");
    set(criteria, c, item, Data::String("không".into()));
    let criterion_key = (text(criteria[c].get(unit)), text(criteria[c].get(cyear)), text(criteria[c].get(cset)));

    let report: UploadReport = read_upload("ha-tinh.xlsx", &write_sheets(&names, &sheets), atlas(), &scope).expect_err("the bad row is refused");
    assert_eq!(report.problems.len(), 1, "{report}");
    let p = &report.problems[0];
    assert_eq!((p.sheet.as_str(), p.row, p.column.as_deref()), ("KetQua_Xa", Some(bad_row as u64 + 1), Some("level")), "{report}");
    assert_eq!(p.value.as_deref(), Some("xuất sắc"));
    assert!(p.message_en.contains("is not an NTM level"), "{p}");
    assert!(p.message_vi.contains("không phải mức NTM"), "{p}");

    // Fixed: the upload gives exactly the three changed records.
    let results = sheets.get_mut("KetQua_Xa").expect("sheet");
    set(results, bad_row, level, Data::String("Đạt chuẩn NTM".into()));
    set(results, bad_row, met, Data::Float(19.0));
    let upload = read_upload("ha-tinh.xlsx", &write_sheets(&names, &sheets), atlas(), &scope).unwrap_or_else(|e| panic!("{e}"));
    let published = published_records(atlas(), &province_units(atlas(), &[HA_TINH]), as_of());
    let changed = diff(&upload, &published);
    let summary: BTreeSet<String> = changed.iter().map(|r| format!("{} {}", r.kind, r.fields.join(","))).collect();
    assert_eq!(changed.len(), 3, "{summary:#?}");
    assert!(changed.iter().any(|r| r.kind == RecordKind::CommuneResult && r.get("code") == changed_code && r.get("year") == changed_year && r.get("level") == "nang_cao"), "{summary:#?}");
    assert!(changed.iter().any(|r| r.kind == RecordKind::CommuneResult && r.get("year") == "2025" && r.get("level") == "dat_chuan"), "{summary:#?}");
    assert!(changed.iter().any(|r| r.kind == RecordKind::Criteria
        && (r.get("unit_code").to_string(), r.get("year").to_string(), r.get("set").to_string()) == criterion_key
        && r.get("criterion") == "8" && r.get("indicator") == "4" && r.get("met") == "false"), "{summary:#?}");
    let origin = &upload.records[&RecordKind::CommuneResult].iter().find(|u| u.record.get("year") == "2025" && u.record.get("code") == changed_code).expect("origin").origin;
    assert_eq!((origin.sheet.as_str(), origin.row), ("KetQua_Xa", bad_row as u64 + 1));
}

/// A Hà Tĩnh xã of edition 2024 (from the reference tables).
fn ha_tinh_xa() -> String {
    let communes = communes_2024_of("42");
    csv_rows("reference/communes-2024.csv").into_iter().find(|r| communes.contains(&r["code"]) && r["kind"] == "Xã").expect("a xã")["code"].clone()
}

#[test]
fn another_province_s_commune_is_an_error_naming_the_row_never_skipped() {
    let xa = ha_tinh_xa();
    let body = format!("code,year,level,criteria_met,recognized_on,decision\n{xa},2025,dat_chuan,19,,\n00571,2025,dat_chuan,19,,\n");
    let report = read_upload("results-communes.csv", body.as_bytes(), atlas(), &UploadScope::Provinces(vec![HA_TINH])).expect_err("out of scope");
    assert_eq!(report.problems.len(), 1, "{report}");
    let p = &report.problems[0];
    assert_eq!((p.row, p.column.as_deref(), p.value.as_deref()), (Some(3), Some("code"), Some("00571")), "{p}");
    assert!(p.message_en.contains("outside your provinces (42"), "{p}");
    assert!(p.message_vi.contains("nằm ngoài phạm vi"), "{p}");
    // The central office may.
    let upload = read_upload("results-communes.csv", body.as_bytes(), atlas(), &UploadScope::All).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(upload.records(RecordKind::CommuneResult).count(), 2);
}

#[test]
fn a_row_of_another_province_with_other_problems_is_told_both_in_one_report() {
    let scope = UploadScope::Provinces(vec![HA_TINH]);
    // 00571 is a commune of Hà Nội; its date of recognition does not exist.
    let body = "code,year,level,criteria_met,recognized_on,decision\n00571,2025,dat_chuan,19,2025-13-01,\n";
    let report = read_upload("results-communes.csv", body.as_bytes(), atlas(), &scope).expect_err("two problems");
    let cells: Vec<(Option<&str>, Option<&str>)> = report.problems.iter().map(|p| (p.column.as_deref(), p.value.as_deref())).collect();
    assert_eq!(cells, [(Some("code"), Some("00571")), (Some("recognized_on"), Some("2025-13-01"))], "{report}");
    assert!(report.problems[0].message_en.contains("outside your provinces (42"), "{report}");
    // The same for a criteria row of a commune set and of a district set (district 271,
    // of Hà Nội), each with a `met` that is neither yes nor no.
    let body = "unit_code,year,set,criterion,indicator,met,value,assessed_on,note\n00571,2024,xa_ntm_2021,8,4,maybe,,,\n271,2024,huyen_ntm_2021,9,5,maybe,,,\n";
    let report = read_upload("criteria.csv", body.as_bytes(), atlas(), &scope).expect_err("four problems");
    let cells: Vec<(Option<u64>, Option<&str>)> = report.problems.iter().map(|p| (p.row, p.column.as_deref())).collect();
    assert_eq!(cells, [(Some(2), Some("unit_code")), (Some(2), Some("met")), (Some(3), Some("unit_code")), (Some(3), Some("met"))], "{report}");
    assert!(report.problems[2].message_en.contains("district 271"), "{report}");
}

/// A Hà Tĩnh commune of `kind` (Xã, Phường, Thị trấn), from the reference table.
fn ha_tinh_commune_of_kind(kind: &str) -> String {
    let communes = communes_2024_of("42");
    csv_rows("reference/communes-2024.csv").into_iter().find(|r| communes.contains(&r["code"]) && r["kind"] == kind).expect(kind)["code"].clone()
}

#[test]
fn a_code_that_names_no_unit_is_told_with_the_row_s_other_problems_in_one_report() {
    let codes: BTreeSet<String> = csv_rows("reference/communes-2024.csv").into_iter().map(|r| r["code"].clone()).collect();
    let unknown = (1..100_000).map(|n| format!("{n:05}")).rev().find(|c| !codes.contains(c)).expect("a free code");
    let phuong = ha_tinh_commune_of_kind("Phường");
    let scope = UploadScope::All;
    // Each row also has a value the loader refuses: a date that does not exist, a level
    // that is none.
    let body = format!("code,year,level,criteria_met,recognized_on,decision\n{unknown},2025,dat_chuan,19,2025-02-30,\n{phuong},2025,xuat_sac,19,,\n");
    let report = read_upload("results-communes.csv", body.as_bytes(), atlas(), &scope).expect_err("four problems");
    let cells: Vec<(Option<u64>, Option<&str>)> = report.problems.iter().map(|p| (p.row, p.column.as_deref())).collect();
    assert_eq!(cells, [(Some(2), Some("code")), (Some(2), Some("recognized_on")), (Some(3), Some("code")), (Some(3), Some("level"))], "{report}");
    assert!(report.problems[0].message_en.contains("no commune has this code"), "{report}");
    assert!(report.problems[2].message_en.contains("only xã are eligible for NTM"), "{report}");
    // The same words as for a row that reads well, in both languages.
    let body = format!("code,year,level,criteria_met,recognized_on,decision\n{unknown},2025,dat_chuan,19,,\n{phuong},2025,dat_chuan,19,,\n");
    let clean = read_upload("results-communes.csv", body.as_bytes(), atlas(), &scope).expect_err("two problems");
    let texts = |r: &UploadReport, i: usize| (r.problems[i].message_en.clone(), r.problems[i].message_vi.clone());
    assert_eq!((texts(&report, 0), texts(&report, 2)), (texts(&clean, 0), texts(&clean, 1)), "{report}\n{clean}");

    // A criteria row of a district set whose district does not exist, with a `met` that is
    // neither yes nor no; a tourism site in a commune that does not exist, with a category
    // that is none. A phường may hold a tourism site.
    let body = "unit_code,year,set,criterion,indicator,met,value,assessed_on,note\n999,2024,huyen_ntm_2021,9,5,maybe,,,\n";
    let report = read_upload("criteria.csv", body.as_bytes(), atlas(), &scope).expect_err("two problems");
    let cells: Vec<Option<&str>> = report.problems.iter().map(|p| p.column.as_deref()).collect();
    assert_eq!(cells, [Some("unit_code"), Some("met")], "{report}");
    assert!(report.problems[0].message_en.contains("no district has this code in the edition 2024 boundaries (set huyen_ntm_2021 assesses districts)"), "{report}");
    assert!(report.problems[0].message_vi.contains("đánh giá huyện"), "{report}");
    let body = format!("id,name,category,ocop_stars,commune_code,lon,lat,url\nT-9001,A,castle,,{unknown},,,\nT-9002,B,castle,,{phuong},,,\n");
    let report = read_upload("tourism.csv", body.as_bytes(), atlas(), &scope).expect_err("three problems");
    let cells: Vec<(Option<u64>, Option<&str>)> = report.problems.iter().map(|p| (p.row, p.column.as_deref())).collect();
    assert_eq!(cells, [(Some(2), Some("category")), (Some(2), Some("commune_code")), (Some(3), Some("category"))], "{report}");
}

#[test]
fn csv_as_excel_saves_it_in_a_vietnamese_locale_is_accepted() {
    let xa = ha_tinh_xa();
    let body = format!(
        "\u{feff}unit_code;year;set;criterion;indicator;met;value;assessed_on;note\r\n{};2024;xa_ntm_2021;8;4;có;92,5;2024-06-30;ghi chú, có dấu phẩy\r\n",
        xa.trim_start_matches('0')
    );
    let upload = read_upload("criteria.csv", body.as_bytes(), atlas(), &UploadScope::Provinces(vec![HA_TINH])).unwrap_or_else(|e| panic!("{e}"));
    let records: Vec<&Record> = upload.records(RecordKind::Criteria).collect();
    assert_eq!(records.len(), 1);
    let r = records[0];
    assert_eq!(r.get("unit_code"), xa, "leading zeros restored");
    assert_eq!((r.get("met"), r.get("value"), r.get("note")), ("true", "92.5", "ghi chú, có dấu phẩy"));
    assert_eq!(upload.records[&RecordKind::Criteria][0].origin.row, 2);
}

#[test]
fn csv_with_lines_ended_by_cr_alone_names_the_rows_an_editor_shows() {
    // Excel for Mac's "CSV (Macintosh)" ends lines with CR alone.
    let xa = ha_tinh_xa();
    let body = format!("code,year,level,criteria_met,recognized_on,decision\r{xa},2024,dat_chuan,19,,\r{xa},2025,xuat_sac,19,,\r");
    let report = read_upload("results-communes.csv", body.as_bytes(), atlas(), &UploadScope::All).expect_err("a bad level");
    let found: Vec<(Option<u64>, Option<&str>)> = report.problems.iter().map(|p| (p.row, p.column.as_deref())).collect();
    assert_eq!(found, [(Some(3), Some("level"))], "{report}");
    let good = body.replace("xuat_sac", "nang_cao");
    let upload = read_upload("results-communes.csv", good.as_bytes(), atlas(), &UploadScope::All).unwrap_or_else(|e| panic!("{e}"));
    let rows: Vec<u64> = upload.records[&RecordKind::CommuneResult].iter().map(|r| r.origin.row).collect();
    assert_eq!(rows, [2, 3]);
}

#[test]
fn every_problem_of_an_upload_comes_in_one_report() {
    let xa = ha_tinh_xa();
    let body = format!(
        "code,year,level,criteria_met,recognized_on,decision\n{xa},2025,xuat_sac,19,,\n99999,2025,dat_chuan,19,,\n{xa},2024,dat_chuan,19,2024-02-30,\n{xa},2025,dat_chuan,19,,\n"
    );
    let report = read_upload("results-communes.csv", body.as_bytes(), atlas(), &UploadScope::All).expect_err("bad");
    let found: Vec<(Option<u64>, Option<&str>)> = report.problems.iter().map(|p| (p.row, p.column.as_deref())).collect();
    assert_eq!(found, vec![(Some(2), Some("level")), (Some(3), Some("code")), (Some(4), Some("recognized_on")), (Some(5), Some("year"))], "{report}");
    assert!(report.problems[3].message_en.contains("row 2"), "the duplicate names the first row: {report}");
    assert!(report.problems[1].message_en.contains("no commune has this code"), "{report}");
    assert!(report.problems.iter().all(|p| !p.message_vi.starts_with("Giá trị không hợp lệ")), "{report}");
}
