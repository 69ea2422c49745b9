//! The Excel template an office downloads, fills in and uploads: one workbook per
//! edition-2025 province, prefilled with its units and their published values.
//!
//! Steps ([`write_template`]): 1. find the province's units ([`province_units`]): its 2025
//! communes, the 2024 communes the crosswalk maps into them, their districts; 2. list the
//! published records of those units in force at `as_of` ([`published_records`]) in the
//! flat shape an upload becomes; 3. write the workbook: a guide sheet (Vietnamese and
//! English), one sheet per data kind (layout in [`crate::load::upload::layout`]: a row of
//! Vietnamese labels above the row of column names, frozen; unit names in grey context
//! columns the reader ignores; one row per record, and a placeholder row with just the unit
//! code for each unit without records), the units of both editions, and a hidden sheet of
//! the drop-down lists (levels, yes/no, pilot kinds, tourism categories, criteria sets),
//! which the data validations point at (inline lists are capped at 255 characters).
//!
//! Criteria are wide: one row per unit, year, set, assessment date and note, one column
//! per criterion and indicator (`1` … `19`, `8.4`, `15.2`), `có`/`không` in each, and a
//! `value_8.4` column per indicator for its measured value.

use crate::atlas::Atlas;
use crate::load::upload::layout::{self, criteria_items, value_column, SheetContent, CRITERIA_ROW_COLUMNS, DATA_SHEETS, GUIDE_SHEET, LISTS_SHEET, UNITS_SHEET};
use crate::load::upload::{province_units, ProvinceUnits, MAX_UPLOAD_BYTES};
use crate::model::{AsOf, DirectingLevel, Edition, Level, PilotKind, PilotStage, ProvinceCode, Record, RecordKind, TourismCategory, UnitScope};
use rust_xlsxwriter::{Color, DataValidation, Format, Formula, Workbook, Worksheet, XlsxError};
use std::collections::BTreeMap;

/// Why a template cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("province {0} is not a province of edition 2025 (the edition in force)")]
    UnknownProvince(ProvinceCode),
    #[error("writing the workbook failed: {0}")]
    Xlsx(#[from] XlsxError),
}

/// Rows the data validations and column formats reach below the prefilled rows.
const ROOM_BELOW: u32 = 2_000;
/// Yes and no as the criteria columns write them (the loader also reads true/false, 1/0).
const YES: &str = "có";
const NO: &str = "không";

/// The workbook for edition-2025 province `province`, as of `as_of`.
pub fn write_template(atlas: &Atlas, province: ProvinceCode, as_of: AsOf) -> Result<Vec<u8>, TemplateError> {
    if !atlas.edition(Edition::E2025).provinces.contains_key(&province) {
        return Err(TemplateError::UnknownProvince(province));
    }
    let units = province_units(atlas, &[province]);
    let records = published_records(atlas, &units, as_of);
    let styles = Styles::new();
    let mut workbook = Workbook::new();
    workbook.push_worksheet(guide_sheet(atlas, province, as_of, &styles)?);
    for spec in &DATA_SHEETS {
        workbook.push_worksheet(data_sheet(atlas, &units, &records, spec, &styles)?);
    }
    workbook.push_worksheet(units_sheet(atlas, &units, &styles)?);
    workbook.push_worksheet(lists_sheet(atlas)?);
    Ok(workbook.save_to_buffer()?)
}

