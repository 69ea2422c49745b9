//! Criteria assessments: a long-format CSV, one row per unit, year and criterion or
//! indicator: `unit_code,year,set,criterion,indicator,met,value,assessed_on,note`.
//!
//! Steps: 1. read the sheet ([`super::csv_table`]); 2. parse each row against the
//! [`CriteriaCatalog`]: the set must exist, the year must lie in the set's years, the
//! criterion or indicator must belong to the set, the code must be a commune code for a
//! commune set and a district code for a district set, `met` a yes/no value, `value` a
//! number; 3. refuse two rows for the same unit, year, set and item. Whether the unit
//! exists, and whether the rows agree with the results file, is checked where both files
//! meet (the atlas build).

use super::csv_table::{open, Row, RowsRead, Sheet, Sourced};
use super::error::LoadError;
use crate::model::{CommuneCode, CriteriaCatalog, DistrictCode, ItemNumber, UnitScope};
use std::path::Path;

/// The unit a row assesses: its code read as the set's kind of unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AssessedUnit {
    Commune(CommuneCode),
    District(DistrictCode),
}

impl From<AssessedUnit> for crate::model::UnitCode {
    fn from(unit: AssessedUnit) -> Self {
        match unit {
            AssessedUnit::Commune(c) => crate::model::UnitCode::Commune(c),
            AssessedUnit::District(d) => crate::model::UnitCode::District(d),
        }
    }
}

impl std::fmt::Display for AssessedUnit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AssessedUnit::Commune(c) => c.fmt(f),
            AssessedUnit::District(d) => d.fmt(f),
        }
    }
}

/// One assessment row.
#[derive(Debug, Clone, PartialEq)]
pub struct CriteriaRow {
    pub unit: AssessedUnit,
    pub year: u16,
    /// Index of the set in the catalog.
    pub set: usize,
    pub item: ItemNumber,
    pub met: bool,
    /// A measured value, e.g. the share of dossiers handled online, in percent.
    pub value: Option<f64>,
    /// ISO date of the assessment; the state on a date counts rows assessed by then.
    pub assessed_on: Option<String>,
    pub note: Option<String>,
}

/// The columns of a criteria file, in the order bando writes them.
pub const COLUMNS: [&str; 9] = ["unit_code", "year", "set", "criterion", "indicator", "met", "value", "assessed_on", "note"];

/// Reads an assessment file against `catalog`; every problem comes back together.
pub fn read_criteria(path: &Path, catalog: &CriteriaCatalog) -> Result<Vec<Sourced<CriteriaRow>>, LoadError> {
    read_criteria_rows(path, catalog)?.finish()
}

/// The rows that read well, the problems of the others and the units they name
/// ([`RowsRead`]), so that checks across files can still run and one report lists
/// everything. `Err` only when the file cannot be read at all.
pub fn read_criteria_rows(path: &Path, catalog: &CriteriaCatalog) -> Result<RowsRead<CriteriaRow, UnreadCriteriaUnit>, LoadError> {
    read_criteria_rows_from(path, open(path)?, catalog)
}

/// The same from `input` (bytes in memory, an upload); problems name `name` as their file.
pub fn read_criteria_rows_from(
    name: &Path,
    input: impl std::io::Read,
    catalog: &CriteriaCatalog,
) -> Result<RowsRead<CriteriaRow, UnreadCriteriaUnit>, LoadError> {
    let sheet = Sheet::from_reader(name, input, &COLUMNS[..6])?;
    let (mut parsed, unread) = sheet.parse_rows_naming_units(|row| unit_of_row(row, catalog), |row| parse_row(row, catalog));
    parsed.no_duplicates("criterion", |r| (r.unit, r.year, r.set, r.item), |r| format!("{} {} {} {}", r.unit, r.year, catalog.sets[r.set].id, r.item), "(unit_code, year, set, item)");
    Ok(parsed.into_read(unread))
}

/// The unit a refused row names: its code, read as the kind of unit its set assesses, and
/// the set (the message for an unknown unit names it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnreadCriteriaUnit {
    pub unit: AssessedUnit,
    pub set: usize,
}

/// [`UnreadCriteriaUnit`] from a row's raw cells, when its set and code read.
fn unit_of_row(row: &Row<'_>, catalog: &CriteriaCatalog) -> Option<UnreadCriteriaUnit> {
    let set = catalog.sets.iter().position(|s| s.id == row.text("set"))?;
    let code = row.text("unit_code");
    let unit = match catalog.sets[set].unit {
        UnitScope::Commune => AssessedUnit::Commune(CommuneCode::parse(code).ok()?),
        UnitScope::District => AssessedUnit::District(DistrictCode::parse(code).ok()?),
    };
    Some(UnreadCriteriaUnit { unit, set })
}

