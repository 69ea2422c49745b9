//! The workbook's layout, shared by the template writer (`export::template`) and the
//! upload reader: sheet names, the columns of each sheet, and the wide criteria columns.
//!
//! Sheet names are ASCII (Vietnamese without diacritics) so that formulas, scripts and
//! every Excel locale refer to them alike; they are stable: an upload is read by them.
//! Each data sheet has a row of Vietnamese labels (row 1) above a row of column names
//! (row 2, the names of today's CSV headers); the reader finds the row of names among the
//! first [`HEADER_SEARCH_ROWS`] rows. Columns whose name starts with [`CONTEXT_PREFIX`]
//! are context (unit names) written for the reader's eyes and ignored on upload.

use crate::model::{CriteriaCatalog, ItemNumber, RecordKind, UnitScope};

/// The guide sheet (Vietnamese and English), ignored on upload.
pub const GUIDE_SHEET: &str = "HuongDan";
/// The province's units of both editions (read-only reference), ignored on upload.
pub const UNITS_SHEET: &str = "DonVi";
/// The hidden sheet holding the drop-down lists, ignored on upload.
pub const LISTS_SHEET: &str = "DanhMuc";
/// Columns starting with this are context, never read.
pub const CONTEXT_PREFIX: &str = "ref_";
/// How many rows from the top the reader searches for the row of column names.
pub const HEADER_SEARCH_ROWS: u32 = 10;

/// What a data sheet holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetContent {
    /// One record per row, columns as in the kind's CSV file.
    Records(RecordKind),
    /// Criteria assessments, wide: one row per unit, year and set (and assessment date and
    /// note), one column per criterion or indicator.
    CriteriaWide(UnitScope),
}

/// One data sheet of the template.
#[derive(Debug, Clone, Copy)]
pub struct SheetSpec {
    pub name: &'static str,
    pub content: SheetContent,
    pub title_vi: &'static str,
    pub title_en: &'static str,
}

/// The data sheets, in workbook order.
pub const DATA_SHEETS: [SheetSpec; 6] = [
    SheetSpec { name: "KetQua_Xa", content: SheetContent::Records(RecordKind::CommuneResult), title_vi: "Kết quả NTM của xã", title_en: "Commune NTM results" },
    SheetSpec { name: "TieuChi_Xa", content: SheetContent::CriteriaWide(UnitScope::Commune), title_vi: "Tiêu chí của xã", title_en: "Commune criteria" },
    SheetSpec { name: "KetQua_Huyen", content: SheetContent::Records(RecordKind::DistrictResult), title_vi: "Kết quả NTM của huyện", title_en: "District NTM results" },
    SheetSpec { name: "TieuChi_Huyen", content: SheetContent::CriteriaWide(UnitScope::District), title_vi: "Tiêu chí của huyện", title_en: "District criteria" },
    SheetSpec { name: "MoHinh_ThiDiem", content: SheetContent::Records(RecordKind::Pilot), title_vi: "Mô hình thí điểm", title_en: "Pilot models" },
    SheetSpec { name: "DuLich", content: SheetContent::Records(RecordKind::Tourism), title_vi: "Du lịch nông thôn", title_en: "Rural tourism" },
];

/// The names of every sheet the reader knows, for messages.
pub fn expected_sheet_names() -> String {
    DATA_SHEETS.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
}

/// The data sheet called `name` (any case).
pub fn sheet_spec(name: &str) -> Option<&'static SheetSpec> {
    DATA_SHEETS.iter().find(|s| s.name.eq_ignore_ascii_case(name.trim()))
}

/// True for the template's sheets that hold no data (guide, units, lists).
pub fn is_reference_sheet(name: &str) -> bool {
    [GUIDE_SHEET, UNITS_SHEET, LISTS_SHEET].iter().any(|s| s.eq_ignore_ascii_case(name.trim()))
}

/// The columns of a wide criteria row before the item columns.
pub const CRITERIA_ROW_COLUMNS: [&str; 5] = ["unit_code", "year", "set", "assessed_on", "note"];

