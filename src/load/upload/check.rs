//! Checks candidate records with the loaders and the atlas's reference checks, then the
//! uploader's scope, and maps every problem back to its sheet, row and column.
//!
//! Steps, per kind: 1. refuse a second record with the same key, naming both rows, and
//! split the candidates into rounds of unique keys (round `k` holds each key's `k`-th
//! row), so that a duplicate row's other problems are reported in the same pass;
//! 2. per round, write its candidates as the kind's CSV file ([`crate::model::write_csv`]),
//! one line per record in order, and read it with the kind's loader, which checks every
//! value (line `n` is the round's candidate `n - 2`); 3. check the rows that read well
//! against the atlas's units (unknown codes, phường, a point outside its commune) with the
//! same functions the atlas build uses; 4. read each row's code cell, whatever else is
//! wrong with the row: refuse units outside the uploader's provinces, and, for the rows
//! the loader refused (which step 3 did not see), codes that name no unit;
//! 5. keep the records of the rows with no problem, in canonical form (levels and yes/no
//! as the CSV files write them).

use super::messages::vietnamese;
use super::records::Candidate;
use super::scope::ScopeCheck;
use super::table::Table;
use super::{Origin, UploadProblem, UploadRecord};
use crate::atlas::{self, Atlas, EditionAtlas};
use crate::load::{self, Location, Problem, Sourced};
use crate::model::{write_csv, ProvinceCode, Record, RecordKind, UnitCode};
use std::collections::HashMap;
use std::path::Path;

/// The checks of one kind's candidates.
struct Batch<'a> {
    tables: &'a [Table],
    candidates: Vec<Candidate>,
    /// Candidate index of each CSV line of the round given to the loader (line = position + 2).
    lines: Vec<usize>,
    bad: Vec<bool>,
    /// Candidates whose row the loader read (the reference checks saw them).
    read: Vec<bool>,
    problems: Vec<UploadProblem>,
}

const NAME: &str = "upload";

impl Batch<'_> {
    fn at_line(&self, line: u64) -> Option<usize> {
        line.checked_sub(2).and_then(|i| self.lines.get(i as usize)).copied()
    }

    /// A problem on candidate `i`'s `field`.
    fn fail(&mut self, i: usize, field: &str, value: Option<String>, en: String, vi: String) {
        let c = &self.candidates[i];
        let table = &self.tables[c.table];
        let column = c.column(self.tables, field);
        let name = column.and_then(|col| table.columns.get(col as usize).cloned()).unwrap_or_else(|| field.to_string());
        self.problems.push(UploadProblem::cell(&table.sheet, c.row, &name, column.unwrap_or(0), en, vi, value).with_column_known(column.is_some()));
        self.bad[i] = true;
    }

    /// A loader's or atlas check's problem, mapped to its candidate.
    fn loader_problem(&mut self, p: Problem) {
        let vi = vietnamese(&p.message);
        match p.location {
            Location::Line(line) => match self.at_line(line) {
                Some(i) => {
                    let field = p.field.as_deref().unwrap_or("").split(',').next().unwrap_or("").to_string();
                    self.fail(i, &field, p.value, p.message, vi);
                }
                None => self.problems.push(UploadProblem::sheet(NAME, p.message, vi)),
            },
            _ => self.problems.push(UploadProblem::sheet(NAME, p.message, vi)),
        }
    }

    fn loader_problems(&mut self, problems: Vec<Problem>) {
        for p in problems {
            self.loader_problem(p);
        }
    }

    /// Notes the rows the loader read, which the reference checks then see.
    fn mark_read(&mut self, lines: impl Iterator<Item = u64>) {
        for line in lines {
            if let Some(i) = self.at_line(line) {
                self.read[i] = true;
            }
        }
    }
}

/// Checks every candidate; returns the good records by kind, adding problems.
pub(crate) fn check(tables: &[Table], candidates: Vec<Candidate>, atlas: &Atlas, scope: &ScopeCheck, problems: &mut Vec<UploadProblem>) -> Vec<(RecordKind, Vec<UploadRecord>)> {
    let mut by_kind: HashMap<RecordKind, Vec<Candidate>> = HashMap::new();
    for c in candidates {
        by_kind.entry(c.kind).or_default().push(c);
    }
    let mut out = Vec::new();
    for kind in RecordKind::ALL {
        let Some(candidates) = by_kind.remove(&kind) else { continue };
        let n = candidates.len();
        let mut batch = Batch { tables, candidates, lines: Vec::with_capacity(n), bad: vec![false; n], read: vec![false; n], problems: Vec::new() };
        // The loaders refuse duplicate keys themselves: each round has none, so a
        // duplicate row is reported once (by `no_duplicates`) and its values still checked.
        for round in no_duplicates(&mut batch) {
            batch.lines = round;
            let csv = write_csv(kind, batch.lines.iter().map(|&i| Record { kind, fields: batch.candidates[i].fields.clone() }).collect::<Vec<_>>().iter());
            read_and_refer(kind, &mut batch, csv.as_bytes(), atlas);
        }
        code_cells(&mut batch, atlas, scope);
        let records = batch
            .candidates
            .iter()
            .zip(&batch.bad)
            .filter(|(_, bad)| !**bad)
            .map(|(c, _)| UploadRecord {
                record: Record { kind, fields: c.fields.clone() },
                origin: Origin { sheet: tables[c.table].sheet.clone(), row: c.row },
            })
            .collect();
        problems.append(&mut batch.problems);
        out.push((kind, records));
    }
    out
}

