//! The targets table: one row per programme target (`geodata/targets/targets.csv`,
//! described in `geodata/targets/README.md`):
//! `id,scope,deadline,document,article,measure,set,item,pilot_kind,pilot_decision,pilot_stage,unit,target,label_vi,label_en,reason`.
//!
//! Steps: 1. read the sheet ([`super::csv_table`]); 2. parse each row: the scope, the
//! deadline date, the source, the measure and the columns it uses (`set` and `item` for
//! `criterion_share`, checked against the criteria catalog; the `pilot_*` filters for the
//! pilot measures; `reason` for `unmeasured`), the unit that measure gives and the
//! figure (a share from 0 to 1, or a count); 3. refuse a column the measure does not use,
//! a measure the scope cannot have, and a second row with the same id. Whether the
//! scope's province or commune exists is checked where the table meets the boundaries
//! (the atlas build).

use super::csv_table::{open, parse_date, Row, Sheet, Sourced};
use super::error::LoadError;
use crate::model::{
    CriteriaCatalog, ItemNumber, Measure, PilotFilter, PilotKind, PilotStage, TargetDef, TargetScope, TargetSource, TargetUnit, UnitScope,
};
use std::path::Path;

/// The columns of a targets table; the first ten are required in the header.
pub const TARGET_COLUMNS: [&str; 16] = [
    "id", "scope", "deadline", "document", "article", "measure", "unit", "target", "label_vi", "label_en",
    "set", "item", "pilot_kind", "pilot_decision", "pilot_stage", "reason",
];

/// The embedded targets table, relative to `geodata/`.
pub const TARGETS_FILE: &str = "targets/targets.csv";

/// Reads a targets table against the criteria catalog; every problem comes back together.
pub fn read_targets(path: &Path, catalog: &CriteriaCatalog) -> Result<Vec<Sourced<TargetDef>>, LoadError> {
    read_targets_from(path, open(path)?, catalog)
}

/// The same from `input`; problems name `name` as their file.
pub fn read_targets_from(name: &Path, input: impl std::io::Read, catalog: &CriteriaCatalog) -> Result<Vec<Sourced<TargetDef>>, LoadError> {
    let sheet = Sheet::from_reader(name, input, &TARGET_COLUMNS[..10])?;
    let mut parsed = sheet.parse_rows(|row| parse_row(row, catalog));
    parsed.no_duplicates("id", |t| t.id.clone(), |t| t.id.clone(), "target id");
    parsed.finish()
}

fn parse_row(row: &mut Row<'_>, catalog: &CriteriaCatalog) -> Option<TargetDef> {
    let id = row.parse("id", |t| {
        let ok = t.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b));
        if ok { Ok(t.to_string()) } else { Err("an id is lower-case letters, digits, '_', '.' and '-'") }
    });
    let scope = row.parse("scope", TargetScope::parse);
    let deadline = row.parse("deadline", |t| parse_date(t).map(|()| t.to_string()));
    let document = row.required("document").map(str::to_string);
    let article = row.required("article").map(str::to_string);
    let unit = row.parse("unit", |t| TargetUnit::parse(t).ok_or("unit must be share (0 to 1) or count"));
    let figure = row.parse("target", |t| t.parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0).ok_or("target must be a number ≥ 0 (a share as 0.97, not 97%)"));
    let label_vi = row.required("label_vi").map(str::to_string);
    let label_en = row.required("label_en").map(str::to_string);
    let measure = parse_measure(row, catalog, scope);
    let (unit, figure, measure) = (unit?, figure?, measure?);
    if unit == TargetUnit::Share && figure > 1.0 {
        row.fail("target", row.text("target"), "a share is written from 0 to 1 (0.97 for 97%)");
        return None;
    }
    let expected_unit = match measure {
        Measure::CriterionShare { .. } | Measure::ProvincesWithPilot(_) => Some(TargetUnit::Share),
        Measure::PilotCount(_) => Some(TargetUnit::Count),
        Measure::Unmeasured { .. } => None,
    };
    if let Some(expected) = expected_unit.filter(|&u| u != unit) {
        row.fail("unit", row.text("unit"), format!("measure {} gives a {}", row.text("measure"), expected.as_str()));
        return None;
    }
    Some(TargetDef {
        id: id?,
        scope: scope?,
        deadline: deadline?,
        source: TargetSource { document: document?, article: article? },
        measure,
        unit,
        target: figure,
        label_vi: label_vi?,
        label_en: label_en?,
    })
}

