//! Turns tables into candidate records: one per row of a record sheet, and one per
//! filled item cell of a wide criteria row (the rows of today's long `criteria.csv`).
//!
//! Steps: 1. take each column of the kind's CSV header from the table (absent columns are
//! empty); 2. skip placeholder rows (only the unit code is given: the template lists every
//! unit, filled or not); 3. tidy values the way spreadsheets garble them: codes that lost
//! their leading zeros are padded, a decimal comma in `lon`, `lat` or `value` becomes a
//! point; 4. remember where each field came from (sheet, row, column) for the report.

use super::layout::{value_column, SheetContent, CRITERIA_ROW_COLUMNS};
use super::table::Table;
use super::UploadProblem;
use crate::model::{CriteriaCatalog, ItemNumber, RecordKind, UnitScope};

/// One record still to be checked, and where it came from.
pub(crate) struct Candidate {
    pub kind: RecordKind,
    /// One per column of [`RecordKind::columns`].
    pub fields: Vec<String>,
    /// Index of its table.
    pub table: usize,
    /// 1-based sheet row or CSV line.
    pub row: u64,
    /// Wide criteria: the item's column, and its value column.
    pub item_column: Option<u32>,
    pub value_column: Option<u32>,
}

impl Candidate {
    /// The table column a field of the record came from.
    pub fn column(&self, tables: &[Table], field: &str) -> Option<u32> {
        match (tables[self.table].content, field) {
            (SheetContent::CriteriaWide(_), "criterion" | "indicator" | "met") => self.item_column,
            (SheetContent::CriteriaWide(_), "value") => self.value_column.or(self.item_column),
            _ => tables[self.table].column(field).map(|c| c as u32),
        }
    }

    pub fn get(&self, field: &str) -> &str {
        self.kind.column_index(field).map_or("", |i| self.fields[i].as_str())
    }
}

/// The candidates of every table, in table and row order.
pub(crate) fn candidates(tables: &[Table], catalog: &CriteriaCatalog, problems: &mut Vec<UploadProblem>) -> Vec<Candidate> {
    let mut out = Vec::new();
    for (t, table) in tables.iter().enumerate() {
        match table.content {
            SheetContent::Records(kind) => {
                let columns: Vec<Option<usize>> = kind.columns().iter().map(|c| table.column(c)).collect();
                let unit_field = unit_field(kind);
                for (row, cells) in &table.rows {
                    let fields: Vec<String> = columns.iter().map(|c| c.map_or(String::new(), |c| cells[c].clone())).collect();
                    if is_placeholder(&fields, unit_field) {
                        continue;
                    }
                    let mut c = Candidate { kind, fields, table: t, row: *row, item_column: None, value_column: None };
                    tidy(&mut c, catalog);
                    out.push(c);
                }
            }
            SheetContent::CriteriaWide(unit) => wide_rows(t, table, unit, catalog, &mut out, problems),
        }
    }
    out
}

fn unit_field(kind: RecordKind) -> usize {
    kind.column_index(kind.unit_column()).unwrap_or(0)
}

/// A row with nothing but (at most) its unit code: a unit listed in the template and not
/// filled in.
fn is_placeholder(fields: &[String], unit_field: usize) -> bool {
    fields.iter().enumerate().all(|(i, f)| i == unit_field || f.is_empty())
}

/// Wide criteria rows → one candidate per filled item cell.
fn wide_rows(t: usize, table: &Table, _unit: UnitScope, catalog: &CriteriaCatalog, out: &mut Vec<Candidate>, problems: &mut Vec<UploadProblem>) {
    let row_columns: Vec<Option<usize>> = CRITERIA_ROW_COLUMNS.iter().map(|c| table.column(c)).collect();
    // Item columns: every column named like an item number (`8`, `8.4`); the set decides
    // later whether the item belongs to it.
    let mut items: Vec<(ItemNumber, usize, Option<usize>)> = Vec::new();
    for (i, name) in table.columns.iter().enumerate() {
        if let Ok(item) = ItemNumber::parse(name) {
            items.push((item, i, table.column(&value_column(item))));
        }
    }
    for (row, cells) in &table.rows {
        let cell = |c: Option<usize>| c.map_or("", |c| cells[c].as_str());
        let [unit_code, year, set, assessed_on, note] = [0, 1, 2, 3, 4].map(|i| cell(row_columns[i]));
        let filled: Vec<&(ItemNumber, usize, Option<usize>)> =
            items.iter().filter(|(_, c, v)| !cells[*c].is_empty() || v.is_some_and(|v| !cells[v].is_empty())).collect();
        if filled.is_empty() {
            if [year, set, assessed_on, note].iter().all(|f| f.is_empty()) {
                continue; // a placeholder: the unit is listed, nothing is filled in
            }
            problems.push(UploadProblem::cell(
                &table.sheet,
                *row,
                "set",
                row_columns[2].unwrap_or(0) as u32,
                "the row fills in no criterion or indicator".into(),
                "Dòng không điền tiêu chí hoặc chỉ tiêu nào".into(),
                None,
            ));
            continue;
        }
        for (item, c, v) in filled {
            let fields = vec![
                unit_code.to_string(),
                year.to_string(),
                set.to_string(),
                item.criterion.to_string(),
                item.indicator.map_or(String::new(), |i| i.to_string()),
                cells[*c].clone(),
                v.map_or(String::new(), |v| cells[v].clone()),
                assessed_on.to_string(),
                note.to_string(),
            ];
            let mut candidate = Candidate { kind: RecordKind::Criteria, fields, table: t, row: *row, item_column: Some(*c as u32), value_column: v.map(|v| v as u32) };
            tidy(&mut candidate, catalog);
            out.push(candidate);
        }
    }
}

/// Pads codes that lost their leading zeros and reads decimal commas.
fn tidy(c: &mut Candidate, catalog: &CriteriaCatalog) {
    let digits_of = |field: &str, c: &Candidate| -> Option<usize> {
        match (c.kind, field) {
            (RecordKind::CommuneResult, "code") | (_, "commune_code") => Some(5),
            (RecordKind::DistrictResult, "code") => Some(3),
            (RecordKind::ProvinceResult, "code") => Some(2),
            (RecordKind::Criteria, "unit_code") => catalog.get(c.get("set")).map(|s| match s.unit {
                UnitScope::Commune => 5,
                UnitScope::District => 3,
            }),
            _ => None,
        }
    };
    for field in ["code", "commune_code", "unit_code"] {
        let Some(i) = c.kind.column_index(field) else { continue };
        let Some(width) = digits_of(field, c) else { continue };
        let text = &c.fields[i];
        if !text.is_empty() && text.len() < width && text.bytes().all(|b| b.is_ascii_digit()) {
            c.fields[i] = format!("{text:0>width$}");
        }
    }
    for field in ["lon", "lat", "value"] {
        let Some(i) = c.kind.column_index(field) else { continue };
        let text = &c.fields[i];
        if let Some((whole, fraction)) = text.split_once(',') {
            let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            if digits(whole.trim_start_matches(['-', '+'])) && digits(fraction) {
                c.fields[i] = format!("{whole}.{fraction}");
            }
        }
    }
}