/// Every criterion and indicator of the sets assessing `unit`, in number order: the item
/// columns of the wide criteria sheet (`1` … `19`, `8.4`, `15.2` for communes).
pub fn criteria_items(catalog: &CriteriaCatalog, unit: UnitScope) -> Vec<ItemNumber> {
    let mut items: Vec<ItemNumber> = catalog.sets.iter().filter(|s| s.unit == unit).flat_map(|s| s.items.iter().map(|i| i.number)).collect();
    items.sort();
    items.dedup();
    items
}

/// The column holding an indicator's measured value (`value_8.4`); indicators only, the
/// one kind of item with a value in the data.
pub fn value_column(item: ItemNumber) -> String {
    format!("value_{item}")
}

/// The columns the reader needs in a sheet's header (beyond them, columns are optional).
pub fn required_columns(content: SheetContent) -> &'static [&'static str] {
    match content {
        SheetContent::Records(RecordKind::CommuneResult) => &["code", "year", "level"],
        SheetContent::Records(RecordKind::DistrictResult | RecordKind::ProvinceResult) => &["code", "year", "level"],
        SheetContent::Records(RecordKind::Criteria) => &["unit_code", "year", "set", "criterion", "indicator", "met"],
        SheetContent::Records(RecordKind::Pilot) => &["id", "name", "kind", "commune_code"],
        SheetContent::Records(RecordKind::Tourism) => &["id", "name", "category", "commune_code"],
        SheetContent::CriteriaWide(_) => &["unit_code", "year", "set"],
    }
}

/// The Vietnamese label written above a column name (row 1 of a data sheet).
pub fn label_vi(column: &str) -> String {
    let fixed = match column {
        "code" => "Mã đơn vị",
        "unit_code" => "Mã đơn vị",
        "year" => "Năm",
        "level" => "Mức đạt",
        "criteria_met" => "Số tiêu chí đạt",
        "recognized_on" => "Ngày công nhận (YYYY-MM-DD)",
        "decision" => "Số quyết định",
        "set" => "Bộ tiêu chí",
        "assessed_on" => "Ngày đánh giá (YYYY-MM-DD)",
        "note" => "Ghi chú",
        "id" => "Mã",
        "name" => "Tên",
        "kind" => "Loại mô hình",
        "field" => "Lĩnh vực",
        "commune_code" => "Mã xã (2024)",
        "lon" => "Kinh độ",
        "lat" => "Vĩ độ",
        "approved_year" => "Năm phê duyệt",
        "approved_on" => "Ngày phê duyệt",
        "directing_level" => "Cấp chỉ đạo",
        "stage" => "Giai đoạn",
        "url" => "Địa chỉ web",
        "category" => "Loại hình",
        "ocop_stars" => "Số sao OCOP",
        "ref_name" => "Tên đơn vị (tham khảo)",
        "ref_district" => "Huyện 2024 (tham khảo)",
        "ref_commune_2025" => "Xã 2025 (tham khảo)",
        "ref_commune_name" => "Tên xã (tham khảo)",
        _ => "",
    };
    if !fixed.is_empty() {
        return fixed.to_string();
    }
    if let Some(item) = column.strip_prefix("value_") {
        return format!("Giá trị {item}");
    }
    match ItemNumber::parse(column) {
        Ok(n) if n.is_indicator() => format!("Chỉ tiêu {n}"),
        Ok(n) => format!("Tiêu chí {n}"),
        Err(_) => column.to_string(),
    }
}

/// Excel's column letters for a 0-based column index (0 → A, 26 → AA).
pub fn column_letters(mut index: u32) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_follow_excel() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(16383), "XFD");
    }

    #[test]
    fn sheet_names_are_ascii_and_distinct() {
        let mut names: Vec<&str> = DATA_SHEETS.iter().map(|s| s.name).chain([GUIDE_SHEET, UNITS_SHEET, LISTS_SHEET]).collect();
        assert!(names.iter().all(|n| n.is_ascii() && n.len() <= 31));
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 9);
    }
}
