//! The old-to-new commune crosswalk (`code_2024,code_2025,relation`).
//!
//! Steps: 1. read the sheet ([`super::csv_table`]); 2. parse both codes and the relation;
//! 3. check each old commune's rows as a whole: a `whole` row stands alone, a split
//! commune has exactly one `part-default`; 4. refuse duplicate pairs.

use super::csv_table::{open, Sheet, Sourced};
use super::error::{LoadError, Location, Problem};
use crate::model::CommuneCode;
use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::Path;

/// How an old (2024) commune went into a new (2025) one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CrosswalkRelation {
    /// The old commune went whole into the new one.
    Whole,
    /// The old commune was split; most of it went here.
    PartDefault,
    /// The old commune was split; some of it went here.
    Part,
}

impl CrosswalkRelation {
    pub fn as_str(self) -> &'static str {
        match self {
            CrosswalkRelation::Whole => "whole",
            CrosswalkRelation::PartDefault => "part-default",
            CrosswalkRelation::Part => "part",
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "whole" => Ok(CrosswalkRelation::Whole),
            "part-default" => Ok(CrosswalkRelation::PartDefault),
            "part" => Ok(CrosswalkRelation::Part),
            _ => Err(format!("'{text}' is not a crosswalk relation (expected whole, part-default or part)")),
        }
    }
}

impl fmt::Display for CrosswalkRelation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One old → new pair.
#[derive(Debug, Clone, PartialEq)]
pub struct CrosswalkRow {
    pub code_2024: CommuneCode,
    pub code_2025: CommuneCode,
    pub relation: CrosswalkRelation,
}

/// Reads the crosswalk and checks that every old commune maps consistently.
pub fn read_crosswalk(path: &Path) -> Result<Vec<Sourced<CrosswalkRow>>, LoadError> {
    read_crosswalk_from(path, open(path)?)
}

/// The same from `input` (bytes in memory, an upload); problems name `name` as their file.
pub fn read_crosswalk_from(name: &Path, input: impl Read) -> Result<Vec<Sourced<CrosswalkRow>>, LoadError> {
    let sheet = Sheet::from_reader(name, input, &["code_2024", "code_2025", "relation"])?;
    let mut parsed = sheet.parse_rows(|row| {
        let code_2024 = row.parse("code_2024", CommuneCode::parse);
        let code_2025 = row.parse("code_2025", CommuneCode::parse);
        let relation = row.parse("relation", CrosswalkRelation::parse);
        Some(CrosswalkRow { code_2024: code_2024?, code_2025: code_2025?, relation: relation? })
    });
    parsed.no_duplicates(
        "code_2025",
        |r| (r.code_2024, r.code_2025),
        |r| r.code_2025.to_string(),
        "(code_2024, code_2025) pair",
    );

    // Old code → its rows (line, relation).
    let mut by_old: BTreeMap<CommuneCode, Vec<(u64, CrosswalkRelation)>> = BTreeMap::new();
    for r in &parsed.rows {
        by_old.entry(r.value.code_2024).or_default().push((r.line, r.value.relation));
    }
    for (old, rows) in by_old {
        let lines = |keep: &dyn Fn(CrosswalkRelation) -> bool| -> Vec<String> {
            rows.iter().filter(|(_, rel)| keep(*rel)).map(|(l, _)| l.to_string()).collect()
        };
        let first = rows[0].0;
        let problem =
            |msg: String| Problem::new(&parsed.path, Location::Line(first), msg).field("code_2024", old.to_string());
        let wholes = rows.iter().filter(|(_, r)| *r == CrosswalkRelation::Whole).count();
        let defaults = rows.iter().filter(|(_, r)| *r == CrosswalkRelation::PartDefault).count();
        if wholes > 0 && rows.len() > 1 {
            let all = lines(&|_| true).join(", ");
            parsed.problems.push(problem(format!(
                "a commune that went whole into one new commune cannot have other rows (lines {all})"
            )));
        } else if wholes == 0 && defaults != 1 {
            let all = lines(&|_| true).join(", ");
            parsed.problems.push(problem(format!(
                "a split commune needs exactly one part-default row, found {defaults} (lines {all})"
            )));
        }
    }
    parsed.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::csv_table::tests::{assert_problem, csv_file};

    const HEAD: &str = "code_2024,code_2025,relation\n";

    fn read(name: &str, body: &str) -> Result<Vec<Sourced<CrosswalkRow>>, LoadError> {
        read_crosswalk(&csv_file(name, format!("{HEAD}{body}").as_bytes()))
    }

    #[test]
    fn relations_parse() {
        let rows = read("x-ok.csv", "00001,00097,whole\n00007,00008,part-default\n00007,00010,part\n").unwrap();
        assert_eq!(rows[0].value.relation, CrosswalkRelation::Whole);
        assert_eq!(rows[1].value.relation, CrosswalkRelation::PartDefault);
        assert_eq!(
            rows[2].value,
            CrosswalkRow { code_2024: CommuneCode(7), code_2025: CommuneCode(10), relation: CrosswalkRelation::Part }
        );
    }

    #[test]
    fn bad_relation_and_codes() {
        let e = read("x-bad.csv", "00001,00097,merged\n0000x,00097,whole\n").unwrap_err();
        assert_problem(&e, 2, "relation", "merged", "is not a crosswalk relation");
        assert_problem(&e, 3, "code_2024", "0000x", "is not a commune code");
    }

    #[test]
    fn inconsistent_mappings_are_refused() {
        let e = read(
            "x-incons.csv",
            "00001,00097,whole\n00001,00098,part\n00007,00008,part\n00007,00010,part\n00009,00011,part-default\n00009,00011,part-default\n",
        )
        .unwrap_err();
        assert_problem(&e, 2, "code_2024", "00001", "cannot have other rows (lines 2, 3)");
        assert_problem(&e, 4, "code_2024", "00007", "exactly one part-default row, found 0 (lines 4, 5)");
        assert_problem(&e, 6, "code_2024", "00009", "found 2 (lines 6, 7)");
        assert_problem(&e, 7, "code_2025", "00011", "duplicate (code_2024, code_2025) pair: also on line 6");
    }

    #[test]
    fn the_shared_crosswalk_loads() {
        let path = Path::new(crate::config::REFERENCE_TABLES).join("crosswalk-2024-2025.csv");
        let path = path.as_path();
        let rows = read_crosswalk(path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rows.len(), 10_597);
    }
}
