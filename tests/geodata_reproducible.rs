//! `bando geodata build` reproduces the committed geodata/ byte for byte: everything it
//! generates from the reference tables and the criteria catalog on a fresh clone, and, given the real 2025
//! communes (`--real-2025`, not committed), the 2025 boundary files too.

mod common;
use common::{path_str, repo, shared_geodata, TempDir, BIN};

/// The files built from the real 2025 communes; kept as they are without them.
const REAL_2025_FILES: [&str; 3] = ["communes-2025.fgb", "provinces-2025.fgb", "communes-2025-source.csv"];

/// Runs `bando geodata build` into `out` with extra arguments.
fn build(out: &TempDir, extra: &[&str]) {
    let reference = repo().join("geodata/reference");
    let run = std::process::Command::new(BIN)
        .args(["geodata", "build", "--reference", path_str(&reference), "--out", path_str(&out.0)])
        .args(extra)
        .env_remove("BANDO_REAL_2025")
        .output()
        .expect("run");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
}

/// Compares every file of `out` with the committed one; returns the names compared.
fn compare_with_committed(out: &TempDir) -> Vec<String> {
    let committed = repo().join("geodata");
    let mut compared = Vec::new();
    for entry in std::fs::read_dir(&out.0).expect("out dir") {
        let path = entry.expect("entry").path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let fresh = std::fs::read(&path).expect("read fresh");
        let kept = std::fs::read(committed.join(&name)).unwrap_or_else(|_| panic!("geodata/{name} is not committed"));
        assert!(fresh == kept, "geodata/{name} differs from a fresh build ({} vs {} bytes)", fresh.len(), kept.len());
        compared.push(name);
    }
    compared.sort();
    compared
}

#[test]
fn geodata_build_reproduces_the_committed_files() {
    let out = TempDir::new("geodata");
    // The 2025 boundary files already in the output folder must be left as they are.
    let marker = b"kept: not rebuilt without --real-2025";
    for name in REAL_2025_FILES {
        std::fs::write(out.0.join(name), marker).expect("seed");
    }
    build(&out, &[]);
    for name in REAL_2025_FILES {
        assert_eq!(std::fs::read(out.0.join(name)).expect("kept file"), marker, "{name} was rewritten without --real-2025");
        std::fs::remove_file(out.0.join(name)).expect("remove");
    }
    let compared = compare_with_committed(&out);
    assert!(compared.len() >= 9, "only {compared:?} generated");
    assert!(compared.contains(&"communes-2024.fgb".to_string()) && !compared.iter().any(|n| n.contains("2025.fgb")), "{compared:?}");
    // The sample criteria assessments are generated too (from the results and the catalog).
    assert!(compared.contains(&"criteria.csv".to_string()), "{compared:?}");
    let total = folder_bytes(&repo().join("geodata"));
    assert!(total < 30 * 1024 * 1024, "geodata/ is {total} bytes, over 30 MB");
}

#[test]
#[ignore = "needs the real boundary files of ../shared/geodata (not committed)"]
fn geodata_build_with_the_real_2025_communes_reproduces_every_committed_file() {
    let out = TempDir::new("geodata-real");
    let real = shared_geodata("communes-2025.fgb");
    build(&out, &["--real-2025", path_str(&real)]);
    let compared = compare_with_committed(&out);
    for name in REAL_2025_FILES {
        assert!(compared.contains(&name.to_string()), "{name} not built: {compared:?}");
    }
    // Every committed file is rebuilt: nothing in geodata/ (outside the reference
    // tables) comes from anywhere else.
    let committed: Vec<String> = std::fs::read_dir(repo().join("geodata"))
        .expect("geodata")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file())
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_string())
        .collect();
    for name in committed {
        assert!(compared.contains(&name), "geodata/{name} is committed but not built");
    }
}

/// Bytes of every file under `dir`, sub-folders included.
fn folder_bytes(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .expect("read folder")
        .map(|e| {
            let e = e.expect("entry");
            let meta = e.metadata().expect("metadata");
            if meta.is_dir() { folder_bytes(&e.path()) } else { meta.len() }
        })
        .sum()
}

/// Bad reference tables and crosswalk: the build lists every problem of every file, each
/// with its file, line, field and value, and writes nothing.
#[test]
fn geodata_build_reports_every_bad_input_line_and_writes_nothing() {
    let reference = TempDir::new("geodata-bad-reference");
    for name in ["communes-2024.csv", "communes-2025.csv", "crosswalk-2024-2025.csv"] {
        let text = std::fs::read_to_string(repo().join("geodata/reference").join(name)).expect("reference table");
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        match name {
            // Line 7: a latitude with a comma for a decimal point (the field splits in two,
            // so it is quoted as a spreadsheet would write it).
            "communes-2024.csv" => {
                let mut f: Vec<String> = lines[6].split(',').map(str::to_string).collect();
                f[8] = "\"21,03\"".into();
                lines[6] = f.join(",");
            }
            // Line 2 loses its name.
            "communes-2025.csv" => {
                let mut f: Vec<String> = lines[1].split(',').map(str::to_string).collect();
                f[1].clear();
                lines[1] = f.join(",");
            }
            // Line 3 names a 2025 commune that does not exist.
            _ => {
                let f: Vec<String> = lines[2].split(',').map(str::to_string).collect();
                lines[2] = format!("{},77777,{}", f[0], f[2]);
            }
        }
        std::fs::write(reference.0.join(name), lines.join("\n") + "\n").expect("write");
    }
    let out = TempDir::new("geodata-untouched");
    std::fs::write(out.0.join("communes-2024.fgb"), b"the previous build").expect("seed");

    let run = std::process::Command::new(BIN)
        .args(["geodata", "build", "--reference", path_str(&reference.0), "--out", path_str(&out.0)])
        .env_remove("BANDO_REAL_2025")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success(), "a bad crosswalk was accepted");
    for expected in [
        "communes-2024.csv:7: field 'lat' = '21,03': lat is not a number",
        "communes-2025.csv:2: field 'name' = '': name is required",
        "crosswalk-2024-2025.csv:3: field 'code_2025' = '77777': commune 77777 is not in communes-2025.csv",
        "3 problems found",
    ] {
        assert!(stderr.contains(expected), "missing «{expected}» in:\n{stderr}");
    }
    let left: Vec<_> = std::fs::read_dir(&out.0).expect("out").map(|e| e.expect("entry").file_name()).collect();
    assert_eq!(left, ["communes-2024.fgb"], "the build wrote into the output folder");
    assert_eq!(std::fs::read(out.0.join("communes-2024.fgb")).expect("kept"), b"the previous build");
}
