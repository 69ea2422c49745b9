//! Criteria assessments joined to the units, and checked against the results file.
//!
//! Steps to build ([`join`]): 1. read the assessment rows against the catalog
//! ([`crate::load::read_criteria_rows`]; the rows that read well go on to the next checks,
//! so one report lists every problem); 2. check every unit against the edition-2024
//! boundaries (a commune set needs a xã, a district set a district); 3. check the rows
//! against the NTM levels: a commune đạt chuẩn (or above) in a year for which it has rows of
//! that year's NTM set must meet every criterion of the set, and `criteria_met` of a result
//! recorded that year must agree with the rows; 4. keep the rows per unit, sorted so that
//! the state in force is the latest row of each item.
//!
//! The state of an item in a year is its latest row of that year or before (as for
//! levels); on a date, its latest row assessed by that date (`assessed_on`, or the end of
//! the row's year when the row gives no date).

use super::EditionAtlas;
use crate::load::{self, AssessedUnit, CriteriaRow, LoadError, Location, Problem, Sourced};
use crate::model::{in_force, AsOf, CommuneCode, CriteriaCatalog, CriteriaSet, DistrictCode, ItemNumber, Level, LevelRecord, Rendered, UnitCode, UnitScope};
use std::collections::HashMap;
use std::path::Path;

/// One assessed item of a unit.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Assessment {
    /// Index of the set in the catalog.
    #[serde(skip)]
    pub set: usize,
    pub item: ItemNumber,
    pub year: u16,
    pub met: bool,
    pub value: Option<f64>,
    pub assessed_on: Option<String>,
    pub note: Option<String>,
    /// This row's checklist line (its item's labels, its status and the row itself), kept
    /// on first use: the line is the same on every answer that shows the row.
    #[serde(skip)]
    pub line: Rendered<Box<serde_json::value::RawValue>>,
}

impl Assessment {
    /// The day from which the row is in force: `assessed_on`, else the end of its year.
    fn effective_date(&self) -> String {
        self.assessed_on.clone().unwrap_or_else(|| format!("{}-12-31", self.year))
    }
}

/// The criteria catalog and every unit's assessments.
#[derive(Debug, Clone, Default)]
pub struct Criteria {
    pub catalog: CriteriaCatalog,
    /// Per xã (edition-2024 code), sorted by (set, item, effective date).
    pub communes: HashMap<CommuneCode, Vec<Assessment>>,
    /// Per district, sorted likewise.
    pub districts: HashMap<DistrictCode, Vec<Assessment>>,
    /// Every item number of the communes' sets with its column name ([`ItemNumber::column`]),
    /// in number order: the criteria columns of flat answers and exports.
    pub commune_columns: Vec<(ItemNumber, String)>,
}

impl Criteria {
    /// The catalog alone, with no assessments.
    pub fn without_assessments(catalog: CriteriaCatalog) -> Self {
        let mut numbers: Vec<ItemNumber> =
            catalog.sets.iter().filter(|s| s.unit == UnitScope::Commune).flat_map(|s| s.items.iter().map(|i| i.number)).collect();
        numbers.sort();
        numbers.dedup();
        let commune_columns = numbers.into_iter().map(|n| (n, n.column())).collect();
        Criteria { catalog, commune_columns, ..Criteria::default() }
    }

    /// The state in force of every item of `set` that has a row by `as_of`, in item order.
    pub fn state<'a>(&'a self, rows: Option<&'a Vec<Assessment>>, set: &CriteriaSet, as_of: AsOf) -> Vec<&'a Assessment> {
        let Some(set_index) = self.set_index(set) else { return Vec::new() };
        latest(rows.map_or(&[][..], Vec::as_slice), set_index, as_of).collect()
    }

    /// The index of `set` in the catalog.
    pub fn set_index(&self, set: &CriteriaSet) -> Option<usize> {
        // Sets handed around come from this catalog: their address finds them at once.
        self.catalog.sets.iter().position(|s| std::ptr::eq(s, set)).or_else(|| self.catalog.sets.iter().position(|s| s.id == set.id))
    }
}

