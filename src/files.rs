//! Writing a file whole: a reader of its folder (a server, a CDN syncing a publication)
//! sees the old file or the new one, never half of one.
//!
//! Steps: 1. write to a hidden file beside the target (`.{name}.{pid}`: same folder, so
//! the rename stays on one file system; the process id keeps two writers apart);
//! 2. rename it over the target, which POSIX makes atomic; 3. on failure, remove it.

use std::path::{Path, PathBuf};

/// Writes `path` through `write`, which is handed the temporary path to write to.
pub fn replace<E: From<std::io::Error>>(path: &Path, write: impl FnOnce(&Path) -> Result<(), E>) -> Result<(), E> {
    let temporary = temporary_beside(path);
    let written = write(&temporary).and_then(|()| std::fs::rename(&temporary, path).map_err(E::from));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

/// Writes `bytes` to `path` whole ([`replace`]).
pub fn replace_with_bytes(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    replace(path, |temporary| std::fs::write(temporary, bytes))
}

fn temporary_beside(path: &Path) -> PathBuf {
    let name = path.file_name().map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.{}", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary() {
        let dir = std::env::temp_dir().join(format!("bando-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.csv");
        std::fs::write(&path, "old").unwrap();
        let failed: std::io::Result<()> = replace(&path, |t| {
            std::fs::write(t, "half")?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        replace_with_bytes(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        let names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["a.csv"], "a temporary file was left");
        std::fs::remove_dir_all(dir).ok();
    }
}
