//! The generator's inputs, checked as a whole before anything is written: both reference
//! tables and the 2024→2025 crosswalk.
//!
//! Steps:
//!   1. read both tables and the crosswalk in full, keeping each file's problems (a bad
//!      number, a missing name, a duplicate code, an inconsistent crosswalk row);
//!   2. check every crosswalk row's codes against the tables, on the code of every line
//!      whose code parses, so a bad field elsewhere on a line raises no false alarm;
//!   3. check that every 2024 commune goes into some 2025 commune;
//!   4. return the inputs, or one error listing every problem of every file, each with
//!      its file, line, field and value.
//!
//! A 2025 commune that took no 2024 commune is allowed: the đặc khu made of island
//! districts that had no communes in 2024 (the build reports them).

use super::reference::{self, RefCommune};
use crate::load::{LoadError, Location, Problem};
use crate::model::CommuneCode;
use std::collections::HashSet;
use std::path::Path;

/// The crosswalk's file name in the reference folder.
pub const CROSSWALK_FILE: &str = "crosswalk-2024-2025.csv";

/// Both editions' reference communes, and the crosswalk's (2024 code, 2025 code) pairs
/// written as the tables write codes, and its file's bytes.
pub struct Inputs {
    pub communes: [Vec<RefCommune>; 2],
    pub crosswalk: Vec<(String, String)>,
    pub crosswalk_bytes: Vec<u8>,
}

