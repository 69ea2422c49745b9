//! NTM results: commune, district and province recognition records (CSV).
//!
//! Steps: 1. read the sheet ([`super::csv_table`]); 2. parse each row's code, year, level,
//! criteria and decision date, recording every problem; 3. check the rules between fields
//! (an NTM commune level needs all 19 criteria); 4. refuse duplicate keys.

use super::csv_table::{open, Row, RowsRead, Sheet, Sourced, CRITERIA};
use super::error::LoadError;
use crate::model::{CommuneCode, DistrictCode, Level, LevelRecord, ProvinceCode, UnitCode};
use std::io::Read;
use std::path::Path;

/// One commune recognition record: `code,year,level,criteria_met,recognized_on,decision`.
#[derive(Debug, Clone, PartialEq)]
pub struct CommuneResultRow {
    pub code: CommuneCode,
    pub record: LevelRecord,
}

/// One district recognition record: `code,year,level[,criteria_met],recognized_on,decision`.
#[derive(Debug, Clone, PartialEq)]
pub struct DistrictResultRow {
    pub code: DistrictCode,
    pub record: LevelRecord,
}

/// A province that completed the NTM task: `code,year,level,recognized_on,decision`.
#[derive(Debug, Clone, PartialEq)]
pub struct ProvinceResultRow {
    pub code: ProvinceCode,
    pub year: u16,
    pub recognized_on: Option<String>,
    pub decision: Option<String>,
}

/// Reads commune results; duplicate (code, year) pairs are refused.
pub fn read_commune_results(path: &Path) -> Result<Vec<Sourced<CommuneResultRow>>, LoadError> {
    read_commune_results_from(path, open(path)?)
}

/// The same from `input` (bytes in memory, an upload); problems name `name` as their file.
pub fn read_commune_results_from(name: &Path, input: impl Read) -> Result<Vec<Sourced<CommuneResultRow>>, LoadError> {
    commune_result_rows_from(name, input)?.finish()
}

/// The rows that read well, the problems of the others and the units they name
/// ([`RowsRead`]); `Err` only when the file cannot be read at all.
pub fn commune_result_rows_from(name: &Path, input: impl Read) -> Result<RowsRead<CommuneResultRow>, LoadError> {
    let sheet = Sheet::from_reader(name, input, &["code", "year", "level", "criteria_met", "recognized_on", "decision"])?;
    let (mut parsed, unread) = sheet.parse_rows_naming_units(|row| CommuneCode::parse(row.text("code")).ok().map(UnitCode::Commune), |row| {
        let code = row.parse("code", CommuneCode::parse);
        let record = level_record(row)?;
        if let (true, Some(met)) = (record.level.is_ntm(), record.criteria_met) {
            if met < CRITERIA {
                row.fail(
                    "criteria_met",
                    &met.to_string(),
                    format!("NTM levels require all {CRITERIA} criteria (level is {})", record.level),
                );
                return None;
            }
        }
        Some(CommuneResultRow { code: code?, record })
    });
    parsed.no_duplicates("code", |r| (r.code, r.record.year), |r| r.code.to_string(), "(code, year)");
    Ok(parsed.into_read(unread))
}

/// Reads district results; the `criteria_met` column is optional (district criteria differ
/// from the 19 commune ones, so only the 0–19 range is checked). Duplicate (code, year)
/// pairs are refused.
pub fn read_district_results(path: &Path) -> Result<Vec<Sourced<DistrictResultRow>>, LoadError> {
    read_district_results_from(path, open(path)?)
}

/// The same from `input` (bytes in memory, an upload); problems name `name` as their file.
pub fn read_district_results_from(name: &Path, input: impl Read) -> Result<Vec<Sourced<DistrictResultRow>>, LoadError> {
    district_result_rows_from(name, input)?.finish()
}

/// The rows that read well, the problems of the others and the units they name
/// ([`RowsRead`]); `Err` only when the file cannot be read at all.
pub fn district_result_rows_from(name: &Path, input: impl Read) -> Result<RowsRead<DistrictResultRow>, LoadError> {
    let sheet = Sheet::from_reader(name, input, &["code", "year", "level", "recognized_on", "decision"])?;
    let (mut parsed, unread) = sheet.parse_rows_naming_units(|row| DistrictCode::parse(row.text("code")).ok().map(UnitCode::District), |row| {
        let code = row.parse("code", DistrictCode::parse);
        let record = level_record(row)?;
        Some(DistrictResultRow { code: code?, record })
    });
    parsed.no_duplicates("code", |r| (r.code, r.record.year), |r| r.code.to_string(), "(code, year)");
    Ok(parsed.into_read(unread))
}