/// The published records of `units` in force at `as_of`, by kind, in the flat shape (and
/// canonical text) an upload of the unchanged template gives back.
pub fn published_records(atlas: &Atlas, units: &ProvinceUnits, as_of: AsOf) -> BTreeMap<RecordKind, Vec<Record>> {
    let mut out: BTreeMap<RecordKind, Vec<Record>> = BTreeMap::new();
    let text = |o: &Option<String>| o.clone().unwrap_or_default();
    let number = |v: f64| crate::load::upload::number_text(v);
    let mut push = |kind: RecordKind, fields: Vec<String>| out.entry(kind).or_default().push(Record { kind, fields });
    for code in &units.communes_2024 {
        for r in atlas.commune_results.get(code).into_iter().flatten().filter(|r| as_of.includes(r.year, r.recognized_on.as_deref())) {
            push(RecordKind::CommuneResult, vec![code.to_string(), r.year.to_string(), r.level.as_str().into(), r.criteria_met.map_or(String::new(), |n| n.to_string()), text(&r.recognized_on), text(&r.decision)]);
        }
    }
    for code in &units.districts_2024 {
        for r in atlas.district_results.get(code).into_iter().flatten().filter(|r| as_of.includes(r.year, r.recognized_on.as_deref())) {
            push(RecordKind::DistrictResult, vec![code.to_string(), r.year.to_string(), r.level.as_str().into(), text(&r.recognized_on), text(&r.decision)]);
        }
    }
    let criteria = &atlas.criteria;
    let units_assessed = units
        .communes_2024
        .iter()
        .map(|c| (c.to_string(), criteria.communes.get(c)))
        .chain(units.districts_2024.iter().map(|d| (d.to_string(), criteria.districts.get(d))));
    for (code, rows) in units_assessed {
        for a in rows.into_iter().flatten().filter(|a| as_of.includes(a.year, a.assessed_on.as_deref())) {
            push(
                RecordKind::Criteria,
                vec![
                    code.clone(),
                    a.year.to_string(),
                    criteria.catalog.sets[a.set].id.clone(),
                    a.item.criterion.to_string(),
                    a.item.indicator.map_or(String::new(), |i| i.to_string()),
                    a.met.to_string(),
                    a.value.map_or(String::new(), number),
                    text(&a.assessed_on),
                    text(&a.note),
                ],
            );
        }
    }
    for p in atlas.pilots.iter().filter(|p| units.communes_2024.contains(&p.commune)) {
        let v = &p.provenance;
        push(
            RecordKind::Pilot,
            vec![
                p.id.clone(),
                p.name.clone(),
                p.kind.as_str().into(),
                p.field.clone(),
                p.commune.to_string(),
                number(p.position.lon),
                number(p.position.lat),
                p.approved_year.map_or(String::new(), |y| y.to_string()),
                text(&v.decision),
                text(&v.approved_on),
                v.directing_level.map_or(String::new(), |d| d.as_str().into()),
                v.stage.map_or(String::new(), |s| s.as_str().into()),
                text(&v.url),
            ],
        );
    }
    for t in atlas.tourism.iter().filter(|t| units.communes_2024.contains(&t.commune)) {
        push(
            RecordKind::Tourism,
            vec![
                t.id.clone(),
                t.name.clone(),
                t.category.as_str().into(),
                t.ocop_stars.map_or(String::new(), |s| s.to_string()),
                t.commune.to_string(),
                number(t.position.lon),
                number(t.position.lat),
                text(&t.url),
            ],
        );
    }
    out
}

struct Styles {
    label: Format,
    header: Format,
    context: Format,
    context_header: Format,
    text: Format,
    title: Format,
    wrap: Format,
}

impl Styles {
    fn new() -> Styles {
        let grey = Color::RGB(0xE7E6E6);
        Styles {
            label: Format::new().set_bold().set_text_wrap().set_background_color(Color::RGB(0xDDEBF7)),
            header: Format::new().set_bold().set_font_color(Color::RGB(0x1F4E78)).set_background_color(Color::RGB(0xDDEBF7)),
            context: Format::new().set_italic().set_font_color(Color::RGB(0x595959)).set_background_color(grey).set_num_format("@"),
            context_header: Format::new().set_bold().set_italic().set_text_wrap().set_font_color(Color::RGB(0x595959)).set_background_color(grey),
            text: Format::new().set_num_format("@"),
            title: Format::new().set_bold().set_font_size(14),
            wrap: Format::new().set_text_wrap(),
        }
    }
}

/// The columns of a data sheet, context columns included, in order.
fn sheet_columns(atlas: &Atlas, content: SheetContent) -> Vec<String> {
    let s = |v: &[&str]| v.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    match content {
        SheetContent::Records(RecordKind::CommuneResult) => s(&["code", "ref_name", "ref_district", "ref_commune_2025", "year", "level", "criteria_met", "recognized_on", "decision"]),
        SheetContent::Records(RecordKind::DistrictResult) => s(&["code", "ref_name", "year", "level", "recognized_on", "decision"]),
        SheetContent::Records(RecordKind::Pilot) => s(&["id", "name", "kind", "field", "commune_code", "ref_commune_name", "lon", "lat", "approved_year", "decision", "approved_on", "directing_level", "stage", "url"]),
        SheetContent::Records(RecordKind::Tourism) => s(&["id", "name", "category", "ocop_stars", "commune_code", "ref_commune_name", "lon", "lat", "url"]),
        SheetContent::Records(kind) => kind.columns().iter().map(|c| c.to_string()).collect(),
        SheetContent::CriteriaWide(unit) => {
            let items = criteria_items(&atlas.criteria.catalog, unit);
            let mut columns = s(&["unit_code", "ref_name", "year", "set"]);
            columns.extend(items.iter().map(|i| i.to_string()));
            columns.extend(items.iter().filter(|i| i.is_indicator()).map(|i| value_column(*i)));
            columns.extend(s(&CRITERIA_ROW_COLUMNS[3..]));
            columns
        }
    }
}

