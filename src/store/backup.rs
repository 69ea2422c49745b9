//! `bando db backup`: a consistent copy of the database, taken with SQLite's online
//! backup API while the server keeps serving (and writing).
//!
//! Steps: 1. copy the pages into `FILE.partial` in steps, so the writer is never held up
//! for long (the copy restarts itself if a write lands in between); 2. rename it to
//! `FILE`, so a half-written backup never carries the final name.

use super::{Store, StoreError};
use rusqlite::backup::Backup;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::time::Duration;

impl Store {
    /// Writes a copy of the database to `path` (replacing it).
    pub fn backup(&self, path: &Path) -> Result<(), StoreError> {
        let partial = PathBuf::from(format!("{}.partial", path.display()));
        let _ = std::fs::remove_file(&partial);
        {
            let mut target = Connection::open(&partial)?;
            let source = self.conn();
            let backup = Backup::new(&source, &mut target)?;
            backup.run_to_completion(1024, Duration::from_millis(5), None)?;
        }
        std::fs::rename(&partial, path).map_err(|source| StoreError::Folder { path: path.to_path_buf(), source })?;
        Ok(())
    }
}
