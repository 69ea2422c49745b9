//! The embedded database (SQLite, in `--data-dir`): accounts, submissions, the published
//! records, the append-only change log and the publication log. Boundaries stay files.
//!
//! Every SQL statement of bando lives under this module, behind [`Store`]'s methods, so
//! another backend (PostgreSQL, for several writers) can implement the same interface
//! later without the rest of the code noticing.
//!
//! Steps of [`Store::open`]: 1. create the data folder and open `bando.sqlite3` in it;
//! 2. set WAL mode (readers never wait for the writer), foreign keys and a busy timeout;
//! 3. run the migrations ([`migrate`]).
//!
//! One connection serves all calls, behind a mutex: writes are rare (uploads, approvals,
//! logins) and short, and SQLite allows one writer at a time anyway. Callers in async code
//! run store calls on the blocking pool.

pub mod accounts;
pub mod auth_log;
mod backup;
mod changes;
mod check;
mod migrate;
mod publications;
mod records;
pub mod sessions;
mod submissions;
pub mod tokens;

pub use accounts::{Account, AccountError, NewAccount, Password, Role};
pub use auth_log::{AuthEvent, AuthEventKind, Origin};
pub use changes::Change;
pub use check::CheckReport;
pub use migrate::MIGRATIONS;
pub use publications::{ApproveError, Conflict, ConflictChoice, Publication};
pub use records::{format_utc, RecordSet, RecordsError};
pub use sessions::{NewSession, Session};
pub use submissions::{FieldChange, RecordDiff, Status, Submission, SubmissionFilter, SubmissionId};
pub use tokens::{ApiToken, Secret, TokenError};

use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// The database file inside the data folder.
pub const DATABASE_FILE: &str = "bando.sqlite3";

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("data folder {path}: {source}")]
    Folder { path: PathBuf, source: std::io::Error },
    #[error("database schema: {0}")]
    Schema(String),
}

/// The embedded database of one data folder.
pub struct Store {
    dir: PathBuf,
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (creating when absent) the database in `dir` and brings its schema up to date.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Folder { path: dir.to_path_buf(), source })?;
        let mut conn = Connection::open(dir.join(DATABASE_FILE))?;
        // WAL: public reads of history never wait for an approval being written.
        // synchronous=NORMAL is durable at checkpoints; the commit that publishes raises it
        // to FULL (see the publication code) so a published state survives power loss.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
        )?;
        migrate::migrate(&mut conn)?;
        Ok(Store { dir: dir.to_path_buf(), conn: Mutex::new(conn) })
    }

    /// The data folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The one connection. A panic while it was held cannot leave a transaction open
    /// (rusqlite rolls back on drop), so a poisoned lock is safe to reuse.
    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The schema version (the number of migrations applied).
    pub fn schema_version(&self) -> Result<usize, StoreError> {
        migrate::version(&self.conn())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_a_new_folder_in_wal_mode_at_the_last_schema_and_reopens_it() {
        let dir = std::env::temp_dir().join(format!("bando-store-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::open(&dir).unwrap();
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len());
        let mode: String = store.conn().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        drop(store);
        let again = Store::open(&dir).unwrap();
        assert_eq!(again.schema_version().unwrap(), MIGRATIONS.len());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn refuses_a_database_from_a_newer_bando() {
        let dir = std::env::temp_dir().join(format!("bando-store-newer-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Connection::open(dir.join(DATABASE_FILE)).unwrap().execute_batch("PRAGMA user_version = 999").unwrap();
        let err = Store::open(&dir).err().expect("a newer schema is refused");
        assert!(err.to_string().contains("999"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