/// Which list of the lists sheet a column's drop-down offers.
fn list_of(column: &str) -> Option<usize> {
    match column {
        "level" => Some(0),
        "kind" => Some(2),
        "category" => Some(3),
        "directing_level" => Some(4),
        "stage" => Some(5),
        _ if crate::model::ItemNumber::parse(column).is_ok() => Some(1),
        _ => None,
    }
}

/// The lists of the lists sheet, one per column: levels, yes/no, pilot kinds, tourism
/// categories, directing levels, pilot stages, commune sets, district sets.
fn lists(atlas: &Atlas) -> Vec<Vec<String>> {
    let sets = |unit: UnitScope| atlas.criteria.catalog.sets.iter().filter(|s| s.unit == unit).map(|s| s.id.clone()).collect::<Vec<_>>();
    vec![
        Level::ALL.iter().map(|l| l.label_vi().to_string()).collect(),
        vec![YES.to_string(), NO.to_string()],
        PilotKind::ALL.iter().map(|k| k.as_str().to_string()).collect(),
        TourismCategory::ALL.iter().map(|c| c.as_str().to_string()).collect(),
        DirectingLevel::ALL.iter().map(|d| d.as_str().to_string()).collect(),
        PilotStage::ALL.iter().map(|s| s.as_str().to_string()).collect(),
        sets(UnitScope::Commune),
        sets(UnitScope::District),
    ]
}

fn list_formula(list: usize, len: usize) -> Formula {
    let col = layout::column_letters(list as u32);
    Formula::new(format!("={LISTS_SHEET}!${col}$2:${col}${}", len + 1))
}

fn lists_sheet(atlas: &Atlas) -> Result<Worksheet, XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name(LISTS_SHEET)?;
    let names = ["level", "yes_no", "pilot_kind", "tourism_category", "directing_level", "stage", "commune_set", "district_set"];
    for (c, (name, list)) in names.iter().zip(lists(atlas)).enumerate() {
        ws.write_string(0, c as u16, *name)?;
        for (r, v) in list.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, v)?;
        }
    }
    ws.set_hidden(true);
    Ok(ws)
}

/// Context for a 2024 commune: its name, district and the 2025 commune(s) it went into.
struct Context {
    name: BTreeMap<String, String>,
    district: BTreeMap<String, String>,
    commune_2025: BTreeMap<String, String>,
}

fn context(atlas: &Atlas, units: &ProvinceUnits) -> Context {
    let (e2024, e2025) = (atlas.edition(Edition::E2024), atlas.edition(Edition::E2025));
    let mut c = Context { name: BTreeMap::new(), district: BTreeMap::new(), commune_2025: BTreeMap::new() };
    for code in &units.communes_2024 {
        if let Some(commune) = e2024.commune(*code) {
            c.name.insert(code.to_string(), commune.name.clone());
            if let Some(d) = commune.district.and_then(|d| e2024.districts.get(&d)) {
                c.district.insert(code.to_string(), d.name.clone());
            }
        }
    }
    for d in &units.districts_2024 {
        if let Some(district) = e2024.districts.get(d) {
            c.name.insert(d.to_string(), district.name.clone());
        }
    }
    for link in &atlas.crosswalk {
        let (old, new) = (&e2024.communes[link.old as usize], &e2025.communes[link.new as usize]);
        if units.communes_2024.contains(&old.code) {
            let entry = c.commune_2025.entry(old.code.to_string()).or_default();
            if !entry.is_empty() {
                entry.push_str("; ");
            }
            entry.push_str(&format!("{} {}", new.code, new.name));
        }
    }
    c
}

