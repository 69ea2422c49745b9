//! `bando validate FILE…`: run each file through its reader and, when data files are
//! given, through a whole atlas build against the boundaries, so that cross-file
//! problems (unknown codes, a pilot outside its commune) are reported too.

use super::{read_boundaries, read_commune_results, read_crosswalk, read_district_results, read_pilots,
    read_province_results, read_tourism, LoadError, Location, Problem};
use crate::atlas::{self, Inputs};
use std::fmt;
use std::path::{Path, PathBuf};

/// What kind of input a file is, told from its extension and CSV header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Boundaries,
    CommuneResults,
    DistrictResults,
    ProvinceResults,
    Pilots,
    Tourism,
    Crosswalk,
    Criteria,
    Targets,
}

/// One line per file: what it was read as, and its problems.
pub struct ValidationReport {
    pub files: Vec<(PathBuf, Option<FileKind>, usize)>,
    pub problems: Vec<Problem>,
}

impl ValidationReport {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

impl fmt::Display for ValidationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (path, kind, count) in &self.files {
            let kind = kind.map_or("unknown kind".to_string(), |k| format!("{k:?}"));
            writeln!(f, "{}: read as {kind}, {count} record(s)", path.display())?;
        }
        if self.problems.is_empty() {
            writeln!(f, "no problems found")
        } else {
            write!(f, "{}", LoadError { problems: self.problems.clone() })
        }
    }
}

/// Tells a CSV's kind from its header columns (and, for results, from the width of the
/// first code: communes 5 digits, districts 3, provinces 2). Reads two lines only.
fn csv_kind(path: &Path) -> Result<FileKind, Problem> {
    use std::io::BufRead;
    let file = std::fs::File::open(path).map_err(|e| Problem::new(path, Location::File, format!("cannot read: {e}")))?;
    let mut lines = std::io::BufReader::new(file).lines().map_while(Result::ok);
    let header = lines.next().unwrap_or_default();
    let cols: Vec<&str> = header.trim_start_matches('\u{feff}').split(',').map(str::trim).collect();
    let has = |c: &str| cols.contains(&c);
    let kind = if has("unit_code") && has("criterion") {
        FileKind::Criteria
    } else if has("measure") && has("deadline") {
        FileKind::Targets
    } else if has("code_2024") && has("code_2025") {
        FileKind::Crosswalk
    } else if has("category") {
        FileKind::Tourism
    } else if has("kind") && has("commune_code") {
        FileKind::Pilots
    } else if let (true, Some(code_col)) = (has("level"), cols.iter().position(|c| *c == "code")) {
        let width = lines.next().and_then(|l| l.split(',').nth(code_col).map(|c| c.trim().len())).unwrap_or(5);
        match width {
            2 => FileKind::ProvinceResults,
            3 => FileKind::DistrictResults,
            _ => FileKind::CommuneResults,
        }
    } else {
        return Err(Problem::new(path, Location::File, format!("cannot tell what this CSV holds from its header '{header}'")));
    };
    Ok(kind)
}

fn kind_of(path: &Path) -> Result<FileKind, Problem> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "fgb" | "geojson" | "json" => Ok(FileKind::Boundaries),
        "csv" => csv_kind(path),
        _ => Err(Problem::new(path, Location::File, "unknown file type (expected .fgb, .geojson or .csv)")),
    }
}

fn count<T>(r: Result<Vec<T>, LoadError>) -> Result<usize, LoadError> {
    r.map(|v| v.len())
}

/// Validates each file alone, then (when data files are among them) together, whatever
/// the files alone found: a bad level on one line and an unknown code on another come in
/// one report. A problem both steps find is listed once.
pub fn validate_files(files: &[PathBuf], code_property: &str, geodata: &Path) -> ValidationReport {
    let mut report = ValidationReport { files: Vec::new(), problems: Vec::new() };
    let mut inputs = Inputs::embedded(geodata);
    inputs.code_property = code_property.to_string();
    let mut has_data_files = false;
    for path in files {
        let kind = match kind_of(path) {
            Ok(k) => k,
            Err(p) => {
                report.files.push((path.clone(), None, 0));
                report.problems.push(p);
                continue;
            }
        };
        let slot = |o: &mut Option<PathBuf>| *o = Some(path.clone());
        let result = match kind {
            FileKind::Boundaries => read_boundaries(path, code_property).map(|f| f.features.len()),
            FileKind::CommuneResults => {
                slot(&mut inputs.commune_results);
                count(read_commune_results(path))
            }
            FileKind::DistrictResults => {
                slot(&mut inputs.district_results);
                count(read_district_results(path))
            }
            FileKind::ProvinceResults => {
                slot(&mut inputs.province_results);
                count(read_province_results(path))
            }
            FileKind::Pilots => {
                slot(&mut inputs.pilots);
                count(read_pilots(path))
            }
            FileKind::Tourism => {
                slot(&mut inputs.tourism);
                count(read_tourism(path))
            }
            FileKind::Crosswalk => count(read_crosswalk(path)),
            FileKind::Criteria => {
                slot(&mut inputs.criteria);
                let catalog = super::read_criteria_sets(&geodata.join("criteria"));
                catalog.and_then(|catalog| count(super::read_criteria(path, &catalog)))
            }
            FileKind::Targets => {
                slot(&mut inputs.targets);
                let catalog = super::read_criteria_sets(&geodata.join("criteria"));
                catalog.and_then(|catalog| count(super::read_targets(path, &catalog)))
            }
        };
        has_data_files |= !matches!(kind, FileKind::Boundaries | FileKind::Crosswalk);
        if kind == FileKind::Boundaries {
            inputs.boundaries.push(path.clone());
        }
        match result {
            Ok(n) => report.files.push((path.clone(), Some(kind), n)),
            Err(e) => {
                report.files.push((path.clone(), Some(kind), 0));
                report.problems.extend(e.problems);
            }
        }
    }
    if has_data_files {
        if let Err(e) = atlas::build(&inputs) {
            let mut seen: std::collections::HashSet<String> = report.problems.iter().map(Problem::to_string).collect();
            report.problems.extend(e.problems.into_iter().filter(|p| seen.insert(p.to_string())));
        }
    }
    // One list per file, in line order, whichever check found each problem.
    let file_order = |p: &Problem| files.iter().position(|f| *f == p.file).unwrap_or(files.len());
    report.problems.sort_by_key(|p| {
        let at = match p.location {
            Location::File => 0,
            Location::Line(n) => n,
            Location::Feature(i) => i as u64,
        };
        (file_order(p), at)
    });
    report
}