/// Reads and checks the reference tables and the crosswalk of `reference_dir`.
pub fn read(reference_dir: &Path) -> Result<Inputs, LoadError> {
    let mut problems = Vec::new();
    let mut table = |edition| match reference::read_table(reference_dir, edition) {
        Ok(t) => Some(t),
        Err(e) => {
            problems.extend(e.problems);
            None
        }
    };
    let (old, new) = (table(2024), table(2025));
    let crosswalk_path = reference_dir.join(CROSSWALK_FILE);
    // Read once: parsed here, and copied as it is into the output.
    let (crosswalk_bytes, crosswalk) = match std::fs::read(&crosswalk_path) {
        Ok(bytes) => {
            let rows = crate::load::read_crosswalk_from(&crosswalk_path, &bytes[..]).map_err(|e| problems.extend(e.problems)).ok();
            (bytes, rows)
        }
        Err(e) => {
            problems.push(Problem::new(&crosswalk_path, Location::File, format!("cannot open: {e}")));
            (Vec::new(), None)
        }
    };
    let (Some(old), Some(new)) = (old, new) else {
        return Err(LoadError { problems });
    };
    problems.extend(old.problems);
    problems.extend(new.problems);
    let Some(crosswalk) = crosswalk else {
        return Err(LoadError { problems });
    };

    let known = |codes: &[(CommuneCode, u64)]| codes.iter().map(|(c, _)| *c).collect::<HashSet<_>>();
    let (known_2024, known_2025) = (known(&old.codes), known(&new.codes));
    let file_name = |p: &Path| p.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    for row in &crosswalk {
        let at = |field: &str, code: CommuneCode, table: &Path| {
            Problem::new(&crosswalk_path, Location::Line(row.line), format!("commune {code} is not in {}", file_name(table)))
                .field(field, code.to_string())
        };
        if !known_2024.contains(&row.value.code_2024) {
            problems.push(at("code_2024", row.value.code_2024, &old.path));
        }
        if !known_2025.contains(&row.value.code_2025) {
            problems.push(at("code_2025", row.value.code_2025, &new.path));
        }
    }
    let mapped: HashSet<CommuneCode> = crosswalk.iter().map(|r| r.value.code_2024).collect();
    for (code, line) in &old.codes {
        if !mapped.contains(code) {
            problems.push(
                Problem::new(&old.path, Location::Line(*line), format!("commune {code} goes into no 2025 commune: {CROSSWALK_FILE} has no row for it"))
                    .field("code", code.to_string()),
            );
        }
    }
    let pairs = crosswalk.iter().map(|r| (r.value.code_2024.to_string(), r.value.code_2025.to_string())).collect();
    LoadError::check(Inputs { communes: [old.communes, new.communes], crosswalk: pairs, crosswalk_bytes }, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed reference folder with `edit` applied to copies of its files.
    fn folder(name: &str, edit: impl FnOnce(&Path)) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("bando-inputs-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for f in ["communes-2024.csv", "communes-2025.csv", CROSSWALK_FILE] {
            std::fs::copy(Path::new(crate::config::REFERENCE_TABLES).join(f), dir.join(f)).unwrap();
        }
        edit(&dir);
        dir
    }

    /// Rewrites line `n` (1-based) of `file` in `dir` with `f`.
    fn edit_line(dir: &Path, file: &str, n: usize, f: impl FnOnce(&str) -> String) {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        lines[n - 1] = f(&lines[n - 1]);
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    }

    #[test]
    fn the_committed_inputs_are_consistent() {
        let inputs = read(Path::new(crate::config::REFERENCE_TABLES)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(inputs.crosswalk.len(), 10_597);
        assert!(inputs.communes[0].iter().all(|c| inputs.crosswalk.iter().any(|(old, _)| *old == c.code)));
    }

    #[test]
    fn every_problem_of_every_file_is_reported_with_its_line() {
        let dir = folder("bad", |dir| {
            // communes-2024.csv line 5: a lon that is not a number.
            edit_line(dir, "communes-2024.csv", 5, |l| {
                let mut f: Vec<&str> = l.split(',').collect();
                f[7] = "10x5.2";
                f.join(",")
            });
            // communes-2025.csv gets a last line repeating line 2.
            let path = dir.join("communes-2025.csv");
            let text = std::fs::read_to_string(&path).unwrap();
            let second = text.lines().nth(1).unwrap().to_string();
            std::fs::write(&path, format!("{text}{second}\n")).unwrap();
            // crosswalk line 2 names a 2024 commune no table has, line 4 a 2025 commune.
            edit_line(dir, CROSSWALK_FILE, 2, |l| format!("99990{}", &l[l.find(',').unwrap()..]));
            edit_line(dir, CROSSWALK_FILE, 4, |l| {
                let f: Vec<&str> = l.split(',').collect();
                format!("{},99991,{}", f[0], f[2])
            });
        });
        let reference = |file: &str| std::fs::read_to_string(Path::new(crate::config::REFERENCE_TABLES).join(file)).unwrap();
        let duplicate_line = reference("communes-2025.csv").lines().count() as u64 + 1;
        // Precondition: crosswalk line 2 is the only row of the commune on line 2 of
        // communes-2024.csv, so renaming it leaves that commune unmapped.
        let (crosswalk, communes) = (reference(CROSSWALK_FILE), reference("communes-2024.csv"));
        let code_of = |line: &str| line.split(',').next().unwrap().to_string();
        let renamed = code_of(crosswalk.lines().nth(1).unwrap());
        assert_eq!(renamed, code_of(communes.lines().nth(1).unwrap()));
        assert_eq!(crosswalk.lines().filter(|l| code_of(l) == renamed).count(), 1);
        let e = read(&dir).err().expect("bad inputs refused");
        let report = e.to_string();
        let has = |file: &str, line: u64, field: &str, message: &str| {
            e.problems.iter().any(|p| {
                p.file.ends_with(file) && p.location == Location::Line(line) && p.field.as_deref() == Some(field) && p.message.contains(message)
            })
        };
        assert!(has("communes-2024.csv", 5, "lon", "not a number"), "{report}");
        assert!(has(CROSSWALK_FILE, 2, "code_2024", "commune 99990 is not in communes-2024.csv"), "{report}");
        assert!(has(CROSSWALK_FILE, 4, "code_2025", "commune 99991 is not in communes-2025.csv"), "{report}");
        // The commune whose only row was renamed now goes nowhere; the one with the bad lon
        // is still known by its code, so its crosswalk rows raise nothing.
        assert!(has("communes-2024.csv", 2, "code", &format!("commune {renamed} goes into no 2025 commune")), "{report}");
        assert!(has("communes-2025.csv", duplicate_line, "code", "duplicate commune code: also on line 2"), "{report}");
        assert_eq!(e.problems.len(), 5, "{report}");
        std::fs::remove_dir_all(dir).ok();
    }
}