/// One data sheet: labels, names, the records (criteria widened), placeholders.
fn data_sheet(atlas: &Atlas, units: &ProvinceUnits, records: &BTreeMap<RecordKind, Vec<Record>>, spec: &layout::SheetSpec, styles: &Styles) -> Result<Worksheet, XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name(spec.name)?;
    let columns = sheet_columns(atlas, spec.content);
    let context = context(atlas, units);
    for (c, name) in columns.iter().enumerate() {
        let c = c as u16;
        let is_context = name.starts_with(layout::CONTEXT_PREFIX);
        let label = layout::label_vi(name);
        ws.write_string_with_format(0, c, &label, if is_context { &styles.context_header } else { &styles.label })?;
        ws.write_string_with_format(1, c, name, if is_context { &styles.context_header } else { &styles.header })?;
        let width = if is_context { 24 } else if matches!(name.as_str(), "name" | "decision" | "note" | "url" | "field") { 22 } else { (name.len().max(6) + 2) as u16 };
        ws.set_column_width(c, width)?;
        if is_context {
            ws.set_column_format(c, &styles.context)?;
        } else if matches!(name.as_str(), "code" | "unit_code" | "commune_code" | "id" | "recognized_on" | "assessed_on" | "approved_on" | "decision") {
            ws.set_column_format(c, &styles.text)?;
        }
    }
    ws.set_row_height(0, 45)?;
    let rows = sheet_rows(atlas, units, records, spec.content, &columns);
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 2;
        for (c, value) in row.iter().enumerate() {
            if value.is_empty() {
                continue;
            }
            let name = &columns[c];
            let c = c as u16;
            if name.starts_with(layout::CONTEXT_PREFIX) {
                let shown = match name.as_str() {
                    "ref_district" => context.district.get(value),
                    "ref_commune_2025" => context.commune_2025.get(value),
                    _ => context.name.get(value),
                };
                if let Some(text) = shown {
                    ws.write_string_with_format(r, c, text, &styles.context)?;
                }
            } else if is_number_column(name) {
                match value.parse::<f64>() {
                    Ok(v) => ws.write_number(r, c, v)?,
                    Err(_) => ws.write_string(r, c, value)?,
                };
            } else {
                ws.write_string_with_format(r, c, value, &styles.text)?;
            }
        }
    }
    let last = rows.len() as u32 + 1 + ROOM_BELOW;
    let lists = lists(atlas);
    for (c, name) in columns.iter().enumerate() {
        let list = match (spec.content, name.as_str()) {
            (SheetContent::CriteriaWide(UnitScope::Commune), "set") => Some(6),
            (SheetContent::CriteriaWide(UnitScope::District), "set") => Some(7),
            (_, n) => list_of(n),
        };
        if let Some(list) = list {
            let validation = DataValidation::new().allow_list_formula(list_formula(list, lists[list].len()));
            ws.add_data_validation(2, c as u16, last, c as u16, &validation)?;
        }
    }
    ws.set_freeze_panes(2, 1)?;
    Ok(ws)
}

fn is_number_column(name: &str) -> bool {
    matches!(name, "year" | "criteria_met" | "approved_year" | "ocop_stars" | "lon" | "lat") || name.starts_with("value_")
}