/// The state in force of set `set_index` among one unit's `rows` (sorted as [`join`] leaves
/// them: by set, item and effective date): for each item with a row by `as_of`, its latest
/// such row, in item order. Reads the set's run of rows once and allocates nothing (maps
/// call it for every unit of a tile).
pub fn latest(rows: &[Assessment], set_index: usize, as_of: AsOf) -> impl Iterator<Item = &Assessment> + '_ {
    let run = &rows[rows.partition_point(|a| a.set < set_index)..rows.partition_point(|a| a.set <= set_index)];
    run.chunk_by(|a, b| a.item == b.item).filter_map(move |item_rows| item_rows.iter().rev().find(|a| as_of.includes(a.year, a.assessed_on.as_deref())))
}

/// Reads `path` against `catalog` and checks it against the units and their levels.
pub fn join(
    path: &Path,
    catalog: CriteriaCatalog,
    e2024: &EditionAtlas,
    commune_results: &HashMap<CommuneCode, Vec<LevelRecord>>,
) -> Result<Criteria, LoadError> {
    let load::RowsRead { rows, mut problems, unread_units } = load::read_criteria_rows(path, &catalog)?;
    // The unit a refused row names is checked too, so one report tells both.
    for u in unread_units {
        let unit = UnitCode::from(u.value.unit);
        if let Some(message) = unit_message(unit, &catalog.sets[u.value.set], e2024) {
            problems.push(Problem::new(path, Location::Line(u.line), message).field("unit_code", unit.to_string()));
        }
    }
    let mut criteria = Criteria::without_assessments(catalog);
    let mut lines = RowLines::new();
    for Sourced { line, value: row } in rows {
        if let Some(problem) = unit_problem(path, line, &row, &criteria.catalog, e2024) {
            problems.push(problem);
            continue;
        }
        lines.entry((row.unit, row.set, row.year)).or_default().push((line, row.item, row.met));
        let CriteriaRow { unit, year, set, item, met, value, assessed_on, note } = row;
        let assessment = Assessment { set, item, year, met, value, assessed_on, note, line: Rendered::new() };
        match unit {
            AssessedUnit::Commune(c) => criteria.communes.entry(c).or_default().push(assessment),
            AssessedUnit::District(d) => criteria.districts.entry(d).or_default().push(assessment),
        }
    }
    for rows in criteria.communes.values_mut().chain(criteria.districts.values_mut()) {
        rows.sort_by_cached_key(|a| (a.set, a.item, a.effective_date()));
    }
    problems.extend(level_problems(path, &criteria, &lines, commune_results));
    problems.sort_by_key(|p| match p.location {
        Location::Line(n) => n,
        _ => 0,
    });
    LoadError::check(criteria, problems)
}

/// The file lines of each (unit, set, year)'s rows, with their item and `met`, so that a
/// problem found across files can name the line to fix.
type RowLines = HashMap<(AssessedUnit, usize, u16), Vec<(u64, ItemNumber, bool)>>;

/// A row whose unit is unknown, of the wrong kind, or not eligible for NTM.
pub(crate) fn unit_problem(path: &Path, line: u64, row: &CriteriaRow, catalog: &CriteriaCatalog, e2024: &EditionAtlas) -> Option<Problem> {
    let unit = UnitCode::from(row.unit);
    let message = unit_message(unit, &catalog.sets[row.set], e2024)?;
    Some(Problem::new(path, Location::Line(line), message).field("unit_code", unit.to_string()))
}

/// Why `unit` cannot be assessed on `set` ([`EditionAtlas::unit_problem`]), with the set
/// that gave the level its code was read at; the upload asks this of the rows the loader
/// refused.
pub(crate) fn unit_message(unit: UnitCode, set: &CriteriaSet, e2024: &EditionAtlas) -> Option<String> {
    let message = e2024.unit_problem(unit, true)?;
    let level = match set.unit {
        UnitScope::Commune => "communes",
        UnitScope::District => "districts",
    };
    Some(format!("{message} (set {} assesses {level})", set.id))
}