/// The `measure` column and the columns it uses; a column it does not use must be empty.
fn parse_measure(row: &mut Row<'_>, catalog: &CriteriaCatalog, scope: Option<TargetScope>) -> Option<Measure> {
    let name = row.parse("measure", |t| {
        Measure::NAMES.iter().copied().find(|n| *n == t).ok_or_else(|| format!("unknown measure (expected one of {})", Measure::NAMES.join(", ")))
    })?;
    let uses: &[&str] = match name {
        "criterion_share" => &["set", "item"],
        "pilot_count" | "provinces_with_pilot" => &["pilot_kind", "pilot_decision", "pilot_stage"],
        _ => &["reason"],
    };
    let mut unused_ok = true;
    for column in ["set", "item", "pilot_kind", "pilot_decision", "pilot_stage", "reason"] {
        let text = row.text(column);
        if !text.is_empty() && !uses.contains(&column) {
            row.fail(column, text, format!("measure {name} does not use {column}; leave it empty"));
            unused_ok = false;
        }
    }
    let commune_scope = matches!(scope, Some(TargetScope::Commune(..)));
    let measure = match name {
        "criterion_share" => {
            let set = row.parse("set", |t| {
                catalog.sets.iter().position(|s| s.id == t).ok_or_else(|| {
                    format!("unknown criteria set (known: {})", catalog.sets.iter().map(|s| s.id.as_str()).collect::<Vec<_>>().join(", "))
                })
            });
            let item = row.parse("item", ItemNumber::parse);
            let (set, item) = (set?, item?);
            let s = &catalog.sets[set];
            if s.item(item).is_none() {
                row.fail("item", row.text("item"), format!("set {} has no criterion or indicator {item}", s.id));
                return None;
            }
            if commune_scope && s.unit == UnitScope::District {
                row.fail("set", row.text("set"), format!("set {} assesses districts; a commune scope has none", s.id));
                return None;
            }
            Measure::CriterionShare { set, item }
        }
        "pilot_count" | "provinces_with_pilot" => {
            let kind = row.parse_optional("pilot_kind", PilotKind::parse);
            let stage = row.parse_optional("pilot_stage", PilotStage::parse);
            let filter = PilotFilter { kind: kind?, decision: row.optional_text("pilot_decision"), stage: stage? };
            if name == "pilot_count" {
                Measure::PilotCount(filter)
            } else if commune_scope {
                row.fail("measure", name, "a commune scope has no provinces to count: use pilot_count");
                return None;
            } else {
                Measure::ProvincesWithPilot(filter)
            }
        }
        _ => {
            let reason = row.required("reason")?;
            Measure::Unmeasured { reason: reason.to_string() }
        }
    };
    unused_ok.then_some(measure)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::csv_table::tests::{assert_problem, csv_file};
    use crate::load::read_criteria_sets;

    fn catalog() -> CriteriaCatalog {
        read_criteria_sets(&Path::new(crate::config::EMBEDDED_GEODATA).join("criteria")).unwrap()
    }

    const HEAD: &str = "id,scope,deadline,document,article,measure,set,item,pilot_kind,pilot_decision,pilot_stage,unit,target,label_vi,label_en,reason\n";

    #[test]
    fn the_embedded_table_reads_cleanly() {
        let path = Path::new(crate::config::EMBEDDED_GEODATA).join(TARGETS_FILE);
        let rows = read_targets(&path, &catalog()).unwrap_or_else(|e| panic!("{e}"));
        assert!(rows.iter().any(|r| r.value.id == "xa_ntm_8_4" && r.value.target == 0.97), "the national 8.4 target");
        assert!(rows.iter().all(|r| r.value.deadline.len() == 10));
    }

    #[test]
    fn good_rows_load_with_their_measures() {
        let path = csv_file(
            "targets-ok.csv",
            format!(
                "{HEAD}a,nation,2025-12-31,924/QĐ-TTg,II.2,criterion_share,xa_ntm_2021,8.4,,,,share,0.97,vi,en,\n\
                 b,commune:21238@2025,2025-12-31,Vệ Giang plan,1,pilot_count,,,smart_commune,,recognised,count,1,vi,en,\n\
                 c,province:42,2025-12-31,Hà Tĩnh plan,2.1,unmeasured,,,,,,share,0.9,vi,en,no dossier data\n"
            )
            .as_bytes(),
        );
        let rows = read_targets(&path, &catalog()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].value.measure, Measure::CriterionShare { set: 0, item: ItemNumber::indicator(8, 4) });
        assert_eq!(rows[1].value.scope.to_string(), "commune:21238@2025");
        assert_eq!(
            rows[1].value.measure,
            Measure::PilotCount(PilotFilter { kind: Some(PilotKind::SmartCommune), decision: None, stage: Some(PilotStage::Recognised) })
        );
        assert_eq!(rows[2].value.measure, Measure::Unmeasured { reason: "no dossier data".into() });
        assert_eq!(rows[2].line, 4);
    }

    #[test]
    fn every_bad_row_is_named_in_one_report() {
        let path = csv_file(
            "targets-bad.csv",
            format!(
                "{HEAD}a,world,2025-12-31,d,1,criterion_share,xa_ntm_2021,8.4,,,,share,0.97,vi,en,\n\
                 b,nation,2025-13-31,d,1,criterion_share,xa_ntm_2021,8.4,,,,share,0.97,vi,en,\n\
                 c,nation,2025-12-31,d,1,criterion_share,xa_ntm_2030,8.4,,,,share,0.97,vi,en,\n\
                 d,nation,2025-12-31,d,1,criterion_share,xa_ntm_2021,8.9,,,,share,0.97,vi,en,\n\
                 e,nation,2025-12-31,d,1,criterion_share,xa_ntm_2021,8.4,,,,share,97,vi,en,\n\
                 f,nation,2025-12-31,d,1,pilot_count,,,smart_commune,,,share,0.5,vi,en,\n\
                 g,nation,2025-12-31,d,1,unmeasured,,,,,,share,0.9,vi,en,\n\
                 h,nation,2025-12-31,d,1,pilot_count,xa_ntm_2021,,,,,count,4,vi,en,\n\
                 i,commune:00571,2025-12-31,d,1,criterion_share,huyen_ntm_2021,9.5,,,,share,1,vi,en,\n\
                 j,nation,2025-12-31,d,1,guess,,,,,,share,1,vi,en,\n\
                 ok,nation,2025-12-31,d,1,unmeasured,,,,,,share,0.9,vi,en,why\n\
                 ok,nation,2025-12-31,d,1,unmeasured,,,,,,share,0.8,vi,en,why\n\
                 k,nation,2025-12-31,,1,unmeasured,,,,,,share,0.9,vi,en,why\n"
            )
            .as_bytes(),
        );
        let e = read_targets(&path, &catalog()).unwrap_err();
        assert_problem(&e, 2, "scope", "world", "not a target scope");
        assert_problem(&e, 3, "deadline", "2025-13-31", "month 13");
        assert_problem(&e, 4, "set", "xa_ntm_2030", "unknown criteria set");
        assert_problem(&e, 5, "item", "8.9", "set xa_ntm_2021 has no criterion or indicator 8.9");
        assert_problem(&e, 6, "target", "97", "a share is written from 0 to 1");
        assert_problem(&e, 7, "unit", "share", "measure pilot_count gives a count");
        assert_problem(&e, 8, "reason", "", "reason is required");
        assert_problem(&e, 9, "set", "xa_ntm_2021", "measure pilot_count does not use set");
        assert_problem(&e, 10, "set", "huyen_ntm_2021", "a commune scope has none");
        assert_problem(&e, 11, "measure", "guess", "unknown measure");
        assert_problem(&e, 13, "id", "ok", "duplicate target id: also on line 12");
        assert_problem(&e, 14, "document", "", "document is required");
        assert_eq!(e.problems.len(), 12, "{e}");
    }
}