/// The rows of a sheet as text per column: each record in its sheet's columns (context
/// columns hold the unit code, replaced by names when written), then placeholders.
fn sheet_rows(atlas: &Atlas, units: &ProvinceUnits, records: &BTreeMap<RecordKind, Vec<Record>>, content: SheetContent, columns: &[String]) -> Vec<Vec<String>> {
    let e2024 = atlas.edition(Edition::E2024);
    let mut rows: Vec<Vec<String>> = Vec::new();
    let of = |kind: RecordKind| records.get(&kind).map_or(&[][..], Vec::as_slice);
    let plain = |record: &Record, unit_field: &str| -> Vec<String> {
        columns
            .iter()
            .map(|c| match c.as_str() {
                c if c.starts_with(layout::CONTEXT_PREFIX) => record.get(unit_field).to_string(),
                "level" => Level::parse(record.get("level")).map_or_else(|_| record.get("level").to_string(), |l| l.label_vi().to_string()),
                c => record.get(c).to_string(),
            })
            .collect()
    };
    match content {
        SheetContent::Records(kind @ (RecordKind::CommuneResult | RecordKind::DistrictResult)) => {
            let units: Vec<String> = if kind == RecordKind::CommuneResult {
                units.communes_2024.iter().filter(|c| e2024.commune(**c).is_some_and(|c| c.kind.ntm_eligible())).map(|c| c.to_string()).collect()
            } else {
                units.districts_2024.iter().map(|d| d.to_string()).collect()
            };
            let mut by_unit: BTreeMap<&str, Vec<&Record>> = BTreeMap::new();
            for r in of(kind) {
                by_unit.entry(r.get("code")).or_default().push(r);
            }
            for unit in &units {
                match by_unit.get(unit.as_str()) {
                    Some(records) => rows.extend(records.iter().map(|r| plain(r, "code"))),
                    None => rows.push(columns.iter().map(|c| if c == "code" || c.starts_with(layout::CONTEXT_PREFIX) { unit.clone() } else { String::new() }).collect()),
                }
            }
        }
        SheetContent::Records(kind) => rows.extend(of(kind).iter().map(|r| plain(r, "commune_code"))),
        SheetContent::CriteriaWide(unit) => {
            let catalog = &atlas.criteria.catalog;
            let units: Vec<String> = match unit {
                UnitScope::Commune => units.communes_2024.iter().filter(|c| e2024.commune(**c).is_some_and(|c| c.kind.ntm_eligible())).map(|c| c.to_string()).collect(),
                UnitScope::District => units.districts_2024.iter().map(|d| d.to_string()).collect(),
            };
            // (unit, year, set, assessed_on, note) → item column → (met, value)
            type Key<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str);
            let mut wide: BTreeMap<Key<'_>, Vec<&Record>> = BTreeMap::new();
            for r in of(RecordKind::Criteria).iter().filter(|r| catalog.get(r.get("set")).is_some_and(|s| s.unit == unit)) {
                wide.entry((r.get("unit_code"), r.get("year"), r.get("set"), r.get("assessed_on"), r.get("note"))).or_default().push(r);
            }
            let position = |name: &str| columns.iter().position(|c| c == name);
            for code in &units {
                let mut any = false;
                for ((u, year, set, assessed_on, note), items) in wide.range((code.as_str(), "", "", "", "")..) {
                    if *u != code.as_str() {
                        break;
                    }
                    any = true;
                    let mut row = vec![String::new(); columns.len()];
                    for (name, value) in [("unit_code", *u), ("ref_name", *u), ("year", *year), ("set", *set), ("assessed_on", *assessed_on), ("note", *note)] {
                        if let Some(i) = position(name) {
                            row[i] = value.to_string();
                        }
                    }
                    for r in items {
                        let item = if r.get("indicator").is_empty() { r.get("criterion").to_string() } else { format!("{}.{}", r.get("criterion"), r.get("indicator")) };
                        if let Some(i) = position(&item) {
                            row[i] = if r.get("met") == "true" { YES } else { NO }.to_string();
                        }
                        if let (false, Some(i)) = (r.get("value").is_empty(), position(&format!("value_{item}"))) {
                            row[i] = r.get("value").to_string();
                        }
                    }
                    rows.push(row);
                }
                if !any {
                    rows.push(columns.iter().map(|c| if c == "unit_code" || c == "ref_name" { code.clone() } else { String::new() }).collect());
                }
            }
        }
    }
    rows
}

/// The province's 2025 communes with the 2024 communes that went into them.
fn units_sheet(atlas: &Atlas, units: &ProvinceUnits, styles: &Styles) -> Result<Worksheet, XlsxError> {
    let (e2024, e2025) = (atlas.edition(Edition::E2024), atlas.edition(Edition::E2025));
    let mut ws = Worksheet::new();
    ws.set_name(UNITS_SHEET)?;
    let head = [
        ("Mã xã 2025", "commune_2025"),
        ("Tên xã 2025", "name_2025"),
        ("Loại", "kind_2025"),
        ("Mã xã 2024", "commune_2024"),
        ("Tên xã 2024", "name_2024"),
        ("Mã huyện 2024", "district_2024"),
        ("Tên huyện 2024", "district_name_2024"),
        ("Sắp xếp", "relation"),
    ];
    for (c, (vi, en)) in head.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *vi, &styles.label)?;
        ws.write_string_with_format(1, c as u16, *en, &styles.header)?;
        ws.set_column_width(c as u16, 18)?;
    }
    let mut r = 2;
    for &new in &units.communes_2025 {
        let c25 = &e2025.communes[new];
        let links = atlas.crosswalk.iter().filter(|l| l.new as usize == new);
        for link in links {
            let c24 = &e2024.communes[link.old as usize];
            let district = c24.district.and_then(|d| e2024.districts.get(&d));
            let cells = [
                c25.code.to_string(),
                c25.name.clone(),
                c25.kind.label_vi().to_string(),
                c24.code.to_string(),
                c24.name.clone(),
                district.map_or(String::new(), |d| d.code.to_string()),
                district.map_or(String::new(), |d| d.name.clone()),
                format!("{:?}", link.relation).to_lowercase(),
            ];
            for (c, v) in cells.iter().enumerate() {
                ws.write_string_with_format(r, c as u16, v, &styles.context)?;
            }
            r += 1;
        }
    }
    ws.set_freeze_panes(2, 0)?;
    Ok(ws)
}

