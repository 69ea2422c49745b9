//! `bando geodata build` reproduces the committed geodata/ byte for byte.

mod common;
use common::{path_str, repo, TempDir, BIN};

#[test]
fn geodata_build_reproduces_the_committed_files() {
    let reference = repo().join("geodata/reference");
    let out = TempDir::new("geodata");
    let run = std::process::Command::new(BIN)
        .args(["geodata", "build", "--reference", path_str(&reference), "--out", path_str(&out.0)])
        .output()
        .expect("run");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let committed = repo().join("geodata");
    let mut compared = 0;
    for entry in std::fs::read_dir(&out.0).expect("out dir") {
        let path = entry.expect("entry").path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let fresh = std::fs::read(&path).expect("read fresh");
        let kept = std::fs::read(committed.join(&name)).unwrap_or_else(|_| panic!("geodata/{name} is not committed"));
        assert!(fresh == kept, "geodata/{name} differs from a fresh build ({} vs {} bytes)", fresh.len(), kept.len());
        compared += 1;
    }
    assert!(compared >= 10, "only {compared} files generated");
    let total = folder_bytes(&committed);
    assert!(total < 30 * 1024 * 1024, "geodata/ is {total} bytes, over 30 MB");
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