/// Rows that contradict the results file: an NTM commune missing a criterion of that
/// year's NTM set, or a `criteria_met` that does not match the rows.
fn level_problems(
    path: &Path,
    criteria: &Criteria,
    lines: &RowLines,
    commune_results: &HashMap<CommuneCode, Vec<LevelRecord>>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut keys: Vec<_> = lines.keys().copied().collect();
    keys.sort();
    for (unit, set_index, year) in keys {
        let AssessedUnit::Commune(code) = unit else { continue };
        let set = &criteria.catalog.sets[set_index];
        let is_ntm_set = criteria.catalog.applicable(UnitScope::Commune, Level::DatChuan, year).is_some_and(|s| s.id == set.id);
        if !is_ntm_set {
            continue;
        }
        let records = commune_results.get(&code);
        // The record in force by the one rule every reader uses.
        let in_force = records.and_then(|rs| in_force(rs, AsOf::Year(year), |r| (r.year, r.recognized_on.as_deref())));
        let state = criteria.state(criteria.communes.get(&code), set, AsOf::Year(year));
        let met_count = state.iter().filter(|a| !a.item.is_indicator() && a.met).count();
        let assessed = state.iter().filter(|a| !a.item.is_indicator()).count();
        let total = set.criteria_count();
        let first_line = lines[&(unit, set_index, year)].iter().map(|l| l.0).min().unwrap_or(0);
        let at = |line: u64, message: String| Problem::new(path, Location::Line(line), message).field("unit_code", code.to_string());
        if let Some(record) = in_force.filter(|r| r.level.is_ntm()) {
            for a in state.iter().filter(|a| !a.item.is_indicator() && !a.met) {
                let line = lines.get(&(unit, set_index, a.year)).and_then(|ls| ls.iter().find(|l| l.1 == a.item)).map_or(first_line, |l| l.0);
                problems.push(at(line, format!("commune is {} in {year} (recognised {}) but criterion {} of {} is not met", record.level, record.year, a.item, set.id)));
            }
            let missing: Vec<String> = set.criteria().filter(|c| !state.iter().any(|a| a.item == c.number)).map(|c| c.number.to_string()).collect();
            if !missing.is_empty() {
                problems.push(at(first_line, format!("commune is {} in {year} but has no row for criteria {} of {}", record.level, missing.join(", "), set.id)));
            }
        }
        if let Some(claimed) = records.and_then(|rs| rs.iter().find(|r| r.year == year)).and_then(|r| r.criteria_met) {
            let claimed = claimed as usize;
            let agrees = if assessed == total { claimed == met_count } else { (met_count..=met_count + total - assessed).contains(&claimed) };
            if !agrees {
                problems.push(at(
                    first_line,
                    format!("the results file gives criteria_met {claimed} in {year}, but the criteria rows give {met_count} met of {assessed} assessed ({total} in {})", set.id),
                ));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Day;
    use std::collections::BTreeMap;

    fn row(set: usize, item: u8, year: u16, day: Option<u8>, met: bool) -> Assessment {
        let assessed_on = day.map(|d| format!("{year}-06-{d:02}"));
        Assessment { set, item: ItemNumber::criterion(item), year, met, value: None, assessed_on, note: None, line: Rendered::new() }
    }

    proptest::proptest! {
        // The one-pass reading gives what "every row by then, the last one of each item wins" gives.
        #[test]
        fn the_latest_row_of_each_item_as_a_map_would_keep_it(
            raw in proptest::collection::vec((0usize..3, 1u8..6, 2021u16..2026, proptest::option::of(1u8..29), proptest::bool::ANY), 0..40),
            set in 0usize..3,
            year in 2021u16..2026,
            day in proptest::option::of(1u8..29),
        ) {
            let mut rows: Vec<Assessment> = raw.iter().map(|&(s, i, y, d, m)| row(s, i, y, d, m)).collect();
            rows.sort_by_cached_key(|a| (a.set, a.item, a.effective_date()));
            let as_of = match day {
                Some(d) => AsOf::Day(Day::parse(&format!("{year}-06-{d:02}")).unwrap()),
                None => AsOf::Year(year),
            };
            let mut naive: BTreeMap<ItemNumber, &Assessment> = BTreeMap::new();
            for a in rows.iter().filter(|a| a.set == set && as_of.includes(a.year, a.assessed_on.as_deref())) {
                naive.insert(a.item, a);
            }
            let got: Vec<&Assessment> = latest(&rows, set, as_of).collect();
            proptest::prop_assert_eq!(got, naive.into_values().collect::<Vec<_>>());
        }
    }
}