/// The guide: what each sheet holds and how each column is filled, in both languages.
fn guide_sheet(atlas: &Atlas, province: ProvinceCode, as_of: AsOf, styles: &Styles) -> Result<Worksheet, XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name(GUIDE_SHEET)?;
    ws.set_column_width(0, 90)?;
    ws.set_column_width(1, 90)?;
    let name = atlas.edition(Edition::E2025).provinces.get(&province).map_or_else(|| province.to_string(), |p| p.name.clone());
    ws.write_string_with_format(0, 0, format!("Mẫu cập nhật dữ liệu NTM – {name} ({province}), số liệu đến {as_of}"), &styles.title)?;
    ws.write_string_with_format(0, 1, format!("NTM data update template – {name} ({province}), data as of {as_of}"), &styles.title)?;
    let mut lines: Vec<(String, String)> = vec![
        ("Cách dùng".into(), "How to use".into()),
        (
            "Sửa hoặc thêm dòng ở các trang dữ liệu rồi tải tệp lên. Mỗi dòng là một bản ghi; bản ghi trùng khóa (mã, năm…) với bản đã công bố sẽ thay thế bản đó sau khi được duyệt.".into(),
            "Edit or add rows on the data sheets, then upload the file. Each row is one record; a record with the key (code, year, …) of a published one replaces it once approved.".into(),
        ),
        (
            "Không đổi tên trang tính; tệp được đọc theo tên trang. Có thể xóa các trang không cần sửa.".into(),
            "Do not rename the sheets: the file is read by sheet name. Sheets you do not change may be deleted.".into(),
        ),
        (
            "Dòng 1 là nhãn tiếng Việt, dòng 2 là tên cột (không sửa). Cột nền xám (tên bắt đầu bằng ref_) chỉ để tham khảo và không được đọc.".into(),
            "Row 1 holds Vietnamese labels, row 2 the column names (keep them). Grey columns (named ref_…) are for reference and are not read.".into(),
        ),
        (
            "Dòng chỉ có mã đơn vị (chưa điền gì khác) là dòng trống để điền và được bỏ qua.".into(),
            "A row with only the unit code (nothing else filled in) is a blank to fill in and is skipped.".into(),
        ),
        (
            "Mã xã, huyện là mã năm 2024 (kết quả NTM được công nhận trên đơn vị cũ); trang DonVi liệt kê xã năm 2025 của tỉnh và các xã năm 2024 đã nhập vào.".into(),
            "Commune and district codes are the 2024 codes (NTM results were recognised on the former units); the DonVi sheet lists the province's 2025 communes and the 2024 communes merged into them.".into(),
        ),
        (
            "Ngày ghi theo dạng YYYY-MM-DD (ví dụ 2024-06-30) hoặc định dạng ngày của Excel. Số thập phân dùng dấu phẩy hoặc dấu chấm.".into(),
            "Dates as YYYY-MM-DD (e.g. 2024-06-30) or an Excel date. Decimals with a comma or a point.".into(),
        ),
        (
            "Công thức không được tính: chỉ giá trị Excel đã lưu được đọc. Ô bắt đầu bằng '=' bị từ chối.".into(),
            "Formulas are never evaluated: only the value Excel saved is read. Text starting with '=' is refused.".into(),
        ),
        (
            format!("Giới hạn: tệp tối đa {} MB; mỗi trang tối đa 100.000 dòng.", MAX_UPLOAD_BYTES >> 20),
            format!("Limits: at most {} MB per file; at most 100,000 rows per sheet.", MAX_UPLOAD_BYTES >> 20),
        ),
        (String::new(), String::new()),
        ("Các trang dữ liệu".into(), "Data sheets".into()),
    ];
    for spec in &DATA_SHEETS {
        lines.push((format!("{} – {}", spec.name, spec.title_vi), format!("{} – {}", spec.name, spec.title_en)));
    }
    lines.push((
        "TieuChi_Xa / TieuChi_Huyen: mỗi dòng là một đơn vị, một năm, một bộ tiêu chí; mỗi cột số (1 … 19, 8.4, 15.2) là một tiêu chí hoặc chỉ tiêu, điền có/không; để trống nếu chưa đánh giá. Cột value_8.4 … ghi giá trị đo của chỉ tiêu (ví dụ tỷ lệ %).".into(),
        "TieuChi_Xa / TieuChi_Huyen: one row per unit, year and criteria set; each numbered column (1 … 19, 8.4, 15.2) is a criterion or indicator, filled with có (yes) / không (no); leave it empty when not assessed. Columns value_8.4 … hold an indicator's measured value (e.g. a percentage).".into(),
    ));
    lines.push((
        "Mức đạt: Chưa đạt chuẩn NTM, Đạt chuẩn NTM, NTM nâng cao, NTM kiểu mẫu (chọn trong danh sách).".into(),
        "Levels: Chưa đạt chuẩn NTM (not yet), Đạt chuẩn NTM (standard), NTM nâng cao (advanced), NTM kiểu mẫu (model); pick from the list.".into(),
    ));
    lines.push((String::new(), String::new()));
    lines.push(("Các cột".into(), "Columns".into()));
    let mut documented = std::collections::BTreeSet::new();
    for spec in &DATA_SHEETS {
        for column in sheet_columns(atlas, spec.content) {
            let is_item = crate::model::ItemNumber::parse(&column).is_ok() || column.starts_with("value_");
            if !is_item && documented.insert(column.clone()) {
                lines.push((format!("{column}: {}", layout::label_vi(&column)), format!("{column}: {}", column_en(&column))));
            }
        }
    }
    for (r, (vi, en)) in lines.iter().enumerate() {
        let r = r as u32 + 2;
        ws.write_string_with_format(r, 0, vi, &styles.wrap)?;
        ws.write_string_with_format(r, 1, en, &styles.wrap)?;
    }
    Ok(ws)
}