/// Refuses a later record with the key of an earlier one, and returns the candidates in
/// rounds of unique keys: round `k` holds the `k`-th row of each key, in row order.
fn no_duplicates(batch: &mut Batch<'_>) -> Vec<Vec<usize>> {
    let mut first: HashMap<String, (usize, usize)> = HashMap::with_capacity(batch.candidates.len());
    let mut rounds: Vec<Vec<usize>> = vec![Vec::with_capacity(batch.candidates.len())];
    for i in 0..batch.candidates.len() {
        let c = &batch.candidates[i];
        let key = Record { kind: c.kind, fields: c.fields.clone() }.key();
        match first.get_mut(&key) {
            Some((j, seen)) => {
                let j = *j;
                *seen += 1;
                if rounds.len() <= *seen {
                    rounds.push(Vec::new());
                }
                rounds[*seen].push(i);
                let earlier = &batch.candidates[j];
                let (sheet, row) = (batch.tables[earlier.table].sheet.clone(), earlier.row);
                let field = c.kind.key_columns().last().copied().unwrap_or("");
                let shown = c.kind.key_columns().iter().map(|k| c.get(k)).collect::<Vec<_>>().join(" ");
                batch.fail(
                    i,
                    field,
                    Some(shown),
                    format!("the same {} as {sheet} row {row}: each appears once", key_words_en(c.kind)),
                    format!("Trùng {} với {sheet} dòng {row}: mỗi bản ghi chỉ được xuất hiện một lần", key_words_vi(c.kind)),
                );
            }
            None => {
                first.insert(key, (i, 0));
                rounds[0].push(i);
            }
        }
    }
    rounds
}

fn key_words_en(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Criteria => "unit, year, set and item",
        RecordKind::Pilot | RecordKind::Tourism => "id",
        _ => "code and year",
    }
}

fn key_words_vi(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Criteria => "đơn vị, năm, bộ tiêu chí và tiêu chí",
        RecordKind::Pilot | RecordKind::Tourism => "mã",
        _ => "mã và năm",
    }
}

/// 2, 3 and 5: the loader, the reference checks, the canonical form.
fn read_and_refer(kind: RecordKind, batch: &mut Batch<'_>, csv: &[u8], atlas: &Atlas) {
    let path = Path::new(NAME);
    let e2024 = atlas.edition(crate::model::Edition::E2024);
    let file_problem = |batch: &mut Batch<'_>, e: load::LoadError| batch.loader_problems(e.problems);
    match kind {
        RecordKind::CommuneResult => match load::commune_result_rows_from(path, csv) {
            Ok(load::RowsRead { rows, problems, .. }) => {
                batch.loader_problems(problems);
                batch.mark_read(rows.iter().map(|r| r.line));
                for r in &rows {
                    canonical(batch, r.line, "level", r.value.record.level.as_str());
                }
                let (_, problems) = atlas::check_commune_results(path, rows, e2024, Vec::new());
                batch.loader_problems(problems);
            }
            Err(e) => file_problem(batch, e),
        },
        RecordKind::DistrictResult => match load::district_result_rows_from(path, csv) {
            Ok(load::RowsRead { rows, problems, .. }) => {
                batch.loader_problems(problems);
                batch.mark_read(rows.iter().map(|r| r.line));
                for r in &rows {
                    canonical(batch, r.line, "level", r.value.record.level.as_str());
                }
                let (_, problems) = atlas::check_district_results(path, rows, e2024, Vec::new());
                batch.loader_problems(problems);
            }
            Err(e) => file_problem(batch, e),
        },
        RecordKind::ProvinceResult => match load::province_result_rows_from(path, csv) {
            Ok(load::RowsRead { rows, problems, .. }) => {
                batch.loader_problems(problems);
                batch.mark_read(rows.iter().map(|r| r.line));
                for r in &rows {
                    canonical(batch, r.line, "level", "hoan_thanh");
                }
                let (_, problems) = atlas::check_province_results(path, rows, e2024, Vec::new());
                batch.loader_problems(problems);
            }
            Err(e) => file_problem(batch, e),
        },
        RecordKind::Criteria => match load::read_criteria_rows_from(path, csv, &atlas.criteria.catalog) {
            Ok(load::RowsRead { rows, problems, .. }) => {
                batch.loader_problems(problems);
                batch.mark_read(rows.iter().map(|r| r.line));
                for Sourced { line, value: row } in &rows {
                    canonical(batch, *line, "met", if row.met { "true" } else { "false" });
                    if let Some(p) = atlas::criteria::unit_problem(path, *line, row, &atlas.criteria.catalog, e2024) {
                        batch.loader_problem(p);
                    }
                }
            }
            Err(e) => file_problem(batch, e),
        },
        RecordKind::Pilot => match load::pilots_rows_from(path, csv) {
            Ok(load::RowsRead { rows, problems, .. }) => {
                batch.loader_problems(problems);
                batch.mark_read(rows.iter().map(|r| r.line));
                let (_, problems) = atlas::check_pilots(path, rows, e2024, Vec::new());
                batch.loader_problems(problems);
            }
            Err(e) => file_problem(batch, e),
        },
        RecordKind::Tourism => match load::tourism_rows_from(path, csv) {
            Ok(load::RowsRead { rows, problems, .. }) => {
                batch.loader_problems(problems);
                batch.mark_read(rows.iter().map(|r| r.line));
                let (_, problems) = atlas::check_tourism(path, rows, e2024, Vec::new());
                batch.loader_problems(problems);
            }
            Err(e) => file_problem(batch, e),
        },
    }
}

