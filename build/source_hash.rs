//! A hash of the files that make what bando answers (its sources, styles, fonts and locked
//! dependencies): the build's name in ETags and versioned tile URLs. Shared by `build.rs`,
//! which exports it as `BANDO_BUILD`, and by `tests/build_id.rs`.
//!
//! Steps: 1. list every file under each input (a file or a folder), by path relative to
//! the root, `/`-separated, sorted (so the order the file system lists them in does not
//! matter); 2. hash each path and its contents with FNV-1a (`src/fnv.rs`, as the data
//! version);
//! 3. write the hash as 16 hex digits.

use std::path::{Path, PathBuf};

// The crate's own FNV-1a (the build script and `tests/build_id.rs` use a part of it).
#[allow(dead_code)]
#[path = "../src/fnv.rs"]
mod fnv;

/// What shapes the bytes bando answers, relative to the package root.
pub const INPUTS: [&str; 4] = ["src", "styles", "assets", "Cargo.lock"];

/// Step 1–3 for `inputs` under `root`. A missing input counts as empty (a package
/// without assets, say).
pub fn source_hash(root: &Path, inputs: &[&str]) -> std::io::Result<String> {
    let mut files = Vec::new();
    for input in inputs {
        collect(root, &root.join(input), &mut files)?;
    }
    files.sort();
    let mut hash = fnv::OFFSET;
    let mut write = |bytes: &[u8]| hash = fnv::fold(hash, bytes);
    for (name, path) in &files {
        let contents = std::fs::read(path)?;
        // Lengths first, so that moving bytes from a name to its contents changes the hash.
        write(&(name.len() as u64).to_le_bytes());
        write(name.as_bytes());
        write(&(contents.len() as u64).to_le_bytes());
        write(&contents);
    }
    Ok(format!("{hash:016x}"))
}

/// The files at or under `path`, with their `/`-separated names relative to `root`.
fn collect(root: &Path, path: &Path, out: &mut Vec<(String, PathBuf)>) -> std::io::Result<()> {
    let Ok(meta) = std::fs::metadata(path) else { return Ok(()) };
    if meta.is_dir() {
        for entry in std::fs::read_dir(path)? {
            collect(root, &entry?.path(), out)?;
        }
    } else {
        let relative = path.strip_prefix(root).unwrap_or(path);
        let name = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        out.push((name, path.to_path_buf()));
    }
    Ok(())
}