/// The English description of a column for the guide.
fn column_en(column: &str) -> &'static str {
    match column {
        "code" => "the unit's code (commune: 5 digits, district: 3, edition 2024)",
        "unit_code" => "the assessed unit's code (commune 5 digits, district 3, edition 2024)",
        "year" => "year of recognition or assessment",
        "level" => "NTM level (drop-down list)",
        "criteria_met" => "number of the 19 criteria met (0–19)",
        "recognized_on" => "date of the recognition decision (YYYY-MM-DD)",
        "decision" => "number of the decision",
        "set" => "criteria set (drop-down list)",
        "assessed_on" => "assessment date (YYYY-MM-DD), optional",
        "note" => "note, optional",
        "id" => "the record's own id, unique in the country (e.g. HT-01)",
        "name" => "name",
        "kind" => "pilot kind: smart_commune, ecommerce_commune, smart_village",
        "field" => "leading field (kinh tế, du lịch nông thôn, …)",
        "commune_code" => "commune code (5 digits, edition 2024)",
        "lon" | "lat" => "longitude / latitude in decimal degrees (WGS84); both or neither",
        "approved_year" => "year of approval",
        "approved_on" => "date of approval (YYYY-MM-DD)",
        "directing_level" => "directed by: central, province or district",
        "stage" => "stage: selected, building or recognised",
        "url" => "web address (http:// or https://)",
        "category" => "category: rural_tourism_site, homestay, craft_village, ocop_product",
        "ocop_stars" => "OCOP stars (3–5), OCOP products only",
        "ref_name" => "unit name (reference only)",
        "ref_district" => "2024 district (reference only)",
        "ref_commune_2025" => "the 2025 commune(s) it went into (reference only)",
        "ref_commune_name" => "commune name (reference only)",
        _ => "",
    }
}
