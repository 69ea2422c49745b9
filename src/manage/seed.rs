//! The records of publication 1: the files `bando serve` is given (`--results`, …) or the
//! embedded ones, read as [`Record`]s.
//!
//! Steps: 1. pick each kind's file (the configured one, else the embedded sample; no
//! criteria when neither exists); 2. find the kind's columns in the header by name
//! (trimmed, any case, any order, extra columns ignored, as the loaders do); 3. read each
//! row into the kind's column order. Values are not checked here: the atlas build that
//! follows checks them with the loaders' rules, every problem in one report.

use super::ManageError;
use crate::atlas::Inputs;
use crate::model::{Record, RecordKind};
use std::path::{Path, PathBuf};

/// The file each kind is seeded from, when there is one.
pub fn seed_file(inputs: &Inputs, kind: RecordKind) -> Option<PathBuf> {
    let configured = match kind {
        RecordKind::CommuneResult => &inputs.commune_results,
        RecordKind::DistrictResult => &inputs.district_results,
        RecordKind::ProvinceResult => &inputs.province_results,
        RecordKind::Criteria => &inputs.criteria,
        RecordKind::Pilot => &inputs.pilots,
        RecordKind::Tourism => &inputs.tourism,
    };
    let embedded = inputs.geodata_dir.join(kind.file_name());
    configured.clone().or_else(|| (kind != RecordKind::Criteria || embedded.exists()).then_some(embedded))
}

/// True when any record file is configured (`--results`, `--criteria`, …).
pub fn configured_files(inputs: &Inputs) -> bool {
    [&inputs.commune_results, &inputs.district_results, &inputs.province_results, &inputs.criteria, &inputs.pilots, &inputs.tourism]
        .iter()
        .any(|f| f.is_some())
}

/// The kinds seeded from the embedded sample files (no file of theirs configured).
pub fn sample_kinds(inputs: &Inputs) -> Vec<RecordKind> {
    RecordKind::ALL
        .into_iter()
        .filter(|&kind| seed_file(inputs, kind).is_some_and(|f| f == inputs.geodata_dir.join(kind.file_name())))
        .collect()
}

/// Every record of the seed files, in file order; each problem names its file and line.
pub fn read(inputs: &Inputs) -> Result<Vec<Record>, ManageError> {
    let mut records = Vec::new();
    let mut problems = Vec::new();
    for kind in RecordKind::ALL {
        if let Some(path) = seed_file(inputs, kind) {
            match read_file(kind, &path) {
                Ok(mut r) => records.append(&mut r),
                Err(mut p) => problems.append(&mut p),
            }
        }
    }
    if problems.is_empty() {
        Ok(records)
    } else {
        Err(ManageError::Load(problems.join("\n")))
    }
}

/// The records of one CSV file of `kind`.
pub fn read_file(kind: RecordKind, path: &Path) -> Result<Vec<Record>, Vec<String>> {
    let here = |line: u64, message: String| format!("{}:{line}: {message}", path.display());
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .map_err(|e| vec![format!("{}: cannot open: {e}", path.display())])?;
    let mut rows = reader.byte_records();
    let header = match rows.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(vec![here(1, format!("unreadable header: {e}"))]),
        None => return Err(vec![here(1, "the file is empty; a header line is expected".into())]),
    };
    let names: Vec<String> = header.iter().map(|f| String::from_utf8_lossy(f).trim().trim_start_matches('\u{feff}').to_lowercase()).collect();
    // Where each of the kind's columns sits in the file (None: absent, read as empty).
    let positions: Vec<Option<usize>> = kind.columns().iter().map(|c| names.iter().position(|n| n == c)).collect();
    let mut problems = Vec::new();
    for key in kind.key_columns() {
        if positions[kind.column_index(key).expect("key columns are columns")].is_none() {
            problems.push(here(1, format!("the column '{key}' is missing")));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut records = Vec::new();
    for (i, row) in rows.enumerate() {
        let line = i as u64 + 2;
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                problems.push(here(line, format!("unreadable: {e}")));
                continue;
            }
        };
        if row.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        let mut fields = Vec::with_capacity(positions.len());
        for position in &positions {
            let bytes = position.and_then(|p| row.get(p)).unwrap_or_default();
            match std::str::from_utf8(bytes) {
                Ok(text) => fields.push(text.trim().to_string()),
                Err(_) => {
                    problems.push(here(line, "not UTF-8 text".into()));
                    break;
                }
            }
        }
        if fields.len() == positions.len() {
            records.push(Record { kind, fields });
        }
    }
    if problems.is_empty() {
        Ok(records)
    } else {
        Err(problems)
    }
}