/// Reads province results; `level` must say the province completed the NTM task
/// (`hoan_thanh`, "hoàn thành", "hoàn thành nhiệm vụ"). A province appears once.
pub fn read_province_results(path: &Path) -> Result<Vec<Sourced<ProvinceResultRow>>, LoadError> {
    read_province_results_from(path, open(path)?)
}

/// The same from `input` (bytes in memory, an upload); problems name `name` as their file.
pub fn read_province_results_from(name: &Path, input: impl Read) -> Result<Vec<Sourced<ProvinceResultRow>>, LoadError> {
    province_result_rows_from(name, input)?.finish()
}

/// The rows that read well, the problems of the others and the units they name
/// ([`RowsRead`]); `Err` only when the file cannot be read at all.
pub fn province_result_rows_from(name: &Path, input: impl Read) -> Result<RowsRead<ProvinceResultRow>, LoadError> {
    let sheet = Sheet::from_reader(name, input, &["code", "year", "level", "recognized_on", "decision"])?;
    let (mut parsed, unread) = sheet.parse_rows_naming_units(|row| ProvinceCode::parse(row.text("code")).ok().map(UnitCode::Province), |row| {
        let code = row.parse("code", ProvinceCode::parse);
        let year = row.year("year");
        let level = row.parse("level", |t| {
            let folded = crate::text::fold(t).replace(['_', '-'], " ");
            let key = folded.split_whitespace().collect::<Vec<_>>().join(" ");
            match key.as_str() {
                "hoan thanh" | "hoan thanh nhiem vu" | "hoan thanh nhiem vu xay dung ntm" => Ok(()),
                _ => Err("a province level must be hoan_thanh (hoàn thành nhiệm vụ xây dựng NTM)"),
            }
        });
        let recognized_on = row.optional_date("recognized_on");
        let decision = row.optional_text("decision");
        level?;
        Some(ProvinceResultRow { code: code?, year: year?, recognized_on: recognized_on?, decision })
    });
    parsed.no_duplicates("code", |r| r.code, |r| r.code.to_string(), "province");
    Ok(parsed.into_read(unread))
}

