//! The criteria catalog: `sets.csv` and one `{set}.csv` per set (see
//! `geodata/criteria/README.md`).
//!
//! Steps: 1. read `sets.csv` (set id, unit, level, years, number of criteria, decision,
//! names); 2. read each set's items (criterion, indicator, names); 3. check that every
//! criterion from 1 to the declared count is listed once, that each indicator belongs to a
//! listed criterion, and that no two sets cover the same unit, level and year; 4. return
//! the [`CriteriaCatalog`] or every problem of every file together.

use super::csv_table::{open, Sheet, Sourced};
use super::error::{LoadError, Location, Problem};
use crate::model::{CriteriaCatalog, CriteriaItem, CriteriaSet, ItemNumber, Level, UnitScope};
use std::collections::BTreeSet;
use std::path::Path;

/// The catalog's index file in a criteria folder.
pub const SETS_FILE: &str = "sets.csv";

/// Reads the catalog in `dir`.
pub fn read_criteria_sets(dir: &Path) -> Result<CriteriaCatalog, LoadError> {
    let index = dir.join(SETS_FILE);
    // The sets that read well are checked further even when others did not, so one
    // report lists the problems of every file.
    let (heads, mut problems) = read_index(&index)?;
    for (i, a) in heads.iter().enumerate() {
        for b in &heads[..i] {
            let (a, b) = (&a.value.set, &b.value.set);
            let overlap = a.first_year.max(b.first_year) <= a.last_year.min(b.last_year);
            if a.unit == b.unit && a.level == b.level && overlap {
                let message = format!("sets {} and {} both assess {} {} in overlapping years", b.id, a.id, a.unit.as_str(), a.level);
                problems.push(Problem::new(&index, Location::Line(heads[i].line), message).field("set", &a.id));
            }
        }
    }
    let mut sets = Vec::with_capacity(heads.len());
    for head in heads {
        let path = dir.join(format!("{}.csv", head.value.id));
        match read_items(&path, head.value.criteria) {
            Ok(items) => sets.push(CriteriaSet { items, ..head.value.set }),
            Err(e) => problems.extend(e.problems),
        }
    }
    LoadError::check(CriteriaCatalog { sets }, problems)
}

struct SetHead {
    id: String,
    criteria: u8,
    set: CriteriaSet,
}

/// The rows of `sets.csv` that parsed, and the problems of the others.
fn read_index(path: &Path) -> Result<(Vec<Sourced<SetHead>>, Vec<Problem>), LoadError> {
    let columns = ["set", "unit", "level", "first_year", "last_year", "criteria", "decision", "decision_date", "name_vi", "name_en"];
    let sheet = Sheet::from_reader(path, open(path)?, &columns)?;
    let mut parsed = sheet.parse_rows(|row| {
        let id = row.parse("set", |t| {
            let ok = !t.is_empty() && t.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if ok { Ok(t.to_string()) } else { Err("a set id is lower-case letters, digits and '_' (it names the file {set}.csv)") }
        });
        let unit = row.parse("unit", |t| UnitScope::parse(t).ok_or("unit must be commune or district"));
        let level = row.parse("level", |t| match Level::parse(t) {
            Ok(l @ (Level::DatChuan | Level::NangCao | Level::KieuMau)) => Ok(l),
            _ => Err("level must be dat_chuan, nang_cao or kieu_mau (the level the set certifies)"),
        });
        let first_year = row.year("first_year");
        let last_year = row.year("last_year");
        let criteria = row.parse("criteria", |t| t.parse::<u8>().ok().filter(|n| (1..=99).contains(n)).ok_or("criteria must be a count from 1 to 99"));
        let decision_date = row.optional_date("decision_date");
        let decision = row.required("decision").map(str::to_string);
        let name_vi = row.required("name_vi").map(str::to_string);
        let name_en = row.required("name_en").map(str::to_string);
        let (first_year, last_year) = (first_year?, last_year?);
        if first_year > last_year {
            row.fail("last_year", &last_year.to_string(), format!("last_year is before first_year {first_year}"));
            return None;
        }
        let id = id?;
        let set = CriteriaSet {
            id: id.clone(),
            unit: unit?,
            level: level?,
            first_year,
            last_year,
            decision: decision?,
            decision_date: decision_date?.unwrap_or_default(),
            name_vi: name_vi?,
            name_en: name_en?,
            items: Vec::new(),
        };
        Some(SetHead { id, criteria: criteria?, set })
    });
    parsed.no_duplicates("set", |h| h.id.clone(), |h| h.id.clone(), "set");
    Ok((parsed.rows, parsed.problems))
}