fn parse_row(row: &mut Row<'_>, catalog: &CriteriaCatalog) -> Option<CriteriaRow> {
    let known = || catalog.sets.iter().map(|s| s.id.as_str()).collect::<Vec<_>>().join(", ");
    let set = row.parse("set", |t| catalog.sets.iter().position(|s| s.id == t).ok_or_else(|| format!("unknown criteria set (known: {})", known())));
    let year = row.year("year");
    let criterion = row.parse("criterion", |t| t.parse::<u8>().map_err(|_| "criterion must be a whole number"));
    let indicator = row.parse_optional("indicator", |t| t.parse::<u8>().map_err(|_| "indicator must be a whole number (8.4 is criterion 8, indicator 4)"));
    let met = row.parse("met", parse_met);
    let value = row.parse_optional("value", |t| t.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or("value must be a number (e.g. 87.5)"));
    let assessed_on = row.optional_date("assessed_on");
    let note = row.optional_text("note");
    let set_index = set?;
    let set = &catalog.sets[set_index];
    let unit = match set.unit {
        UnitScope::Commune => row.parse("unit_code", |t| {
            CommuneCode::parse(t).map(AssessedUnit::Commune).map_err(|e| format!("{e} (set {} assesses communes)", set.id))
        }),
        UnitScope::District => row.parse("unit_code", |t| {
            DistrictCode::parse(t).map(AssessedUnit::District).map_err(|e| format!("{e} (set {} assesses districts)", set.id))
        }),
    };
    let (year, criterion) = (year?, criterion?);
    if !set.years().contains(&year) {
        row.fail("year", &year.to_string(), format!("set {} applies to {}–{}", set.id, set.first_year, set.last_year));
        return None;
    }
    let item = ItemNumber { criterion, indicator: indicator? };
    if set.item(item).is_none() {
        let (column, value) = if item.is_indicator() { ("indicator", item.to_string()) } else { ("criterion", item.to_string()) };
        row.fail(column, &value, format!("set {} has no {} {item}", set.id, if item.is_indicator() { "indicator" } else { "criterion" }));
        return None;
    }
    Some(CriteriaRow { unit: unit?, year, set: set_index, item, met: met?, value: value?, assessed_on: assessed_on?, note })
}

/// `true`/`false`, `1`/`0`, `yes`/`no`, `có`/`không`, `đạt`/`không đạt`, any case.
fn parse_met(text: &str) -> Result<bool, &'static str> {
    match crate::text::fold(text).trim() {
        "true" | "1" | "yes" | "co" | "dat" | "x" => Ok(true),
        "false" | "0" | "no" | "khong" | "khong dat" | "chua dat" => Ok(false),
        _ => Err("met must be true or false (also 1/0, yes/no, có/không, đạt/không đạt)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::csv_table::tests::{assert_problem, csv_file};
    use crate::load::read_criteria_sets;

    fn catalog() -> CriteriaCatalog {
        read_criteria_sets(&Path::new(crate::config::EMBEDDED_GEODATA).join("criteria")).unwrap()
    }

    const HEAD: &str = "unit_code,year,set,criterion,indicator,met,value,assessed_on,note\n";

    #[test]
    fn good_rows_load_with_their_lines() {
        let path = csv_file(
            "crit-ok.csv",
            format!("{HEAD}00571,2023,xa_ntm_2021,8,,true,,2023-06-30,\n00571,2023,xa_ntm_2021,8,4,có,92.5,,ghi chú\n271,2024,huyen_ntm_2021,9,5,0,61,,\n").as_bytes(),
        );
        let rows = read_criteria(&path, &catalog()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].line, 3);
        assert_eq!(rows[1].value.item, ItemNumber::indicator(8, 4));
        assert!(rows[1].value.met);
        assert_eq!(rows[1].value.value, Some(92.5));
        assert_eq!(rows[2].value.unit, AssessedUnit::District(DistrictCode(271)));
        assert!(!rows[2].value.met);
    }

    #[test]
    fn every_bad_row_is_named_in_one_report() {
        let path = csv_file(
            "crit-bad.csv",
            format!(
                "{HEAD}00571,2023,xa_ntm_2030,8,,true,,,\n00571,2023,xa_ntm_2021,20,,true,,,\n00571,2023,xa_ntm_2021,8,9,true,,,\n\
                 00571,2019,xa_ntm_2021,8,,true,,,\n00571,2023,xa_ntm_2021,8,,maybe,,,\n00571,2023,xa_ntm_2021,8,,true,8x,,\n\
                 12345,2023,huyen_ntm_2021,1,,true,,,\n00571,2023,xa_ntm_2021,2,,true,,,\n00571,2023,xa_ntm_2021,2,,false,,,\n"
            )
            .as_bytes(),
        );
        let e = read_criteria(&path, &catalog()).unwrap_err();
        assert_problem(&e, 2, "set", "xa_ntm_2030", "unknown criteria set");
        assert_problem(&e, 3, "criterion", "20", "set xa_ntm_2021 has no criterion 20");
        assert_problem(&e, 4, "indicator", "8.9", "set xa_ntm_2021 has no indicator 8.9");
        assert_problem(&e, 5, "year", "2019", "set xa_ntm_2021 applies to 2021–2025");
        assert_problem(&e, 6, "met", "maybe", "met must be true or false");
        assert_problem(&e, 7, "value", "8x", "value must be a number");
        assert_problem(&e, 8, "unit_code", "12345", "set huyen_ntm_2021 assesses districts");
        assert_problem(&e, 10, "criterion", "00571 2023 xa_ntm_2021 2", "duplicate (unit_code, year, set, item): also on line 9");
        assert_eq!(e.problems.len(), 8, "{e}");
    }
}