/// year, level, criteria_met (when the column exists), recognized_on, decision.
fn level_record(row: &mut Row<'_>) -> Option<LevelRecord> {
    let year = row.year("year");
    let level = row.parse("level", Level::parse);
    let criteria_met = row.optional_criteria("criteria_met");
    let recognized_on = row.optional_date("recognized_on");
    let decision = row.optional_text("decision");
    Some(LevelRecord {
        year: year?,
        level: level?,
        criteria_met: criteria_met?,
        recognized_on: recognized_on?,
        decision,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::csv_table::tests::{assert_problem, csv_file};

    const HEAD: &str = "code,year,level,criteria_met,recognized_on,decision\n";

    fn communes(name: &str, body: &str) -> Result<Vec<Sourced<CommuneResultRow>>, LoadError> {
        read_commune_results(&csv_file(name, format!("{HEAD}{body}").as_bytes()))
    }

    #[test]
    fn good_commune_rows_load_with_their_lines() {
        let rows = communes(
            "c-ok.csv",
            "00571,2021,dat_chuan,19,2021-12-30,1234/QĐ-UBND\n571,2024,NTM nâng cao,19,,\n00580,2023,chua_dat,19,,\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].value.code, CommuneCode(571));
        assert_eq!(rows[0].value.record.decision.as_deref(), Some("1234/QĐ-UBND"));
        assert_eq!(rows[1].value.record.level, Level::NangCao);
        assert_eq!(rows[1].value.record.recognized_on, None);
        // Below đạt chuẩn with all 19 criteria met is allowed.
        assert_eq!(rows[2].value.record.criteria_met, Some(19));
    }

    #[test]
    fn bad_commune_code() {
        let e = communes("c-code.csv", "12a45,2021,dat_chuan,19,,\n").unwrap_err();
        assert_problem(&e, 2, "code", "12a45", "is not a commune code");
    }

    #[test]
    fn year_out_of_range_or_not_a_number() {
        let e = communes("c-year.csv", "00001,2009,dat_chuan,19,,\n00002,20x1,dat_chuan,19,,\n").unwrap_err();
        assert_problem(&e, 2, "year", "2009", "year must be from 2010 to 2030");
        assert_problem(&e, 3, "year", "20x1", "not a year");
    }

    #[test]
    fn bad_level() {
        let e = communes("c-level.csv", "00001,2021,xuat_sac,19,,\n").unwrap_err();
        assert_problem(&e, 2, "level", "xuat_sac", "is not an NTM level");
    }

    #[test]
    fn criteria_out_of_range_or_not_an_integer() {
        let e = communes("c-crit.csv", "00001,2021,chua_dat,20,,\n00002,2021,chua_dat,12.5,,\n").unwrap_err();
        assert_problem(&e, 2, "criteria_met", "20", "from 0 to 19");
        assert_problem(&e, 3, "criteria_met", "12.5", "whole number");
    }

    #[test]
    fn ntm_level_needs_all_19_criteria() {
        let e = communes("c-ntm.csv", "00001,2021,nang_cao,17,,\n").unwrap_err();
        assert_problem(&e, 2, "criteria_met", "17", "NTM levels require all 19 criteria");
    }

    #[test]
    fn bad_recognition_dates() {
        let e = communes("c-date.csv", "00001,2021,dat_chuan,19,2021-02-30,\n00002,2021,dat_chuan,19,30/12/2021,\n")
            .unwrap_err();
        assert_problem(&e, 2, "recognized_on", "2021-02-30", "day 30 does not exist");
        assert_problem(&e, 3, "recognized_on", "30/12/2021", "YYYY-MM-DD expected");
    }

    #[test]
    fn duplicate_code_and_year_names_both_lines() {
        let e =
            communes("c-dup.csv", "00001,2021,dat_chuan,19,,\n00002,2021,dat_chuan,19,,\n00001,2021,nang_cao,19,,\n")
                .unwrap_err();
        assert_eq!(e.problems.len(), 1);
        assert_problem(&e, 4, "code", "00001", "duplicate (code, year): also on line 2");
    }

    #[test]
    fn all_problems_of_a_file_come_together() {
        let e = communes(
            "c-all.csv",
            "00001,2009,dat_chuan,19,,\nx,2021,dat_chuan,19,,\n00003,2021,bad,19,,\n00004,2021,dat_chuan,19\n",
        )
        .unwrap_err();
        assert_eq!(e.problems.len(), 4, "{e}");
        assert!(e.to_string().starts_with("4 problems found:"), "{e}");
        assert!(e.to_string().contains("c-all.csv:5: 4 fields where the header has 6"), "{e}");
    }

    #[test]
    fn missing_column_is_named() {
        let path = csv_file("c-col.csv", b"code,year,level,recognized_on,decision\n00001,2021,dat_chuan,,\n");
        let e = read_commune_results(&path).unwrap_err();
        assert_eq!(e.problems.len(), 1);
        assert!(e.to_string().contains("c-col.csv: required column 'criteria_met' is missing"), "{e}");
    }

    #[test]
    fn district_criteria_column_is_optional() {
        let path =
            csv_file("d-ok.csv", "code,year,level,recognized_on,decision\n001,2020,hoàn thành nhiệm vụ,,\n".as_bytes());
        let rows = read_district_results(&path).unwrap();
        assert_eq!(rows[0].value.code, DistrictCode(1));
        assert_eq!(rows[0].value.record.level, Level::DatChuan);
        assert_eq!(rows[0].value.record.criteria_met, None);
        let path = csv_file("d-bad.csv", b"code,year,level,recognized_on,decision\n0001,2020,dat_chuan,,\n001,2020,dat_chuan,,\n001,2020,nang_cao,,\n");
        let e = read_district_results(&path).unwrap_err();
        assert_problem(&e, 2, "code", "0001", "is not a district code");
        assert_problem(&e, 4, "code", "001", "duplicate (code, year): also on line 3");
    }

    #[test]
    fn province_level_must_be_completion() {
        let path = csv_file(
            "p.csv",
            "code,year,level,recognized_on,decision\n27,2020,hoan_thanh,2020-07-01,1000/QĐ-TTg\n36,2021,Hoàn thành nhiệm vụ,,\n35,2022,hoàn thành,,\n".as_bytes(),
        );
        let rows = read_province_results(&path).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].value.code, ProvinceCode(27));
        assert_eq!(rows[0].value.recognized_on.as_deref(), Some("2020-07-01"));
        let path = csv_file("p-bad.csv", b"code,year,level,recognized_on,decision\n27,2020,dat_chuan,,\n27,2021,hoan_thanh,,\n270,2021,hoan_thanh,,\n");
        let e = read_province_results(&path).unwrap_err();
        assert_problem(&e, 2, "level", "dat_chuan", "must be hoan_thanh");
        assert_problem(&e, 4, "code", "270", "is not a province code");
    }
}