/// Writes a field in the form the CSV files use (`dat_chuan`, `true`), so that an upload
/// of unchanged values equals what is published.
fn canonical(batch: &mut Batch<'_>, line: u64, field: &str, value: &str) {
    if let Some(i) = batch.at_line(line) {
        let c = &mut batch.candidates[i];
        if let Some(f) = c.kind.column_index(field) {
            c.fields[f] = value.to_string();
        }
    }
}

/// 4: reads every row's unit from its own code cell, so that a row with other problems (a
/// bad date, say) is told in the same report that its code names no unit (step 3 saw only
/// the rows that read well) or a unit outside the uploader's provinces. A code that does
/// not read as one is the loader's to report.
fn code_cells(batch: &mut Batch<'_>, atlas: &Atlas, scope: &ScopeCheck) {
    let e2024 = atlas.edition(crate::model::Edition::E2024);
    let catalog = &atlas.criteria.catalog;
    for i in 0..batch.candidates.len() {
        let c = &batch.candidates[i];
        let Some(unit) = c.kind.unit(|column| c.get(column), catalog) else { continue };
        let field = c.kind.unit_column();
        if !batch.read[i] {
            let ntm = !matches!(c.kind, RecordKind::Pilot | RecordKind::Tourism);
            let problem = match catalog.get(c.get("set").trim()).filter(|_| c.kind == RecordKind::Criteria) {
                Some(set) => atlas::criteria::unit_message(unit, set, e2024),
                None => e2024.unit_problem(unit, ntm),
            };
            if let Some(en) = problem {
                let vi = vietnamese(&en);
                batch.fail(i, field, Some(unit.to_string()), en, vi);
                continue;
            }
        }
        if !scope.holds(unit) {
            outside_scope(batch, i, unit, e2024, atlas, scope);
        }
    }
}

/// Refuses candidate `i`, whose unit lies outside the uploader's provinces.
fn outside_scope(batch: &mut Batch<'_>, i: usize, unit: UnitCode, e2024: &EditionAtlas, atlas: &Atlas, scope: &ScopeCheck) {
    // A unit no edition has is reported as unknown, by step 3 or above.
    let Some((name, province)) = e2024.unit(unit) else { return };
    let (en, vi) = match unit {
        UnitCode::Commune(_) => ("commune", "Xã"),
        UnitCode::District(_) => ("district", "Huyện"),
        UnitCode::Province(_) => ("province", "Tỉnh"),
    };
    // A commune or district is named with its province; a province is its own.
    let of = if matches!(unit, UnitCode::Province(_)) { String::new() } else { format!(" ({})", province_name(e2024, province)) };
    let yours = scope.describe(atlas);
    let field = batch.candidates[i].kind.unit_column();
    batch.fail(
        i,
        field,
        Some(unit.to_string()),
        format!("{en} {unit} {name}{of} is outside your provinces ({yours}): an editor changes only the units of their own provinces"),
        format!("{vi} {unit} {name}{of} nằm ngoài phạm vi tỉnh của bạn ({yours}): chỉ được sửa đơn vị thuộc tỉnh mình"),
    );
}

fn province_name(e2024: &EditionAtlas, code: ProvinceCode) -> String {
    e2024.provinces.get(&code).map_or_else(|| code.to_string(), |p| p.name.clone())
}