fn read_items(path: &Path, criteria: u8) -> Result<Vec<CriteriaItem>, LoadError> {
    let sheet = Sheet::from_reader(path, open(path)?, &["criterion", "indicator", "name_vi", "name_en"])?;
    let mut parsed = sheet.parse_rows(|row| {
        let criterion = row.parse("criterion", |t| {
            t.parse::<u8>().ok().filter(|n| (1..=criteria).contains(n)).ok_or_else(|| format!("criterion must be a number from 1 to {criteria} (the set's count in sets.csv)"))
        });
        let indicator = row.parse_optional("indicator", |t| t.parse::<u8>().ok().filter(|n| *n >= 1).ok_or("indicator must be a number from 1 (8.4 is written criterion 8, indicator 4)"));
        let number = ItemNumber { criterion: criterion?, indicator: indicator? };
        Some(CriteriaItem::new(number, row.optional_text("name_vi"), row.optional_text("name_en")))
    });
    parsed.no_duplicates("indicator", |i| i.number, |i| i.number.to_string(), "item");
    let listed: BTreeSet<u8> = parsed.rows.iter().filter(|r| !r.value.number.is_indicator()).map(|r| r.value.number.criterion).collect();
    for r in &parsed.rows {
        if r.value.number.is_indicator() && !listed.contains(&r.value.number.criterion) {
            let p = Problem::new(path, Location::Line(r.line), format!("indicator {} belongs to criterion {}, which is not listed", r.value.number, r.value.number.criterion))
                .field("criterion", r.value.number.criterion.to_string());
            parsed.problems.push(p);
        }
    }
    let missing: Vec<String> = (1..=criteria).filter(|n| !listed.contains(n)).map(|n| n.to_string()).collect();
    if !missing.is_empty() {
        parsed.problems.push(Problem::new(path, Location::File, format!("criteria {} are not listed (sets.csv declares {criteria})", missing.join(", "))));
    }
    let mut items: Vec<CriteriaItem> = parsed.finish()?.into_iter().map(|r| r.value).collect();
    items.sort_by_key(|i| i.number);
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(tag: &str, files: &[(&str, &str)]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("bando-criteria-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        dir
    }

    const INDEX: &str = "set,unit,level,first_year,last_year,criteria,decision,decision_date,name_vi,name_en\n";

    #[test]
    fn the_embedded_catalog_has_the_four_sets_of_2021_2025() {
        let catalog = read_criteria_sets(&Path::new(crate::config::EMBEDDED_GEODATA).join("criteria")).unwrap_or_else(|e| panic!("{e}"));
        let counts: Vec<(&str, usize)> = catalog.sets.iter().map(|s| (s.id.as_str(), s.criteria_count())).collect();
        assert_eq!(counts, [("xa_ntm_2021", 19), ("xa_nang_cao_2021", 19), ("huyen_ntm_2021", 9), ("huyen_nang_cao_2021", 9)]);
        let ntm = catalog.applicable(UnitScope::Commune, Level::DatChuan, 2023).unwrap();
        assert_eq!(ntm.decision, "318/QĐ-TTg");
        assert_eq!(ntm.item(ItemNumber::criterion(17)).unwrap().label_vi(), "Môi trường và an toàn thực phẩm");
        assert!(ntm.item(ItemNumber::indicator(8, 4)).is_some());
        let advanced = catalog.applicable(UnitScope::Commune, Level::NangCao, 2025).unwrap();
        assert_eq!(advanced.item(ItemNumber::criterion(12)).unwrap().label_vi(), "Tiêu chí 12");
        assert_eq!(advanced.item(ItemNumber::criterion(15)).unwrap().label_vi(), "Hành chính công");
        assert!(advanced.item(ItemNumber::indicator(15, 2)).is_some());
        let district = catalog.applicable(UnitScope::District, Level::DatChuan, 2021).unwrap();
        assert!(district.item(ItemNumber::indicator(9, 5)).is_some());
        let district_advanced = catalog.applicable(UnitScope::District, Level::NangCao, 2024).unwrap();
        assert!(district_advanced.item(ItemNumber::indicator(6, 5)).is_some() && district_advanced.item(ItemNumber::indicator(9, 2)).is_some());
        assert!(catalog.applicable(UnitScope::Commune, Level::DatChuan, 2026).is_none(), "no 2026–2030 set yet");
    }

    #[test]
    fn a_new_phase_is_added_by_rows() {
        let dir = folder(
            "phase",
            &[
                (SETS_FILE, &format!("{INDEX}a_2021,commune,dat_chuan,2021,2025,2,318/QĐ-TTg,2022-03-08,A,A\nb_2026,commune,dat_chuan,2026,2030,1,X/QĐ-TTg,,B,B\n")),
                ("a_2021.csv", "criterion,indicator,name_vi,name_en\n1,,Một,One\n2,,,\n2,1,,\n"),
                ("b_2026.csv", "criterion,indicator,name_vi,name_en\n1,,,\n"),
            ],
        );
        let catalog = read_criteria_sets(&dir).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(catalog.applicable(UnitScope::Commune, Level::DatChuan, 2027).unwrap().id, "b_2026");
        assert_eq!(catalog.applicable(UnitScope::Commune, Level::DatChuan, 2025).unwrap().id, "a_2021");
    }

    #[test]
    fn every_problem_of_every_file_is_reported_together() {
        let dir = folder(
            "bad",
            &[
                (SETS_FILE, &format!("{INDEX}a,commune,dat_chuan,2021,2025,3,D,,A,A\nb,town,dat_chuan,2021,2025,1,D,,B,B\nc,commune,dat_chuan,2024,2026,1,D,,C,C\n")),
                ("a.csv", "criterion,indicator,name_vi,name_en\n1,,,\n4,,,\n1,,,\n7,2,,\n"),
                ("c.csv", "criterion,indicator,name_vi,name_en\n1,,,\n"),
            ],
        );
        let e = read_criteria_sets(&dir).unwrap_err();
        let text = e.to_string();
        for expected in [
            "sets.csv:3",
            "unit must be commune or district",
            "a.csv:3",
            "criterion must be a number from 1 to 3",
            "a.csv:4",
            "duplicate item: also on line 2",
            "criteria 2, 3 are not listed",
            "sets a and c both assess commune dat_chuan in overlapping years",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
    }
}
